"""Posts handed to a group's admin to forward, and whether they said it is posted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import RelayPost
from storage.repositories._upsert import insert_ignore


class RelayRepo:
    """One row per (post, group); confirmed once, reminded at most once."""

    def __init__(self, session: AsyncSession, commune_id: int) -> None:
        self._s = session
        self._c = commune_id

    async def add_if_new(
        self,
        key: str,
        group_id: str,
        official_id: str,
        channel: str,
        chat_id: str,
        summary: str,
        at: datetime,
    ) -> int | None:
        """The new row's id, or None when this post was handed to this group before."""
        values = dict(
            commune_id=self._c,
            dedupe_key=key,
            group_id=group_id,
            official_id=official_id,
            channel=channel,
            chat_id=chat_id,
            summary=summary[:300],
            created_at=at,
        )
        stmt = insert_ignore(self._s, RelayPost).values(**values).returning(col(RelayPost.id))
        row = (await self._s.exec(stmt)).first()
        return int(row[0]) if row is not None else None

    async def get(self, relay_id: int) -> RelayPost | None:
        relay = await self._s.get(RelayPost, relay_id)
        return relay if relay is not None and relay.commune_id == self._c else None

    async def pending_for(self, official_id: str, now: datetime) -> list[RelayPost]:
        """Unconfirmed posts this official was asked to forward (already due), newest first."""
        query = (
            select(RelayPost)
            .where(RelayPost.commune_id == self._c, RelayPost.official_id == official_id)
            .where(col(RelayPost.confirmed_at).is_(None))
            .where(col(RelayPost.created_at) <= now)
            .order_by(col(RelayPost.id).desc())
        )
        return list((await self._s.exec(query)).all())

    async def confirm(self, relay_id: int, now: datetime) -> None:
        await self._s.exec(
            update(RelayPost)
            .where(col(RelayPost.id) == relay_id, col(RelayPost.commune_id) == self._c)
            .where(col(RelayPost.confirmed_at).is_(None))
            .values(confirmed_at=now)
        )

    async def to_remind(self, asked_before: datetime) -> list[RelayPost]:
        """Unconfirmed posts asked for before the given moment and never reminded."""
        query = (
            select(RelayPost)
            .where(RelayPost.commune_id == self._c)
            .where(col(RelayPost.confirmed_at).is_(None))
            .where(col(RelayPost.reminded_at).is_(None))
            .where(col(RelayPost.created_at) <= asked_before)
            .order_by(col(RelayPost.id))
        )
        return list((await self._s.exec(query)).all())

    async def mark_reminded(self, relay_id: int, now: datetime) -> None:
        await self._s.exec(
            update(RelayPost)
            .where(col(RelayPost.id) == relay_id, col(RelayPost.commune_id) == self._c)
            .values(reminded_at=now)
        )

    async def recent(self, limit: int = 20) -> list[RelayPost]:
        query = (
            select(RelayPost)
            .where(RelayPost.commune_id == self._c)
            .order_by(col(RelayPost.id).desc())
            .limit(limit)
        )
        return list((await self._s.exec(query)).all())
