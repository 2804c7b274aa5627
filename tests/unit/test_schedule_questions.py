"""A resident asking when or where a kind of event takes place ("lịch họp dân", "khi nào tiếp dân",
"họp dân ở đâu") gets the commune's published events of that kind with their time and place, never
a notice that merely mentions the words (issue 16)."""

from __future__ import annotations

from pathlib import Path

from domain.messages import Incoming, Reply
from handlers import ask
from handlers.services import Services
from qa.schedule import schedule_ask
from storage.importer import load_file
from tests.conftest import NOW
from tests.fakes.memory import MemoryStore, import_commune
from tests.handler_calls import handle, seeded, services

DEMO = Path(__file__).resolve().parents[2] / "bot" / "demo" / "commune.yaml"
DEMO_MEETINGS = {"hop-thon-an-hoi", "doi-thoai-nhan-dan-2026", "tong-ket-dan-chu-co-so-2026"}
INTRO_NOTICE = "tro-ly-ao-va-du-lieu-ca-nhan"


async def say(svc: Services, text: str) -> Reply:
    msg = Incoming(channel="telegram", chat_id="42", user_id="42", text=text, user_name="Lan")
    [reply] = await handle(svc, msg)
    return reply


async def demo(memory: MemoryStore) -> Services:
    import_commune(memory, load_file(DEMO), NOW)
    return services(memory)


def opened(reply: Reply) -> list[str]:
    return [b.data.removeprefix("doc:") for row in reply.buttons for b in row if b.data.startswith("doc:")]


def test_schedule_words_and_kinds_are_read_with_or_without_marks() -> None:
    for question in (
        "lich hop dan",
        "lịch họp dân",
        "khi nao hop dan thon",
        "hop dan o dau",
        "họp thôn bữa nào",
    ):
        asked = schedule_ask(question)
        assert asked is not None and "hop" in asked.kinds and asked.specific == (), question
    reception = schedule_ask("chừng nào tiếp dân vậy ad")  # dialect "chừng nào": when
    assert reception is not None and reception.kinds == {"tiep_cong_dan"}
    named = schedule_ask("Thôn Hòa Bình họp thôn định kỳ vào tối nào?")
    assert named is not None and named.specific == ("hoa", "binh")
    # "hợp" (contract, cooperative) is not "họp"; a question with no schedule word is not one
    for other in (
        "hop dong khi nao ky",
        "hợp đồng khi nào ký",
        "họp dân bàn gì",
        "ngân sách xã bao nhiêu",
        "chợ phiên họp vào hôm nào",  # the market is held
    ):
        assert schedule_ask(other) is None, other
    market = schedule_ask("cho phien hop vao hom nao")  # without marks: "phiên" must be in the event
    assert market is not None and market.specific == ("phien",)


async def test_lich_hop_dan_lists_the_meetings_not_a_notice_naming_them(memory: MemoryStore) -> None:
    svc = await demo(memory)
    for question in ("lich hop dan", "khi nao hop dan thon", "lịch họp dân"):
        reply = await say(svc, question)
        sources = reply.meta[ask.SOURCES_KEY]
        assert INTRO_NOTICE not in sources and set(sources) >= DEMO_MEETINGS, question
        assert "Họp thôn định kỳ Thôn An Hội" in reply.text and "Nhà văn hóa Thôn An Hội" in reply.text
        assert "Thứ Bảy, 28/11/2026, 19 giờ 00" in reply.text  # the last Saturday of the month
        assert set(opened(reply)) == set(sources)  # each meeting opens on its own


async def test_hop_dan_o_dau_gives_the_places(memory: MemoryStore) -> None:
    svc = await demo(memory)
    reply = await say(svc, "hop dan o dau")
    assert set(reply.meta[ask.SOURCES_KEY]) >= DEMO_MEETINGS
    assert "Nhà văn hóa Thôn An Hội" in reply.text and "Hội trường UBND xã Hòa Phú" in reply.text


async def test_a_named_meeting_is_answered_alone_and_an_unpublished_one_is_not(memory: MemoryStore) -> None:
    svc = await demo(memory)
    reply = await say(svc, "thôn An Hội họp thôn vào tối nào")
    assert reply.meta[ask.SOURCES_KEY] == ["hop-thon-an-hoi"]
    assert "Thứ Bảy, 28/11/2026, 19 giờ 00" in reply.text
    none = await say(svc, "Thôn Hòa Bình họp thôn định kỳ vào tối nào?")  # Hòa Bình's is not published
    assert none.meta[ask.SOURCES_KEY] == []


async def test_reception_questions_get_the_reception_schedule(memory: MemoryStore) -> None:
    svc = await seeded(memory)  # the mini commune
    reply = await say(svc, "chung nao tiep dan")
    assert reply.meta[ask.SOURCES_KEY] == ["tiep-dan-chu-tich"]
    assert "Địa điểm: Trụ sở UBND xã" in reply.text
    assert "• Thứ Sáu, 15/01/2027, 8 giờ 00" in reply.text  # 15/12 is cancelled (exdates)
    assert "• Thứ Ba, 15/12/2026" not in reply.text


def test_the_words_naming_a_meeting_are_matched_together() -> None:
    asked = schedule_ask("kỳ họp hội đồng nhân dân lần tới ngày nào")
    assert asked is not None
    assert asked.covered_by(["Kỳ họp thứ năm HĐND xã khóa XXII"])  # the acronym spelt out
    # a dialogue hosted by the compensation council holds "hội" and "đồng", not "hội đồng nhân dân"
    assert not asked.covered_by(["Đối thoại với các hộ có đất thu hồi", "Chủ tịch Hội đồng bồi thường"])
