"""A re-import never silently overwrites what an official edited on the console (storage/importer.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from storage.importer import import_data, load_file
from storage.migrate import upgrade
from storage.publishing import entry_from_form, form_from_row, save
from storage.store import Store
from tests.conftest import MINI, NOW

LATER = NOW + timedelta(hours=2)
NEW_TITLE = "Công khai dự toán ngân sách xã năm 2026 (đã điều chỉnh)"


async def import_file(store: Store, data: dict[str, Any], prefer_file: bool = False) -> Any:
    async with store.uow() as uow:
        return await import_data(uow, data, LATER, prefer_file=prefer_file)


async def edit_on_console(store: Store, **changes: str) -> None:
    """What the console's edit form stores: the stored entry with some fields changed."""
    async with store.uow() as uow:
        row = await uow.disclosures.get("du-toan-ngan-sach-2026")
        assert row is not None
        entry = entry_from_form("disclosures", form_from_row("disclosures", row) | changes)
        await save(uow, "disclosures", entry, "tran-thi-binh", NOW + timedelta(hours=1))
        await uow.commit()


async def budget(store: Store) -> Any:
    async with store.uow() as uow:
        return await uow.disclosures.get("du-toan-ngan-sach-2026")


async def test_the_same_file_again_keeps_the_console_edit_and_names_the_conflict(store: Store) -> None:
    await import_file(store, load_file(MINI))
    await edit_on_console(store, title=NEW_TITLE)
    report = await import_file(store, load_file(MINI))
    [conflict] = report.conflicts
    assert (conflict.section, conflict.entry_id, conflict.fields) == (
        "disclosures",
        "du-toan-ngan-sach-2026",
        ("title",),
    )
    assert conflict.edited_by == "tran-thi-binh" and not conflict.file_changed
    kept = await budget(store)
    assert kept.title == NEW_TITLE and kept.edited_by == "tran-thi-binh"


async def test_a_file_changed_on_both_sides_is_a_conflict_and_the_console_wins_by_default(
    store: Store,
) -> None:
    await import_file(store, load_file(MINI))
    await edit_on_console(store, title=NEW_TITLE)
    data = load_file(MINI)
    data["disclosures"][0]["body"] = "Bản khác trong tệp."
    data["disclosures"][1]["title"] = "Đường thôn số 2 (tệp sửa, không ai sửa trên trang)"
    report = await import_file(store, data)
    [conflict] = report.conflicts
    assert conflict.fields == ("title", "body") and conflict.file_changed
    assert report.updated == {"disclosures": 1}  # the entry nobody edited on the console
    kept = await budget(store)
    assert kept.title == NEW_TITLE and kept.body.startswith("UBND xã Tân Lập công khai")


async def test_prefer_file_takes_the_files_version_and_clears_the_mark(store: Store) -> None:
    await import_file(store, load_file(MINI))
    await edit_on_console(store, title=NEW_TITLE)
    report = await import_file(store, load_file(MINI), prefer_file=True)
    assert report.conflicts == [] and [c.fields for c in report.overridden] == [("title",)]
    replaced = await budget(store)
    assert replaced.title == "Công khai dự toán ngân sách xã Tân Lập năm 2026"
    assert replaced.edited_at is None and replaced.edited_by is None and replaced.file_hash is None
    assert (await import_file(store, load_file(MINI))).conflicts == []


async def test_a_file_that_caught_up_with_the_edit_clears_the_mark(store: Store) -> None:
    await import_file(store, load_file(MINI))
    await edit_on_console(store, title=NEW_TITLE)
    data = load_file(MINI)
    data["disclosures"][0]["title"] = NEW_TITLE
    report = await import_file(store, data)
    assert report.conflicts == [] and report.overridden == []
    caught_up = await budget(store)
    assert caught_up.title == NEW_TITLE and caught_up.edited_at is None
    data["disclosures"][0]["body"] = "Nay tệp lại là nguồn."
    await import_file(store, data)
    assert (await budget(store)).body == "Nay tệp lại là nguồn."


async def test_0017_upgrades_a_populated_database_with_nothing_marked_as_edited(database_url: str) -> None:
    store = Store(database_url)
    try:
        await upgrade(store.engine, "0014")
        at = datetime(2026, 11, 25, 3, 0)
        async with store.engine.begin() as conn:
            await conn.execute(
                sa.text("INSERT INTO commune (id, name, timezone, data_version) VALUES (1, 'X', 'UTC', 1)")
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO disclosure (commune_id, id, title, category, villages, published_at, tags,"
                    " attachments, body, content_hash, announced_at) VALUES (1, 'd-1', 'Dự toán', 'ngan_sach',"
                    " '[]', :day, '[]', '[]', 'Tổng thu', 'h', :at)"
                ),
                {"day": date(2026, 1, 12), "at": at},
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO event (commune_id, id, title, kind, start, exdates, villages, remind_before,"
                    " notify, content_hash) VALUES (1, 'e-1', 'Tiếp dân', 'tiep_cong_dan',"
                    " '2026-01-15T08:00:00+07:00', '[]', '[]', '[]', '[]', 'h')"
                )
            )
        await store.migrate()
        async with store.uow() as uow:
            doc = await uow.disclosures.get("d-1")
            event = await uow.events.get("e-1")
            assert doc is not None and doc.announced_at == at.replace(tzinfo=UTC) and doc.edited_at is None
            assert event is not None and event.edited_by is None and event.file_hash is None
    finally:
        await store.close()
