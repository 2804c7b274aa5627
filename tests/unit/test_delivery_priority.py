"""A person waiting for an answer in a private chat is served before group posts and broadcasts."""

from __future__ import annotations

import asyncio
import time

from bot.delivery import OutboxWorker
from channels.contract import Budget, Rate
from channels.pacing import WindowPacer
from storage.repositories.outbox import ANSWER
from storage.store import Store
from tests.conftest import NOW
from tests.unit.test_outbox import Clock, RecordingSender, one_pass, put

GROUPS = [f"-100900000{i:04d}" for i in range(30)]
PER_BOT = Budget(per_bot=Rate(30, 1.0), per_group=Rate(20, 60.0))  # Telegram's limits


async def answer(store: Store, chat: str, text: str) -> None:
    async with store.uow() as uow:
        await uow.outbox.put("telegram", chat, {"text": text}, NOW, priority=ANSWER)
        await uow.commit()


async def test_an_answer_queued_after_thirty_group_posts_is_claimed_first(store: Store) -> None:
    for group in GROUPS:
        await put(store, group, f"notice to {group}")
    await answer(store, "7001", "your answer")
    async with store.uow() as uow:
        due = await uow.outbox.due_heads(["telegram"], NOW, limit=10)
    assert [m.chat_id for m in due][:1] == ["7001"]
    assert [m.chat_id for m in due][1:] == GROUPS[:9]  # the posts after it, oldest first


async def test_what_a_chat_was_sent_before_an_answer_still_goes_before_it(store: Store) -> None:
    """The answer lifts its chat's earlier messages with it: a chat's messages never swap."""
    for group in GROUPS:
        await put(store, group, f"notice to {group}")
    await put(store, "7001", "reminder: meeting at 8")
    await answer(store, "7001", "your answer")
    async with store.uow() as uow:
        due = await uow.outbox.due_heads(["telegram"], NOW, limit=2)
    assert [(m.chat_id, m.payload["text"]) for m in due] == [
        ("7001", "reminder: meeting at 8"),
        ("7001", "your answer"),
    ]
    sender = RecordingSender()
    worker = OutboxWorker(store, {"telegram": sender}, Clock(), concurrency=1)
    await one_pass(worker)
    assert sender.delivered == [("7001", "reminder: meeting at 8"), ("7001", "your answer")]


async def test_an_answer_overtakes_posts_already_waiting_for_the_bot_wide_budget(store: Store) -> None:
    """Sixty posts wait for Telegram's 30 a second (two seconds' worth); an answer queued just
    after the first left does not wait for the other 59: it leaves as soon as it is claimed."""
    sender = RecordingSender(budget=PER_BOT)
    worker = OutboxWorker(store, {"telegram": sender}, Clock(), pass_gap=0.01)
    posts = [f"-100800000{i:04d}" for i in range(60)]
    for group in posts:
        await put(store, group, f"notice to {group}")
    running = asyncio.create_task(worker.run())
    try:
        for _ in range(200):
            if sender.delivered:
                break
            await asyncio.sleep(0.005)
        await answer(store, "7001", "your answer")
        worker.wake()
        for _ in range(400):
            if len(sender.delivered) == 61:
                break
            await asyncio.sleep(0.01)
    finally:
        worker.stop()
        await running
    order = [chat for chat, _ in sender.delivered]
    assert len(order) == 61
    assert order.index("7001") < 20, order  # claiming it takes a few sends' time; then it is next


async def test_a_burst_of_answers_leaves_at_once_while_the_window_has_room() -> None:
    pacer = WindowPacer(limit=10, window=0.3)
    started: list[float] = []

    async def send() -> None:
        async with pacer.slot(urgent=True):
            started.append(time.monotonic())

    first = time.monotonic()
    await asyncio.gather(*(send() for _ in range(12)))
    assert started[9] - first < 0.05  # ten answers: no spacing
    assert started[10] - started[0] >= 0.3 - 1e-3  # the eleventh waits for the window
