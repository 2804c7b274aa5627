"""Handlers as scenarios: a message in, replies out (on the in-memory store; one on a real database)."""

from __future__ import annotations

from domain.messages import Incoming, Reply
from handlers import ask
from handlers.services import Services
from qa.searcher import SearchIndex
from storage.importer import import_data, load_file
from storage.store import Store
from tests.conftest import MINI, NOW
from tests.fakes.memory import MemoryStore
from tests.handler_calls import handle, seeded


async def say(svc: Services, text: str = "", *, button: str | None = None, user: str = "42") -> list[Reply]:
    msg = Incoming(channel="telegram", chat_id=user, user_id=user, text=text, button=button, user_name="Lan")
    return await handle(svc, msg)


async def test_start_greets_with_the_commune_name_and_a_menu(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    [reply] = await say(svc, "/start")
    assert "Xin chào Lan" in reply.text and "Xã Tân Lập" in reply.text
    assert any(b.data == "cmd:lich" for row in reply.buttons for b in row)


async def test_help_lists_what_the_bot_does(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    [reply] = await say(svc, "/help")
    assert "/lich" in reply.text and "/huy" in reply.text


async def test_lich_lists_the_next_30_days_in_vietnamese(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    [reply] = await say(svc, "/lich")
    assert "Thứ Ba, 08/12/2026, 14 giờ 00 — Hội trường UBND xã" in reply.text
    assert "Chủ Nhật, 29/11/2026, 7 giờ 00" in reply.text
    # The 15/12 reception is cancelled (exdate) and the next one is beyond 30 days.
    assert "15/12/2026" not in reply.text and "15/01/2027" not in reply.text
    assert "lich.ics" not in reply.text  # no public address configured: no link


async def test_lich_gives_the_calendar_feed_when_the_pages_have_an_address(memory: MemoryStore) -> None:
    import dataclasses

    svc = dataclasses.replace(await seeded(memory), public_base_url="https://tanlap.example.vn")
    [reply] = await say(svc, "/lich")
    assert "Thêm lịch của xã vào điện thoại: https://tanlap.example.vn/lich.ics" in reply.text


async def test_a_question_is_answered_with_its_source_title_and_date(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    [reply] = await say(svc, "duong thon Tan Son dai bao nhieu met")
    assert "850" in reply.text
    assert "Nguồn: Công khai công trình bê tông hóa đường trục thôn số 2, Thôn Tân Sơn" in reply.text
    assert "Công bố ngày 14/09/2026" in reply.text
    assert reply.meta[ask.SOURCES_KEY][0] == "duong-thon-2"


async def test_an_event_question_gives_the_next_sitting(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    [reply] = await say(svc, "hội nghị đối thoại với nhân dân khi nào")
    assert reply.meta[ask.SOURCES_KEY][0] == "doi-thoai-2026"
    assert "Thứ Ba, 08/12/2026, 14 giờ 00" in reply.text


async def test_an_unrelated_question_gets_an_honest_no_and_is_recorded(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    [reply] = await say(svc, "xổ số miền bắc hôm nay ra con gì")
    assert "chưa tìm thấy" in reply.text
    assert reply.meta[ask.SOURCES_KEY] == []
    async with memory.uow() as uow:
        [question] = await uow.unanswered.recent()
        assert question.question == "xổ số miền bắc hôm nay ra con gì"

    assert not any(b.data.startswith("doc:") for row in reply.buttons for b in row)  # nothing is close


async def test_an_unsure_answer_still_offers_the_closest_document_to_open(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    [reply] = await say(svc, "đường làng chỗ tôi đổ bê tông bao giờ xong")
    assert "chưa tìm thấy" in reply.text and reply.meta[ask.SOURCES_KEY] == []
    offered = [b.data for row in reply.buttons for b in row if b.data.startswith("doc:")]
    assert offered[0] == "doc:duong-thon-2"
    [opened] = await say(svc, button=offered[0])
    assert "Nguồn: Công khai công trình bê tông hóa đường trục thôn số 2, Thôn Tân Sơn" in opened.text


async def test_more_results_come_one_by_one_then_end(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    [first] = await say(svc, "ngân sách xã năm 2026 công trình đường")
    sources = first.meta[ask.SOURCES_KEY]
    if len(sources) > 1:
        [second] = await say(svc, button="more:next")
        assert "Nguồn" in second.text
    for _ in range(len(sources)):
        [last] = await say(svc, button="more:next")
    assert "tất cả kết quả" in last.text


async def test_cancel_with_and_without_a_flow(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    [reply] = await say(svc, "/huy")
    assert "không có thao tác" in reply.text
    await say(svc, "ngân sách năm 2026")  # leaves "more results" state
    [reply] = await say(svc, "/huy")
    assert "Đã hủy" in reply.text


async def test_browsing_a_category_opens_a_document(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    [cats] = await say(svc, button="cats")
    datas = [b.data for row in cats.buttons for b in row]
    assert "cat:ngan_sach" in datas
    [listing] = await say(svc, button="cat:ngan_sach")
    [doc] = await say(svc, button=listing.buttons[0][0].data)
    assert "Nguồn: Công khai dự toán ngân sách xã Tân Lập năm 2026" in doc.text


async def test_unknown_command_is_explained_kindly(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    [reply] = await say(svc, "/abcxyz")
    assert "chưa hiểu lệnh /abcxyz" in reply.text


async def test_the_index_follows_a_new_import_without_restart(store: Store) -> None:
    svc = await seeded(store)
    data = load_file(MINI)
    data["disclosures"][0]["body"] += "\n\nKhoản chi mua xe cứu thương mới 1.500 triệu đồng."
    before = await say(svc, "xe cứu thương")
    assert before[0].meta[ask.SOURCES_KEY] == []
    async with store.uow() as uow:
        await import_data(uow, data, NOW)
    assert isinstance(svc.search, SearchIndex)
    async with store.uow() as uow:
        await svc.search.fresh(uow)  # searches do not wait for the rebuild (tests/unit/test_searcher.py)
    [after] = await say(svc, "xe cứu thương")
    assert after.meta[ask.SOURCES_KEY][0] == data["disclosures"][0]["id"]


async def test_plain_text_in_a_group_is_left_to_the_people_there(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    for text, answered in (("ngân sách", False), ("/lich", True)):
        msg = Incoming(channel="telegram", chat_id="-100", user_id="5", text=text, chat_type="group")
        assert bool(await handle(svc, msg)) is answered
