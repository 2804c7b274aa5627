"""A question typed without marks is answered as the same question with marks would be: a word the
commune writes ("vệ sinh") is not found in a document that holds only its syllables, scattered
("về", "khai sinh")."""

from __future__ import annotations

from domain.messages import Incoming, Reply
from handlers import ask
from handlers.services import Services
from storage.importer import load_file
from tests.conftest import MINI, NOW
from tests.fakes.memory import MemoryStore, import_commune
from tests.handler_calls import handle, services

# Civil-status fees, in words of their own: "khai sinh" and "về" hold the syllables of "vệ sinh".
CIVIL_STATUS_FEES = {
    "id": "le-phi-ho-tich",
    "title": "Lệ phí đăng ký hộ tịch tại xã",
    "category": "thu_tuc_hanh_chinh",
    "published_at": "2026-03-02",
    "source": "Thông báo số 11/TB-UBND của UBND xã Tân Lập",
    "tags": ["hộ tịch", "lệ phí"],
    "body": "Đăng ký khai sinh, khai tử đúng hạn: miễn lệ phí.\n\n"
    "Cấp bản sao trích lục hộ tịch: 8.000 đồng/bản.\n\n"
    "Hồ sơ gửi về bộ phận một cửa; kết quả trả trong ngày, chậm nhất trong tháng.\n",
}


async def say(svc: Services, text: str) -> Reply:
    msg = Incoming(channel="telegram", chat_id="42", user_id="42", text=text, user_name="Lan")
    [reply] = await handle(svc, msg)
    return reply


async def test_a_word_typed_without_marks_is_not_answered_from_its_scattered_syllables(
    memory: MemoryStore,
) -> None:
    # "vệ sinh" (a sanitation fee) is a word the commune writes ("Tổng vệ sinh đường làng"), never in
    # the fees: typed without marks, "ve" is not the question word "về", and "sinh" of "khai sinh"
    # does not answer it, as with marks
    data = load_file(MINI)
    data["disclosures"].append(CIVIL_STATUS_FEES)
    import_commune(memory, data, NOW)
    svc = services(memory)
    for question in (
        "phi ve sinh moi thang bao nhieu",
        "phí vệ sinh mỗi tháng bao nhiêu",
        "phi ve sinh hang thang",
    ):
        reply = await say(svc, question)
        assert reply.meta[ask.SOURCES_KEY] == [] and "Nguồn:" not in reply.text, question
        assert "miễn lệ phí" not in reply.text, question
    answered = await say(svc, "le phi khai sinh bao nhieu")
    assert answered.meta[ask.SOURCES_KEY][0] == "le-phi-ho-tich" and "miễn lệ phí" in answered.text
