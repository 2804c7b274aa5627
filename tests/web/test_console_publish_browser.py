"""An official publishes a disclosure from a phone, in a real browser (Playwright driving Debian's
chromium) against the whole App and the fake Telegram, and a resident then finds it on the public
board by searching without marks. A bad id is refused in Vietnamese and changes nothing. axe-core
checks the publishing, questions and outbox pages. Screenshots go to tests/artifacts/."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from tests.fakes.telegram import FakeTelegram
from tests.web.console_login import log_in, running_app
from tests.web.test_board_browser import ARTIFACTS, PHONE_WIDTH, no_sideways_scroll, phone  # noqa: F401 (fixture)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

HANDLER = ("tran-thi-binh", 9002)  # the mini commune's handler: id, Telegram chat
TITLE = "Thông báo họp dân Thôn Tân Sơn về mở rộng đường liên thôn"
BODY = "UBND xã mời bà con Thôn Tân Sơn dự họp bàn việc hiến đất mở rộng đường liên thôn, 19 giờ 30."


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[tuple[App, FakeTelegram, str]]:
    async with running_app(tmp_path / "publish.db") as (app, fake):
        yield app, fake, f"http://127.0.0.1:{app.port}"


async def test_an_official_publishes_and_a_resident_finds_it_searching_without_marks(
    phone: Any,  # noqa: F811
    running: tuple[App, FakeTelegram, str],
) -> None:
    app, fake, site = running
    page = phone
    ARTIFACTS.mkdir(exist_ok=True)
    await log_in(page, fake, f"{site}/can-bo", HANDLER)
    await page.get_by_role("link", name="Đăng tin").click()
    await page.get_by_role("link", name="+ Đăng văn bản công khai mới").click()
    await page.wait_for_url("**/dang-tin/van-ban/moi")

    # a bad id: refused in words, the field named, nothing stored
    await page.get_by_label("Mã", exact=True).fill("Họp Dân!")
    await page.get_by_label("Tiêu đề (bắt buộc)").fill(TITLE)
    await page.get_by_label("Lĩnh vực (bắt buộc)").select_option("dau_tu_cong")
    await page.get_by_label("Thôn Tân Sơn").check()
    await page.get_by_label("Nội dung (bắt buộc)").fill(BODY)
    await page.get_by_role("button", name="Đăng", exact=True).click()
    alert = await page.get_by_role("alert").inner_text()
    assert "Chưa có gì thay đổi" in alert and "Mã (id): 'Họp Dân!' không đúng mẫu" in alert
    await no_sideways_scroll(page)
    await page.screenshot(path=str(ARTIFACTS / "console-publish-refused-phone.png"), full_page=True)
    async with app.store.uow() as uow:
        assert [d.title for d in await uow.disclosures.all() if d.title == TITLE] == []

    # what was typed is kept: clearing the id (taken from the title) is all it takes
    await page.get_by_label("Mã", exact=True).fill("")
    await page.get_by_role("button", name="Đăng", exact=True).click()
    await page.get_by_text(f"Đã lưu «{TITLE}»").wait_for()
    await page.screenshot(path=str(ARTIFACTS / "console-publish-phone.png"), full_page=True)

    # a resident on the public board, typing without marks
    await page.goto(f"{site}/tim-kiem")
    await page.get_by_label("Bà con muốn tìm gì?").fill("hop dan mo rong duong lien thon")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/tim-kiem?q=*")
    assert await page.locator("ol.docs li a").first.inner_text() == TITLE
    await page.locator("ol.docs li a").first.click()
    await page.get_by_text("hiến đất mở rộng đường liên thôn, 19 giờ 30").wait_for()


async def test_no_serious_accessibility_violation_on_the_publishing_pages(
    phone: Any,  # noqa: F811
    running: tuple[App, FakeTelegram, str],
) -> None:
    from axe_playwright_python.async_playwright import Axe

    _, fake, site = running
    base = f"{site}/can-bo"
    await log_in(phone, fake, base, HANDLER)
    axe = Axe()
    found: list[str] = []
    for path in ("/dang-tin", "/dang-tin/van-ban/moi", "/dang-tin/lich/moi", "/cau-hoi", "/gui-tin"):
        await phone.goto(base + path)
        width = await phone.evaluate("document.documentElement.scrollWidth")
        if width > PHONE_WIDTH:
            found.append(f"{path}: {width}px wide on a {PHONE_WIDTH}px phone")
        results = await axe.run(phone)
        for violation in results.response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [str(node["target"]) for node in violation["nodes"]][:3]
                found.append(
                    f"{path}: {violation['id']} ({violation['impact']}) {violation['help']} {targets}"
                )
        name = path.strip("/").replace("/", "-")
        await phone.screenshot(path=str(ARTIFACTS / f"console-{name}-phone.png"), full_page=True)
    await phone.goto(base + "/dang-tin/van-ban/moi")
    await phone.get_by_role(
        "button", name="Đăng", exact=True
    ).click()  # blank: the browser asks for the title
    await phone.goto(base + "/dang-tin/lich/moi")
    assert found == []
