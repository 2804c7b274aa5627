"""Shared fixtures: a real database per test (SQLite always, PostgreSQL when available)."""

from __future__ import annotations

import asyncio
import getpass
import inspect
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Generator, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine

os.environ.setdefault("PTB_TIMEDELTA", "true")
# the semantic signal computes passage vectors in the background: tests that want it say so
os.environ.setdefault("SEMANTIC_SEARCH", "false")
# Where PYTHONDONTWRITEBYTECODE is set, every session would compile the bot's modules and rewrite
# the test modules' asserts again (about 3 s of a unit run): this process keeps their bytecode in a
# folder of its own outside the worktree instead (Python checks each file against its source).
if sys.dont_write_bytecode and not sys.pycache_prefix:
    sys.pycache_prefix = str(Path(tempfile.gettempdir()) / f"commune-bot-pycache-{getpass.getuser()}")
    sys.dont_write_bytecode = False

import numpy as np
import numpy.typing as npt

from domain.reach import Reach
from qa.semantic import Embedder, Vector
from storage.store import Store
from tests.databases import FreshDatabase, Templates


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Generator[None, Any, Any]:
    """Close the event loop looptime's plugin makes the policy create around a synchronous test.

    The plugin asks for the current loop around every test; for a synchronous one the policy then
    creates a loop nobody closes, and when the garbage collector finds it during a later test, that
    test fails on a ResourceWarning (running one pure test file before an async one showed it).
    """
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        return (yield)
    local = getattr(asyncio.get_event_loop_policy(), "_local", None)
    before = getattr(local, "_loop", None)
    try:
        return (yield)
    finally:
        made = getattr(local, "_loop", None)
        if made is not None and made is not before and not made.is_running():
            made.close()
            asyncio.set_event_loop(before)


FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini-commune.yaml"
NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam


def running_clock(start: datetime = NOW) -> Callable[[], datetime]:
    """Aware UTC time that starts at ``start`` and runs on at the real pace (monotonic).

    For an App whose back-offs and rate windows must elapse on their own, while its answers stay
    those of the fixture's dates whatever day the suite runs on. Reminders never fire on it: the
    scheduler's jobs run on the real clock and each checks the App's clock again."""
    origin = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - origin)


REACH = Reach(active=("telegram",), group_posting=frozenset({"telegram"}))  # the fixtures' groups
TRAVEL = pytest.StashKey["time_machine.travel"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--today",
        metavar="ISO",
        help="run as if the wall clock had started at this time (e.g. 2027-02-10T09:00+00:00; it ticks "
        "on): the suite must pass on any date. Subprocesses keep the real clock (faketime for those).",
    )


def pytest_configure(config: pytest.Config) -> None:
    today = config.getoption("--today", default=None)
    if today:
        travel = time_machine.travel(datetime.fromisoformat(today), tick=True)
        travel.start()
        config.stash[TRAVEL] = travel


def pytest_unconfigure(config: pytest.Config) -> None:
    travel = config.stash.get(TRAVEL, None)
    if travel is not None:
        travel.stop()


class RememberingEmbedder(Embedder):
    """The real e5 model, each distinct text embedded once per test run: the tests import the same
    fixture files again and again, and each passage costs the model about 0.1 s."""

    def __init__(self) -> None:
        super().__init__()
        self._queries: dict[str, Vector] = {}
        self._passages: dict[str, npt.NDArray[np.float32]] = {}

    def embed_query(self, text: str) -> Vector:
        if text not in self._queries:
            self._queries[text] = super().embed_query(text)
        return self._queries[text]

    def embed_passages(
        self, texts: Sequence[str], progress: Callable[[int, int], None] | None = None
    ) -> npt.NDArray[np.float32]:
        new = [t for t in dict.fromkeys(texts) if t not in self._passages]
        if new:
            self._passages.update(zip(new, super().embed_passages(new), strict=True))
        if progress is not None:
            progress(len(texts), len(texts))
        return np.array([self._passages[t] for t in texts], dtype=np.float32).reshape(len(texts), -1)


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The model, loaded once for the whole run (tests that need it skip where it is not installed)."""
    return RememberingEmbedder()


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


@pytest.fixture(scope="session")
def templates(postgres_database: str | None) -> Iterator[Templates]:
    """This session's migrated templates (SQLite: kept between sessions; see tests/databases.py)."""
    made = Templates(_postgres_admin_url() if postgres_database else None)
    yield made
    made.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_database(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_database: str | None, templates: Templates
) -> FreshDatabase:
    """This test's database of each kind (tests using it run once per kind), not prepared yet."""
    if request.param == "sqlite":
        return FreshDatabase("sqlite", f"sqlite:///{tmp_path / 'commune.db'}", templates)
    if postgres_database is None:
        pytest.skip("PostgreSQL not available (set TEST_POSTGRES_URL)")
    return FreshDatabase("postgres", postgres_database, templates)


@pytest.fixture
def database_url(fresh_database: FreshDatabase) -> str:
    """An empty database of each kind; tests using it run once per kind.

    With ``store`` or ``migrated_database_url`` in the same test it is that migrated database.
    tests/e2e overrides it: the apps there start on a migrated database.
    """
    return fresh_database.plain()


@pytest.fixture
async def migrated_database_url(fresh_database: FreshDatabase) -> str:
    """A database of each kind at the newest migration, no rows: a copy of a migrated template."""
    return await fresh_database.migrated()


@pytest.fixture
async def migrated_sqlite(tmp_path: Path, templates: Templates) -> Path:
    """``tmp_path / "commune.db"``: a migrated SQLite file, for tests of one SQLite database."""
    path = tmp_path / "commune.db"
    shutil.copyfile(await templates.sqlite_file(), path)
    return path


@pytest.fixture
async def store(migrated_database_url: str) -> AsyncIterator[Store]:
    """A migrated store on a fresh database (its schema copied from a migrated template)."""
    st = Store(migrated_database_url)
    yield st
    await st.close()
