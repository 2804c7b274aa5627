"""Send what the outbox holds: each chat in its own task, in order; no chat waits for another.

The loop claims what may go now and starts one task per chat; it claims again while those run,
skipping chats that still have a task. What a chat may receive is the channel's `Budget`:
long windows (Telegram: 20 a minute per group) are kept by claiming only what fits and putting
the rest off until the window frees, counted from the `sent_at` of earlier rows (so a restart
remembers them, `claims.within_windows`); short ones (30 a second per bot, one a second per
private chat) by in-memory grids whose waits stay under a second, inside the task of the chat
concerned (`pacers`). What the sends came to is stored beside them (`recorder`).

Answers a person waits for in a private chat (`ANSWER` priority) are claimed first and take the
bot-wide budget before group posts and broadcasts waiting for it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from bot.delivery import undeliverable
from bot.delivery.carry import carry_over
from bot.delivery.claims import ChatKey, ClaimTimer, within_windows
from bot.delivery.outcomes import Outcome
from bot.delivery.pacers import Outlet, Pacers
from bot.delivery.recorder import Recorder
from channels.contract import Failed, Retry, SendResult
from domain.reach import Reach
from storage.models import OutboxMessage
from storage.repositories.outbox import POST
from storage.sending import SendingRights
from storage.store import Store
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)


class OutboxWorker:
    """One loop per process; wake it after queueing messages."""

    def __init__(
        self,
        store: Store,
        channels: Mapping[str, Outlet],
        clock: Callable[[], datetime],
        batch: int = 200,
        concurrency: int = 100,
        monotonic: Callable[[], float] = time.monotonic,
        pass_gap: float = 0.05,
        reach: Reach | None = None,
        rights: SendingRights | None = None,
        started: datetime | None = None,
    ) -> None:
        """`started`: when this process started (SQLite: any sender before it has died by then)."""
        self._store = store
        self._started = started or clock()
        # PostgreSQL: one process per deployment sends for each channel (its budget is the bot's)
        scope = store.commune_slug or str(store.commune_id or "")
        self._rights = rights or SendingRights(store.database_url, self.wake, scope)
        self._channels = dict(channels)
        self._clock = clock
        self._batch = batch
        self._concurrency = concurrency
        self._pass_gap = pass_gap
        self._chats: dict[ChatKey, asyncio.Task[None]] = {}
        self._wake = asyncio.Event()
        self._stopping = False
        self._claims = ClaimTimer(monotonic, concurrency)  # when run() claims again
        self._monotonic = monotonic
        self._commune: int | None = None  # resolved once by run(): no lookup in every transaction
        self._recorder = Recorder(store, reach or Reach(), self.wake)
        self._pacers = Pacers(self._channels, monotonic)
        self.first_pass = asyncio.Event()  # set once the first claim is made (its sends have begun)

    def wake(self) -> None:
        """Messages were queued (or may be sent now): the next pass claims at once."""
        self._claims.queued()
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        """Loop until stopped: claim what may go, then sleep until woken or the next one is due."""
        # SQLite serves one process: every lease left is ours from before a crash, so it is taken
        # back at once. On PostgreSQL one process sends for each channel (storage/sending.py): the
        # pass after it takes a channel over puts that channel's leases back (their owner stopped
        # or died); leases of channels nobody sends for expire (scheduled/jobs.py).
        await self._rights.start(list(self._channels))
        now = self._clock()
        sqlite = self._store.dialect == "sqlite"
        async with self._store.uow() as uow:
            if sqlite:  # what the last run sent in its last second counts against ours
                leased = await uow.outbox.leased_chats(list(self._channels))
                await self._carry_over(uow, list(self._channels), self._started, leased)
            released = await uow.outbox.release_expired(now + LEASE * 2 if sqlite else now)
            await uow.commit()
            self._commune = self._recorder.commune = uow.commune_id
        if released:
            log.info("outbox: %d messages from a previous run go out again", released)
        try:
            while not self._stopping:
                self._wake.clear()  # before the pass, so a wake() or stop() during it is kept
                wait = True
                timeout: float | None = self._claims.seconds_to_reclaim()
                if len(self._chats) >= self._concurrency:
                    timeout = None  # until a chat is done
                elif self._claims.claim_now(len(self._chats)):
                    try:
                        claimed = await self.run_once()
                    except Exception:
                        log.exception("outbox pass failed")
                        claimed = 0
                    if self._stopping:
                        break
                    wait = not claimed
                    self.first_pass.set()
                    timeout = None if claimed else await self._idle_seconds()
                if wait:
                    try:
                        await asyncio.wait_for(self._wake.wait(), timeout=timeout)
                    except TimeoutError:
                        self._claims.queued()  # a message held until now may be due
                # Wake-ups (a reply queued, a chat done) come in bursts: one claim serves all that
                # came within the gap, and the database (SQLite: one writer) is not asked per message.
                await asyncio.sleep(self._pass_gap)
        finally:
            self.first_pass.set()
            await self.idle()
            await self._rights.close()

    async def idle(self) -> None:
        """Wait until every chat task has ended and its outcomes are stored."""
        while self._chats:
            await asyncio.gather(*list(self._chats.values()), return_exceptions=True)
        await self._recorder.idle()

    async def _idle_seconds(self) -> float:
        channels = self._rights.held(list(self._channels))
        if not channels:  # another process sends; we wait to take over (woken when we do)
            return 5.0
        try:
            async with self._store.uow(self._commune) as uow:
                due = await uow.outbox.next_due_at(channels, set(self._chats))
        except Exception as exc:  # the database went away (a restart): the loop must live on
            log.warning("outbox: cannot read the next due time (%s); trying again in 1 s", exc)
            return 1.0
        if due is None:
            return 5.0
        return min(5.0, max(0.05, (due - self._clock()).total_seconds()))

    async def run_once(self) -> int:
        """Claim what may go now to chats without a task, and start their tasks; returns how many.

        The tasks run on after it returns (`idle()` waits for them).
        """
        free = self._concurrency - len(self._chats)
        channels = self._rights.held(list(self._channels))
        if free <= 0 or self._stopping or not channels:
            return 0
        now = self._clock()
        queued = self._claims.start_claim()
        limit = min(self._batch, 2 * free)  # a chat's next few messages come with its first
        async with self._store.uow(self._commune) as uow:
            if taken := self._rights.taken():  # their last sender is gone: its leases go out again
                leased = await uow.outbox.leased_chats(list(taken))
                await self._carry_over(
                    uow, list(taken), now, {k: n for k, n in leased.items() if k not in self._chats}
                )
                released = await uow.outbox.release_leases(list(taken), set(self._chats))
                log.info("outbox: took over sending for %s; %d leased messages go out again", taken, released)
            rows = await uow.outbox.due_heads(channels, now, limit, set(self._chats))
            waiting: set[ChatKey] = set()
            if queued and self._chats:  # what was queued to a chat being sent to goes when it is done
                waiting = await uow.outbox.queued_to(list(self._chats))
            by_chat: dict[ChatKey, list[OutboxMessage]] = {}
            for row in rows:
                key = (row.channel, row.chat_id)
                if key in by_chat or len(by_chat) < free:
                    by_chat.setdefault(key, []).append(row)
            left_behind = len(rows) >= limit or len(by_chat) < len({(r.channel, r.chat_id) for r in rows})
            self._claims.claimed(left_behind=left_behind, waiting=waiting)
            for messages in by_chat.values():  # in order, whatever their priorities
                messages.sort(key=lambda m: m.id or 0)
            rates = {key: rate for key in by_chat if (rate := self._pacers.scheduled_rate(key)) is not None}
            await within_windows(uow.outbox, by_chat, rates, now)  # a chat whose window is spent waits
            claimed = [m for messages in by_chat.values() for m in messages]
            await uow.outbox.lease([m.id or 0 for m in claimed], now, LEASE)
            await uow.commit()
        for key, messages in by_chat.items():
            self._chats[key] = asyncio.create_task(self._send_chat(key, messages))
        return len(claimed)

    async def _carry_over(
        self, uow: UnitOfWork, channels: list[str], start: datetime, leased: dict[ChatKey, int]
    ) -> None:
        """Count the sends of the channels' last sender, which stopped or died before `start`."""
        assumed = await carry_over(
            uow, channels, start, leased, self._pacers.bot, self._pacers.chat, self._clock, self._monotonic
        )
        if assumed:
            log.info(
                "outbox: up to %d sends of the last sender may be unrecorded; counted as just sent", assumed
            )

    async def _send_chat(self, key: ChatKey, messages: list[OutboxMessage]) -> None:
        """Send one chat's messages in order; stop at the first that must wait."""
        stored: asyncio.Future[None] | None = None
        try:
            for index, message in enumerate(messages):
                if self._stopping:
                    stored = self._recorder.soon([Outcome(m, None, self._clock()) for m in messages[index:]])
                    break
                result = await self._send_one(key, message)
                self._recorder.note(key, result)
                at = self._clock()
                outcomes = [Outcome(message, result, at)]
                if isinstance(result, Retry):  # the rest wait behind it (retry_later holds them)
                    outcomes += [Outcome(m, None, at) for m in messages[index + 1 :]]
                stored = self._recorder.soon(outcomes)
                if isinstance(result, Retry):
                    break
            if stored is not None:  # the chat is free again once its outcomes are stored
                await asyncio.shield(stored)
        except Exception:
            log.exception(
                "outbox: sending %s %s failed", key[0], [m.id for m in messages]
            )  # ids, never chats
        finally:
            self._chats.pop(key, None)
            self._claims.chat_done(key)  # messages queued to it while it was busy go next
            self._wake.set()

    async def _send_one(self, key: ChatKey, message: OutboxMessage) -> SendResult:
        channel = self._channels[key[0]]
        urgent = message.priority < POST  # an answer a person waits for goes before posts
        per_chat, per_bot = self._pacers.slots(key, urgent)
        try:
            async with per_chat, per_bot:
                return await channel.send(message.chat_id, message.payload)
        except Exception as exc:  # a sender bug must not lose the message, nor block its chat for good
            log.exception("sender crashed on outbox %s", message.id)
            if undeliverable.gives_up(message):
                return Failed(f"cannot be sent: {exc!r}"[:300])
            return Retry(None, repr(exc))
