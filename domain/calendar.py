"""Event occurrences: RRULE expanded with dateutil, cancelled dates (exdates) skipped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr


class EventLike(Protocol):
    id: str
    title: str
    kind: str
    host: str | None
    location: str | None
    start: str
    duration_minutes: int | None
    rrule: str | None
    exdates: list[str]


@dataclass(frozen=True, order=True)
class Occurrence:
    """One sitting of an event, in the commune's time zone."""

    start: datetime
    end: datetime
    event_id: str


def occurrences(event: EventLike, after: datetime, before: datetime, tz: ZoneInfo) -> list[Occurrence]:
    """Occurrences starting in [after, before), cancelled dates removed."""
    first = datetime.fromisoformat(event.start)
    duration = timedelta(minutes=event.duration_minutes or 60)
    skipped = {date.fromisoformat(d) for d in event.exdates}
    if event.rrule:
        # Expand in the declared local time so "every 15th at 8:00" stays 8:00.
        rule = rrulestr(event.rrule, dtstart=first.replace(tzinfo=None))
        local_after = after.astimezone(first.tzinfo).replace(tzinfo=None)
        local_before = before.astimezone(first.tzinfo).replace(tzinfo=None)
        starts = [s.replace(tzinfo=first.tzinfo) for s in rule.between(local_after, local_before, inc=True)]
        starts = [s for s in starts if s < before]
    else:
        starts = [first] if after <= first < before else []
    result = []
    for start in starts:
        local = start.astimezone(tz)
        if local.date() in skipped:
            continue
        result.append(Occurrence(local, local + duration, event.id))
    return result


def upcoming(
    events: list[EventLike], now: datetime, days: int, tz: ZoneInfo
) -> list[tuple[Occurrence, EventLike]]:
    """Every occurrence of the events in the next `days` days, soonest first."""
    found = [(occ, ev) for ev in events for occ in occurrences(ev, now, now + timedelta(days=days), tz)]
    return sorted(found, key=lambda pair: (pair[0].start, pair[0].event_id))
