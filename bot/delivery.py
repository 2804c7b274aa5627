"""Send what the outbox holds: in order per chat, concurrently across chats, retried until delivered."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta

from channels.contract import Failed, Retry, Sender, SendResult, Sent
from storage.models import OutboxMessage
from storage.store import Store

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
MAX_BACKOFF_SECONDS = 300.0


def backoff(attempts: int) -> float:
    """Seconds to wait after the n-th failed attempt (2, 4, 8 … up to 5 minutes)."""
    return min(MAX_BACKOFF_SECONDS, 2.0 ** max(1, attempts + 1))


class OutboxWorker:
    """One loop per process; wake it after queueing messages."""

    def __init__(
        self,
        store: Store,
        senders: dict[str, Sender],
        clock: Callable[[], datetime],
        batch: int = 200,
        concurrency: int = 8,
    ) -> None:
        self._store = store
        self._senders = senders
        self._clock = clock
        self._batch = batch
        self._slots = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()
        self._stopping = False
        self._pending: list[tuple[OutboxMessage, SendResult]] = []
        self._record_lock = asyncio.Lock()
        self._recorder: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        """Loop until stopped: send due messages, then sleep until woken or the next one is due."""
        # SQLite serves one process: every lease left is ours from before a crash, so it is taken
        # back at once. On PostgreSQL other live processes hold leases too; those of a dead one
        # go back when they expire (scheduled/jobs.py), never while their owner may still send.
        now = self._clock()
        async with self._store.uow() as uow:
            released = await uow.outbox.release_expired(
                now + LEASE * 2 if self._store.dialect == "sqlite" else now
            )
            await uow.commit()
        if released:
            log.info("outbox: %d messages from a previous run go out again", released)
        while not self._stopping:
            self._wake.clear()  # before the pass, so a wake() or stop() during it is kept
            try:
                sent = await self.run_once()
            except Exception:
                log.exception("outbox pass failed")
                sent = 0
            if sent or self._stopping:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=await self._idle_seconds())

    async def _idle_seconds(self) -> float:
        async with self._store.uow() as uow:
            due = await uow.outbox.next_due_at(list(self._senders))
        if due is None:
            return 5.0
        return min(5.0, max(0.05, (due - self._clock()).total_seconds()))

    async def run_once(self) -> int:
        """One pass over due messages; returns how many were attempted."""
        async with self._store.uow() as uow:
            claimed = await uow.outbox.claim_due(list(self._senders), self._clock(), self._batch, LEASE)
            await uow.commit()
        if not claimed:
            return 0
        by_chat: dict[tuple[str, str], list[OutboxMessage]] = defaultdict(list)
        for message in claimed:
            by_chat[(message.channel, message.chat_id)].append(message)
        await asyncio.gather(*(self._send_chat(msgs) for msgs in by_chat.values()))
        if self._recorder is not None:
            await self._recorder  # the pass ends when its outcomes are stored
        return len(claimed)

    async def _send_chat(self, messages: list[OutboxMessage]) -> None:
        """Send one chat's messages in order; stop at the first that must wait."""
        async with self._slots:
            for index, message in enumerate(messages):
                try:
                    result = await self._senders[message.channel].send(message.chat_id, message.payload)
                except Exception as exc:  # a sender bug must not lose the message
                    log.exception("sender crashed on outbox %s", message.id)
                    result = Retry(None, repr(exc))
                outcomes: list[tuple[OutboxMessage, SendResult]] = [(message, result)]
                if isinstance(result, Retry):
                    outcomes += [
                        (m, Retry(result.after, "waiting for an earlier message"))
                        for m in messages[index + 1 :]
                    ]
                self._record_soon(outcomes)
                if isinstance(result, Retry):
                    return

    def _record_soon(self, outcomes: list[tuple[OutboxMessage, SendResult]]) -> None:
        """Record right after sending (group commit): a crash can repeat only the last few sends.

        The recording runs beside the sends: a send slot never waits for the database.
        """
        self._pending.extend(outcomes)
        if self._recorder is None or self._recorder.done():
            self._recorder = asyncio.create_task(self._flush())

    async def _flush(self) -> None:
        async with self._record_lock:
            while self._pending:
                batch, self._pending = self._pending, []
                await self._record(batch)

    async def _record(self, outcomes: list[tuple[OutboxMessage, SendResult]]) -> None:
        now = self._clock()
        async with self._store.uow() as uow:
            delivered = [(m.id or 0, r.external_id) for m, r in outcomes if isinstance(r, Sent)]
            await uow.outbox.mark_sent(delivered, now)
            for message, result in outcomes:
                if isinstance(result, Retry):
                    delay = result.after if result.after is not None else backoff(message.attempts)
                    await uow.outbox.retry_later(message, now + timedelta(seconds=delay), result.error)
                elif isinstance(result, Failed):
                    log.warning("outbox %s to %s given up: %s", message.id, message.channel, result.error)
                    await uow.outbox.fail(message.id or 0, result.error)
            await uow.commit()
