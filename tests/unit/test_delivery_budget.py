"""Delivery schedules around a channel's budget: no chat waits for another, budgets outlive a restart."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from bot.delivery import OutboxWorker
from channels.contract import Budget, Rate, Retry, SendResult, Sent
from storage.store import Store
from tests.conftest import NOW
from tests.unit.test_outbox import Clock, RecordingSender, one_pass, put

GROUP = "-1009000000001"
PER_GROUP = Budget(per_group=Rate(20, 60.0))  # Telegram's 20 a minute per group


class TimedSender(RecordingSender):
    """Notes the (fake) clock time of every delivery, in seconds after NOW."""

    def __init__(self, clock: Clock, budget: Budget = PER_GROUP, **kwargs: Any) -> None:
        super().__init__(budget=budget, **kwargs)
        self.clock = clock
        self.at: list[tuple[float, str, str]] = []

    async def send(self, chat_id: str, payload: dict[str, Any]) -> SendResult:
        result = await super().send(chat_id, payload)
        if isinstance(result, Sent):
            self.at.append(((self.clock() - NOW).total_seconds(), chat_id, payload["text"]))
        return result


async def already_sent(store: Store, chat: str, offsets: list[float]) -> None:
    """Messages the chat got before this test, `offsets` seconds after NOW (negative: before)."""
    async with store.uow() as uow:
        for i, _ in enumerate(offsets):
            await uow.outbox.put("telegram", chat, {"text": f"earlier {i}"}, NOW - timedelta(minutes=5))
        await uow.commit()
    async with store.uow() as uow:
        rows = await uow.outbox.for_chat("telegram", chat)
        await uow.outbox.mark_sent(
            [(r.id or 0, None, NOW + timedelta(seconds=s)) for r, s in zip(rows, offsets, strict=True)]
        )
        await uow.commit()


async def run_for(worker: OutboxWorker, clock: Clock, seconds: int) -> None:
    """Let `seconds` of clock time pass, a pass every second."""
    for _ in range(seconds):
        await one_pass(worker)
        clock.now += timedelta(seconds=1)


async def test_a_group_over_its_minute_budget_does_not_hold_private_chats(store: Store) -> None:
    clock = Clock()
    earlier = [-50.0 + i for i in range(15)]  # the group got 15 messages 50 to 36 s ago
    await already_sent(store, GROUP, earlier)
    await put(store, GROUP, *[f"g{i}" for i in range(11)])
    for chat in ("1", "2", "3"):
        await put(store, chat, f"p{chat}a", f"p{chat}b")
    sender = TimedSender(clock)
    worker = OutboxWorker(store, {"telegram": sender}, clock)
    await run_for(worker, clock, 70)

    private = [(t, chat, text) for t, chat, text in sender.at if chat != GROUP]
    assert len(private) == 6 and all(t < 1 for t, _, _ in private)  # none waited for the group
    group = [(t, text) for t, chat, text in sender.at if chat == GROUP]
    assert [text for _, text in group] == [f"g{i}" for i in range(11)]  # in order
    times = [t for t, _ in group]
    assert times[:5] == [0.0] * 5  # what the minute still allowed went at once
    assert times[5:] == [10.0, 11.0, 12.0, 13.0, 14.0, 15.0]  # the rest as the window freed
    stamps = earlier + times
    assert all(later - first >= 60 for first, later in zip(stamps, stamps[20:], strict=False))


async def test_a_new_worker_remembers_what_the_group_was_sent_this_minute(store: Store) -> None:
    """A restart does not reset the budget: it is counted from when the rows were sent."""
    clock = Clock()
    await put(store, GROUP, *[f"a{i}" for i in range(20)])
    first = TimedSender(clock)
    await one_pass(OutboxWorker(store, {"telegram": first}, clock))
    assert len(first.at) == 20
    clock.now += timedelta(seconds=10)
    await put(store, GROUP, "b0", "b1", "b2")
    second = TimedSender(clock)
    restarted = OutboxWorker(store, {"telegram": second}, clock)
    await run_for(restarted, clock, 50)  # passes at 10 … 59 s
    assert second.delivered == []  # the minute of the first 20 is not over
    await run_for(restarted, clock, 2)
    assert [(t, text) for t, _, text in second.at] == [(60.0, "b0"), (60.0, "b1"), (60.0, "b2")]


async def test_a_429_holds_only_its_chat_for_the_time_it_names(store: Store) -> None:
    clock = Clock()
    sender = TimedSender(clock, script={"g0": [Retry(30, "429: retry after 30")]})
    await put(store, GROUP, "g0", "g1")
    await put(store, "7", "p0")
    worker = OutboxWorker(store, {"telegram": sender}, clock)
    await run_for(worker, clock, 40)
    assert [(t, text) for t, _, text in sender.at] == [(0.0, "p0"), (30.0, "g0"), (30.0, "g1")]
    clock.now = NOW + timedelta(seconds=40)
    await put(store, "7", "p1")  # the private chat is still served at once
    await one_pass(worker)
    assert sender.at[-1] == (40.0, "7", "p1")


class GatedSender(RecordingSender):
    """Sends to the group hang until the test opens the gate (a slow network, a stalled chat)."""

    def __init__(self) -> None:
        super().__init__(budget=PER_GROUP)
        self.gate = asyncio.Event()
        self.group_started = asyncio.Event()

    async def send(self, chat_id: str, payload: dict[str, Any]) -> SendResult:
        if chat_id == GROUP:
            self.group_started.set()
            await self.gate.wait()
        return await super().send(chat_id, payload)


async def test_private_chats_are_served_while_a_send_to_a_group_hangs(store: Store) -> None:
    sender = GatedSender()
    worker = OutboxWorker(store, {"telegram": sender}, Clock())
    running = asyncio.create_task(worker.run())
    try:
        await put(store, GROUP, "notice")
        worker.wake()
        await asyncio.wait_for(sender.group_started.wait(), 2)
        await put(store, "1", "answer 1")
        await put(store, "2", "answer 2")
        worker.wake()
        for _ in range(100):
            if len(sender.delivered) == 2:
                break
            await asyncio.sleep(0.01)
        assert sorted(sender.delivered) == [("1", "answer 1"), ("2", "answer 2")]
        await put(store, GROUP, "second notice")  # queued behind the hanging one
        worker.wake()
        await asyncio.sleep(0.1)
        sender.gate.set()
        for _ in range(100):
            if len(sender.delivered) == 4:
                break
            await asyncio.sleep(0.01)
        assert sender.delivered[2:] == [(GROUP, "notice"), (GROUP, "second notice")]
    finally:
        sender.gate.set()
        worker.stop()
        await running
    async with store.uow() as uow:
        assert await uow.outbox.count("sent") == 4
