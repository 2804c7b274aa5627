"""How a data file's entry maps onto its table's row: column values, content hash, differences.

Shared by the importer, the console's publishing (`storage/publishing.py`) and the tests' in-memory
fakes, so an entry typed on the console and the same entry in a file become the same row.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from storage.models import Disclosure, Event, Group, Official
from storage.validation import ACCOUNT_FIELDS

SECTION_MODELS: dict[str, type[Disclosure] | type[Event] | type[Group] | type[Official]] = {
    "disclosures": Disclosure,
    "events": Event,
    "groups": Group,
    "officials": Official,
}


def entry_hash(entry: dict[str, Any]) -> str:
    """The content hash of a declared entry (`content_hash`: unchanged entries are skipped)."""
    return hashlib.sha256(json.dumps(entry, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def row_values(section: str, entry: dict[str, Any]) -> dict[str, Any]:
    """A declared entry as its table's column values."""
    values: dict[str, Any] = {k: v for k, v in entry.items() if k not in ACCOUNT_FIELDS}
    if section == "officials":
        values["accounts"] = {ch: str(entry[f]) for f, ch in ACCOUNT_FIELDS.items() if entry.get(f)}
    if section == "disclosures":
        values["published_at"] = date.fromisoformat(entry["published_at"])
        for optional in ("posted_until", "decided_at"):
            if entry.get(optional):
                values[optional] = date.fromisoformat(entry[optional])
    for list_field in ("villages", "tags", "attachments", "exdates", "remind_before", "notify", "categories"):
        if list_field in SECTION_MODELS[section].model_fields and values.get(list_field) is None:
            values[list_field] = []
    return values


def default_value(model: Any, name: str) -> Any:
    """What a field left out of an entry is: the table's default (a group's reach is "group")."""
    info = model.model_fields[name]
    return info.default_factory() if info.default_factory is not None else info.default


# Columns an entry does not declare: the row's key and its bookkeeping.
BOOKKEEPING = frozenset(
    {"commune_id", "id", "content_hash", "announced_at", "updated_at", "edited_at", "edited_by", "file_hash"}
)


def declared_fields(model: Any) -> list[str]:
    """The columns a data file's entry sets."""
    return [name for name in model.model_fields if name not in BOOKKEEPING]


def apply_values(row: Any, values: dict[str, Any]) -> None:
    """Set every declared column of a row from an entry's values (left out: the table's default)."""
    model = type(row)
    for name in declared_fields(model):
        setattr(row, name, values[name] if name in values else default_value(model, name))


def differing(row: Any, values: dict[str, Any]) -> tuple[str, ...]:
    """The declared columns whose values differ between a row and an entry's values."""
    model = type(row)
    return tuple(
        name
        for name in declared_fields(model)
        if getattr(row, name) != (values[name] if name in values else default_value(model, name))
    )
