"""A fake Zalo Official Account (aiohttp): the OAuth token endpoint and customer-service messages.

`POST /v4/oa/access_token` (form app_id, grant_type=refresh_token, refresh_token; header
secret_key) spends a refresh token ONCE: a used one is refused forever (-14014), as on Zalo, and
the new access token replaces the old one. `POST /v3.0/oa/message/cs` (header access_token)
answers HTTP 200 with `error` 0 or a negative code (-216 for an unknown or expired token, -230 for
a person outside the 7-day window, and whatever `fail_next` injects). `push_*` POST signed events
to the bot's webhook (or with a bad signature, or unsigned as the registration ping).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any, Self

import aiohttp
from aiohttp import web

Json = dict[str, Any]
SIGNATURE_HEADER = "X-ZEvent-Signature"


@dataclass
class Sent:
    user_id: str
    text: str
    reply_to: str | None
    access_token: str


@dataclass
class FakeZaloOa:
    """`async with FakeZaloOa() as oa:`; `oa.api_base` is both ZALO_OA_API_BASE_URL and ZALO_OA_OAUTH_URL."""

    app_id: str = "4321098765"
    secret_key: str = "oa-secret-Key_7"
    oa_id: str = "oa-579"
    expires_in: str = "90000"
    refresh_delay: float = 0.05  # the token server takes a moment: concurrent refreshes overlap
    sent: list[Sent] = field(default_factory=list)
    refresh_calls: list[str] = field(default_factory=list)  # refresh tokens presented, in order
    webhook_results: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._ids = itertools.count(1)
        self.access_token = "acc-0"
        self.refresh_token = "ref-0"
        self._used: set[str] = set()
        self._faults: list[int] = []
        self.window_closed: set[str] = set()  # users who have not written in 7 days
        self.webhook_url = ""
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._sent_event = asyncio.Event()
        self.port = 0

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_post("/v4/oa/access_token", self._access_token)
        app.router.add_post("/v3.0/oa/message/cs", self._message_cs)
        app.router.add_post("/v3.0/oa/group/message", self._group_message)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._session = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- faults -------------------------------------------------------------------------------------

    def expire_access_token(self) -> None:
        """The current access token is refused from now on (-216) until a refresh."""
        self.access_token = f"expired-{next(self._ids)}"

    def fail_next(self, code: int, count: int = 1) -> None:
        """The next `count` sends answer HTTP 200 with `error` = code."""
        self._faults.extend([code] * count)

    # --- the API ------------------------------------------------------------------------------------

    async def _access_token(self, request: web.Request) -> web.Response:
        form = await request.post()
        token = str(form.get("refresh_token") or "")
        self.refresh_calls.append(token)
        await asyncio.sleep(self.refresh_delay)
        if request.headers.get("secret_key") != self.secret_key or form.get("app_id") != self.app_id:
            return web.json_response({"error": -14002, "error_name": "Invalid app or secret"})
        if form.get("grant_type") != "refresh_token":
            return web.json_response({"error": -14003, "error_name": "Invalid grant type"})
        if token in self._used or token != self.refresh_token:
            return web.json_response({"error": -14014, "error_name": "Invalid refresh token"})
        self._used.add(token)
        n = next(self._ids)
        self.access_token, self.refresh_token = f"acc-{n}", f"ref-{n}"
        return web.json_response(
            {
                "access_token": self.access_token,
                "refresh_token": self.refresh_token,
                "expires_in": self.expires_in,
            }
        )

    async def _message_cs(self, request: web.Request) -> web.Response:
        token = request.headers.get("access_token", "")
        try:
            body = await request.json()
        except json.JSONDecodeError:
            return _error(-201, "Parameters are invalid")
        recipient = body.get("recipient") or {}
        text = (body.get("message") or {}).get("text")
        user = str(recipient.get("user_id") or "")
        if token != self.access_token:
            return _error(-216, "Access token is invalid")
        if self._faults:
            code = self._faults.pop(0)
            return _error(code, "injected")
        if not user or not isinstance(text, str) or not 1 <= len(text) <= 2000:
            return _error(-201, "Parameters are invalid")
        if user in self.window_closed:
            return _error(-230, "User has not interacted with the OA in the last 7 days")
        message_id = f"oam{next(self._ids)}"
        self.sent.append(Sent(user, text, recipient.get("message_id"), token))
        self._sent_event.set()
        return web.json_response(
            {"error": 0, "message": "Success", "data": {"message_id": message_id, "user_id": user}}
        )

    async def _group_message(self, request: web.Request) -> web.Response:
        """A post to a group the OA created (GMF); recorded with user_id "group:<id>"."""
        if request.headers.get("access_token", "") != self.access_token:
            return _error(-216, "Access token is invalid")
        body = await request.json()
        group = str((body.get("recipient") or {}).get("group_id") or "")
        text = (body.get("message") or {}).get("text")
        if not group or not isinstance(text, str) or not 1 <= len(text) <= 2000:
            return _error(-201, "Parameters are invalid")
        self.sent.append(Sent(f"group:{group}", text, None, self.access_token))
        self._sent_event.set()
        return web.json_response(
            {"error": 0, "message": "Success", "data": {"message_id": f"oag{next(self._ids)}"}}
        )

    # --- what the OA sent ---------------------------------------------------------------------------

    def texts_to(self, user: str) -> list[str]:
        return [s.text for s in self.sent if s.user_id == user]

    async def next_sent(self, user: str, timeout: float = 15.0, *, after: int = 0) -> Sent:
        deadline = time.monotonic() + timeout
        while True:
            mine = [s for s in self.sent if s.user_id == user]
            if len(mine) > after:
                return mine[after]
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"nothing sent to {user}; sent: {[s.user_id for s in self.sent]}")
            self._sent_event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._sent_event.wait(), left)

    # --- events residents cause ---------------------------------------------------------------------

    def make_event(
        self,
        user: str,
        *,
        text: str | None = None,
        image_url: str | None = None,
        event_name: str | None = None,
    ) -> Json:
        stamp = str(int(time.time() * 1000))
        message: Json = {"msg_id": f"{next(self._ids):032x}"}
        if image_url is not None:
            message["attachments"] = [
                {"type": "image", "payload": {"url": image_url, "thumbnail": image_url}}
            ]
            message["text"] = text or ""
            name = "user_send_image"
        else:
            message["text"] = text or ""
            name = "user_send_text"
        self.window_closed.discard(user)  # writing opens the window again
        return {
            "app_id": self.app_id,
            "user_id_by_app": f"app-{user}",
            "event_name": event_name or name,
            "timestamp": stamp,
            "sender": {"id": user},
            "recipient": {"id": self.oa_id},
            "message": message,
        }

    def sign(self, raw: bytes, timestamp: str, secret_key: str | None = None) -> str:
        key = self.secret_key if secret_key is None else secret_key
        digest = hashlib.sha256(self.app_id.encode() + raw + timestamp.encode() + key.encode()).hexdigest()
        return f"mac={digest}"

    async def push(self, event: Json, *, signature: str | None = None, signed: bool = True) -> int:
        """POST an event to the webhook, signed over its raw bytes; returns the HTTP status.

        Retried (as Zalo does) while the receiver answers 5xx or is unreachable.
        """
        assert self._session is not None and self.webhook_url
        raw = json.dumps(event, ensure_ascii=False, separators=(", ", ": ")).encode()
        headers = {"Content-Type": "application/json"}
        if signed:
            headers[SIGNATURE_HEADER] = signature or self.sign(raw, str(event.get("timestamp", "")))
        status = 0
        for attempt in range(3):
            try:
                async with self._session.post(self.webhook_url, data=raw, headers=headers) as resp:
                    status = resp.status
            except aiohttp.ClientError:
                status = 0
            self.webhook_results.append(status)
            if status and status < 500:
                return status
            await asyncio.sleep(0.2 * (attempt + 1))
        return status

    async def push_text(self, user: str, text: str) -> Json:
        event = self.make_event(user, text=text)
        status = await self.push(event)
        assert status == 200, status
        return event

    async def ping(self) -> int:
        """The unsigned request Zalo sends when the webhook address is registered."""
        assert self._session is not None and self.webhook_url
        async with self._session.post(self.webhook_url, json={"event_name": "ping"}) as resp:
            return resp.status


def _error(code: int, message: str) -> web.Response:
    return web.json_response({"error": code, "message": message})  # always HTTP 200 on Zalo
