"""Spacing sends: Telegram allows about 30 messages a second overall and one per private chat.

Each send reserves the next free slot of its key before it sleeps, and slots follow a fixed grid
(`slot = max(previous + interval, now)`), so timer lateness is not added to every later message:
a long broadcast runs at the configured rate, not a little under it.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

PRUNE_AT = 10_000  # keys remembered before forgetting the ones whose slot has passed


class Pacer:
    """`await pacer.wait(key)` returns at the key's next slot; `per_second=0` never waits."""

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._interval = 1 / per_second if per_second > 0 else 0.0
        self._clock = clock
        self._next: dict[str, float] = {}

    async def wait(self, key: str = "") -> None:
        if not self._interval:
            return
        now = self._clock()
        if len(self._next) >= PRUNE_AT:
            self._next = {k: t for k, t in self._next.items() if t > now}
        slot = max(self._next.get(key, now), now)
        self._next[key] = slot + self._interval
        if slot > now:
            await asyncio.sleep(slot - now)


class WindowPacer:
    """Bot-wide spacing: one send per `window / limit` s on a fixed grid, and never more than
    `limit` sends in any `window` s of actual send times.

    The grid keeps timer lateness from slowing a long broadcast; the window check keeps a late
    send followed by on-time ones from bunching up past Telegram's limit.
    """

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._limit = limit
        self._window = window
        self._interval = window / limit if limit > 0 else 0.0
        self._clock = clock
        self._grid = 0.0
        self._sent: deque[float] = deque(maxlen=max(limit, 1))
        self._gate = asyncio.Lock()

    async def wait(self) -> None:
        if not self._interval:
            return
        async with self._gate:
            now = self._clock()
            slot = max(self._grid, now)
            if len(self._sent) == self._limit:
                slot = max(slot, self._sent[0] + self._window)
            if slot > now:
                await asyncio.sleep(slot - now)
            self._sent.append(self._clock())
            self._grid = slot + self._interval
