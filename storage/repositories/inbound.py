"""Inbound updates: stored and de-duplicated before handling (persist first, then act)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import InboundUpdate
from storage.repositories._upsert import insert_ignore


class InboundRepo:
    """The log of received updates."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def add_if_new(
        self, channel: str, update_key: str, payload: dict[str, Any], now: datetime, sender: str | None = None
    ) -> int | None:
        """Store an update; None when this (channel, key) was already received."""
        stmt = (
            insert_ignore(self._s, InboundUpdate)
            .values(
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
            dict(channel=c, update_key=k, payload=p, sender=s, status="received", attempts=0, received_at=now)
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
            .where(col(InboundUpdate.channel) == channel, col(InboundUpdate.sender) == sender)
            .where(col(InboundUpdate.status) != "received")
            .values(payload={}, sender=None)
        )

    async def get(self, update_id: int) -> InboundUpdate | None:
        return await self._s.get(InboundUpdate, update_id)

    async def mark(self, update_id: int, status: str, now: datetime, error: str | None = None) -> bool:
        """Record the outcome of handling; False when someone else already handled it."""
        result = await self._s.exec(
            update(InboundUpdate)
            .where(col(InboundUpdate.id) == update_id, col(InboundUpdate.status) == "received")
            .values(
                status=status,
                handled_at=now,
                error=error,
                attempts=InboundUpdate.attempts + 1,
            )
        )
        return bool(result.rowcount)

    async def unhandled(self, received_before: datetime, limit: int = 500) -> list[InboundUpdate]:
        """Updates stored but never handled (the process died in between)."""
        query = (
            select(InboundUpdate)
            .where(InboundUpdate.status == "received")
            .where(col(InboundUpdate.received_at) <= received_before)
            .order_by(col(InboundUpdate.id))
            .limit(limit)
        )
        return list((await self._s.exec(query)).all())
