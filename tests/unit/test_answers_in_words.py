"""What residents type that is not a document question: small talk, codes, "hủy", the commune's own
facts; and answers shown as plain lines (scenarios through the real router, in-memory store)."""

from __future__ import annotations

import pytest

from domain.messages import Incoming, Reply
from handlers import ask
from handlers.services import Services
from tests.fakes.memory import MemoryStore
from tests.handler_calls import handle, seeded
from tests.unit.test_petitions import CODE, file


async def say(svc: Services, text: str = "", *, button: str | None = None, user: str = "42") -> list[Reply]:
    msg = Incoming(channel="telegram", chat_id=user, user_id=user, text=text, button=button, user_name="Lan")
    return await handle(svc, msg)


async def logged(store: MemoryStore) -> list[str]:
    async with store.uow() as uow:
        return [q.question for q in await uow.unanswered.recent()]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("alo", "Chào bà con"),
        ("Xin chào!", "Chào bà con"),
        ("hello", "Chào bà con"),
        ("cảm ơn ad", "không có gì"),
        ("cam on nhieu nhe", "không có gì"),
        ("tks", "không có gì"),
        ("ok", "cứ nhắn"),
        ("Dạ vâng ạ", "cứ nhắn"),
        ("👍", "cứ nhắn"),
        ("có", "cứ nhắn"),
        ("co", "cứ nhắn"),
        ("ko", "cứ nhắn"),
    ],
)
async def test_small_talk_gets_a_friendly_line_and_is_not_logged_as_a_question(
    memory: MemoryStore, text: str, expected: str
) -> None:
    svc = await seeded(memory)
    [reply] = await say(svc, text)
    assert expected in reply.text
    assert "chưa tìm thấy" not in reply.text
    assert await logged(memory) == []


async def test_a_greeting_before_a_question_answers_the_question(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    [reply] = await say(svc, "chào ad, đường thôn Tân Sơn dài bao nhiêu mét")
    assert "850" in reply.text and reply.meta[ask.SOURCES_KEY][0] == "duong-thon-2"


async def test_thanks_with_an_unanswerable_question_is_still_a_question(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    [reply] = await say(svc, "cảm ơn, cho hỏi kết quả xổ số hôm nay")
    assert "chưa tìm thấy" in reply.text
    assert await logged(memory) == ["cho hỏi kết quả xổ số hôm nay"]  # kept without the thanks


async def test_a_bare_tracking_code_or_tra_cuu_looks_it_up(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    code, _ = await file(svc, "phan_anh", "Cống thoát nước trước nhà văn hóa bị tắc, nước tràn ra đường.")
    for typed in (code, code.lower(), f"tra cứu {code}", f"tra cuu {code.lower()}"):
        [reply] = await say(svc, typed)
        assert "Đã tiếp nhận" in reply.text and "Cống thoát nước" in reply.text, typed
    [stranger] = await say(svc, code, user="777")
    assert "Không tìm thấy" in stranger.text and "Cống" not in stranger.text
    assert await logged(memory) == []


@pytest.mark.parametrize("word", ["hủy", "huy", "thôi"])
async def test_huy_typed_inside_a_flow_cancels_it(memory: MemoryStore, word: str) -> None:
    svc = await seeded(memory)
    await say(svc, "/gui")
    await say(svc, button="gui:kien_nghi")
    [reply] = await say(svc, word)
    assert "Đã hủy" in reply.text
    async with memory.uow() as uow:
        assert await uow.conversations.get("telegram", "42", "42") is None
        assert await uow.petitions.for_user("telegram", "42") == []


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("sdt xã là bao nhiêu", "Số điện thoại của UBND xã Tân Lập: 0210 3800 100."),
        ("số điện thoại ủy ban", "0210 3800 100"),
        ("so dien thoai ubnd xa", "0210 3800 100"),
        ("địa chỉ ubnd xã ở đâu", "Địa chỉ của UBND xã Tân Lập: Trụ sở UBND xã, Thôn Đồng Chùa"),
        ("dia chi xa o dau", "Thôn Đồng Chùa, xã Tân Lập, tỉnh Phú Thọ"),
        ("xã làm việc mấy giờ", "Giờ làm việc của UBND xã Tân Lập: Sáng 7 giờ 30"),
        ("gio lam viec cua xa", "chiều 13 giờ 30 – 17 giờ"),
        ("chủ tịch xã là ai", "• Chủ tịch UBND xã: Nguyễn Văn An"),
        ("chu tich xa ten gi", "Nguyễn Văn An"),
        ("email của xã", "ubnd.tanlap@example.org"),
        ("xã có trang web không", "https://tanlap.example.org"),
    ],
)
async def test_the_communes_own_facts_are_answered_from_its_data(
    memory: MemoryStore, question: str, expected: str
) -> None:
    svc = await seeded(memory)
    [reply] = await say(svc, question)
    assert reply.text.startswith("Theo thông tin của xã")
    assert expected in reply.text
    assert "Nguồn: " not in reply.text  # no document quoted for it
    assert await logged(memory) == []


@pytest.mark.parametrize("question", ["xã có những thôn nào", "xa co may thon"])
async def test_the_villages_are_listed_from_the_data(memory: MemoryStore, question: str) -> None:
    svc = await seeded(memory)
    [reply] = await say(svc, question)
    assert "Xã Tân Lập có 3 thôn:" in reply.text
    assert "• Thôn Đồng Chùa\n• Thôn Tân Sơn\n• Thôn Khe Mát" in reply.text


async def test_the_chairman_is_not_mistaken_for_the_front_chairman(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    [reply] = await say(svc, "chủ tịch ubnd xã là ai")
    assert "Nguyễn Văn An" in reply.text and "Lê Văn Cường" not in reply.text


@pytest.mark.parametrize(
    "question",
    [
        "số điện thoại của chủ tịch xã là gì",  # a person's phone: not in the data
        "thôn nào có nhiều hộ nghèo nhất",
        "họp dân ở đâu",
        "phó chủ tịch xã là ai",  # nobody holds it in the data: no guess
    ],
)
async def test_questions_near_the_facts_are_not_answered_from_them(
    memory: MemoryStore, question: str
) -> None:
    svc = await seeded(memory)
    [reply] = await say(svc, question)
    assert not reply.text.startswith("Theo thông tin của xã")


async def test_tables_and_bold_are_shown_as_plain_lines(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    [reply] = await say(svc, "nhà thầu thi công đường thôn Tân Sơn là ai")
    assert reply.meta[ask.SOURCES_KEY][0] == "duong-thon-2"
    assert "Hạng mục: Nhà thầu thi công; Thông tin: Công ty TNHH Xây dựng Hưng Thịnh" in reply.text
    assert "|" not in reply.text and "**" not in reply.text and "---" not in reply.text


async def test_dulieu_lists_the_residents_own_unanswered_questions(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    await say(svc, "kết quả xổ số hôm nay")
    await say(svc, "giá vàng hôm nay", user="777")
    [mine] = await say(svc, "/dulieu")
    assert "Câu hỏi chưa có câu trả lời" in mine.text
    assert "kết quả xổ số hôm nay" in mine.text and "giá vàng" not in mine.text


async def test_saying_you_want_to_report_starts_the_report_with_what_you_said(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    [reply] = await say(svc, "toi muon phan anh cong thon tan son bi tac nuoc tran ra duong")
    assert "gửi phản ánh" in reply.text and "thôn nào" in reply.text  # kind and content taken
    assert "Thôn Tân Sơn: đúng thì chọn 1" in reply.text
    await say(svc, "1")
    await say(svc, button="gui:skip")
    await say(svc, button="gui:no")
    [sent, *_] = await say(svc, button="gui:send")
    found = CODE.search(sent.text)
    assert found is not None and found.group().startswith("PA-"), sent.text
    code = found.group()
    [status] = await say(svc, code)
    assert "cong thon tan son bi tac" in status.text
    assert await logged(memory) == []  # a report, not an unanswered question


@pytest.mark.parametrize(
    ("text", "asks_first"),
    [
        ("cho em gửi đơn", "loại nào"),  # kind not said: asked first
        ("tôi muốn khiếu nại", "mô tả nội dung khiếu nại"),  # kind said, nothing else
        ("gui kien nghi ve den duong", "mô tả nội dung kiến nghị"),  # too short to be the content
        ("Phản ánh về việc đổ rác trộm ở đầu thôn Tân Sơn", "Thôn Tân Sơn: đúng thì chọn 1"),  # not "ở đâu"
    ],
)
async def test_a_wish_to_send_asks_only_what_is_missing(
    memory: MemoryStore, text: str, asks_first: str
) -> None:
    svc = await seeded(memory)
    [reply] = await say(svc, text)
    assert asks_first in reply.text


@pytest.mark.parametrize(
    "text",
    [
        "muốn phản ánh thì làm thế nào",
        "khiếu nại đất đai giải quyết trong bao lâu",
        "phản ánh của tôi đến đâu rồi",
        "tôi muốn phản ánh?",
    ],
)
async def test_a_question_about_filing_is_not_a_filing(memory: MemoryStore, text: str) -> None:
    svc = await seeded(memory)
    replies = await say(svc, text)
    assert all("Việc này ở thôn nào" not in r.text and "mô tả nội dung" not in r.text for r in replies)
    async with memory.uow() as uow:
        conv = await uow.conversations.get("telegram", "42", "42")
    assert conv is None or conv.flow != "petition"
