"""Import a commune data file (YAML or JSON): validate everything, then upsert in one transaction.

The file's `commune.id` names its commune: the commune of that id is updated, or created when the
database has none of that id (a second file makes a second commune and leaves the first as it is).
A file without one updates the only commune (a one-commune deployment never needs to name it);
the first file that names that commune (same `name`, no id yet) gives it its id.

A disclosure or event edited on the officials' console (`edited_at`) is never overwritten silently:
the import keeps the console's version and reports a `Conflict` naming the entry and the fields
that differ, unless the operator asks for the file's version (`prefer_file`). A file that has
caught up with the edit (same values) clears the mark.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import col, select

from storage.entry_rows import SECTION_MODELS, apply_values, differing, entry_hash, row_values
from storage.models import Commune, Village
from storage.uow import UnitOfWork
from storage.validation import SECTIONS, validate

# libyaml's parser where PyYAML was built with it (a commune's file reads ten times quicker), with
# the same safe constructors either way
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ImportError_(Exception):
    """The file is invalid; nothing was changed. `problems` name the entry and field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Conflict:
    """An entry edited on the console that the file declares otherwise."""

    section: str
    entry_id: str
    fields: tuple[str, ...]  # the fields whose values differ
    edited_by: str | None
    edited_at: datetime | None
    file_changed: bool  # the file's entry changed since the edit (both sides edited)


@dataclass
class ImportReport:
    """What an import changed, per section."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)  # officials the file no longer lists
    warnings: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)  # console edits kept
    overridden: list[Conflict] = field(default_factory=list)  # console edits replaced (prefer_file)

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values()) or any(self.removed.values())

    def count(self, bucket: dict[str, int], section: str) -> None:
        bucket[section] = bucket.get(section, 0) + 1


def load_file(path: Path) -> Any:
    """Parse YAML or JSON; dates YAML turned into objects become ISO strings again."""
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.load(text, Loader=YAML_LOADER)
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


async def import_data(uow: UnitOfWork, data: Any, now: datetime, prefer_file: bool = False) -> ImportReport:
    """Validate, then upsert every entry keyed by id; commits only when the whole file is valid.

    The unit of work is rescoped to the commune the file names (whichever it was opened for).
    Entries edited on the console are kept (reported in `conflicts`) unless `prefer_file`.
    """
    commune, commune_id = await _target_commune(uow, data)
    uow.rescope(commune_id)
    # A file that lists officials replaces the list: only its own may be named in it.
    lists_officials = isinstance(data, dict) and "officials" in data
    stored = [] if lists_officials else [o.id for o in await uow.officials.all()]
    problems = validate(data, [g.id for g in await uow.groups.all()], stored)
    if problems:
        raise ImportError_(problems)
    report = ImportReport()
    session = uow.session
    commune_entry = data["commune"]
    commune_fields = {k: v for k, v in commune_entry.items() if k not in ("villages", "id")}
    if commune_entry.get("id"):
        commune_fields["slug"] = commune_entry["id"]
    if commune is None:
        commune = Commune(id=commune_id, **commune_fields)
        report.count(report.created, "commune")
    elif any(getattr(commune, k) != v for k, v in commune_fields.items()):
        for key, value in commune_fields.items():
            setattr(commune, key, value)
        report.count(report.updated, "commune")
    else:
        report.count(report.unchanged, "commune")
    await _sync_villages(uow, commune_id, commune_entry.get("villages", []), report)

    for section in SECTIONS:
        model = SECTION_MODELS[section]
        query = select(model).where(model.commune_id == commune_id)
        rows: list[Any] = list((await session.exec(query)).all())
        existing = {row.id: row for row in rows}
        for entry in data.get(section, []):
            row = existing.get(entry["id"])
            if row is not None and getattr(row, "edited_at", None) is not None:
                _edited(uow, section, row, entry, now, report, prefer_file)
            else:
                _upsert(uow, section, row, entry, now, report, commune_id)
        if section == "officials" and lists_officials:
            await _drop_unlisted(uow, rows, data["officials"], report)
    if report.changed:
        commune.data_version += 1
    session.add(commune)
    await uow.commit()
    return report


async def _drop_unlisted(uow: UnitOfWork, rows: list[Any], listed: list[Any], report: ImportReport) -> None:
    """The officials list is who may act: an official the file no longer names loses every right at
    once (chat actions and console sessions both re-read this table). A file without `officials`
    leaves the stored ones alone."""
    keep = {entry["id"] for entry in listed}
    for row in rows:
        if row.id not in keep:
            await uow.session.delete(row)
            report.count(report.removed, "officials")


async def _target_commune(uow: UnitOfWork, data: Any) -> tuple[Commune | None, int]:
    """The commune the file names (None and the id to give it when it is new)."""
    found = data.get("commune") if isinstance(data, dict) else None
    entry: dict[str, Any] = found if isinstance(found, dict) else {}
    slug = entry.get("id")
    query = select(Commune).order_by(col(Commune.id))
    communes = list((await uow.session.exec(query)).all())
    next_id = max((c.id or 0 for c in communes), default=0) + 1
    if isinstance(slug, str) and slug:
        named = next((c for c in communes if c.slug == slug), None)
        only = communes[0] if len(communes) == 1 else None
        if named is None and only is not None and only.slug is None and only.name == entry.get("name"):
            named = only  # a one-commune deployment's commune, named in its file for the first time
        return (named, named.id or 0) if named is not None else (None, next_id)
    if len(communes) > 1:
        raise ImportError_(
            ["commune.id: cơ sở dữ liệu có nhiều xã, tệp phải ghi commune.id để biết là xã nào"]
        )
    return (communes[0], communes[0].id or 0) if communes else (None, next_id)


async def _sync_villages(uow: UnitOfWork, commune_id: int, names: list[str], report: ImportReport) -> None:
    session = uow.session
    current = await uow.commune.villages()
    if current == names:
        return
    for name in set(current) - set(names):
        village = await session.get(Village, (commune_id, name))
        if village is not None:
            await session.delete(village)
    for position, name in enumerate(names):
        village = await session.get(Village, (commune_id, name)) or Village(commune_id=commune_id, name=name)
        village.position = position
        session.add(village)
    report.count(report.updated if current else report.created, "villages")


def _edited(
    uow: UnitOfWork,
    section: str,
    row: Any,
    entry: dict[str, Any],
    now: datetime,
    report: ImportReport,
    prefer_file: bool,
) -> None:
    """An entry edited on the console: kept (a conflict) unless the file agrees or is preferred."""
    digest = entry_hash(entry)
    values = row_values(section, entry)
    fields = differing(row, values)
    conflict = Conflict(
        section, row.id, fields, row.edited_by, row.edited_at, file_changed=digest != row.file_hash
    )
    if fields and not prefer_file:
        report.conflicts.append(conflict)
        report.count(report.unchanged, section)
        return
    if fields:
        apply_values(row, values)
        row.updated_at = now
        report.overridden.append(conflict)
        report.count(report.updated, section)
    else:
        report.count(report.unchanged, section)  # the file caught up with the edit
    row.content_hash = digest
    row.edited_at = row.edited_by = row.file_hash = None
    uow.session.add(row)


def _upsert(
    uow: UnitOfWork,
    section: str,
    row: Any,
    entry: dict[str, Any],
    now: datetime,
    report: ImportReport,
    commune_id: int,
) -> None:
    model = SECTION_MODELS[section]
    digest = entry_hash(entry)
    values = row_values(section, entry)
    if row is None:
        row = model(**values, commune_id=commune_id, content_hash=digest)
        report.count(report.created, section)
    elif row.content_hash == digest:
        report.count(report.unchanged, section)
        return
    else:
        apply_values(row, values)
        row.content_hash = digest
        report.count(report.updated, section)
    if hasattr(row, "updated_at"):
        row.updated_at = now
    uow.session.add(row)
