"""`python -m bot schedule preview --days N`: what the scheduler will post, when, to whom."""

from __future__ import annotations

import sys
from datetime import datetime, time, timedelta
from typing import TextIO
from zoneinfo import ZoneInfo

from domain.reach import Reach
from domain.vnformat import vn_datetime
from scheduled.posts import after_quiet_hours, targets
from scheduled.reminders import plan_reminders
from storage.store import Store


async def preview(
    store: Store,
    now: datetime,
    days: int,
    tz: ZoneInfo,
    quiet: tuple[time, time] | None,
    reach: Reach,
    out: TextIO = sys.stdout,
) -> int:
    """Print every planned reminder and every queued post in the next `days` days, soonest first."""
    until = now + timedelta(days=days)
    rows: list[tuple[datetime, str, str]] = []
    async with store.uow() as uow:
        groups = await uow.groups.all()
        events = {event.id: event for event in await uow.events.all()}
        for planned in plan_reminders(list(events.values()), now, tz, timedelta(days=days)):
            due = after_quiet_hours(planned.due, quiet, tz)
            if not now <= due < until:
                continue
            event = events[planned.event_id]
            what = f"nhắc ({planned.label}) {event.title} — {vn_datetime(planned.start)}"
            rows += [
                (due, group.name, what) for group in targets(groups, event.villages, event.notify, reach)
            ]
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
