"""GET /lich.ics: the commune's calendar for phones, recurrence and cancellations included."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import aiohttp
import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar

from bot.app import App
from tests.e2e.conftest import AppFactory

pytestmark = pytest.mark.e2e


def url(app: App, path: str) -> str:
    return f"http://127.0.0.1:{app.port}{path}"


async def fetch(http: aiohttp.ClientSession, app: App, path: str) -> tuple[int, str, bytes]:
    async with http.get(url(app, path)) as response:
        return response.status, response.content_type, await response.read()


def occurrences_of(event: Any, until: datetime) -> list[date]:
    """Expand a VEVENT the way a phone would: RRULE minus EXDATE."""
    start = event["dtstart"].dt
    rule = rrulestr(event["rrule"].to_ical().decode(), dtstart=start)
    exdates = event.get("exdate")
    cancelled: set[date] = set()
    for group in exdates if isinstance(exdates, list) else [exdates] if exdates else []:
        cancelled |= {d.dt.date() for d in group.dts}
    return [o.date() for o in rule.between(start, until, inc=True) if o.date() not in cancelled]


async def test_the_feed_has_every_event_with_recurrence_and_cancellations(
    start_app: AppFactory, http: aiohttp.ClientSession
) -> None:
    app = await start_app("web", DEMO_DATA=False)
    status, content_type, body = await fetch(http, app, "/lich.ics")
    assert (status, content_type) == (200, "text/calendar")
    cal = Calendar.from_ical(body)
    events: dict[str, Any] = {str(e["uid"]).split("@")[0]: e for e in cal.walk("VEVENT")}
    assert set(events) == {"tiep-dan-chu-tich", "doi-thoai-2026", "ve-sinh-tan-son"}
    reception = events["tiep-dan-chu-tich"]
    assert str(reception["location"]) == "Trụ sở UBND xã"
    days = occurrences_of(reception, datetime(2027, 2, 1, tzinfo=UTC))
    assert date(2026, 11, 15) in days and date(2027, 1, 15) in days
    assert date(2026, 12, 15) not in days  # cancelled in the data file
    dialogue = events["doi-thoai-2026"]
    assert dialogue["dtstart"].dt == datetime.fromisoformat("2026-12-08T14:00:00+07:00")


async def test_a_village_feed_has_commune_wide_and_village_events_only(
    start_app: AppFactory, http: aiohttp.ClientSession
) -> None:
    app = await start_app("web", DEMO_DATA=False)
    _, _, body = await fetch(http, app, "/lich/thon-khe-mat.ics")
    uids = {str(e["uid"]).split("@")[0] for e in Calendar.from_ical(body).walk("VEVENT")}
    assert uids == {"tiep-dan-chu-tich", "doi-thoai-2026"}  # the clean-up is Thôn Tân Sơn's
    _, _, body = await fetch(http, app, "/lich/thon-tan-son.ics")
    assert "ve-sinh-tan-son" in {str(e["uid"]).split("@")[0] for e in Calendar.from_ical(body).walk("VEVENT")}
    status, _, _ = await fetch(http, app, "/lich/thon-khong-co.ics")
    assert status == 404
