"""An official enters a paper petition on a phone and prints its slip, in a real browser (Playwright
driving Debian's chromium) against the whole App and the fake Telegram: bad input is refused with a
clear Vietnamese message and stores nothing; the slip prints on A5 with its QR code; the QR code's
address shows the petition's status; the officials' group is told. A supervisor's page shows the
overdue denunciation without its filer. axe-core checks both pages. Screenshots: tests/artifacts/."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from tests.fakes.telegram import FakeTelegram
from tests.web.console_login import log_in, running_app
from tests.web.test_board_browser import ARTIFACTS, no_sideways_scroll, phone  # noqa: F401 (fixture)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

HANDLER, SUPERVISOR = ("tran-thi-binh", 9002), ("le-van-cuong", 9003)
GROUP = -1009000000001  # the mini commune's officials' group
CONTENT = "Ông Trưởng thôn thu tiền làm đường của các hộ nhưng không công khai sổ sách."
FILER, FILER_PHONE = "Đinh Thị Mai", "0977 111 222"


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[tuple[App, FakeTelegram, str]]:
    """The whole App on the fake Telegram, the mini commune imported; the console's address."""
    async with running_app(tmp_path / "paper.db") as (app, fake):
        yield app, fake, f"http://127.0.0.1:{app.port}/can-bo"


async def petition_count(app: App) -> int:
    async with app.store.uow() as uow:
        return len(await uow.petitions.all())


async def fill_paper(page: Any, *, received: str = "") -> None:
    await page.get_by_label("Loại đơn (bắt buộc)").select_option("to_cao")
    await page.get_by_label("Nội dung đơn (bắt buộc)").fill(CONTENT)
    await page.get_by_label("Thôn").select_option("Thôn Tân Sơn")
    if received:
        await page.get_by_label("Ngày nhận đơn").fill(received)
    await page.get_by_label("Trình bày trực tiếp").check()
    await page.get_by_label("Họ tên").fill(FILER)
    await page.get_by_label("Số điện thoại").fill(FILER_PHONE)


async def test_an_official_enters_a_paper_petition_and_prints_the_slip(
    phone: Any,  # noqa: F811
    running: tuple[App, FakeTelegram, str],
) -> None:
    app, fake, base = running
    page = phone
    ARTIFACTS.mkdir(exist_ok=True)
    await log_in(page, fake, base, HANDLER)
    await page.get_by_role("link", name="Đơn giấy").click()
    await page.wait_for_url(f"{base}/don-giay")
    assert await page.locator("h1").inner_text() == "Nhập đơn giấy, đơn nhận trực tiếp"

    before = await petition_count(app)
    await page.get_by_role("button", name="Lưu đơn và in phiếu hẹn").click()  # nothing filled in
    alert = await page.get_by_role("alert").inner_text()
    assert "Chưa lưu đơn" in alert and "Chọn loại đơn" in alert and "Ghi nội dung đơn" in alert
    await page.screenshot(path=str(ARTIFACTS / "console-paper-refused-phone.png"), full_page=True)
    assert await petition_count(app) == before

    await fill_paper(page)
    await page.screenshot(path=str(ARTIFACTS / "console-paper-form-phone.png"), full_page=True)
    await page.get_by_role("button", name="Lưu đơn và in phiếu hẹn").click()
    await page.wait_for_url("**/phieu")
    code = (await page.get_by_label("Mã hồ sơ").inner_text()).strip()
    assert code.startswith("TC-") and await petition_count(app) == before + 1
    assert await page.locator("svg.qr").count() == 1
    assert await page.get_by_role("button", name="In phiếu").is_visible()  # its script obeys the CSP
    text = await page.locator("main").inner_text()
    assert f"/tracuu {code}" in text and "Tố cáo" in text and FILER not in text
    await no_sideways_scroll(page)
    await page.screenshot(path=str(ARTIFACTS / "console-paper-slip-phone.png"), full_page=True)
    await page.emulate_media(media="print")
    await page.screenshot(path=str(ARTIFACTS / "console-paper-slip-print.png"), full_page=True)
    await page.pdf(path=str(ARTIFACTS / "console-paper-slip-a5.pdf"), prefer_css_page_size=True)
    await page.emulate_media(media="screen")

    told = await fake.next_sent(GROUP, timeout=8)  # the officials' group hears of it, without the filer
    assert code in str(told["text"]) and FILER not in str(told["text"])

    tracking = app.settings.PUBLIC_BASE_URL + f"/tra-cuu/{code}"
    assert tracking in text  # the address the QR code carries, printed under it too
    await page.goto(tracking if tracking.startswith("http") else f"http://127.0.0.1:{app.port}{tracking}")
    status = await page.locator("main").inner_text()
    assert "Đã tiếp nhận, chờ xử lý" in status and CONTENT not in status and FILER not in status


async def test_a_supervisor_sees_the_overdue_denunciation_without_its_filer(
    phone: Any,  # noqa: F811
    running: tuple[App, FakeTelegram, str],
) -> None:
    from axe_playwright_python.async_playwright import Axe

    app, fake, base = running
    page = phone
    axe = Axe()
    serious: list[str] = []

    async def check(what: str) -> None:
        for violation in (await axe.run(page)).response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                serious.append(f"{what}: {violation['id']} {violation['help']}")

    await log_in(page, fake, base, HANDLER)
    await page.goto(f"{base}/don-giay")
    await check("paper form")
    today = app.clock().astimezone(app.services.tz).date()
    await fill_paper(page, received=(today - timedelta(days=30)).isoformat())
    await page.get_by_role("button", name="Lưu đơn và in phiếu hẹn").click()
    await page.wait_for_url("**/phieu")
    await check("slip")
    await page.context.clear_cookies()  # signed out

    await log_in(page, fake, base, SUPERVISOR)
    await page.get_by_role("link", name="Thống kê").click()
    await page.wait_for_url(f"{base}/thong-ke")
    overdue = await page.get_by_role("region", name="Hồ sơ đang quá hạn (1)").inner_text()
    assert "Tố cáo" in overdue and "Thôn Tân Sơn" in overdue and "Chưa giao" in overdue
    html = await page.content()
    for secret in (FILER, FILER_PHONE, CONTENT, "Trưởng thôn"):
        assert secret not in html
    await no_sideways_scroll(page)
    await page.screenshot(path=str(ARTIFACTS / "console-supervise-phone.png"), full_page=True)
    await check("supervise")
    assert serious == []
