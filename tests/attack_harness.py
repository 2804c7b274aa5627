"""The whole app with every webhook open at once (Telegram, Zalo Bot, Zalo OA, web chat), against the
fake messenger servers, for attack tests and `bench/fuzz_webhooks.py`.

`Webhooks.post(name, raw, content_type)` posts raw bytes to one webhook with the right secret or
signature; `answers_normally(name)` sends an ordinary message there and waits for the bot's answer.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Self

import aiohttp
from sqlalchemy import func
from sqlmodel import select

from bot.app import App
from bot.config import Settings
from bot.oa_cli import set_token
from storage.importer import import_data, load_file
from storage.models import InboundUpdate
from storage.store import Store
from tests.conftest import MINI, running_clock
from tests.fakes.telegram import SECRET_HEADER as TG_SECRET_HEADER
from tests.fakes.telegram import FakeTelegram
from tests.fakes.zalo import SECRET_HEADER as ZALO_SECRET_HEADER
from tests.fakes.zalo import FakeZaloBot
from tests.fakes.zalo_oa import SIGNATURE_HEADER, FakeZaloOa

TG_SECRET, ZALO_SECRET = "tg-Fuzz_secret-1", "zalo-Fuzz_secret-2"
PATHS = {
    "telegram": "/telegram/webhook",
    "zalo": "/zalo/webhook",
    "zalo_oa": "/zalo/oa/webhook",
    "web": "/webchat/send",
}
WEBHOOKS = tuple(PATHS)
COOKIE = "troly_xa_chat"


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Crashes(logging.Handler):
    """Every ERROR log record and every exception the event loop did not expect, as text."""

    seen: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        logging.Handler.__init__(self, logging.ERROR)

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append(f"{record.name}: {record.getMessage()} {record.exc_text or ''}"[:2000])

    def loop_error(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        self.seen.append(f"event loop: {context.get('message')} {context.get('exception')!r}"[:2000])

    __hash__ = logging.Handler.__hash__


class Webhooks:
    """`async with Webhooks(database_url) as hooks:` the app, its fakes, a client; all stopped after."""

    def __init__(self, database_url: str, clock: Callable[[], datetime] | None = None) -> None:
        self.database_url = database_url
        # the fixture's calendar (`answers_normally` expects its 8 Dec 2026 dialogue among the
        # coming events), whatever day it runs on; time still passes for back-offs and rate windows
        self.clock = clock or running_clock()
        self.telegram = FakeTelegram()
        self.zalo = FakeZaloBot(echo_own_sends=False)
        self.oa = FakeZaloOa()
        self.crashes = Crashes()
        self.app: App | None = None
        self._clients: dict[int, aiohttp.ClientSession] = {}
        self._count = 0

    async def __aenter__(self) -> Self:
        await self.telegram.start()
        await self.zalo.__aenter__()
        await self.oa.__aenter__()
        store = Store(self.database_url)
        await store.migrate()
        await set_token(store, self.oa.access_token, self.oa.refresh_token, 90_000, datetime.now(UTC))
        await store.close()
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        settings = Settings(
            _env_file=None,
            DATABASE_URL=self.database_url,
            TELEGRAM_BOT_TOKEN=self.telegram.token,
            TELEGRAM_API_BASE_URL=self.telegram.base_url,
            TELEGRAM_WEBHOOK_URL=base + PATHS["telegram"],
            TELEGRAM_WEBHOOK_SECRET=TG_SECRET,
            TELEGRAM_MAX_PER_SECOND=0,
            TELEGRAM_PRIVATE_MAX_PER_SECOND=0,
            TELEGRAM_GROUP_MAX_PER_MINUTE=0,  # the officials' group hears many refusals in a row
            ZALO_BOT_TOKEN=self.zalo.token,
            ZALO_API_BASE_URL=self.zalo.api_base,
            ZALO_WEBHOOK_URL=base + PATHS["zalo"],
            ZALO_WEBHOOK_SECRET=ZALO_SECRET,
            ZALO_OA_APP_ID=self.oa.app_id,
            ZALO_OA_SECRET_KEY=self.oa.secret_key,
            ZALO_OA_API_BASE_URL=self.oa.api_base,
            ZALO_OA_OAUTH_URL=self.oa.api_base,
            WEBCHAT_ENABLED=True,
            WEB_HOST="127.0.0.1",
            WEB_PORT=port,
            PUBLIC_BASE_URL=base,
            TIMEZONE="Asia/Ho_Chi_Minh",
            DEMO_DATA=False,
        )
        logging.getLogger().addHandler(self.crashes)
        asyncio.get_running_loop().set_exception_handler(self.crashes.loop_error)
        self.app = App(settings, clock=self.clock)
        await self.app.start()
        async with self.app.store.uow() as uow:
            await import_data(uow, load_file(MINI), self.clock())
        self.base = base
        self.oa.webhook_url = base + PATHS["zalo_oa"]
        await _until(lambda: bool(self.telegram.webhook_url) and self.zalo._webhook is not None)
        return self

    async def __aexit__(self, *exc: object) -> None:
        for client in self._clients.values():
            await client.close()
        if self.app is not None:
            await self.app.stop()
        asyncio.get_running_loop().set_exception_handler(None)
        logging.getLogger().removeHandler(self.crashes)
        await self.oa.__aexit__()
        await self.zalo.__aexit__()
        await self.telegram.stop()

    def _client(self) -> aiohttp.ClientSession:
        """A client from one of 250 loopback addresses: the web chat allows 60 messages a minute each."""
        slot = self._count % 250
        if slot not in self._clients:
            connector = aiohttp.TCPConnector(local_addr=(f"127.0.1.{slot + 1}", 0))
            self._clients[slot] = aiohttp.ClientSession(
                connector=connector, timeout=aiohttp.ClientTimeout(total=30)
            )
        return self._clients[slot]

    def headers(self, name: str, raw: bytes, content_type: str | None) -> dict[str, str]:
        """The secret, signature or session a genuine sender would add to these bytes."""
        headers = {"Content-Type": content_type} if content_type is not None else {}
        if name == "telegram":
            headers[TG_SECRET_HEADER] = TG_SECRET
        elif name == "zalo":
            headers[ZALO_SECRET_HEADER] = ZALO_SECRET
        elif name == "zalo_oa":
            headers[SIGNATURE_HEADER] = self.oa.sign(raw, _timestamp(raw))
        else:
            headers["Cookie"] = f"{COOKIE}={secrets.token_urlsafe(16)}"
        return headers

    async def post(self, name: str, raw: bytes, content_type: str | None = "application/json") -> int:
        """POST raw bytes to a webhook as its genuine sender would; the HTTP status."""
        self._count += 1
        headers = self.headers(name, raw, content_type)
        async with self._client().post(self.base + PATHS[name], data=raw, headers=headers) as response:
            await response.read()
            return response.status

    async def answers_normally(self, name: str, timeout: float = 10.0) -> str:
        """An ordinary '/lich' on this channel gets the commune's schedule back; its text.

        Its update id is one no generated body carries (the fakes count ids from 1 or 1000, as the
        generated updates may): an id already stored is a redelivery, rightly never answered."""
        chat = f"9{secrets.randbelow(10**8)}"
        if name == "telegram":
            update = self.telegram.make_text_update(int(chat), "/lich")
            await self.telegram.push({**update, "update_id": 10**15 + secrets.randbelow(10**15)})
            return str((await self.telegram.next_sent(int(chat), timeout=timeout))["text"])
        if name == "zalo":
            await self.zalo.push_text(chat, "/lich", message_id=f"normal-{secrets.token_hex(8)}")
            return str((await self.zalo.next_sent(chat, timeout=timeout)).params["text"])
        if name == "zalo_oa":
            event = self.oa.make_event(chat, text="/lich")
            assert (
                await self.oa.push(
                    {**event, "message": {**event["message"], "msg_id": secrets.token_hex(16)}}
                )
                == 200
            )
            return (await self.oa.next_sent(chat, timeout=timeout)).text
        return await self._webchat_answer(timeout)

    async def _webchat_answer(self, timeout: float) -> str:
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as http:
            async with http.get(self.base + "/chat") as page:
                assert page.status == 200
            async with http.post(self.base + PATHS["web"], json={"id": "n1", "text": "/lich"}) as sent:
                assert sent.status == 200, await sent.text()
            loop = asyncio.get_running_loop()
            deadline = loop.time() + timeout
            while loop.time() < deadline:
                async with http.get(self.base + "/webchat/messages?after=0") as got:
                    messages = (await got.json())["messages"]
                if messages:
                    return str(messages[-1]["text"])
                await asyncio.sleep(0.05)
        raise AssertionError("the web chat did not answer")

    async def webchat(self, text: str = "", button: str = "") -> str:
        """One message from a fresh browser on the web chat (text or a pressed button); the answer."""
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as http:
            async with http.get(self.base + "/chat") as page:
                assert page.status == 200
            body = {"id": "m1", **({"text": text} if text else {}), **({"button": button} if button else {})}
            async with http.post(self.base + PATHS["web"], json=body) as sent:
                assert sent.status == 200, await sent.text()
            async with http.get(self.base + "/webchat/messages?after=0") as got:
                messages = (await got.json())["messages"]
        assert messages, f"no answer on the web chat to {body}"
        return "\n".join(str(m["text"]) for m in messages)

    async def settle(self) -> None:
        """Wait until every stored update has been handled (or set aside)."""
        assert self.app is not None
        await self.app.pipeline.drain()

    async def statuses(self) -> dict[str, int]:
        """Stored updates by status ('handled', 'set_aside', 'failed', 'received')."""
        assert self.app is not None
        async with self.app.store.uow() as uow:
            rows = await uow.session.exec(
                select(InboundUpdate.status, func.count()).group_by(InboundUpdate.status)
            )
            return {str(status): int(count) for status, count in rows.all()}


def _timestamp(raw: bytes) -> str:
    """The timestamp the OA signs with, read from the body as the bot reads it."""
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return ""
    return str(body.get("timestamp", "")) if isinstance(body, dict) else ""


async def _until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("the webhooks were not registered")
        await asyncio.sleep(0.02)
