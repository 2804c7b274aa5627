"""The web chat's page and endpoints: a browser session is an unguessable secret in an HttpOnly cookie.

The page sets the cookie; sending and reading the history take the session from it (never from a
query parameter or the body), so a session's history, name and phone included, reaches only the
browser that holds it. Each session and each address may send only so many messages a minute.
"""

from __future__ import annotations

import json
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web

from channels.body import TooLarge, read_capped

if TYPE_CHECKING:
    from channels.webchat import WebChatChannel

WebHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PAGE = Path(__file__).parent / "webchat.html"
COOKIE = "troly_xa_chat"
PER_SESSION, PER_ADDRESS, WINDOW = 20, 60, 60.0  # messages per minute
EXPIRED = "Phiên trò chuyện đã hết hạn. Bà con tải lại trang để trò chuyện tiếp nhé."
TOO_FAST = "Bà con gửi nhanh quá. Xin chờ một chút rồi gửi tiếp nhé."
MAX_BODY = 64 * 1024
TOO_LONG = "Tin nhắn dài quá 8.000 ký tự. Bà con chia thành vài tin ngắn hơn giúp nhé."


class SlidingLimit:
    """At most `limit` events per key in any `window` seconds (in memory, per process)."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._limit, self._window, self._clock = limit, window, clock
        self._seen: dict[str, deque[float]] = {}

    def allow(self, key: str) -> bool:
        now = self._clock()
        if len(self._seen) > 10_000:  # forget keys idle for a whole window
            self._seen = {k: q for k, q in self._seen.items() if q and q[-1] > now - self._window}
        marks = self._seen.setdefault(key, deque())
        while marks and marks[0] <= now - self._window:
            marks.popleft()
        if len(marks) >= self._limit:
            return False
        marks.append(now)
        return True


def page_handler(channel: WebChatChannel) -> WebHandler:
    async def webchat_page(request: web.Request) -> web.StreamResponse:
        """The chat page; a browser without a session gets one (HttpOnly, same site only)."""
        response = web.FileResponse(PAGE, headers={"Cache-Control": "no-store"})
        if not channel.valid_session(request.cookies.get(COOKIE, "")):
            response.set_cookie(
                COOKIE, secrets.token_urlsafe(32), httponly=True, samesite="Strict", max_age=30 * 86400
            )
        return response

    return webchat_page


def send_handler(channel: WebChatChannel) -> WebHandler:
    by_session, by_address = SlidingLimit(PER_SESSION, WINDOW), SlidingLimit(PER_ADDRESS, WINDOW)

    async def webchat_send(request: web.Request) -> web.Response:
        """A browser message: {id, text | button, name?}; the session is the cookie's."""
        session = request.cookies.get(COOKIE, "")
        if not channel.valid_session(session):
            return web.json_response({"ok": False, "error": EXPIRED}, status=403)
        try:
            payload = json.loads(await read_capped(request, MAX_BODY))
        except TooLarge:
            return web.json_response({"ok": False, "error": TOO_LONG}, status=413)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return web.json_response({"ok": False, "error": "Tin nhắn không hợp lệ."}, status=400)
        msg_id = str(payload.get("id", "")) if isinstance(payload, dict) else ""
        if not channel.valid_message_id(msg_id):
            return web.json_response({"ok": False, "error": "Tin nhắn không hợp lệ."}, status=400)
        if any(not isinstance(payload.get(k) or "", str) for k in ("text", "button", "name")):
            return web.json_response({"ok": False, "error": "Tin nhắn không hợp lệ."}, status=400)
        if not (payload.get("text") or payload.get("button")):
            return web.json_response({"ok": False, "error": "Bà con chưa nhập nội dung."}, status=400)
        if len(str(payload.get("text") or "")) > channel.max_text:
            return web.json_response({"ok": False, "error": TOO_LONG}, status=400)
        if not by_session.allow(session) or not by_address.allow(request.remote or "?"):
            return web.json_response({"ok": False, "error": TOO_FAST}, status=429)
        await channel.receive({"session": session, "id": f"{session}:{msg_id}", **_fields(payload)})
        return web.json_response({"ok": True})

    return webchat_send


def _fields(payload: dict[str, object]) -> dict[str, object]:
    return {k: payload[k] for k in ("text", "button", "name") if payload.get(k)}


def messages_handler(channel: WebChatChannel) -> WebHandler:
    async def webchat_messages(request: web.Request) -> web.Response:
        """Replies to this browser's session after a given id (the page polls this)."""
        session = request.cookies.get(COOKIE, "")
        if not channel.valid_session(session):
            return web.json_response({"ok": False, "error": EXPIRED}, status=403)
        try:
            after = int(request.query.get("after", "0"))
        except ValueError:
            after = 0
        return web.json_response({"ok": True, "messages": await channel.history(session, after)})

    return webchat_messages
