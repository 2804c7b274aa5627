"""The web chat without buttons, as on Zalo: choices come as numbered lines, typed answers choose.

Whole conversations through the page's JSON API, on the demo commune (Xã Hòa Phú).
"""

from __future__ import annotations

import re
from typing import Any

import aiohttp
import pytest

from bot.app import App
from domain.choices import HINT
from tests.e2e.conftest import AppFactory, outbox_rows
from tests.e2e.test_webchat import messages, send

pytestmark = pytest.mark.e2e

CODE_RE = re.compile(r"\bKN-[23456789A-HJ-NP-Z]{6}\b")
# Nothing published answers this; the bot offers three documents to open, then the petition.
UNANSWERED = "tiền điện thoại của xã"
POOR_HOUSEHOLDS_DOC = "Kết quả rà soát sơ bộ hộ nghèo, hộ cận nghèo cuối năm 2026"


class Chat:
    """One browser session: `say` sends a text and returns the one reply it produced."""

    def __init__(self, http: aiohttp.ClientSession, app: App) -> None:
        self.http, self.app, self.count = http, app, 0

    async def say(self, text: str) -> str:
        before = await messages(self.http, self.app)
        self.count += 1
        status = await send(self.http, self.app, {"id": f"m{self.count}", "text": text})
        assert status == (200, {"ok": True})
        [reply] = await messages(self.http, self.app, after=before[-1]["id"] if before else 0)
        assert reply["buttons"] == []  # the choices are in the text
        text_: str = reply["text"]
        return text_

    async def last_meta(self) -> dict[str, Any]:
        meta: dict[str, Any] = (await outbox_rows(self.app))[-1].payload.get("meta", {})
        return meta


@pytest.fixture
async def chat(start_app: AppFactory, http: aiohttp.ClientSession) -> Chat:
    return Chat(http, await start_app("web", data=None, WEBCHAT_BUTTONS=False))


async def test_the_menu_is_numbered_and_a_number_opens_a_choice(chat: Chat) -> None:
    menu = await chat.say("/start")
    assert "1. 📅 Lịch tiếp dân, lịch họp\n2. 📋 Thông tin công khai\n" in menu
    assert menu.endswith(f"5. ❓ Hướng dẫn\n{HINT}")
    assert "lĩnh vực nào" in await chat.say("2")


async def test_ask_then_open_an_offered_document_by_its_number(chat: Chat) -> None:
    offer = await chat.say(UNANSWERED)
    assert "chưa tìm thấy thông tin" in offer and "Có thể bà con muốn hỏi:" in offer
    assert f"1. 📄 {POOR_HOUSEHOLDS_DOC[:40]}" in offer
    document = await chat.say("1")
    assert f"📄 Nguồn: {POOR_HOUSEHOLDS_DOC}" in document
    assert "sources" not in await chat.last_meta()  # the document was opened, not searched for


async def test_an_unanswered_question_becomes_a_petition_by_typing_its_number(chat: Chat) -> None:
    offer = await chat.say(UNANSWERED)
    assert "4. 📨 Gửi câu hỏi này cho xã (kiến nghị)" in offer  # after the three documents
    assert "thôn nào" in await chat.say("4")
    assert "để lại họ tên" in await chat.say("bỏ qua")  # no photos from a web page
    summary = await chat.say("không")
    assert f"• Nội dung: {UNANSWERED}" in summary


@pytest.mark.parametrize("consent", ["co", "có"])
async def test_file_a_petition_by_typing_numbers_and_words(chat: Chat, consent: str) -> None:
    assert "loại nào" in await chat.say("/gui")
    assert "mô tả nội dung kiến nghị" in await chat.say("2")
    place = await chat.say("Đề nghị lắp thêm đèn đường ở ngã ba chợ")
    assert "3. Thôn An Hội" in place and place.endswith(HINT)
    assert "vị trí" not in place  # the page cannot share a location
    # A word of one village's label, without marks; the page cannot send photos: none are asked for.
    consent_prompt = await chat.say("an hoi")
    assert "ảnh" not in consent_prompt and "Xong" not in consent_prompt
    assert consent_prompt.count("1. Có, tôi đồng ý") == 1  # listed once, not again by the channel
    assert "họ và tên" in await chat.say(consent)
    await chat.say("Trần Thị Hoa")
    summary = await chat.say("0912 345 678")
    assert "• Nơi: Thôn An Hội" in summary and "• Liên hệ: Trần Thị Hoa, 0912345678" in summary
    receipt = await chat.say("gửi")
    assert CODE_RE.search(receipt), receipt


async def test_only_the_last_message_choices_are_live(chat: Chat) -> None:
    await chat.say("/start")
    answer = await chat.say("có bao nhiêu hộ nghèo")
    assert answer.endswith(f"1. 🔎 Xem thêm kết quả khác\n{HINT}")
    stale = await chat.say("2")  # "2. 📋 Thông tin công khai" was the menu's, two messages ago
    assert "lĩnh vực nào" not in stale
    assert "sources" in await chat.last_meta()  # "2" was searched for as a question


async def test_a_word_in_two_labels_is_a_new_question(chat: Chat) -> None:
    offer = await chat.say(UNANSWERED)
    assert "trợ lý ảo của xã" in offer and "ngân sách xã" in offer
    await chat.say("xã")
    assert "sources" in await chat.last_meta()  # answered as a question, neither label opened
