"""The web chat on a phone, in a real browser (Playwright driving Debian's chromium): a resident asks
about the budget and opens the whole document from the answer with a tap. Screenshots go to
tests/artifacts/. Skipped when chromium or playwright is missing, unless REQUIRE_BROWSER=1 (CI)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import AppFactory, free_port
from tests.web.test_board_browser import ARTIFACTS, no_sideways_scroll, phone  # noqa: F401 (fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(180)]


async def test_the_answer_links_to_the_whole_document(phone: Any, start_app: AppFactory) -> None:  # noqa: F811
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    await start_app("web", data=None, WEB_PORT=port, PUBLIC_BASE_URL=base)
    page = phone
    ARTIFACTS.mkdir(exist_ok=True)
    await page.goto(f"{base}/chat")
    await page.locator(".msg.bot").first.wait_for()  # the greeting
    await page.get_by_label("Câu hỏi hoặc tin nhắn của bà con").fill("ngan sach xa nam nay bao nhieu")
    await page.keyboard.press("Enter")
    link = page.locator(".msg.bot a", has_text="/van-ban/du-toan-ngan-sach-2026")
    await link.wait_for()
    assert await link.get_attribute("href") == f"{base}/van-ban/du-toan-ngan-sach-2026"
    answer = page.locator(".msg.bot").last
    assert "Xem toàn văn:" in await answer.inner_text()  # the text around the link is kept
    await no_sideways_scroll(page)
    await page.screenshot(path=str(ARTIFACTS / "webchat-phone.png"), full_page=True)

    async with page.context.expect_page() as opened:
        await link.click()
    document = await opened.value
    await document.wait_for_load_state()
    assert "Công khai dự toán ngân sách xã Hòa Phú năm 2026" in await document.locator("h1").inner_text()
