"""In-memory implementations of handlers/ports.py, faithful to storage/repositories/ (checked by
tests/unit/test_memory_contract.py), so handler tests run without a database.

A `MemoryStore` holds committed tables; each unit of work works on a copy and replaces them on
`commit`, so uncommitted work is dropped as a rollback would. Units of work run one at a time
(tests are sequential; there is no row-level merging of concurrent commits). Not modelled either:
a JSON value of a loaded row changed in place is kept here, while SQLAlchemy would not notice it
(handlers copy such values and save them). The repositories live in memory_declared.py (commune
data) and memory_people.py (flows, queues, petitions).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from storage.entry_rows import SECTION_MODELS, entry_hash, row_values
from storage.importer import ImportError_, load_file
from storage.models import Commune
from storage.uow import FIRST_COMMUNE
from storage.validation import SECTIONS, validate
from tests.fakes.memory_declared import (
    MemoryCommune,
    MemoryDisclosures,
    MemoryEvents,
    MemoryGroups,
    MemoryOfficials,
    MemoryRelays,
)
from tests.fakes.memory_people import (
    MemoryConversations,
    MemoryInbound,
    MemoryOutbox,
    MemoryPetitions,
    MemorySubscriptions,
    MemoryUnanswered,
)
from tests.fakes.memory_tables import Tables, copy_tables


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
        self.relays = MemoryRelays(t)
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
    fields = {k: v for k, v in data["commune"].items() if k not in ("villages", "id")}
    if data["commune"].get("id"):
        fields["slug"] = data["commune"]["id"]
    changed = t.commune is None or any(getattr(t.commune, k) != v for k, v in fields.items())
    t.commune = Commune(**{**(t.commune.model_dump() if t.commune else {"id": FIRST_COMMUNE}), **fields})
    villages = list(data["commune"].get("villages", []))
    changed |= t.villages != villages
    t.villages = villages
    for section in SECTIONS:
        table: dict[str, Any] = getattr(t, section)
        for entry in data.get(section, []):
            old, digest = table.get(entry["id"]), entry_hash(entry)
            if old is not None and old.content_hash == digest:
                continue
            row = SECTION_MODELS[section](
                **row_values(section, entry), commune_id=FIRST_COMMUNE, content_hash=digest
            )
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
