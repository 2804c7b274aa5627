"""A petition's page: the facts, the history (audit trail), and for admins and handlers the forms:
answer the filer, add an internal note, change its status, assign it (admins), see who filed it
(audited; for a denunciation only its assignee and admins). Supervisors see no identity and no form.

Every action goes through the function the chat uses (`Console.act`, handlers.officials.act): the
same rules, the same words to the filer, queued in the same outbox.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web
from multidict import MultiDictProxy

from domain import petition_actions as rules
from domain.petition_access import may_act, may_see_identity, may_work
from domain.petition_actions import REASON_MIN, Refusal
from domain.petition_texts import ACTION_LABELS, KIND_LABELS, STATUS_LABELS
from domain.petitions import ACTING_ROLES, RESIDENT, Op, Role, due_now, is_open
from domain.vnformat import vn_date, vn_datetime
from storage.models import Official, Petition
from storage.repositories.outbox import POST
from storage.uow import UnitOfWork
from web.console.auth import ConsoleUser, checked_form, current_user, require

if TYPE_CHECKING:
    from web.console.app import Console

TEXT_MAX = 4000
STATUS_OPS = {
    Op.ACCEPT: "Thụ lý",
    Op.TAKE: "Tôi nhận xử lý",
    Op.FORWARD: "Chuyển cơ quan có thẩm quyền",
    Op.REFUSE: "Không thụ lý",
    Op.RESOLVE: "Đã giải quyết xong",
}
DONE = {
    "tra-loi": "Đã lưu trả lời và gửi đến người gửi.",
    "tra-loi-cho": "Đã lưu trả lời. Người gửi chưa nhắn cho Zalo OA của xã trong 7 ngày qua; trả lời sẽ tự gửi khi họ nhắn lại.",
    "tra-loi-luu": "Đã lưu trả lời (người gửi đã xóa dữ liệu liên hệ nên không gửi được).",
    "ghi-chu": "Đã thêm ghi chú nội bộ.",
    "giao": "Đã giao hồ sơ.",
    "thao-tac": "Đã cập nhật hồ sơ; người gửi được báo khi việc này cần báo.",
}
EMPTY_ANSWER = "Anh/chị chưa viết nội dung trả lời. Chưa có gì được gửi."
EMPTY_NOTE = "Anh/chị chưa viết nội dung ghi chú. Chưa có gì thay đổi."
NEED_REASON = f"Cần ghi rõ lý do (ít nhất {REASON_MIN} ký tự). Chưa có gì thay đổi."

Action = Callable[[UnitOfWork, Official, Petition, MultiDictProxy[str]], Awaitable[str | Refusal]]


def _official(officials: list[Official], user: ConsoleUser) -> Official | None:
    return next((o for o in officials if o.id == user.official_id), None)


def _text(form: MultiDictProxy[str], name: str) -> str:
    return form.get(name, "").strip()[:TEXT_MAX]


class PetitionPage:
    def __init__(self, console: Console) -> None:
        self.c = console

    def routes(self) -> list[web.RouteDef]:
        p = self.c.path("/ho-so/{code}")
        acting = require(Role.ADMIN, Role.HANDLER)
        return [
            web.get(p, require()(self.show)),
            web.post(p + "/tra-loi", acting(self._post(self.answer))),
            web.post(p + "/ghi-chu", acting(self._post(self.note))),
            web.post(p + "/thao-tac", acting(self._post(self.status))),
            web.post(p + "/giao", acting(self._post(self.assign))),
            web.post(p + "/danh-tinh", acting(self.identity)),
        ]

    async def show(self, request: web.Request) -> web.Response:
        done = DONE.get(request.query.get("xong", ""))
        return await self._page(request, done=done)

    async def _page(
        self, request: web.Request, *, status: int = 200, error: str | None = None, **extra: Any
    ) -> web.Response:
        user = await current_user(request)
        assert user is not None
        code = request.match_info["code"].upper()
        async with self.c.store.uow() as uow:
            petition = await uow.petitions.by_code(code)
            if petition is not None and petition.id is not None:
                officials = await uow.officials.all()
                events = await uow.petitions.events(petition.id, include_internal=True)
        if petition is None:
            message = f"Không có hồ sơ {code}. Anh/chị kiểm tra lại mã hồ sơ."
            return await self.c.render(
                request, "console/forbidden.html", "Không tìm thấy", status=404, message=message
            )
        ctx = self._context(petition, officials, user, events)
        return await self.c.render(
            request,
            "console/petition.html",
            f"Hồ sơ {code}",
            status=status,
            nav="queue",
            error=error,
            **ctx,
            **extra,
        )

    def _context(
        self, petition: Petition, officials: list[Official], user: ConsoleUser, events: list[Any]
    ) -> dict[str, Any]:
        tz = self.c.tz
        names = {o.id: o.name for o in officials}
        me = _official(officials, user)
        due = due_now(petition) if is_open(petition) else None
        today = self.c.clock().astimezone(tz).date()
        ops = [(op.value, label) for op, label in STATUS_OPS.items() if rules.check(op, petition, me) is None]
        return {
            "p": petition,
            "kind": KIND_LABELS.get(petition.kind, petition.kind),
            "status_label": STATUS_LABELS.get(petition.status, petition.status),
            "received": vn_datetime(petition.received_at.astimezone(tz)) if petition.received_at else "",
            "due": vn_date(due) if due else "",
            "late": due is not None and due < today,
            "assignee": names.get(petition.assignee or "", petition.assignee or ""),
            "history": [
                {
                    "at": vn_datetime(e.at.astimezone(tz)) if e.at else "",
                    "who": "Người gửi" if e.actor == RESIDENT else names.get(e.actor, e.actor),
                    "what": ACTION_LABELS.get(e.action, e.action),
                    "detail": e.detail or "",
                    "internal": e.internal,
                }
                for e in events
            ],
            "acting": may_work(me, petition),
            "held": rules.HELD_BY_ASSIGNEE if may_act(me) and not may_work(me, petition) else "",
            "open": is_open(petition),
            "ops": ops,
            "admin": user.role == Role.ADMIN,
            "handlers": [(o.id, o.name) for o in officials if o.role in ACTING_ROLES],
            "sees_identity": may_see_identity(me, petition),
        }

    def _post(self, action: Action) -> Callable[[web.Request], Awaitable[web.Response]]:
        """A form's POST: CSRF checked, the official re-read, the action done in one transaction;
        then back to the page (or the page again with the reason nothing changed)."""

        async def handle(request: web.Request) -> web.Response:
            form = await checked_form(request)
            user = await current_user(request)
            assert user is not None
            code = request.match_info["code"].upper()
            async with self.c.store.uow() as uow:
                official = _official(await uow.officials.all(), user)
                petition = await uow.petitions.by_code(code)
                if petition is None or petition.id is None:
                    raise web.HTTPNotFound(text=f"Không có hồ sơ {code}.")
                if official is None:
                    raise web.HTTPSeeOther(self.c.gate.login_path)
                outcome = await action(uow, official, petition, form)
                if not isinstance(outcome, Refusal):
                    await uow.commit()
            if isinstance(outcome, Refusal):
                return await self._page(request, status=400, error=outcome.reason, typed=dict(form))
            self.c.on_queued()
            raise web.HTTPSeeOther(self.c.path(f"/ho-so/{code}?xong={outcome}"))

        return handle

    async def _act(
        self, uow: UnitOfWork, official: Official, petition: Petition, op: Op, text: str = ""
    ) -> str | Refusal:
        if self.c.act is None:
            return Refusal("Trang cán bộ chưa được nối với bộ xử lý hồ sơ. Chưa có gì thay đổi.")
        acted = await self.c.act(uow, self.c.clock(), op, petition, official, text)
        if isinstance(acted, Refusal):
            return acted
        now = self.c.clock()
        for notice in acted.notices:
            if notice.channel and notice.chat_id:
                await uow.outbox.put(notice.channel, notice.chat_id, notice.payload(), now, priority=POST)
        if op is not Op.ANSWER:
            return "thao-tac"
        return "tra-loi-cho" if acted.waits else "tra-loi" if acted.notices else "tra-loi-luu"

    async def answer(
        self, uow: UnitOfWork, official: Official, petition: Petition, form: MultiDictProxy[str]
    ) -> str | Refusal:
        text = _text(form, "noi_dung")
        if len(text) < 2:
            return Refusal(EMPTY_ANSWER)
        return await self._act(uow, official, petition, Op.ANSWER, text)

    async def note(
        self, uow: UnitOfWork, official: Official, petition: Petition, form: MultiDictProxy[str]
    ) -> str | Refusal:
        text = _text(form, "ghi_chu")
        if not text:
            return Refusal(EMPTY_NOTE)
        done = await self._act(uow, official, petition, Op.NOTE, text)
        return done if isinstance(done, Refusal) else "ghi-chu"

    async def status(
        self, uow: UnitOfWork, official: Official, petition: Petition, form: MultiDictProxy[str]
    ) -> str | Refusal:
        try:
            op = Op(form.get("op", ""))
        except ValueError:
            return Refusal("Thao tác không hợp lệ. Chưa có gì thay đổi.")
        if op not in STATUS_OPS:
            return Refusal("Thao tác không hợp lệ. Chưa có gì thay đổi.")
        reason = _text(form, "ly_do")
        if op in (Op.FORWARD, Op.REFUSE) and len(reason) < REASON_MIN:
            return Refusal(NEED_REASON)
        return await self._act(uow, official, petition, op, reason)

    async def assign(
        self, uow: UnitOfWork, official: Official, petition: Petition, form: MultiDictProxy[str]
    ) -> str | Refusal:
        target = form.get("can_bo", "").strip().lower()
        to = next((o for o in await uow.officials.all() if o.id == target), None)
        done = rules.assign(petition, official, to)
        if isinstance(done, Refusal):
            return done
        await uow.petitions.apply(petition, done, self.c.clock())
        return "giao"

    async def identity(self, request: web.Request) -> web.Response:
        """Who filed it, shown once on this page; every view is recorded in the history."""
        await checked_form(request)
        user = await current_user(request)
        assert user is not None
        code = request.match_info["code"].upper()
        async with self.c.store.uow() as uow:
            official = _official(await uow.officials.all(), user)
            petition = await uow.petitions.by_code(code)
            if petition is None or petition.id is None:
                raise web.HTTPNotFound(text=f"Không có hồ sơ {code}.")
            viewed = rules.identity_view(official, petition)
            party = None
            if not isinstance(viewed, Refusal):
                party = await uow.petitions.party(petition.id)
                await uow.petitions.apply(petition, viewed, self.c.clock())
                await uow.commit()
        if isinstance(viewed, Refusal):  # (the page is read once this unit of work has ended)
            return await self._page(request, status=403, error=viewed.reason)
        if party is None or party.erased_at is not None:
            shown: dict[str, object] = {"erased": True}
        else:
            shown = {
                "name": party.name or "",
                "phone": party.phone or "",
                "address": party.address or "",  # written on a paper petition
                "channel": party.channel or "",
            }
        return await self._page(request, identity=shown)


def routes(console: Console) -> list[web.RouteDef]:
    return PetitionPage(console).routes()
