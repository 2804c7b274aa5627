"""Apply Alembic migrations programmatically (run by `run`, `import` and the tests)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    """An Alembic config pointing at our migrations folder (no alembic.ini needed)."""
    from alembic.config import Config  # imported when needed: a restart is that much quicker

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str | None:
    """The latest migration, read from the files' own lines without Alembic (which takes a restart
    a second or more to load); None unless exactly one revision is revised by none (one head)."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        if found := re.search(r'^revision(?:: str)? = "([^"]+)"$', text, re.MULTILINE):
            revisions.add(found[1])
        if found := re.search(r'^down_revision(?:: [^=]+)? = "([^"]+)"$', text, re.MULTILINE):
            revised.add(found[1])
    heads = revisions - revised
    return heads.pop() if len(heads) == 1 else None


async def _at_head(engine: AsyncEngine) -> bool:
    head = head_revision()
    if head is None:
        return False
    try:
        async with engine.connect() as conn:
            versions = (await conn.execute(sa.text("SELECT version_num FROM alembic_version"))).all()
    except sa.exc.DBAPIError:  # no table yet: a new database
        return False
    return [row[0] for row in versions] == [head]


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the database schema to `revision` on the given engine (at once when it is there)."""
    if revision == "head" and await _at_head(engine):
        return
    await _migrate(engine, revision, down=False)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Take the database schema back to `revision` (each later migration's downgrade, newest first)."""
    await _migrate(engine, revision, down=True)


async def _migrate(engine: AsyncEngine, revision: str, *, down: bool) -> None:
    cfg = alembic_config()

    def _run(connection: object) -> None:
        from alembic import command

        cfg.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(cfg, revision)

    async with engine.connect() as conn:
        # SQLite: a migration that rebuilds a table others refer to (petition: 0014, 0020) drops it, which
        # foreign keys would refuse; they are off while migrating (a pragma outside the transaction)
        # and checked at the end instead.
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            await conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            await conn.commit()
        try:
            await conn.run_sync(_run)
            if sqlite:
                broken = (await conn.exec_driver_sql("PRAGMA foreign_key_check")).all()
                if broken:
                    raise RuntimeError(f"migration left rows without their parent: {broken[:5]}")
            await conn.commit()
        finally:
            if sqlite:
                await conn.rollback()
                await conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                await conn.commit()
