"""The console's publishing, unanswered questions and outbox pages over HTTP, signed in with a code
received on the fake Telegram (the whole App; SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from storage.importer import import_data
from tests.e2e.messengers import HANDLER, RESIDENT, SUPERVISOR, TELEGRAM_IDS, Messenger
from tests.e2e.test_console import Browser
from tests.fakes.telegram import NothingSent

pytestmark = pytest.mark.e2e
TELEGRAM = pytest.mark.parametrize("messenger", ["telegram"], indirect=True)

VILLAGE_GROUP = -1009000000077
NEW = {
    "id": "",  # left blank: taken from the title
    "title": "Thông báo họp dân Thôn Tân Sơn về mở rộng đường liên thôn",
    "category": "dau_tu_cong",
    "villages": "Thôn Tân Sơn",
    "published_at": "2026-11-25",  # the manual clock's day (tests/conftest.py NOW)
    "source": "Thông báo số 51/TB-UBND ngày 24/11/2026 của UBND xã",
    "tags": "đường liên thôn, hiến đất",
    "body": "UBND xã mời bà con Thôn Tân Sơn dự họp bàn việc hiến đất mở rộng đường liên thôn.",
}
NEW_ID = "thong-bao-hop-dan-thon-tan-son-ve-mo-rong-duong-lien-thon"


@pytest.fixture
async def official(messenger: Messenger) -> AsyncIterator[Browser]:
    """An official's browser on the console (log in with `official.login(HANDLER)`)."""
    b = Browser(messenger)
    yield b
    await b.close()


async def with_village_group(m: Messenger) -> None:
    """The mini commune plus a Telegram group of Thôn Tân Sơn the bot posts in."""
    data = m.data()
    data["groups"].append(
        {
            "id": "tg-tan-son",
            "name": "Bà con Thôn Tân Sơn (Telegram)",
            "channel": "telegram",
            "chat_id": str(VILLAGE_GROUP),
            "villages": ["Thôn Tân Sơn"],
        }
    )
    async with m.app.store.uow() as uow:
        await import_data(uow, data, m.clock())


async def group_posts(m: Any) -> list[str]:
    return [str(s["text"]) for s in m.fake.sent_to(VILLAGE_GROUP) if s["method"] == "sendMessage"]


@TELEGRAM
async def test_a_handler_publishes_a_disclosure_announced_once_and_the_bot_answers_from_it(
    messenger: Any, official: Browser
) -> None:
    m = messenger
    await with_village_group(m)
    await official.login(HANDLER)
    status, page = await official.get("/dang-tin/van-ban/moi")
    assert status == 200 and 'name="body"' in page and "Thôn Tân Sơn" in page

    # a bad date: named in Vietnamese, nothing stored, nothing posted
    status, page = await official.post(
        "/dang-tin/van-ban/moi", csrf=True, **(NEW | {"published_at": "25/11/2026"})
    )
    assert status == 400 and "Ngày công bố (published_at): &#39;25/11/2026&#39; không đúng định dạng" in page
    assert "Chưa có gì thay đổi" in page
    async with m.app.store.uow() as uow:
        assert await uow.disclosures.get(NEW_ID) is None

    status, page = await official.post("/dang-tin/van-ban/moi", csrf=True, **NEW)
    assert status == 200 and f"Đã lưu «{NEW['title']}»" in page and "Đã gửi thông báo tới 1 nhóm" in page
    post = await m.fake.next_sent(VILLAGE_GROUP, timeout=8)
    assert "Thông báo công khai: Thông báo họp dân Thôn Tân Sơn" in str(post["text"])
    answer = await m.say("hop dan mo rong duong lien thon khi nao", RESIDENT)
    assert "Thông báo họp dân Thôn Tân Sơn về mở rộng đường liên thôn" in answer

    # an edit is stored and marked, but announced no second time
    await official.get(f"/dang-tin/van-ban/sua/{NEW_ID}")
    status, page = await official.post(
        f"/dang-tin/van-ban/sua/{NEW_ID}", csrf=True, **(NEW | {"title": NEW["title"] + " (lần 2)"})
    )
    assert status == 200 and f"Đã lưu «{NEW['title']} (lần 2)»" in page
    with pytest.raises(NothingSent):
        await m.fake.next_sent(VILLAGE_GROUP, timeout=0.5)
    assert len(await group_posts(m)) == 1
    async with m.app.store.uow() as uow:
        doc = await uow.disclosures.get(NEW_ID)
        assert doc is not None and doc.title.endswith("(lần 2)") and doc.edited_by == "tran-thi-binh"


@TELEGRAM
async def test_a_supervisor_may_not_publish(messenger: Any, official: Browser) -> None:
    await official.login(SUPERVISOR)
    status, page = await official.get("/dang-tin/van-ban/moi")
    assert status == 403 and "không dành cho vai trò" in page
    status, _ = await official.post("/dang-tin/van-ban/moi", csrf=True, **NEW)
    assert status == 403
    async with messenger.app.store.uow() as uow:
        assert await uow.disclosures.get(NEW_ID) is None


@TELEGRAM
async def test_unanswered_questions_are_grouped_with_counts_dates_and_no_phone(
    messenger: Any, official: Browser
) -> None:
    m = messenger
    for question in ("xổ số hôm nay ra gì", "xo so hom nay ra gi vay", "xổ số hôm nay ra số gì 0912345678"):
        await m.say(question, RESIDENT)
    await official.login(SUPERVISOR)
    status, page = await official.get("/cau-hoi")
    assert status == 200 and "3 câu, 1 nhóm" in page and "3 lần" in page
    assert "0912345678" not in page and str(TELEGRAM_IDS[RESIDENT]) not in page
    day = m.clock().strftime("%d/%m/%Y")
    assert day in page


@TELEGRAM
async def test_the_outbox_page_counts_per_channel_and_shows_each_groups_reach_without_people(
    messenger: Any, official: Browser
) -> None:
    m = messenger
    await with_village_group(m)
    await m.say("lịch tiếp công dân", RESIDENT)
    await official.login(HANDLER)
    status, page = await official.get("/gui-tin")
    assert status == 200 and "Telegram" in page
    assert "Bà con Thôn Tân Sơn (Telegram)" in page and "Bot đăng thẳng vào nhóm" in page
    assert "Bà con Thôn Tân Sơn" in page and "Chưa đăng được" in page  # the Zalo group: no Zalo here
    assert str(TELEGRAM_IDS[RESIDENT]) not in page and "tiếp công dân" not in page.split("<main", 1)[1]
