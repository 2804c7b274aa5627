"""Group posts: notices of new disclosures, the weekly digest and postponements, queued once each.

Each post has a dedupe key (what, which occurrence, which group), so running a pass twice, after a
restart or a re-import, queues nothing new. Posts that fall in the quiet hours wait until they end.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.calendar import occurrences
from domain.reach import Reach
from domain.vnformat import vn_date, vn_datetime
from scheduled.recipients import Recipient, concerned, group_recipients, queue_post, recipients_for
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
    """Announce disclosures published in the last 7 days and never announced, once per group.

    Runs every few seconds: the groups (a province's commune may have a thousand) and the
    disclosures (thousands) are read only when a notice is due, not on every pass.
    """
    queued = 0
    async with store.uow() as uow:
        due = await uow.disclosures.unannounced(now.astimezone(tz).date() - NOTICE_WINDOW)
        if not due:
            return 0
        groups = await uow.groups.all()
        for doc in due:
            queued += await announce_notice(uow, doc, groups, now, tz, quiet, reach)
        await uow.commit()
    return queued


def notice_due(doc: Disclosure, today: date) -> bool:
    """Whether a disclosure is to be announced now: never announced, published in the last 7 days."""
    return doc.announced_at is None and today - NOTICE_WINDOW <= doc.published_at <= today


async def announce_notice(
    uow: UnitOfWork,
    doc: Disclosure,
    groups: list[Group],
    now: datetime,
    tz: ZoneInfo,
    quiet: tuple[time, time] | None,
    reach: Reach,
) -> int:
    """Queue a disclosure's notice to its groups and subscribers once, if it is due (not committed).

    The scheduler's pass and a publication on the console both come here: the same dedupe keys
    (`notice:<id>:<recipient>`) and the `announced_at` mark keep it to one notice each.
    """
    if not notice_due(doc, now.astimezone(tz).date()):
        return 0
    recipients = await recipients_for(uow, groups, "notices", doc.villages, None, reach)
    queued = await queue_post(uow, recipients, notice_text(doc), f"notice:{doc.id}", now, tz, quiet)
    doc.announced_at = now
    uow.session.add(doc)
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
        officials = await uow.officials.all()
        for group in concerned(groups, []):
            mine = sorted(
                ((occ, ev) for occ, ev in week_ahead if group in concerned([group], ev.villages, ev.notify)),
                key=lambda pair: pair[0].start,
            )
            if not mine:
                continue
            lines = ["🗓️ Lịch tuần này:"]
            for occ, ev in mine:
                place = f" — {ev.location}" if ev.location else ""
                lines.append(f"• {vn_datetime(occ.start)}: {ev.title}{place}")
            recipient = group_recipients([group], officials, reach)
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
        recipient = [Recipient(channel, chat_id, f"{channel}:{chat_id}")]
        queued += await queue_post(uow, recipient, text, f"postponed:{event.id}:{start_text}", now, tz, quiet)
    return queued
