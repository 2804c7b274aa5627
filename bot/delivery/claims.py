"""What the outbox worker claims, and when.

When: each claim is a transaction, and during a broadcast a chat is done every 1/30 s; claiming
for each would take one or two rows at a time. `ClaimTimer` holds what the worker knows between
claims and decides from it; it never touches the database (the worker asks and tells it).

What: of each chat, what its long sending window allows now (`within_windows`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from channels.contract import Rate
from channels.pacing import free_at, room
from storage.models import OutboxMessage
from storage.repositories.outbox import OutboxRepo

log = logging.getLogger(__name__)

ChatKey = tuple[str, str]  # (channel, chat id)
RECLAIM_EVERY = 1.0  # while chats are being sent to, claim at least this often (retries fall due)


class ClaimTimer:
    """Whether the next pass claims, and how long the worker may sleep before one must."""

    def __init__(self, monotonic: Callable[[], float], concurrency: int) -> None:
        self._monotonic = monotonic
        self._concurrency = concurrency
        self._queued = True  # woken from outside (messages queued, sending rights changed) or due
        self._more = False  # the last claim left due messages behind (it took all it had room for)
        self._reclaim_at = 0.0  # monotonic time of the next claim at the latest while chats run
        self._waiting: set[ChatKey] = set()  # busy chats with messages queued behind their task

    def queued(self) -> None:
        """Messages were queued, or one held may be due: the next pass claims."""
        self._queued = True

    def seconds_to_reclaim(self) -> float:
        """How long the worker may sleep while chats run before it must claim again."""
        return max(0.0, self._reclaim_at - self._monotonic())

    def claim_now(self, running: int) -> bool:
        """Whether a claim now would find something: messages were queued or fell due, nothing is
        being sent, or the last claim left some behind and half the chats are done (a broadcast
        claims in batches, not a row or two each time a chat is done)."""
        if running >= self._concurrency:
            return False
        if self._queued or not running or self._monotonic() >= self._reclaim_at:
            return True
        return self._more and running <= self._concurrency // 2

    def start_claim(self) -> bool:
        """A claim begins: returns whether messages were queued since the last one."""
        queued, self._queued = self._queued, False
        self._reclaim_at = self._monotonic() + RECLAIM_EVERY
        return queued

    def claimed(self, *, left_behind: bool, waiting: set[ChatKey]) -> None:
        """A claim took what it had room for; `left_behind`: due messages are still there;
        `waiting`: busy chats that have messages queued behind their task."""
        self._more = left_behind
        self._waiting |= waiting

    def chat_done(self, key: ChatKey) -> None:
        """A chat's task ended: what was queued to it meanwhile is claimed by the next pass."""
        if key in self._waiting:
            self._waiting.discard(key)
            self._queued = True


async def within_windows(
    outbox: OutboxRepo, by_chat: dict[ChatKey, list[OutboxMessage]], rates: dict[ChatKey, Rate], now: datetime
) -> None:
    """Keep of each chat in `rates` only what its window allows now; put a spent chat off until it
    frees (counted from the `sent_at` of its earlier messages, so a restart remembers them)."""
    if not rates:
        return
    longest = timedelta(seconds=max(rate.seconds for rate in rates.values()))
    recent = await outbox.recent_sends(list(rates), now - longest)
    for key, rate in rates.items():
        sent = recent.get(key, [])
        allowed = room(sent, rate, now)
        if allowed > 0:
            by_chat[key] = by_chat[key][:allowed]
            continue
        until = free_at(sent, rate, now) or now
        await outbox.hold_chat(key[0], key[1], until)
        del by_chat[key]
        log.info("outbox: a %s chat has used its budget; next message at %s", key[0], until)  # no chat ids
