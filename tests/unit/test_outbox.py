"""The outbox worker against a real store and a recording sender."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from bot.delivery import OutboxWorker
from channels.contract import UNLIMITED, Budget, Failed, Retry, SendResult, Sent
from storage.sending import SendingRights
from storage.store import Store
from tests.conftest import NOW


class RecordingSender:
    """Delivers by appending; scripted results per text make it fail on purpose."""

    def __init__(self, script: dict[str, list[SendResult]] | None = None, budget: Budget = UNLIMITED) -> None:
        self.delivered: list[tuple[str, str]] = []
        self.script = script or {}
        self.budget = budget

    @staticmethod
    def is_group(chat_id: str) -> bool:
        return chat_id.startswith("-")

    async def send(self, chat_id: str, payload: dict[str, Any]) -> SendResult:
        queue = self.script.get(payload["text"])
        if queue:
            result = queue.pop(0)
            if not isinstance(result, Sent):
                return result
        self.delivered.append((chat_id, payload["text"]))
        return Sent(str(len(self.delivered)))


async def put(store: Store, chat: str, *texts: str, dedupe: str | None = None) -> None:
    async with store.uow() as uow:
        for text in texts:
            await uow.outbox.put("telegram", chat, {"text": text}, NOW, dedupe_key=dedupe)
        await uow.commit()


async def one_pass(worker: OutboxWorker) -> int:
    """Claim what may go now and wait until those chats' tasks are done."""
    claimed = await worker.run_once()
    await worker.idle()
    return claimed


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


async def test_messages_go_out_in_order_per_chat_and_all_chats_are_served(store: Store) -> None:
    sender = RecordingSender()
    await put(store, "1", "a1", "a2", "a3")
    await put(store, "2", "b1", "b2")
    worker = OutboxWorker(store, {"telegram": sender}, Clock())
    assert await one_pass(worker) == 5
    assert [t for c, t in sender.delivered if c == "1"] == ["a1", "a2", "a3"]
    assert [t for c, t in sender.delivered if c == "2"] == ["b1", "b2"]
    assert await one_pass(worker) == 0
    async with store.uow() as uow:
        assert await uow.outbox.count("sent") == 5


async def test_a_429_holds_the_chat_and_the_message_is_sent_once_later(store: Store) -> None:
    clock = Clock()
    sender = RecordingSender({"a1": [Retry(3, "429")]})
    await put(store, "1", "a1", "a2")
    await put(store, "2", "b1")
    worker = OutboxWorker(store, {"telegram": sender}, clock)
    await one_pass(worker)
    assert sender.delivered == [("2", "b1")]  # chat 1 waits, in order
    assert await one_pass(worker) == 0  # not due yet
    clock.now += timedelta(seconds=4)
    await one_pass(worker)
    assert sender.delivered == [("2", "b1"), ("1", "a1"), ("1", "a2")]
    async with store.uow() as uow:
        assert await uow.outbox.count("pending") == 0


async def test_network_errors_back_off_and_retry_until_delivered(store: Store) -> None:
    clock = Clock()
    sender = RecordingSender({"x": [Retry(None, "502"), Retry(None, "502")]})
    await put(store, "1", "x")
    worker = OutboxWorker(store, {"telegram": sender}, clock)
    for _ in range(3):
        await one_pass(worker)
        clock.now += timedelta(minutes=1)
    assert sender.delivered == [("1", "x")]


async def test_a_refused_message_is_given_up_and_does_not_block_the_chat(store: Store) -> None:
    sender = RecordingSender({"bad": [Failed("403 blocked")]})
    await put(store, "1", "bad", "next")
    worker = OutboxWorker(store, {"telegram": sender}, Clock())
    await one_pass(worker)
    assert sender.delivered == [("1", "next")]
    async with store.uow() as uow:
        assert await uow.outbox.count("failed") == 1


async def test_a_repeated_dedupe_key_is_queued_once(store: Store) -> None:
    await put(store, "g", "notice", dedupe="notice:doc-1:g")
    await put(store, "g", "notice", dedupe="notice:doc-1:g")
    sender = RecordingSender()
    await one_pass(OutboxWorker(store, {"telegram": sender}, Clock()))
    assert sender.delivered == [("g", "notice")]


async def test_expired_codes_are_redacted_once_and_later_asks_rewrite_nothing(store: Store) -> None:
    """Each new login code redacts the expired ones: rows already redacted are not written again."""
    expired = "Mã đã hết hạn."
    await put(store, "1", "code 111111", dedupe="console-code:a:1")
    await put(store, "2", "code 222222", dedupe="console-code:b:2")
    await put(store, "3", "notice", dedupe="notice:doc-1:3")
    later = NOW + timedelta(minutes=11)
    async with store.uow() as uow:
        assert await uow.outbox.redact("console-code:", expired, created_before=later) == 2
        await uow.commit()
    for _ in range(2):  # the next codes asked for find nothing left to redact
        async with store.uow() as uow:
            assert await uow.outbox.redact("console-code:", expired, created_before=later) == 0
            await uow.commit()
    async with store.uow() as uow:
        texts = {m.chat_id: m.payload["text"] for m in await uow.outbox.pending()}
    assert texts == {"1": expired, "2": expired, "3": "notice"}


async def test_a_lease_of_a_dead_worker_is_released_and_sent(store: Store) -> None:
    clock = Clock()
    await put(store, "1", "m")
    async with store.uow() as uow:  # a worker claims, then dies before sending
        await uow.outbox.claim_due(["telegram"], clock(), 10, timedelta(minutes=2))
        await uow.commit()
    sender = RecordingSender()
    worker = OutboxWorker(store, {"telegram": sender}, clock)
    assert await one_pass(worker) == 0
    clock.now += timedelta(minutes=3)
    async with store.uow() as uow:
        assert await uow.outbox.release_expired(clock()) == 1
        await uow.commit()
    await one_pass(worker)
    assert sender.delivered == [("1", "m")]


async def test_a_starting_worker_takes_back_leases_only_where_no_other_process_can_hold_them(
    store: Store,
) -> None:
    """SQLite: a lease left at start-up is this process's own, from before a crash: sent again
    at once. PostgreSQL: while another live process sends for the channel (it holds the channel's
    sending lock) the lease is left alone; once that process is gone, this one takes over and
    sends it at once, without waiting for the lease to expire."""
    clock = Clock()
    await put(store, "1", "m")
    async with store.uow() as uow:
        await uow.outbox.claim_due(["telegram"], clock(), 10, timedelta(minutes=2))
        await uow.commit()
    other = SendingRights(store.database_url)  # another process, sending for the bot
    await other.start(["telegram"])
    sender = RecordingSender()
    worker = OutboxWorker(store, {"telegram": sender}, clock)
    running = asyncio.create_task(worker.run())
    try:
        for _ in range(50):
            if sender.delivered:
                break
            await asyncio.sleep(0.02)
        assert sender.delivered == ([("1", "m")] if store.dialect == "sqlite" else [])
        await other.close()  # it stops (or dies): its connection, and the lock, go
        for _ in range(300):
            if sender.delivered:
                break
            await asyncio.sleep(0.01)
        assert sender.delivered == [("1", "m")]
    finally:
        await other.close()
        worker.stop()
        await running


async def test_rows_read_in_a_unit_of_work_stay_readable_after_it_ends(store: Store) -> None:
    await put(store, "web1", "hello")
    async with store.uow() as uow:
        rows = await uow.outbox.for_chat("telegram", "web1")
    assert rows[0].payload == {"text": "hello"}


async def test_a_message_queued_while_an_earlier_one_waits_for_its_retry_goes_after_it(store: Store) -> None:
    clock = Clock()
    sender = RecordingSender({"a1": [Retry(3, "429")]})
    await put(store, "1", "a1")
    worker = OutboxWorker(store, {"telegram": sender}, clock)
    await one_pass(worker)
    await put(store, "1", "a2")  # the resident's next answer, queued while a1 waits
    clock.now += timedelta(seconds=1)
    await one_pass(worker)
    assert sender.delivered == []
    clock.now += timedelta(seconds=3)
    await one_pass(worker)
    assert sender.delivered == [("1", "a1"), ("1", "a2")]


class CrashingSender(RecordingSender):
    """Raises on a text it cannot encode, as an HTTP client does on a lone surrogate."""

    async def send(self, chat_id: str, payload: dict[str, Any]) -> SendResult:
        payload["text"].encode("utf-8")  # UnicodeEncodeError for "\ud800"
        return await super().send(chat_id, payload)


async def test_a_message_that_can_never_be_sent_fails_and_lets_its_chat_go_on(store: Store) -> None:
    """A lone surrogate echoed from a name: retried a few times, then failed; later messages go."""
    from storage.importer import import_data, load_file
    from tests.conftest import MINI, REACH

    async with store.uow() as uow:
        await import_data(uow, load_file(MINI), NOW)
        await uow.outbox.put(
            "telegram", "1", {"text": "Chào \ud800!", "meta": {"petition": "PA-7K3M9Q"}}, NOW
        )
        await uow.outbox.put("telegram", "1", {"text": "sau đó"}, NOW)
        await uow.commit()
    sender, clock = CrashingSender(), Clock()
    worker = OutboxWorker(store, {"telegram": sender}, clock, reach=REACH)
    for _ in range(4):
        await one_pass(worker)
        clock.now += timedelta(minutes=10)
    assert ("1", "sau đó") in sender.delivered
    async with store.uow() as uow:
        assert await uow.outbox.count("failed") == 1
        [report] = await uow.outbox.for_chat("telegram", "9001")  # the admin: nobody holds PA-7K3M9Q
    assert "PA-7K3M9Q" in report.payload["text"] and "không gửi được" in report.payload["text"]
