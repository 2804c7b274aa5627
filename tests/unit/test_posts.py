"""Notices and reminders to groups: once each, on time, never in the quiet hours."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from scheduled.posts import parse_duration, queue_notices, queue_postponements
from scheduled.recipients import after_quiet_hours
from scheduled.reminders import plan_reminders, queue_reminder
from storage.importer import import_data, load_file
from storage.store import Store
from tests.conftest import MINI, NOW, REACH

VN = ZoneInfo("Asia/Ho_Chi_Minh")
QUIET = (time(21, 30), time(6, 0))
VILLAGE_GROUP = "-1009000000077"
SUNDAY_CLEANUP = datetime(2026, 11, 29, 7, 0, tzinfo=VN)  # weekly, Thôn Tân Sơn, reminded P1D before


async def remind(store: Store, now: datetime, event_id: str, start: datetime, label: str = "P1D") -> int:
    """What the stored reminder job does when it runs at `now`."""
    return await queue_reminder(store, now, VN, QUIET, event_id, start, label, REACH)


async def planned(store: Store, now: datetime, days: int = 35) -> list[tuple[str, datetime, str]]:
    async with store.uow() as uow:
        events = await uow.events.all()
    reminders = plan_reminders(events, now, VN, timedelta(days=days))
    return sorted((p.event_id, p.due.astimezone(VN), p.label) for p in reminders)


async def seed(store: Store, **changes: Any) -> dict[str, Any]:
    data = load_file(MINI)
    data["groups"].append(
        {
            "id": "tg-tan-son",
            "name": "Thôn Tân Sơn",
            "channel": "telegram",
            "chat_id": VILLAGE_GROUP,
            "villages": ["Thôn Tân Sơn"],
        }
    )
    for key, value in changes.items():
        data[key] = value
    async with store.uow() as uow:
        await import_data(uow, data, NOW)
    return dict(data)


async def seed_posting(store: Store, event_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The mini commune with one event posted to the Thôn Tân Sơn Telegram group: (data, event)."""
    data = load_file(MINI)
    event = next(e for e in data["events"] if e["id"] == event_id)
    event["notify"] = ["tg-tan-son"]
    return await seed(store, events=data["events"]), event


async def group_texts(store: Store) -> list[tuple[str, datetime | None]]:
    async with store.uow() as uow:
        rows = await uow.outbox.for_chat("telegram", VILLAGE_GROUP)
    return [(r.payload["text"], r.next_attempt_at) for r in rows]


def test_durations_and_quiet_hours() -> None:
    assert parse_duration("P1D") == timedelta(days=1)
    assert parse_duration("PT2H30M") == timedelta(hours=2, minutes=30)
    night = datetime(2026, 11, 25, 23, 0, tzinfo=VN)
    assert after_quiet_hours(night, QUIET, VN) == datetime(2026, 11, 26, 6, 0, tzinfo=VN)
    early = datetime(2026, 11, 26, 5, 0, tzinfo=VN)
    assert after_quiet_hours(early, QUIET, VN) == datetime(2026, 11, 26, 6, 0, tzinfo=VN)
    noon = datetime(2026, 11, 26, 12, 0, tzinfo=VN)
    assert after_quiet_hours(noon, QUIET, VN) == noon
    assert after_quiet_hours(night, None, VN) == night


async def test_a_new_disclosure_is_announced_once_to_its_village_groups(store: Store) -> None:
    data = load_file(MINI)
    road = next(d for d in data["disclosures"] if d["id"] == "duong-thon-2")
    road["published_at"] = "2026-11-23"
    await seed(store, disclosures=data["disclosures"])
    assert await queue_notices(store, NOW, VN, QUIET, REACH) == 1
    assert await queue_notices(store, NOW, VN, QUIET, REACH) == 0  # announced_at is set
    [(text, _)] = await group_texts(store)
    assert "Thông báo công khai" in text and "bê tông hóa đường trục thôn số 2" in text


async def test_older_disclosures_are_not_announced_on_a_first_import(store: Store) -> None:
    await seed(store)
    assert await queue_notices(store, NOW, VN, QUIET, REACH) == 0
    assert await group_texts(store) == []


async def test_a_notice_at_night_waits_for_the_morning(store: Store) -> None:
    data = load_file(MINI)
    data["disclosures"][0]["published_at"] = "2026-11-25"
    await seed(store, disclosures=data["disclosures"])
    night = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # 22:00 in Vietnam
    await queue_notices(store, night, VN, QUIET, REACH)
    [(_, not_before)] = await group_texts(store)
    assert not_before == datetime(2026, 11, 26, 6, 0, tzinfo=VN)


async def test_an_event_reminder_goes_out_at_its_minute_once(store: Store) -> None:
    await seed(store)
    saturday_7am = SUNDAY_CLEANUP - timedelta(days=1)
    assert ("ve-sinh-tan-son", saturday_7am, "P1D") in await planned(store, NOW)
    assert await remind(store, saturday_7am - timedelta(minutes=5), "ve-sinh-tan-son", SUNDAY_CLEANUP) == 0
    assert await remind(store, saturday_7am, "ve-sinh-tan-son", SUNDAY_CLEANUP) == 0  # notify: Zalo only
    await seed_posting(store, "ve-sinh-tan-son")
    assert await remind(store, saturday_7am, "ve-sinh-tan-son", SUNDAY_CLEANUP) == 1
    assert await remind(store, saturday_7am + timedelta(minutes=5), "ve-sinh-tan-son", SUNDAY_CLEANUP) == 0
    [(text, _)] = await group_texts(store)
    assert "Nhắc lịch: Tổng vệ sinh đường làng Thôn Tân Sơn" in text
    assert "Chủ Nhật, 29/11/2026, 7 giờ 00" in text


async def test_reminders_fall_on_the_right_minutes_in_vietnam_time(store: Store) -> None:
    data = load_file(MINI)
    data["events"] += [
        {
            "id": "cuoi-thang",
            "title": "Giao ban cuối tháng",
            "kind": "hop",
            "start": "2026-01-31T16:30:00+07:00",
            "rrule": "FREQ=MONTHLY;BYMONTHDAY=-1",
            "remind_before": ["PT2H"],
        },
        {
            "id": "utc-start",
            "title": "Họp trực tuyến",
            "kind": "hop",
            "start": "2026-12-01T01:00:00+00:00",  # written in UTC: 8:00 in Vietnam
            "remind_before": ["PT30M"],
        },
    ]
    await seed(store, events=data["events"])
    plan = await planned(store, NOW, days=70)
    month_end = [due for event_id, due, _ in plan if event_id == "cuoi-thang"]
    assert month_end == [
        datetime(2026, 11, 30, 14, 30, tzinfo=VN),
        datetime(2026, 12, 31, 14, 30, tzinfo=VN),
        datetime(2027, 1, 31, 14, 30, tzinfo=VN),
    ]
    assert ("utc-start", datetime(2026, 12, 1, 7, 30, tzinfo=VN), "PT30M") in plan
    reception = [(due, label) for event_id, due, label in plan if event_id == "tiep-dan-chu-tich"]
    # BYMONTHDAY=15 at 8:00, reminded the day before and two hours before; 15/12 is cancelled.
    assert reception == [
        (datetime(2027, 1, 14, 8, 0, tzinfo=VN), "P1D"),
        (datetime(2027, 1, 15, 6, 0, tzinfo=VN), "PT2H"),
    ]


async def test_a_stale_reminder_after_downtime_is_skipped(store: Store) -> None:
    await seed_posting(store, "ve-sinh-tan-son")
    two_hours_late = datetime(2026, 11, 28, 9, 0, tzinfo=VN)
    assert await remind(store, two_hours_late, "ve-sinh-tan-son", SUNDAY_CLEANUP) == 0
    assert ("ve-sinh-tan-son", SUNDAY_CLEANUP - timedelta(days=1), "P1D") not in await planned(
        store, two_hours_late
    )
    in_grace = datetime(2026, 11, 28, 7, 40, tzinfo=VN)
    assert ("ve-sinh-tan-son", SUNDAY_CLEANUP - timedelta(days=1), "P1D") in await planned(store, in_grace)
    assert await remind(store, in_grace, "ve-sinh-tan-son", SUNDAY_CLEANUP) == 1


async def test_a_cancelled_occurrence_gets_no_reminder(store: Store) -> None:
    await seed_posting(store, "tiep-dan-chu-tich")
    day_before_cancelled = datetime(2026, 12, 14, 8, 0, tzinfo=VN)  # 15/12 is in exdates
    assert not [
        p
        for p in await planned(store, day_before_cancelled - timedelta(days=1))
        if p[1].month == 12 and p[0] == "tiep-dan-chu-tich"
    ]
    cancelled = datetime(2026, 12, 15, 8, 0, tzinfo=VN)
    assert await remind(store, day_before_cancelled, "tiep-dan-chu-tich", cancelled) == 0


async def test_schedule_preview_lists_reminders_with_time_and_group(store: Store) -> None:
    import io

    from scheduled.preview import preview

    await seed_posting(store, "ve-sinh-tan-son")
    out = io.StringIO()
    await preview(store, NOW, 10, VN, QUIET, REACH, out)
    lines = out.getvalue().splitlines()
    timeline = lines[lines.index("Sẽ gửi trong 10 ngày tới:") + 1 :]
    assert timeline[0].startswith(
        "Thứ Bảy, 28/11/2026, 7 giờ 00\tThôn Tân Sơn\tnhắc trước 1 ngày: Tổng vệ sinh"
    )
    assert any("05/12/2026" in line for line in timeline)


async def test_schedule_preview_lists_every_group_and_how_it_is_reached(store: Store) -> None:
    """A group the bot cannot post to yet is listed with the reason, never left out silently."""
    import io

    from scheduled.preview import preview

    await seed(store)
    out = io.StringIO()
    await preview(store, NOW, 10, VN, QUIET, REACH, out)
    groups = [line for line in out.getvalue().splitlines() if line.startswith("• ")]
    assert len(groups) == 3
    assert any("Thôn Tân Sơn (Telegram): bot đăng thẳng vào nhóm" in line for line in groups)
    assert any("Thôn Tân Sơn (Zalo): CHƯA đăng được" in line and "/dangky" in line for line in groups)
    assert any("nhóm cán bộ" in line for line in groups)


async def test_schedule_preview_refuses_days_below_one(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    from scheduled.preview import lead_time_words, preview

    assert await preview(store, NOW, -5, VN, QUIET, REACH, io.StringIO()) == 2
    assert "Số ngày phải từ 1 trở lên" in capsys.readouterr().err
    assert lead_time_words("PT2H") == "trước 2 giờ"
    assert lead_time_words("P1DT30M") == "trước 1 ngày 30 phút"


async def test_a_subscriber_gets_their_villages_reminders_one_to_one(store: Store) -> None:
    from domain.messages import Incoming
    from tests.handler_calls import handle, services

    await seed(store)
    svc = services(store)

    async def press(text: str = "", button: str | None = None) -> str:
        msg = Incoming(channel="telegram", chat_id="4242", user_id="4242", text=text, button=button)
        [reply] = await handle(svc, msg)
        return reply.text

    await press("/dangky")
    await press(button="sub:v:1")  # Thôn Tân Sơn
    assert "Thôn Tân Sơn" in await press(button="sub:t:1:events")
    saturday_7am = datetime(2026, 11, 28, 7, 0, tzinfo=VN)
    await remind(store, saturday_7am, "ve-sinh-tan-son", SUNDAY_CLEANUP)
    async with store.uow() as uow:
        [reminder] = await uow.outbox.for_chat("telegram", "4242")
    assert "Tổng vệ sinh đường làng Thôn Tân Sơn" in reminder.payload["text"]
    assert "Đã hủy đăng ký" in await press("/huydangky")


async def test_the_weekly_digest_is_one_message_per_group_once_a_week(store: Store) -> None:
    from scheduled.posts import queue_digests

    data = load_file(MINI)
    for event in data["events"]:
        event.pop("notify", None)
    await seed(store, events=data["events"])
    monday_8am = datetime(2026, 11, 30, 8, 0, tzinfo=VN)
    assert await queue_digests(store, monday_8am - timedelta(days=1), VN, 0, 7, QUIET, REACH) == 0  # Sunday
    assert await queue_digests(store, monday_8am.replace(hour=6), VN, 0, 7, QUIET, REACH) == 0  # before 7:00
    assert await queue_digests(store, monday_8am, VN, 0, 7, QUIET, REACH) == 1
    assert await queue_digests(store, monday_8am + timedelta(hours=3), VN, 0, 7, QUIET, REACH) == 0
    [(text, _)] = await group_texts(store)
    assert text.startswith("🗓️ Lịch tuần này:")
    assert "Chủ Nhật, 06/12/2026, 7 giờ 00: Tổng vệ sinh" in text
    assert "Thứ Ba, 08/12/2026" not in text  # beyond the coming week


async def test_a_reminded_occurrence_that_is_cancelled_is_announced_as_postponed(store: Store) -> None:
    data, event = await seed_posting(store, "ve-sinh-tan-son")
    saturday_7am = datetime(2026, 11, 28, 7, 0, tzinfo=VN)
    assert await remind(store, saturday_7am, "ve-sinh-tan-son", SUNDAY_CLEANUP) == 1
    event["exdates"] = ["2026-11-29"]  # the commune cancels tomorrow's clean-up
    await seed(store, events=data["events"])
    later = saturday_7am + timedelta(hours=3)
    assert await queue_postponements(store, later, VN, QUIET) == 1
    assert await queue_postponements(store, later + timedelta(minutes=1), VN, QUIET) == 0
    texts = [text for text, _ in await group_texts(store)]
    assert texts[-1].startswith(
        "⚠️ Hoãn: Tổng vệ sinh đường làng Thôn Tân Sơn, Chủ Nhật, 29/11/2026, 7 giờ 00."
    )
    assert "Lịch mới: Chủ Nhật, 06/12/2026, 7 giờ 00" in texts[-1]
