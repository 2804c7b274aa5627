"""Routes of the aiohttp server; channels are reached through typed app keys."""

from __future__ import annotations

import json
import logging
import secrets
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import web

from channels.telegram import SECRET_HEADER, WEBHOOK_PATH, TelegramChannel
from channels.webchat import WebChatChannel
from qa.vntext import fold
from storage.store import Store
from web.calendar_feed import FeedEvent, build_feed, for_village

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
TELEGRAM = web.AppKey("telegram", TelegramChannel)
WEBCHAT = web.AppKey("webchat", WebChatChannel)
STORE = web.AppKey("store", Store)


async def telegram_webhook(request: web.Request) -> web.Response:
    """Check Telegram's secret header, store the update, answer 200 at once."""
    channel = request.app[TELEGRAM]
    if not secrets.compare_digest(request.headers.get(SECRET_HEADER, ""), channel.secret):
        return web.Response(status=403, text="forbidden")
    try:
        payload = await request.json(loads=json.loads)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return web.Response(status=400, text="bad json")
    if not isinstance(payload, dict) or not isinstance(payload.get("update_id"), int):
        return web.Response(status=400, text="not an update")
    await channel.receive(payload)
    return web.Response(text="ok")


async def webchat_page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "webchat.html")


async def webchat_send(request: web.Request) -> web.Response:
    """A browser message: {session, id, text | button}."""
    channel = request.app[WEBCHAT]
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


def _fields(payload: dict[str, object]) -> dict[str, object]:
    return {k: payload[k] for k in ("text", "button", "name") if payload.get(k)}


async def webchat_messages(request: web.Request) -> web.Response:
    """Replies for a session after a given id (the page polls this)."""
    channel = request.app[WEBCHAT]
    session = request.query.get("session", "")
    if not channel.valid_session(session):
        return web.json_response({"ok": False, "error": "Phiên trò chuyện không hợp lệ."}, status=400)
    try:
        after = int(request.query.get("after", "0"))
    except ValueError:
        after = 0
    return web.json_response({"ok": True, "messages": await channel.history(session, after)})


async def calendar_feed(request: web.Request) -> web.Response:
    """GET /lich.ics and /lich/<village>.ics: add the commune's calendar to a phone."""
    store = request.app[STORE]
    async with store.uow() as uow:
        commune = await uow.commune.get()
        events = await uow.events.all()
        villages = await uow.commune.villages()
    village = request.match_info.get("village")
    chosen: list[FeedEvent] = list(events)
    if village is not None:
        match = next(
            (v for v in villages if slug(v) == slug(village) or v.casefold() == village.casefold()), None
        )
        if match is None:
            raise web.HTTPNotFound(text="Không có thôn này.")
        chosen = for_village(chosen, match)
    tz = ZoneInfo(commune.timezone if commune else "Asia/Ho_Chi_Minh")
    body = build_feed(commune.name if commune else "xã", chosen, datetime.now(UTC), tz)
    return web.Response(body=body, content_type="text/calendar", charset="utf-8")


def slug(name: str) -> str:
    """'Thôn Tân Sơn' -> 'thon-tan-son' (URLs residents can type)."""
    return "-".join(fold(w) for w in name.split())


async def health(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


def make_web_app(store: Store, webchat: WebChatChannel, telegram: TelegramChannel | None) -> web.Application:
    """The server's routes; the Telegram webhook only when Telegram runs in webhook mode."""
    app = web.Application(client_max_size=2 * 1024 * 1024)
    app[WEBCHAT] = webchat
    app[STORE] = store
    app.router.add_get("/lich.ics", calendar_feed)
    app.router.add_get("/lich/{village}.ics", calendar_feed)
    app.router.add_get("/", webchat_page)
    app.router.add_post("/webchat/send", webchat_send)
    app.router.add_get("/webchat/messages", webchat_messages)
    app.router.add_get("/healthz", health)
    if telegram is not None and telegram.webhook_url:
        app[TELEGRAM] = telegram
        app.router.add_post(WEBHOOK_PATH, telegram_webhook)
    return app
