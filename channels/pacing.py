"""Spacing sends, as a channel's `Budget` (channels/contract.py) asks.

Limits over long windows (Telegram: 20 messages a minute per group) are not waited out here: the
outbox worker schedules them (`free_at`: when a chat's window lets the next message go, counted
from when earlier messages were sent). Short ones (30 a second bot-wide, one a second per private
chat) are kept by the in-memory grids below, whose waits are under a second.

Each send reserves the next free slot before it sleeps, and slots follow a fixed grid
(`slot = max(previous + interval, now)`), so timer lateness is not added to every later message:
a long broadcast runs at the configured rate, not a little under it. Limits are checked against
the moments earlier sends were answered, which the server's count can never be later than.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime, timedelta

from channels.contract import Rate

PRUNE_AT = 10_000  # keys remembered before forgetting the ones whose slot has passed


def rate_of(per: float, seconds: float) -> Rate | None:
    """`per` messages every `seconds` as a whole-count Rate (2.5/s -> 3 per 1.2 s); 0 lifts it."""
    if per <= 0:
        return None
    count = math.ceil(per)
    return Rate(count, seconds * count / per)


def room(sent: Sequence[datetime], rate: Rate, now: datetime) -> int:
    """How many more messages may go to a chat now, given when it was sent to (oldest first)."""
    window = timedelta(seconds=rate.seconds)
    return max(0, rate.count - sum(1 for at in sent if at > now - window))


def free_at(sent: Sequence[datetime], rate: Rate, now: datetime) -> datetime | None:
    """When the next message may go to a chat that was sent to at `sent` (oldest first).

    None: now. Otherwise the moment enough of the sends leave the window. Send times are when
    the channel answered, which the server's count can never be later than.
    """
    window = timedelta(seconds=rate.seconds)
    inside = [at for at in sent if at > now - window]
    if len(inside) < rate.count:
        return None
    return inside[len(inside) - rate.count] + window


class Pacer:
    """Per-key spacing (one private chat): `async with pacer.slot(key): await send()`.

    A send starts no sooner than the key's reserved slot, and the next slot is also no sooner than
    one interval after this send was answered, so the server never sees two closer than that.
    `per_second=0` never waits.
    """

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._interval = 1 / per_second if per_second > 0 else 0.0
        self._clock = clock
        self._next: dict[str, float] = {}

    def hold(self, key: str, sent: float) -> None:
        """The key was sent to at `sent` (this clock), perhaps by another process: its next slot
        is no sooner than one interval after that."""
        if self._interval:
            self._next[key] = max(self._next.get(key, sent), sent + self._interval)

    @contextlib.asynccontextmanager
    async def slot(self, key: str = "") -> AsyncIterator[None]:
        if not self._interval:
            yield
            return
        now = self._clock()
        if len(self._next) >= PRUNE_AT:
            self._next = {k: t for k, t in self._next.items() if t > now}
        slot = max(self._next.get(key, now), now)
        self._next[key] = slot + self._interval
        if slot > now:
            await asyncio.sleep(slot - now)
        try:
            yield
        finally:
            self._next[key] = max(self._next.get(key, 0.0), self._clock() + self._interval)


class _Gate:
    """A lock whose waiters enter by rank (lower first), in arrival order within a rank."""

    def __init__(self) -> None:
        self._held = False
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._arrivals = 0

    @contextlib.asynccontextmanager
    async def held(self, rank: int) -> AsyncIterator[None]:
        if self._held or self._waiting:
            self._arrivals += 1
            turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            heapq.heappush(self._waiting, (rank, self._arrivals, turn))
            try:
                await turn
            except asyncio.CancelledError:
                if turn.done() and not turn.cancelled():
                    self._pass_on()  # given the gate as it was cancelled: hand it on
                raise
        self._held = True
        try:
            yield
        finally:
            self._pass_on()

    def _pass_on(self) -> None:
        while self._waiting:
            turn = heapq.heappop(self._waiting)[2]
            if not turn.done():  # a cancelled waiter is skipped
                turn.set_result(None)
                return
        self._held = False


class WindowPacer:
    """Bot-wide spacing: one send per `window / limit` s on a fixed grid, and never more than
    `limit` sends in any `window` s as the server counts them.

    The grid keeps timer lateness from slowing a long broadcast. The window check counts from the
    moment each earlier request was *answered*: the server saw it before then, so however late a
    stalled event loop put a request on the wire, send n + limit reaches the server at least
    `window` after send n did. The price is one round trip per `limit` sends.

    An urgent send (an answer a person waits for) goes before every waiting send that is not, and
    is not held to the grid: a burst of answers leaves at once as long as the window has room.

        async with pacer.slot():
            await send()
    """

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._limit = limit
        self._window = window
        self._interval = window / limit if limit > 0 else 0.0
        self._clock = clock
        self._grid = 0.0
        self._answered: deque[asyncio.Future[float]] = deque(maxlen=max(limit, 1))
        self._gate = _Gate()

    @property
    def limit(self) -> int:
        return self._limit

    @property
    def window(self) -> float:
        return self._window

    def seed(self, answered: Sequence[float]) -> None:
        """Count sends answered at these moments (this clock), perhaps by another process that
        stopped or died, as if this pacer had made them: the window check waits for them too."""
        if not self._interval or not answered:
            return
        loop = asyncio.get_running_loop()
        done = [f.result() for f in self._answered if f.done()]
        running = [f for f in self._answered if not f.done()]
        self._answered.clear()
        for at in sorted([*done, *answered])[-self._limit :]:
            seeded: asyncio.Future[float] = loop.create_future()
            seeded.set_result(at)
            self._answered.append(seeded)
        self._answered.extend(running)

    @contextlib.asynccontextmanager
    async def slot(self, urgent: bool = False) -> AsyncIterator[None]:
        if not self._interval:
            yield
            return
        answered: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        async with self._gate.held(0 if urgent else 1):
            earliest = 0.0 if urgent else self._grid
            if len(self._answered) == self._limit:
                earliest = max(earliest, await asyncio.shield(self._answered[0]) + self._window)
            now = self._clock()
            if earliest > now:
                await asyncio.sleep(earliest - now)
            if not urgent:
                self._grid = max(earliest, now) + self._interval
            self._answered.append(answered)
        try:
            yield
        finally:
            answered.set_result(self._clock())
