"""`python -m bot schedule preview --days N`: what the scheduler will post, when, to whom."""

from __future__ import annotations

import sys
from datetime import datetime, time, timedelta
from typing import TextIO
from zoneinfo import ZoneInfo

from handlers.calendar import occurrences
from handlers.vnformat import vn_datetime
from scheduled.posts import after_quiet_hours, parse_duration, targets
from storage.store import Store


async def preview(
    store: Store,
    now: datetime,
    days: int,
    tz: ZoneInfo,
    quiet: tuple[time, time] | None,
    out: TextIO = sys.stdout,
) -> int:
    """Print every planned reminder and every queued post in the next `days` days, soonest first."""
    until = now + timedelta(days=days)
    rows: list[tuple[datetime, str, str]] = []
    async with store.uow() as uow:
        groups = await uow.groups.all()
        for event in await uow.events.all():
            leads = [(parse_duration(d), d) for d in event.remind_before]
            longest = max((lead for lead, _ in leads), default=timedelta(0))
            for occ in occurrences(event, now, until + longest, tz):
                for lead, label in leads:
                    due = after_quiet_hours(occ.start - lead, quiet, tz)
                    if not now <= due < until:
                        continue
                    for group in targets(groups, event.villages, event.notify):
                        what = f"nhắc ({label}) {event.title} — {vn_datetime(occ.start)}"
                        rows.append((due, group.name, what))
        for message in await uow.outbox.pending():
            due = message.next_attempt_at or now
            if due < until:
                name = next((g.name for g in groups if g.chat_id == message.chat_id), message.chat_id)
                rows.append((max(due, now), name, "đang chờ gửi: " + message.payload.get("text", "")[:60]))
    if not rows:
        print(f"Không có gì sẽ được gửi trong {days} ngày tới.", file=out)
    for due, who, what in sorted(rows, key=lambda r: (r[0], r[1])):
        print(f"{vn_datetime(due.astimezone(tz))}\t{who}\t{what}", file=out)
    return 0
