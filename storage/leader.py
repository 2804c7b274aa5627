"""One scheduler per commune: whoever holds a PostgreSQL advisory lock runs the commune's timed jobs.

SQLite serves one process, which always leads. On PostgreSQL the lock lives on a dedicated
connection, so it is released when the process dies and another process takes over.
"""

from __future__ import annotations

import contextlib
import logging
import zlib

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

LOCK_KEY = 0x436F6D6D  # "Comm": any constant shared by every process of a deployment


class Leadership:
    """`await leadership.held()` says whether this process runs the scheduled jobs now."""

    def __init__(self, engine: AsyncEngine, scope: str = "") -> None:
        """`scope`: the commune a process serves (its data file's id); "" for a one-commune deployment."""
        self._engine = engine
        self._key = LOCK_KEY if not scope else zlib.crc32(f"scheduler/{scope}".encode()) & 0x7FFFFFFF
        self._conn: AsyncConnection | None = None

    async def held(self) -> bool:
        if self._engine.dialect.name != "postgresql":
            return True
        if self._conn is not None and not self._conn.closed:
            try:  # the lock lives as long as its connection: a server restart ends both
                await self._conn.scalar(text("SELECT 1"))
                return True
            except SQLAlchemyError:
                log.warning("the connection holding the scheduler's lock was lost; taking it again")
                with contextlib.suppress(SQLAlchemyError):
                    await self._conn.invalidate()
                self._conn = None
        conn = await self._engine.connect()
        got = bool(await conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}))
        await conn.commit()
        if got:
            self._conn = conn
            log.info("this process now runs the scheduled jobs")
        else:
            await conn.close()
        return got

    async def release(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:  # the connection goes back to a pool, not away: unlock explicitly
                await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
                await conn.commit()
                await conn.close()
            except SQLAlchemyError as exc:  # lost with its connection (a restart): nothing to release
                log.warning("releasing the scheduler's lock failed (%s)", exc)
                with contextlib.suppress(SQLAlchemyError):
                    await conn.invalidate()
