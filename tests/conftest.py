"""Shared fixtures: a real database per test (SQLite always, PostgreSQL when available)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

os.environ.setdefault("PTB_TIMEDELTA", "true")
# the semantic signal computes passage vectors in the background: tests that want it say so
os.environ.setdefault("SEMANTIC_SEARCH", "false")

from domain.reach import Reach
from storage.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini-commune.yaml"
NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam
REACH = Reach(active=("telegram",), group_posting=frozenset({"telegram"}))  # the fixtures' groups


def _postgres_admin_url() -> str | None:
    return os.environ.get("TEST_POSTGRES_URL") or None


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str | None]:
    """A scratch PostgreSQL database for this test session, or None when PostgreSQL is absent."""
    admin = _postgres_admin_url()
    if admin is None:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("REQUIRE_POSTGRES=1: the suite must run on PostgreSQL too; set TEST_POSTGRES_URL")
        yield None
        return
    import psycopg

    name = f"commune_test_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = admin.rpartition("/")
    yield f"{base}/{name}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _reset_postgres(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, postgres_database: str | None) -> str:
    """An empty database of each kind; tests using it run once per kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'commune.db'}"
    if postgres_database is None:
        pytest.skip("PostgreSQL not available (set TEST_POSTGRES_URL)")
    _reset_postgres(postgres_database)
    return postgres_database


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    """A migrated store on a fresh database."""
    st = Store(database_url)
    await st.migrate()
    yield st
    await st.close()
