"""Reminder jobs stored in the app's database: stable ids, rebuilt by edits, and downtime handling."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from apscheduler.triggers.date import DateTrigger

from scheduled.job_store import StoreScheduler
from scheduled.reminders import JobContext, sync_reminder_jobs
from storage.importer import import_data, load_file
from storage.store import Store
from tests.conftest import MINI, NOW, REACH

VN = ZoneInfo("Asia/Ho_Chi_Minh")
GROUP = "-1009000000077"
CLEANUP_JOB = "reminder:ve-sinh-tan-son:{}:P1D"


async def seed(store: Store, **cleanup: Any) -> dict[str, Any]:
    """The mini commune, with the Sunday clean-up of Thôn Tân Sơn posted to one Telegram group."""
    data = load_file(MINI)
    data["groups"].append(
        {"id": "tg-tan-son", "name": "Thôn Tân Sơn", "channel": "telegram", "chat_id": GROUP}
    )
    event = next(e for e in data["events"] if e["id"] == "ve-sinh-tan-son")
    event.update(notify=["tg-tan-son"], **cleanup)
    async with store.uow() as uow:
        await import_data(uow, data, NOW)
    return dict(data)


def context(store: Store) -> JobContext:
    return JobContext(
        store=store,
        clock=lambda: datetime.now(UTC),  # moved by time_machine, like APScheduler's own clock
        tz=VN,
        quiet=None,
        digest_at=(0, 7),
        wake_outbox=lambda: None,
        reach=REACH,
    )


async def stored_ids(scheduler: StoreScheduler) -> set[str]:
    return {job.id for job in await scheduler.call(scheduler.get_jobs)}


async def group_posts(store: Store) -> list[str]:
    async with store.uow() as uow:
        return [m.payload["text"] for m in await uow.outbox.for_chat("telegram", GROUP)]


async def test_imports_and_edits_rebuild_reminder_jobs_idempotently(store: Store, database_url: str) -> None:
    await seed(store)
    scheduler = StoreScheduler(database_url, context(store))
    scheduler.start(paused=True)
    try:
        added, removed = await sync_reminder_jobs(scheduler, store, NOW, VN)
        ids = await stored_ids(scheduler)
        assert added == len(ids) and removed == 0
        assert CLEANUP_JOB.format("2026-11-29T07:00:00+07:00") in ids
        assert CLEANUP_JOB.format("2026-12-06T07:00:00+07:00") in ids
        assert await sync_reminder_jobs(scheduler, store, NOW, VN) == (0, 0)  # a re-import changes nothing

        # The commune moves the clean-up to 8:00 and cancels the one of 6 December.
        await seed(store, start="2026-11-01T08:00:00+07:00", exdates=["2026-12-06"])
        await sync_reminder_jobs(scheduler, store, NOW, VN)
        ids = await stored_ids(scheduler)
        assert CLEANUP_JOB.format("2026-11-29T07:00:00+07:00") not in ids
        assert CLEANUP_JOB.format("2026-11-29T08:00:00+07:00") in ids
        assert not any("2026-12-06" in job_id for job_id in ids)
    finally:
        await scheduler.close()

    # The jobs live in the database: a new process finds them.
    again = StoreScheduler(database_url, context(store))
    again.start(paused=True)
    try:
        assert await stored_ids(again) == ids
    finally:
        await again.close()


async def wait_for_posts(store: Store, count: int, timeout: float = 5.0) -> list[str]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        posts = await group_posts(store)
        if len(posts) >= count or asyncio.get_running_loop().time() > deadline:
            return posts
        await asyncio.sleep(0.05)


async def run_scheduler_for(store: Store, database_url: str, seconds: float, plan: bool) -> None:
    """One 'process': start the stored scheduler (planning first if asked), run, shut down."""
    scheduler = StoreScheduler(database_url, context(store))
    scheduler.start()
    try:
        if plan:
            await sync_reminder_jobs(scheduler, store, datetime.now(UTC), VN)
        await asyncio.sleep(seconds)
    finally:
        await scheduler.close()


async def test_after_downtime_a_reminder_in_its_grace_window_goes_out_once_and_a_stale_one_is_skipped(
    store: Store, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    await seed(store)
    first_due = datetime(2026, 11, 28, 7, 0, tzinfo=VN)  # for Sunday 29/11, 7:00
    second_due = first_due + timedelta(days=7)

    with time_machine.travel(first_due - timedelta(hours=2), tick=True):
        await run_scheduler_for(store, database_url, 0.2, plan=True)  # then the bot is down at 7:00
    assert await group_posts(store) == []

    with time_machine.travel(first_due + timedelta(minutes=40), tick=True):  # back inside the grace hour
        scheduler = StoreScheduler(database_url, context(store))
        scheduler.start()
        try:
            posts = await wait_for_posts(store, 1)
            await asyncio.sleep(0.3)  # and nothing more
        finally:
            await scheduler.close()
    assert len(await group_posts(store)) == 1
    assert "Chủ Nhật, 29/11/2026, 7 giờ 00" in posts[0]

    with time_machine.travel(second_due - timedelta(hours=1), tick=True):
        await run_scheduler_for(store, database_url, 0.2, plan=True)
    caplog.set_level(logging.WARNING)
    with time_machine.travel(second_due + timedelta(hours=3), tick=True):  # down for too long
        await run_scheduler_for(store, database_url, 0.5, plan=False)
    assert len(await group_posts(store)) == 1  # the stale reminder was skipped...
    assert any("was missed by" in r.getMessage() for r in caplog.records)  # ...and logged


async def test_a_reminder_job_that_runs_twice_posts_once(store: Store, database_url: str) -> None:
    await seed(store)
    due = datetime(2026, 11, 28, 7, 0, tzinfo=VN)
    with time_machine.travel(due - timedelta(minutes=10), tick=True):
        await run_scheduler_for(store, database_url, 0.2, plan=True)
    with time_machine.travel(due + timedelta(minutes=1), tick=True):
        await run_scheduler_for(store, database_url, 0.5, plan=False)
        assert len(await group_posts(store)) == 1
        # A crash after posting but before APScheduler removed the job leaves it in the store.
        scheduler = StoreScheduler(database_url, context(store))
        scheduler.start()
        try:
            await scheduler.call(
                scheduler.add_job,
                "scheduled.reminders:fire_reminder",
                trigger=DateTrigger(run_date=due),
                args=["ve-sinh-tan-son", "2026-11-29T07:00:00+07:00", "P1D"],
                id=CLEANUP_JOB.format("2026-11-29T07:00:00+07:00"),
                misfire_grace_time=3600,
            )
            await asyncio.sleep(0.5)
            assert CLEANUP_JOB.format("2026-11-29T07:00:00+07:00") not in await stored_ids(scheduler)  # ran
        finally:
            await scheduler.close()
    assert len(await group_posts(store)) == 1  # and the outbox key kept it to one post
