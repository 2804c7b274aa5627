"""Driven from outside: an imported event with a reminder due in a few seconds is posted once.

The reminder reaches a village the way its group is configured: a Telegram group the bot posts in;
a Zalo group (closed to bots) through its admin, who gets it privately to forward (`reach: relay`);
or the village's Zalo residents who subscribed with /dangky, one by one (`reach: fanout`).
The two-process take-over stays on Telegram only: it tests the scheduler's leadership on
PostgreSQL, which is the same whatever messenger the reminder goes out on.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.app import App
from bot.config import Settings
from storage.importer import import_data, load_file
from tests.conftest import MINI
from tests.fakes.telegram import FakeTelegram
from tests.fakes.zalo import FakeZaloBot

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


def without_dated_events(data: dict[str, Any]) -> dict[str, Any]:
    """The fixture with none of its own events: their reminders fall due on calendar dates, and with
    the real clock driving these tests one of them may fall inside a test's few seconds."""
    data["events"] = []
    return data


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
            data = without_dated_events(load_file(MINI))
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


async def test_a_reminder_due_in_seconds_reaches_its_telegram_group_once(database_url: str) -> None:
    async with FakeTelegram() as fake:
        app = App(settings_for(database_url, fake))  # the real clock
        await app.start()
        try:
            data = without_dated_events(load_file(MINI))
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


ZALO_ADMIN, ZALO_RESIDENT = "9102", "z-sub-1"  # Trần Thị Bình runs the village's Zalo group


@pytest.mark.parametrize("reach", ["relay", "fanout"])
async def test_a_reminder_reaches_a_zalo_only_village_the_configured_way_once(
    database_url: str, reach: str
) -> None:
    async with FakeZaloBot() as zalo:
        settings = Settings(
            _env_file=None,
            DATABASE_URL=database_url,
            ZALO_BOT_TOKEN=zalo.token,
            ZALO_API_BASE_URL=zalo.api_base,
            ZALO_POLL_INTERVAL=0,
            ZALO_PRIVATE_MAX_PER_SECOND=0,
            WEB_PORT=0,
            QUIET_HOURS="",
            POSTS_TICK_SECONDS=0.5,
            DEMO_DATA=False,
        )
        app = App(settings)  # the real clock
        await app.start()
        try:
            data = without_dated_events(load_file(MINI))
            village = next(g for g in data["groups"] if g["id"] == "zalo-tan-son")
            village.update(reach=reach, relay_by="tran-thi-binh" if reach == "relay" else None)
            if village["relay_by"] is None:
                del village["relay_by"]
            async with app.store.uow() as uow:
                await import_data(uow, data, datetime.now(UTC))
            if reach == "fanout":  # a resident subscribes to the village's reminders, by typing
                await zalo.push_text(ZALO_RESIDENT, "/dangky")
                assert "thôn nào" in (await zalo.next_sent(ZALO_RESIDENT)).params["text"]
                await zalo.push_text(ZALO_RESIDENT, "tan son")
                assert "tin gì" in (await zalo.next_sent(ZALO_RESIDENT, after=1)).params["text"]
                await zalo.push_text(ZALO_RESIDENT, "1")  # both
                assert "Đã đăng ký" in (await zalo.next_sent(ZALO_RESIDENT, after=2)).params["text"]
            to = ZALO_ADMIN if reach == "relay" else ZALO_RESIDENT
            seen = len(zalo.texts_to(to))
            event = meeting("hop-zalo", 2)  # published once the resident has subscribed
            event.update(
                title="Họp thôn Tân Sơn về nước sạch", villages=["Thôn Tân Sơn"], notify=["zalo-tan-son"]
            )
            data["events"].append(event)
            async with app.store.uow() as uow:
                await import_data(uow, data, datetime.now(UTC))
            text = str((await zalo.next_sent(to, after=seen, timeout=12)).params["text"])
            assert "Nhắc lịch: Họp thôn Tân Sơn về nước sạch" in text
            expected = seen + 1
            if reach == "relay":  # the text alone, to forward into the group, then the request
                ask = str((await zalo.next_sent(to, after=seen + 1)).params["text"])
                assert "«Bà con Thôn Tân Sơn»" in ask and "1. Đã đăng" in ask
                await zalo.push_text(to, "1")
                assert "Bà con Thôn Tân Sơn" in str((await zalo.next_sent(to, after=seen + 2)).params["text"])
                expected = seen + 3
            await asyncio.sleep(2)  # several more ticks: nothing more
            assert len(zalo.texts_to(to)) == expected
            assert not [s for s in zalo.sent if s.chat_id == "4100000000000000001"]  # never the group itself
        finally:
            await app.stop()
