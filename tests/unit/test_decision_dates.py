"""A disclosure's decision date: optional in the data file, stored (migration 0018), shown on the
disclosure's page and counted by the report's "published within 5 working days" figure."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from domain.deadlines import WorkCalendar
from storage.importer import import_data, load_file
from storage.migrate import upgrade
from storage.repositories.public import DisclosureItem
from storage.store import Store
from storage.validation import validate
from tests.conftest import MINI, NOW
from tests.web.board_data import board_client
from web.report import figures

PROJECT_SCHEMA = Path(__file__).resolve().parents[2] / "storage" / "schema" / "commune-data.schema.json"
SHARED_SCHEMA = Path(__file__).resolve().parents[3] / "shared" / "schema" / "commune-data.schema.json"


def item(decided: date | None, published: date) -> DisclosureItem:
    return DisclosureItem("d", "t", "c", [], published, None, None, None, decided)


def test_published_within_five_working_days_counts_weekends_and_holidays_off() -> None:
    items = [
        item(date(2026, 9, 9), date(2026, 9, 14)),  # Wed -> Mon: 3 working days
        item(date(2026, 9, 9), date(2026, 9, 16)),  # Wed -> Wed: 5 working days
        item(date(2026, 9, 9), date(2026, 9, 17)),  # 6 working days: late
        item(date(2026, 8, 26), date(2026, 9, 3)),  # 6 weekdays, but 2/9 (National Day) is off
        item(None, date(2026, 9, 1)),
    ]
    result = figures.disclosure_figures(items, WorkCalendar())
    assert result.within_5_workdays == "3/4 (75%); 1 văn bản không ghi ngày ban hành"
    assert figures.disclosure_figures([item(None, date(2026, 9, 1))]).within_5_workdays == "không có dữ liệu"


def test_the_report_says_the_figure_instead_of_no_data() -> None:
    report = figures.build(
        date(2026, 7, 1),
        date(2026, 12, 31),
        [],
        [],
        [item(date(2026, 9, 9), date(2026, 9, 14))],
        [],
        date(2026, 12, 1),
        ZoneInfo("Asia/Ho_Chi_Minh"),
    )
    assert report.disclosures.within_5_workdays == "1/1 (100%)"


def test_a_decision_date_is_valid_in_the_projects_schema_and_a_file_without_it_still_is() -> None:
    data = load_file(MINI)
    assert validate(data, [], []) == []
    data["disclosures"][0]["decided_at"] = "2026-09-09"
    assert validate(data, [], []) == []
    data["disclosures"][0]["decided_at"] = "09/9/2026"
    assert any("decided_at" in p for p in validate(data, [], []))
    if SHARED_SCHEMA.exists():  # every disclosure the shared schema accepts is still accepted here
        ours, shared = (
            json.loads(p.read_text(encoding="utf-8"))["properties"]["disclosures"]["items"]
            for p in (PROJECT_SCHEMA, SHARED_SCHEMA)
        )
        assert set(shared["properties"]) <= set(ours["properties"])
        assert set(ours["required"]) <= set(shared["required"])


async def test_the_decision_date_is_imported_shown_and_reported(store: Store) -> None:
    data = load_file(MINI)
    road = next(d for d in data["disclosures"] if d["id"] == "duong-thon-2")
    road["decided_at"] = "2026-09-09"
    async with store.uow() as uow:
        await import_data(uow, data, NOW)
    async with store.uow() as uow:
        stored = await uow.disclosures.get("duong-thon-2")
        assert stored is not None and stored.decided_at == date(2026, 9, 9)
        items = await uow.public.disclosures(published_from=date(2026, 7, 1))
        assert {i.id: i.decided_at for i in items}["duong-thon-2"] == date(2026, 9, 9)
    assert figures.disclosure_figures(items).within_5_workdays.startswith("1/1 (100%)")
    async with board_client(store) as client:
        html = await (await client.get("/van-ban/duong-thon-2")).text()
        assert "Ngày ban hành quyết định</dt><dd>09/09/2026" in html
        other = await (await client.get("/van-ban/du-toan-ngan-sach-2026")).text()
        assert "Ngày ban hành quyết định" not in other


async def test_0018_upgrades_a_populated_database_keeping_every_row(database_url: str) -> None:
    store = Store(database_url)
    try:
        await upgrade(store.engine, "0014")
        async with store.engine.begin() as conn:
            await conn.execute(
                sa.text(
                    "INSERT INTO commune (id, name, timezone, data_version) VALUES (1, 'Xã Tân Lập', 'Asia/Ho_Chi_Minh', 1)"
                )
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO disclosure (commune_id, id, title, category, villages, published_at, tags,"
                    " attachments, body, content_hash) VALUES (1, 'du-toan', 'Dự toán', 'ngan_sach', '[]',"
                    " '2026-01-12', '[]', '[]', 'Tổng thu', 'h')"
                )
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO petition (id, commune_id, code, kind, status, content, summary, photos,"
                    " anonymous, received_at) VALUES (1, 1, 'PA-AAAAAA', 'phan_anh', 'received', 'Đèn',"
                    " 'Đèn', '[]', false, '2026-11-25 03:00:00')"
                )
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO petitionparty (petition_id, commune_id, channel, chat_id, user_id, name)"
                    " VALUES (1, 1, 'telegram', '42', '42', 'Hoa')"
                )
            )
        await store.migrate()
        async with store.uow() as uow:
            doc = await uow.disclosures.get("du-toan")
            assert doc is not None and doc.decided_at is None and doc.body == "Tổng thu"
            party = await uow.petitions.party(1)
            assert party is not None and party.name == "Hoa" and party.address is None
            doc.decided_at, party.address = date(2026, 1, 5), "Xóm 3"
            uow.session.add(doc)
            uow.petitions.save_party(party)
            await uow.commit()
        async with store.uow() as uow:
            doc = await uow.disclosures.get("du-toan")
            party = await uow.petitions.party(1)
            assert doc is not None and doc.decided_at == date(2026, 1, 5)
            assert party is not None and party.address == "Xóm 3"
    finally:
        await store.close()
