"""What the console's publishing and outbox pages are given (web/ does not import scheduled/): the
`Publisher` and the group reach, bound to this deployment's store, clock, channels and search."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, time
from zoneinfo import ZoneInfo

from aiohttp import web

from domain.reach import Reach
from qa.searcher import SearchIndex
from scheduled.preview import GroupReach, group_reach
from scheduled.publish import Publisher, Refresh
from storage.store import Store
from storage.uow import UnitOfWork
from web.console.outbox import GROUP_REACH
from web.console.publish import PUBLISHER


def search_refresh(store: Store, search: object) -> Refresh | None:
    """Bring the search index up to date after a publication (and so compute the new passages'
    vectors in the background, as the index does for data published while the bot runs)."""
    if not isinstance(search, SearchIndex):
        return None
    index = search

    async def refresh(commune_id: int) -> None:
        async with store.uow(commune_id) as uow:
            await index.current(uow)

    return refresh


def install(
    app: web.Application,
    store: Store,
    clock: Callable[[], datetime],
    tz: ZoneInfo,
    quiet: tuple[time, time] | None,
    reach: Reach,
    wake_outbox: Callable[[], None],
    search: object,
) -> Publisher:
    """Put the publisher and the group reach on the web app; returns the publisher (to settle on stop)."""
    publisher = Publisher(store, clock, tz, quiet, reach, wake_outbox, search_refresh(store, search))

    async def reaching(uow: UnitOfWork) -> Sequence[GroupReach]:
        return await group_reach(uow, reach)

    app[PUBLISHER] = publisher
    app[GROUP_REACH] = reaching
    return publisher
