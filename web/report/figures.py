"""The steering committee's report for a period: petitions by type, village and status, answers on
time against their legal deadlines, satisfaction, disclosures and the sittings held. Pure figures
from what storage read; exact counts (the report is internal, unlike the public /thong-ke page).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from domain.calendar import EventLike, occurrences
from domain.deadlines import KINDS, WorkCalendar
from domain.petition_texts import KIND_LABELS, STATUS_LABELS
from domain.petitions import Status
from storage.repositories.public import DisclosureItem, PetitionFact
from web.board.stats import first_answer_on_time, resolved_on_time

NO_VILLAGE = "Không ghi thôn"
NO_DATA = "không có dữ liệu"
MIN_POSTED_DAYS = 30  # Luật THDCCS 2022: posted at least 30 days
PUBLISH_WORKDAYS = 5  # published within 5 working days of the decision
EVENT_LABELS = {
    "tiep_cong_dan": "Tiếp công dân",
    "doi_thoai": "Đối thoại với Nhân dân",
    "hop": "Họp",
    "hoi_nghi": "Hội nghị",
    "khac": "Khác",
}
REPORTED_EVENTS = ("tiep_cong_dan", "doi_thoai")


@dataclass(frozen=True)
class Bar:
    """One labelled count, for a table row and a bar of a chart."""

    label: str
    count: int


@dataclass(frozen=True)
class OnTime:
    label: str
    on_time: int
    due: int

    @property
    def percent(self) -> str:
        return f"{round(100 * self.on_time / self.due)}%" if self.due else NO_DATA


@dataclass(frozen=True)
class Disclosures:
    published: int
    posted_30_days: int  # posted until at least 30 days after publication
    posted_shorter: int
    no_end_date: int
    within_5_workdays: str  # "7/9 (78%)" of those with a decision date, or NO_DATA when none has one


@dataclass(frozen=True)
class Report:
    start: date
    end: date  # inclusive
    total: int
    by_kind: list[Bar]
    by_village: list[Bar]
    by_status: list[Bar]
    on_time: list[tuple[OnTime, OnTime]]  # per type then all: first answer, resolution
    ratings: int
    average: str  # "4,2/5" or NO_DATA
    satisfied: str  # share of 4 and 5 stars, or NO_DATA
    disclosures: Disclosures
    sittings: list[Bar]

    @property
    def longest(self) -> int:
        """The largest count of any chart (bars are drawn against it)."""
        return max(
            [1, *(b.count for b in [*self.by_kind, *self.by_village, *self.by_status, *self.sittings])]
        )


def _on_time(facts: list[PetitionFact], today: date, tz: ZoneInfo) -> list[tuple[OnTime, OnTime]]:
    result = []
    for kind, label in [*((k, KIND_LABELS[k]) for k in KINDS), ("", "Tất cả")]:
        mine = [f for f in facts if not kind or f.kind == kind]
        first = [r for f in mine if (r := first_answer_on_time(f, today, tz)) is not None]
        done = [r for f in mine if (r := resolved_on_time(f, today, tz)) is not None]
        result.append((OnTime(label, sum(first), len(first)), OnTime(label, sum(done), len(done))))
    return result


def disclosure_figures(items: Sequence[DisclosureItem], calendar: WorkCalendar | None = None) -> Disclosures:
    ended = [i for i in items if i.posted_until is not None]
    long_enough = sum(
        1 for i in ended if i.posted_until and (i.posted_until - i.published_at).days >= MIN_POSTED_DAYS
    )
    return Disclosures(
        published=len(items),
        posted_30_days=long_enough,
        posted_shorter=len(ended) - long_enough,
        no_end_date=len(items) - len(ended),
        within_5_workdays=published_in_time(items, calendar or WorkCalendar()),
    )


def published_in_time(items: Sequence[DisclosureItem], calendar: WorkCalendar) -> str:
    """Of the disclosures whose decision date is known, those published within 5 working days of it
    (weekends and Vietnamese holidays not counted); the others are said, not guessed."""
    dated = [i for i in items if i.decided_at is not None]
    if not dated:
        return NO_DATA
    in_time = sum(
        1
        for i in dated
        if i.decided_at is not None
        and calendar.workdays_until(i.decided_at, i.published_at) <= PUBLISH_WORKDAYS
    )
    shown = f"{in_time}/{len(dated)} ({round(100 * in_time / len(dated))}%)"
    undated = len(items) - len(dated)
    return f"{shown}; {undated} văn bản không ghi ngày ban hành" if undated else shown


def sittings(events: Sequence[EventLike], after: datetime, before: datetime, tz: ZoneInfo) -> list[Bar]:
    """Citizen receptions and dialogues held in [after, before), cancelled dates left out."""
    held = Counter(e.kind for e in events for _ in occurrences(e, after, before, tz))
    return [Bar(EVENT_LABELS[k], held[k]) for k in REPORTED_EVENTS]


def build(
    start: date,
    end: date,
    facts: list[PetitionFact],
    villages: list[str],
    disclosures: Sequence[DisclosureItem],
    held: list[Bar],
    today: date,
    tz: ZoneInfo,
    calendar: WorkCalendar | None = None,
) -> Report:
    kinds = Counter(f.kind for f in facts)
    places = Counter(f.village if f.village in villages else NO_VILLAGE for f in facts)
    statuses = Counter(f.status for f in facts)
    ratings = [f.rating for f in facts if f.rating is not None]
    average = f"{sum(ratings) / len(ratings):.1f}".replace(".", ",") + "/5" if ratings else NO_DATA
    happy = f"{round(100 * sum(1 for r in ratings if r >= 4) / len(ratings))}%" if ratings else NO_DATA
    rows = [*villages, *([NO_VILLAGE] if places[NO_VILLAGE] else [])]
    return Report(
        start=start,
        end=end,
        total=len(facts),
        by_kind=[Bar(KIND_LABELS[k], kinds[k]) for k in KINDS],
        by_village=[Bar(v, places[v]) for v in rows],
        by_status=[Bar(STATUS_LABELS[s], statuses[s]) for s in Status],
        on_time=_on_time(facts, today, tz),
        ratings=len(ratings),
        average=average,
        satisfied=happy,
        disclosures=disclosure_figures(disclosures, calendar),
        sittings=held,
    )
