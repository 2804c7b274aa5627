"""The sending half of a process: the store, the channels and the outbox worker, started first.

`python -m bot run` starts this before it imports the rest of the bot (handlers, search, web,
scheduler): a restarted process sends what the outbox holds (a broadcast cut by a crash, answers
stored just before it) as soon as the database is migrated and the channels are built, and the
rest is imported while it sends. Nothing is received before the `App` attaches its pipeline: the
channels' doors (polling, webhooks) open in `App.start()`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bot.config import Settings
from bot.delivery import OutboxWorker, Outlet
from bot.registry import build_channels, reach
from channels.contract import Channel, Inbox
from storage.store import Store

log = logging.getLogger(__name__)


class StartupError(Exception):
    """The bot cannot start for a reason the operator can fix; the message says which, in one line."""


DEMO_FILE = Path(__file__).parent / "demo" / "commune.yaml"


NO_COMMUNE = (
    "Cơ sở dữ liệu chưa có dữ liệu xã: bot chưa trả lời được bà con. "
    "Hãy nhập tệp dữ liệu (import your data file): python -m bot import FILE"
)


def utc_now() -> datetime:
    return datetime.now(UTC)


async def seed_demo_if_empty(store: Store, settings: Settings, now: datetime) -> None:
    """With no messenger configured and an empty database, load the demo commune.

    With a messenger token and an empty database, warn: residents would get no answers.
    """
    async with store.uow() as uow:
        if await uow.commune.get() is not None:
            return
        if settings.TELEGRAM_BOT_TOKEN or settings.ZALO_BOT_TOKEN:
            log.warning(NO_COMMUNE)
            return
        if not settings.DEMO_DATA:
            return
        from storage.importer import import_data, load_file  # jsonschema: only for the demo seed

        await import_data(uow, load_file(DEMO_FILE), now)
    log.info("empty database: loaded the demo commune from %s", DEMO_FILE.name)


def open_store(settings: Settings) -> Store:
    """The store of the commune this process serves (COMMUNE_ID, else the database's only one)."""
    return Store(settings.DATABASE_URL, commune_slug=settings.COMMUNE_ID or None)


class LateInbox:
    """The channels' inbox before the pipeline exists: it forwards to the pipeline once attached.

    Channels receive only once started (`App.start()`), after the pipeline is attached.
    """

    def __init__(self) -> None:
        self._to: Inbox | None = None

    def attach(self, inbox: Inbox) -> None:
        self._to = inbox

    def _inbox(self) -> Inbox:
        if self._to is None:
            raise RuntimeError("an update came before the pipeline was attached")
        return self._to

    async def accept(
        self, channel: str, key: str, payload: dict[str, Any], sender: str | None = None
    ) -> int | None:
        return await self._inbox().accept(channel, key, payload, sender)

    def process_later(self, inbound_id: int, channel: str, payload: dict[str, Any]) -> None:
        self._inbox().process_later(inbound_id, channel, payload)

    async def process(self, inbound_id: int, channel: str, payload: dict[str, Any]) -> Any:
        return await self._inbox().process(inbound_id, channel, payload)


class Outbound:
    """Store, channels and outbox worker; `start()` migrates and starts sending, `stop()` ends it."""

    def __init__(
        self, settings: Settings, clock: Callable[[], datetime], started: datetime | None = None
    ) -> None:
        """`started`: when the process started (the sender before it had died by then, on SQLite)."""
        self._settings, self._clock = settings, clock
        self.store = open_store(settings)
        self.inbox = LateInbox()
        self.channels: dict[str, Channel] = build_channels(settings, self.inbox, self.store)
        outlets: dict[str, Outlet] = dict(self.channels)
        self.outbox = OutboxWorker(self.store, outlets, clock, reach=reach(settings), started=started)
        self._task: asyncio.Task[None] | None = None

    @property
    def started(self) -> bool:
        return self._task is not None

    async def start(self, check_writable: bool = False) -> None:
        """Migrate, seed the demo when appropriate, then send: the worker claims what is due at
        once (a restart after a crash)."""
        await self.store.migrate()
        if check_writable:  # fail now, in one line, rather than in every job later
            async with self.store.engine.begin() as conn:
                await conn.execute(text("UPDATE alembic_version SET version_num = version_num"))
        await seed_demo_if_empty(self.store, self._settings, self._clock())
        self._task = asyncio.ensure_future(self.outbox.run())

    async def stop(self) -> None:
        """Stop sending once what is under way is sent and recorded."""
        self.outbox.stop()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
