"""Telegram's webhook: check the secret header, store the update, answer 200 at once."""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from channels.body import TooLarge, read_capped

if TYPE_CHECKING:  # imported when the webhook is served: polling and sending need no aiohttp
    from aiohttp import web

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/telegram/webhook"


def webhook_handler(
    secret: str, receive: Callable[[dict[str, Any]], Awaitable[bool]]
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The aiohttp handler for one bot: 403 without the secret, 413 for a body over 256 kB (refused
    before it is read whole), 400 for what is not an update."""
    from aiohttp import web

    async def handle(request: web.Request) -> web.Response:
        if not secrets.compare_digest(request.headers.get(SECRET_HEADER, ""), secret):
            return web.Response(status=403, text="forbidden")
        try:
            payload = json.loads(await read_capped(request))
        except TooLarge:
            return web.Response(status=413, text="too large")
        except (json.JSONDecodeError, UnicodeDecodeError):
            return web.Response(status=400, text="bad json")
        if not isinstance(payload, dict) or not isinstance(payload.get("update_id"), int):
            return web.Response(status=400, text="not an update")
        await receive(payload)
        return web.Response(text="ok")

    return handle
