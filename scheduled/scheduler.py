"""The scheduler set-up.

Every process runs its own housekeeping on an in-memory AsyncIOScheduler (stale leases, stuck
updates, expired drafts). The leader alone (storage.leader: one per deployment) also runs a
StoreScheduler whose jobs live in the database (event reminders, the weekly digest), and a tick
that announces new disclosures and postponements and re-plans reminder jobs when the data changed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from scheduled import jobs, posts, reminders
from scheduled.job_store import StoreScheduler
from storage.leader import Leadership
from storage.store import Store

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from domain.deadlines import DeadlinePolicy, WorkCalendar
    from domain.reach import Reach


class Rules(Protocol):
    """The commune's time zone and deadline rules (handlers.services.Services provides them)."""

    @property
    def tz(self) -> ZoneInfo: ...

    @property
    def policy(self) -> DeadlinePolicy: ...

    @property
    def calendar(self) -> WorkCalendar: ...


class Inbound(Protocol):
    """What the scheduler needs of the inbound pipeline (bot/pipeline.py)."""

    def wake_outbox(self) -> None: ...

    async def recover(self, min_age: timedelta = ...) -> int: ...


REPLAN_EVERY = timedelta(hours=1)  # reminder jobs are planned 35 days ahead; extend the window hourly


class Maintenance:
    """Housekeeping and petition deadlines: stale leases, stuck updates, expired drafts, reminders."""

    def __init__(
        self,
        store: Store,
        clock: Callable[[], datetime],
        pipeline: Inbound,
        services: Rules,
        reach: Reach,
        quiet: tuple[time, time] | None = None,
        digest_at: tuple[int, int] = (0, 7),
        tick_seconds: float = 10,
    ) -> None:
        self._tick = tick_seconds
        self._quiet = quiet
        self._digest_at = digest_at
        self._store = store
        self._clock = clock
        self._pipeline = pipeline
        self._reach = reach
        self._svc = services
        self._scheduler = AsyncIOScheduler(timezone="UTC")
        # one scheduler per commune: its own leader lock and its own table of jobs
        self._scope = store.commune_slug or ""
        self._leader = Leadership(store.engine, self._scope)
        self._running: set[asyncio.Task[object]] = set()
        self._jobs: StoreScheduler | None = None
        self._planned_version: int | None = None
        self._planned_at: datetime | None = None

    def start(self) -> None:
        common = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 60, "replace_existing": True}
        self._scheduler.add_job(
            self._guarded(self._leases), "interval", minutes=1, id="release_stale_leases", **common
        )
        self._scheduler.add_job(
            self._guarded(self._drafts), "interval", minutes=30, id="expire_conversations", **common
        )
        self._scheduler.add_job(
            self._guarded(self._deadlines), "interval", minutes=30, id="petition_deadlines", **common
        )
        self._scheduler.add_job(
            self._guarded(self._relays), "interval", minutes=15, id="relay_reminders", **common
        )
        self._scheduler.add_job(
            self._guarded(self._posts),
            "interval",
            seconds=self._tick,
            id="group_posts",
            next_run_time=datetime.now(UTC),
            **common,
        )
        self._scheduler.add_job(
            self._guarded(self._recover), "interval", minutes=5, id="recover_updates", **common
        )
        self._scheduler.start()

    @property
    def leads(self) -> bool:
        """Whether this process runs the deployment's stored jobs now."""
        return self._jobs is not None

    def _guarded(self, job: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
        """Track a running job so stop() lets it finish before the database closes."""

        async def run() -> None:
            task = asyncio.current_task()
            if task is not None:
                self._running.add(task)
            try:
                await job()
            finally:
                if task is not None:
                    self._running.discard(task)

        return run

    async def stop(self) -> None:
        if self._scheduler.running:
            self._scheduler.pause()  # no new runs; shutdown() would cancel the running ones
        if self._running:
            await asyncio.wait(self._running, timeout=10)
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        await self._stop_jobs()
        await self._leader.release()

    async def _start_jobs(self) -> None:
        """Become the deployment's scheduler: load the stored jobs and run them."""
        context = reminders.JobContext(
            store=self._store,
            clock=self._clock,
            tz=self._svc.tz,
            quiet=self._quiet,
            digest_at=self._digest_at,
            wake_outbox=self._pipeline.wake_outbox,
            reach=self._reach,
        )
        self._jobs = scheduler = StoreScheduler(self._store.database_url, context, scope=self._scope)
        scheduler.start()
        weekday, hour = self._digest_at
        await reminders.install_digest(scheduler, weekday, hour, self._svc.tz)
        self._planned_version = None

    async def _stop_jobs(self) -> None:
        if self._jobs is not None:
            await self._jobs.close()
            self._jobs = None

    async def _leases(self) -> None:
        await jobs.release_stale_leases(self._store, self._clock())

    async def _recover(self) -> None:
        # Only updates older than any handling in progress could be.
        await self._pipeline.recover(min_age=timedelta(minutes=5))

    async def _deadlines(self) -> None:
        if not await self._leader.held():  # one scheduler per deployment
            return
        svc = self._svc
        if await jobs.petition_deadlines(
            self._store, self._clock(), svc.tz, svc.policy, svc.calendar, self._reach
        ):
            self._pipeline.wake_outbox()

    async def _relays(self) -> None:
        if not await self._leader.held():  # one scheduler per deployment
            return
        if await jobs.remind_relays(self._store, self._clock()):
            self._pipeline.wake_outbox()

    async def _posts(self) -> None:
        if not await self._leader.held():  # one scheduler per deployment
            await self._stop_jobs()
            return
        if self._jobs is None:
            await self._start_jobs()
        assert self._jobs is not None
        now, tz = self._clock(), self._svc.tz
        queued = await posts.queue_notices(self._store, now, tz, self._quiet, self._reach)
        async with self._store.uow() as uow:
            version = await uow.commune.data_version()
        if (
            version != self._planned_version
            or self._planned_at is None
            or now - self._planned_at >= REPLAN_EVERY
        ):
            await reminders.sync_reminder_jobs(self._jobs, self._store, now, tz)
            queued += await posts.queue_postponements(self._store, now, tz, self._quiet)
            self._planned_version, self._planned_at = version, now
        if queued:
            self._pipeline.wake_outbox()

    async def _drafts(self) -> None:
        await jobs.expire_conversations(self._store, self._clock())
