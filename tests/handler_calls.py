"""Driving handlers directly in unit tests: the mini commune's services, one message in, replies out.

`seeded(store)` works on a real store (persistence checks) or on the in-memory fake (fast handler
scenarios: `tests/fakes/memory.py`).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from domain.messages import Incoming, Reply
from handlers.router import pick, routes
from handlers.services import Ctx, Services
from qa.searcher import SearchIndex
from storage.importer import import_data, load_file
from storage.store import Store
from tests.conftest import MINI, NOW, REACH
from tests.fakes.memory import MemoryStore, import_commune

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def services(store: Store | MemoryStore) -> Services:
    """Handler services on the store, with the clock stopped at NOW."""
    return Services(uow=store.uow, clock=lambda: NOW, tz=VN, search=SearchIndex(), reach=REACH)


async def seeded(store: Store | MemoryStore) -> Services:
    """The mini commune imported, then its services."""
    if isinstance(store, MemoryStore):
        import_commune(store, load_file(MINI), NOW)
    else:
        async with store.uow() as uow:
            await import_data(uow, load_file(MINI), NOW)
    return services(store)


async def handle(svc: Services, msg: Incoming, now: datetime = NOW) -> list[Reply]:
    """Route the message as the pipeline does and run its handler in one committed unit of work
    (at `now`: another day than the suite's NOW)."""
    handler = pick(routes(), msg)
    assert handler is not None
    async with svc.uow() as uow:
        replies = await handler(msg, Ctx(uow=uow, svc=svc, now=now))
        await uow.commit()
    return replies
