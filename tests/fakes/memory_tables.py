"""Tables of the in-memory store (tests/fakes/memory.py) and how a unit of work copies them."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from storage.models import (
    Commune,
    Conversation,
    Disclosure,
    Event,
    Group,
    InboundUpdate,
    Official,
    OutboxMessage,
    Petition,
    PetitionEvent,
    PetitionParty,
    RelayPost,
    Subscription,
    UnansweredQuestion,
)


@dataclass
class Tables:
    """Every table, keyed by its primary key; autoincrement counters per table."""

    commune: Commune | None = None
    villages: list[str] = field(default_factory=list)  # in their declared order (position)
    disclosures: dict[str, Disclosure] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    officials: dict[str, Official] = field(default_factory=dict)
    conversations: dict[tuple[str, str, str], Conversation] = field(default_factory=dict)
    inbound: dict[int, InboundUpdate] = field(default_factory=dict)
    outbox: dict[int, OutboxMessage] = field(default_factory=dict)
    unanswered: dict[int, UnansweredQuestion] = field(default_factory=dict)
    petitions: dict[int, Petition] = field(default_factory=dict)
    parties: dict[int, PetitionParty] = field(default_factory=dict)
    petition_events: dict[int, PetitionEvent] = field(default_factory=dict)
    subscriptions: dict[tuple[str, str], Subscription] = field(default_factory=dict)
    relays: dict[int, RelayPost] = field(default_factory=dict)
    last_ids: dict[str, int] = field(default_factory=dict)

    def next_id(self, table: str) -> int:
        self.last_ids[table] = self.last_ids.get(table, 0) + 1
        return self.last_ids[table]


def _copy_row(row: Any) -> Any:
    """A row of its own: scalars are immutable, JSON columns (lists, dicts) are copied deeply, and
    times come back in UTC, as the UTCDateTime columns return them (a naive one is refused)."""
    twin = copy.copy(row)
    for name, value in vars(row).items():
        if isinstance(value, list | dict) and not name.startswith("_"):
            vars(twin)[name] = copy.deepcopy(value)
        elif isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError(f"naive datetime given to a UTC column ({type(row).__name__}.{name})")
            vars(twin)[name] = value.astimezone(UTC)
    return twin


def copy_tables(t: Tables) -> Tables:
    """Every row copied (several times faster than `copy.deepcopy` of pydantic models)."""
    twin = Tables(commune=_copy_row(t.commune) if t.commune else None, villages=list(t.villages))
    for f in fields(Tables):
        value = getattr(t, f.name)
        if isinstance(value, dict) and f.name != "last_ids":
            setattr(twin, f.name, {k: _copy_row(v) for k, v in value.items()})
    twin.last_ids = dict(t.last_ids)
    return twin


def by_key(rows: dict[Any, Any]) -> list[Any]:
    return [rows[k] for k in sorted(rows)]
