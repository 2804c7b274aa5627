"""Fresh databases for tests, migrated ones copied from a template instead of migrated each time.

Running the migrations takes seconds (0014 rebuilds fifteen tables); copying a migrated SQLite file
takes a millisecond and ``CREATE DATABASE ... TEMPLATE`` a fraction of a second. The template is
made by :meth:`Store.migrate`, the same code the bot runs at start-up, so a copy is exactly what a
migrated database is. ``tests/unit/test_migrations.py`` still runs the migrations themselves.

The SQLite template is kept between test sessions under the system's temporary folder, named by a
hash of everything that decides what the migrations build (the migrations, the models and column
types they import, the engine set-up, the library versions): changing any of them migrates again.
The PostgreSQL template lives for one session and is dropped at its end.
"""

from __future__ import annotations

import getpass
import hashlib
import importlib.metadata
import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Literal

import sqlalchemy as sa

from storage.migrate import upgrade
from storage.store import Store

ROOT = Path(__file__).resolve().parents[1]
# what the migrated schema depends on
SCHEMA_SOURCES = ("storage/migrations", "storage/models", "storage/migrate.py", "storage/db.py")
SCHEMA_LIBRARIES = ("sqlalchemy", "alembic", "sqlmodel")

Kind = Literal["sqlite", "postgres"]


def schema_hash() -> str:
    """A digest of the migration code and what it imports; it changes when the schema may."""
    digest = hashlib.sha256()
    for source in SCHEMA_SOURCES:
        path = ROOT / source
        files = (
            sorted(p for p in path.rglob("*") if p.suffix in (".py", ".mako")) if path.is_dir() else [path]
        )
        for file in files:
            digest.update(file.relative_to(ROOT).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    for library in SCHEMA_LIBRARIES:
        digest.update(f"{library}=={importlib.metadata.version(library)}\0".encode())
    digest.update(f"sqlite {sqlite3.sqlite_version}".encode())
    return digest.hexdigest()[:16]


class Templates:
    """The migrated templates of one test session, each made the first time a test needs it."""

    def __init__(self, postgres_admin_url: str | None, cache_dir: Path | None = None) -> None:
        self.hash = schema_hash()
        self.cache_dir = cache_dir or Path(tempfile.gettempdir()) / f"commune-bot-schema-{getpass.getuser()}"
        self.postgres_admin_url = postgres_admin_url
        self._postgres: str | None = None

    async def sqlite_file(self) -> Path:
        """The migrated SQLite file for this schema hash, migrated now if no session made it yet."""
        template = self.cache_dir / f"{self.hash}.db"
        if template.exists():
            return template
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.cache_dir) as work:
            built = Path(work) / "migrated.db"
            store = Store(f"sqlite:///{built}")
            try:
                await store.migrate()
            finally:
                await store.close()
            partial = Path(work) / "copy.db"
            source, target = sqlite3.connect(built), sqlite3.connect(partial)
            try:
                source.backup(target)  # one consistent file, whatever the journal left beside it
            finally:
                source.close()
                target.close()
            os.replace(partial, template)  # atomic: a session running beside this one copies all or nothing
        return template

    async def postgres_name(self) -> str:
        """The name of this session's migrated PostgreSQL template database."""
        if self._postgres is None:
            import psycopg

            assert self.postgres_admin_url is not None
            name = f"commune_template_{self.hash[:8]}_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(self.postgres_admin_url, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            self._postgres = name  # dropped by close() even if migrating fails
            store = Store(f"{self.postgres_admin_url.rpartition('/')[0]}/{name}")
            try:
                await store.migrate()
            finally:
                await store.close()  # a template takes no copies while anyone is connected to it
        return self._postgres

    def close(self) -> None:
        if self._postgres is not None and self.postgres_admin_url is not None:
            import psycopg

            with psycopg.connect(self.postgres_admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self._postgres}" WITH (FORCE)')
            self._postgres = None


class FreshDatabase:
    """One test's database: empty (``plain``) or migrated (``migrated``), the same URL either way.

    A test asking for both (``database_url`` and ``store``) gets one migrated database: once
    migrated, ``plain`` leaves it so.
    """

    def __init__(self, kind: Kind, url: str, templates: Templates) -> None:
        self.kind = kind
        self.url = url
        self.templates = templates
        self.state: Literal["new", "plain", "migrated"] = "new"

    def plain(self) -> str:
        """The URL of an empty database (or of the migrated one, when this test asked for that too)."""
        if self.state == "new" and self.kind == "postgres":
            import psycopg

            with psycopg.connect(self.url, autocommit=True) as conn:
                conn.execute("DROP SCHEMA public CASCADE")
                conn.execute("CREATE SCHEMA public")
        if self.state == "new":
            self.state = "plain"
        return self.url

    async def migrated(self) -> str:
        """The URL of a database at the newest migration, with no rows yet."""
        if self.state == "migrated":
            return self.url
        if self.kind == "sqlite":
            path = Path(self.url.removeprefix("sqlite:///"))
            path.parent.mkdir(parents=True, exist_ok=True)
            for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                leftover.unlink(missing_ok=True)
            shutil.copyfile(await self.templates.sqlite_file(), path)
        else:
            import psycopg

            name = self.url.rpartition("/")[2]
            template = await self.templates.postgres_name()
            assert self.templates.postgres_admin_url is not None
            with psycopg.connect(self.templates.postgres_admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        self.state = "migrated"
        return self.url


@asynccontextmanager
async def store_at(url: str, revision: str, *rows: str | sa.TextClause) -> AsyncIterator[Store]:
    """A store on `url` migrated only as far as `revision`, holding `rows` (inserts written for that
    schema): what a later version finds in an older database. Closed on leaving."""
    store = Store(url)
    try:
        await upgrade(store.engine, revision)
        async with store.engine.begin() as conn:
            for row in rows:
                await conn.execute(sa.text(row) if isinstance(row, str) else row)
        yield store
    finally:
        await store.close()
