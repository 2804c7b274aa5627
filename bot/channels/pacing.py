"""Spacing sends to one chat: Telegram asks for at most about one message per second per private chat."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

PRUNE_AT = 10_000  # chats remembered before forgetting the ones whose wait is over


class ChatPacer:
    """`await pacer.wait(chat)` returns when a message to `chat` may go; `per_second=0` never waits.

    The outbox sends one chat's messages in order, so one chat never has two sends waiting here.
    """

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._interval = 1 / per_second if per_second > 0 else 0.0
        self._clock = clock
        self._next: dict[str, float] = {}

    async def wait(self, chat: str) -> None:
        if not self._interval:
            return
        now = self._clock()
        ready = self._next.get(chat, now)
        if ready > now:
            await asyncio.sleep(ready - now)
            now = ready
        if len(self._next) >= PRUNE_AT:
            self._next = {c: t for c, t in self._next.items() if t > now}
        self._next[chat] = now + self._interval
