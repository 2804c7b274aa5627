"""Three honest tiers of an answer: a confident answer with its source; else at most three documents
offered to open ("Có thể bà con muốn hỏi:"); else "no public information", with the petition offer.
A near miss (another year, another named place than the document's) is offered, never answered."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from domain.messages import Incoming, Reply
from handlers import ask
from handlers.ask_lapsed import is_schedule, last_date
from handlers.services import Services
from storage.importer import load_file
from tests.conftest import NOW
from tests.fakes.memory import MemoryStore, import_commune
from tests.handler_calls import handle, seeded, services

DEMO = Path(__file__).resolve().parents[2] / "bot" / "demo" / "commune.yaml"


async def say(svc: Services, text: str, now: datetime = NOW, button: str | None = None) -> Reply:
    msg = Incoming(channel="telegram", chat_id="42", user_id="42", text=text, user_name="Lan", button=button)
    [reply] = await handle(svc, msg, now)
    return reply


def doc_buttons(reply: Reply) -> list[str]:
    return [b.data.removeprefix("doc:") for row in reply.buttons for b in row if b.data.startswith("doc:")]


async def test_the_year_published_is_answered(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    reply = await say(svc, "Danh sách hộ nghèo năm 2026 của Thôn Khe Mát có những hộ nào?")
    assert reply.meta[ask.SOURCES_KEY][0] == "ho-ngheo-khe-mat-2026"
    assert "Nguồn: Danh sách hộ nghèo năm 2026 của Thôn Khe Mát" in reply.text


async def test_another_year_is_a_near_miss_offered_not_answered(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    reply = await say(svc, "Danh sách hộ nghèo năm 2027 của Thôn Khe Mát có những hộ nào?")
    assert reply.meta[ask.SOURCES_KEY] == []  # the 2026 list does not answer for 2027
    assert "Có thể bà con muốn hỏi" in reply.text and "Nguồn:" not in reply.text
    assert doc_buttons(reply)[0] == "ho-ngheo-khe-mat-2026"
    async with memory.uow() as uow:
        assert [q.question for q in await uow.unanswered.recent()] == [
            "Danh sách hộ nghèo năm 2027 của Thôn Khe Mát có những hộ nào?"
        ]


async def test_another_named_village_is_a_near_miss_offered_not_answered(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    answered = await say(svc, "đường bê tông thôn Tân Sơn dài bao nhiêu mét")
    assert answered.meta[ask.SOURCES_KEY][0] == "duong-thon-2" and "850" in answered.text
    near = await say(svc, "đường bê tông thôn Đồng Bến dài bao nhiêu mét")
    assert near.meta[ask.SOURCES_KEY] == [] and "850" not in near.text
    assert doc_buttons(near)[0] == "duong-thon-2"
    other = await say(svc, "danh sách hộ nghèo năm 2026 Thôn Tân Sơn")  # only Khe Mát's is published
    assert other.meta[ask.SOURCES_KEY] == [] and doc_buttons(other)[0] == "ho-ngheo-khe-mat-2026"


async def test_a_resident_typo_in_a_name_is_not_another_name(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    reply = await say(svc, "Danh sách hộ nghèo năm 2026 của Thôn Khe Mat có những hộ nào?")
    assert reply.meta[ask.SOURCES_KEY][0] == "ho-ngheo-khe-mat-2026"


async def test_at_most_three_documents_are_offered_and_the_petition_comes_last(memory: MemoryStore) -> None:
    import_commune(memory, load_file(DEMO), NOW)  # the demo commune: more documents come close
    svc = services(memory)
    question = "thôn góp tiền làm đường năm 2030"
    async with memory.uow() as uow:
        close = [h for h in await svc.search.search(uow, question) if h.confidence >= ask.SUGGEST_FLOOR]
    assert len(close) > 3 and close[0].confidence < ask.CONFIDENCE_THRESHOLD
    reply = await say(svc, question)
    assert reply.meta[ask.SOURCES_KEY] == [] and "Có thể bà con muốn hỏi" in reply.text
    offered = doc_buttons(reply)
    assert offered == [h.id for h in close[:3]] == reply.meta[ask.OFFERED_KEY]
    assert reply.buttons[-1][0].data == "gui:fromq" and len(reply.buttons) == 4


async def test_nothing_close_says_no_public_information_and_offers_a_petition(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    reply = await say(svc, "xổ số miền bắc hôm nay ra con gì")
    assert "chưa có thông tin công khai" in reply.text and "Có thể bà con muốn hỏi" not in reply.text
    assert doc_buttons(reply) == [] and reply.meta[ask.OFFERED_KEY] == []
    assert reply.buttons[0][0].data == "gui:fromq"


RECEPTION_DOC = "lich-tiep-cong-dan-thang-12-2026-thang-01-2027"  # the demo's, posted 20/11/2026–31/01/2027
WHILE_POSTED = datetime(2027, 1, 20, 3, 0, tzinfo=UTC)
AFTER_POSTING = datetime(2027, 2, 10, 3, 0, tzinfo=UTC)


async def test_a_schedule_whose_posting_is_over_is_offered_with_its_dates_not_answered(
    memory: MemoryStore,
) -> None:
    import_commune(memory, load_file(DEMO), NOW)
    svc = services(memory)
    for question in ("tiếp dân", "lịch tiếp công dân của lãnh đạo xã"):
        posted = await say(svc, question, WHILE_POSTED)
        assert posted.meta[ask.SOURCES_KEY][0] == RECEPTION_DOC, question  # its sittings are ahead
        over = await say(svc, question, AFTER_POSTING)
        assert over.meta[ask.SOURCES_KEY] == [], question  # its sittings are all past
        assert "Người tiếp" not in over.text and "10/12/2026, 07:30" not in over.text
        assert "từ 20/11/2026 đến 31/01/2027, nay đã hết hạn" in over.text
        assert doc_buttons(over)[0] == RECEPTION_DOC
    opened = await say(svc, "", AFTER_POSTING, button=f"doc:{RECEPTION_DOC}")
    assert "niêm yết đến 31/01/2027 (đã hết hạn niêm yết)" in opened.text
    async with memory.uow() as uow:  # the officials see residents still ask for a schedule
        assert "tiếp dân" in [q.question for q in await uow.unanswered.recent()]


async def test_a_past_schedule_asked_by_its_month_or_year_is_answered(memory: MemoryStore) -> None:
    import_commune(memory, load_file(DEMO), NOW)
    svc = services(memory)
    for question in (
        "lịch tiếp công dân của lãnh đạo xã tháng 12/2026",
        "lịch tiếp công dân của lãnh đạo xã năm ngoái",
    ):
        reply = await say(svc, question, AFTER_POSTING)
        assert reply.meta[ask.SOURCES_KEY][0] == RECEPTION_DOC, question
        assert "Bí thư Đảng ủy xã bà Võ Thị Hồng Nhung" in reply.text
    later = await say(svc, "lịch tiếp công dân của lãnh đạo xã tháng 3/2027", AFTER_POSTING)
    assert later.meta[ask.SOURCES_KEY] == [] and doc_buttons(later)[0] == RECEPTION_DOC


def test_a_schedule_is_over_when_its_posting_and_its_last_date_are_past() -> None:
    assert is_schedule("Lịch tiếp công dân tháng 12/2026")
    assert not is_schedule("Phát triển du lịch cộng đồng") and not is_schedule("Di tích lịch sử đình làng")
    listed = "| Thứ Năm 03/12/2026 | … |\n| Thứ Hai 25/01/2027 | … |"
    assert last_date(listed) == date(2027, 1, 25)
    assert last_date("Lịch trực tháng 01/2027") == date(2027, 1, 31)
    # weekdays from a date on: the garbage collection schedule of a bench commune never ends
    assert last_date("từ ngày **01/8/2026**, thu gom rác theo lịch sau: thứ Hai, thứ Tư") is None
    assert last_date("từ ngày 01/12/2026 đến hết ngày 31/01/2027") == date(2027, 1, 31)
    assert last_date("Thứ Hai, thứ Tư, thứ Sáu") is None
    assert last_date("Lịch tiếp công dân từ tháng 7/2026") is None
    assert last_date("từ tháng 12/2026 đến tháng 01/2027") == date(2027, 1, 31)


async def test_an_event_whose_description_merely_lists_the_topic_is_offered_not_answered(
    memory: MemoryStore,
) -> None:
    # the dialogue's description: "chủ đề: đường trục thôn số 2 và thu gom rác thải"
    svc = await seeded(memory)
    for question in ("thu gom rac khi nao", "rác thải bao giờ thu gom"):
        reply = await say(svc, question)
        assert reply.meta[ask.SOURCES_KEY] == [], question  # when the rubbish is collected is not published
        assert "Hội nghị đối thoại" not in reply.text and "08/12/2026" not in reply.text
        assert doc_buttons(reply)[0] == "doi-thoai-2026"  # still offered to open
    named = await say(svc, "doi thoai khi nao")  # the event's own title says what is asked
    assert named.meta[ask.SOURCES_KEY] == ["doi-thoai-2026"] and "08/12/2026" in named.text
    road = await say(svc, "duong truc thon so 2 bao gio xong")  # the road's own notice answers
    assert road.meta[ask.SOURCES_KEY] == ["duong-thon-2"] and "15/12/2026" in road.text


async def test_a_message_of_no_words_is_not_answered_with_a_document(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    for text in ("1", "2026", "3.450"):
        reply = await say(svc, text)
        assert reply.meta[ask.SOURCES_KEY] == [] and "📄 Nguồn" not in reply.text, text
        assert "gõ câu hỏi bằng chữ" in reply.text
    async with memory.uow() as uow:  # nothing for the officials to read
        assert await uow.unanswered.recent() == []
