"""`python -m bot schedule preview --days N`: what the scheduler will post, when, to whom, and how."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TextIO
from zoneinfo import ZoneInfo

from domain.reach import Reach
from domain.vnformat import vn_datetime
from scheduled.posts import parse_duration
from scheduled.recipients import RELAY, Way, after_quiet_hours, concerned, route
from scheduled.reminders import plan_reminders
from storage.models import Group, Official
from storage.store import Store
from storage.uow import UnitOfWork


def lead_time_words(label: str) -> str:
    """'P1D' -> 'trước 1 ngày', 'PT2H' -> 'trước 2 giờ', 'P1DT30M' -> 'trước 1 ngày 30 phút'."""
    lead = parse_duration(label)
    hours, rest = divmod(lead.seconds, 3600)
    parts = [f"{n} {unit}" for n, unit in ((lead.days, "ngày"), (hours, "giờ"), (rest // 60, "phút")) if n]
    return "trước " + " ".join(parts) if parts else "đúng giờ"


def how_reached(group: Group, reach: Reach, officials: dict[str, Official]) -> tuple[str, str]:
    """(a short note for the timeline, a line for the group list): how posts reach a group, or why not yet."""
    where = f"{group.name} ({group.channel.capitalize()})"
    if group.officials:
        return "", f"{where}: nhóm cán bộ — nhận hồ sơ mới, nhắc hạn"
    way = route(group, reach, officials).way
    if way is Way.DIRECT:
        return "", f"{where}: bot đăng thẳng vào nhóm"
    if way is Way.RELAY:
        admin = officials[group.relay_by or ""]
        return " (nhờ quản trị nhóm chuyển tiếp)", (
            f"{where}: bot gửi riêng cho {admin.name} (quản trị nhóm) để chuyển tiếp, nhắc một lần nếu chưa đăng"
        )
    if way is Way.OA_GROUP:
        return " (Official Account đăng)", f"{where}: Official Account của xã đăng vào nhóm (nhóm do OA lập)"
    if way is Way.FANOUT:
        return " (gửi riêng từng người đăng ký)", f"{where}: gửi riêng từng bà con đã nhắn /dangky cho bot"
    if group.reach == RELAY:
        who = officials[group.relay_by].name if group.relay_by in officials else group.relay_by or "?"
        return " (chưa gửi được vào nhóm này)", (
            f"{where}: CHƯA đăng được — quản trị nhóm ({who}) chưa có tài khoản "
            f"{group.channel.capitalize()} để bot nhờ chuyển tiếp; bà con nhắn /dangky cho bot để nhận riêng"
        )
    return " (chưa gửi được vào nhóm này)", (
        f"{where}: CHƯA đăng được — bot chưa được đăng vào nhóm trên kênh này; "
        "bà con nhắn /dangky cho bot để nhận riêng"
    )


@dataclass(frozen=True)
class GroupReach:
    """How posts reach one group now (the scheduler's decision, `route`), for the console's page."""

    group_id: str
    name: str
    channel: str
    way: str  # a `Way` value, or "officials" for an officials' group
    how: str  # the group list's line of `schedule preview`
    chat: tuple[str, str] | None  # (channel, chat id) its posts are queued to (a relay: the admin's)
    key_suffix: str  # what its posts' dedupe keys end with


async def group_reach(uow: UnitOfWork, reach: Reach) -> list[GroupReach]:
    """Every group of the commune with how posts reach it (or why they cannot yet)."""
    officials = {o.id: o for o in await uow.officials.all()}
    rows = []
    for group in await uow.groups.all():
        decided = route(group, reach, officials)
        recipient = decided.recipient
        rows.append(
            GroupReach(
                group.id,
                group.name,
                group.channel,
                "officials" if group.officials else decided.way.value,
                how_reached(group, reach, officials)[1].removeprefix(
                    f"{group.name} ({group.channel.capitalize()}): "
                ),
                (recipient.channel, recipient.chat_id) if recipient else None,
                recipient.suffix if recipient else group.id,
            )
        )
    return rows


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
        officials = {o.id: o for o in await uow.officials.all()}
        events = {event.id: event for event in await uow.events.all()}
        for planned in plan_reminders(list(events.values()), now, tz, timedelta(days=days)):
            due = after_quiet_hours(planned.due, quiet, tz)
            if not now <= due < until:
                continue
            event = events[planned.event_id]
            what = f"nhắc {lead_time_words(planned.label)}: {event.title} — {vn_datetime(planned.start)}"
            # every group the post is meant for, reachable now or not: none is left out silently
            for group in concerned(groups, event.villages, event.notify):
                rows.append((due, group.name, what + how_reached(group, reach, officials)[0]))
        for message in await uow.outbox.pending():
            due = message.next_attempt_at or now
            if due < until:
                name = next((g.name for g in groups if g.chat_id == message.chat_id), message.chat_id)
                rows.append((max(due, now), name, "đang chờ gửi: " + message.payload.get("text", "")[:60]))
    print("Các nhóm:" if groups else "Chưa có nhóm nào trong tệp dữ liệu.", file=out)
    for group in groups:
        print(f"• {how_reached(group, reach, officials)[1]}", file=out)
    print(f"\nSẽ gửi trong {days} ngày tới:", file=out)
    if not rows:
        print("Không có gì.", file=out)
    for due, who, what in sorted(rows, key=lambda r: (r[0], r[1])):
        print(f"{vn_datetime(due.astimezone(tz))}\t{who}\t{what}", file=out)
    return 0
