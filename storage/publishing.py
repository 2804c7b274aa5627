"""Publishing a disclosure or an event from the officials' console: checked exactly as the importer
checks a data file (storage/validation.py, the same schema), then stored with the console's mark.

An entry is the data file's shape (`{"id": ..., "title": ..., "published_at": "2026-12-07", ...}`),
so the form, the file and the database agree on what a field is. A stored edit remembers who made
it and the content hash of the file's entry it replaced: `python -m bot import` then keeps it
(storage/importer.py reports the conflict) instead of overwriting it silently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from storage.entry_rows import SECTION_MODELS, apply_values, differing, entry_hash, row_values
from storage.models import Commune, Disclosure, Event
from storage.uow import UnitOfWork
from storage.validation import validate

SECTIONS = ("disclosures", "events")  # what the console publishes

# The data file's fields as the form names them (the message names both, so an official reading it
# and an operator reading the file find the same field).
LABELS: dict[str, str] = {
    "id": "Mã",
    "title": "Tiêu đề",
    "category": "Lĩnh vực",
    "villages": "Thôn",
    "published_at": "Ngày công bố",
    "posted_until": "Niêm yết đến ngày",
    "source": "Căn cứ",
    "decided_at": "Ngày ban hành quyết định",
    "tags": "Từ khóa",
    "attachments": "Tệp đính kèm",
    "body": "Nội dung",
    "kind": "Loại",
    "host": "Chủ trì",
    "location": "Địa điểm",
    "start": "Bắt đầu",
    "duration_minutes": "Thời lượng (phút)",
    "rrule": "Lặp lại",
    "exdates": "Ngày nghỉ",
    "remind_before": "Nhắc trước",
    "notify": "Nhóm được nhắc",
    "description": "Mô tả",
}
FIELDS: dict[str, tuple[str, ...]] = {
    "disclosures": (
        "id",
        "title",
        "category",
        "villages",
        "published_at",
        "posted_until",
        "source",
        "decided_at",
        "tags",
        "attachments",
        "body",
    ),
    "events": (
        "id",
        "title",
        "kind",
        "start",
        "duration_minutes",
        "rrule",
        "exdates",
        "villages",
        "remind_before",
        "notify",
        "host",
        "location",
        "description",
    ),
}
LISTS = frozenset({"villages", "tags", "attachments", "exdates", "remind_before", "notify"})
_LOCAL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$")  # a datetime-local field's value
_SPLIT = re.compile(r"[\n,;]+")
_WHERE = re.compile(r"^(?P<section>\w+)\[[^\]]*\](?:\.(?P<field>\w+))?:\s*(?P<text>.*)$", re.S)


@dataclass(frozen=True)
class Problem:
    """What is wrong with one field of the form (`field` "" when it is the entry as a whole)."""

    field: str
    message: str


@dataclass(frozen=True)
class Published:
    """What publishing came to: problems (nothing changed), or the stored entry and its posts."""

    entry_id: str
    problems: list[Problem] = field(default_factory=list)
    created: bool = False
    changed: bool = False
    announced: int = 0  # group posts and subscribers' messages queued

    @property
    def ok(self) -> bool:
        return not self.problems


def entry_from_form(section: str, form: Mapping[str, str], tz: ZoneInfo | None = None) -> dict[str, Any]:
    """A form's fields as a data file entry: blanks left out, lists split on commas or lines,
    whole minutes as a number, a start without its UTC offset (a browser's date and time field) in
    the commune's time `tz`; anything else is kept as typed, for the schema to name."""
    entry: dict[str, Any] = {}
    for name in FIELDS[section]:
        text = form.get(name, "")
        text = text.replace("\r\n", "\n") if name in ("body", "description") else text.strip()
        if name in LISTS:
            items = [item.strip() for item in _SPLIT.split(text) if item.strip()]
            if items:
                entry[name] = items
        elif text.strip():
            entry[name] = int(text) if name == "duration_minutes" and text.isdigit() else text
    if tz is not None and isinstance(entry.get("start"), str):
        entry["start"] = _with_offset(entry["start"], tz)
    return entry


def _with_offset(text: str, tz: ZoneInfo) -> str:
    """'2026-12-02T19:30' -> '2026-12-02T19:30:00+07:00'; anything else as it was."""
    if not _LOCAL.match(text):
        return text
    try:
        return datetime.fromisoformat(text).replace(tzinfo=tz).isoformat()
    except ValueError:
        return text


def form_from_row(section: str, row: Disclosure | Event) -> dict[str, str]:
    """A stored entry as the form shows it for editing."""
    form: dict[str, str] = {}
    for name in FIELDS[section]:
        value = getattr(row, name)
        if value is None:
            form[name] = ""
        elif name in LISTS:
            form[name] = ", ".join(str(v) for v in value)
        else:
            form[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return form


def _problem(text: str) -> Problem:
    """A validation message as the form shows it: the field's label first, then what is wrong."""
    match = _WHERE.match(text)
    if match is None:
        return Problem("", text)
    name, what = match["field"] or "", match["text"]
    for own in LABELS:  # "thiếu trường bắt buộc ('title')": the field is in the message
        if name == "" and f"'{own}'" in what:
            name = own
    label = f"{LABELS[name]} ({name})" if name in LABELS else "Mục này"
    return Problem(name, f"{label}: {what}")


async def check(uow: UnitOfWork, section: str, entry: dict[str, Any], new: bool) -> list[Problem]:
    """Every problem of the entry, as the importer finds them in a data file (schema, villages,
    groups, recurrence rules), plus an id that is taken (new) or unknown (edit)."""
    commune = await uow.commune.get()
    data = {
        "commune": {"name": commune.name if commune else "xã", "villages": await uow.commune.villages()},
        section: [entry],
    }
    stored_groups = [g.id for g in await uow.groups.all()]
    stored_officials = [o.id for o in await uow.officials.all()]
    problems = [_problem(text) for text in validate(data, stored_groups, stored_officials)]
    entry_id = entry.get("id")
    if isinstance(entry_id, str) and not any(p.field == "id" for p in problems):
        exists = await uow.session.get(SECTION_MODELS[section], (uow.commune_id, entry_id)) is not None
        if new and exists:
            problems.append(Problem("id", f"{LABELS['id']} (id): '{entry_id}' đã có, hãy chọn mã khác"))
        elif not new and not exists:
            problems.append(Problem("id", f"{LABELS['id']} (id): không có mục '{entry_id}' để sửa"))
    return problems


async def save(
    uow: UnitOfWork, section: str, entry: dict[str, Any], official_id: str, now: datetime
) -> tuple[Disclosure | Event, bool, bool]:
    """Store a checked entry with the console's mark: (row, created, changed). Not committed.

    An unchanged entry is left as it is (no mark, no new data version). The first console edit of an
    imported entry keeps the hash of the file's version it replaces (`file_hash`)."""
    model: type[Disclosure] | type[Event] = Disclosure if section == "disclosures" else Event
    values = row_values(section, entry)
    row: Disclosure | Event | None = await uow.session.get(model, (uow.commune_id, entry["id"]))
    created = row is None
    if row is None:
        row = model(**values, commune_id=uow.commune_id, content_hash=entry_hash(entry))
    elif not differing(row, values):
        return row, False, False
    else:
        if row.edited_at is None:
            row.file_hash = row.content_hash
        apply_values(row, values)
        row.content_hash = entry_hash(entry)
    row.edited_at, row.edited_by, row.updated_at = now, official_id, now
    uow.session.add(row)
    commune = await uow.session.get(Commune, uow.commune_id)
    if commune is not None:
        commune.data_version += 1  # the search index and the reminder planner see the change
        uow.session.add(commune)
    return row, created, True
