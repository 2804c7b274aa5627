"""`python -m bot petitions list | show CODE | export`: the queue for officials at a terminal.

What a terminal prints may be copied anywhere (investigators get the export), so texts are shown
redacted: no phone, e-mail or ID number, no self-introduced name and never the filer's own name.
Who filed a petition is looked up in chat with /xem, where each view is audited.
"""

from __future__ import annotations

import csv
import sys
from datetime import datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from domain.petition_texts import ACTION_LABELS, KIND_LABELS, STATUS_LABELS
from domain.petitions import due_now
from domain.redaction import redact
from storage.models import Petition
from storage.store import Store

COLUMNS = (
    "code",
    "kind",
    "status",
    "village",
    "place",
    "received_at",
    "accepted_at",
    "first_due",
    "resolve_due",
    "resolved_at",
    "assignee",
    "rating",
    "content",
    "answer",
)


TEXT_COLUMNS = frozenset({"content", "answer", "place"})
BOM = "\ufeff"  # Excel reads the file as UTF-8 only with it; without, Vietnamese comes out garbled


def _cell(petition: Petition, column: str, names: dict[int, str], tz: ZoneInfo) -> str:
    """One column as an official reads it: labels in Vietnamese, local times, redacted free texts."""
    value = getattr(petition, column)
    if column in TEXT_COLUMNS and value:
        own = names.get(petition.id or 0)
        return redact(str(value), [own] if own else [])
    if column == "kind":
        return KIND_LABELS.get(str(value), str(value))
    if column == "status":
        return STATUS_LABELS.get(str(value), str(value))
    return _local(value, tz)


def _local(value: object, tz: ZoneInfo) -> str:
    """A moment in the commune's time ('2026-12-07 03:15'), a date as it is, others as text."""
    if isinstance(value, datetime):
        return value.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    return value.isoformat() if hasattr(value, "isoformat") else ("" if value is None else str(value))


async def list_petitions(store: Store, tz: ZoneInfo, out: TextIO = sys.stdout) -> int:
    async with store.uow() as uow:
        petitions = await uow.petitions.all()
    if not petitions:
        print("Chưa có hồ sơ nào.", file=out)
    for p in petitions:
        received = p.received_at.astimezone(tz).date().isoformat() if p.received_at else ""
        due = _local(due_now(p), tz)
        print(
            f"{p.code}\t{KIND_LABELS[p.kind]}\t{STATUS_LABELS.get(p.status, p.status)}\t{received}\thạn {due}\t{p.village or ''}",
            file=out,
        )
    return 0


async def show_petition(store: Store, code: str, tz: ZoneInfo, out: TextIO = sys.stdout) -> int:
    async with store.uow() as uow:
        petition = await uow.petitions.by_code(code)
        if petition is None or petition.id is None:
            print(f"Không có hồ sơ {code}.", file=sys.stderr)
            return 1
        events = await uow.petitions.events(petition.id, include_internal=True)
        names = await uow.petitions.names([petition.id])
    own = [names[petition.id]] if petition.id in names else []
    for column in COLUMNS:
        print(f"{column}: {_cell(petition, column, names, tz)}", file=out)
    print("history:", file=out)
    for event in events:
        detail = f" — {redact(event.detail, own)}" if event.detail else ""
        print(
            f"  {_local(event.at, tz)} {event.actor}: {ACTION_LABELS.get(event.action, event.action)}{detail}",
            file=out,
        )
    return 0


async def export_petitions(store: Store, tz: ZoneInfo, out: TextIO = sys.stdout) -> int:
    """CSV for Excel (UTF-8 with BOM), one row per petition, local times, labels in Vietnamese.

    No filer's identity appears (names are read only to hide them).
    """
    async with store.uow() as uow:
        petitions = await uow.petitions.all()
        names = await uow.petitions.names([p.id for p in petitions if p.id is not None])
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for p in petitions:
        writer.writerow([_cell(p, c, names, tz) for c in COLUMNS])
    return 0
