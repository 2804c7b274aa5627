"""Driven from outside: an imported event with a reminder due in a few seconds is posted once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.app import App
from bot.config import Settings
from storage.importer import import_data, load_file
from tests.conftest import MINI
from tests.fakes.telegram import FakeTelegram

pytestmark = pytest.mark.e2e
VN = ZoneInfo("Asia/Ho_Chi_Minh")
GROUP = "-1005550000001"


async def test_a_reminder_due_in_seconds_reaches_its_group_once(database_url: str) -> None:
    async with FakeTelegram() as fake:
        settings = Settings(
            _env_file=None,
            DATABASE_URL=database_url,
            TELEGRAM_BOT_TOKEN=fake.token,
            TELEGRAM_API_BASE_URL=fake.base_url,
            TELEGRAM_POLL_TIMEOUT=1,
            TELEGRAM_MAX_PER_SECOND=0,
            WEB_PORT=0,
            QUIET_HOURS="",
            POSTS_TICK_SECONDS=0.5,
            DEMO_DATA=False,
        )
        app = App(settings)  # the real clock
        await app.start()
        try:
            start = (datetime.now(UTC) + timedelta(days=1, seconds=2)).astimezone(VN).replace(microsecond=0)
            data = load_file(MINI)
            data["groups"].append({"id": "tg-xom", "name": "Xóm", "channel": "telegram", "chat_id": GROUP})
            data["events"].append(
                {
                    "id": "hop-dot-xuat",
                    "title": "Họp dân đột xuất về nước sạch",
                    "kind": "hop",
                    "start": start.isoformat(),
                    "location": "Nhà văn hóa Thôn Tân Sơn",
                    "remind_before": ["P1D"],
                    "notify": ["tg-xom"],
                }
            )
            async with app.store.uow() as uow:
                await import_data(uow, data, datetime.now(UTC))
            sent = await fake.next_sent(GROUP, timeout=10)
            assert "Nhắc lịch: Họp dân đột xuất về nước sạch" in sent["text"]
            assert "Nhà văn hóa Thôn Tân Sơn" in sent["text"]
            await asyncio.sleep(2)  # several more ticks: nothing more
            assert len(fake.sent_to(GROUP)) == 1
        finally:
            await app.stop()
