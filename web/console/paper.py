"""Paper and in-person petitions: an official types in a petition handed in at the commune (paper,
in person, telephone); it enters the same queue through the chat's own filing (handlers.petition_filing
.file_paper, bound to the bot's services in bot/app.py), is announced to the officials, and the page
then offers the printable slip with the code and a QR code of its tracking page.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from aiohttp import web

from domain import paper
from domain.deadlines import KINDS
from domain.messages import Reply
from domain.paper import INTAKE_LABELS, PaperPetition
from domain.petition_texts import KIND_LABELS
from domain.petitions import Role
from storage.models import Petition
from storage.repositories.outbox import POST
from storage.uow import UnitOfWork
from web.board.routes import clean_code
from web.console.auth import checked_form, current_user, require
from web.console.slip import slip, tracking_url

if TYPE_CHECKING:
    from web.console.app import Console

PATH = "/don-giay"
NOT_WIRED = "Trang cán bộ chưa được nối với bộ tiếp nhận hồ sơ. Chưa có gì được lưu."


class FilePaper(Protocol):
    """The chat's filing for a paper petition (handlers.petition_filing.file_paper with the bot's
    services): the petition stored in `uow` (not committed) and the officials' announcements."""

    def __call__(
        self, uow: UnitOfWork, now: datetime, form: PaperPetition, official_id: str
    ) -> Awaitable[tuple[Petition, list[Reply]]]: ...


def routes(console: Console) -> list[web.RouteDef]:
    desk = PaperDesk(console)
    p = console.path(PATH)
    return [
        web.get(p, desk.form),
        web.post(p, desk.submit),
        web.get(p + "/{code}/phieu", desk.slip),
        web.get(p + "/in.js", print_script),
    ]


# The slip's "In phiếu" button (the console's CSP allows scripts from itself only, none inline).
PRINT_JS = (
    'var b=document.getElementById("in-phieu");'
    'if(b){b.hidden=false;b.addEventListener("click",function(){window.print();});}'
)


async def print_script(request: web.Request) -> web.Response:
    response = web.Response(text=PRINT_JS, content_type="text/javascript", charset="utf-8")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


class PaperDesk:
    def __init__(self, console: Console) -> None:
        self.c = console

    def today(self) -> str:
        return self.c.clock().astimezone(self.c.tz).date().isoformat()

    async def _page(
        self, request: web.Request, form: dict[str, str], errors: dict[str, str], status: int = 200
    ) -> web.Response:
        async with self.c.store.uow() as uow:
            villages = await uow.commune.villages()
        return await self.c.render(
            request,
            "console/paper.html",
            "Nhập đơn giấy",
            status=status,
            nav="paper",
            action=self.c.path(PATH),
            form=form,
            errors=errors,
            kinds=[(k, KIND_LABELS[k]) for k in KINDS],
            intakes=list(INTAKE_LABELS.items()),
            villages=villages,
            today=self.today(),
        )

    @require(Role.ADMIN, Role.HANDLER)
    async def form(self, request: web.Request) -> web.Response:
        return await self._page(request, {}, {})

    @require(Role.ADMIN, Role.HANDLER)
    async def submit(self, request: web.Request) -> web.Response:
        posted = await checked_form(request)
        user = await current_user(request)
        assert user is not None
        fields = {k: posted.get(k, "") for k in paper.FIELDS}
        now = self.c.clock()
        filed: str | None = None
        async with self.c.store.uow() as uow:
            villages = await uow.commune.villages()
            checked, errors = paper.check(fields, villages, now.astimezone(self.c.tz).date())
            filer = self.c.file_paper
            if filer is None:
                errors = {"loai": NOT_WIRED}
            elif checked is not None:
                petition, announcements = await filer(uow, now, checked, user.official_id)
                for reply in announcements:
                    if reply.channel and reply.chat_id:
                        await uow.outbox.put(
                            reply.channel, reply.chat_id, reply.payload(), now, priority=POST
                        )
                await uow.commit()
                filed = petition.code
        if filed is None:  # the page again (outside the unit of work: rendering opens its own)
            return await self._page(request, fields, errors, status=400)
        self.c.on_queued()
        raise web.HTTPSeeOther(self.c.path(f"{PATH}/{filed}/phieu"))

    @require(Role.ADMIN, Role.HANDLER)
    async def slip(self, request: web.Request) -> web.Response:
        code = clean_code(request.match_info["code"])
        user = await current_user(request)
        assert user is not None
        async with self.c.store.uow() as uow:
            petition = await uow.petitions.by_code(code)
        if petition is None:
            raise web.HTTPNotFound(text=f"Không có hồ sơ {code}.")
        url = tracking_url(self.c.public_base_url, self.c.site, petition.code)
        context: dict[str, Any] = {
            "slip": slip(petition, self.c.tz, url, self.c.rules.policy),
            "back": self.c.path(PATH),
            "official": user.name,
            "print_js": self.c.path(f"{PATH}/in.js"),
        }
        return await self.c.render(request, "console/slip.html", f"Phiếu tiếp nhận {code}", **context)
