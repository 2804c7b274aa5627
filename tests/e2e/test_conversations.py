"""Whole conversations, the same on Telegram (buttons) and on Zalo (numbered choices).

Petitions, officials, privacy and reminders on both messengers are in test_petitions*.py and
test_reminders.py (harness: tests/e2e/messengers.py); what stays on one messenger says why.

One `Chat` per messenger: `say` sends text, `choose` picks a choice by its label (a button press on
Telegram, its number typed on Zalo); both return the bot's next message. The handlers are the same.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any, Protocol

import pytest

from bot.app import App
from bot.config import Settings
from storage.importer import import_data, load_file
from tests.conftest import MINI
from tests.e2e.conftest import ManualClock, free_port
from tests.fakes.telegram import FakeTelegram
from tests.fakes.zalo import FakeZaloBot

pytestmark = pytest.mark.e2e

CODE_RE = re.compile(r"\b(?:PA|KN|KH|TC)-[23456789A-HJ-NP-Z]{6}\b")
ROAD_SOURCE = "Nguồn: Công khai công trình bê tông hóa đường trục thôn số 2"


class Chat(Protocol):
    async def say(self, text: str) -> str: ...

    async def choose(self, label: str) -> str: ...


class TelegramChat:
    def __init__(self, fake: FakeTelegram, chat: int) -> None:
        self.fake, self.chat = fake, chat
        self.last: dict[str, Any] = {}

    async def _next(self) -> str:
        self.last = await self.fake.next_sent(self.chat, timeout=8)
        return str(self.last["text"])

    async def say(self, text: str) -> str:
        await self.fake.push_text(self.chat, text)
        return await self._next()

    async def choose(self, label: str) -> str:
        rows = (self.last.get("params") or {}).get("reply_markup", {}).get("inline_keyboard", [])
        [data] = [b["callback_data"] for row in rows for b in row if label in b["text"]]
        await self.fake.push_callback(self.chat, self.chat, data)
        return await self._next()


class ZaloChat:
    def __init__(self, fake: FakeZaloBot, chat: str) -> None:
        self.fake, self.chat, self.seen, self.last = fake, chat, 0, ""

    async def say(self, text: str) -> str:
        await self.fake.push_text(self.chat, text)
        self.last = str((await self.fake.next_sent(self.chat, after=self.seen, timeout=8)).params["text"])
        self.seen += 1
        return self.last

    async def choose(self, label: str) -> str:
        [number] = [
            line.split(".", 1)[0]
            for line in self.last.splitlines()
            if re.match(r"^\d+\. ", line) and label in line
        ]
        return await self.say(number)


@pytest.fixture(params=["telegram", "zalo"])
async def chat(request: pytest.FixtureRequest, database_url: str, clock: ManualClock) -> AsyncIterator[Chat]:
    """A resident's private chat with the mini commune's bot, on one messenger or the other."""
    values: dict[str, Any] = {"DATABASE_URL": database_url, "WEB_PORT": free_port(), "DEMO_DATA": False}
    async with FakeTelegram() as telegram, FakeZaloBot() as zalo:
        if request.param == "telegram":
            values.update(
                TELEGRAM_BOT_TOKEN=telegram.token,
                TELEGRAM_API_BASE_URL=telegram.base_url,
                TELEGRAM_POLL_TIMEOUT=1,
                TELEGRAM_MAX_PER_SECOND=0,
                TELEGRAM_PRIVATE_MAX_PER_SECOND=0,
            )
        else:
            values.update(
                ZALO_BOT_TOKEN=zalo.token,
                ZALO_API_BASE_URL=zalo.api_base,
                ZALO_POLL_INTERVAL=0,
                ZALO_MAX_PER_SECOND=0,
                ZALO_PRIVATE_MAX_PER_SECOND=0,
            )
        app = App(Settings(_env_file=None, **values), clock=clock)
        await app.start()
        try:
            async with app.store.uow() as uow:
                await import_data(uow, load_file(MINI), clock())
            yield TelegramChat(telegram, 5151) if request.param == "telegram" else ZaloChat(zalo, "z-5151")
        finally:
            await app.stop()


async def test_a_question_is_answered_naming_its_source(chat: Chat) -> None:
    answer = await chat.say("duong thon tan son dai bao nhieu")  # typed without marks
    assert "850" in answer and ROAD_SOURCE in answer and "14/09/2026" in answer


async def test_the_schedule_lists_the_dialogue_but_not_a_cancelled_reception(chat: Chat) -> None:
    text = await chat.say("/lich")
    assert "Thứ Ba, 08/12/2026, 14 giờ 00 — Hội trường UBND xã" in text
    assert "29/11/2026, 7 giờ 00" in text  # the weekly clean-up, first Sunday after NOW
    assert "15/12/2026" not in text  # the reception of 15/12/2026 is cancelled


async def test_the_menu_leads_to_the_schedule(chat: Chat) -> None:
    assert "Xã Tân Lập" in await chat.say("/start")
    schedule = await chat.choose("Lịch tiếp dân")
    assert "Thứ Ba, 08/12/2026, 14 giờ 00 — Hội trường UBND xã" in schedule


async def test_a_petition_from_start_to_tracking_code_and_lookup(chat: Chat) -> None:
    assert "loại nào" in await chat.say("/gui")
    await chat.choose("Kiến nghị")
    place = await chat.say("Đề nghị lắp thêm đèn đường ở ngã ba chợ Tân Sơn")
    # A location is offered only where one can be shared (a Zalo bot reads text and photos only).
    assert ("gửi vị trí" in place) == isinstance(chat, TelegramChat)
    await chat.choose("Thôn Tân Sơn")
    await chat.choose("Bỏ qua")  # no photos
    assert "họ và tên" in await chat.choose("Có")
    await chat.say("Trần Thị Hoa")
    summary = await chat.say("0912 345 678")
    assert "Thôn Tân Sơn" in summary and "Trần Thị Hoa" in summary
    receipt = await chat.choose("Gửi")
    code = CODE_RE.search(receipt)
    assert code, receipt
    status = await chat.say(f"/tracuu {code.group()}")
    assert code.group() in status and "Kiến nghị" in status


async def test_privacy_what_is_held_about_me(chat: Chat) -> None:
    await chat.say("lich tiep dan")  # something held about this chat
    held = await chat.say("/dulieu")
    assert "Mã tài khoản" in held


async def test_the_prompts_say_choose_where_there_may_be_no_button(chat: Chat) -> None:
    """On Zalo the choices are numbered lines: a prompt saying "bấm" (press) a button sends the
    resident looking for one. "Chọn" fits a tap and a typed number alike."""
    said = [await chat.say("/gui")]
    said.append(await chat.choose("Phản ánh"))
    said.append(await chat.say("Cống thoát nước đầu ngõ bị tắc, nước tràn ra đường"))
    said.append(await chat.choose("Thôn Tân Sơn"))  # the photos step
    said.append(await chat.say("để tôi tìm đã"))  # neither a photo nor a choice: asked again
    said.append(await chat.say("/lich"))
    said.append(await chat.say("/help"))
    for text in said:
        assert "bấm" not in text.lower() and "nút" not in text.lower(), text
