"""`python -m bot backup FILE` and `restore FILE` through the real CLI, on SQLite and PostgreSQL.

A backup restores into a fresh database with every petition, its filer, photos and history; it is
encrypted (the denouncer's name is not in the file) and a wrong or missing key restores nothing.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import SQLModel, select

from bot.backup import backup, new_key, restore
from storage.models import Petition, PetitionEvent, PetitionParty
from storage.store import Store
from tests.conftest import NOW
from tests.e2e.test_cli import bot_cli, import_mini

pytestmark = pytest.mark.e2e

DENOUNCER = "Phạm Thị Tố Cáo"
PHOTO_REF = "AgACAgUAAxkBAAIBG2dQ-telegram-file-id_42"


@pytest.fixture
def fresh_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty database of the same kind to restore into."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored' / 'commune.db'}"
        return
    import psycopg

    admin = os.environ["TEST_POSTGRES_URL"]
    name = f"commune_restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{admin.rpartition('/')[0]}/{name}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def file_petitions(store: Store) -> None:
    """Two petitions with filers, photos and a history of several steps."""
    async with store.uow() as uow:
        report = await uow.petitions.add(
            Petition(
                code="PA-7K3M9Q",
                kind="phan_anh",
                status="accepted",
                content="Cống thoát nước trước nhà văn hóa bị tắc.",
                summary="Cống thoát nước bị tắc.",
                village="thon-tan-son",
                latitude=21.0285,
                longitude=105.8542,
                photos=[{"ref": PHOTO_REF, "size": 123_456, "mime": "image/jpeg"}],
                received_at=NOW,
                accepted_at=NOW + timedelta(hours=2),
            ),
            PetitionParty(
                petition_id=0,
                channel="telegram",
                chat_id="42",
                user_id="42",
                name="Trần Thị Hoa",
                phone="0912345678",
            ),
        )
        denunciation = await uow.petitions.add(
            Petition(
                code="TC-9XW2RT",
                kind="to_cao",
                status="received",
                content="Tố cáo cán bộ thu tiền sai quy định.",
                summary="Tố cáo về thu tiền.",
                received_at=NOW,
            ),
            PetitionParty(
                petition_id=0, channel="telegram", chat_id="43", user_id="43", name=DENOUNCER, consent_at=NOW
            ),
        )
        assert report.id is not None and denunciation.id is not None
        await uow.petitions.log(report.id, NOW, "resident", "filed")
        await uow.petitions.log(report.id, NOW + timedelta(hours=2), "nguyen-van-an", "accepted")
        await uow.petitions.log(
            report.id, NOW + timedelta(hours=3), "tran-thi-binh", "note", "gọi thôn", internal=True
        )
        await uow.petitions.log(denunciation.id, NOW, "resident", "filed")
        await uow.commit()


async def snapshot(url: str) -> dict[str, list[dict[str, Any]]]:
    """Every petition, filer and history row, as plain values in a stable order."""
    store = Store(url)
    tables: list[tuple[type[SQLModel], Any]] = [
        (Petition, Petition.code),
        (PetitionParty, PetitionParty.petition_id),
        (PetitionEvent, PetitionEvent.id),
    ]
    try:
        async with store.uow() as uow:
            session = uow.session
            return {
                model.__name__: [
                    row.model_dump() for row in (await session.exec(select(model).order_by(key))).all()
                ]
                for model, key in tables
            }
    finally:
        await store.close()


async def test_a_backup_restores_every_petition_and_its_history_into_a_fresh_database(
    tmp_path: Path, database_url: str, store: Store, fresh_url: str
) -> None:
    await import_mini(store)
    await file_petitions(store)
    before = await snapshot(database_url)
    key = new_key()
    backup_file = tmp_path / "commune.bak"

    made = await bot_cli(tmp_path, "backup", str(backup_file), DATABASE_URL=database_url, BACKUP_KEY=key)
    assert made.code == 0, made.err
    assert DENOUNCER.encode() not in backup_file.read_bytes()  # encrypted: names are not readable
    assert backup_file.stat().st_mode & 0o077 == 0  # only the owner may read it

    wrong = await bot_cli(tmp_path, "restore", str(backup_file), DATABASE_URL=fresh_url, BACKUP_KEY=new_key())
    assert wrong.code == 1 and "BACKUP_KEY" in wrong.err and "Traceback" not in wrong.err

    restored = await bot_cli(tmp_path, "restore", str(backup_file), DATABASE_URL=fresh_url, BACKUP_KEY=key)
    assert restored.code == 0, restored.err
    after = await snapshot(fresh_url)
    assert after == before
    assert len(after["Petition"]) == 2 and len(after["PetitionEvent"]) == 4
    assert after["Petition"][0]["photos"][0]["ref"] == PHOTO_REF

    # the restored database is the bot's: it answers from the restored commune
    answer = await bot_cli(tmp_path, "ask", "lệ phí chứng thực", DATABASE_URL=fresh_url, DEMO_DATA="false")
    assert answer.code == 0 and "Nguồn: Thủ tục chứng thực" in answer.out

    again = await bot_cli(tmp_path, "restore", str(backup_file), DATABASE_URL=fresh_url, BACKUP_KEY=key)
    assert again.code == 1 and "--force" in again.err
    forced = await bot_cli(
        tmp_path, "restore", str(backup_file), "--force", DATABASE_URL=fresh_url, BACKUP_KEY=key
    )
    assert forced.code == 0, forced.err
    assert await snapshot(fresh_url) == before


async def test_no_backup_is_written_unencrypted_unless_asked(
    tmp_path: Path, database_url: str, store: Store, fresh_url: str
) -> None:
    await import_mini(store)
    await file_petitions(store)
    backup_file = tmp_path / "commune.bak"
    refused = await bot_cli(tmp_path, "backup", str(backup_file), DATABASE_URL=database_url)
    assert refused.code == 2 and "BACKUP_KEY" in refused.err
    assert not backup_file.exists()

    plain = await bot_cli(tmp_path, "backup", str(backup_file), "--no-encrypt", DATABASE_URL=database_url)
    assert plain.code == 0, plain.err
    restored = await bot_cli(tmp_path, "restore", str(backup_file), DATABASE_URL=fresh_url)
    assert restored.code == 0, restored.err
    assert await snapshot(fresh_url) == await snapshot(database_url)


async def test_the_key_can_live_in_a_file_and_a_malformed_key_is_named(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'commune.db'}"
    store = Store(url)
    await store.migrate()
    await import_mini(store)
    await store.close()
    key_file = tmp_path / "backup.key"
    key_file.write_text(new_key() + "\n")
    backup_file = tmp_path / "commune.bak"

    made = await bot_cli(
        tmp_path, "backup", str(backup_file), DATABASE_URL=url, BACKUP_KEY_FILE=str(key_file)
    )
    assert made.code == 0, made.err
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    restored = await bot_cli(
        tmp_path, "restore", str(backup_file), DATABASE_URL=fresh, BACKUP_KEY_FILE=str(key_file)
    )
    assert restored.code == 0, restored.err

    typo = await bot_cli(
        tmp_path, "backup", str(tmp_path / "other.bak"), DATABASE_URL=url, BACKUP_KEY="hunter2"
    )
    assert typo.code == 2 and "BACKUP_KEY" in typo.err
    assert not (tmp_path / "other.bak").exists()


async def test_a_sqlite_backup_taken_while_petitions_are_filed_holds_only_whole_filings(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'commune.db'}"
    store = Store(url)
    await store.migrate()
    filed = 0
    stop = asyncio.Event()

    async def residents_filing() -> None:  # each filing: petition, filer and history in one transaction
        nonlocal filed
        while not stop.is_set():
            async with store.uow() as uow:
                petition = await uow.petitions.add(
                    Petition(
                        code=f"PA-{filed:06d}",
                        kind="phan_anh",
                        status="received",
                        content="x",
                        summary="x",
                        received_at=NOW,
                    ),
                    PetitionParty(petition_id=0, channel="telegram", user_id=str(filed), name="Người dân"),
                )
                assert petition.id is not None
                await uow.petitions.log(petition.id, NOW, "resident", "filed")
                await uow.commit()
            filed += 1
            await asyncio.sleep(0)

    writer = asyncio.ensure_future(residents_filing())
    try:
        while filed < 20:
            await asyncio.sleep(0.01)
        key = new_key()
        await asyncio.to_thread(backup, url, tmp_path / "commune.bak", key)
        at_backup = filed
        while filed < at_backup + 20:
            await asyncio.sleep(0.01)
    finally:
        stop.set()
        await writer
        await store.close()
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    await asyncio.to_thread(restore, fresh, tmp_path / "commune.bak", key, False)
    rows = await snapshot(fresh)
    kept = len(rows["Petition"])
    assert 20 <= kept < filed  # filings went on during and after the backup
    assert len(rows["PetitionParty"]) == kept and len(rows["PetitionEvent"]) == kept
