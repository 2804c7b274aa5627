"""A question asking when or where a kind of event takes place ("lịch họp dân", "khi nào tiếp
dân", "họp dân ở đâu"): answered by the commune's published events of that kind (qa/schedule.py),
with their next sittings, place and host, as /lich shows them."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.calendar import occurrences
from domain.messages import Button, Reply
from domain.vnformat import button_title, vn_datetime
from handlers.services import Ctx
from qa.entries import SearchHit
from qa.schedule import schedule_ask
from qa.searcher import cap
from storage.models import Event

DAYS_AHEAD = 120  # as an event's own answer (handlers/ask.py `render`)
MAX_EVENTS = 5


async def schedule_events(
    ctx: Ctx, question: str, hits: list[SearchHit], threshold: float
) -> list[Event] | None:
    """The events answering a schedule question, best first; None when it is not one, the search
    already answers it with an event (`threshold`: the confidence answered at), or no published
    event is of the kind asked and holds every specific word of the question."""
    asked = schedule_ask(cap(question))
    if asked is None:
        return None
    if hits and hits[0].kind == "event" and hits[0].confidence >= threshold:
        return None
    commune = await ctx.uow.commune.get()
    own = [commune.name, commune.province or ""] if commune is not None else []
    found = [
        e
        for e in await ctx.uow.events.all()
        if asked.of_kind(e.kind, e.title)
        and asked.covered_by(
            [e.title, e.host or "", e.location or "", e.description or "", e.start[:4], *e.villages, *own]
        )
    ]
    if not found:
        return None
    ranked = {h.id: n for n, h in enumerate(hits) if h.kind == "event"}
    far = ctx.now + timedelta(days=DAYS_AHEAD)
    soonest = {e.id: _next(ctx, e, far) for e in found}
    if not asked.specific:  # "lịch họp dân": every one coming up, soonest first
        coming = [e for e in found if soonest[e.id] is not None]
        found = coming or found
        return sorted(found, key=lambda e: (soonest[e.id] or far, e.id))[:MAX_EVENTS]
    fits = {e.id: asked.title_fit(e.title) for e in found}
    best = min(named for named, _ in fits.values())  # the titles naming most of what is asked
    found = [e for e in found if fits[e.id][0] == best]
    order = sorted(found, key=lambda e: (fits[e.id], ranked.get(e.id, len(hits)), soonest[e.id] or far, e.id))
    return order[:MAX_EVENTS]


def _next(ctx: Ctx, event: Event, before: datetime) -> datetime | None:
    soon = occurrences(event, ctx.now, before, ctx.svc.tz)
    return soon[0].start if soon else None


def listing(ctx: Ctx, events: list[Event]) -> Reply:
    """Several events: each with its next sitting, place and host, and a button to open it."""
    lines = ["📅 Lịch xã đã công bố:"]
    for event in events:
        soon = occurrences(event, ctx.now, ctx.now + timedelta(days=DAYS_AHEAD), ctx.svc.tz)
        when = vn_datetime(soon[0].start) if soon else "chưa có buổi nào sắp tới"
        place = f" — {event.location}" if event.location else ""
        lines.append(f"\n• {event.title}\n  {when}{place}")
        if event.host:
            lines.append(f"  Chủ trì: {event.host}")
    lines.append("\nBà con bấm vào từng buổi để xem chi tiết.")
    if ctx.svc.public_base_url:
        lines.append(f"📲 Thêm lịch của xã vào điện thoại: {ctx.svc.public_base_url}/lich.ics")
    buttons = tuple((Button(f"📅 {button_title(e.title)}", f"doc:{e.id}"),) for e in events)
    return Reply("\n".join(lines), buttons=buttons)
