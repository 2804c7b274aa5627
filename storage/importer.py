"""Import a commune data file (YAML or JSON): validate everything, then upsert in one transaction."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import select

from storage.models import Commune, Disclosure, Event, Group, Official, Village
from storage.uow import UnitOfWork
from storage.validation import ACCOUNT_FIELDS, SECTIONS, validate

_MODELS: dict[str, type[Disclosure] | type[Event] | type[Group] | type[Official]] = {
    "disclosures": Disclosure,
    "events": Event,
    "groups": Group,
    "officials": Official,
}


class ImportError_(Exception):
    """The file is invalid; nothing was changed. `problems` name the entry and field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ImportReport:
    """What an import changed, per section."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values())

    def count(self, bucket: dict[str, int], section: str) -> None:
        bucket[section] = bucket.get(section, 0) + 1


def load_file(path: Path) -> Any:
    """Parse YAML or JSON; dates YAML turned into objects become ISO strings again."""
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise ImportError_([f"{path.name}: không đọc được tệp ({exc})"]) from None
    return _stringify_dates(data)


def _stringify_dates(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _stringify_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stringify_dates(v) for v in value]
    return value


def _hash(entry: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(entry, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _row_values(section: str, entry: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {k: v for k, v in entry.items() if k not in ACCOUNT_FIELDS}
    if section == "officials":
        values["accounts"] = {ch: str(entry[f]) for f, ch in ACCOUNT_FIELDS.items() if entry.get(f)}
    if section == "disclosures":
        values["published_at"] = date.fromisoformat(entry["published_at"])
        if entry.get("posted_until"):
            values["posted_until"] = date.fromisoformat(entry["posted_until"])
    for list_field in ("villages", "tags", "attachments", "exdates", "remind_before", "notify", "categories"):
        if list_field in _MODELS[section].model_fields and values.get(list_field) is None:
            values[list_field] = []
    return values


async def import_data(uow: UnitOfWork, data: Any, now: datetime) -> ImportReport:
    """Validate, then upsert every entry keyed by id; commits only when the whole file is valid."""
    problems = validate(
        data, [g.id for g in await uow.groups.all()], [o.id for o in await uow.officials.all()]
    )
    if problems:
        raise ImportError_(problems)
    report = ImportReport()
    session = uow.session
    commune_entry = data["commune"]
    commune = await session.get(Commune, 1)
    commune_fields = {k: v for k, v in commune_entry.items() if k != "villages"}
    if commune is None:
        commune = Commune(id=1, **commune_fields)
        report.count(report.created, "commune")
    elif any(getattr(commune, k) != v for k, v in commune_fields.items()):
        for key, value in commune_fields.items():
            setattr(commune, key, value)
        report.count(report.updated, "commune")
    else:
        report.count(report.unchanged, "commune")
    await _sync_villages(uow, commune_entry.get("villages", []), report)

    for section in SECTIONS:
        model = _MODELS[section]
        rows: list[Any] = list((await session.exec(select(model))).all())
        existing = {row.id: row for row in rows}
        for entry in data.get(section, []):
            _upsert(uow, section, existing.get(entry["id"]), entry, now, report)
    if report.changed:
        commune.data_version += 1
    session.add(commune)
    await uow.commit()
    return report


async def _sync_villages(uow: UnitOfWork, names: list[str], report: ImportReport) -> None:
    session = uow.session
    current = await uow.commune.villages()
    if current == names:
        return
    for name in set(current) - set(names):
        village = await session.get(Village, name)
        if village is not None:
            await session.delete(village)
    for position, name in enumerate(names):
        village = await session.get(Village, name) or Village(name=name)
        village.position = position
        session.add(village)
    report.count(report.updated if current else report.created, "villages")


def _upsert(
    uow: UnitOfWork, section: str, row: Any, entry: dict[str, Any], now: datetime, report: ImportReport
) -> None:
    model = _MODELS[section]
    digest = _hash(entry)
    values = _row_values(section, entry)
    if row is None:
        row = model(**values, content_hash=digest)
        report.count(report.created, section)
    elif row.content_hash == digest:
        report.count(report.unchanged, section)
        return
    else:
        for name in model.model_fields:
            if name in ("id", "content_hash", "announced_at", "updated_at"):
                continue
            current = getattr(row, name)
            default: Any = [] if isinstance(current, list) else {} if isinstance(current, dict) else None
            setattr(row, name, values.get(name, default))
        row.content_hash = digest
        report.count(report.updated, section)
    if hasattr(row, "updated_at"):
        row.updated_at = now
    uow.session.add(row)
