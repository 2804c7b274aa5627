"""SQLite's disk full (a real SQLITE_FULL from the engine: `PRAGMA max_page_count` on the bot's one
connection) while residents write: the error is logged clearly, polling waits between tries
instead of spinning, nothing is corrupted, and once there is room again every message is
answered, once."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.app import App
from tests.e2e.conftest import AppFactory, expect_silence, wait_for
from tests.fakes.telegram import FakeTelegram

pytestmark = pytest.mark.e2e

RESIDENTS = [4001 + i for i in range(40)]


async def _sql(app: App, sql: str) -> object:
    async with app.store.engine.connect() as conn:  # the pool's one connection on SQLite
        result = await conn.exec_driver_sql(sql)
        value = result.scalar() if result.returns_rows else None
        await conn.commit()
        return value


@pytest.mark.timeout(120)
async def test_sqlite_disk_full_logged_no_corruption_and_all_answered_when_room_returns(
    start_app: AppFactory, fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture, database_url: str
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's own limit on the file")
    caplog.set_level(logging.WARNING)
    app = await start_app()
    await _sql(app, f"PRAGMA max_page_count = {await _sql(app, 'PRAGMA page_count')}")

    def full() -> int:
        return sum("database or disk is full" in r.getMessage() for r in caplog.records)

    for chat in RESIDENTS:
        await fake_telegram.push_text(chat, "/start")
        await asyncio.sleep(0.05)
    await wait_for(lambda: full() > 0, timeout=20, what="the full disk in the log")
    before = full()
    await asyncio.sleep(2)
    assert full() - before <= 6  # tries again after pauses, not as fast as the loop turns
    assert await _sql(app, "PRAGMA integrity_check") == "ok"
    await _sql(app, "PRAGMA max_page_count = 1073741823")  # room again
    for chat in RESIDENTS:
        sent = await fake_telegram.next_sent(chat, timeout=40)
        assert "Xã Tân Lập" in sent["text"]
    await expect_silence(fake_telegram, seconds=1)
    assert await _sql(app, "PRAGMA integrity_check") == "ok"
