"""Two communes in one database from the command line: each file names its commune, and a process
serves the commune its COMMUNE_ID setting names (a one-commune deployment sets nothing: test_cli.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.importer import import_data, load_file
from storage.store import Store
from storage.uow import NO_COMMUNE
from tests.conftest import FIXTURES, MINI, NOW
from tests.e2e.test_cli import bot_cli

pytestmark = pytest.mark.e2e

SECOND = FIXTURES / "second-commune.yaml"
QUESTION = "dự toán ngân sách năm 2026"


async def import_both(store: Store) -> None:
    tan_lap = load_file(MINI)
    tan_lap["commune"]["id"] = "tan-lap"
    for data in (tan_lap, load_file(SECOND)):
        async with store.uow(NO_COMMUNE) as uow:
            await import_data(uow, data, NOW)


async def test_each_commune_answers_from_its_own_data(
    tmp_path: Path, database_url: str, store: Store
) -> None:
    await import_both(store)
    env = {"DATABASE_URL": database_url, "SEMANTIC_SEARCH": "false"}  # lexical answers are enough here
    here = await bot_cli(tmp_path, "ask", QUESTION, COMMUNE_ID="tan-lap", **env)
    assert here.code == 0, here.err
    assert "ngân sách xã Tân Lập" in here.out and "Đông Tiến" not in here.out
    there = await bot_cli(tmp_path, "ask", QUESTION, COMMUNE_ID="dong-tien", **env)
    assert there.code == 0, there.err
    assert "ngân sách xã Đông Tiến" in there.out and "Tân Lập" not in there.out


async def test_with_two_communes_a_process_must_name_an_existing_one(
    tmp_path: Path, database_url: str, store: Store
) -> None:
    await import_both(store)
    env = {"DATABASE_URL": database_url, "SEMANTIC_SEARCH": "false"}
    unnamed = await bot_cli(tmp_path, "ask", QUESTION, **env)
    assert unnamed.code == 1 and "COMMUNE_ID" in unnamed.err and "Traceback" not in unnamed.err
    unknown = await bot_cli(tmp_path, "ask", QUESTION, COMMUNE_ID="hoa-phu", **env)
    assert unknown.code == 1 and "hoa-phu" in unknown.err and "Traceback" not in unknown.err


async def test_importing_a_second_file_adds_a_second_commune(
    tmp_path: Path, database_url: str, store: Store
) -> None:
    env = {"DATABASE_URL": database_url, "SEMANTIC_SEARCH": "false"}
    for path in (MINI, SECOND):
        imported = await bot_cli(tmp_path, "import", str(path), **env)
        assert imported.code == 0, imported.err
    async with store.uow(1) as uow:
        first = await uow.commune.get()
        assert first is not None and first.name == "Xã Tân Lập" and len(await uow.disclosures.all()) == 4
    async with store.uow(2) as uow:
        second = await uow.commune.get()
        assert second is not None and second.slug == "dong-tien" and len(await uow.disclosures.all()) == 2


@pytest.mark.timeout(180)  # two imports with the model loaded
async def test_a_second_communes_import_computes_its_passage_vectors(
    tmp_path: Path, database_url: str, store: Store
) -> None:
    """With the semantic signal on, importing into a database that already holds a commune embeds
    the new commune's passages (it does not stop on "several communes": the file names its own)."""
    from qa.semantic import available

    if not available():
        pytest.skip("the semantic extra is not installed")
    for path in (MINI, SECOND):
        imported = await bot_cli(tmp_path, "import", str(path), DATABASE_URL=database_url)
        assert imported.code == 0, imported.err
        assert "Đã nhập xong" in imported.out
    async with store.uow(2) as uow:
        from qa.entries import load_entries
        from qa.vectors import missing

        assert await missing(uow, await load_entries(uow)) == {}


@pytest.mark.timeout(180)  # two commands, each a Python start-up
async def test_the_operator_lists_the_communes_and_what_their_bots_need(
    tmp_path: Path, database_url: str, store: Store
) -> None:
    """`python -m bot communes`: every commune with its OA token's state; the process's own
    commune also says which bots its settings turn on."""
    await import_both(store)
    env = {"DATABASE_URL": database_url}
    oa = await bot_cli(
        tmp_path, "zalo-oa-token", "--access", "a", "--refresh", "r", COMMUNE_ID="tan-lap", **env
    )
    assert oa.code == 0, oa.err  # Tân Lập's Official Account; Đông Tiến's has none yet
    listed = await bot_cli(tmp_path, "communes", COMMUNE_ID="dong-tien", TELEGRAM_BOT_TOKEN="1:abc", **env)
    assert listed.code == 0, listed.err
    lines = listed.out.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("tan-lap\tXã Tân Lập\tOA: token dùng được đến")
    assert "tiến trình này" not in lines[0]
    assert lines[1].startswith("dong-tien\tXã Đông Tiến\tOA: chưa có token")
    assert "bot bật theo cấu hình này: Telegram (xã của tiến trình này)" in lines[1]
