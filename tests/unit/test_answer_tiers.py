"""Three honest tiers of an answer: a confident answer with its source; else at most three documents
offered to open ("Có thể bà con muốn hỏi:"); else "no public information", with the petition offer.
A near miss (another year, another named place than the document's) is offered, never answered."""

from __future__ import annotations

from pathlib import Path

from domain.messages import Incoming, Reply
from handlers import ask
from handlers.services import Services
from storage.importer import load_file
from tests.conftest import NOW
from tests.fakes.memory import MemoryStore, import_commune
from tests.handler_calls import handle, seeded, services

DEMO = Path(__file__).resolve().parents[2] / "bot" / "demo" / "commune.yaml"


async def say(svc: Services, text: str) -> Reply:
    msg = Incoming(channel="telegram", chat_id="42", user_id="42", text=text, user_name="Lan")
    [reply] = await handle(svc, msg)
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
    question = "tiền đóng góp làm đường thôn năm 2030"
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
