"""Routes of the aiohttp server; channels are reached through typed app keys."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from aiohttp import web

from channels.contract import Channel
from qa.vntext import fold
from storage.store import Store
from web.calendar_feed import FeedEvent, build_feed, for_village

log = logging.getLogger(__name__)

STORE = web.AppKey("store", Store)


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
    """{"ok": true} when the database answers and takes writes; 503 with the reason otherwise."""
    state = await request.app[STORE].health(datetime.now(UTC))
    if state.writable:
        return web.json_response({"ok": True})
    body = {"ok": False, "database": state.reachable, "writable": False, "error": state.error}
    return web.json_response(body, status=503)


def make_web_app(store: Store, channels: Iterable[Channel]) -> web.Application:
    """The server's routes: the pages and feeds, and each channel's own (webhooks, web chat)."""
    app = web.Application(client_max_size=2 * 1024 * 1024)
    app[STORE] = store
    app.router.add_get("/lich.ics", calendar_feed)
    app.router.add_get("/lich/{village}.ics", calendar_feed)
    app.router.add_get("/healthz", health)
    for channel in channels:
        for route in channel.web_routes():
            app.router.add_route(route.method, route.path, route.handler)
    return app
