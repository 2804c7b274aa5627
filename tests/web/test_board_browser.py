"""A resident on a phone, in a real browser (Playwright driving Debian's chromium; nothing is
downloaded): searches without marks, opens the disclosure, reads its table. Screenshots go to
tests/artifacts/. Skipped when chromium or playwright is missing, unless REQUIRE_BROWSER=1 (CI)."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from storage.store import Store
from tests.web.board_data import board_client, seed

ARTIFACTS = Path(__file__).parent.parent / "artifacts"
PHONE_WIDTH, PHONE_HEIGHT = 390, 844
pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


def chromium() -> str:
    """Debian's chromium, or a skip (a failure where the browser test is required)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    reason = ""
    if found is None:
        reason = "chromium is not installed (apt-get install chromium)"
    else:
        try:
            import playwright.async_api  # noqa: F401
        except ImportError:
            reason = "playwright is not installed (pip install -e '.[dev]')"
    if reason:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    assert found is not None
    return found


@pytest.fixture
async def base_url(tmp_path: Path) -> AsyncIterator[str]:
    store = Store(f"sqlite:///{tmp_path / 'board.db'}")
    await store.migrate()
    await seed(store)
    async with board_client(store) as client:
        yield str(client.make_url("")).rstrip("/")
    await store.close()


@pytest.fixture
async def phone() -> AsyncIterator[Any]:
    """A phone-sized page in headless chromium."""
    executable = chromium()
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=executable, chromium_sandbox=False)
        context = await browser.new_context(
            viewport={"width": PHONE_WIDTH, "height": PHONE_HEIGHT},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale="vi-VN",
        )
        page = await context.new_page()
        yield page
        await context.close()
        await browser.close()


async def no_sideways_scroll(page: Any) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"the page is {width}px wide on a {PHONE_WIDTH}px phone"


async def test_a_resident_searches_without_marks_and_reads_the_table(phone: Any, base_url: str) -> None:
    page = phone
    ARTIFACTS.mkdir(exist_ok=True)
    await page.goto(f"{base_url}/")
    assert await page.locator("h1").inner_text() == "Bảng tin công khai"
    await no_sideways_scroll(page)
    await page.screenshot(path=str(ARTIFACTS / "board-phone.png"), full_page=True)

    # The keyboard's first stop is the skip link, which takes the focus to the content.
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.textContent") == "Bỏ qua, tới nội dung chính"
    await page.keyboard.press("Enter")
    assert await page.evaluate("document.activeElement.id") == "noi-dung"

    await page.get_by_role("link", name="Tìm kiếm").click()
    await page.get_by_label("Bà con muốn tìm gì?").fill("duong thon tan son nha thau nao lam")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/tim-kiem?q=*")
    first = page.locator("ol.docs li a").first
    assert await first.inner_text() == "Công khai công trình bê tông hóa đường trục thôn số 2, Thôn Tân Sơn"
    await no_sideways_scroll(page)
    await page.screenshot(path=str(ARTIFACTS / "search-phone.png"), full_page=True)

    await first.click()
    await page.wait_for_url("**/van-ban/duong-thon-2")
    table = page.get_by_role("table")
    await table.wait_for()
    assert await table.is_visible()
    row = page.get_by_role("row", name="Nhà thầu thi công")
    assert "Công ty TNHH Xây dựng Hưng Thịnh" in await row.inner_text()
    # The document's facts: the labels do not squeeze the values into a thin column of broken words.
    facts = page.locator("dl.facts")
    narrowest = min(
        box["width"] for box in [await dd.bounding_box() for dd in await facts.locator("dd").all()]
    )
    assert narrowest >= 0.55 * (await facts.bounding_box())["width"], narrowest
    await no_sideways_scroll(page)
    await page.screenshot(path=str(ARTIFACTS / "disclosure-phone.png"), full_page=True)


AXE_PAGES = [
    "/",
    "/van-ban/duong-thon-2",
    "/tim-kiem?q=le+phi+chung+thuc",
    "/lich",
    "/thong-ke",
    "/van-ban?quy=2026-Q4",
    "/tra-cuu/PH-TEST00",
    "/van-ban/khong-co",
]


async def test_no_serious_accessibility_violation_on_the_pages(phone: Any, base_url: str) -> None:
    """axe-core (4.12, bundled by axe-playwright-python) finds nothing serious or critical."""
    from axe_playwright_python.async_playwright import Axe

    axe = Axe()
    found: list[str] = []
    for path in AXE_PAGES:
        await phone.goto(f"{base_url}{path}")
        results = await axe.run(phone)
        for violation in results.response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [str(node["target"]) for node in violation["nodes"]][:3]
                found.append(
                    f"{path}: {violation['id']} ({violation['impact']}) {violation['help']} {targets}"
                )
    assert found == []
