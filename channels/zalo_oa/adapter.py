"""Zalo Official Account adapter: signed webhook in, customer-service messages out (see ZALO.md §2)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from bot.config import Settings
from channels.body import TooLarge, read_capped
from channels.contract import Budget, Inbox, Rate, Retry, SendResult, Sent, WebRoute
from channels.zalo.wire import split_text
from channels.zalo_oa.client import OaClient, OaError
from channels.zalo_oa.tokens import NoToken, TokenKeeper, wall_clock
from channels.zalo_oa.wire import (
    CAPABILITIES,
    CHANNEL,
    SIGNATURE_HEADER,
    TOKEN_ERRORS,
    WINDOW_ERRORS,
    msg_id,
    outcome,
    readable,
    sender_id,
    signature_ok,
    to_incoming,
)
from domain import choices
from domain.messages import Incoming
from domain.reach import VIA_GROUP
from storage.store import Store

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/zalo/oa/webhook"
REPLY_WINDOW = timedelta(hours=48)  # a reply naming the resident's message is free this long


class ZaloOaChannel:
    """The commune's Official Account: a signed webhook receives, the outbox sends."""

    name = CHANNEL
    capabilities = CAPABILITIES

    def __init__(
        self,
        settings: Settings,
        inbox: Inbox,
        store: Store,
        clock: Callable[[], datetime] = wall_clock,
    ) -> None:
        self._inbox, self._store, self._clock = inbox, store, clock
        self._app_id, self._secret = settings.ZALO_OA_APP_ID, settings.ZALO_OA_SECRET_KEY
        self._client = OaClient(settings.ZALO_OA_API_BASE_URL, settings.ZALO_OA_OAUTH_URL)
        self.tokens = TokenKeeper(store, self._client, self._app_id, self._secret, clock)
        self.budget = Budget(per_bot=Rate(10, 1.0), per_private=Rate(1, 1.0))

    # --- the contract ---------------------------------------------------------------------------------

    def parse(self, payload: dict[str, Any]) -> Incoming | None:
        return to_incoming(payload)

    def is_group(self, chat_id: str) -> bool:
        return chat_id.startswith(VIA_GROUP)  # a group the OA created; else a follower

    def web_routes(self) -> list[WebRoute]:
        return [WebRoute("POST", WEBHOOK_PATH, self.webhook)]

    async def start(self) -> None:
        try:
            await self.tokens.access()
        except NoToken as exc:
            log.error("zalo_oa: %s; OA messages wait until a token is set", exc)

    async def stop(self) -> None:
        await self._client.close()

    # --- receiving ------------------------------------------------------------------------------------

    async def webhook(self, request: web.Request) -> web.Response:
        """Signed events only; the unsigned ping sent when the URL is registered gets 200 and nothing else."""
        try:
            raw = await read_capped(request)  # one event is a few kB
        except TooLarge:
            return web.Response(status=413, text="too large")
        header = request.headers.get(SIGNATURE_HEADER, "")
        if not header:
            return web.Response(text="ok")  # registration ping: answered, nothing processed
        try:
            body = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return web.Response(status=403, text="forbidden")
        timestamp = str(body.get("timestamp", "")) if isinstance(body, dict) else ""
        if not signature_ok(header, self._app_id, raw, timestamp, self._secret):
            return web.Response(status=403, text="forbidden")
        if not isinstance(body, dict):
            return web.Response(status=400, text="not an event")
        await self.receive(body)
        return web.Response(text="ok")

    async def receive(self, event: dict[str, Any]) -> bool:
        """Persist (de-duplicated on msg_id), wake what waited for this resident, handle later."""
        if not readable(event):
            return False  # follow, unfollow, the OA's own sends, events the bot does not read
        user = sender_id(event)
        inbound_id = await self._inbox.accept(CHANNEL, msg_id(event)[:64], event, user)
        if inbound_id is None:
            return False  # redelivered
        async with self._store.uow() as uow:
            woken = await uow.outbox.due_again(CHANNEL, user)
            await uow.commit()
        if woken:
            # ids, not the person: their Zalo id may be a denouncer's (logs travel further than the database)
            log.warning(
                "zalo_oa: update %d: a resident wrote again; %d waiting message(s) go now", inbound_id, woken
            )
        self._inbox.process_later(inbound_id, CHANNEL, event)
        return True

    # --- sending --------------------------------------------------------------------------------------

    async def _reply_to(self, user: str) -> str | None:
        """Their last message when it is under 48 hours old (a reply naming it is free)."""
        async with self._store.uow() as uow:
            last = await uow.oa_tokens.last_inbound(CHANNEL, user)
        if last is None:
            return None
        try:
            at = datetime.fromtimestamp(int(str(last.get("timestamp"))) / 1000, tz=self._clock().tzinfo)
        except (TypeError, ValueError, OverflowError):
            return None
        return msg_id(last) or None if self._clock() - at < REPLY_WINDOW else None

    async def _send_part(
        self, token: str, chat_id: str, group: str | None, text: str, reply_to: str | None
    ) -> str | None:
        if group is not None:
            return await self._client.send_group_text(token, group, text)
        return await self._client.send_text(token, chat_id, text, reply_to)

    async def send(self, chat_id: str, payload: dict[str, Any]) -> SendResult:
        """Text only (choices as numbered lines), split at 2000 characters."""
        text = str(choices.render_payload(payload).get("text") or "")
        group = chat_id.removeprefix(VIA_GROUP) if self.is_group(chat_id) else None
        reply_to = None if group else await self._reply_to(chat_id)
        first_id: str | None = None
        try:
            token = await self.tokens.access()
            for part in split_text(text):
                try:
                    sent = await self._send_part(token, chat_id, group, part, reply_to)
                except OaError as exc:
                    if exc.code not in TOKEN_ERRORS:
                        raise
                    token = await self.tokens.refreshed(token)
                    sent = await self._send_part(token, chat_id, group, part, reply_to)
                first_id = first_id or sent
        except NoToken as exc:
            return Retry(600.0, f"no OA token: {exc}")
        except OaError as exc:
            if exc.code in WINDOW_ERRORS:
                log.warning(
                    "zalo_oa: the resident has not written to the OA in 7 days (%s); the message waits until they do",
                    exc.code,
                )
            return outcome(exc.code, exc.description)
        return Sent(first_id)
