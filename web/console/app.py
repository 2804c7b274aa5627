"""The officials' console at `{prefix}/can-bo/`: server-rendered pages behind a login by one-time code.

`Console` holds what the pages need (store, clock, time zone, where it lives, the deployment's key,
how officials are reached, the petition rules, and the one function the chat also uses to act on a
petition). Each page module offers `routes(console) -> list[RouteDef]` and is listed once in
`CONSOLE_PAGES`; `Console.render` frames a template with the signed-in user, the CSRF field and the nav.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from aiohttp import web

from domain.messages import Reply
from domain.petition_actions import Change, Refusal, Rules
from domain.petitions import Op
from domain.reach import Reach
from storage.models import Official, Petition
from storage.store import Store
from storage.uow import UnitOfWork
from web.board.render import render as render_template
from web.console import login, outbox, paper, petition, publish, questions, queue, supervise
from web.console.auth import GATE, Gate, csrf_field, current_user
from web.console.paper import FilePaper

# Every page module of the console, in one place: each a function `routes(console) -> list[RouteDef]`.
CONSOLE_PAGES: tuple[Callable[[Console], list[web.RouteDef]], ...] = (
    login.routes,
    queue.routes,
    petition.routes,
    publish.routes,
    questions.routes,
    outbox.routes,
    paper.routes,
    supervise.routes,
)

# The nav: (key, path under the console, label). Pages other helpers add keep these paths.
NAV: tuple[tuple[str, str, str], ...] = (
    ("queue", "/", "Hàng đợi"),
    ("questions", "/cau-hoi", "Câu hỏi chưa trả lời"),
    ("publish", "/dang-tin", "Đăng tin"),
    ("paper", "/don-giay", "Đơn giấy"),
    ("outbox", "/gui-tin", "Gửi tin"),
    ("stats", "/thong-ke", "Thống kê"),
)


class Acted(Protocol):
    """What acting on a petition came to (handlers.officials.Acted)."""

    @property
    def change(self) -> Change: ...
    @property
    def notices(self) -> list[Reply]: ...
    @property
    def waits(self) -> bool: ...


class Act(Protocol):
    """The one function the chat and the console act on a petition with (handlers.officials.act,
    bound to the bot's services in bot/app.py): the rules' decision stored, the filer's notices made."""

    def __call__(
        self, uow: UnitOfWork, now: datetime, op: Op, petition: Petition, official: Official, text: str = ""
    ) -> Awaitable[Acted | Refusal]: ...


def _nothing() -> None:
    return None


class Console:
    """The officials' console of one commune."""

    def __init__(
        self,
        store: Store,
        clock: Callable[[], datetime],
        tz: ZoneInfo,
        *,
        prefix: str = "",
        key: bytes = b"",
        public_base_url: str = "",
        reach: Reach | None = None,
        rules: Rules | None = None,
        act: Act | None = None,
        file_paper: FilePaper | None = None,
        on_queued: Callable[[], None] = _nothing,
        print_codes: bool = False,
    ) -> None:
        self.store, self.clock, self.tz = store, clock, tz
        self.site = prefix.rstrip("/")  # the commune's public pages
        self.prefix = f"{self.site}/can-bo"
        self.reach = reach or Reach()
        self.rules = rules or Rules(tz=tz)
        self.act = act
        # The embedded demo (no messenger configured): a login code is printed in the bot's terminal.
        self.print_codes = print_codes
        self.file_paper = file_paper  # handlers.petition_filing.file_paper, bound in bot/app.py
        self.public_base_url = public_base_url.rstrip("/")  # the slip's QR code points there
        self.on_queued = on_queued  # wakes the outbox worker after a commit that queued messages
        self.gate = Gate(
            store, clock, key or b"console", self.prefix, secure=public_base_url.startswith("https://")
        )
        self.gate.page = self.render

    def routes(self) -> list[web.RouteDef]:
        return [route for page in CONSOLE_PAGES for route in page(self)]

    def install(self, app: web.Application) -> None:
        """Add the console to the web app (its routes and what its guards read)."""
        app[GATE] = self.gate
        app.router.add_routes(self.routes())

    def path(self, tail: str = "/") -> str:
        return self.prefix + tail

    async def render(
        self, request: web.Request, template: str, title: str, *, status: int = 200, **ctx: Any
    ) -> web.Response:
        """A console page: the template in the console's frame, never cached, never framed."""
        user = await current_user(request)
        async with self.store.uow() as uow:
            commune = await uow.commune.get()
        html = render_template(
            template,
            title=title,
            commune=commune.name if commune else "Xã",
            base=self.prefix,
            site=self.site,
            user=user,
            csrf_field=csrf_field(request),
            nav_items=NAV,
            **ctx,
        )
        response = web.Response(text=html, status=status, content_type="text/html", charset="utf-8")
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; style-src 'self' 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
        )
        self.gate.finish(request, response)
        return response
