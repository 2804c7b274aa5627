"""Checking a commune data file before anything is written: schema, duplicate ids, references.

Every problem of a file comes in one run, each naming the entry id and the field, so one file
takes one round of fixes (`python -m bot import` prints them all and changes nothing).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, cast

from dateutil.rrule import rrulestr
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from rapidfuzz import fuzz, process

SCHEMA_PATH = Path(__file__).parent / "schema" / "commune-data.schema.json"
SECTIONS = ("disclosures", "events", "groups", "officials")

# The data file names an official's messenger accounts field by field; the database keeps them as
# {channel: id} so a new channel needs no new column.
ACCOUNT_FIELDS = {"telegram_user_id": "telegram", "zalo_user_id": "zalo", "zalo_oa_user_id": "zalo_oa"}


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
