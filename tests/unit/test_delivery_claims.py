"""When the outbox worker claims: in batches during a broadcast, at once for what people wait for."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from bot.delivery import OutboxWorker
from channels.contract import UNLIMITED, Budget, Rate, SendResult
from storage.repositories.outbox_claims import OutboxClaims
from storage.store import Store
from tests.unit.test_outbox import Clock, RecordingSender, put


class SlowSender(RecordingSender):
    """Each chat's sends take the seconds given (others none); records when each was sent."""

    def __init__(self, seconds: dict[str, float], budget: Budget = UNLIMITED) -> None:
        super().__init__(budget=budget)
        self.seconds = seconds
        self.at: dict[str, float] = {}

    async def send(self, chat_id: str, payload: dict[str, Any]) -> SendResult:
        await asyncio.sleep(self.seconds.get(chat_id, 0.0))
        self.at[payload["text"]] = time.monotonic()
        return await super().send(chat_id, payload)


async def until(check: Any, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not check() and time.monotonic() < deadline:
        await asyncio.sleep(0.01)


async def test_a_message_queued_to_a_busy_chat_goes_as_soon_as_that_chat_is_free(store: Store) -> None:
    """A person's second answer, queued while the first is on its way, follows it at once even
    while the other chats keep the worker busy (it does not wait for the next claim round)."""
    sender = SlowSender({"1": 0.3, "2": 3.0, "3": 3.0, "4": 3.0})
    for chat in ("1", "2", "3", "4"):
        await put(store, chat, f"first to {chat}")
    worker = OutboxWorker(store, {"telegram": sender}, Clock(), concurrency=4, pass_gap=0.01)
    running = asyncio.create_task(worker.run())
    try:
        await asyncio.sleep(0.1)  # every chat is being sent to
        await put(store, "1", "second to 1")
        worker.wake()
        await until(lambda: "second to 1" in sender.at)
    finally:
        worker.stop()
        await running
    assert [t for c, t in sender.delivered if c == "1"] == ["first to 1", "second to 1"]
    assert sender.at["second to 1"] - sender.at["first to 1"] < 0.6  # not the 1 s claim round


async def test_a_broadcast_is_claimed_in_batches_not_a_row_each_time_a_chat_is_done(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each claim is a transaction on the one database the bot answers people from: a broadcast
    paced at the bot's rate takes its rows by the dozen, not one or two each time a send is done."""
    claims: list[int] = []
    lease = OutboxClaims.lease

    async def counted(self: OutboxClaims, ids: Any, *args: Any) -> None:
        if ids:
            claims.append(len(ids))
        await lease(self, ids, *args)

    monkeypatch.setattr(OutboxClaims, "lease", counted)
    groups = [f"-100700000{i:04d}" for i in range(300)]
    for group in groups:
        await put(store, group, f"notice to {group}")
    sender = SlowSender({group: 0.02 for group in groups}, Budget(per_bot=Rate(100, 1.0)))
    worker = OutboxWorker(store, {"telegram": sender}, Clock(), pass_gap=0.01)
    running = asyncio.create_task(worker.run())
    try:
        await until(lambda: len(sender.delivered) == 300)
    finally:
        worker.stop()
        await running
    assert sorted(chat for chat, _ in sender.delivered) == sorted(groups)  # each group once
    assert len(claims) <= 8, claims  # 100, then 50 at a time (before: 15 to 30 claims of a few rows)
