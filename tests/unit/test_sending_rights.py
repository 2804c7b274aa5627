"""One sender per bot on PostgreSQL (storage/sending.py) through lost connections: a sender that
is alive when its connection to the database goes (a database restart) keeps its channel, so what
it sent but had not recorded yet is not sent again by another process (a resident told twice)."""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg
import pytest

from bot.delivery import OutboxWorker
from channels.contract import SendResult
from storage.sending import LOCK_SPACE, conninfo
from storage.store import Store
from tests.unit.test_outbox import Clock, RecordingSender, put


class HeldSender(RecordingSender):
    """Holds each send until `go` is set, as a send under way when the database went."""

    def __init__(self) -> None:
        super().__init__()
        self.sending = asyncio.Event()
        self.go = asyncio.Event()

    async def send(self, chat_id: str, payload: dict[str, Any]) -> SendResult:
        self.sending.set()
        await self.go.wait()
        return await super().send(chat_id, payload)


def lock_backends(url: str) -> tuple[int, list[int]]:
    """The backend holding a sending lock, and the other backends trying to take it."""
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        row = conn.execute(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = %s", (LOCK_SPACE,)
        ).fetchone()
        assert row is not None, "nobody holds the sending lock"
        listening = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND (query LIKE 'LISTEN%%' OR query LIKE '%%pg_try_advisory_lock(%%')"
        ).fetchall()
    return int(row[0]), [int(pid) for (pid,) in listening if pid != row[0]]


def terminate(url: str, pids: list[int]) -> None:
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        for pid in pids:
            conn.execute("SELECT pg_terminate_backend(%s)", (pid,))


async def until(check: Any, seconds: float) -> bool:
    for _ in range(int(seconds / 0.05)):
        if check():
            return True
        await asyncio.sleep(0.05)
    return False


async def test_a_sender_alive_through_lost_connections_keeps_its_channel_and_nothing_goes_twice(
    store: Store,
) -> None:
    if store.dialect != "postgresql":
        pytest.skip("SQLite serves one process, which sends for every channel")
    clock = Clock()
    first, second = HeldSender(), RecordingSender()
    sending = OutboxWorker(store, {"telegram": first}, clock)
    running = [asyncio.create_task(sending.run())]
    await put(store, "1", "m")
    await asyncio.wait_for(first.sending.wait(), 10)  # it holds the lock and sends "m"
    standby = OutboxWorker(store, {"telegram": second}, clock)
    running.append(asyncio.create_task(standby.run()))
    try:
        await asyncio.sleep(0.5)
        holder, others = await asyncio.to_thread(lock_backends, store.database_url)
        assert others, "the second process does not listen"
        # The database goes from under both, the standby's connection first: it is back, and
        # polling, while the sender is still reconnecting.
        await asyncio.to_thread(terminate, store.database_url, others)
        await asyncio.sleep(1.0)
        await asyncio.to_thread(terminate, store.database_url, [holder])
        await asyncio.sleep(4.0)  # the standby would have taken the channel over by now
        first.go.set()  # the send under way all along succeeds and is recorded
        assert await until(lambda: first.delivered, 10)
        await asyncio.sleep(1.0)  # a second copy would show itself now
        assert first.delivered + second.delivered == [("1", "m")]
        async with store.uow() as uow:
            assert await uow.outbox.count("sent") == 1
    finally:
        first.go.set()
        for worker in (sending, standby):
            worker.stop()
        await asyncio.gather(*running)
