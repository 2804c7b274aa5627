"""Event reminders and the weekly digest as stored APScheduler jobs.

Every occurrence of an event (RRULE expanded, exdates skipped) gets one job per `remind_before`
duration, due at `start - duration`, with a stable id (`reminder:<event>:<start>:<duration>`).
`sync_reminder_jobs` makes the stored jobs match the data: it adds what is missing and removes
jobs of occurrences that were cancelled or moved, so an import or an edit rebuilds them
idempotently. After downtime, APScheduler runs a job still inside its grace window once and
skips (and logs) a staler one. The job body checks the app's clock and the outbox dedupe key
again, so a job that runs twice still posts once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from apscheduler.jobstores.base import JobLookupError
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger

from domain.calendar import occurrences
from domain.reach import Reach
from domain.vnformat import EVENT_KINDS, vn_datetime
from scheduled.posts import parse_duration, queue_digests
from scheduled.recipients import queue_post, recipients_for
from storage.db import transient
from storage.models import Event
from storage.store import Store

if TYPE_CHECKING:
    from scheduled.job_store import StoreScheduler

log = logging.getLogger(__name__)
# pauses before a reminder job that met a database restart runs again (as bot/pipeline.py)
DB_RETRY_SECONDS = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0)

REMINDER_GRACE = timedelta(hours=1)  # after downtime, a reminder this late still goes out
PLAN_HORIZON = timedelta(days=35)  # jobs exist for reminders due this far ahead; re-planned hourly
EARLY_TOLERANCE = timedelta(minutes=1)  # the app clock may trail the scheduler's by this much
DIGEST_GRACE = timedelta(hours=6)
DIGEST_JOB_ID = "weekly_digest"
REMINDER_PREFIX = "reminder:"
_SENT_KEY = re.compile(r"^(reminder:[^:]+:.+?:P[0-9DTHMS]+):")


@dataclass(frozen=True)
class JobContext:
    """What a stored job needs from the running app (passed by the executor, never stored)."""

    store: Store
    clock: Callable[[], datetime]
    tz: ZoneInfo
    quiet: tuple[time, time] | None
    digest_at: tuple[int, int]  # weekday (0 = Monday), hour
    wake_outbox: Callable[[], None]
    reach: Reach


@dataclass(frozen=True)
class PlannedReminder:
    event_id: str
    start: datetime
    label: str  # the ISO duration, e.g. "P1D"
    due: datetime

    @property
    def job_id(self) -> str:
        return reminder_key(self.event_id, self.start, self.label)


def reminder_key(event_id: str, start: datetime, label: str) -> str:
    """The job id, and the dedupe key prefix of the posts it queues."""
    return f"{REMINDER_PREFIX}{event_id}:{start.isoformat()}:{label}"


def plan_reminders(
    events: list[Event], now: datetime, tz: ZoneInfo, horizon: timedelta = PLAN_HORIZON
) -> list[PlannedReminder]:
    """Reminders due from `now - grace` to `now + horizon`, for occurrences still ahead."""
    planned = []
    for event in events:
        leads = [(parse_duration(d), d) for d in event.remind_before]
        if not leads:
            continue
        longest = max(lead for lead, _ in leads)
        for occ in occurrences(event, now, now + horizon + longest, tz):
            for lead, label in leads:
                due = occ.start - lead
                if now - REMINDER_GRACE <= due < now + horizon:
                    planned.append(PlannedReminder(event.id, occ.start, label, due))
    return planned


async def sync_reminder_jobs(
    scheduler: StoreScheduler, store: Store, now: datetime, tz: ZoneInfo
) -> tuple[int, int]:
    """Make the stored reminder jobs match the events; returns (added, removed)."""
    async with store.uow() as uow:
        events = await uow.events.all()
        sent_keys = await uow.outbox.keys_with_prefix(REMINDER_PREFIX)
    sent = {m.group(1) for key, _, _ in sent_keys if (m := _SENT_KEY.match(key))}
    wanted = {p.job_id: p for p in plan_reminders(events, now, tz) if p.job_id not in sent}
    stored = {job.id: job for job in await scheduler.call(scheduler.get_jobs)}
    stored = {job_id: job for job_id, job in stored.items() if job_id.startswith(REMINDER_PREFIX)}
    removed = 0
    for job_id in stored.keys() - wanted.keys():
        if job_id in sent:
            continue  # it ran (or is running); APScheduler drops it itself
        log.info("reminder %s is no longer planned (cancelled, moved or stale): removed", job_id)
        await scheduler.call(_remove_quietly, scheduler, job_id)
        removed += 1
    added = 0
    for job_id in wanted.keys() - stored.keys():
        p = wanted[job_id]
        await scheduler.call(
            scheduler.add_job,
            "scheduled.reminders:fire_reminder",
            trigger=DateTrigger(run_date=p.due),
            args=[p.event_id, p.start.isoformat(), p.label],
            id=job_id,
            name=f"reminder {p.event_id} {p.label}",
            misfire_grace_time=int(REMINDER_GRACE.total_seconds()),
            coalesce=True,
            replace_existing=True,
        )
        added += 1
    if added or removed:
        log.info("reminder jobs: %d added, %d removed, %d planned", added, removed, len(wanted))
    return added, removed


def _remove_quietly(scheduler: StoreScheduler, job_id: str) -> None:
    with contextlib.suppress(JobLookupError):  # it ran meanwhile
        scheduler.remove_job(job_id)


async def install_digest(scheduler: StoreScheduler, weekday: int, hour: int, tz: ZoneInfo) -> None:
    """The weekly digest job (replaced, so a changed DIGEST_WEEKDAY/HOUR takes effect)."""
    await scheduler.call(
        scheduler.add_job,
        "scheduled.reminders:fire_digest",
        trigger=CronTrigger(day_of_week=weekday, hour=hour, minute=0, timezone=tz),
        id=DIGEST_JOB_ID,
        name="weekly digest",
        misfire_grace_time=int(DIGEST_GRACE.total_seconds()),
        coalesce=True,
        replace_existing=True,
    )


def reminder_text(event: Event, start: datetime) -> str:
    lines = [f"🔔 Nhắc lịch: {event.title}", f"Thời gian: {vn_datetime(start)}"]
    if event.location:
        lines.append(f"Địa điểm: {event.location}")
    if event.host:
        lines.append(f"Chủ trì: {event.host}")
    lines.append(f"({EVENT_KINDS.get(event.kind, 'Sự kiện')})")
    return "\n".join(lines)


async def queue_reminder(
    store: Store,
    now: datetime,
    tz: ZoneInfo,
    quiet: tuple[time, time] | None,
    event_id: str,
    start: datetime,
    label: str,
    reach: Reach,
) -> int:
    """Queue one occurrence's reminder to its groups and subscribers, if it is still due; how many."""
    key = reminder_key(event_id, start, label)
    async with store.uow() as uow:
        event = await uow.events.get(event_id)
        if event is None or label not in event.remind_before:
            log.info("%s: the event or its reminder was removed; nothing sent", key)
            return 0
        if not any(o.start == start for o in occurrences(event, start, start + timedelta(minutes=1), tz)):
            log.info("%s: the occurrence was cancelled or moved; nothing sent", key)
            return 0
        due = start - parse_duration(label)
        if now < due - EARLY_TOLERANCE:
            log.info("%s: not due yet by the app clock (%s); nothing sent", key, now.isoformat())
            return 0
        if now >= due + REMINDER_GRACE or start <= now:
            log.warning("%s: stale (due %s, now %s); skipped", key, due.isoformat(), now.isoformat())
            return 0
        groups = await uow.groups.all()
        recipients = await recipients_for(uow, groups, "events", event.villages, event.notify, reach)
        queued = await queue_post(uow, recipients, reminder_text(event, start), key, now, tz, quiet)
        await uow.commit()
    return queued


async def fire_reminder(event_id: str, start_iso: str, label: str, ctx: JobContext | None = None) -> int:
    """The stored reminder job (`ctx` comes from the executor)."""
    assert ctx is not None, "run by StoreScheduler, which passes ctx"
    start = datetime.fromisoformat(start_iso)
    queued = await _until_the_database_answers(
        lambda: queue_reminder(ctx.store, ctx.clock(), ctx.tz, ctx.quiet, event_id, start, label, ctx.reach),
        reminder_key(event_id, start, label),
    )
    if queued:
        ctx.wake_outbox()
    return queued


async def _until_the_database_answers(queue: Callable[[], Awaitable[int]], what: str) -> int:
    """A stored job runs once (a date job is gone once fired): when the database went away meanwhile
    (a restart, a failover), run it again once it is back rather than lose it (the dedupe key keeps
    a run that did commit from queuing twice)."""
    for pause in DB_RETRY_SECONDS:
        try:
            return await queue()
        except Exception as exc:
            if not transient(exc):
                raise
            log.warning("%s: the database failed (%s); again in %.1f s", what, type(exc).__name__, pause)
        await asyncio.sleep(pause)
    return await queue()


async def fire_digest(ctx: JobContext | None = None) -> int:
    """The stored weekly digest job (`ctx` comes from the executor)."""
    assert ctx is not None, "run by StoreScheduler, which passes ctx"
    weekday, hour = ctx.digest_at
    queued = await queue_digests(ctx.store, ctx.clock(), ctx.tz, weekday, hour, ctx.quiet, ctx.reach)
    if queued:
        ctx.wake_outbox()
    return queued
