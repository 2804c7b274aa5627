"""Column helpers shared by the tables: UTC datetimes, JSON lists, and the commune a row belongs to."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes stored the same way on SQLite and PostgreSQL (naive UTC)."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def json_list(**kw: Any) -> Any:
    return Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False), **kw)


def ts(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=sa.Column(UTCDateTime(), nullable=nullable, index=index))


def commune_ref() -> Any:
    """`commune_id` of a row that belongs to a commune: stamped by its repository, never left empty
    (no default: a write that forgot it fails on NOT NULL instead of landing in another commune)."""
    return Field(default=None, nullable=False, index=True)


def commune_key() -> Any:
    """`commune_id` as the first part of a primary key (ids in a data file are unique per commune)."""
    return Field(default=None, primary_key=True)
