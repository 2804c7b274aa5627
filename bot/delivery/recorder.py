"""Recording what the sends came to, right after sending and beside the sends (group commit).

A send never waits for the database: each chat task hands its outcomes over and goes on; one
recording task stores all that came meanwhile in one transaction (`outcomes.record_retrying`), so
a crash can repeat only the last few sends. A chat is free again once its outcomes are stored.

It also watches for a channel that sends again after an outage: a send failing without a given
delay puts its chat in back-off (up to 5 min); when the channel sends again after two chats or
more failed (it was down, not one chat), they are made due with the next recording.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from bot.delivery.claims import ChatKey
from bot.delivery.outcomes import Outcome, record_retrying
from channels.contract import Retry, SendResult
from domain.reach import Reach
from storage.store import Store

log = logging.getLogger("bot.delivery.worker")


class Recorder:
    """One per worker; `commune` is the sender's, set once the worker has resolved it."""

    def __init__(self, store: Store, reach: Reach, wake: Callable[[], None]) -> None:
        """`wake`: called when chats held by back-off were made due (the worker claims them)."""
        self._store = store
        self._reach = reach
        self._wake = wake
        self.commune: int | None = None
        self._pending: list[Outcome] = []
        self._backed_off: dict[str, set[str]] = {}  # channel -> chats put in back-off since it last sent
        self._to_wake: list[ChatKey] = []  # held chats to bring forward with the next recording
        self._batch_stored: asyncio.Future[None] | None = None
        self._task: asyncio.Task[None] | None = None

    def note(self, key: ChatKey, result: SendResult) -> None:
        """A send failing without a given delay puts its chat in back-off (up to 5 min); when the
        channel sends again after two chats or more failed (it was down, not one chat), they are due."""
        channel, chat = key
        if isinstance(result, Retry) and result.after is None:
            self._backed_off.setdefault(channel, set()).add(chat)
        elif not isinstance(result, Retry):
            held = self._backed_off.pop(channel, set())
            if len(held) >= 2:
                self._to_wake += [(channel, other) for other in held if other != chat]

    def soon(self, outcomes: list[Outcome]) -> asyncio.Future[None]:
        """Record right after sending (group commit): a crash can repeat only the last few sends.

        The recording runs beside the sends: a send never waits for the database. The future is
        done once these outcomes are stored.
        """
        self._pending.extend(outcomes)
        if self._batch_stored is None:
            self._batch_stored = asyncio.get_running_loop().create_future()
        stored = self._batch_stored
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._flush())
        return stored

    async def idle(self) -> None:
        """Wait until what was handed over is stored."""
        if self._task is not None:
            await self._task

    async def _flush(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            wake, self._to_wake = self._to_wake, []
            stored, self._batch_stored = self._batch_stored, None
            try:
                await record_retrying(self._store, self._reach, batch, wake, self.commune)
                if wake:
                    log.info("outbox: sending again; %d chats in back-off are due now", len(wake))
                    self._wake()
            except Exception:  # the leases run out and the messages go out again
                log.exception("outbox: recording %d outcomes failed", len(batch))
            finally:
                if stored is not None and not stored.done():
                    stored.set_result(None)
