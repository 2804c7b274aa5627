"""/lich: reception hours, meetings and dialogues in the next 30 days."""

from __future__ import annotations

from domain.calendar import EventLike, upcoming
from domain.messages import Incoming, Reply
from domain.vnformat import vn_datetime
from handlers.services import Ctx

DAYS_AHEAD = 30
MAX_LINES = 25


def event_lines(event: EventLike, when: str) -> list[str]:
    """One event in a list: its title, when, where, and who chairs it."""
    place = f" — {event.location}" if event.location else ""
    lines = [f"\n• {event.title}\n  {when}{place}"]
    if event.host:
        lines.append(f"  Chủ trì: {event.host}")
    return lines


async def upcoming_events(msg: Incoming, ctx: Ctx) -> list[Reply]:
    """List every occurrence in the coming 30 days with time, place and host."""
    events = await ctx.uow.events.all()
    found = upcoming(list(events), ctx.now, DAYS_AHEAD, ctx.svc.tz)
    if not found:
        return [
            Reply(f"Trong {DAYS_AHEAD} ngày tới chưa có lịch tiếp công dân hay cuộc họp nào được công bố.")
        ]
    lines = [f"📅 Lịch {DAYS_AHEAD} ngày tới:"]
    for occ, event in found[:MAX_LINES]:
        lines += event_lines(event, vn_datetime(occ.start))
    if len(found) > MAX_LINES:
        lines.append(f"\n… và {len(found) - MAX_LINES} buổi khác.")
    if ctx.svc.public_base_url:
        lines.append(f"\n📲 Thêm lịch của xã vào điện thoại: {ctx.svc.public_base_url}/lich.ics")
    return [Reply("\n".join(lines))]
