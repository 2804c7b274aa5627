"""`python -m bot petitions list | show CODE | export`: the queue for officials at a terminal."""

from __future__ import annotations

import csv
import sys
from typing import TextIO

from domain.deadlines import TO_CAO
from domain.petition_texts import ACTION_LABELS, KIND_LABELS, STATUS_LABELS, redact
from storage.models import Petition
from storage.store import Store

COLUMNS = (
    "code",
    "kind",
    "status",
    "village",
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


def _content(petition: Petition) -> str:
    # A denunciation's text may point at its author: only its redacted form leaves the database.
    return redact(petition.content) if petition.kind == TO_CAO else petition.content


def _iso(value: object) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else ("" if value is None else str(value))


async def list_petitions(store: Store, out: TextIO = sys.stdout) -> int:
    async with store.uow() as uow:
        petitions = await uow.petitions.all()
    if not petitions:
        print("Chưa có hồ sơ nào.", file=out)
    for p in petitions:
        received = p.received_at.date().isoformat() if p.received_at else ""
        due = _iso(p.first_due if p.status == "received" else p.resolve_due)
        print(
            f"{p.code}\t{KIND_LABELS[p.kind]}\t{STATUS_LABELS.get(p.status, p.status)}\t{received}\thạn {due}\t{p.village or ''}",
            file=out,
        )
    return 0


async def show_petition(store: Store, code: str, out: TextIO = sys.stdout) -> int:
    async with store.uow() as uow:
        petition = await uow.petitions.by_code(code)
        if petition is None or petition.id is None:
            print(f"Không có hồ sơ {code}.", file=sys.stderr)
            return 1
        events = await uow.petitions.events(petition.id, include_internal=True)
    for column in COLUMNS:
        value = _content(petition) if column == "content" else getattr(petition, column)
        print(f"{column}: {_iso(value)}", file=out)
    print("history:", file=out)
    for event in events:
        detail = f" — {event.detail}" if event.detail else ""
        print(
            f"  {_iso(event.at)} {event.actor}: {ACTION_LABELS.get(event.action, event.action)}{detail}",
            file=out,
        )
    return 0


async def export_petitions(store: Store, out: TextIO = sys.stdout) -> int:
    """CSV, one row per petition; a denouncer's identity never appears (it is not even read)."""
    async with store.uow() as uow:
        petitions = await uow.petitions.all()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for p in petitions:
        writer.writerow([_content(p) if c == "content" else _iso(getattr(p, c)) for c in COLUMNS])
    return 0
