"""The store: engine, migrations and units of work for one database."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import make_engine, make_sessionmaker, make_sync_engine
from storage.migrate import upgrade
from storage.models import UTCDateTime
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class Health:
    """Whether the database answers and takes writes; `error` says why not, in a line."""

    reachable: bool
    writable: bool
    error: str = ""


_HEARTBEAT = sa.table("heartbeat", sa.column("id", sa.Integer), sa.column("at", UTCDateTime()))


class Store:
    """Owns the engine; create once in the composition root, `close()` on shutdown."""

    def __init__(
        self, database_url: str, commune_id: int | None = None, commune_slug: str | None = None
    ) -> None:
        self.database_url = database_url
        # which commune units of work serve: by id, else by the data file's id, else the only one
        self.commune_id = commune_id
        self.commune_slug = commune_slug or None
        self.engine: AsyncEngine = make_engine(database_url)
        self._sessions = make_sessionmaker(self.engine)
        self._probe: Engine | None = None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def migrate(self) -> None:
        """Apply pending Alembic migrations."""
        await upgrade(self.engine)

    def uow(self, commune_id: int | None = None) -> UnitOfWork:
        """A new unit of work of a commune (this store's by default; use as an async context manager)."""
        if commune_id is not None:
            return UnitOfWork(self._sessions, commune_id)
        return UnitOfWork(self._sessions, self.commune_id, self.commune_slug)

    @property
    def probe_engine(self) -> Engine:
        """A blocking engine of its own for health checks: they never queue behind the app's pool
        (SQLite has one connection, held by a resident's question while it is searched)."""
        if self._probe is None:
            self._probe = make_sync_engine(self.database_url)
        return self._probe

    async def health(self, now: datetime) -> Health:
        """Read, then rewrite the heartbeat row and commit: a full disk or a read-only file shows here."""
        return await asyncio.to_thread(self._health, now)

    def _health(self, now: datetime) -> Health:
        try:
            with self.probe_engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
        except (SQLAlchemyError, OSError) as exc:
            return Health(False, False, _first_line(exc))
        try:
            with self.probe_engine.begin() as conn:
                done = conn.execute(_HEARTBEAT.update().where(_HEARTBEAT.c.id == 1).values(at=now))
                if not done.rowcount:
                    conn.execute(_HEARTBEAT.insert().values(id=1, at=now))
        except (SQLAlchemyError, OSError) as exc:
            return Health(True, False, _first_line(exc))
        return Health(True, True)

    async def close(self) -> None:
        await self.engine.dispose()
        if self._probe is not None:
            self._probe.dispose()


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.splitlines()[0][:200] if text else type(exc).__name__


def stored_timezone(
    database_url: str, commune_id: int | None = None, commune_slug: str | None = None
) -> str | None:
    """The commune's own time zone from its data file, or None (no database or no such commune yet).

    The commune by id, else by its data file's id, else the only one (None when there are several).
    Read once at start-up, before the event loop has other work; it wins over the TIMEZONE setting.
    """
    # the slug column is read only when asked for: a database not yet migrated (0013) has none
    slug = "slug" if commune_slug else "NULL"
    query = f"SELECT id, {slug}, timezone FROM commune"
    engine = make_sync_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(query + " ORDER BY id")).all()
    except SQLAlchemyError:
        return None
    finally:
        engine.dispose()
    if commune_id is not None:
        rows = [r for r in rows if r[0] == commune_id]
    elif commune_slug:
        rows = [r for r in rows if r[1] == commune_slug]
    chosen = [tz for _, _, tz in rows]
    return str(chosen[0]) if len(chosen) == 1 and chosen[0] else None
