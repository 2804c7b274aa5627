"""The calendar page: the coming sittings as a list, and a month as a grid (Monday first)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.calendar import EventLike, occurrences, upcoming
from domain.vnformat import EVENT_KINDS, WEEKDAYS, vn_date, vn_datetime, vn_time
from web.board.views import slug

DAYS_AHEAD = 30  # as the chat's /lich
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Sitting:
    """One occurrence of an event."""

    event_id: str
    title: str
    kind: str
    when: str
    time: str
    clock: str  # "7:00", for the month grid
    day: date
    location: str | None
    host: str | None


@dataclass(frozen=True)
class Day:
    day: int
    iso: str
    today: bool
    sittings: list[Sitting]


def vn_day(day: date) -> str:
    """Chủ Nhật, 29/11/2026."""
    return f"{WEEKDAYS[day.weekday()]}, {vn_date(day)}"


def month_of(key: str | None, today: date) -> date:
    """The first day of the month asked for ('2026-12'), or of this month."""
    found = _MONTH.match(key or "")
    if found and 1 <= int(found.group(2)) <= 12 and 1900 < int(found.group(1)) < 3000:
        return date(int(found.group(1)), int(found.group(2)), 1)
    return today.replace(day=1)


def _sitting(event: EventLike, start: datetime) -> Sitting:
    return Sitting(
        event.id,
        event.title,
        EVENT_KINDS.get(event.kind, "Sự kiện"),
        vn_datetime(start),
        vn_time(start),
        f"{start.hour}:{start.minute:02d}",
        start.date(),
        event.location,
        event.host,
    )


def calendar_page(
    events: list[EventLike], villages: list[str], now: datetime, tz: ZoneInfo, month_key: str | None
) -> dict[str, Any]:
    today = now.astimezone(tz).date()
    first = month_of(month_key, today)
    last = date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])
    after = datetime.combine(first, time(), tz)
    before = datetime.combine(last + timedelta(days=1), time(), tz)
    in_month: dict[date, list[Sitting]] = {}
    for event in events:
        for occ in occurrences(event, after, before, tz):
            in_month.setdefault(occ.start.date(), []).append(_sitting(event, occ.start))
    weeks: list[list[Day | None]] = []
    for week in calendar.Calendar(firstweekday=0).monthdayscalendar(first.year, first.month):
        cells: list[Day | None] = []
        for number in week:
            if number == 0:
                cells.append(None)
                continue
            day = first.replace(day=number)
            found = sorted(in_month.get(day, []), key=lambda s: s.time)
            cells.append(Day(number, day.isoformat(), day == today, found))
        weeks.append(cells)
    listed = [(day, sorted(found, key=lambda s: s.time)) for day, found in sorted(in_month.items())]
    previous = (first - timedelta(days=1)).replace(day=1)
    following = last + timedelta(days=1)
    soon = [_sitting(ev, occ.start) for occ, ev in upcoming(events, now, DAYS_AHEAD, tz)]
    return {
        "soon": soon,
        "days_ahead": DAYS_AHEAD,
        "month_name": f"Tháng {first.month}/{first.year}",
        "weeks": weeks,
        "month_days": [(d.isoformat(), vn_day(d), found) for d, found in listed],
        "previous": (f"{previous.year}-{previous.month:02d}", f"Tháng {previous.month}/{previous.year}"),
        "following": (f"{following.year}-{following.month:02d}", f"Tháng {following.month}/{following.year}"),
        "village_feeds": [(v, slug(v)) for v in villages],
        "events": sorted(events, key=lambda e: e.title),
    }
