"""What the index holds (an entry per disclosure or event) and what a search returns (hits)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from storage.models import Disclosure, Event


class _Versions(Protocol):
    async def data_version(self) -> int: ...


class _DisclosureRows(Protocol):
    async def all(self) -> list[Disclosure]: ...


class _EventRows(Protocol):
    async def all(self) -> list[Event]: ...


class IndexSource(Protocol):
    """What the index reads of a unit of work (every `handlers.ports.Work` is one)."""

    @property
    def commune(self) -> _Versions: ...
    @property
    def disclosures(self) -> _DisclosureRows: ...
    @property
    def events(self) -> _EventRows: ...


_YEAR_IN_TEXT = re.compile(r"\b(?:19|20)\d\d\b")


@dataclass(frozen=True)
class SearchHit:
    """One ranked result: `kind` is "disclosure" or "event"."""

    kind: str
    id: str
    title: str
    score: float
    confidence: float  # how likely the document answers the question, 0..1 (see `confidence`)
    passage: str = ""
    signals: tuple[float, ...] = ()  # what the confidence was computed from: SIGNALS, then SEMANTIC_SIGNALS
    scope: float = 1.0  # the factor the confidence was multiplied by (qa/confidence.py `in_scope`)
    # where it stands among the documents offered when none is answered: its lexical confidence
    # with e5's similarity beside it (qa/agreement.py `offer_order`); None without the semantic signal
    offer: float | None = None


@dataclass(frozen=True)
class Entry:
    """What the index needs of a disclosure or event."""

    kind: str
    id: str
    title: str
    fields: dict[str, str]
    tiebreak: str  # ISO date; later first on equal scores
    villages: tuple[str, ...] = ()  # empty: the whole commune

    @cached_property
    def title_years(self) -> frozenset[str]:
        """The years the title names ("Dự toán ngân sách năm 2026": 2026)."""
        return frozenset(_YEAR_IN_TEXT.findall(self.title))


async def load_entries(uow: IndexSource) -> list[Entry]:
    """Every disclosure and event as index entries."""
    entries = []
    for d in await uow.disclosures.all():
        fields = {
            "title": d.title,
            "tags": " ".join(d.tags),
            "source": d.source or "",
            "place": " ".join(d.villages),
            "body": d.body,
        }
        entries.append(
            Entry("disclosure", d.id, d.title, fields, d.published_at.isoformat(), tuple(d.villages))
        )
    for e in await uow.events.all():
        fields = {
            "title": e.title,
            "tags": e.kind.replace("_", " "),
            "source": e.host or "",
            "place": " ".join([e.location or "", *e.villages]),
            "body": e.description or "",
        }
        entries.append(Entry("event", e.id, e.title, fields, e.start, tuple(e.villages)))
    return entries
