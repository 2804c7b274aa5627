"""Residents on Zalo: the whole app against a fake Zalo Bot Platform, in polling and in webhook mode."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.app import App
from bot.config import Settings
from storage.importer import import_data, load_file
from storage.models import InboundUpdate
from tests.conftest import MINI
from tests.e2e.conftest import ManualClock, count_rows, free_port, wait_for
from tests.fakes.zalo import PHOTO_BYTES, SECRET_HEADER, FakeZaloBot

pytestmark = pytest.mark.e2e

RESIDENT = "zr-5501"
SECRET = "zalo-Secret_42"
ROAD_QUESTION = "duong thon tan son dai bao nhieu"
ROAD_SOURCE = "Nguồn: Công khai công trình bê tông hóa đường trục thôn số 2"
DIALOGUE = "Thứ Ba, 08/12/2026, 14 giờ 00 — Hội trường UBND xã"


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZaloBot]:
    async with FakeZaloBot() as fake:
        yield fake


@pytest.fixture(params=["polling", "webhook"])
async def zalo_app(
    request: pytest.FixtureRequest, database_url: str, zalo: FakeZaloBot, clock: ManualClock
) -> AsyncIterator[App]:
    values: dict[str, Any] = {
        "DATABASE_URL": database_url,
        "ZALO_BOT_TOKEN": zalo.token,
        "ZALO_API_BASE_URL": zalo.api_base,
        "ZALO_POLL_INTERVAL": 0,
        "WEB_HOST": "127.0.0.1",
        "DEMO_DATA": False,
    }
    port = free_port()
    values.update(WEB_PORT=port, PUBLIC_BASE_URL=f"http://127.0.0.1:{port}")
    if request.param == "webhook":
        values.update(ZALO_WEBHOOK_URL=f"http://127.0.0.1:{port}/zalo/webhook", ZALO_WEBHOOK_SECRET=SECRET)
    app = App(Settings(_env_file=None, **values), clock=clock)
    await app.start()
    data = load_file(MINI)
    handler = next(o for o in data["officials"] if o["id"] == "tran-thi-binh")
    del handler["telegram_user_id"]  # an official on Zalo only: no officials' group reaches her
    async with app.store.uow() as uow:
        await import_data(uow, data, clock())
    if request.param == "webhook":
        await wait_for(lambda: zalo._webhook is not None, what="setWebhook")
    else:
        await wait_for(lambda: "getUpdates" in zalo.calls, what="getUpdates")
    try:
        yield app
    finally:
        await app.stop()


async def test_a_resident_gets_answers_naming_their_source(zalo_app: App, zalo: FakeZaloBot) -> None:
    await zalo.push_text(RESIDENT, ROAD_QUESTION)
    answer = await zalo.next_sent(RESIDENT)
    text = answer.params["text"]
    assert "850" in text and ROAD_SOURCE in text
    assert any(s.method == "sendChatAction" and s.chat_id == RESIDENT for s in zalo.sent)  # "typing"
    await zalo.push_text(RESIDENT, "/lich")
    schedule = await zalo.next_sent(RESIDENT, after=1)
    assert DIALOGUE in schedule.params["text"]


async def test_choices_are_numbered_lines_on_zalo(zalo_app: App, zalo: FakeZaloBot) -> None:
    """Zalo has no buttons: the menu comes as numbered lines with a hint."""
    await zalo.push_text(RESIDENT, "/start")
    text = (await zalo.next_sent(RESIDENT)).params["text"]
    assert "Xã Tân Lập" in text
    assert "\n1. " in text and "\n2. " in text and "nhắn số" in text


async def test_redelivered_reserved_and_echoed_updates_are_answered_once(
    zalo_app: App, zalo: FakeZaloBot
) -> None:
    """Zalo re-serves, redelivers and echoes the bot's own sends: one question, one answer."""
    update = zalo.make_update(RESIDENT, text="/lich")
    await zalo.push(update)
    await zalo.push(update)  # the same message again
    await zalo.next_sent(RESIDENT)
    await zalo.push_text(RESIDENT, "/start")  # a later message: the repeat was decided before it
    await zalo.next_sent(RESIDENT, after=1)
    texts = zalo.texts_to(RESIDENT)
    assert len(texts) == 2 and DIALOGUE in texts[0]
    # every send was echoed back as an update from the bot's own id, and none was answered
    assert await count_rows(zalo_app, InboundUpdate) == 2


async def test_forged_webhooks_are_refused_and_store_nothing(
    database_url: str, zalo: FakeZaloBot, clock: ManualClock
) -> None:
    port = free_port()
    settings = Settings(
        _env_file=None,
        DATABASE_URL=database_url,
        ZALO_BOT_TOKEN=zalo.token,
        ZALO_API_BASE_URL=zalo.api_base,
        ZALO_WEBHOOK_URL=f"http://127.0.0.1:{port}/zalo/webhook",
        ZALO_WEBHOOK_SECRET=SECRET,
        WEB_PORT=port,
        DEMO_DATA=False,
    )
    app = App(settings, clock=clock)
    await app.start()
    url = f"http://127.0.0.1:{port}/zalo/webhook"
    update = zalo.make_update(RESIDENT, text="/start")
    try:
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {SECRET_HEADER: "wrong-secret"}, {SECRET_HEADER: SECRET[:-1]}):
                async with http.post(url, json=update, headers=headers) as response:
                    assert response.status == 403
            async with http.post(url, data=b"", headers={SECRET_HEADER: SECRET}) as response:
                assert response.status == 200  # Zalo's probe: answered, nothing else
            async with http.post(url, data=b"{not json", headers={SECRET_HEADER: SECRET}) as response:
                assert response.status == 400
            big = b'{"message": "' + b"x" * 300_000 + b'"}'
            async with http.post(url, data=big, headers={SECRET_HEADER: SECRET}) as response:
                assert response.status == 413
        assert await count_rows(app, InboundUpdate) == 0
        assert zalo.texts_to(RESIDENT) == []
    finally:
        await app.stop()


OFFICIAL = "9102"  # Trần Thị Bình's Zalo id in the mini commune
CODE_RE = re.compile(r"\b(?:PA|KN|KH|TC)-[23456789A-HJ-NP-Z]{6}\b")


class Resident:
    """A person in a Zalo chat: `say` sends a text and returns the next thing the bot sent them."""

    def __init__(self, zalo: FakeZaloBot, chat: str) -> None:
        self.zalo, self.chat, self.seen = zalo, chat, 0

    async def say(self, text: str) -> str:
        await self.zalo.push_text(self.chat, text)
        reply = await self.zalo.next_sent(self.chat, after=self.seen, timeout=8)
        self.seen += 1
        return str(reply.params["text"])


async def test_a_petition_by_numbered_choices_reaches_a_zalo_official_who_answers(
    zalo_app: App, zalo: FakeZaloBot
) -> None:
    """Filed on Zalo by typing numbers and words; the official (Zalo only) answers with /traloi."""
    resident = Resident(zalo, RESIDENT)
    assert "\n2. " in await resident.say("/gui")
    assert "mô tả nội dung" in await resident.say("2")
    place = await resident.say("Đề nghị lắp thêm đèn đường ở ngã ba chợ Tân Sơn")
    assert "Thôn Tân Sơn" in place and "nhắn số" in place
    await resident.say("tan son")  # a word of one village's label, typed without marks
    await resident.say("2")  # no photos
    assert "họ và tên" in await resident.say("co")
    await resident.say("Trần Thị Hoa")
    await resident.say("0912 345 678")
    receipt = await resident.say("gửi")
    code = CODE_RE.search(receipt)
    assert code, receipt
    announcement = (await zalo.next_sent(OFFICIAL, timeout=8)).params["text"]
    assert code.group() in announcement and f"/traloi {code.group()}" in announcement
    assert "Trần Thị Hoa" not in announcement and "0912" not in announcement
    assert "\n1. " in announcement  # the actions, as numbers
    await zalo.push_text(OFFICIAL, f"/traloi {code.group()} Xã đã nhận, tuần sau lắp đèn.")
    answers = [t for t in zalo.texts_to(RESIDENT) if "tuần sau lắp đèn" in t]
    for _ in range(80):
        if answers:
            break
        await asyncio.sleep(0.1)
        answers = [t for t in zalo.texts_to(RESIDENT) if "tuần sau lắp đèn" in t]
    assert answers, zalo.texts_to(RESIDENT)
    resident.seen = len(zalo.texts_to(RESIDENT))
    status = await resident.say(f"/tracuu {code.group()}")
    assert code.group() in status and "tuần sau lắp đèn" in status
    looked_up = await Resident(zalo, "zr-9999").say(f"/tracuu {code.group()}")  # a stranger
    assert "tuần sau lắp đèn" not in looked_up and "Trần Thị Hoa" not in looked_up


async def test_a_photo_is_kept_when_it_arrives_and_reaches_the_official_by_a_signed_link(
    zalo_app: App, zalo: FakeZaloBot
) -> None:
    """Zalo's photo links expire: the bot keeps the bytes and serves them through its own signed link."""
    resident = Resident(zalo, RESIDENT)
    await resident.say("/gui")
    await resident.say("1")  # phản ánh
    await resident.say("Cống thoát nước trước nhà văn hóa bị vỡ, nước tràn ra đường")
    await resident.say("tan son")
    await zalo.push(zalo.make_update(RESIDENT, photo_url=zalo.photo_url("cong.jpg")))
    assert "Đã nhận 1 ảnh" in str(
        (await zalo.next_sent(RESIDENT, after=resident.seen, timeout=8)).params["text"]
    )
    resident.seen += 1
    zalo.expire_media()  # from now on Zalo's own link answers 404
    await resident.say("1")  # Xong
    await resident.say("không")  # no contact details
    receipt = await resident.say("gửi")
    assert CODE_RE.search(receipt), receipt
    for _ in range(80):
        photos = [s for s in zalo.sent if s.chat_id == OFFICIAL and s.method == "sendPhoto"]
        if photos:
            break
        await asyncio.sleep(0.1)
    [photo] = photos
    url = str(photo.params["photo"])
    assert url.startswith(zalo_app.settings.PUBLIC_BASE_URL + "/media/") and "sig=" in url
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as response:
            assert response.status == 200 and await response.read() == PHOTO_BYTES
        async with http.get(url[:-4] + "0000") as response:
            assert response.status == 403  # a link that was not signed by the bot


def test_a_long_answer_is_split_under_zalos_limit() -> None:
    from channels.zalo.wire import split_text

    text = "\n\n".join(f"Đoạn {i}: " + "nội dung công khai " * 30 for i in range(12))
    parts = split_text(text)
    assert len(parts) > 1 and all(len(p.encode("utf-16-le")) // 2 <= 2000 for p in parts)
    assert " ".join(parts).split() == text.split()  # nothing lost, cut only between words
