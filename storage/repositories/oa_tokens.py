"""A commune's Zalo OA token row, read under a lock, and the last message a resident sent the OA."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import InboundUpdate, OaToken


class OaTokenRepo:
    """The commune's row: its OA's access token, the rotating refresh token and when the access
    token expires (each commune has its own Official Account, app and tokens)."""

    def __init__(self, session: AsyncSession, commune_id: int) -> None:
        self._s = session
        self._c = commune_id

    async def get(self) -> OaToken | None:
        return await self._s.get(OaToken, self._c, populate_existing=True)

    async def locked(self) -> OaToken | None:
        """The row, locked until this transaction ends, read after the lock was taken.

        PostgreSQL: `SELECT ... FOR UPDATE` (another process refreshing waits, then sees the
        rotated pair). SQLite: a no-op write takes the database's write lock first.
        """
        if self._s.get_bind().dialect.name == "postgresql":
            query = select(OaToken).where(OaToken.commune_id == self._c).with_for_update()
            return (await self._s.exec(query.execution_options(populate_existing=True))).first()
        lock = text("UPDATE oa_token SET commune_id = commune_id WHERE commune_id = :c").bindparams(c=self._c)
        await self._s.exec(lock)  # type: ignore[call-overload]
        return await self.get()

    async def put(self, access: str, refresh: str, expires_at: datetime, now: datetime) -> None:
        """Set the pair (from the command line or after a refresh); a dead token is alive again."""
        row = await self.get()
        if row is None:
            row = OaToken(commune_id=self._c, access_token=access, refresh_token=refresh)
        row.access_token, row.refresh_token = access, refresh
        row.expires_at, row.updated_at, row.dead = expires_at, now, None
        self._s.add(row)

    async def mark_dead(self, reason: str, now: datetime) -> None:
        row = await self.get()
        if row is not None:
            row.dead, row.updated_at = reason[:500], now
            self._s.add(row)

    async def last_inbound(self, channel: str, sender: str) -> dict[str, Any] | None:
        """The payload of the latest update a person sent on a channel (its msg_id and timestamp)."""
        query = (
            select(InboundUpdate.payload)
            .where(InboundUpdate.commune_id == self._c)
            .where(InboundUpdate.channel == channel, InboundUpdate.sender == sender)
            .order_by(col(InboundUpdate.id).desc())
            .limit(1)
        )
        found = (await self._s.exec(query)).first()
        return found if isinstance(found, dict) else None
