"""Recording what a send came to: sent, retried later (with back-off) or given up (and reported)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.delivery import undeliverable
from channels.contract import Failed, Retry, SendResult, Sent
from domain.reach import Reach
from storage.db import transient
from storage.models import OutboxMessage
from storage.store import Store

log = logging.getLogger("bot.delivery.worker")

MAX_BACKOFF_SECONDS = 300.0
RECORD_RETRY_SECONDS = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0)  # within the worker's LEASE


def backoff(attempts: int) -> float:
    """Seconds to wait after the n-th failed attempt (2, 4, 8 … up to 5 minutes)."""
    return min(MAX_BACKOFF_SECONDS, 2.0 ** max(1, attempts + 1))


@dataclass
class Outcome:
    message: OutboxMessage
    result: SendResult | None  # None: not tried (the worker is stopping): back to the queue
    at: datetime


async def record_retrying(
    store: Store,
    reach: Reach,
    outcomes: list[Outcome],
    wake: Sequence[tuple[str, str]] = (),
    commune_id: int | None = None,
) -> None:
    """Record; a database that went away (a restart) is waited for a while, for a message
    sent but not recorded goes out again once its lease runs out (a duplicate)."""
    for pause in RECORD_RETRY_SECONDS:
        try:
            return await record(store, reach, outcomes, wake, commune_id)
        except Exception as exc:
            if not transient(exc):
                raise
            log.warning(
                "outbox: recording %d outcomes failed (%s); again in %.0f s", len(outcomes), exc, pause
            )
        await asyncio.sleep(pause)
    await record(store, reach, outcomes, wake, commune_id)


async def record(
    store: Store,
    reach: Reach,
    outcomes: list[Outcome],
    wake: Sequence[tuple[str, str]] = (),
    commune_id: int | None = None,
) -> None:
    """Store what the sends came to; the chats in `wake` (channel, chat id), held by back-off, are
    due again now (their channel sends again). `commune_id`: the sender's (else the store's)."""
    async with store.uow(commune_id) as uow:
        await uow.outbox.mark_sent(
            [(o.message.id or 0, o.result.external_id, o.at) for o in outcomes if isinstance(o.result, Sent)]
        )
        for outcome in outcomes:
            message, result = outcome.message, outcome.result
            if isinstance(result, Retry):
                delay = result.after if result.after is not None else backoff(message.attempts)
                await uow.outbox.retry_later(message, outcome.at + timedelta(seconds=delay), result.error)
            elif isinstance(result, Failed):
                log.warning("outbox %s to %s given up: %s", message.id, message.channel, result.error)
                await uow.outbox.fail(message.id or 0, result.error)
                await undeliverable.report(uow, message, result.error, reach, outcome.at)
        await uow.outbox.release([o.message.id or 0 for o in outcomes if o.result is None])
        for channel, chat_id in wake:
            await uow.outbox.due_again(channel, chat_id)
        await uow.commit()
