"""What the console's browser tests share: the whole App on the fake Telegram, and signing in with
the one-time code the bot sends to the official's own Telegram chat."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from bot.app import App
from tests.e2e.conftest import AppFactory, ManualClock
from tests.fakes.telegram import FakeTelegram

LOGIN_CODE = re.compile(r"Mã đăng nhập trang cán bộ: (\d{6})")


@contextlib.asynccontextmanager
async def running_app(
    database: Path, seed: Callable[[App], Awaitable[None]] | None = None
) -> AsyncIterator[tuple[App, FakeTelegram]]:
    """The App on a fake Telegram (polling), the mini commune imported, `seed` run first."""
    async with FakeTelegram() as fake:
        factory = AppFactory(f"sqlite:///{database}", fake, ManualClock())
        try:
            app = await factory("polling")
            if seed is not None:
                await seed(app)
            yield app, fake
        finally:
            await factory.close()


async def log_in(page: Any, fake: FakeTelegram, console: str, who: tuple[str, int]) -> None:
    """Sign in at `console` (its address) as `who` (official id, Telegram chat) with the code the
    bot sends there; ends on the queue."""
    await page.goto(f"{console}/")
    assert await page.locator("h1").inner_text() == "Đăng nhập cán bộ"  # the queue asks for a sign-in
    await page.get_by_label("Mã cán bộ").fill(who[0])
    await page.get_by_role("button", name="Gửi mã đăng nhập").click()
    await page.get_by_text("đã gửi qua Telegram").wait_for()
    sent = await fake.next_sent(who[1], timeout=8)
    found = LOGIN_CODE.search(str(sent["text"]))
    assert found, sent["text"]
    await page.get_by_label("Mã đăng nhập (6 số)").fill(found.group(1))
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.wait_for_url(f"{console}/")
