"""Mistakes an IT officer can fix are one clear line and a non-zero exit, never a traceback.

Run through the real CLI: port already taken, database unreachable or read-only, a data file
that is not UTF-8; and `run` warns when a messenger is on but no commune was imported.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from storage.store import Store
from tests.conftest import MINI
from tests.e2e.conftest import AppFactory, free_port
from tests.e2e.test_cli import Result, bot_cli

pytestmark = pytest.mark.e2e


def one_clear_line(result: Result) -> str:
    assert result.code != 0
    assert "Traceback" not in result.err, result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    return lines[0]


async def test_a_port_in_use_is_named_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = await bot_cli(
            tmp_path,
            "run",
            DATABASE_URL=f"sqlite:///{tmp_path}/c.db",
            WEB_PORT=str(port),
            TELEGRAM_BOT_TOKEN="",
        )
    line = one_clear_line(result)
    assert str(port) in line and "WEB_PORT" in line


@pytest.mark.parametrize("verb", [["run"], ["import", str(MINI)]])
async def test_an_unreachable_database_is_named_without_its_password(tmp_path: Path, verb: list[str]) -> None:
    url = f"postgresql://commune:hunter2@127.0.0.1:{free_port()}/commune"
    line = one_clear_line(await bot_cli(tmp_path, *verb, DATABASE_URL=url))
    assert "DATABASE_URL=postgresql://commune:***@127.0.0.1" in line
    assert "hunter2" not in line


@contextmanager
def read_only(database_url: str, tmp_path: Path) -> Iterator[str]:
    """The same database, now refusing writes (a file opened read-only; a read-only PostgreSQL)."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///file:{tmp_path / 'commune.db'}?mode=ro&uri=true"
        return
    import psycopg

    name = database_url.rpartition("/")[2]
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    try:
        yield database_url
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("SET default_transaction_read_only = off")
            conn.execute(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')


async def test_a_read_only_database_stops_run_and_import_in_one_line(
    tmp_path: Path, database_url: str, store: Store
) -> None:
    await store.close()  # migrated, no commune yet: the import has something to write
    with read_only(database_url, tmp_path) as url:
        for verb in (["run"], ["import", str(MINI)]):
            line = one_clear_line(await bot_cli(tmp_path, *verb, DATABASE_URL=url))
            assert "chỉ đọc" in line and "DATABASE_URL=" in line


async def test_a_data_file_not_in_utf8_says_so_in_one_line(tmp_path: Path) -> None:
    saved_by_notepad = tmp_path / "xa.yaml"
    saved_by_notepad.write_bytes(MINI.read_text(encoding="utf-8").encode("utf-16"))
    line = one_clear_line(
        await bot_cli(tmp_path, "import", str(saved_by_notepad), DATABASE_URL=f"sqlite:///{tmp_path}/c.db")
    )
    assert "xa.yaml" in line and "UTF-8" in line


async def test_run_with_a_token_and_no_commune_says_to_import_the_data_file(
    start_app: AppFactory, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.app"):
        await start_app("polling", data=None)
    assert any("python -m bot import FILE" in r.getMessage() for r in caplog.records)
