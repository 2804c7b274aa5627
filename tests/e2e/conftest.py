"""End-to-end fixtures: the whole App against the fake Bot API, on SQLite and on PostgreSQL.

The App gets a :class:`ManualClock` fixed at ``tests.conftest.NOW`` (2026-11-25 10:00 in Vietnam).
It only moves when a test moves it, so dates in answers are stable, and retries (whose next attempt
is ``clock() + back-off``) happen when a test says so instead of after seconds of real waiting.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import aiohttp
import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.app import App
from bot.config import Settings
from storage.importer import import_data, load_file
from storage.models import InboundUpdate, OutboxMessage
from tests.conftest import MINI, NOW
from tests.fakes.telegram import FakeTelegram, NothingSent

Mode = Literal["polling", "webhook", "web"]
WEBHOOK_SECRET = "s3cret-Token_1"
READY_TIMEOUT = 5.0


class ManualClock:
    """Aware UTC time that stands still at ``start`` until ``advance`` moves it."""

    def __init__(self, start: datetime = NOW) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def free_port() -> int:
    """A TCP port nobody listens on right now (for the webhook URL, known before start)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class AppFactory:
    """``await start_app(mode, **settings)`` starts an App; every App is stopped at teardown."""

    def __init__(self, database_url: str, fake: FakeTelegram, clock: ManualClock) -> None:
        self.database_url = database_url
        self.fake = fake
        self.clock = clock
        self._running: list[App] = []

    def settings(self, mode: Mode = "polling", **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "DATABASE_URL": self.database_url,
            "TELEGRAM_BOT_TOKEN": self.fake.token,
            "TELEGRAM_API_BASE_URL": self.fake.base_url,
            "TELEGRAM_WEBHOOK_URL": "",
            "TELEGRAM_WEBHOOK_SECRET": "",
            "TELEGRAM_POLL_TIMEOUT": 1,
            "TELEGRAM_MAX_PER_SECOND": 0,
            "TELEGRAM_PRIVATE_MAX_PER_SECOND": 0,
            "WEB_HOST": "127.0.0.1",
            "WEB_PORT": 0,
            "TIMEZONE": "Asia/Ho_Chi_Minh",
            "DEMO_DATA": False,
            "LOG_LEVEL": "INFO",
        }
        if mode == "webhook":
            port = free_port()
            values.update(
                WEB_PORT=port,
                TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram/webhook",
                TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET,
            )
        elif mode == "web":
            values.update(TELEGRAM_BOT_TOKEN="", DEMO_DATA=True)
        values.update(overrides)
        return Settings(_env_file=None, **values)

    async def __call__(self, mode: Mode = "polling", *, data: Path | None = MINI, **overrides: Any) -> App:
        """Start an App (data: a commune file to import first, None for none) and wait until ready."""
        app = App(self.settings(mode, **overrides), clock=self.clock)
        self._running.append(app)
        await app.start()
        if data is not None:
            async with app.store.uow() as uow:
                await import_data(uow, load_file(data), self.clock())
        if mode == "webhook":
            await wait_for(lambda: bool(self.fake.webhook_url), what="setWebhook")
        return app

    async def stop(self, app: App) -> None:
        """Stop one App now (e.g. to restart on the same database).

        The outbox worker can miss the wake-up of ``OutboxWorker.stop()`` when it comes during a
        pass, and then sleeps up to 5 s before it notices (see test_stop_during_an_outbox_pass_is_prompt);
        waking it again while App.stop() runs keeps the other tests fast.
        """
        self._running.remove(app)
        stopping = asyncio.ensure_future(app.stop())
        while not stopping.done():
            await asyncio.wait({stopping}, timeout=0.05)
            if app.outbox is not None:
                app.outbox.wake()
        await stopping

    def forget(self, app: App) -> None:
        """The test stopped this App itself."""
        self._running.remove(app)

    async def close(self) -> None:
        while self._running:
            await self.stop(self._running[-1])


@pytest.fixture
def database_url(migrated_database_url: str) -> str:
    """The apps here start on a migrated database of each kind, as after any restart: start-up finds
    the schema current (``tests/conftest.py`` copies it from a template; migrating an empty or an
    older database is tested in tests/unit/test_migrations.py)."""
    return migrated_database_url


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def start_app(
    database_url: str, fake_telegram: FakeTelegram, clock: ManualClock
) -> AsyncIterator[AppFactory]:
    factory = AppFactory(database_url, fake_telegram, clock)
    try:
        yield factory
    finally:
        await factory.close()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    # A browser keeps cookies of 127.0.0.1 (aiohttp does not unless told): the web chat's session is one.
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10), cookie_jar=jar) as session:
        yield session


# --- helpers ---------------------------------------------------------------------------------


async def wait_for(predicate: Callable[[], bool], *, timeout: float = READY_TIMEOUT, what: str = "") -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or predicate}")
        await asyncio.sleep(0.01)


async def eventually(
    check: Callable[[], Awaitable[bool]], *, timeout: float = READY_TIMEOUT, what: str = ""
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or check}")
        await asyncio.sleep(0.02)


async def expect_silence(fake: FakeTelegram, chat_id: int | str | None = None, seconds: float = 0.4) -> None:
    """Nothing more is sent (to the chat) within ``seconds``."""
    try:
        extra = await fake.next_sent(chat_id, timeout=seconds)
    except NothingSent:
        return
    raise AssertionError(f"unexpected send to {extra['chat_id']}: {extra['method']} {extra['text']!r}")


async def sent_after_retries(
    fake: FakeTelegram, app: App, clock: ManualClock, chat_id: int, *, rounds: int = 12
) -> dict[str, Any]:
    """The next send to the chat, moving the clock past each back-off and waking the outbox."""
    for _ in range(rounds):
        try:
            return await fake.next_sent(chat_id, timeout=0.25)
        except NothingSent:
            clock.advance(60)
            assert app.outbox is not None
            app.outbox.wake()
    return await fake.next_sent(chat_id, timeout=1)


async def count_rows(app: App, model: type[InboundUpdate] | type[OutboxMessage]) -> int:
    async with app.store.uow() as uow:
        return int((await uow.session.exec(select(func.count()).select_from(model))).one())


async def outbox_rows(app: App) -> list[OutboxMessage]:
    async with app.store.uow() as uow:
        return list((await uow.session.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all())  # type: ignore[arg-type]


# The `messenger` fixture (Telegram or Zalo, parametrised) of the conversation tests.
from tests.e2e.messengers import messenger  # noqa: E402,F401
