"""Inbound updates: stored and de-duplicated before handling (persist first, then act)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import InboundUpdate
from storage.repositories._upsert import insert_ignore

SET_ASIDE, DROPPED = "set_aside", "dropped"  # could not be read or handled; given up by the operator


class InboundRepo:
    """The log of received updates."""

    def __init__(self, session: AsyncSession, commune_id: int) -> None:
        self._s = session
        self._c = commune_id

    async def add_if_new(
        self, channel: str, update_key: str, payload: dict[str, Any], now: datetime, sender: str | None = None
    ) -> int | None:
        """Store an update; None when this (channel, key) was already received."""
        stmt = (
            insert_ignore(self._s, InboundUpdate)
            .values(
                commune_id=self._c,
                channel=channel,
                update_key=update_key,
                payload=payload,
                sender=sender,
                status="received",
                attempts=0,
                received_at=now,
            )
            .returning(col(InboundUpdate.id))
        )
        result = await self._s.exec(stmt)
        row = result.first()
        return None if row is None else int(row[0])

    async def add_many_if_new(
        self, rows: list[tuple[str, str, dict[str, Any], str | None]], now: datetime
    ) -> dict[tuple[str, str], int]:
        """Store many updates in one statement; the ids of those that are new, by (channel, key)."""
        values = [
            dict(
                commune_id=self._c,
                channel=c,
                update_key=k,
                payload=p,
                sender=s,
                status="received",
                attempts=0,
                received_at=now,
            )
            for c, k, p, s in rows
        ]
        stmt = (
            insert_ignore(self._s, InboundUpdate)
            .values(values)
            .returning(col(InboundUpdate.id), col(InboundUpdate.channel), col(InboundUpdate.update_key))
        )
        result = await self._s.exec(stmt)
        return {(row[1], row[2]): int(row[0]) for row in result.all()}

    async def forget_sender(self, channel: str, sender: str) -> None:
        """Blank the stored payloads of a person's handled updates (erasure on request)."""
        await self._s.exec(
            update(InboundUpdate)
            .where(col(InboundUpdate.commune_id) == self._c)
            .where(col(InboundUpdate.channel) == channel, col(InboundUpdate.sender) == sender)
            .where(col(InboundUpdate.status) != "received")
            .values(payload={}, sender=None)
        )

    async def last_from(self, channel: str, sender: str) -> datetime | None:
        """When this person last wrote on this channel (None: never, or erased)."""
        query = select(func.max(InboundUpdate.received_at)).where(
            col(InboundUpdate.channel) == channel, col(InboundUpdate.sender) == sender
        )
        last: datetime | None = (await self._s.exec(query)).one()
        return last

    async def get(self, update_id: int) -> InboundUpdate | None:
        row = await self._s.get(InboundUpdate, update_id)
        return row if row is not None and row.commune_id == self._c else None

    async def mark(self, update_id: int, status: str, now: datetime, error: str | None = None) -> bool:
        """Record the outcome of handling; False when someone else already handled it."""
        result = await self._s.exec(
            update(InboundUpdate)
            .where(col(InboundUpdate.id) == update_id, col(InboundUpdate.commune_id) == self._c)
            .where(col(InboundUpdate.status) == "received")
            .values(
                status=status,
                handled_at=now,
                error=error,
                attempts=InboundUpdate.attempts + 1,
            )
        )
        return bool(result.rowcount)

    async def unhandled(
        self, received_before: datetime, limit: int = 500, channels: Sequence[str] | None = None
    ) -> list[InboundUpdate]:
        """Updates stored but never handled (the process died in between), of these channels."""
        query = (
            select(InboundUpdate)
            .where(InboundUpdate.commune_id == self._c, InboundUpdate.status == "received")
            .where(col(InboundUpdate.received_at) <= received_before)
            .order_by(col(InboundUpdate.id))
            .limit(limit)
        )
        if channels is not None:
            query = query.where(col(InboundUpdate.channel).in_(channels))
        return list((await self._s.exec(query)).all())

    async def set_aside(self, limit: int = 100) -> list[InboundUpdate]:
        """Updates that could not be read or handled, kept with their error for the operator."""
        query = (
            select(InboundUpdate)
            .where(InboundUpdate.commune_id == self._c, InboundUpdate.status == SET_ASIDE)
            .order_by(col(InboundUpdate.id).desc())
            .limit(limit)
        )
        return list((await self._s.exec(query)).all())

    async def requeue(self, update_id: int) -> bool:
        """A set-aside update goes back to be handled (by the next recovery pass)."""
        result = await self._s.exec(
            update(InboundUpdate)
            .where(col(InboundUpdate.id) == update_id, col(InboundUpdate.commune_id) == self._c)
            .where(col(InboundUpdate.status) == SET_ASIDE)
            .values(status="received", handled_at=None)
        )
        return bool(result.rowcount)

    async def drop(self, update_id: int, now: datetime) -> bool:
        """A set-aside update is given up (kept for the record, never handled)."""
        result = await self._s.exec(
            update(InboundUpdate)
            .where(col(InboundUpdate.id) == update_id, col(InboundUpdate.commune_id) == self._c)
            .where(col(InboundUpdate.status) == SET_ASIDE)
            .values(status=DROPPED, handled_at=now)
        )
        return bool(result.rowcount)
