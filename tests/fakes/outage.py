"""An outage of a fake messenger API, the same for every fake (`outage()` and what it does to a call)."""

from __future__ import annotations

import asyncio

from aiohttp import web


class OutageMixin:
    """`await fake.outage(kind)` until `outage(None)`: "502" answers 502 (the fake's own `_down`
    page); "hang" holds every call until the outage ends (a caller that gave up by then is not
    served: nothing is sent); "refuse" stops listening (connections refused) and cuts off calls
    on connections already open. The fake sets the attributes below and gives `_listen_port()`."""

    _down: bool
    _outage: str | None
    _outage_over: asyncio.Event
    _runner: web.AppRunner | None
    _site: web.TCPSite | None
    hung: int  # calls held by a "hang" outage
    refused: int  # calls cut off by a "refuse" outage

    def _listen_port(self) -> int:
        raise NotImplementedError

    async def outage(self, kind: str | None) -> None:
        if kind not in (None, "502", "hang", "refuse"):
            raise ValueError(f"unknown outage {kind!r}")
        if self._outage == "refuse" and kind != "refuse" and self._runner is not None:
            self._site = web.TCPSite(self._runner, "127.0.0.1", self._listen_port())
            await self._site.start()
        if kind == "refuse" and self._outage != "refuse" and self._site is not None:
            await self._site.stop()
        self._outage = kind
        self._down = kind == "502"
        if kind is None:
            self._outage_over.set()
            self._outage_over = asyncio.Event()

    async def _outage_answer(self, request: web.Request) -> web.Response | None:
        """What an ongoing outage does to a call; None: serve it."""
        if self._outage == "refuse":
            self.refused += 1
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=503)  # never reaches the caller: the connection is gone
        if self._outage == "hang":
            self.hung += 1
            await self._outage_over.wait()
            if request.transport is None or request.transport.is_closing():
                return web.Response(status=504)  # the caller timed out meanwhile: not served
        return None
