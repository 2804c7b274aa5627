"""Residents' questions the bot could not answer, grouped by similarity with counts and dates
(the grouping of `python -m bot questions`, qa/question_groups.py), most asked first. Texts are
redacted (phones, e-mails, ID numbers hidden) and no asker is named: every official may read it.
Each group links to the publishing form, its title filled with the question."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from domain.vnformat import vn_date
from qa.question_groups import VARIANTS, group, wordings
from web.console.auth import require

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from web.console.app import Console

SHOWN = 200  # groups on the page; the command line lists them all


def _day(at: datetime | None, tz: ZoneInfo) -> str:
    return vn_date(at.astimezone(tz).date()) if at else "?"


def routes(console: Console) -> list[web.RouteDef]:
    @require()
    async def index(request: web.Request) -> web.Response:
        async with console.store.uow() as uow:
            questions = await uow.unanswered.all()
        groups = group(questions)
        rows: list[dict[str, Any]] = []
        for g in groups[:SHOWN]:
            shown, more = wordings(g, VARIANTS)
            first, last = _day(g.first, console.tz), _day(g.last, console.tz)
            rows.append(
                {
                    "count": len(g.asked),
                    "when": first if first == last else f"{first} – {last}",
                    "wordings": shown,
                    "more": more,
                }
            )
        return await console.render(
            request,
            "console/questions.html",
            "Câu hỏi chưa trả lời",
            nav="questions",
            rows=rows,
            total=len(questions),
            groups=len(groups),
            cut=max(0, len(groups) - SHOWN),
        )

    return [web.get(console.path("/cau-hoi"), index)]
