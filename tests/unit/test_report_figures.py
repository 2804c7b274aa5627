"""The report's figures from known facts: on time against legal deadlines, ratings, posting time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from storage.repositories.public import DisclosureItem, PetitionFact
from web.report import figures, render

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def fact(
    kind: str, status: str, first_due: date, answered: date | None, rating: int | None = None
) -> PetitionFact:
    at = datetime(answered.year, answered.month, answered.day, 3, tzinfo=UTC) if answered else None
    received = datetime(2026, 8, 3, 3, tzinfo=UTC)
    return PetitionFact(kind, status, None, received, first_due, None, None, at, rating)


def item(published: date, until: date | None) -> DisclosureItem:
    return DisclosureItem("d", "t", "c", [], published, until, None, None)


def test_on_time_counts_only_what_is_due_and_ratings_are_averaged() -> None:
    facts = [
        fact("phan_anh", "resolved", date(2026, 8, 17), date(2026, 8, 14), rating=5),
        fact("phan_anh", "accepted", date(2026, 8, 17), date(2026, 8, 20), rating=3),
        fact("phan_anh", "received", date(2026, 8, 17), None),  # overdue, no answer
        fact("kien_nghi", "received", date(2026, 12, 30), None),  # not due yet
    ]
    report = figures.build(
        date(2026, 7, 1), date(2026, 12, 31), facts, ["Thôn A"], [], [], date(2026, 12, 1), VN
    )
    first, _ = report.on_time[0]
    assert (first.on_time, first.due, first.percent) == (1, 3, "33%")
    kien_nghi, _ = report.on_time[1]
    assert kien_nghi.due == 0 and kien_nghi.percent == "không có dữ liệu"
    assert (report.ratings, report.average, report.satisfied) == (2, "4,0/5", "50%")
    assert [(b.label, b.count) for b in report.by_village] == [("Thôn A", 0), ("Không ghi thôn", 4)]


def test_disclosures_posted_long_enough_shorter_or_without_end() -> None:
    result = figures.disclosure_figures(
        [
            item(date(2026, 9, 1), date(2026, 10, 1)),  # 30 days
            item(date(2026, 9, 1), date(2026, 9, 20)),
            item(date(2026, 9, 1), None),
        ]
    )
    assert (result.published, result.posted_30_days, result.posted_shorter, result.no_end_date) == (
        3,
        1,
        1,
        1,
    )
    assert result.within_5_workdays == "không có dữ liệu"


def test_no_font_says_which_package_to_install(tmp_path: Path) -> None:
    with pytest.raises(render.FontMissing, match="fonts-dejavu-core"):
        render.find_fonts((tmp_path,))
