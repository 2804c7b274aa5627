"""Routes of the aiohttp server; channels are reached through typed app keys."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from aiohttp import web

from channels.contract import Channel
from domain.links import valid
from qa.vntext import fold
from storage.store import Health, Store
from web.board.routes import Board, not_found_middleware
from web.calendar_feed import FeedEvent, build_feed, for_village
from web.console.app import Console

log = logging.getLogger(__name__)

STORE = web.AppKey("store", Store)
LINK_KEY = web.AppKey("link_key", bytes)


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


class HealthProbe:
    """The database's health, probed (a read and a heartbeat write) at most every `ttl` seconds:
    monitors may ask often, and under load a write waits its turn behind residents' transactions."""

    def __init__(self, store: Store, ttl: float = 5.0) -> None:
        self._store, self._ttl = store, ttl
        self._state: Health | None = None
        self._at = 0.0
        self._lock = asyncio.Lock()

    async def state(self) -> Health:
        async with self._lock:
            if self._state is None or time.monotonic() - self._at >= self._ttl:
                self._state = await self._store.health(datetime.now(UTC))
                self._at = time.monotonic()
            return self._state


PROBE = web.AppKey("health_probe", HealthProbe)


async def health(request: web.Request) -> web.Response:
    """{"ok": true} when the database answers and takes writes; 503 with the reason otherwise."""
    state = await request.app[PROBE].state()
    if state.writable:
        return web.json_response({"ok": True})
    body = {"ok": False, "database": state.reachable, "writable": False, "error": state.error}
    return web.json_response(body, status=503)


async def media(request: web.Request) -> web.Response:
    """A kept photo, through a signed link that expires (Zalo sends photos only from a public URL)."""
    media_id = request.match_info["media_id"]
    query = request.query
    if not valid(
        media_id, query.get("exp", ""), query.get("sig", ""), request.app[LINK_KEY], datetime.now(UTC)
    ):
        raise web.HTTPForbidden(text="Liên kết ảnh không hợp lệ hoặc đã hết hạn.")
    async with request.app[STORE].uow() as uow:
        found = await uow.media.get(media_id)
    if found is None:
        raise web.HTTPNotFound(text="Không có ảnh này.")
    return web.Response(
        body=found.data, content_type=found.mime, headers={"Cache-Control": "private, max-age=3600"}
    )


def make_web_app(
    store: Store,
    channels: Iterable[Channel],
    link_key: bytes = b"",
    board: Board | None = None,
    prefix: str = "",
    console: Console | None = None,
) -> web.Application:
    """The server's routes: the public notice board (when given), the feeds, and each channel's own
    (webhooks, web chat), the officials' console (when given, at `{prefix}/can-bo/`), all under `prefix` ("/<commune id>" when several communes share a
    deployment, "" for one); `/healthz` also answers at the root, for the load balancer."""
    p = prefix.rstrip("/")
    middlewares = [not_found_middleware(board)] if board is not None else []
    # Each POST route caps its own body (channels/body.py); this is the backstop for any other.
    app = web.Application(client_max_size=1024 * 1024, middlewares=middlewares)
    app[STORE] = store
    app[PROBE] = HealthProbe(store)
    app[LINK_KEY] = link_key
    app.router.add_get(p + "/media/{media_id}", media)
    app.router.add_get(p + "/lich.ics", calendar_feed)
    app.router.add_get(p + "/lich/{village}.ics", calendar_feed)
    app.router.add_get("/healthz", health)
    if p:
        app.router.add_get(p + "/healthz", health)
    if board is not None:
        app.router.add_routes(board.routes())
    if console is not None:
        console.install(app)
    for channel in channels:
        for route in channel.web_routes():
            app.router.add_route(route.method, p + route.path, route.handler)
    return app
