"""Publishing from the officials' console: check, store, announce, in one transaction.

A disclosure is checked as the importer checks a data file (storage/publishing.py), stored with the
console's mark, and announced to its groups and subscribers as the scheduler's pass announces a new
one (scheduled/posts.py `announce_notice`: the same dedupe keys, so a re-publish, an edit or the
scheduler's next pass never announce it twice). An event's reminders are planned by the scheduler,
which re-plans when the data version changes. After the commit the outbox is woken and the search
index is refreshed in the background (it computes the new passages' vectors, as an import does).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from domain.reach import Reach
from scheduled.posts import announce_notice
from storage.models import Disclosure
from storage.publishing import Published, check, save
from storage.store import Store

log = logging.getLogger(__name__)

Refresh = Callable[[int], Awaitable[None]]  # (commune id): bring the search index up to date


class Publisher:
    """Publishes console entries for the communes of one store."""

    def __init__(
        self,
        store: Store,
        clock: Callable[[], datetime],
        tz: ZoneInfo,
        quiet: tuple[time, time] | None,
        reach: Reach,
        wake_outbox: Callable[[], None] = lambda: None,
        refresh: Refresh | None = None,
    ) -> None:
        self._store, self._clock, self._tz, self._quiet, self._reach = store, clock, tz, quiet, reach
        self._wake, self._refresh = wake_outbox, refresh
        self._tasks: set[asyncio.Task[None]] = set()

    async def publish(
        self, commune_id: int, section: str, entry: dict[str, Any], official_id: str, new: bool
    ) -> Published:
        """Check and store one entry (`new`: its id must be free; else it must exist), announcing a
        disclosure that is due; nothing changes when a problem is found."""
        entry_id = str(entry.get("id", ""))
        now = self._clock()
        async with self._store.uow(commune_id) as uow:
            problems = await check(uow, section, entry, new)
            if problems:
                return Published(entry_id, problems)
            row, created, changed = await save(uow, section, entry, official_id, now)
            announced = 0
            if isinstance(row, Disclosure):
                groups = await uow.groups.all()
                announced = await announce_notice(uow, row, groups, now, self._tz, self._quiet, self._reach)
            await uow.commit()
        if announced:
            self._wake()
        if changed and self._refresh is not None:
            self._spawn(self._refresh(commune_id))
        log.info("console: %s %s %s by %s", section, entry_id, "created" if created else "saved", official_id)
        return Published(entry_id, created=created, changed=changed, announced=announced)

    def _spawn(self, work: Awaitable[None]) -> None:
        async def run() -> None:
            try:
                await work
            except Exception:
                log.exception("refreshing the search index after a publication failed")

        task = asyncio.ensure_future(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settled(self) -> None:
        """Wait for the background refreshes started so far (tests, shutdown)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
