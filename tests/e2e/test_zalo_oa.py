"""Residents on the commune's Zalo Official Account: the whole app against a fake OA (signed webhook,
customer-service messages, single-use rotating refresh tokens), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.app import App
from bot.config import Settings
from bot.oa_cli import set_token
from channels.contract import Retry, Sent
from channels.zalo_oa.adapter import ZaloOaChannel
from storage.importer import import_data, load_file
from storage.models import InboundUpdate
from storage.store import Store
from tests.conftest import MINI
from tests.e2e.conftest import ManualClock, count_rows, free_port, outbox_rows, wait_for
from tests.e2e.test_cli import bot_cli
from tests.fakes.zalo_oa import SIGNATURE_HEADER, FakeZaloOa

pytestmark = pytest.mark.e2e

RESIDENT = "oa-user-3107"
ROAD_QUESTION = "duong thon tan son dai bao nhieu"
ROAD_SOURCE = "Nguồn: Công khai công trình bê tông hóa đường trục thôn số 2"
DIALOGUE = "Thứ Ba, 08/12/2026, 14 giờ 00 — Hội trường UBND xã"


def oa_settings(database_url: str, oa: FakeZaloOa, **more: Any) -> Settings:
    return Settings(
        _env_file=None,
        DATABASE_URL=database_url,
        ZALO_OA_APP_ID=oa.app_id,
        ZALO_OA_SECRET_KEY=oa.secret_key,
        ZALO_OA_API_BASE_URL=oa.api_base,
        ZALO_OA_OAUTH_URL=oa.api_base,
        WEB_HOST="127.0.0.1",
        DEMO_DATA=False,
        **more,
    )


async def give_tokens(database_url: str, oa: FakeZaloOa, expires_in: int = 90_000) -> None:
    """What the operator does once: `python -m bot zalo-oa-token --access ... --refresh ...`."""
    store = Store(database_url)
    try:
        await set_token(store, oa.access_token, oa.refresh_token, expires_in, datetime.now(UTC))
    finally:
        await store.close()


async def stored_refresh_token(store: Store) -> str | None:
    async with store.uow() as uow:
        row = await uow.oa_tokens.get()
    return row.refresh_token if row else None


@pytest.fixture
async def oa() -> AsyncIterator[FakeZaloOa]:
    async with FakeZaloOa() as fake:
        yield fake


@pytest.fixture
async def oa_app(database_url: str, oa: FakeZaloOa, clock: ManualClock) -> AsyncIterator[App]:
    port = free_port()
    await give_tokens(database_url, oa)
    app = App(oa_settings(database_url, oa, WEB_PORT=port), clock=clock)
    await app.start()
    async with app.store.uow() as uow:
        await import_data(uow, load_file(MINI), clock())
    oa.webhook_url = f"http://127.0.0.1:{port}/zalo/oa/webhook"
    try:
        yield app
    finally:
        await app.stop()


async def test_a_resident_writes_to_the_oa_and_gets_a_free_reply_naming_their_message(
    oa_app: App, oa: FakeZaloOa
) -> None:
    event = await oa.push_text(RESIDENT, ROAD_QUESTION)
    answer = await oa.next_sent(RESIDENT)
    assert "850" in answer.text and ROAD_SOURCE in answer.text
    assert answer.reply_to == event["message"]["msg_id"]  # within 48 h: sent as a reply
    await oa.push_text(RESIDENT, "/start")
    menu = (await oa.next_sent(RESIDENT, after=1)).text
    assert "\n1. " in menu and "nhắn số" in menu  # no buttons on the OA: numbered choices


async def test_forged_unsigned_and_repeated_events(oa_app: App, oa: FakeZaloOa) -> None:
    """A wrong signature is refused (403) and stores nothing; the ping is answered; repeats once."""
    event = oa.make_event(RESIDENT, text="/lich")
    forged = oa.sign(b"{}", event["timestamp"])
    assert await oa.push(event, signature=forged) == 403
    assert await oa.push(event, signature=oa.sign(b"x", "1", secret_key="guess")) == 403
    assert await oa.ping() == 200  # registration: unsigned, answered, nothing processed
    assert await oa.push(event, signed=False) == 200  # unsigned is treated as the ping: ignored
    assert await count_rows(oa_app, InboundUpdate) == 0
    async with aiohttp.ClientSession() as http:
        big = b'{"timestamp": "1", "x": "' + b"x" * 300_000 + b'"}'
        async with http.post(oa.webhook_url, data=big, headers={SIGNATURE_HEADER: "mac=00"}) as response:
            assert response.status == 413
    follow = oa.make_event(RESIDENT, event_name="follow")
    assert await oa.push(follow) == 200
    assert await oa.push(event) == 200
    assert await oa.push(event) == 200  # Zalo redelivers: de-duplicated on msg_id
    await oa.next_sent(RESIDENT)
    await oa.push_text(RESIDENT, "/start")
    await oa.next_sent(RESIDENT, after=1)
    assert len(oa.texts_to(RESIDENT)) == 2 and DIALOGUE in oa.texts_to(RESIDENT)[0]
    assert await count_rows(oa_app, InboundUpdate) == 2


async def test_outside_the_window_a_reply_waits_until_the_resident_writes_again(
    oa_app: App, oa: FakeZaloOa, caplog: pytest.LogCaptureFixture
) -> None:
    oa.fail_next(-230)  # Zalo: the resident has not written in 7 days (as it says after a delay)
    with caplog.at_level(logging.WARNING, logger="channels.zalo_oa"):
        await oa.push_text(RESIDENT, "/lich")

        async def waiting() -> bool:
            rows = await outbox_rows(oa_app)
            return any(r.status == "pending" and "-230" in (r.last_error or "") for r in rows)

        for _ in range(300):
            if await waiting():
                break
            await asyncio.sleep(0.02)
        assert await waiting()
        assert oa.texts_to(RESIDENT) == []
        assert "7 days" in caplog.text
        await oa.push_text(RESIDENT, ROAD_QUESTION)  # they write again: what waited goes first
        await oa.next_sent(RESIDENT, after=1)
    texts = oa.texts_to(RESIDENT)
    assert DIALOGUE in texts[0] and ROAD_SOURCE in texts[1]


class _NoInbox:
    """These channels only send here."""

    async def accept(
        self, channel: str, key: str, payload: dict[str, Any], sender: str | None = None
    ) -> None:
        raise AssertionError("no webhook in this test")

    def process_later(self, inbound_id: int, channel: str, payload: dict[str, Any]) -> None: ...

    async def process(self, inbound_id: int, channel: str, payload: dict[str, Any]) -> None: ...


async def test_concurrent_refreshes_in_two_processes_lose_no_token(database_url: str, oa: FakeZaloOa) -> None:
    """The access token expires; 12 sends from two processes at once: ONE refresh spends the token."""
    await give_tokens(database_url, oa)
    stores = [Store(database_url), Store(database_url)]  # two processes' connections
    channels = [ZaloOaChannel(oa_settings(database_url, oa), _NoInbox(), s) for s in stores]
    try:
        for i, channel in enumerate(channels):
            assert isinstance(await channel.send(f"u{i}", {"text": "xin chào"}), Sent)  # caches acc-0
        oa.expire_access_token()
        results = await asyncio.gather(
            *(channels[i % 2].send(f"u{i}", {"text": f"tin {i}"}) for i in range(12))
        )
        assert all(isinstance(r, Sent) for r in results), results
        assert oa.refresh_calls == ["ref-0"]  # the stored refresh token was spent exactly once
        assert sorted(s.text for s in oa.sent[2:]) == sorted(f"tin {i}" for i in range(12))
        assert await stored_refresh_token(stores[0]) == oa.refresh_token != "ref-0"
        oa.expire_access_token()  # the stored token is the live one: the next refresh works
        assert isinstance(await channels[1].send("u1", {"text": "lần nữa"}), Sent)
        assert oa.refresh_calls[1] != "ref-0" and len(oa.refresh_calls) == 2
        assert await stored_refresh_token(stores[1]) == oa.refresh_token
    finally:
        for channel, store in zip(channels, stores, strict=True):
            await channel.stop()
            await store.close()


async def test_a_token_close_to_expiry_is_refreshed_before_sending(database_url: str, oa: FakeZaloOa) -> None:
    await give_tokens(database_url, oa, expires_in=1800)  # half an hour left
    store = Store(database_url)
    channel = ZaloOaChannel(oa_settings(database_url, oa), _NoInbox(), store)
    try:
        assert isinstance(await channel.send("u1", {"text": "xin chào"}), Sent)
        assert oa.refresh_calls == ["ref-0"] and oa.sent[0].access_token == oa.access_token
    finally:
        await channel.stop()
        await store.close()


async def test_a_dead_refresh_token_stops_sending_and_tells_the_operator(
    database_url: str, oa: FakeZaloOa, caplog: pytest.LogCaptureFixture
) -> None:
    await give_tokens(database_url, oa)
    oa.refresh_token = "ref-revoked-by-admin"  # the OA admin revoked the app's access
    oa.expire_access_token()
    store = Store(database_url)
    channel = ZaloOaChannel(oa_settings(database_url, oa), _NoInbox(), store)
    try:
        with caplog.at_level(logging.ERROR, logger="channels.zalo_oa"):
            first = await channel.send("u1", {"text": "xin chào"})
        assert isinstance(first, Retry)  # the message waits
        assert "grant the app access again" in caplog.text and "zalo-oa-token" in caplog.text
        assert isinstance(await channel.send("u1", {"text": "xin chào"}), Retry)
        assert oa.refresh_calls == ["ref-0"]  # a dead token is not presented again
        oa.refresh_token = "ref-new"
        oa.access_token = "acc-new"
        await set_token(store, "acc-new", "ref-new", None, datetime.now(UTC))  # granted again
        assert isinstance(await channel.send("u1", {"text": "xin chào"}), Sent)
        await wait_for(lambda: len(oa.sent) == 1, what="the send")
    finally:
        await channel.stop()
        await store.close()


async def test_the_operator_sets_the_tokens_from_the_command_line(
    database_url: str, oa: FakeZaloOa, tmp_path: Path
) -> None:
    """`python -m bot zalo-oa-token`: the OA then sends with them and refreshes with the stored one."""
    done = await bot_cli(
        tmp_path,
        "zalo-oa-token",
        "--access",
        oa.access_token,
        "--refresh",
        oa.refresh_token,
        "--expires-in",
        "90000",
        DATABASE_URL=database_url,
    )
    assert done.code == 0, done.err
    assert "Đã lưu token Zalo OA" in done.out
    store = Store(database_url)
    channel = ZaloOaChannel(oa_settings(database_url, oa), _NoInbox(), store)
    try:
        assert isinstance(await channel.send("u1", {"text": "xin chào"}), Sent)
        oa.expire_access_token()
        assert isinstance(await channel.send("u1", {"text": "lần nữa"}), Sent)
        assert oa.refresh_calls == ["ref-0"] and await stored_refresh_token(store) == oa.refresh_token
    finally:
        await channel.stop()
        await store.close()


async def test_a_reminder_for_an_oa_group_is_posted_by_the_official_account(
    database_url: str, oa: FakeZaloOa, clock: ManualClock
) -> None:
    """A Zalo village group the OA created (reach: oa_group) gets its reminder from the OA."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from bot.registry import reach
    from scheduled.reminders import queue_reminder

    vn = ZoneInfo("Asia/Ho_Chi_Minh")
    await give_tokens(database_url, oa)
    settings = oa_settings(database_url, oa, WEB_PORT=free_port())
    app = App(settings, clock=clock)
    await app.start()
    try:
        data = load_file(MINI)
        next(g for g in data["groups"] if g["id"] == "zalo-tan-son")["reach"] = "oa_group"
        async with app.store.uow() as uow:
            await import_data(uow, data, clock())
        sunday = datetime(2026, 11, 29, 7, 0, tzinfo=vn)  # the weekly clean-up, reminded P1D before
        clock.now = sunday - timedelta(days=1)
        queued = await queue_reminder(
            app.store, sunday - timedelta(days=1), vn, None, "ve-sinh-tan-son", sunday, "P1D", reach(settings)
        )
        assert queued == 1
        assert app.outbox is not None
        app.outbox.wake()
        posted = await oa.next_sent("group:4100000000000000001")
        assert posted.text.startswith("🔔 Nhắc lịch: Tổng vệ sinh")
    finally:
        await app.stop()


async def test_an_answer_outside_the_7_day_window_tells_the_official_and_goes_when_the_resident_writes(
    database_url: str, oa: FakeZaloOa, clock: ManualClock
) -> None:
    """Zalo lets the OA write to a resident only within 7 days of their last message."""
    official = "oa-official-9102"
    port = free_port()
    await give_tokens(database_url, oa)
    app = App(oa_settings(database_url, oa, WEB_PORT=port), clock=clock)
    await app.start()
    try:
        data = load_file(MINI)
        next(o for o in data["officials"] if o["id"] == "tran-thi-binh")["zalo_oa_user_id"] = official
        async with app.store.uow() as uow:
            await import_data(uow, data, clock())
        oa.webhook_url = f"http://127.0.0.1:{port}/zalo/oa/webhook"
        for n, text in enumerate(
            ("/gui", "1", "Cống thoát nước đầu ngõ bị tắc, nước tràn ra đường", "tan son")
        ):
            await oa.push_text(RESIDENT, text)
            await oa.next_sent(RESIDENT, after=n)
        for n, text in enumerate(("bỏ qua", "không", "gửi"), start=4):
            await oa.push_text(RESIDENT, text)
            receipt = (await oa.next_sent(RESIDENT, after=n)).text
        code = receipt.split("Mã hồ sơ: ", 1)[1][:9]
        assert code.startswith("PA-"), receipt

        clock.advance(8 * 24 * 3600)  # the resident has not written since
        oa.window_closed.add(RESIDENT)
        await oa.push_text(official, f"/traloi {code} Chiều nay tổ vệ sinh khơi thông cống.")
        told = (await oa.next_sent(official)).text
        assert "chưa nhắn cho Zalo OA của xã trong 7 ngày" in told and "khi họ nhắn lại" in told
        await asyncio.sleep(0.5)
        assert len(oa.texts_to(RESIDENT)) == 7  # the answer waits: Zalo refused it (-230)

        await oa.push_text(RESIDENT, "/lich")  # they write again: the answer goes first
        answer = (await oa.next_sent(RESIDENT, after=7, timeout=8)).text
        assert answer == f"📩 UBND xã trả lời hồ sơ {code}:\nChiều nay tổ vệ sinh khơi thông cống."
        assert DIALOGUE in (await oa.next_sent(RESIDENT, after=8)).text
    finally:
        await app.stop()
