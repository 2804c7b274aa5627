"""iCalendar feeds of the commune's events (recurrence and cancelled dates included)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event as VEvent
from icalendar.prop import vRecur

from domain.calendar import EventLike
from domain.vnformat import EVENT_KINDS


class FeedEvent(EventLike, Protocol):
    """An event as the feed needs it: the calendar fields plus villages and description."""

    villages: list[str]
    description: str | None


def build_feed(
    commune_name: str, events: list[FeedEvent], now: datetime, tz: ZoneInfo, domain: str = "commune-bot"
) -> bytes:
    """A VCALENDAR with one VEVENT per event; RRULE and EXDATE keep recurrences exact.

    Times are given in the commune's named time zone (with its VTIMEZONE), which phones understand.
    """
    cal = Calendar()
    cal.add("prodid", f"-//{commune_name}//commune-bot//VI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"Lịch {commune_name}")
    for event in events:
        start = datetime.fromisoformat(event.start).astimezone(tz)
        item = VEvent()
        item.add("uid", f"{event.id}@{domain}")
        item.add("dtstamp", now)
        item.add("summary", event.title)
        item.add("dtstart", start)
        item.add("dtend", start + timedelta(minutes=event.duration_minutes or 60))
        if event.location:
            item.add("location", event.location)
        details = [EVENT_KINDS.get(event.kind, "Sự kiện")]
        if event.host:
            details.append(f"Chủ trì: {event.host}")
        if event.description:
            details.append(event.description.strip())
        item.add("description", "\n".join(details))
        if event.rrule:
            item.add("rrule", vRecur.from_ical(event.rrule))
        for day in event.exdates:
            # EXDATE must match the occurrence's start time exactly.
            cancelled = datetime.combine(date.fromisoformat(day), start.timetz())
            item.add("exdate", cancelled)
        cal.add_component(item)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def for_village(events: list[FeedEvent], village: str) -> list[FeedEvent]:
    """Commune-wide events and those of one village."""
    wanted = village.casefold()
    return [e for e in events if not e.villages or any(v.casefold() == wanted for v in e.villages)]
