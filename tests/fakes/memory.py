"""In-memory implementations of handlers/ports.py, faithful to storage/repositories/ (checked by
tests/unit/test_memory_contract.py), so handler tests run without a database.

A `MemoryStore` holds committed tables; each unit of work works on a deep copy and replaces them on
`commit`, so uncommitted work is dropped as a rollback would. Units of work run one at a time
(tests are sequential; there is no row-level merging of concurrent commits).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from storage.importer import _MODELS, SECTIONS, ImportError_, _hash, _row_values, load_file, validate
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
    Subscription,
    UnansweredQuestion,
)
from storage.repositories.outbox import FAILED, PENDING, SENT
from storage.repositories.petitions import OPEN_STATUSES


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
    last_ids: dict[str, int] = field(default_factory=dict)

    def next_id(self, table: str) -> int:
        self.last_ids[table] = self.last_ids.get(table, 0) + 1
        return self.last_ids[table]


def _copy_row(row: Any) -> Any:
    """A row of its own: scalars are immutable, JSON columns (lists, dicts) are copied deeply."""
    twin = copy.copy(row)
    for name, value in vars(row).items():
        if isinstance(value, list | dict) and not name.startswith("_"):
            vars(twin)[name] = copy.deepcopy(value)
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


def _by_key(rows: dict[Any, Any]) -> list[Any]:
    return [rows[k] for k in sorted(rows)]


class MemoryCommune:
    def __init__(self, t: Tables) -> None:
        self._t = t

    async def get(self) -> Commune | None:
        return self._t.commune

    async def data_version(self) -> int:
        return self._t.commune.data_version if self._t.commune else 0

    async def villages(self) -> list[str]:
        return list(self._t.villages)


class MemoryDisclosures:
    def __init__(self, t: Tables) -> None:
        self._t = t

    async def get(self, disclosure_id: str) -> Disclosure | None:
        return self._t.disclosures.get(disclosure_id)

    async def all(self) -> list[Disclosure]:
        return _by_key(self._t.disclosures)

    async def by_category(self, category: str, limit: int = 10) -> list[Disclosure]:
        rows = [d for d in _by_key(self._t.disclosures) if d.category == category]
        return sorted(rows, key=lambda d: d.published_at, reverse=True)[:limit]  # stable: ids ascend

    async def categories(self) -> list[str]:
        return sorted({d.category for d in self._t.disclosures.values()})


class MemoryEvents:
    def __init__(self, t: Tables) -> None:
        self._t = t

    async def get(self, event_id: str) -> Event | None:
        return self._t.events.get(event_id)

    async def all(self) -> list[Event]:
        return _by_key(self._t.events)


class MemoryGroups:
    def __init__(self, t: Tables) -> None:
        self._t = t

    async def all(self) -> list[Group]:
        return _by_key(self._t.groups)

    async def officials_groups(self) -> list[Group]:
        return [g for g in _by_key(self._t.groups) if g.officials]


class MemoryOfficials:
    def __init__(self, t: Tables) -> None:
        self._t = t

    async def all(self) -> list[Official]:
        return _by_key(self._t.officials)

    async def by_account(self, channel: str, user_id: str) -> Official | None:
        if not user_id:
            return None
        return next((o for o in _by_key(self._t.officials) if o.accounts.get(channel) == user_id), None)


class MemoryConversations:
    def __init__(self, t: Tables) -> None:
        self._t = t

    async def get(self, channel: str, chat_id: str, user_id: str) -> Conversation | None:
        return self._t.conversations.get((channel, chat_id, user_id))

    async def save(
        self,
        channel: str,
        chat_id: str,
        user_id: str,
        *,
        flow: str,
        step: str,
        data: dict[str, Any],
        now: datetime,
    ) -> None:
        key = (channel, chat_id, user_id)
        conv = self._t.conversations.get(key) or Conversation(
            channel=channel, chat_id=chat_id, user_id=user_id, flow=flow, step=step
        )
        conv.flow, conv.step, conv.data, conv.updated_at = flow, step, dict(data), now
        self._t.conversations[key] = conv

    async def clear(self, channel: str, chat_id: str, user_id: str) -> bool:
        return self._t.conversations.pop((channel, chat_id, user_id), None) is not None

    async def expire(self, older_than: datetime) -> int:
        old = [k for k, c in self._t.conversations.items() if c.updated_at and c.updated_at < older_than]
        for key in old:
            del self._t.conversations[key]
        return len(old)


class MemoryInbound:
    def __init__(self, t: Tables) -> None:
        self._t = t

    async def add_if_new(
        self, channel: str, update_key: str, payload: dict[str, Any], now: datetime, sender: str | None = None
    ) -> int | None:
        if any(u.channel == channel and u.update_key == update_key for u in self._t.inbound.values()):
            return None
        uid = self._t.next_id("inbound")
        self._t.inbound[uid] = InboundUpdate(
            id=uid, channel=channel, update_key=update_key, payload=payload, sender=sender, received_at=now
        )
        return uid

    async def get(self, update_id: int) -> InboundUpdate | None:
        return self._t.inbound.get(update_id)

    async def mark(self, update_id: int, status: str, now: datetime, error: str | None = None) -> bool:
        row = self._t.inbound.get(update_id)
        if row is None or row.status != "received":
            return False
        row.status, row.handled_at, row.error, row.attempts = status, now, error, row.attempts + 1
        return True

    async def forget_sender(self, channel: str, sender: str) -> None:
        for row in self._t.inbound.values():
            if row.channel == channel and row.sender == sender and row.status != "received":
                row.payload, row.sender = {}, None


class MemoryOutbox:
    def __init__(self, t: Tables) -> None:
        self._t = t

    async def put(
        self,
        channel: str,
        chat_id: str,
        payload: dict[str, Any],
        now: datetime,
        *,
        dedupe_key: str | None = None,
        not_before: datetime | None = None,
    ) -> bool:
        if dedupe_key is not None and any(m.dedupe_key == dedupe_key for m in self._t.outbox.values()):
            return False
        oid = self._t.next_id("outbox")
        self._t.outbox[oid] = OutboxMessage(
            id=oid,
            channel=channel,
            chat_id=chat_id,
            payload=payload,
            status=PENDING,
            next_attempt_at=not_before or now,
            created_at=now,
            dedupe_key=dedupe_key,
        )
        return True

    async def mark_sent(self, results: list[tuple[int, str | None]], now: datetime) -> None:
        for oid, external_id in results:
            if (m := self._t.outbox.get(oid)) is not None:
                m.status, m.sent_at, m.external_id, m.lease_until = SENT, now, external_id, None
                m.attempts += 1

    async def for_chat(
        self, channel: str, chat_id: str, after_id: int = 0, limit: int = 100
    ) -> list[OutboxMessage]:
        rows = _by_key(self._t.outbox)
        return [m for m in rows if m.channel == channel and m.chat_id == chat_id and (m.id or 0) > after_id][
            :limit
        ]

    async def by_external(self, channel: str, chat_id: str, external_id: str) -> OutboxMessage | None:
        rows = await self.for_chat(channel, chat_id, limit=len(self._t.outbox))
        return next((m for m in rows if m.external_id == external_id), None)

    async def forget_chat(self, channel: str, chat_id: str) -> int:
        rows = await self.for_chat(channel, chat_id, limit=len(self._t.outbox))
        gone = [m.id for m in rows if m.id is not None and m.status in (SENT, FAILED)]
        for oid in gone:
            del self._t.outbox[oid]
        return len(gone)


class MemoryUnanswered:
    def __init__(self, t: Tables) -> None:
        self._t = t

    async def add(self, channel: str, chat_id: str, question: str, now: datetime) -> None:
        qid = self._t.next_id("unanswered")
        self._t.unanswered[qid] = UnansweredQuestion(
            id=qid, channel=channel, chat_id=chat_id, question=question, asked_at=now
        )

    async def forget_chat(self, channel: str, chat_id: str) -> None:
        gone = [k for k, q in self._t.unanswered.items() if (q.channel, q.chat_id) == (channel, chat_id)]
        for qid in gone:
            del self._t.unanswered[qid]

    async def recent(self, limit: int = 50) -> list[UnansweredQuestion]:
        return _by_key(self._t.unanswered)[::-1][:limit]


class MemoryPetitions:
    def __init__(self, t: Tables) -> None:
        self._t = t

    async def add(self, petition: Petition, party: PetitionParty) -> Petition:
        if await self.code_exists(petition.code):
            raise ValueError(f"petition code {petition.code} exists (unique constraint)")
        petition.id = self._t.next_id("petition")
        self._t.petitions[petition.id] = petition
        party.petition_id = petition.id
        self._t.parties[petition.id] = party
        return petition

    async def code_exists(self, code: str) -> bool:
        return any(p.code == code for p in self._t.petitions.values())

    async def by_code(self, code: str) -> Petition | None:
        return next((p for p in _by_key(self._t.petitions) if p.code == code.upper()), None)

    async def party(self, petition_id: int) -> PetitionParty | None:
        return self._t.parties.get(petition_id)

    async def for_user(self, channel: str, user_id: str) -> list[Petition]:
        ids = [p.petition_id for p in await self.parties_of(channel, user_id)]
        return [self._t.petitions[i] for i in sorted(ids, reverse=True)]

    async def parties_of(self, channel: str, user_id: str) -> list[PetitionParty]:
        return [p for p in _by_key(self._t.parties) if p.channel == channel and p.user_id == user_id]

    async def log(
        self,
        petition_id: int,
        at: datetime,
        actor: str,
        action: str,
        detail: str | None = None,
        *,
        internal: bool = False,
    ) -> None:
        eid = self._t.next_id("petition_event")
        self._t.petition_events[eid] = PetitionEvent(
            id=eid,
            petition_id=petition_id,
            at=at,
            actor=actor,
            action=action,
            detail=detail,
            internal=internal,
        )

    async def events(self, petition_id: int, *, include_internal: bool) -> list[PetitionEvent]:
        rows = [e for e in _by_key(self._t.petition_events) if e.petition_id == petition_id]
        return [e for e in rows if include_internal or not e.internal]

    async def open(self) -> list[Petition]:
        return [p for p in _by_key(self._t.petitions) if p.status in OPEN_STATUSES]

    async def all(self, limit: int = 10_000) -> list[Petition]:
        return _by_key(self._t.petitions)[:limit]

    def save(self, petition: Petition) -> None:
        if petition.id is None:
            petition.id = self._t.next_id("petition")
        self._t.petitions[petition.id] = petition

    def save_party(self, party: PetitionParty) -> None:
        self._t.parties[party.petition_id] = party


class MemorySubscriptions:
    def __init__(self, t: Tables) -> None:
        self._t = t

    async def get(self, channel: str, chat_id: str) -> Subscription | None:
        return self._t.subscriptions.get((channel, chat_id))

    async def save(
        self, channel: str, chat_id: str, user_id: str, village: str | None, topics: list[str], now: datetime
    ) -> None:
        sub = self._t.subscriptions.get((channel, chat_id)) or Subscription(
            channel=channel, chat_id=chat_id, user_id=user_id
        )
        sub.village, sub.topics, sub.created_at = village, list(topics), sub.created_at or now
        self._t.subscriptions[(channel, chat_id)] = sub

    async def remove(self, channel: str, chat_id: str) -> bool:
        return self._t.subscriptions.pop((channel, chat_id), None) is not None

    async def for_topic(self, topic: str, villages: list[str]) -> list[Subscription]:
        rows = list(self._t.subscriptions.values())
        return [
            s
            for s in rows
            if topic in s.topics and (not villages or s.village is None or s.village in villages)
        ]


class MemoryUnitOfWork:
    """`async with store.uow() as uow: ...; await uow.commit()`, like storage.uow.UnitOfWork."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self._t = Tables()

    async def __aenter__(self) -> MemoryUnitOfWork:
        t = self._t = copy_tables(self._store.tables)
        self.commune = MemoryCommune(t)
        self.disclosures = MemoryDisclosures(t)
        self.events = MemoryEvents(t)
        self.groups = MemoryGroups(t)
        self.officials = MemoryOfficials(t)
        self.conversations = MemoryConversations(t)
        self.inbound = MemoryInbound(t)
        self.outbox = MemoryOutbox(t)
        self.unanswered = MemoryUnanswered(t)
        self.petitions = MemoryPetitions(t)
        self.subscriptions = MemorySubscriptions(t)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Uncommitted changes live only in this unit's copy: leaving drops them."""

    async def commit(self) -> None:
        self._store.tables = copy_tables(self._t)


class MemoryStore:
    """The fake's `storage.store.Store`: committed tables and units of work over them."""

    def __init__(self) -> None:
        self.tables = Tables()

    def uow(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self)


def import_commune(store: MemoryStore, data: Any, now: datetime) -> bool:
    """Upsert a commune data file as storage.importer.import_data does; True when anything changed."""
    t = store.tables
    problems = validate(data, list(t.groups))
    if problems:
        raise ImportError_(problems)
    fields = {k: v for k, v in data["commune"].items() if k != "villages"}
    changed = t.commune is None or any(getattr(t.commune, k) != v for k, v in fields.items())
    t.commune = Commune(**{**(t.commune.model_dump() if t.commune else {"id": 1}), **fields})
    villages = list(data["commune"].get("villages", []))
    changed |= t.villages != villages
    t.villages = villages
    for section in SECTIONS:
        table: dict[str, Any] = getattr(t, section)
        for entry in data.get(section, []):
            old, digest = table.get(entry["id"]), _hash(entry)
            if old is not None and old.content_hash == digest:
                continue
            row = _MODELS[section](**_row_values(section, entry), content_hash=digest)
            if hasattr(row, "updated_at"):
                row.updated_at = now
            if old is not None and hasattr(old, "announced_at"):
                row.announced_at = old.announced_at
            table[entry["id"]] = row
            changed = True
    if changed:
        t.commune.data_version += 1
    return changed


def commune_store(path: Path, now: datetime) -> MemoryStore:
    """A fake store holding the commune of a data file (tests/fixtures/mini-commune.yaml)."""
    store = MemoryStore()
    import_commune(store, load_file(path), now)
    return store
