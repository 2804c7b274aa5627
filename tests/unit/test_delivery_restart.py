"""A sender starting after another stopped or died counts what that one sent in its last second
(bot/delivery/carry.py): it sends as soon as the bot's window allows, never past it."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.delivery import OutboxWorker
from channels.contract import Budget, Rate, SendResult
from storage.store import Store
from tests.conftest import NOW
from tests.unit.test_outbox import RecordingSender

WINDOW = 0.5
LIMIT = 10  # 10 a half second: Telegram's 30 a second, scaled down for a quick test
BUDGET = Budget(per_bot=Rate(LIMIT, WINDOW), per_private=Rate(1, 1.0))


class StampingSender(RecordingSender):
    """Notes when (monotonic) each message was answered."""

    def __init__(self) -> None:
        super().__init__(budget=BUDGET)
        self.at: dict[str, float] = {}

    async def send(self, chat_id: str, payload: dict[str, Any]) -> SendResult:
        result = await super().send(chat_id, payload)
        self.at[payload["text"]] = time.monotonic()
        return result


async def predecessor(
    store: Store, now: datetime, recorded: dict[str, float], leased: int, queued: int
) -> None:
    """What a sender left: messages it recorded as sent `recorded[chat]` s before `now`, `leased`
    messages claimed (perhaps sent, not recorded) and `queued` not yet claimed, to groups."""
    async with store.uow() as uow:
        for chat in recorded:
            await uow.outbox.put("telegram", chat, {"text": f"old {chat}"}, NOW)
        await uow.commit()
    async with store.uow() as uow:
        rows = [r for chat in recorded for r in await uow.outbox.for_chat("telegram", chat)]
        await uow.outbox.mark_sent(
            [(r.id or 0, None, now - timedelta(seconds=recorded[r.chat_id])) for r in rows]
        )
        for i in range(leased):
            await uow.outbox.put("telegram", f"-2{i:03d}", {"text": f"leased {i}"}, NOW)
        await uow.commit()
    async with store.uow() as uow:
        await uow.outbox.claim_due(["telegram"], now, leased, timedelta(minutes=2))
        for i in range(queued):
            await uow.outbox.put("telegram", f"-3{i:03d}", {"text": f"new {i}"}, NOW)
        await uow.commit()


async def run_until(worker: OutboxWorker, sender: StampingSender, count: int) -> None:
    running = asyncio.create_task(worker.run())
    try:
        for _ in range(500):
            if len(sender.at) >= count:
                break
            await asyncio.sleep(0.01)
    finally:
        worker.stop()
        await running


def most_in_a_window(stamps: list[float]) -> int:
    ordered = sorted(stamps)
    return max(sum(1 for t in ordered if first <= t < first + WINDOW) for first in ordered)


async def test_a_sender_killed_at_full_rate_is_followed_as_its_sends_leave_the_window(store: Store) -> None:
    """The dead one recorded 10 sends in its last 0.1 s and died with 3 messages leased: the new
    one sends when the window frees, 0.4 s after it starts, and never 11 in a window."""
    now, mono = datetime.now(UTC), time.monotonic()
    recorded = {f"-1{i:03d}": 0.1 - 0.01 * i for i in range(LIMIT)}  # 0.1 … 0.01 s ago
    await predecessor(store, now, recorded, leased=3, queued=20)
    sender = StampingSender()
    worker = OutboxWorker(store, {"telegram": sender}, lambda: datetime.now(UTC), started=now)
    await run_until(worker, sender, 23)

    assert len(sender.at) == 23  # the 3 leased go again (at least once), and the 20 queued
    first = min(sender.at.values())
    assert first >= mono + 0.4 - 0.02  # the oldest recorded send left the window
    old = [mono - ago for ago in recorded.values()]
    assert most_in_a_window(old + list(sender.at.values())) <= LIMIT


async def test_sends_the_dead_one_may_not_have_recorded_count_as_made_when_the_new_one_started(
    store: Store,
) -> None:
    """Its recording fell behind: 4 recorded in its last second, 8 leased. Up to 6 (10 - 4) may
    have been sent unrecorded: counted as sent at the start, so only 0 go before the 4 leave."""
    now, mono = datetime.now(UTC), time.monotonic()
    recorded = {f"-1{i:03d}": 0.2 for i in range(4)}
    await predecessor(store, now, recorded, leased=8, queued=10)
    sender = StampingSender()
    worker = OutboxWorker(store, {"telegram": sender}, lambda: datetime.now(UTC), started=now)
    await run_until(worker, sender, 18)

    assert len(sender.at) == 18
    stamps = sorted(sender.at.values())
    assert stamps[0] >= mono + 0.3 - 0.02  # 4 recorded + 6 assumed fill the window until the 4 leave
    assert sum(1 for t in stamps if t < mono + WINDOW - 0.02) <= 4  # then the 4 places they leave
    unrecorded = [mono] * (LIMIT - 4)
    assert most_in_a_window([mono - 0.2] * 4 + unrecorded + stamps) <= LIMIT


async def test_after_a_clean_stop_the_window_left_is_used_at_once_and_a_private_chat_waits_its_second(
    store: Store,
) -> None:
    """Nothing leased (everything recorded): the 5 recorded in the window leave room, so sending
    starts at once (no blanket second); a private chat answered 0.3 s ago gets its next message a
    second after that one."""
    now, mono = datetime.now(UTC), time.monotonic()
    recorded = {f"-1{i:03d}": 0.1 for i in range(4)} | {"42": 0.3}
    await predecessor(store, now, recorded, leased=0, queued=5)
    async with store.uow() as uow:
        await uow.outbox.put("telegram", "42", {"text": "again"}, NOW)
        await uow.commit()
    sender = StampingSender()
    worker = OutboxWorker(store, {"telegram": sender}, lambda: datetime.now(UTC), started=now)
    starting = time.monotonic()
    await run_until(worker, sender, 6)

    groups = sorted(t for text, t in sender.at.items() if text.startswith("new"))
    # at once (a blanket second would start them 1 s late; 0.16 s was seen on a loaded machine)
    assert len(groups) == 5 and groups[0] < starting + 0.5
    assert sender.at["again"] >= mono - 0.3 + 1.0 - 0.02


async def test_a_resident_whose_answer_was_left_leased_gets_it_at_once(store: Store) -> None:
    """A resident mid-conversation at the crash has a message left leased (perhaps sent, not
    recorded): it goes out again as soon as the bot's window allows, not a second later (it was
    counted in the window; holding each such chat a second made the last answers after a crash
    wait about two seconds longer)."""
    now, mono = datetime.now(UTC), time.monotonic()
    async with store.uow() as uow:
        await uow.outbox.put("telegram", "77", {"text": "your code"}, NOW)
        await uow.commit()
    async with store.uow() as uow:
        await uow.outbox.claim_due(["telegram"], now, 1, timedelta(minutes=2))
        await uow.commit()
    sender = StampingSender()
    worker = OutboxWorker(store, {"telegram": sender}, lambda: datetime.now(UTC), started=now)
    await run_until(worker, sender, 1)
    assert sender.at["your code"] < mono + 0.9  # held, it would leave a second after `now`
