from __future__ import annotations

from datetime import date

import pytest

from domain.deadlines import DeadlinePolicy, WorkCalendar, first_step_due, resolve_due

CAL = WorkCalendar()
POLICY = DeadlinePolicy()


def test_weekends_and_public_holidays_are_not_working_days() -> None:
    assert CAL.is_workday(date(2026, 11, 25))  # Wednesday
    assert not CAL.is_workday(date(2026, 11, 28))  # Saturday
    assert not CAL.is_workday(date(2026, 9, 2))  # National Day
    assert not CAL.is_workday(date(2027, 2, 8))  # lunar Tết


def test_a_status_answer_deadline_spanning_tet_skips_the_holiday_week() -> None:
    # Received Friday 29/01/2027; Tết closes 04/02-10/02/2027.
    assert first_step_due("phan_anh", date(2027, 1, 29), POLICY, CAL) == date(2027, 2, 19)
    assert first_step_due("to_cao", date(2027, 2, 1), POLICY, CAL) == date(2027, 2, 17)


@pytest.mark.parametrize(
    ("kind", "received", "accepted", "first", "resolved"),
    [
        ("phan_anh", date(2026, 11, 25), None, date(2026, 12, 9), date(2026, 12, 16)),
        ("kien_nghi", date(2026, 11, 25), None, date(2026, 12, 9), date(2026, 12, 16)),
        ("khieu_nai", date(2026, 11, 25), None, date(2026, 12, 5), None),
        ("khieu_nai", date(2026, 11, 25), date(2026, 12, 1), date(2026, 12, 5), date(2026, 12, 31)),
        ("to_cao", date(2026, 11, 25), date(2026, 12, 1), date(2026, 12, 4), date(2026, 12, 31)),
    ],
)
def test_deadlines_per_kind(
    kind: str, received: date, accepted: date | None, first: date, resolved: date | None
) -> None:
    assert first_step_due(kind, received, POLICY, CAL) == first
    assert resolve_due(kind, received, accepted, POLICY, CAL) == resolved


def test_workdays_until_counts_both_ways() -> None:
    assert CAL.workdays_until(date(2026, 11, 25), date(2026, 11, 27)) == 2
    assert CAL.workdays_until(date(2026, 11, 27), date(2026, 11, 25)) == -2
