"""`python -m bot schedule preview --days N`: what the scheduler will post, when, to whom, and how."""

from __future__ import annotations

import sys
from datetime import datetime, time, timedelta
from typing import TextIO
from zoneinfo import ZoneInfo

from domain.reach import Reach
from domain.vnformat import vn_datetime
from scheduled.posts import after_quiet_hours, parse_duration, targets
from scheduled.reminders import plan_reminders
from storage.models import Group
from storage.store import Store


def lead_time_words(label: str) -> str:
    """'P1D' -> 'trước 1 ngày', 'PT2H' -> 'trước 2 giờ', 'P1DT30M' -> 'trước 1 ngày 30 phút'."""
    lead = parse_duration(label)
    hours, rest = divmod(lead.seconds, 3600)
    parts = [f"{n} {unit}" for n, unit in ((lead.days, "ngày"), (hours, "giờ"), (rest // 60, "phút")) if n]
    return "trước " + " ".join(parts) if parts else "đúng giờ"


def how_reached(group: Group, reach: Reach) -> str:
    """How posts reach a group, or why they cannot yet, in an official's words."""
    where = f"{group.name} ({group.channel.capitalize()})"
    if group.officials:
        return f"{where}: nhóm cán bộ — nhận hồ sơ mới, nhắc hạn"
    if reach.can_post(group.channel):
        return f"{where}: bot đăng thẳng vào nhóm"
    return (
        f"{where}: CHƯA đăng được — bot chưa được đăng vào nhóm trên kênh này; "
        "bà con nhắn /dangky cho bot để nhận riêng"
    )


async def preview(
    store: Store,
    now: datetime,
    days: int,
    tz: ZoneInfo,
    quiet: tuple[time, time] | None,
    reach: Reach,
    out: TextIO = sys.stdout,
) -> int:
    """Print every group with how it is reached, then every planned reminder and queued post."""
    if days < 1:
        print("Số ngày phải từ 1 trở lên, ví dụ: --days 30", file=sys.stderr)
        return 2
    until = now + timedelta(days=days)
    rows: list[tuple[datetime, str, str]] = []
    async with store.uow() as uow:
        groups = await uow.groups.all()
        # every group the post is meant for, reachable now or not: none is left out silently
        every_channel = Reach(group_posting=frozenset(g.channel for g in groups))
        events = {event.id: event for event in await uow.events.all()}
        for planned in plan_reminders(list(events.values()), now, tz, timedelta(days=days)):
            due = after_quiet_hours(planned.due, quiet, tz)
            if not now <= due < until:
                continue
            event = events[planned.event_id]
            what = f"nhắc {lead_time_words(planned.label)}: {event.title} — {vn_datetime(planned.start)}"
            for group in targets(groups, event.villages, event.notify, every_channel):
                note = "" if reach.can_post(group.channel) else " (chưa gửi được vào nhóm này)"
                rows.append((due, group.name, what + note))
        for message in await uow.outbox.pending():
            due = message.next_attempt_at or now
            if due < until:
                name = next((g.name for g in groups if g.chat_id == message.chat_id), message.chat_id)
                rows.append((max(due, now), name, "đang chờ gửi: " + message.payload.get("text", "")[:60]))
    print("Các nhóm:" if groups else "Chưa có nhóm nào trong tệp dữ liệu.", file=out)
    for group in groups:
        print(f"• {how_reached(group, reach)}", file=out)
    print(f"\nSẽ gửi trong {days} ngày tới:", file=out)
    if not rows:
        print("Không có gì.", file=out)
    for due, who, what in sorted(rows, key=lambda r: (r[0], r[1])):
        print(f"{vn_datetime(due.astimezone(tz))}\t{who}\t{what}", file=out)
    return 0
