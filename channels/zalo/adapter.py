"""Zalo Bot Platform adapter: long polling or webhook in, outbox sends out (see ZALO.md)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from bot.config import Settings
from channels.body import TooLarge, read_capped
from channels.contract import (
    Budget,
    Failed,
    Inbox,
    Rate,
    Retry,
    SendResult,
    Sent,
    WebRoute,
)
from channels.pacing import rate_of
from channels.zalo.client import ZaloClient, ZaloError
from channels.zalo.wire import (
    CAPABILITIES,
    CHANNEL,
    MAX_TEXT,
    dedupe_key,
    ids,
    split_text,
    to_incoming,
    unwrap,
)
from domain import choices
from domain.links import sign
from domain.messages import Incoming
from storage.repositories.media import PREFIX as MEDIA_PREFIX
from storage.store import Store

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/zalo/webhook"


def _outcome(exc: ZaloError) -> SendResult:
    """What a failed send means for the outbox, classified from the envelope."""
    if exc.code == 401:
        log.error("zalo: the bot token was refused (401): check ZALO_BOT_TOKEN; messages wait meanwhile")
        return Retry(300.0, "401: token refused")
    if exc.code == 429:
        return Retry(10.0, "429: quota")
    if exc.transient:
        return Retry(None, str(exc))
    return Failed(str(exc))


class ZaloChannel:
    """One Zalo bot: receives (polling task or webhook) and sends outbox messages."""

    name = CHANNEL
    capabilities = CAPABILITIES

    def __init__(
        self, settings: Settings, inbox: Inbox, poll_interval: float = 1.0, store: Store | None = None
    ) -> None:
        self._inbox = inbox
        self._store = store
        self._max_photo = settings.MAX_PHOTO_MB * 1024 * 1024
        self._public_url = settings.PUBLIC_BASE_URL
        self._link_key = settings.link_key
        self._client = ZaloClient(settings.ZALO_API_BASE_URL, settings.ZALO_BOT_TOKEN)
        # Zalo wants 8-256 characters; an empty setting gets one derived from the token, the same in
        # every process of the commune (any of them may receive what Zalo sends to the address)
        self.secret = settings.zalo_webhook_secret
        self.webhook_url = settings.ZALO_WEBHOOK_URL
        self.budget = Budget(
            per_bot=rate_of(settings.ZALO_MAX_PER_SECOND, 1.0),
            per_private=rate_of(settings.ZALO_PRIVATE_MAX_PER_SECOND, 1.0),
            per_group=Rate(20, 60.0),
        )
        self._poll_interval = poll_interval
        self.bot_id: str | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._stopping = asyncio.Event()

    # --- the contract ---------------------------------------------------------------------------------

    def parse(self, payload: dict[str, Any]) -> Incoming | None:
        return to_incoming(payload)

    def is_group(self, chat_id: str) -> bool:
        return False  # Zalo ids are opaque; the bot cannot send to groups yet (ZALO.md)

    def web_routes(self) -> list[WebRoute]:
        if not self.webhook_url:
            return []
        return [WebRoute("POST", WEBHOOK_PATH, self.webhook)]

    async def start(self) -> None:
        self._spawn(self._run())

    async def stop(self) -> None:
        self._stopping.set()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._client.close()

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- receiving ------------------------------------------------------------------------------------

    async def _run(self) -> None:
        delay = 1.0
        while not self._stopping.is_set():
            try:
                me = await self._client.call("getMe")
                self.bot_id = str(me.get("id")) if isinstance(me, dict) and me.get("id") else None
                break
            except ZaloError as exc:
                if exc.code == 401:
                    log.error("zalo: ZALO_BOT_TOKEN was refused (401); Zalo stays off until it is fixed")
                    return
                log.warning("zalo: cannot reach the Bot API (%s); retrying in %.0f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)
        await (self._connect_webhook() if self.webhook_url else self._poll())

    async def _connect_webhook(self) -> None:
        delay = 1.0
        while not self._stopping.is_set():
            try:
                result = await self._client.call(
                    "setWebhook", {"url": self.webhook_url, "secret_token": self.secret}
                )
            except ZaloError as exc:
                log.warning("zalo: setWebhook failed (%s); retrying in %.0f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)
                continue
            check = result.get("verification") if isinstance(result, dict) else None
            log.info("zalo: webhook set to %s; Zalo's check of the address: %s", self.webhook_url, check)
            if isinstance(check, dict) and str(check.get("status", "ok")).lower() not in ("ok", "success"):
                log.warning("zalo: Zalo could not reach %s; updates will not arrive", self.webhook_url)
            return

    async def _poll(self) -> None:
        """One update per call; 408 means nothing came: poll again. About one call a second at most."""
        with contextlib.suppress(ZaloError):
            await self._client.call("deleteWebhook")  # polling and a webhook exclude each other
        delay = 1.0
        while not self._stopping.is_set():
            started = time.monotonic()
            try:
                result = await self._client.call("getUpdates", {"timeout": "30"}, timeout=45.0)
                delay = 1.0
            except ZaloError as exc:
                if exc.code == 408:
                    continue
                if exc.code == 401:
                    log.error("zalo: ZALO_BOT_TOKEN was refused (401); polling stops")
                    return
                log.warning("zalo: getUpdates failed (%s); retrying in %.0f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            for update in result if isinstance(result, list) else [result]:
                if isinstance(update, dict):
                    await self.receive(update)
            await asyncio.sleep(max(0.0, self._poll_interval - (time.monotonic() - started)))

    async def receive(self, body: Any) -> bool:
        """Persist (de-duplicated on chat and message id), then handle in the background."""
        update = unwrap(body)
        found = ids(update) if update is not None else None
        if update is None or found is None:
            return False
        if self.bot_id is not None and found[2] == self.bot_id:
            return False  # our own send, echoed back by Zalo [obs]
        key = dedupe_key(update)
        assert key is not None
        await self._keep_photo(update["message"])  # Zalo's photo links expire: keep the bytes first
        inbound_id = await self._inbox.accept(CHANNEL, key, update, found[2])
        if inbound_id is None:
            return False  # re-served or redelivered
        self._spawn(self._typing(found[0]))
        self._inbox.process_later(inbound_id, CHANNEL, update)
        return True

    async def _keep_photo(self, message: dict[str, Any]) -> None:
        """Download a photo as it arrives and keep it in the database ('media:<id>' on the message)."""
        url = message.get("photo_url") or message.get("photo")
        if self._store is None or not isinstance(url, str) or not url.startswith(("https://", "http://")):
            return
        try:
            data, mime = await self._client.download(url, self._max_photo)
        except ZaloError as exc:
            log.warning("zalo: a resident's photo could not be downloaded (%s); its link is kept", exc)
            return
        async with self._store.uow() as uow:
            message["stored_photo"] = await uow.media.put(data, mime, datetime.now(UTC))
            await uow.commit()

    def _public_photo(self, ref: str) -> str | None:
        """A URL Zalo can fetch: a kept photo through a signed link, or a public URL as it is."""
        if ref.startswith(MEDIA_PREFIX):
            if not self._public_url:
                return None
            return self._public_url + sign(ref.removeprefix(MEDIA_PREFIX), datetime.now(UTC), self._link_key)
        return ref if ref.startswith(("https://", "http://")) else None

    async def _typing(self, chat_id: str) -> None:
        with contextlib.suppress(ZaloError):
            await self._client.call("sendChatAction", {"chat_id": chat_id, "action": "typing"}, timeout=5.0)

    async def webhook(self, request: web.Request) -> web.Response:
        """Secret checked in constant time; an empty body is Zalo's probe; 200 once stored."""
        if not secrets.compare_digest(request.headers.get(SECRET_HEADER, ""), self.secret):
            return web.Response(status=403, text="forbidden")
        try:
            raw = await read_capped(request)  # one update is a few kB
        except TooLarge:
            return web.Response(status=413, text="too large")
        if not raw.strip():
            return web.Response(text="ok")
        if self.bot_id is None:
            # Not yet known who the bot is (getMe pending: a worker just started): its own sends,
            # echoed back by Zalo, could not be told from residents' messages. Zalo delivers again,
            # or the load balancer's next worker takes it.
            return web.Response(status=503, text="starting")
        try:
            body = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return web.Response(status=400, text="bad json")
        await self.receive(body)
        return web.Response(text="ok")

    # --- sending --------------------------------------------------------------------------------------

    async def send(self, chat_id: str, payload: dict[str, Any]) -> SendResult:
        """Plain text, buttons as numbered lines, split at 2000; photos from public URLs."""
        first_id: str | None = None
        try:
            photos = [
                url
                for a in payload.get("attachments", [])
                if a.get("kind") == "photo" and (url := self._public_photo(str(a.get("ref", ""))))
            ]
            for index, url in enumerate(photos):
                caption = str(payload.get("text") or "")[:MAX_TEXT] if index == 0 else ""
                result = await self._client.call(
                    "sendPhoto", {"chat_id": chat_id, "photo": url, "caption": caption}
                )
                first_id = first_id or _message_id(result)
            if photos:
                return Sent(first_id)
            for part in split_text(str(choices.render_payload(payload).get("text") or "")):
                result = await self._client.call("sendMessage", {"chat_id": chat_id, "text": part})
                first_id = first_id or _message_id(result)
        except ZaloError as exc:
            return _outcome(exc)
        return Sent(first_id)


def _message_id(result: Any) -> str | None:
    return str(result["message_id"]) if isinstance(result, dict) and result.get("message_id") else None
