"""The store: engine, migrations and units of work for one database."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import make_engine, make_sessionmaker
from storage.migrate import upgrade
from storage.uow import UnitOfWork


class Store:
    """Owns the engine; create once in the composition root, `close()` on shutdown."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.engine: AsyncEngine = make_engine(database_url)
        self._sessions = make_sessionmaker(self.engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def migrate(self) -> None:
        """Apply pending Alembic migrations."""
        await upgrade(self.engine)

    def uow(self) -> UnitOfWork:
        """A new unit of work (use as an async context manager)."""
        return UnitOfWork(self._sessions)

    async def close(self) -> None:
        await self.engine.dispose()
