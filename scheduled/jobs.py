"""Job bodies: plain coroutines of (services, now), safe to run twice."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from storage.store import Store

log = logging.getLogger(__name__)

DRAFT_LIFETIME = timedelta(hours=24)


async def release_stale_leases(store: Store, now: datetime) -> int:
    """Outbox messages leased by a worker that died go back to the queue."""
    async with store.uow() as uow:
        count = await uow.outbox.release_expired(now)
        await uow.commit()
    if count:
        log.info("outbox: %d stale leases released", count)
    return count


async def expire_conversations(store: Store, now: datetime) -> int:
    """Forget half-finished flows untouched for 24 hours."""
    async with store.uow() as uow:
        count = await uow.conversations.expire(now - DRAFT_LIFETIME)
        await uow.commit()
    return count
