"""A fake Zalo Bot Platform server (aiohttp) speaking the wire format of ZALO.md, with its quirks.

`POST /bot{token}/{method}` with a JSON body; answers `{"ok": true, "result": ...}` or
`{"ok": false, "error_code", "description"}`. Like live Zalo [obs]: getUpdates hands out ONE update
per call (no offset, no acknowledgement) and may serve it again; an idle poll ends with 408;
getUpdates is refused while a webhook is set; the bot's own sends come back as updates (self-echo);
dates are epoch milliseconds; ids are strings. In webhook mode a pusher POSTs each update with
`X-Bot-Api-Secret-Token`, wrapped or bare. Faults (429, 5xx, hangs, down) are injectable.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Self

import aiohttp
from aiohttp import web

from tests.fakes.outage import OutageMixin

SECRET_HEADER = "X-Bot-Api-Secret-Token"
Json = dict[str, Any]
# A tiny valid JPEG-ish payload for photo downloads.
PHOTO_BYTES = b"\xff\xd8\xff\xe0" + b"fake-zalo-photo" * 20 + b"\xff\xd9"


@dataclass
class _Fault:
    status: int
    count: int
    hang: float = 0.0


@dataclass
class Sent:
    method: str
    chat_id: str
    params: Json
    message_id: str
    at: float = field(default_factory=time.monotonic)  # when the fake took it (time.monotonic())


@dataclass
class FakeZaloBot(OutageMixin):
    """Start with `async with FakeZaloBot() as zalo:`; `zalo.api_base` is ZALO_API_BASE_URL."""

    token: str = "1234567890:fake-zalo-secret"
    bot_id: str = "bot-6a1f"
    echo_own_sends: bool = True  # [obs] live Zalo delivers the bot's sends back as updates
    reserve_every: int = 0  # re-serve every n-th update once more (0: never) [obs]
    max_poll_wait: float = 1.0  # cap on getUpdates' timeout, so tests stay quick
    omit_408_code: bool = False  # [obs] an idle poll's 408 may come without error_code
    sent: list[Sent] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    webhook_results: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._queue: deque[Json] = deque()
        self._queued = asyncio.Event()
        self._sent_event = asyncio.Event()
        self._faults: dict[str, deque[_Fault]] = {}
        self._down = False
        self._outage: str | None = None  # "502", "hang" or "refuse" (see outage())
        self._outage_over = asyncio.Event()
        self.hung = 0  # calls held by a "hang" outage
        self.refused = 0  # calls cut off by a "refuse" outage
        self._site: web.TCPSite | None = None
        self._ids = itertools.count(1000)
        self._served = 0
        self._webhook: tuple[str, str] | None = None
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._pushers: set[asyncio.Task[None]] = set()
        self._media_expired = False
        self.port = 0

    # --- lifecycle --------------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/media/{name}", self._media)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = self._site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._session = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._outage_over.set()  # calls held by a "hang" outage end with the server
        for task in list(self._pushers):
            task.cancel()
        await asyncio.gather(*self._pushers, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def photo_url(self, name: str = "p1.jpg") -> str:
        return f"{self.api_base}/media/{name}"

    # --- faults -------------------------------------------------------------------------------------

    def fail_next(self, method: str, status: int, count: int = 1, hang: float = 0.0) -> None:
        """The next `count` calls of `method` answer `status` (after hanging `hang` s if given)."""
        self._faults.setdefault(method, deque()).append(_Fault(status, count, hang))

    def set_down(self, down: bool) -> None:
        """While down, every call answers 502 with an HTML page (not JSON), as a proxy would."""
        self._down = down

    def _listen_port(self) -> int:
        return self.port

    def expire_media(self) -> None:
        """Photo URLs expire on Zalo: later downloads get 404."""
        self._media_expired = True

    # --- updates residents send ---------------------------------------------------------------------

    def make_update(
        self,
        chat_id: str,
        *,
        text: str | None = None,
        photo_url: str | None = None,
        caption: str | None = None,
        user_id: str | None = None,
        name: str = "Bà con",
        chat_type: str = "PRIVATE",
        message_id: str | None = None,
        event_name: str | None = None,
    ) -> Json:
        message: Json = {
            "from": {"id": user_id or chat_id, "display_name": name, "is_bot": False},
            "chat": {"id": chat_id, "chat_type": chat_type},
            "message_id": message_id or f"m{next(self._ids)}",
            "date": int(time.time() * 1000),
        }
        if photo_url is not None:
            message.update(photo_url=photo_url, caption=caption or "", message_type="CHAT_PHOTO")
            event = "message.image.received"
        elif text is not None:
            message["text"] = text
            event = "message.text.received"
        else:
            event = "message.unsupported.received"
        return {"event_name": event_name or event, "message": message}

    async def push(self, update: Json) -> None:
        """Queue for getUpdates, or POST to the webhook when one is set."""
        if self._webhook is None:
            self._queue.append(update)
            self._queued.set()
            return
        task = asyncio.ensure_future(self._deliver(update, wrapped=len(self.webhook_results) % 2 == 0))
        self._pushers.add(task)
        task.add_done_callback(self._pushers.discard)

    async def push_text(self, chat_id: str, text: str, **kw: Any) -> Json:
        update = self.make_update(chat_id, text=text, **kw)
        await self.push(update)
        return update

    async def _deliver(self, update: Json, wrapped: bool) -> None:
        assert self._webhook is not None and self._session is not None
        url, secret = self._webhook
        body = {"ok": True, "result": update} if wrapped else update
        for attempt in range(3):  # Zalo redelivers when the receiver fails
            try:
                async with self._session.post(url, json=body, headers={SECRET_HEADER: secret}) as resp:
                    self.webhook_results.append(resp.status)
                    if resp.status == 200:
                        return
            except aiohttp.ClientError:
                self.webhook_results.append(0)
            await asyncio.sleep(0.2 * (attempt + 1))

    # --- what the bot sent --------------------------------------------------------------------------

    async def next_sent(self, chat_id: str, timeout: float = 15.0, *, after: int = 0) -> Sent:
        """The first message to `chat_id` beyond the first `after` ones, waiting for it (15 s: a
        reply took over 5 s once in a CI run on a loaded machine)."""
        deadline = time.monotonic() + timeout
        while True:
            mine = [s for s in self.sent if s.chat_id == chat_id and s.method != "sendChatAction"]
            if len(mine) > after:
                return mine[after]
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"nothing sent to {chat_id}; sent: {[s.chat_id for s in self.sent]}")
            self._sent_event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._sent_event.wait(), left)

    def texts_to(self, chat_id: str) -> list[str]:
        return [
            str(s.params.get("text") or s.params.get("caption") or "")
            for s in self.sent
            if s.chat_id == chat_id and s.method in ("sendMessage", "sendPhoto")
        ]

    # --- the API ------------------------------------------------------------------------------------

    async def _media(self, request: web.Request) -> web.Response:
        if self._media_expired:
            return web.Response(status=404, text="expired")
        return web.Response(body=PHOTO_BYTES, content_type="image/jpeg")

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.calls.append(method)
        if self._outage is not None and (cut := await self._outage_answer(request)) is not None:
            return cut
        if self._down:
            return web.Response(status=502, text="<html>Bad Gateway</html>", content_type="text/html")
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        faults = self._faults.get(method)
        if faults:
            fault = faults[0]
            fault.count -= 1
            if fault.count <= 0:
                faults.popleft()
            if fault.hang:
                await asyncio.sleep(fault.hang)
            return _error(fault.status, "Internal server error" if fault.status == 403 else "injected")
        try:
            params = await request.json() if request.can_read_body else {}
        except json.JSONDecodeError:
            return _error(400, "Bad Request")
        if method == "getUpdates":  # with the request: a poller may hang up while it waits
            return await self._get_updates(params if isinstance(params, dict) else {}, request)
        handler = {
            "getMe": self._get_me,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendChatAction": self._send_chat_action,
        }.get(method)
        if handler is None:
            return _error(404, "Not Found")
        return await handler(params if isinstance(params, dict) else {})

    async def _get_me(self, params: Json) -> web.Response:
        return _ok(
            {"id": self.bot_id, "account_name": "bot.xa", "account_type": "BASIC", "can_join_groups": False}
        )

    async def _get_updates(self, params: Json, request: web.Request) -> web.Response:
        if self._webhook is not None:
            return _error(400, "Bad Request: webhook is active")
        wait = min(float(params.get("timeout") or 0), self.max_poll_wait)
        deadline = time.monotonic() + wait
        while not self._queue:
            left = deadline - time.monotonic()
            if left <= 0:
                if self.omit_408_code:
                    return web.json_response({"ok": False, "description": "Request timeout"}, status=408)
                return _error(408, "Request timeout")
            self._queued.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._queued.wait(), left)
        update = self._queue.popleft()
        if request.transport is None or request.transport.is_closing():
            # the poller hung up while waiting (e.g. the bot stopped): nobody reads this answer
            self._queue.appendleft(update)
            return _error(408, "Request timeout")
        self._served += 1
        if self.reserve_every and self._served % self.reserve_every == 0:
            self._queue.append(update)  # served again later: no acknowledgement on Zalo
        return _ok(update)

    async def _set_webhook(self, params: Json) -> web.Response:
        url, secret = str(params.get("url") or ""), str(params.get("secret_token") or "")
        if not url or not 8 <= len(secret) <= 256:
            return _error(400, "Bad Request: secret_token must be 8-256 characters")
        self._webhook = (url, secret)
        verification = {"status": "ok"}
        return _ok({"url": url, "updated_at": int(time.time() * 1000), "verification": verification})

    async def _delete_webhook(self, params: Json) -> web.Response:
        self._webhook = None
        return _ok({"url": "", "updated_at": int(time.time() * 1000)})

    async def _get_webhook_info(self, params: Json) -> web.Response:
        if self._webhook is None:
            return _error(404, "Not Found")
        return _ok({"url": self._webhook[0], "updated_at": int(time.time() * 1000)})

    def _record(self, method: str, params: Json) -> Json:
        message_id = f"b{next(self._ids)}"
        chat_id = str(params.get("chat_id") or "")
        self.sent.append(Sent(method, chat_id, params, message_id))
        self._sent_event.set()
        return {"message_id": message_id, "date": int(time.time() * 1000)}

    async def _echo(self, chat_id: str, text: str, message_id: str) -> None:
        if self.echo_own_sends:
            update = self.make_update(
                chat_id, text=text, user_id=self.bot_id, name="Bot", message_id=message_id
            )
            update["message"]["from"]["is_bot"] = False  # [obs] not to be relied on
            await self.push(update)

    async def _send_message(self, params: Json) -> web.Response:
        text = params.get("text")
        if not params.get("chat_id") or not isinstance(text, str) or not 1 <= len(text) <= 2000:
            return _error(400, "Bad Request: text must be 1-2000 characters")
        result = self._record("sendMessage", params)
        await self._echo(str(params["chat_id"]), text, result["message_id"])
        return _ok(result)

    async def _send_photo(self, params: Json) -> web.Response:
        photo = str(params.get("photo") or "")
        if not params.get("chat_id") or not photo.startswith(("http://", "https://")):
            return _error(400, "Bad Request: photo must be a public URL")
        if len(str(params.get("caption") or "")) > 2000:
            return _error(400, "Bad Request: caption too long")
        return _ok(self._record("sendPhoto", params))

    async def _send_chat_action(self, params: Json) -> web.Response:
        self.sent.append(Sent("sendChatAction", str(params.get("chat_id") or ""), params, ""))
        return _ok(True)


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(code: int, description: str) -> web.Response:
    return web.json_response({"ok": False, "error_code": code, "description": description}, status=code)
