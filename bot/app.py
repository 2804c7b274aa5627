"""Composition root: wires storage, handlers, channels, outbox, scheduler and web server."""

from __future__ import annotations

import asyncio
import errno
import logging
import signal
from collections.abc import Callable, Coroutine
from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aiohttp import web

from bot import console_services
from bot.config import Settings
from bot.outbound import (  # re-exported: the CLI's verbs and the tests import them from here
    DEMO_FILE,
    NO_COMMUNE,
    Outbound,
    StartupError,
    open_store,
    seed_demo_if_empty,
    utc_now,
)
from bot.pipeline import Pipeline
from bot.registry import reach
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

    def __init__(
        self, settings: Settings, clock: Callable[[], datetime] = utc_now, outbound: Outbound | None = None
    ) -> None:
        """`outbound`: the sending half, perhaps started already (`python -m bot run` starts it
        before importing this module); built here when not given."""
        self.settings = settings
        self.clock = clock
        self.outbound = outbound or Outbound(settings, clock)
        self.store = self.outbound.store
        self.outbox = self.outbound.outbox
        self.channels = self.outbound.channels
        self.services = make_services(self.store, settings, clock)
        self.pipeline = Pipeline(self.store, self.services, routes(), on_queued=self._wake_outbox)
        self.outbound.inbox.attach(self.pipeline)
        for channel in self.channels.values():
            self.pipeline.register(channel.name, channel.parse, channel.capabilities)
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
        self.outbox.wake()

    async def start(self) -> None:
        """Migrate and send (unless the sending half runs already), seed the demo when
        appropriate, then open every door."""
        if not self.outbound.started:
            await self.outbound.start()
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
        await self.outbound.stop()
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


__all__ = [
    "DEMO_FILE",
    "NO_COMMUNE",
    "App",
    "StartupError",
    "make_services",
    "open_store",
    "seed_demo_if_empty",
    "utc_now",
]
