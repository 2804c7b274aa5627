"""Group posts: notices of new disclosures, the weekly digest and postponements, queued once each.

Each post has a dedupe key (what, which occurrence, which group), so running a pass twice, after a
restart or a re-import, queues nothing new. Posts that fall in the quiet hours wait until they end.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.calendar import occurrences
from domain.reach import Reach
from domain.vnformat import vn_date, vn_datetime
from storage.models import Disclosure, Event, Group
from storage.store import Store
from storage.uow import UnitOfWork

NOTICE_WINDOW = timedelta(days=7)  # DESIGN.md: only disclosures published in the last 7 days
_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$")


def parse_duration(text: str) -> timedelta:
    """ISO 8601 day/hour/minute durations: P1D, PT2H, P1DT30M."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"not a duration: {text}")
    days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


def after_quiet_hours(moment: datetime, quiet: tuple[time, time] | None, tz: ZoneInfo) -> datetime:
    """The moment itself, or the end of the quiet window it falls in (delayed, never dropped)."""
    if quiet is None:
        return moment
    start, end = quiet
    local = moment.astimezone(tz)
    now_t = local.time()
    inside = (start <= now_t or now_t < end) if start > end else (start <= now_t < end)
    if not inside:
        return moment
    end_day = local.date() if now_t < end else local.date() + timedelta(days=1)
    return datetime.combine(end_day, end, tzinfo=tz)


def targets(groups: list[Group], villages: list[str], notify: list[str] | None, reach: Reach) -> list[Group]:
    """The community groups a post for these villages (or these named groups) goes to."""
    usable = [g for g in groups if reach.can_post(g.channel) and not g.officials]
    if notify:
        return [g for g in usable if g.id in notify]
    if not villages:
        return usable
    return [g for g in usable if not g.villages or set(g.villages) & set(villages)]


def notice_text(doc: Disclosure) -> str:
    lines = [
        line.strip() for line in doc.body.splitlines() if line.strip() and not line.startswith(("#", "|"))
    ]
    summary = " ".join(lines)[:220]
    period = f"Niêm yết từ {vn_date(doc.published_at)}" + (
        f" đến {vn_date(doc.posted_until)}" if doc.posted_until else ""
    )
    return f"📢 Thông báo công khai: {doc.title}\n{summary}\n{period}. Hỏi chi tiết: nhắn riêng cho bot."


async def queue_notices(
    store: Store, now: datetime, tz: ZoneInfo, quiet: tuple[time, time] | None, reach: Reach
) -> int:
    """Announce disclosures published in the last 7 days and never announced, once per group."""
    today = now.astimezone(tz).date()
    queued = 0
    async with store.uow() as uow:
        groups = await uow.groups.all()
        for doc in await uow.disclosures.all():
            if (
                doc.announced_at is not None
                or doc.published_at < today - NOTICE_WINDOW
                or doc.published_at > today
            ):
                continue
            recipients = await recipients_for(uow, groups, "notices", doc.villages, None, reach)
            queued += await queue_post(uow, recipients, notice_text(doc), f"notice:{doc.id}", now, tz, quiet)
            doc.announced_at = now
            uow.session.add(doc)
        await uow.commit()
    return queued


async def queue_digests(
    store: Store,
    now: datetime,
    tz: ZoneInfo,
    weekday: int,
    hour: int,
    quiet: tuple[time, time] | None,
    reach: Reach,
) -> int:
    """On the digest day, from the digest hour: one message per group with the coming week's events."""
    local = now.astimezone(tz)
    if local.weekday() != weekday or local.hour < hour:
        return 0
    year, week, _ = local.isocalendar()
    queued = 0
    async with store.uow() as uow:
        groups = await uow.groups.all()
        events = await uow.events.all()
        week_ahead = [(occ, ev) for ev in events for occ in occurrences(ev, now, now + timedelta(days=7), tz)]
        for group in targets(groups, [], None, reach):
            mine = sorted(
                (
                    (occ, ev)
                    for occ, ev in week_ahead
                    if group in targets([group], ev.villages, ev.notify, reach)
                ),
                key=lambda pair: pair[0].start,
            )
            if not mine:
                continue
            lines = ["🗓️ Lịch tuần này:"]
            for occ, ev in mine:
                place = f" — {ev.location}" if ev.location else ""
                lines.append(f"• {vn_datetime(occ.start)}: {ev.title}{place}")
            recipient = [(group.channel, group.chat_id, group.id)]
            key = f"digest:{year}-W{week:02d}"
            queued += await queue_post(uow, recipient, "\n".join(lines), key, now, tz, quiet)
        await uow.commit()
    return queued


async def queue_postponements(
    store: Store, now: datetime, tz: ZoneInfo, quiet: tuple[time, time] | None
) -> int:
    """'Hoãn' for reminded occurrences that no longer exist (cancelled or moved), once each."""
    queued = 0
    async with store.uow() as uow:
        for event in await uow.events.all():
            queued += await _announce_changes(uow, event, now, tz, quiet)
        await uow.commit()
    return queued


async def _announce_changes(
    uow: UnitOfWork, event: Event, now: datetime, tz: ZoneInfo, quiet: tuple[time, time] | None
) -> int:
    """'Hoãn' for reminded occurrences that no longer exist, with the next sitting if any."""
    prefix = f"reminder:{event.id}:"
    sent = await uow.outbox.keys_with_prefix(prefix)
    if not sent:
        return 0
    upcoming_starts = occurrences(event, now, now + timedelta(days=400), tz)
    current = {occ.start for occ in upcoming_starts}
    queued = 0
    for key, channel, chat_id in sent:
        rest = key[len(prefix) :]
        start_text = rest.split(":P", 1)[0]
        try:
            start = datetime.fromisoformat(start_text)
        except ValueError:
            continue
        if start <= now or start in current:
            continue
        later = [o.start for o in upcoming_starts if o.start > now]
        new_time = f" Lịch mới: {vn_datetime(later[0])}." if later else ""
        text = f"⚠️ Hoãn: {event.title}, {vn_datetime(start.astimezone(tz))}.{new_time}"
        recipient = [(channel, chat_id, f"{channel}:{chat_id}")]
        queued += await queue_post(uow, recipient, text, f"postponed:{event.id}:{start_text}", now, tz, quiet)
    return queued


async def recipients_for(
    uow: UnitOfWork,
    groups: list[Group],
    topic: str,
    villages: list[str],
    notify: list[str] | None,
    reach: Reach,
) -> list[tuple[str, str, str]]:
    """(channel, chat, dedupe suffix) of the subscribers and groups a post is for."""
    subscribers = await uow.subscriptions.for_topic(topic, villages)
    return [(s.channel, s.chat_id, f"sub:{s.channel}:{s.chat_id}") for s in subscribers] + [
        (g.channel, g.chat_id, g.id) for g in targets(groups, villages, notify, reach)
    ]


async def queue_post(
    uow: UnitOfWork,
    recipients: list[tuple[str, str, str]],
    text: str,
    key: str,
    now: datetime,
    tz: ZoneInfo,
    quiet: tuple[time, time] | None,
) -> int:
    """Queue one text to each recipient once (`key:suffix`), after the quiet hours; how many are new."""
    queued = 0
    for channel, chat_id, suffix in recipients:
        queued += await uow.outbox.put(
            channel,
            chat_id,
            {"text": text},
            now,
            dedupe_key=f"{key}:{suffix}",
            not_before=after_quiet_hours(now, quiet, tz),
        )
    return queued
