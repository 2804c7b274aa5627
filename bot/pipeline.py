"""Persist first, then act: store each update once, route it, queue the replies in one transaction."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any, overload

from bot.flood import NOTICE as FLOOD_NOTICE
from bot.flood import FloodGate
from channels.contract import Capabilities
from domain import choices
from domain.messages import Incoming, Reply
from handlers.router import Route, pick
from handlers.services import Ctx, Services, Via
from storage.db import transient
from storage.repositories.inbound import SET_ASIDE
from storage.repositories.outbox import ANSWER, POST
from storage.store import Store
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

Parser = Callable[[dict[str, Any]], Incoming | None]
SORRY = (
    "Xin lỗi, hệ thống đang gặp trục trặc khi xử lý tin nhắn của bà con. Bà con vui lòng thử lại sau ít phút."
)

ACCEPT_BATCH = 200  # updates per INSERT (SQLite allows 32,766 bound values; 7 per row)
KEY_MAX = 64  # inbound_update.update_key and .sender


@overload
def bounded(value: str) -> str: ...
@overload
def bounded(value: None) -> None: ...
def bounded(value: str | None) -> str | None:
    """A key or sender id that fits its column (64): a longer one, which no messenger sends but a
    forged or broken update may carry, becomes its digest; one in a batch would fail them all."""
    if value is None or len(value) <= KEY_MAX:
        return value
    return "sha256:" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[: KEY_MAX - 7]


# A database that went away (a restart, a failover, a lost connection) is waited for before an
# update is answered with SORRY: its unit of work is run again after each of these pauses.
DB_RETRY_SECONDS = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0)


class Pipeline:
    """From a channel's raw update to replies in the outbox."""

    def __init__(
        self,
        store: Store,
        services: Services,
        routes: tuple[Route, ...],
        on_queued: Callable[[], None],
        max_concurrency: int = 32,
    ) -> None:
        self._store = store
        self._svc = services
        self._routes = routes
        self._on_queued = on_queued
        self._parsers: dict[str, Parser] = {}
        self._buttons: dict[str, bool] = {}
        self._via: dict[str, Via] = {}  # what each channel's people can send, what it is called
        self._slots = asyncio.Semaphore(max_concurrency)
        self._tasks: set[asyncio.Task[list[Reply]]] = set()
        self._chat_locks: dict[tuple[str, str], asyncio.Lock] = {}
        self._chat_users: dict[tuple[str, str], int] = {}
        self._waiting: list[tuple[str, str, dict[str, Any], str | None, asyncio.Future[int | None]]] = []
        self._writer: asyncio.Task[None] | None = None
        self._flood = FloodGate()
        self._notices: set[asyncio.Future[None]] = set()

    def wake_outbox(self) -> None:
        """Tell the outbox worker that messages were queued outside a handled update."""
        self._on_queued()

    def register(self, channel: str, parser: Parser, capabilities: Capabilities | None = None) -> None:
        """Tell the pipeline how to read a channel's stored payloads, and what the channel shows.

        Without buttons (`capabilities.buttons` false), a typed number or word answers the choices
        of the bot's last message in the chat. Without capabilities the channel is taken to have
        buttons (as before): only replies marked `choices.TYPED` take typed answers there.
        """
        self._parsers[channel] = parser
        self._buttons[channel] = capabilities.buttons if capabilities is not None else True
        if capabilities is not None:
            self._via[channel] = Via(
                label=capabilities.label,
                takes_photos=capabilities.takes_photos,
                takes_location=capabilities.takes_location,
                secret_ids=capabilities.secret_ids,
            )

    async def accept(
        self, channel: str, key: str, payload: dict[str, Any], sender: str | None = None
    ) -> int | None:
        """Store an update; None when it was already received (a redelivery).

        Concurrent calls are group-committed (one INSERT and one commit for every update waiting);
        each caller returns only after the commit that stored its update.
        """
        future: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        self._waiting.append((channel, bounded(key), payload, bounded(sender), future))
        if self._writer is None:
            self._writer = asyncio.create_task(self._store_waiting())
        return await future

    async def _store_waiting(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[:ACCEPT_BATCH], self._waiting[ACCEPT_BATCH:]
                rows = {(c, k): (c, k, p, s) for c, k, p, s, _ in batch}
                try:
                    async with self._store.uow() as uow:
                        ids = await uow.inbound.add_many_if_new(list(rows.values()), self._svc.clock())
                        await uow.commit()
                except Exception as exc:  # every waiting webhook answers 500; Telegram redelivers
                    for *_, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for c, k, _, _, future in batch:
                    if not future.done():
                        future.set_result(ids.pop((c, k), None))  # a repeat within the batch: None
        finally:
            self._writer = None

    def process_later(self, inbound_id: int, channel: str, payload: dict[str, Any]) -> None:
        """Handle a stored update in the background (the webhook answers at once)."""
        task = asyncio.create_task(self.process(inbound_id, channel, payload))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def process(
        self, inbound_id: int, channel: str, payload: dict[str, Any], *, leftover: bool = False
    ) -> list[Reply]:
        """Route a stored update; replies and 'handled' are committed together.

        Updates of one chat are handled one after another, in the order they arrived, so
        answers come back in the order of the questions; different chats run concurrently.
        A `leftover` (stored before a crash) never earns its sender the flood notice.
        """
        try:
            msg = self._parsers[channel](payload)
            if msg is not None and max(len(msg.chat_id), len(msg.user_id)) > KEY_MAX:
                raise ValueError(f"chat or user id longer than {KEY_MAX} characters")  # no messenger's
        except Exception as exc:  # unreadable: set aside with its error, never retried on its own
            log.warning("update %s of %s cannot be read; set aside: %r", inbound_id, channel, exc)
            await self._set_aside(inbound_id, exc)
            return []
        chat = (channel, msg.chat_id if msg is not None else "")
        person = (*chat, msg.user_id if msg is not None else "")
        lock = self._chat_locks.setdefault(chat, asyncio.Lock())
        self._chat_users[chat] = self._chat_users.get(chat, 0) + 1
        if self._flood.arrive(person) and msg is not None and msg.chat_type == "private" and not leftover:
            # beside the update, not before it: nothing may come between arrival and the chat's queue
            notice = asyncio.ensure_future(self._tell_flooding(msg))
            self._notices.add(notice)
            notice.add_done_callback(self._notices.discard)
        try:
            async with lock, self._flood.turn(person), self._slots:
                try:
                    replies = await self._handle_retrying(inbound_id, msg)
                except Exception as exc:  # one error boundary: log, apologise, keep going
                    log.exception("handling update %s failed", inbound_id)
                    try:
                        replies = await self._fail(inbound_id, msg, exc)
                    except Exception:  # not even the apology could be stored: never retried
                        log.exception("update %s: the apology failed too; set aside", inbound_id)
                        await self._set_aside(inbound_id, exc)
                        replies = []
        finally:
            self._flood.depart(person)
            # Forget the chat's lock only when no update of it is queued: a released lock with a
            # waiter about to run is not locked for a moment, and a new lock then would let a
            # later update of the chat overtake an earlier one.
            self._chat_users[chat] -= 1
            if not self._chat_users[chat]:
                del self._chat_users[chat], self._chat_locks[chat]
        if replies:
            self._on_queued()
        return replies

    async def _handle_retrying(self, inbound_id: int, msg: Incoming | None) -> list[Reply]:
        """Handle; when the database went away meanwhile, handle again from the start once it is
        back (the failed unit of work was rolled back, and a commit that did land marked the update
        handled, so the repeat queues nothing twice)."""
        for pause in DB_RETRY_SECONDS:
            try:
                return await self._handle(inbound_id, msg)
            except Exception as exc:
                if not transient(exc):
                    raise
                log.warning("update %s: the database failed (%s); again in %.1f s", inbound_id, exc, pause)
            await asyncio.sleep(pause)
        return await self._handle(inbound_id, msg)

    async def _handle(self, inbound_id: int, msg: Incoming | None) -> list[Reply]:
        async with self._store.uow() as uow:
            now = self._svc.clock()
            replies: list[Reply] = []
            if msg is not None:
                msg = await self._chosen(uow, msg)
            handler = pick(self._routes, msg) if msg is not None else None
            if msg is not None and handler is not None:
                ctx = Ctx(uow=uow, svc=self._svc, now=now, via=self._via.get(msg.channel, Via()))
                replies = await handler(msg, ctx)
                for reply in replies:
                    channel, chat = reply.channel or msg.channel, reply.chat_id or msg.chat_id
                    await uow.outbox.put(
                        channel, chat, reply.payload(), now, priority=_priority(msg, channel, chat)
                    )
            if not await uow.inbound.mark(inbound_id, "handled", now):
                return []  # handled meanwhile by a recovery pass: the rollback drops our replies
            await uow.commit()
        return replies

    async def _chosen(self, uow: UnitOfWork, msg: Incoming) -> Incoming:
        """A typed answer to the choices of the bot's last message becomes that button's press."""
        if msg.button is not None or msg.attachments or not choices.may_choose(msg.text):
            return msg
        last = await uow.outbox.last_to_chat(msg.channel, msg.chat_id)
        if last is None or not last.payload.get("buttons"):
            return msg
        if self._buttons.get(msg.channel, True) and not last.payload.get("meta", {}).get(choices.TYPED):
            return msg
        data = choices.resolve(msg.text, choices.choices(last.payload["buttons"]))
        if data is None:
            return msg
        # As a press of that button: no text, and the message it was under (for gui:fromq).
        return dataclasses.replace(msg, button=data, text="", message_id=last.external_id)

    async def _fail(self, inbound_id: int, msg: Incoming | None, exc: Exception) -> list[Reply]:
        async with self._store.uow() as uow:
            now = self._svc.clock()
            replies = []
            if msg is not None and msg.chat_type == "private":
                replies = [Reply(SORRY)]
                await uow.outbox.put(msg.channel, msg.chat_id, replies[0].payload(), now, priority=ANSWER)
            await uow.inbound.mark(inbound_id, "failed", now, error=repr(exc)[:500])
            await uow.commit()
        return replies

    async def recover(self, min_age: timedelta = timedelta(0)) -> int:
        """Handle updates stored before a crash but never handled; returns how many."""
        return await (await self.start_recovery(min_age))

    async def start_recovery(self, min_age: timedelta = timedelta(0)) -> asyncio.Future[int]:
        """Start handling the updates stored before a crash but never handled: each chat's in order,
        chats side by side; updates accepted after this returns queue behind them in their chat.
        The future gives how many once all are handled. One that cannot be handled is set aside."""
        async with self._store.uow() as uow:
            stale = await uow.inbound.unhandled(
                received_before=self._svc.clock() - min_age, channels=list(self._parsers)
            )
            pending = [(u.id, u.channel, u.payload) for u in stale if u.id is not None]
        # created in order, without a pause between: each takes its place in its chat's queue
        tasks = [asyncio.ensure_future(self._recover_one(i, c, p)) for i, c, p in pending]
        return asyncio.ensure_future(_count(tasks))

    async def _recover_one(self, inbound_id: int, channel: str, payload: dict[str, Any]) -> None:
        try:
            await self.process(inbound_id, channel, payload, leftover=True)
        except Exception as exc:
            log.exception("recovering update %s failed; set aside", inbound_id)
            with contextlib.suppress(Exception):
                await self._set_aside(inbound_id, exc)

    async def _tell_flooding(self, msg: Incoming) -> None:
        """One polite notice when a person starts sending far faster than people do."""
        with contextlib.suppress(Exception):  # a notice that fails must not cost the update
            async with self._store.uow() as uow:
                await uow.outbox.put(
                    msg.channel,
                    msg.chat_id,
                    Reply(FLOOD_NOTICE).payload(),
                    self._svc.clock(),
                    priority=ANSWER,
                )
                await uow.commit()
            self._on_queued()

    async def _set_aside(self, inbound_id: int, exc: BaseException) -> None:
        async with self._store.uow() as uow:
            await uow.inbound.mark(inbound_id, SET_ASIDE, self._svc.clock(), error=repr(exc)[:500])
            await uow.commit()

    async def drain(self) -> None:
        """Wait for background handling to finish (shutdown)."""
        while self._tasks or self._notices:
            await asyncio.gather(*list(self._tasks), *list(self._notices), return_exceptions=True)


def _priority(msg: Incoming, channel: str, chat_id: str) -> int:
    """An answer back to the person who wrote privately leaves before group posts and broadcasts."""
    private = msg.chat_type == "private" and (channel, chat_id) == (msg.channel, msg.chat_id)
    return ANSWER if private else POST


async def _count(tasks: list[asyncio.Task[None]]) -> int:
    await asyncio.gather(*tasks)
    return len(tasks)
