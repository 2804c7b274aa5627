"""The supervisors' page (Mặt trận Tổ quốc, Ban thanh tra nhân dân; admins and handlers see it too):
a year's petitions by type, village and month, satisfaction, and the overdue list. No filer, no
content: web/console/oversight.py computes it from the report's and the public statistics' rules.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any

from aiohttp import web

from domain.petitions import Role
from web.console import oversight
from web.console.auth import require
from web.report import figures

if TYPE_CHECKING:
    from web.console.app import Console

PATH = "/thong-ke"


def routes(console: Console) -> list[web.RouteDef]:
    @require(Role.SUPERVISOR, Role.ADMIN, Role.HANDLER)
    async def page(request: web.Request) -> web.Response:
        today = console.clock().astimezone(console.tz).date()
        asked = request.query.get("nam", "")
        year = min(max(int(asked), 2000), today.year) if asked.isdigit() else today.year
        start = datetime.combine(date(year, 1, 1), time(), console.tz).astimezone(UTC)
        end = datetime.combine(date(year + 1, 1, 1), time(), console.tz).astimezone(UTC)
        async with console.store.uow() as uow:
            facts = await uow.public.petition_facts(start, end)
            villages = await uow.commune.villages()
            open_now = await uow.petitions.open()
            officials = await uow.officials.all()
        seen = oversight.oversight(facts, villages, year, today, console.tz)
        report = figures.build(
            date(year, 1, 1), date(year, 12, 31), facts, villages, [], [], today, console.tz
        )
        tables: list[tuple[str, str, dict[str, Any]]] = [
            ("Theo loại đơn", "theo-loai", {"heading": "Loại", "rows": seen.by_kind}),
            ("Theo thôn", "theo-thon", {"heading": "Thôn", "rows": seen.by_village}),
            ("Theo tháng tiếp nhận", "theo-thang", {"heading": "Tháng", "rows": seen.by_month}),
        ]
        return await console.render(
            request,
            "console/supervise.html",
            f"Giám sát giải quyết đơn năm {year}",
            nav="stats",
            year=year,
            here=console.path(PATH),
            previous=year - 1,
            following=year + 1 if year < today.year else None,
            overdue=oversight.overdue_list(open_now, officials, today, console.tz),
            tables=tables,
            satisfaction=report,
        )

    return [web.get(console.path(PATH), page)]
