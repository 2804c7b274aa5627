"""Send spacing: a broadcast runs at the configured rate and never bursts past the window."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest

from channels.contract import Rate
from channels.pacing import Pacer, WindowPacer, free_at, rate_of, room
from tests.conftest import NOW


@pytest.mark.looptime  # the event loop's clock is simulated: the test is exact on a loaded machine
async def test_a_long_broadcast_is_spread_at_the_rate_and_never_exceeds_the_window() -> None:
    loop = asyncio.get_running_loop()
    stalled = [0.0]  # a stall of the process moves every later reading of the clock

    def clock() -> float:
        return loop.time() + stalled[0]

    pacer = WindowPacer(limit=10, window=0.2, clock=clock)  # 50 a second
    stamps: list[float] = []

    async def send(i: int) -> None:
        async with pacer.slot():
            stamps.append(clock())
            if i == 12:
                stalled[0] += 0.05  # a stall: later sends must not bunch up to catch up

    started = clock()
    for chunk in range(0, 60, 8):  # eight in flight, like the outbox
        await asyncio.gather(*(send(i) for i in range(chunk, min(chunk + 8, 60))))
    elapsed = clock() - started
    stamps.sort()
    assert all(later - first >= 0.2 - 1e-9 for first, later in zip(stamps, stamps[10:], strict=False))
    assert 59 * 0.02 <= elapsed <= 59 * 0.02 + 0.05 + 1e-9  # the rate, not under it; the stall, no more


async def test_a_private_chat_waits_its_turn_and_other_chats_do_not() -> None:
    pacer = Pacer(per_second=5)
    started = time.monotonic()
    for _ in range(3):
        async with pacer.slot("42"):
            pass
    async with pacer.slot("43"):
        pass
    assert 0.38 <= time.monotonic() - started < 0.5


async def test_the_window_counts_from_when_a_slow_request_was_answered() -> None:
    """A request stuck on the way (a stalled loop, a slow network) reached the server late: the
    send one window later must wait for its answer, or the server would count too many at once."""
    pacer = WindowPacer(limit=3, window=0.1)
    started: dict[int, float] = {}
    answered: dict[int, float] = {}

    async def send(i: int) -> None:
        async with pacer.slot():
            started[i] = time.monotonic()
            await asyncio.sleep(0.08 if i == 0 else 0)
            answered[i] = time.monotonic()

    await asyncio.gather(*(send(i) for i in range(5)))
    assert started[3] >= answered[0] + 0.1 - 1e-3
    assert started[4] >= answered[1] + 0.1 - 1e-3
    assert started[1] - started[0] < 0.05  # the others did not wait for the slow one


def test_a_group_that_had_its_twenty_this_minute_is_next_sent_to_when_the_oldest_is_a_minute_old() -> None:
    per_group = Rate(20, 60.0)
    sent = [NOW - timedelta(seconds=50 - i) for i in range(20)]  # 50 … 31 s ago
    assert room(sent, per_group, NOW) == 0
    assert free_at(sent, per_group, NOW) == NOW + timedelta(seconds=10)
    assert room(sent, per_group, NOW + timedelta(seconds=10)) == 1
    assert free_at(sent[:15], per_group, NOW) is None  # 15 this minute: 5 more may go now
    assert room(sent[:15], per_group, NOW) == 5


def test_settings_become_whole_message_windows_and_zero_lifts_a_limit() -> None:
    assert rate_of(20, 60.0) == Rate(20, 60.0)
    assert rate_of(30, 1.0) == Rate(30, 1.0)
    assert rate_of(0.5, 1.0) == Rate(1, 2.0)  # one every two seconds
    assert rate_of(0, 60.0) is None
