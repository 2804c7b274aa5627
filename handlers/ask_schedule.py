"""A question asking when or where a kind of event takes place ("lịch họp dân", "khi nào tiếp
dân", "họp dân ở đâu"): answered by the commune's published events of that kind (qa/schedule.py),
with their next sittings, place and host, as /lich shows them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from domain.calendar import occurrences
from domain.messages import Button, Reply
from domain.vnformat import button_title, vn_datetime
from handlers.schedule import event_lines
from handlers.services import Ctx
from qa.entries import SearchHit
from qa.schedule import schedule_ask
from qa.searcher import cap
from storage.models import Event

DAYS_AHEAD = 120  # as an event's own answer (handlers/ask.py `render`)
MAX_EVENTS = 5


async def schedule_events(
    ctx: Ctx, question: str, hits: list[SearchHit], threshold: float
) -> list[Scheduled] | None:
    """The events answering a schedule question, best first; None when it is not one, or no
    published event is of the kind asked and holds every specific word of the question, or the
    question names one (a village, a host) and the search already answers it with an event of that
    kind (`threshold`: the confidence answered at)."""
    asked = schedule_ask(cap(question))
    if asked is None:
        return None
    events = await ctx.uow.events.all()
    if asked.specific and hits and hits[0].kind == "event" and hits[0].confidence >= threshold:
        top = next((e for e in events if e.id == hits[0].id), None)
        if top is not None and asked.of_kind(top.kind, top.title):
            return None
    own = await ctx.own_names()
    found = [
        e
        for e in events
        if asked.of_kind(e.kind, e.title)
        # not the description: "Hội đồng bồi thường" in a dialogue's is no "kỳ họp hội đồng"
        and asked.covered_by([e.title, e.host or "", e.location or "", e.start[:4], *e.villages, *own])
    ]
    if not found:
        return None
    ranked = {h.id: n for n, h in enumerate(hits) if h.kind == "event"}
    when = [sittings(ctx, e) for e in found]
    far = ctx.now + timedelta(days=DAYS_AHEAD)
    if not asked.specific:  # "lịch họp dân": every one coming up, soonest first; else the latest
        coming = sorted((s for s in when if s.soon), key=lambda s: (s.soon or far, s.event.id))
        past = sorted((s for s in when if not s.soon), key=lambda s: (s.last or ctx.now, s.event.id))
        return (coming or past[::-1])[:MAX_EVENTS]
    fits = {e.id: asked.title_fit(e.title) for e in found}
    best = min(named for named, _ in fits.values())  # the titles naming most of what is asked
    when = [s for s in when if fits[s.event.id][0] == best]
    order = sorted(
        when, key=lambda s: (fits[s.event.id], ranked.get(s.event.id, len(hits)), s.soon or far, s.event.id)
    )
    return order[:MAX_EVENTS]


class Scheduled(NamedTuple):
    """An event with its next sitting within DAYS_AHEAD and its last one within a year before now."""

    event: Event
    soon: datetime | None
    last: datetime | None


def sittings(ctx: Ctx, event: Event) -> Scheduled:
    """The event with its sittings around now (computed once: they order the events and are shown)."""
    soon = occurrences(event, ctx.now, ctx.now + timedelta(days=DAYS_AHEAD), ctx.svc.tz)
    before = occurrences(event, ctx.now - timedelta(days=365), ctx.now, ctx.svc.tz)
    return Scheduled(event, soon[0].start if soon else None, before[-1].start if before else None)


def listing(ctx: Ctx, found: list[Scheduled]) -> Reply:
    """Several events: each with its next sitting (else its last), place and host, and a button to
    open it."""
    coming = any(s.soon for s in found)
    lines = ["📅 Lịch xã đã công bố:" if coming else "📅 Xã chưa công bố buổi nào sắp tới. Các buổi gần đây:"]
    for event, soon, last in found:
        if soon:
            said = vn_datetime(soon)
        elif last:
            said = f"đã diễn ra {vn_datetime(last)}"
        else:
            said = "chưa có buổi nào sắp tới"
        lines += event_lines(event, said)
    lines.append("\nBà con chọn từng buổi để xem chi tiết.")
    if ctx.svc.public_base_url:
        lines.append(f"📲 Thêm lịch của xã vào điện thoại: {ctx.svc.public_base_url}/lich.ics")
    buttons = tuple((Button(f"📅 {button_title(s.event.title)}", f"doc:{s.event.id}"),) for s in found)
    return Reply("\n".join(lines), buttons=buttons)
