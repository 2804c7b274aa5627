"""The officials' console's login codes and sessions, of one commune (secrets kept only as hashes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ConsoleLoginCode, ConsoleSession
from storage.repositories.console_queue import QueueReads


class ConsoleRepo(QueueReads):
    """Login codes and sessions here; the petition queue's reads in console_queue.py."""

    def __init__(self, session: AsyncSession, commune_id: int) -> None:
        self._s = session
        self._c = commune_id

    async def add_code(
        self, official_id: str, code_hash: str, channel: str, now: datetime, expires_at: datetime
    ) -> None:
        """A new code for the official; the ones sent before it no longer count."""
        await self._s.exec(
            delete(ConsoleLoginCode)
            .where(col(ConsoleLoginCode.commune_id) == self._c)
            .where(col(ConsoleLoginCode.official_id) == official_id)
            .where(col(ConsoleLoginCode.used_at).is_(None))
        )
        self._s.add(
            ConsoleLoginCode(
                commune_id=self._c,
                official_id=official_id,
                code_hash=code_hash,
                channel=channel,
                created_at=now,
                expires_at=expires_at,
            )
        )

    async def codes_since(self, official_id: str, since: datetime) -> int:
        """How many codes the official was sent since then (a flood of requests sends no more)."""
        query = (
            select(func.count())
            .select_from(ConsoleLoginCode)
            .where(col(ConsoleLoginCode.commune_id) == self._c)
            .where(col(ConsoleLoginCode.official_id) == official_id)
            .where(col(ConsoleLoginCode.created_at) >= since)
        )
        return int((await self._s.exec(query)).one())

    async def live_code(self, official_id: str, now: datetime) -> ConsoleLoginCode | None:
        """The official's newest code still usable: not used, not expired (locked ones are returned)."""
        query = (
            select(ConsoleLoginCode)
            .where(col(ConsoleLoginCode.commune_id) == self._c)
            .where(col(ConsoleLoginCode.official_id) == official_id)
            .where(col(ConsoleLoginCode.used_at).is_(None))
            .where(col(ConsoleLoginCode.expires_at) > now)
            .order_by(col(ConsoleLoginCode.id).desc())
            .limit(1)
        )
        return (await self._s.exec(query)).first()

    async def add_session(
        self, token_hash: str, official_id: str, now: datetime, expires_at: datetime
    ) -> None:
        self._s.add(
            ConsoleSession(
                token_hash=token_hash,
                commune_id=self._c,
                official_id=official_id,
                created_at=now,
                expires_at=expires_at,
            )
        )

    async def session(self, token_hash: str, now: datetime) -> ConsoleSession | None:
        """The signed-in session behind a cookie's token, unless it expired."""
        found = await self._s.get(ConsoleSession, token_hash)
        if (
            found is None
            or found.commune_id != self._c
            or found.expires_at is None
            or found.expires_at <= now
        ):
            return None
        return found

    async def end_session(self, token_hash: str) -> None:
        await self._s.exec(
            delete(ConsoleSession)
            .where(col(ConsoleSession.commune_id) == self._c)
            .where(col(ConsoleSession.token_hash) == token_hash)
        )

    async def prune(self, now: datetime) -> None:
        """Forget expired codes and sessions."""
        await self._s.exec(
            delete(ConsoleLoginCode)
            .where(col(ConsoleLoginCode.commune_id) == self._c)
            .where(col(ConsoleLoginCode.expires_at) <= now)
        )
        await self._s.exec(
            delete(ConsoleSession)
            .where(col(ConsoleSession.commune_id) == self._c)
            .where(col(ConsoleSession.expires_at) <= now)
        )
