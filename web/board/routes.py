"""The public notice board's routes (no login): one commune at `prefix` ("" at the root; a second
commune would be `/<commune id>`). Handlers are thin: views.py reads, templates show."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from aiohttp import web

from domain.petition_texts import ACTION_LABELS, KIND_LABELS, status_label
from domain.petitions import Action, due_now, is_open
from domain.vnformat import vn_date
from qa.entries import SearchHit
from storage.store import Store
from storage.uow import UnitOfWork
from web.board import feed, stats, views
from web.board.calendar_page import calendar_page
from web.board.render import markdown, render

QUERY_MAX = 200  # characters of a search box; more is not a question
RESULTS = 8
# Hits below this confidence are not shown: the floor under which the chat no longer offers a
# document to open either (handlers/ask.py SUGGEST_FLOOR).
RELEVANT = 0.01
CODE_MAX = 20
_NOT_IN_CODE = re.compile(r"[^A-Z0-9-]")


def clean_code(text: str) -> str:
    """A tracking code as typed ('pa-7k3m9q ') in its stored form ('PA-7K3M9Q'); nothing else kept."""
    return _NOT_IN_CODE.sub("", text.strip().upper())[:CODE_MAX]


class BoardSearch(Protocol):
    """The bot's own search (qa.searcher.SearchIndex), shared with the chat."""

    async def search(
        self,
        uow: UnitOfWork,
        query: str,
        limit: int = 5,
        village: str | None = None,
        today: date | None = None,
    ) -> list[SearchHit]: ...


class Board:
    """The pages of one commune's notice board."""

    def __init__(
        self,
        store: Store,
        search: BoardSearch,
        clock: Callable[[], datetime],
        tz: ZoneInfo,
        *,
        prefix: str = "",
        public_base_url: str = "",
        chat: bool = False,
    ) -> None:
        self.store, self.searcher, self.clock, self.tz = store, search, clock, tz
        self.prefix = prefix.rstrip("/")
        self.public_base_url = public_base_url.rstrip("/")
        self.chat = chat  # the web chat is served at /chat: the pages link to it

    def routes(self) -> list[web.RouteDef]:
        p = self.prefix
        return [
            web.get(f"{p}/", self.index),
            web.get(f"{p}/van-ban", self.quarter),
            web.get(f"{p}/van-ban/{{doc_id}}", self.disclosure),
            web.get(f"{p}/tim-kiem", self.search),
            web.get(f"{p}/lich", self.calendar),
            web.get(f"{p}/tin-moi.xml", self.feed),
            web.get(f"{p}/thong-ke", self.statistics),
            web.get(f"{p}/tra-cuu", self.tracking_form),
            web.get(f"{p}/tra-cuu/{{code}}", self.tracking),
        ]

    def today(self) -> date:
        return self.clock().astimezone(self.tz).date()

    async def page(
        self, uow: UnitOfWork, template: str, title: str, status: int = 200, **ctx: Any
    ) -> web.Response:
        commune = await uow.commune.get()
        html = render(
            template,
            title=title,
            commune=commune.name if commune else "Xã",
            base=self.prefix,
            chat=self.chat,
            **ctx,
        )
        response = web.Response(text=html, status=status, content_type="text/html", charset="utf-8")
        response.headers["Cache-Control"] = "public, max-age=60"
        response.enable_compression()  # gzip when the phone accepts it: a page is then ~3 kB
        return response

    async def not_found(self, uow: UnitOfWork, message: str) -> web.Response:
        return await self.page(uow, "not_found.html", "Không tìm thấy", status=404, message=message)

    async def index(self, request: web.Request) -> web.Response:
        query = request.query
        page = int(query["trang"]) if query.get("trang", "").isdigit() else 1
        async with self.store.uow() as uow:
            ctx = await views.board(
                uow, self.today(), query.get("linh-vuc") or None, query.get("thon") or None, page
            )
            return await self.page(uow, "board.html", "Bảng tin công khai", nav="board", **ctx)

    async def disclosure(self, request: web.Request) -> web.Response:
        async with self.store.uow() as uow:
            ctx = await views.disclosure(uow, request.match_info["doc_id"], self.today())
            if ctx is None:
                return await self.not_found(uow, "Không có văn bản này trên bảng tin của xã.")
            body = markdown(ctx["doc"].body)
            return await self.page(uow, "disclosure.html", ctx["doc"].title, nav="board", body=body, **ctx)

    async def quarter(self, request: web.Request) -> web.Response:
        async with self.store.uow() as uow:
            ctx = await views.quarter(uow, request.query.get("quy") or None, self.today())
            if ctx is None:
                return await self.not_found(uow, "Quý cần xem ghi theo dạng 2026-Q4.")
            title = f"Danh mục văn bản công khai {ctx['name']}".replace(" Quý", " quý")
            return await self.page(uow, "quarter.html", title, nav="quarter", **ctx)

    async def search(self, request: web.Request) -> web.Response:
        q = " ".join(request.query.get("q", "").split())[:QUERY_MAX]
        async with self.store.uow() as uow:
            results: list[views.Found] = []
            if q:
                hits = await self.searcher.search(uow, q, limit=RESULTS, today=self.today())
                shown = [(h.kind, h.id, h.title, h.passage) for h in hits if h.confidence >= RELEVANT]
                results = await views.found(uow, shown, self.prefix)
            title = f"Tìm kiếm: {q}" if q else "Tìm kiếm"
            return await self.page(uow, "search.html", title, nav="search", q=q, results=results)

    async def calendar(self, request: web.Request) -> web.Response:
        async with self.store.uow() as uow:
            events = await uow.events.all()
            villages = await uow.commune.villages()
            ctx = calendar_page(list(events), villages, self.clock(), self.tz, request.query.get("thang"))
            return await self.page(
                uow, "calendar.html", "Lịch tiếp công dân, họp, đối thoại", nav="calendar", **ctx
            )

    async def feed(self, request: web.Request) -> web.Response:
        base = self.public_base_url or str(request.url.origin())
        async with self.store.uow() as uow:
            commune = await uow.commune.get()
            docs = await uow.public.newest(feed.FEED_SIZE)
        body = feed.atom(commune.name if commune else "xã", docs, base + self.prefix, self.tz, self.clock())
        return web.Response(body=body, content_type="application/atom+xml", charset="utf-8")

    async def statistics(self, request: web.Request) -> web.Response:
        today = self.today()
        year = int(request.query["nam"]) if request.query.get("nam", "").isdigit() else today.year
        year = min(max(year, 2000), today.year)
        start = datetime.combine(date(year, 1, 1), time(), self.tz).astimezone(UTC)
        end = datetime.combine(date(year + 1, 1, 1), time(), self.tz).astimezone(UTC)
        async with self.store.uow() as uow:
            facts = await uow.public.petition_facts(start, end)
            villages = await uow.commune.villages()
            return await self.page(
                uow,
                "stats.html",
                f"Thống kê tiếp nhận, giải quyết phản ánh, kiến nghị năm {year}",
                nav="stats",
                year=year,
                previous=year - 1,
                following=year + 1 if year < today.year else None,
                table=stats.count_table(facts, villages),
                rates=stats.on_time(facts, today, self.tz),
                satisfaction=stats.satisfaction(facts),
                small=stats.SMALL,
            )

    async def tracking_form(self, request: web.Request) -> web.Response:
        code = clean_code(request.query.get("ma", ""))
        if code:
            raise web.HTTPFound(f"{self.prefix}/tra-cuu/{code}")
        async with self.store.uow() as uow:
            return await self.page(uow, "tracking.html", "Tra cứu hồ sơ", nav="tracking", petition=None)

    async def tracking(self, request: web.Request) -> web.Response:
        """A petition's public status: type, status and dates; never its content nor its filer."""
        code = clean_code(request.match_info["code"])
        async with self.store.uow() as uow:
            petition = await uow.petitions.by_code(code)
            if petition is None or petition.id is None:
                return await self.not_found(
                    uow,
                    f"Không tìm thấy hồ sơ có mã {code}. Bà con kiểm tra lại mã trên phiếu hoặc tin nhắn.",
                )
            events = await uow.petitions.events(petition.id, include_internal=False)
            answers = [e for e in events if e.action == Action.ANSWERED]
            local = self._local_date
            due = due_now(petition)
            due = due if is_open(petition) else None  # a closed case has no deadline left
            shown = {
                "code": petition.code,
                "kind": KIND_LABELS.get(petition.kind, petition.kind),
                "status": status_label(petition.status, local(answers[-1].at) if answers else None),
                "received": local(petition.received_at),
                "accepted": local(petition.accepted_at),
                "resolved": local(petition.resolved_at),
                "due": vn_date(due) if due else None,
                "steps": [(local(e.at), ACTION_LABELS.get(e.action, e.action)) for e in events],
            }
            return await self.page(
                uow, "tracking.html", f"Hồ sơ {petition.code}", nav="tracking", petition=shown
            )

    def _local_date(self, moment: datetime | None) -> str | None:
        return vn_date(moment.astimezone(self.tz).date()) if moment is not None else None


def not_found_middleware(board: Board) -> Callable[..., Awaitable[web.StreamResponse]]:
    """Any unknown address answers with the board's Vietnamese 404 page (aiohttp's own is English)."""

    @web.middleware
    async def middleware(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        try:
            return await handler(request)
        except web.HTTPNotFound as exc:
            if request.method != "GET" or exc.text != "404: Not Found":
                raise  # a route's own 404 (with its own words) stands
            async with board.store.uow() as uow:
                return await board.not_found(uow, "Không có trang này. Bà con xem bảng tin của xã nhé.")

    return middleware
