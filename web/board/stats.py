"""Public statistics of petitions: counts by village and type with small cells hidden, answers on
time against their legal deadline, satisfaction. Nothing about a person, nothing under 5 by cell.

Every count under 5 (zero included, so a hidden cell may be 0 to 4) is shown as "dưới 5"; then
complementary suppression: a row or column of the table whose total is shown and which would have
exactly one hidden cell left (its value recoverable by subtraction) hides its next smallest cell too,
until no line has exactly one hidden member.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from domain.deadlines import KINDS
from domain.petition_texts import KIND_LABELS
from domain.petitions import Status
from storage.repositories.public import PetitionFact

MIN_CELL = 5
SMALL = "dưới 5"
TOTAL = ""  # the key of a margin (row or column total)
NO_VILLAGE = "Không ghi thôn"

Key = tuple[str, str]


def suppress(values: dict[Key, int], rows: list[str], cols: list[str]) -> set[Key]:
    """The cells (margins included, keyed with TOTAL) that must not be shown."""
    hidden = {k for k, v in values.items() if v < MIN_CELL}
    lines = [[(r, c) for c in [*cols, TOTAL]] for r in [*rows, TOTAL]]
    lines += [[(r, c) for r in [*rows, TOTAL]] for c in [*cols, TOTAL]]
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(1 for k in line if k in hidden) == 1:
                visible = [k for k in line if k not in hidden]
                if visible:
                    # the smallest inner cell first: a margin is hidden only when it must be
                    hidden.add(min(visible, key=lambda k: (TOTAL in k, values[k])))
                    changed = True
    return hidden


@dataclass(frozen=True)
class CountTable:
    """Petitions received, by village (rows) and type (columns), as shown."""

    kinds: list[str]  # column headings
    rows: list[tuple[str, list[str], str]]  # village, cells, row total
    totals: list[str]  # per type
    grand: str


def count_table(facts: list[PetitionFact], villages: list[str]) -> CountTable:
    rows = list(villages)
    if any(f.village not in villages for f in facts):
        rows.append(NO_VILLAGE)
    counted = Counter((f.village if f.village in villages else NO_VILLAGE, f.kind) for f in facts)
    values: dict[Key, int] = {}
    for r in rows:
        for c in KINDS:
            values[r, c] = counted[r, c]
        values[r, TOTAL] = sum(values[r, c] for c in KINDS)
    for c in KINDS:
        values[TOTAL, c] = sum(values[r, c] for r in rows)
    values[TOTAL, TOTAL] = len(facts)
    hidden = suppress(values, rows, list(KINDS))

    def shown(key: Key) -> str:
        return SMALL if key in hidden else str(values[key])

    return CountTable(
        kinds=[KIND_LABELS[k] for k in KINDS],
        rows=[(r, [shown((r, c)) for c in KINDS], shown((r, TOTAL))) for r in rows],
        totals=[shown((TOTAL, c)) for c in KINDS],
        grand=shown((TOTAL, TOTAL)),
    )


@dataclass(frozen=True)
class Rate:
    """On time out of those whose deadline has come, or why no figure is given."""

    label: str
    due: str  # how many were due, or "dưới 5"
    percent: str  # "87%" or "" when fewer than MIN_CELL were due


def _rate(label: str, results: Iterable[bool]) -> Rate:
    done = list(results)
    if len(done) < MIN_CELL:
        return Rate(label, SMALL, "")
    return Rate(label, str(len(done)), f"{round(100 * sum(done) / len(done))}%")


def first_answer_on_time(fact: PetitionFact, today: date, tz: ZoneInfo) -> bool | None:
    """Whether the first answer came by its legal deadline; None while it is not yet due."""
    if fact.first_due is None:
        return None
    if fact.first_step_at is not None:
        return fact.first_step_at.astimezone(tz).date() <= fact.first_due
    return None if today <= fact.first_due else False


def resolved_on_time(fact: PetitionFact, today: date, tz: ZoneInfo) -> bool | None:
    if fact.resolve_due is None:
        return None
    if fact.resolved_at is not None:
        return fact.resolved_at.astimezone(tz).date() <= fact.resolve_due
    if fact.status in (Status.REFUSED, Status.FORWARDED):
        return None  # not resolved here
    return None if today <= fact.resolve_due else False


def on_time(facts: list[PetitionFact], today: date, tz: ZoneInfo) -> list[tuple[str, Rate, Rate]]:
    """Per type, then all: (type, first answer on time, resolved on time)."""
    result = []
    for kind, label in [*((k, KIND_LABELS[k]) for k in KINDS), ("", "Tất cả")]:
        mine = [f for f in facts if not kind or f.kind == kind]
        first = [r for f in mine if (r := first_answer_on_time(f, today, tz)) is not None]
        resolved = [r for f in mine if (r := resolved_on_time(f, today, tz)) is not None]
        result.append((label, _rate(label, first), _rate(label, resolved)))
    return result


@dataclass(frozen=True)
class Satisfaction:
    count: str
    average: str  # "4,2/5" or ""
    satisfied: str  # share of 4 or 5 stars, or ""


def satisfaction(facts: list[PetitionFact]) -> Satisfaction:
    ratings = [f.rating for f in facts if f.rating is not None]
    if len(ratings) < MIN_CELL:
        return Satisfaction(SMALL, "", "")
    average = f"{sum(ratings) / len(ratings):.1f}".replace(".", ",")
    happy = round(100 * sum(1 for r in ratings if r >= 4) / len(ratings))
    return Satisfaction(str(len(ratings)), f"{average}/5", f"{happy}%")
