"""The web chat's two endpoints: a browser sends a message; the page polls for replies."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from channels.webchat import WebChatChannel

WebHandler = Callable[[web.Request], Awaitable[web.Response]]


def send_handler(channel: WebChatChannel) -> WebHandler:
    async def webchat_send(request: web.Request) -> web.Response:
        """A browser message: {session, id, text | button}."""
        try:
            payload = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return web.json_response({"ok": False, "error": "Tin nhắn không hợp lệ."}, status=400)
        session = str(payload.get("session", "")) if isinstance(payload, dict) else ""
        msg_id = str(payload.get("id", "")) if isinstance(payload, dict) else ""
        if not channel.valid_session(session) or not channel.valid_message_id(msg_id):
            return web.json_response({"ok": False, "error": "Phiên trò chuyện không hợp lệ."}, status=400)
        if not (payload.get("text") or payload.get("button")):
            return web.json_response({"ok": False, "error": "Bà con chưa nhập nội dung."}, status=400)
        await channel.receive({"session": session, "id": f"{session}:{msg_id}", **_fields(payload)})
        return web.json_response({"ok": True})

    return webchat_send


def _fields(payload: dict[str, object]) -> dict[str, object]:
    return {k: payload[k] for k in ("text", "button", "name") if payload.get(k)}


def messages_handler(channel: WebChatChannel) -> WebHandler:
    async def webchat_messages(request: web.Request) -> web.Response:
        """Replies for a session after a given id (the page polls this)."""
        session = request.query.get("session", "")
        if not channel.valid_session(session):
            return web.json_response({"ok": False, "error": "Phiên trò chuyện không hợp lệ."}, status=400)
        try:
            after = int(request.query.get("after", "0"))
        except ValueError:
            after = 0
        return web.json_response({"ok": True, "messages": await channel.history(session, after)})

    return webchat_messages
