"""Import a commune data file (YAML or JSON): validate everything, then upsert in one transaction."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any, cast

import yaml
from dateutil.rrule import rrulestr
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from rapidfuzz import fuzz, process
from sqlmodel import select

from storage.models import Commune, Disclosure, Event, Group, Official, Village
from storage.uow import UnitOfWork

SCHEMA_PATH = Path(__file__).parent / "schema" / "commune-data.schema.json"
SECTIONS = ("disclosures", "events", "groups", "officials")
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


def _format_checker() -> FormatChecker:
    checker = FormatChecker(["date"])

    @checker.checks("date-time", raises=ValueError)
    def _is_datetime(value: object) -> bool:
        if not isinstance(value, str):
            return True
        parsed = datetime.fromisoformat(value)
        return parsed.tzinfo is not None

    return checker


@cache
def _validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=_format_checker())


def _where(data: Any, path: Iterable[Any]) -> str:
    """Name the place of an error by entry id rather than list index: disclosures[abc].title."""
    text = ""
    node = data
    for key in path:
        if isinstance(key, int) and isinstance(node, list):
            entry = node[key] if key < len(node) else None
            entry_id = entry.get("id") if isinstance(entry, dict) else None
            text += f"[{entry_id or f'#{key + 1}'}]"
            node = entry
        else:
            text += f".{key}" if text else str(key)
            node = node.get(key) if isinstance(node, dict) else None
    return text or "(tệp)"


def _explain(error: ValidationError) -> str:
    kind = error.validator
    if kind == "required":
        return f"thiếu trường bắt buộc ({error.message.split(' ')[0]})"
    if kind == "additionalProperties":
        return f"có trường không được phép ({error.message})"
    if kind == "format":
        wanted = "YYYY-MM-DD" if error.validator_value == "date" else "YYYY-MM-DDTHH:MM:SS+07:00"
        return f"{error.instance!r} không đúng định dạng {wanted}"
    if kind == "enum":
        allowed = ", ".join(str(v) for v in cast(list[object], error.validator_value))
        return f"{error.instance!r} không hợp lệ; chỉ nhận: {allowed}"
    if kind == "pattern":
        return f"{error.instance!r} không đúng mẫu {error.validator_value}"
    if kind == "type":
        return f"sai kiểu dữ liệu (cần {error.validator_value})"
    return error.message


def validate(data: Any, stored_groups: Iterable[str] = (), stored_officials: Iterable[str] = ()) -> list[str]:
    """Every problem in the file at once, each naming the entry id and the field.

    Schema problems, duplicate ids, villages and groups that do not exist, and bad recurrence rules
    are all reported in one run, so one file takes one round of fixes. `stored_groups` and
    `stored_officials`: ids already in the database, which the file may name without declaring them.
    """
    problems = []
    for error in sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.path))):
        path = list(error.path)
        if error.validator == "required":
            missing = error.message.split("'")[1] if "'" in error.message else ""
            path.append(missing)
        problems.append(f"{_where(data, path)}: {_explain(error)}")
    if not isinstance(data, dict):
        return problems
    sections = {name: _entries(data, name) for name in SECTIONS}
    for section, entries in sections.items():
        seen: set[str] = set()
        for entry in entries:
            if entry["id"] in seen:
                problems.append(f"{section}[{entry['id']}].id: mã bị trùng trong tệp")
            seen.add(entry["id"])
    commune = data.get("commune")
    villages = commune.get("villages") if isinstance(commune, dict) else None
    known_villages = [v for v in villages if isinstance(v, str)] if isinstance(villages, list) else []
    for section in ("disclosures", "events", "groups"):
        for entry in sections[section]:
            problems.extend(
                _unknown(f"{section}[{entry['id']}].villages", entry.get("villages"), known_villages)
            )
    known_groups = [g["id"] for g in sections["groups"]] + [g for g in stored_groups]
    officials = {o["id"]: o for o in sections["officials"]}
    for group in sections["groups"]:
        problems.extend(_relay_problems(group, officials, stored_officials))
    for event in sections["events"]:
        problems.extend(_unknown(f"events[{event['id']}].notify", event.get("notify"), known_groups))
        problems.extend(_event_problems(event))
    return problems


def _relay_problems(
    group: dict[str, Any], officials: dict[str, dict[str, Any]], stored_officials: Iterable[str]
) -> list[str]:
    """A relayed group needs an official who runs it and can be reached on the group's messenger."""
    where = f"groups[{group['id']}]"
    relay_by = group.get("relay_by")
    if group.get("reach") == "relay" and not relay_by:
        return [f"{where}.relay_by: nhóm đăng qua người quản trị (reach: relay) cần mã cán bộ quản trị nhóm"]
    if not isinstance(relay_by, str):
        return []
    official = officials.get(relay_by)
    if official is None:
        if relay_by in set(stored_officials):
            return []
        return _unknown(f"{where}.relay_by", [relay_by], list(officials))
    channel = group.get("channel")
    fields = [f for f, ch in ACCOUNT_FIELDS.items() if ch == channel]
    if fields and not any(official.get(f) for f in fields):
        return [f"{where}.relay_by: cán bộ '{relay_by}' chưa có {fields[0]} để nhận bài chuyển tiếp"]
    return []


def _entries(data: dict[str, Any], section: str) -> list[dict[str, Any]]:
    """The section's entries that are objects with a string id (the schema reports the others)."""
    entries = data.get(section)
    if not isinstance(entries, list):
        return []
    return [e for e in entries if isinstance(e, dict) and isinstance(e.get("id"), str)]


def _unknown(where: str, names: Any, known: list[str]) -> list[str]:
    """One problem per name the file does not declare, with the closest declared one suggested."""
    if not isinstance(names, list):
        return []
    problems = []
    for name in names:
        if not isinstance(name, str) or name in known:
            continue
        close = process.extractOne(name, known, scorer=fuzz.WRatio, score_cutoff=80) if known else None
        hint = f" — có phải '{close[0]}'?" if close else ""
        declared = ", ".join(known) if known else "(chưa khai báo)"
        problems.append(f"{where}: '{name}' không có trong danh sách ({declared}){hint}")
    return problems


def _event_problems(event: dict[str, Any]) -> list[str]:
    where = f"events[{event['id']}]"
    if not event.get("rrule") or not isinstance(event["rrule"], str):
        return []
    try:
        start = datetime.fromisoformat(str(event.get("start")))
    except ValueError:
        return []  # the schema reported the start already
    try:
        rrulestr(event["rrule"], dtstart=start)
    except (ValueError, TypeError) as exc:
        return [f"{where}.rrule: quy tắc lặp không hợp lệ ({exc})"]
    return []


def _hash(entry: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(entry, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# The data file names an official's messenger accounts field by field; the database keeps them as
# {channel: id} so a new channel needs no new column.
ACCOUNT_FIELDS = {"telegram_user_id": "telegram", "zalo_user_id": "zalo", "zalo_oa_user_id": "zalo_oa"}


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
