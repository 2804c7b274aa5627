"""The petition queue: filters (status, type, village, overdue against the legal deadlines), counts
by status and pages. Everyone signed in sees it (supervisors watch overdue items here)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from aiohttp import web

from domain.petition_texts import KIND_LABELS, STATUS_LABELS
from domain.petitions import due_now, is_open
from domain.vnformat import vn_date
from storage.models import Petition
from storage.repositories.console_queue import QueueFilter
from web.console.auth import require

if TYPE_CHECKING:
    from web.console.app import Console

PAGE_SIZE = 25


def _choice(value: str, allowed: dict[str, str]) -> str | None:
    return value if value in allowed else None


def _row(petition: Petition, today: date, tz: Any) -> dict[str, Any]:
    due = due_now(petition) if is_open(petition) else None
    received = petition.received_at.astimezone(tz).date() if petition.received_at else None
    return {
        "code": petition.code,
        "kind": KIND_LABELS.get(petition.kind, petition.kind),
        "status": STATUS_LABELS.get(petition.status, petition.status),
        "village": petition.village or "",
        "summary": petition.summary,
        "received": vn_date(received) if received else "",
        "due": vn_date(due) if due else "",
        "late": due is not None and due < today,
    }


def routes(console: Console) -> list[web.RouteDef]:
    @require()
    async def index(request: web.Request) -> web.Response:
        q = request.query
        today = console.clock().astimezone(console.tz).date()
        page = max(int(q["trang"]), 1) if q.get("trang", "").isdigit() else 1
        async with console.store.uow() as uow:
            villages = await uow.console.villages_in_use()
            wanted = QueueFilter(
                status=_choice(q.get("trang-thai", ""), STATUS_LABELS),
                kind=_choice(q.get("loai", ""), KIND_LABELS),
                village=q.get("thon") if q.get("thon") in villages else None,
                overdue_on=today if q.get("qua-han") == "1" else None,
            )
            rows, total = await uow.console.queue(wanted, (page - 1) * PAGE_SIZE, PAGE_SIZE)
            counts = await uow.console.status_counts()
            overdue = (await uow.console.queue(QueueFilter(overdue_on=today), 0, 1))[1]
        kept = {k: v for k, v in q.items() if k != "trang" and v}
        return await console.render(
            request,
            "console/queue.html",
            "Hàng đợi hồ sơ",
            nav="queue",
            rows=[_row(p, today, console.tz) for p in rows],
            total=total,
            page=page,
            pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
            kept=kept,
            wanted=wanted,
            counts=[(STATUS_LABELS[s], counts.get(s, 0)) for s in STATUS_LABELS],
            overdue=overdue,
            statuses=STATUS_LABELS,
            kinds=KIND_LABELS,
            villages=villages,
        )

    async def bare(request: web.Request) -> web.Response:
        raise web.HTTPMovedPermanently(console.path("/"))

    return [web.get(console.path("/"), index), web.get(console.prefix, bare)]
