"""Composition root: wires storage, handlers, channels, outbox, scheduler and web server."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.config import Settings
from bot.delivery import OutboxWorker, Outlet
from bot.pipeline import Pipeline
from channels.telegram import TelegramChannel
from channels.webchat import WebChatChannel
from domain.deadlines import DeadlinePolicy
from handlers.router import routes
from handlers.services import Services
from qa.search_index import SearchIndex
from scheduled.scheduler import Maintenance
from storage.store import Store
from web.server import make_web_app

log = logging.getLogger(__name__)

DEMO_FILE = Path(__file__).parent / "demo" / "commune.yaml"


def utc_now() -> datetime:
    return datetime.now(UTC)


async def seed_demo_if_empty(store: Store, settings: Settings, now: datetime) -> None:
    """With no messenger configured and an empty database, load the demo commune."""
    if not settings.DEMO_DATA or settings.TELEGRAM_BOT_TOKEN or settings.ZALO_BOT_TOKEN:
        return
    async with store.uow() as uow:
        if await uow.commune.get() is not None:
            return
        from storage.importer import import_data, load_file  # jsonschema: only for the demo seed

        await import_data(uow, load_file(DEMO_FILE), now)
    log.info("empty database: loaded the demo commune from %s", DEMO_FILE.name)


def make_services(store: Store, settings: Settings, clock: Callable[[], datetime]) -> Services:
    """The handler-facing services (also used by the CLI's `ask`)."""
    policy = DeadlinePolicy(
        status_answer_workdays=settings.PETITION_STATUS_ANSWER_WORKDAYS,
        resolve_workdays=settings.PETITION_RESOLVE_WORKDAYS,
        khieu_nai_accept_days=settings.KHIEU_NAI_ACCEPT_DAYS,
        khieu_nai_resolve_days=settings.KHIEU_NAI_RESOLVE_DAYS,
        to_cao_triage_workdays=settings.TO_CAO_TRIAGE_WORKDAYS,
        to_cao_resolve_days=settings.TO_CAO_RESOLVE_DAYS,
        remind_workdays_before=settings.DEADLINE_REMIND_WORKDAYS,
    )
    return Services(
        uow=store.uow,
        clock=clock,
        tz=settings.tz,
        search=SearchIndex(),
        policy=policy,
        max_photo_bytes=settings.MAX_PHOTO_MB * 1024 * 1024,
    )


class App:
    """One running bot; `start()` then `stop()`, or `run_forever()`."""

    def __init__(self, settings: Settings, clock: Callable[[], datetime] = utc_now) -> None:
        self.settings = settings
        self.clock = clock
        self.store = Store(settings.DATABASE_URL)
        self.services = make_services(self.store, settings, clock)
        self.outbox: OutboxWorker | None = None
        self.pipeline = Pipeline(self.store, self.services, routes(), on_queued=self._wake_outbox)
        self.webchat = WebChatChannel(self.store, self.pipeline)
        self.telegram = TelegramChannel(settings, self.pipeline) if settings.TELEGRAM_BOT_TOKEN else None
        channels: dict[str, Outlet] = {"web": self.webchat}
        if self.telegram is not None:
            channels["telegram"] = self.telegram
        self.outbox = OutboxWorker(self.store, channels, clock)
        self.maintenance = Maintenance(
            self.store,
            clock,
            self.pipeline,
            self.services,
            settings.quiet_hours,
            (settings.DIGEST_WEEKDAY, settings.DIGEST_HOUR),
            settings.POSTS_TICK_SECONDS,
        )
        self._runner: web.AppRunner | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.port: int | None = None

    def _wake_outbox(self) -> None:
        if self.outbox is not None:
            self.outbox.wake()

    async def start(self) -> None:
        """Migrate, seed the demo when appropriate, then open every door."""
        await self.store.migrate()
        if self.settings.ZALO_BOT_TOKEN:
            log.warning("ZALO_BOT_TOKEN is set, but the Zalo adapter is not built yet: Zalo stays off")
        await self._seed_demo_if_empty()
        assert self.outbox is not None
        self._spawn(self.outbox.run())
        recovered = await self.pipeline.recover()
        if recovered:
            log.info("handled %d updates left over from the last run", recovered)
        web_app = make_web_app(self.store, self.webchat, self.telegram)
        self._runner = web.AppRunner(web_app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.settings.WEB_HOST, self.settings.WEB_PORT)
        await site.start()
        sockets = getattr(site._server, "sockets", None) or []
        self.port = sockets[0].getsockname()[1] if sockets else self.settings.WEB_PORT
        if self.telegram is not None:
            await self.telegram.start()
        self.maintenance.start()
        log.info("web chat at http://%s:%s/", self.settings.WEB_HOST, self.port)

    async def _seed_demo_if_empty(self) -> None:
        await seed_demo_if_empty(self.store, self.settings, self.clock())

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def stop(self) -> None:
        """Stop receiving, finish handling, stop sending, close the database."""
        await self.maintenance.stop()
        if self.telegram is not None:
            await self.telegram.stop()
        if self._runner is not None:
            await self._runner.cleanup()
        await self.pipeline.drain()
        if self.outbox is not None:
            self.outbox.stop()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.store.close()

    async def run_forever(self) -> None:
        """Run until SIGINT or SIGTERM."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await self.start()
        try:
            await stop.wait()
        finally:
            await self.stop()
