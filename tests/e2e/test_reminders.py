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


def settings_for(database_url: str, fake: FakeTelegram) -> Settings:
    return Settings(
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


def meeting(event_id: str, in_seconds: float) -> dict[str, object]:
    """A one-off meeting whose one-day reminder is due `in_seconds` from now."""
    start = (datetime.now(UTC) + timedelta(days=1, seconds=in_seconds)).astimezone(VN).replace(microsecond=0)
    return {
        "id": event_id,
        "title": f"Họp dân đột xuất {event_id}",
        "kind": "hop",
        "start": start.isoformat(),
        "remind_before": ["P1D"],
        "notify": ["tg-xom"],
    }


async def test_two_processes_on_one_database_post_each_reminder_once_and_take_over(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several processes share a deployment only on PostgreSQL")
    async with FakeTelegram() as fake:
        first, second = App(settings_for(database_url, fake)), App(settings_for(database_url, fake))
        await first.start()
        await second.start()
        stopped = False
        try:
            data = load_file(MINI)
            data["groups"].append({"id": "tg-xom", "name": "Xóm", "channel": "telegram", "chat_id": GROUP})
            data["events"] += [meeting("som", 2), meeting("muon", 6)]
            async with first.store.uow() as uow:
                await import_data(uow, data, datetime.now(UTC))
            sent = await fake.next_sent(GROUP, timeout=10)
            assert "Họp dân đột xuất som" in sent["text"]
            # The process that ran the scheduler goes away; the other one takes over.
            leader = first if first.maintenance.leads else second
            await leader.stop()
            stopped = True
            sent = await fake.next_sent(GROUP, timeout=10)
            assert "Họp dân đột xuất muon" in sent["text"]
            await asyncio.sleep(1.5)  # several ticks of the survivor: nothing more
            assert len(fake.sent_to(GROUP)) == 2
        finally:
            for app in (first, second):
                if not (stopped and app is leader):
                    await app.stop()


async def test_a_reminder_due_in_seconds_reaches_its_group_once(database_url: str) -> None:
    async with FakeTelegram() as fake:
        app = App(settings_for(database_url, fake))  # the real clock
        await app.start()
        try:
            data = load_file(MINI)
            data["groups"].append({"id": "tg-xom", "name": "Xóm", "channel": "telegram", "chat_id": GROUP})
            event = meeting("hop-dot-xuat", 2)
            event.update(title="Họp dân đột xuất về nước sạch", location="Nhà văn hóa Thôn Tân Sơn")
            data["events"].append(event)
            async with app.store.uow() as uow:
                await import_data(uow, data, datetime.now(UTC))
            sent = await fake.next_sent(GROUP, timeout=10)
            assert "Nhắc lịch: Họp dân đột xuất về nước sạch" in sent["text"]
            assert "Nhà văn hóa Thôn Tân Sơn" in sent["text"]
            await asyncio.sleep(2)  # several more ticks: nothing more
            assert len(fake.sent_to(GROUP)) == 1
        finally:
            await app.stop()
