"""Composition root: wires storage, handlers, channels, outbox, scheduler and web server."""

from __future__ import annotations

import asyncio
import errno
import logging
import signal
from collections.abc import Callable, Coroutine
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aiohttp import web

from bot import console_services
from bot.config import Settings
from bot.delivery import OutboxWorker, Outlet
from bot.pipeline import Pipeline
from bot.registry import build_channels, reach
from domain.deadlines import DeadlinePolicy
from domain.messages import Reply
from domain.paper import PaperPetition
from domain.petition_actions import Refusal, Rules
from domain.petitions import Op
from handlers import officials, petition_filing
from handlers.officials import Acted
from handlers.router import routes
from handlers.services import Ctx, Services
from qa.searcher import SearchIndex
from qa.vectors import semantic_search
from scheduled.publish import Publisher
from scheduled.scheduler import Maintenance
from storage.models import Official, Petition
from storage.store import Store, stored_timezone
from storage.uow import UnitOfWork
from web.board.routes import Board
from web.console.app import Act, Console
from web.console.paper import FilePaper
from web.server import make_web_app

log = logging.getLogger(__name__)

DEMO_FILE = Path(__file__).parent / "demo" / "commune.yaml"


NO_COMMUNE = (
    "Cơ sở dữ liệu chưa có dữ liệu xã: bot chưa trả lời được bà con. "
    "Hãy nhập tệp dữ liệu (import your data file): python -m bot import FILE"
)


class StartupError(Exception):
    """The bot cannot start for a reason the operator can fix; the message says which, in one line."""


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


def local_zone(settings: Settings) -> ZoneInfo:
    """The time zone people read dates in: the commune's own (data file), else the TIMEZONE setting."""
    name = stored_timezone(settings.DATABASE_URL, commune_slug=settings.COMMUNE_ID or None)
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            log.warning("the data file's time zone %r is unknown; using TIMEZONE=%s", name, settings.TIMEZONE)
    return settings.tz


def console_act(services: Services) -> Act:
    """The console acts on a petition through the chat's own function (handlers.officials.act)."""

    async def act(
        uow: UnitOfWork, now: datetime, op: Op, petition: Petition, official: Official, text: str = ""
    ) -> Acted | Refusal:
        return await officials.act(Ctx(uow, services, now), op, petition, official, text)

    return act


def console_file_paper(services: Services) -> FilePaper:
    """The console files a paper petition through the chat's own filing (handlers.petition_filing)."""

    async def file(
        uow: UnitOfWork, now: datetime, form: PaperPetition, official_id: str
    ) -> tuple[Petition, list[Reply]]:
        return await petition_filing.file_paper(Ctx(uow, services, now), form, official_id)

    return file


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
        tz=local_zone(settings),
        search=SearchIndex(semantic=semantic_search(settings.SEMANTIC_SEARCH, store.uow)),
        policy=policy,
        max_photo_bytes=settings.MAX_PHOTO_MB * 1024 * 1024,
        reach=reach(settings),
        public_base_url=settings.PUBLIC_BASE_URL,
    )


class App:
    """One running bot; `start()` then `stop()`, or `run_forever()`."""

    def __init__(self, settings: Settings, clock: Callable[[], datetime] = utc_now) -> None:
        self.settings = settings
        self.clock = clock
        self.store = open_store(settings)
        self.services = make_services(self.store, settings, clock)
        self.outbox: OutboxWorker | None = None
        self.pipeline = Pipeline(self.store, self.services, routes(), on_queued=self._wake_outbox)
        self.channels = build_channels(settings, self.pipeline, self.store)
        for channel in self.channels.values():
            self.pipeline.register(channel.name, channel.parse, channel.capabilities)
        outlets: dict[str, Outlet] = dict(self.channels)
        self.outbox = OutboxWorker(self.store, outlets, clock, reach=reach(settings))
        self.maintenance = Maintenance(
            self.store,
            clock,
            self.pipeline,
            self.services,
            reach(settings),
            settings.quiet_hours,
            (settings.DIGEST_WEEKDAY, settings.DIGEST_HOUR),
            settings.POSTS_TICK_SECONDS,
        )
        self._runner: web.AppRunner | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.port: int | None = None
        self.publisher: Publisher | None = None  # the console's (bot/console_services.py)

    def _wake_outbox(self) -> None:
        if self.outbox is not None:
            self.outbox.wake()

    async def start(self) -> None:
        """Migrate, seed the demo when appropriate, then open every door."""
        await self.store.migrate()
        await self._seed_demo_if_empty()
        assert self.outbox is not None
        self._spawn(self.outbox.run())
        # What the last run stored but never handled is handled beside new updates, each chat's
        # in order: the doors open now, not after the leftovers (a restart after a crash).
        self._spawn(self._recovered(await self.pipeline.start_recovery()))
        board = Board(
            self.store,
            self.services.search,
            self.clock,
            self.services.tz,
            public_base_url=self.settings.PUBLIC_BASE_URL,
            chat=self.settings.webchat_on,
            prefix=self.settings.url_prefix,
        )
        console = Console(
            self.store,
            self.clock,
            self.services.tz,
            prefix=self.settings.url_prefix,
            key=self.settings.link_key,
            public_base_url=self.settings.PUBLIC_BASE_URL,
            # a login code goes only by a channel this process runs: waiting in the outbox it is useless
            reach=replace(
                self.services.reach, active=tuple(c for c in self.services.reach.active if c in self.channels)
            ),
            rules=Rules(self.services.tz, self.services.policy, self.services.calendar),
            act=console_act(self.services),
            file_paper=console_file_paper(self.services),
            on_queued=self._wake_outbox,
            print_codes=self.settings.embedded_demo,
        )
        web_app = make_web_app(
            self.store,
            self.channels.values(),
            self.settings.link_key,
            board,
            self.settings.url_prefix,
            console=console,
        )
        s, svc = self.settings, self.services
        self.publisher = console_services.install(
            web_app, self.store, self.clock, svc.tz, s.quiet_hours, svc.reach, self._wake_outbox, svc.search
        )
        self._runner = web.AppRunner(web_app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.settings.WEB_HOST, self.settings.WEB_PORT)
        try:
            await site.start()
        except OSError as exc:
            where = f"{self.settings.WEB_HOST}:{self.settings.WEB_PORT} (WEB_HOST, WEB_PORT)"
            if exc.errno == errno.EADDRINUSE:
                raise StartupError(
                    f"Cổng {where} đang có chương trình khác dùng: dừng nó hoặc đổi WEB_PORT"
                ) from None
            raise StartupError(f"Không mở được {where}: {exc.strerror or exc}") from None
        sockets = getattr(site._server, "sockets", None) or []
        self.port = sockets[0].getsockname()[1] if sockets else self.settings.WEB_PORT
        for channel in self.channels.values():
            await channel.start()
        self.maintenance.start()
        log.info("notice board at http://%s:%s/", self.settings.WEB_HOST, self.port)

    async def _recovered(self, recovery: asyncio.Future[int]) -> None:
        if recovered := await recovery:
            log.info("handled %d updates left over from the last run", recovered)

    async def _seed_demo_if_empty(self) -> None:
        await seed_demo_if_empty(self.store, self.settings, self.clock())

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def stop(self) -> None:
        """Stop receiving, finish handling, stop sending, close the database."""
        await self.maintenance.stop()
        for channel in self.channels.values():
            await channel.stop()
        if self._runner is not None:
            await self._runner.cleanup()
        if self.publisher is not None:
            await self.publisher.settled()
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
        try:
            await self.start()
        except BaseException:
            await self.stop()  # a start that failed halfway closes what it opened
            raise
        try:
            await stop.wait()
        finally:
            await self.stop()
