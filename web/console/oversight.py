"""What supervisors (Mặt trận Tổ quốc, Ban thanh tra nhân dân) see of petitions: counts by type,
village and month (received, first answer on time, overdue now), satisfaction, and the overdue list.
Never a filer's name or phone and never a petition's content: the list carries type, village,
dates and the assignee only. Pure figures from storage's rows; the rules are the report's and the
public statistics' (web/report/figures.py, web/board/stats.py), not counted again here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from domain.deadlines import KINDS
from domain.petition_texts import KIND_LABELS, STATUS_LABELS
from domain.petitions import OPEN, OfficialFacts, current_due, due_now
from domain.vnformat import vn_date
from storage.models import Petition
from storage.repositories.public import PetitionFact
from web.board.stats import first_answer_on_time
from web.report.figures import NO_VILLAGE, OnTime

UNASSIGNED = "Chưa giao"


@dataclass(frozen=True)
class Line:
    """One row of a supervisor's table."""

    label: str
    received: int
    first_answer: OnTime  # on time of those whose first deadline has come
    overdue: int  # still open past the deadline that matters now


def overdue_now(fact: PetitionFact, today: date) -> bool:
    """Still open past the deadline that matters now (the first step, then the resolution)."""
    due = current_due(fact.kind, fact.status, fact.replied_at is not None, fact.first_due, fact.resolve_due)
    return fact.status in OPEN and due is not None and today > due


def _line(label: str, facts: Sequence[PetitionFact], today: date, tz: ZoneInfo) -> Line:
    first = [r for f in facts if (r := first_answer_on_time(f, today, tz)) is not None]
    overdue = sum(1 for f in facts if overdue_now(f, today))
    return Line(label, len(facts), OnTime(label, sum(first), len(first)), overdue)


def _lines(
    keys: Iterable[tuple[str, str]],
    facts: Sequence[PetitionFact],
    key_of: Callable[[PetitionFact], str],
    today: date,
    tz: ZoneInfo,
) -> list[Line]:
    return [_line(label, [f for f in facts if key_of(f) == key], today, tz) for key, label in keys]


@dataclass(frozen=True)
class Oversight:
    by_kind: list[Line]  # then "Tất cả"
    by_village: list[Line]
    by_month: list[Line]


def oversight(
    facts: Sequence[PetitionFact], villages: list[str], year: int, today: date, tz: ZoneInfo
) -> Oversight:
    def village_of(f: PetitionFact) -> str:
        return f.village if f.village in villages else NO_VILLAGE

    def month_of(f: PetitionFact) -> str:
        return f"{f.received_at.astimezone(tz).month:02d}"

    places = [*villages, *([NO_VILLAGE] if any(village_of(f) == NO_VILLAGE for f in facts) else [])]
    last_month = 12 if year < today.year else today.month
    months = [(f"{m:02d}", f"Tháng {m:02d}/{year}") for m in range(1, last_month + 1)]
    return Oversight(
        by_kind=[
            *_lines(((k, KIND_LABELS[k]) for k in KINDS), facts, lambda f: f.kind, today, tz),
            _line("Tất cả", facts, today, tz),
        ],
        by_village=_lines(((v, v) for v in places), facts, village_of, today, tz),
        by_month=_lines(months, facts, month_of, today, tz),
    )


@dataclass(frozen=True)
class OverdueItem:
    """An overdue petition as a supervisor sees it: no content, no filer."""

    code: str
    kind: str
    village: str
    status: str
    received: str
    due: str
    days_over: int
    assignee: str


def overdue_list(
    petitions: Iterable[Petition], officials: Iterable[OfficialFacts], today: date, tz: ZoneInfo
) -> list[OverdueItem]:
    """The open petitions past the deadline that matters now, longest overdue first."""
    names = {o.id: o.name for o in officials}
    items = []
    for p in petitions:
        due = due_now(p)
        if p.status not in OPEN or due is None or today <= due:
            continue
        items.append(
            OverdueItem(
                code=p.code,
                kind=KIND_LABELS.get(p.kind, p.kind),
                village=p.village or NO_VILLAGE,
                status=STATUS_LABELS.get(p.status, p.status),
                received=vn_date(p.received_at.astimezone(tz).date()) if p.received_at else "",
                due=vn_date(due),
                days_over=(today - due).days,
                assignee=names.get(p.assignee, p.assignee) if p.assignee else UNASSIGNED,
            )
        )
    return sorted(items, key=lambda i: (-i.days_over, i.code))
