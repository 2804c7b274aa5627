from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from domain.calendar import occurrences, upcoming
from domain.vnformat import vn_datetime

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass
class Ev:
    id: str = "e"
    title: str = "Tiếp công dân"
    kind: str = "tiep_cong_dan"
    host: str | None = None
    location: str | None = None
    start: str = "2026-01-15T08:00:00+07:00"
    duration_minutes: int | None = 240
    rrule: str | None = "FREQ=MONTHLY;BYMONTHDAY=15"
    exdates: list[str] = field(default_factory=list)


def test_monthly_rule_is_expanded_in_local_time() -> None:
    found = occurrences(Ev(), datetime(2026, 11, 1, tzinfo=VN), datetime(2027, 2, 1, tzinfo=VN), VN)
    assert [o.start.strftime("%Y-%m-%d %H:%M") for o in found] == [
        "2026-11-15 08:00",
        "2026-12-15 08:00",
        "2027-01-15 08:00",
    ]


def test_cancelled_dates_are_skipped() -> None:
    found = occurrences(
        Ev(exdates=["2026-12-15"]), datetime(2026, 11, 20, tzinfo=VN), datetime(2027, 2, 1, tzinfo=VN), VN
    )
    assert [o.start.date().isoformat() for o in found] == ["2027-01-15"]


def test_month_end_rule_lands_on_the_last_day() -> None:
    ev = Ev(rrule="FREQ=MONTHLY;BYMONTHDAY=-1", start="2026-01-31T14:00:00+07:00")
    found = occurrences(ev, datetime(2027, 1, 1, tzinfo=VN), datetime(2027, 4, 1, tzinfo=VN), VN)
    assert [o.start.day for o in found] == [31, 28, 31]


def test_one_off_event_inside_and_outside_the_window() -> None:
    ev = Ev(rrule=None, start="2026-12-08T14:00:00+07:00")
    now = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    assert len(upcoming([ev], now, 30, VN)) == 1
    assert upcoming([ev], now, 10, VN) == []


def test_vietnamese_date_and_time() -> None:
    assert vn_datetime(datetime(2026, 12, 15, 8, 0, tzinfo=VN)) == "Thứ Ba, 15/12/2026, 8 giờ 00"
    assert vn_datetime(datetime(2026, 12, 20, 14, 30, tzinfo=VN)) == "Chủ Nhật, 20/12/2026, 14 giờ 30"
