"""Engine creation: SQLite (WAL, busy timeout) by default, PostgreSQL when the URL says so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool
from sqlmodel.ext.asyncio.session import AsyncSession

SQLITE_BUSY_TIMEOUT_MS = 10_000


def async_url(database_url: str) -> URL:
    """Map the settings URL to the async driver SQLAlchemy should use."""
    url = make_url(database_url.replace("postgres://", "postgresql://", 1))
    if url.drivername in ("sqlite", "sqlite+pysqlite"):
        return url.set(drivername="sqlite+aiosqlite")
    if url.drivername in ("postgresql", "postgresql+psycopg2", "postgresql+asyncpg"):
        return url.set(drivername="postgresql+psycopg")
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def transient(exc: BaseException) -> bool:
    """Whether a database error may pass when tried again: the connection was lost, the server is
    restarting or unreachable, the SQLite file is locked or its disk full (room may come back).
    Not a bug (SQLite reports bad SQL as an OperationalError too) nor a constraint refused."""
    if not isinstance(exc, DBAPIError):
        return isinstance(exc, ConnectionError)
    if exc.connection_invalidated or isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    if type(exc.orig).__module__.startswith("sqlite3"):
        return any(word in str(exc.orig) for word in _SQLITE_TRANSIENT)
    return True  # PostgreSQL: connection-level failures (SQLSTATE 08, 57P), resources (53)


_SQLITE_TRANSIENT = (
    "database is locked",
    "database or disk is full",
    "disk I/O error",
    "unable to open database",
)


def make_engine(database_url: str) -> AsyncEngine:
    """Create the async engine; SQLite files get their folder and pragmas."""
    url = async_url(database_url)
    kwargs: dict[str, Any] = {}
    if url.drivername.startswith("sqlite"):
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        # SQLite has one writer at a time: one connection per process makes transactions queue
        # in the pool (cheap, fair) instead of spinning in SQLite's busy handler; other processes
        # (an import while the bot runs) still wait on busy_timeout.
        kwargs.update(poolclass=AsyncAdaptedQueuePool, pool_size=1, max_overflow=0, pool_timeout=60)
    else:
        kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
    engine = create_async_engine(url, **kwargs)
    if url.drivername.startswith("sqlite"):
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def make_sync_engine(database_url: str) -> Engine:
    """A blocking engine on the same database, for libraries that are not async (the job store).

    Use it off the event loop: with SQLite, a blocking write that waits for the lock an async
    transaction of the same process holds would otherwise stall the loop that has to release it.
    """
    url = async_url(database_url)
    if url.drivername.startswith("sqlite"):
        engine = create_engine(
            url.set(drivername="sqlite+pysqlite"),
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_size=2, max_overflow=2, pool_pre_ping=True)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
