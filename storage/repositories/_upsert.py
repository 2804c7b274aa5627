"""Dialect-aware INSERT ... ON CONFLICT DO NOTHING (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession


def insert_ignore(session: AsyncSession, table: Any) -> Any:
    """An insert statement that skips rows violating a unique constraint."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()
