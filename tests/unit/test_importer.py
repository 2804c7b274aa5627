from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from storage.importer import ImportError_, ImportReport, import_data, load_file
from storage.store import Store
from storage.validation import validate
from tests.conftest import FIXTURES, MINI, NOW


async def _import(store: Store, data: object) -> ImportReport:
    async with store.uow() as uow:
        return await import_data(uow, data, NOW)


async def test_import_creates_every_entry(store: Store) -> None:
    report = await _import(store, load_file(MINI))
    assert report.created == {
        "commune": 1,
        "villages": 1,
        "disclosures": 4,
        "events": 3,
        "groups": 2,
        "officials": 3,
    }
    async with store.uow() as uow:
        commune = await uow.commune.get()
        assert commune is not None and commune.name == "Xã Tân Lập"
        assert await uow.commune.villages() == ["Thôn Đồng Chùa", "Thôn Tân Sơn", "Thôn Khe Mát"]
        road = await uow.disclosures.get("duong-thon-2")
        assert road is not None and road.villages == ["Thôn Tân Sơn"]
        assert str(road.published_at) == "2026-09-14"
        event = await uow.events.get("tiep-dan-chu-tich")
        assert event is not None and event.exdates == ["2026-12-15"]
        official = await uow.officials.by_account("telegram", "9001")
        assert official is not None and official.role == "admin"


async def test_importing_twice_changes_nothing(store: Store) -> None:
    await _import(store, load_file(MINI))
    async with store.uow() as uow:
        version = await uow.commune.data_version()
    report = await _import(store, load_file(MINI))
    assert not report.changed
    assert report.unchanged["disclosures"] == 4
    async with store.uow() as uow:
        assert await uow.commune.data_version() == version


async def test_a_changed_entry_is_updated(store: Store) -> None:
    data = load_file(MINI)
    await _import(store, data)
    data["disclosures"][1]["title"] = "Tiêu đề mới"
    data["events"][0]["exdates"] = []
    report = await _import(store, data)
    assert report.updated == {"disclosures": 1, "events": 1}
    async with store.uow() as uow:
        doc = await uow.disclosures.get(data["disclosures"][1]["id"])
        assert doc is not None and doc.title == "Tiêu đề mới"
        event = await uow.events.get(data["events"][0]["id"])
        assert event is not None and event.exdates == []


async def test_an_invalid_file_changes_nothing_and_names_entry_and_field(store: Store) -> None:
    with pytest.raises(ImportError_) as err:
        await _import(store, load_file(FIXTURES / "invalid-commune.yaml"))
    assert err.value.problems == [
        "disclosures[duong-thon-2].published_at: '2026-13-45' không đúng định dạng YYYY-MM-DD"
    ]
    async with store.uow() as uow:
        assert await uow.commune.get() is None
        assert await uow.disclosures.all() == []


async def test_an_invalid_file_leaves_earlier_data_untouched(store: Store) -> None:
    await _import(store, load_file(MINI))
    data = load_file(MINI)
    data["disclosures"][0]["title"] = "Đổi tên"
    data["events"][1]["kind"] = "party"
    with pytest.raises(ImportError_):
        await _import(store, data)
    async with store.uow() as uow:
        doc = await uow.disclosures.get(data["disclosures"][0]["id"])
        assert doc is not None and doc.title != "Đổi tên"


def test_problems_name_the_entry_id_for_each_kind_of_mistake() -> None:
    data = load_file(MINI)
    data["events"][1]["kind"] = "party"
    data["events"][0]["rrule"] = "FREQ=SOMETIMES"
    del data["officials"][1]["role"]
    data["groups"][0]["colour"] = "blue"
    data["disclosures"].append(dict(data["disclosures"][0]))
    problems = validate(data)
    ev0, ev1 = data["events"][0]["id"], data["events"][1]["id"]
    off1, grp0 = data["officials"][1]["id"], data["groups"][0]["id"]
    assert any(p.startswith(f"events[{ev1}].kind:") for p in problems)
    assert any(p.startswith(f"officials[{off1}].role:") for p in problems)
    assert any(p.startswith(f"groups[{grp0}]:") and "colour" in p for p in problems)
    # Every problem comes in the same run: schema, duplicates and rules alike.
    assert any(p.startswith(f"events[{ev0}].rrule:") for p in problems)
    assert any("mã bị trùng" in p for p in problems)


def test_unknown_villages_and_groups_are_errors_naming_entry_and_field() -> None:
    """A notice for a village that does not exist would reach nobody: the whole file is refused."""
    data = load_file(MINI)
    doc, event = data["disclosures"][0], data["events"][2]
    doc["villages"] = ["Thôn Ba"]
    event["villages"] = ["Thôn Tân Sơm"]
    event["notify"] = ["zalo-tan-sonn"]
    data["groups"][1]["villages"] = ["Thôn Khe Mat"]
    problems = validate(data)
    assert f"disclosures[{doc['id']}].villages: 'Thôn Ba' không có trong danh sách" in problems[0]
    assert any(
        p.startswith(f"events[{event['id']}].villages: 'Thôn Tân Sơm'") and "có phải 'Thôn Tân Sơn'?" in p
        for p in problems
    )
    assert any(p.startswith(f"events[{event['id']}].notify: 'zalo-tan-sonn'") for p in problems)
    assert any(p.startswith(f"groups[{data['groups'][1]['id']}].villages: 'Thôn Khe Mat'") for p in problems)
    assert len(problems) == 4


async def test_a_file_with_unknown_references_changes_nothing(store: Store) -> None:
    data = load_file(MINI)
    data["events"][0]["villages"] = ["Thôn Môt"]
    with pytest.raises(ImportError_) as err:
        await _import(store, data)
    assert err.value.problems[0].startswith(f"events[{data['events'][0]['id']}].villages: 'Thôn Môt'")
    async with store.uow() as uow:
        assert await uow.commune.get() is None


async def test_json_files_are_accepted(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "commune.json"
    path.write_text(json.dumps(yaml.safe_load(MINI.read_text(encoding="utf-8"))), encoding="utf-8")
    report = await _import(store, load_file(path))
    assert report.created["disclosures"] == 4


def test_unquoted_yaml_dates_are_accepted(tmp_path: Path) -> None:
    text = MINI.read_text(encoding="utf-8").replace('"2026-09-14"', "2026-09-14")
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    assert validate(load_file(path)) == []


def test_the_demo_commune_is_valid() -> None:
    from bot.app import DEMO_FILE

    assert validate(load_file(DEMO_FILE)) == []


async def test_an_official_the_file_no_longer_lists_loses_their_place(store: Store) -> None:
    """The officials list is who may act: re-importing without Trần Thị Bình removes her (her chat
    actions and console sessions re-read this table); a file without `officials` keeps them all."""
    data = load_file(MINI)
    await _import(store, data)
    without_binh = {**data, "officials": [o for o in data["officials"] if o["id"] != "tran-thi-binh"]}
    report = await _import(store, without_binh)
    assert report.removed == {"officials": 1} and report.changed
    async with store.uow() as uow:
        assert sorted(o.id for o in await uow.officials.all()) == ["le-van-cuong", "nguyen-van-an"]
    no_list = {k: v for k, v in without_binh.items() if k != "officials"}
    report = await _import(store, no_list)
    assert report.removed == {}
    async with store.uow() as uow:
        assert len(await uow.officials.all()) == 2
