"""Residents on Zalo: the whole app against a fake Zalo Bot Platform, in polling and in webhook mode."""

from __future__ import annotations

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
from tests.fakes.zalo import SECRET_HEADER, FakeZaloBot

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
        "WEB_PORT": 0,
        "DEMO_DATA": False,
    }
    if request.param == "webhook":
        port = free_port()
        values.update(
            WEB_PORT=port,
            ZALO_WEBHOOK_URL=f"http://127.0.0.1:{port}/zalo/webhook",
            ZALO_WEBHOOK_SECRET=SECRET,
        )
    app = App(Settings(_env_file=None, **values), clock=clock)
    await app.start()
    async with app.store.uow() as uow:
        await import_data(uow, load_file(MINI), clock())
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


def test_a_long_answer_is_split_under_zalos_limit() -> None:
    from channels.zalo.wire import split_text

    text = "\n\n".join(f"Đoạn {i}: " + "nội dung công khai " * 30 for i in range(12))
    parts = split_text(text)
    assert len(parts) > 1 and all(len(p.encode("utf-16-le")) // 2 <= 2000 for p in parts)
    assert " ".join(parts).split() == text.split()  # nothing lost, cut only between words
