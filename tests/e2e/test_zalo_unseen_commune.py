"""Issue 15's "Done when", driven from outside through the fake Zalo Bot Platform, on a commune
nobody tuned the bot on (tests/fixtures/unseen-zalo-commune.yaml, Xã Tân Phước, written by someone
who had not seen the code; copied unchanged), in polling and in webhook mode.

One story per mode, on one app (the real clock, so reminders fire when due):
a resident asks questions from the commune's documents and gets answers naming their source, reads
/lich, subscribes to Ấp Kinh Xáng's reminders, files a petition by typing numbers to a tracking
code; an official (Zalo only: no Telegram runs) answers with /traloi and the resident gets it;
/tracuu shows it to the resident and nothing to a stranger; forged webhooks are refused and store
nothing; a redelivered, re-served or echoed update is answered once or not at all; and the two
village meetings' reminders reach their Zalo-only villages the configured way: Ấp Phước Lợi's
group through its admin (relay), Ấp Kinh Xáng's residents who subscribed (fanout). Only the two
meetings' start times are moved: out of the way at first (weeks ahead: as written, a reminder of
theirs due within the hour before the test would go out at its start, on 9 and 10 Jan 2027), then,
imported again at the end, to a day or two from now, so that their reminders fall due during the test.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from bot.app import App
from bot.config import Settings
from storage.importer import import_data, load_file
from storage.models import InboundUpdate
from tests.conftest import FIXTURES
from tests.e2e.conftest import count_rows, free_port, wait_for
from tests.e2e.petition_steps import CODE_RE, NOTHING
from tests.e2e.test_conversations import ZaloChat
from tests.fakes.zalo import SECRET_HEADER, FakeZaloBot

pytestmark = pytest.mark.e2e

UNSEEN = FIXTURES / "unseen-zalo-commune.yaml"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
SECRET = "tan-phuoc_Secret-7"
RESIDENT, NEIGHBOUR, STRANGER = "zr-tp-101", "zr-tp-202", "zr-tp-999"
# Trần Thị Mỹ is on Zalo only; the officials with a Telegram account are reached through the file's
# Telegram officials' group (its posts wait in the outbox until Telegram runs).
OFFICIAL = "2201938475561029384"
RELAY_ADMIN = "9910293847761029385"  # Nguyễn Văn Lực runs the Ấp Phước Lợi group (reach: relay)
PHUOC_LOI_GROUP, KINH_XANG_GROUP = "5520193846671029384", "6610293847712093847"
DUE_IN = 2.0  # seconds until the two meetings' reminders are due, once moved


@dataclass
class Story:
    app: App
    zalo: FakeZaloBot
    mode: str
    port: int


def moved(
    data: dict[str, Any], now: datetime, due_in: timedelta = timedelta(seconds=DUE_IN)
) -> dict[str, Any]:
    """The file's two village meetings, moved so that their first reminder falls due in `due_in`."""
    for event in data["events"]:
        before = {"hop-dan-ap-phuoc-loi": timedelta(days=1), "hop-dan-ap-kinh-xang": timedelta(days=2)}
        if event["id"] in before:
            start = now + before[event["id"]] + due_in
            event["start"] = start.astimezone(VN).replace(microsecond=0).isoformat()
    return data


@pytest.fixture(params=["polling", "webhook"])
async def story(request: pytest.FixtureRequest, database_url: str) -> AsyncIterator[Story]:
    # re-serves every 4th update it hands out, as live Zalo does (polling); echoes every send
    async with FakeZaloBot(reserve_every=4) as zalo:
        port = free_port()
        values: dict[str, Any] = {
            "DATABASE_URL": database_url,
            "ZALO_BOT_TOKEN": zalo.token,
            "ZALO_API_BASE_URL": zalo.api_base,
            "ZALO_POLL_INTERVAL": 0,
            "ZALO_MAX_PER_SECOND": 0,
            "ZALO_PRIVATE_MAX_PER_SECOND": 0,
            "WEB_HOST": "127.0.0.1",
            "WEB_PORT": port,
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "QUIET_HOURS": "",
            "POSTS_TICK_SECONDS": 0.5,
            "DEMO_DATA": False,
        }
        if request.param == "webhook":
            values.update(
                ZALO_WEBHOOK_URL=f"http://127.0.0.1:{port}/zalo/webhook", ZALO_WEBHOOK_SECRET=SECRET
            )
        app = App(Settings(_env_file=None, **values))  # the real clock
        await app.start()
        try:
            async with app.store.uow() as uow:
                now = datetime.now(UTC)  # as written, but for the two meetings, weeks ahead
                await import_data(uow, moved(load_file(UNSEEN), now, due_in=timedelta(days=21)), now)
            if request.param == "webhook":
                await wait_for(lambda: zalo._webhook is not None, what="setWebhook")
            yield Story(app, zalo, request.param, port)
        finally:
            await app.stop()


async def sent_to(zalo: FakeZaloBot, chat: str, after: int, timeout: float = 8) -> str:
    return str((await zalo.next_sent(chat, after=after, timeout=timeout)).params["text"])


async def one_with(zalo: FakeZaloBot, chat: str, needle: str, timeout: float = 8) -> str:
    """The one message to the chat containing `needle` (waiting for it); a second one fails."""
    await wait_for(
        lambda: any(needle in t for t in zalo.texts_to(chat)),
        timeout=timeout,
        what=f"{needle} in {chat}: {[(s.chat_id, str(s.params.get('text'))[:60]) for s in zalo.sent if s.method != 'sendChatAction'][-8:]}",
    )
    found = [t for t in zalo.texts_to(chat) if needle in t]
    assert len(found) == 1, "\n---\n".join(zalo.texts_to(chat))
    [text] = found
    return text


async def test_a_zalo_commune_nobody_tuned_on_works_end_to_end(story: Story) -> None:
    zalo, app = story.zalo, story.app
    resident, neighbour = ZaloChat(zalo, RESIDENT), ZaloChat(zalo, NEIGHBOUR)

    # -- a neighbour in Ấp Kinh Xáng subscribes to its reminders, by typing
    assert "Ấp Kinh Xáng" in await neighbour.say("/dangky")
    assert "tin gì" in await neighbour.choose("Ấp Kinh Xáng")
    assert "Đã đăng ký" in await neighbour.say("1") and "Ấp Kinh Xáng" in neighbour.last

    # -- answers naming their source
    bridge = await resident.say("cầu kênh Xáng dài bao nhiêu mét")
    assert "24 m" in bridge and "Nguồn: Công khai dự án xây dựng cầu kênh Xáng (Ấp Kinh Xáng)" in bridge
    share = await resident.say("mỗi hộ ấp phước lợi góp bao nhiêu tiền làm đường đal")
    assert "400.000 đồng/hộ" in share and "Nguồn: Mức đóng góp làm đường đal Ấp Phước Lợi" in share
    birth = await resident.say("làm giấy khai sinh cho con cần giấy tờ gì")
    assert "giấy chứng sinh" in birth and "Nguồn: Thủ tục đăng ký khai sinh" in birth

    # -- /lich: the chairman's reception days, where
    schedule = await resident.say("/lich")
    assert "Chủ tịch UBND xã tiếp công dân định kỳ" in schedule
    assert "Phòng tiếp công dân, trụ sở UBND xã (Ấp Tân Hòa)" in schedule

    # -- a petition by numbered choices, to a tracking code
    assert "loại nào" in await resident.say("/gui")
    assert "mô tả nội dung" in await resident.choose("Kiến nghị")
    place = await resident.say("Đề nghị xã lắp đèn chiếu sáng đoạn đường đal gần bến đò Ấp Phước Lợi")
    assert "Ấp Phước Lợi" in place and "nhắn số" in place
    assert "ảnh" in await resident.choose("Ấp Phước Lợi")
    assert "họ tên" in await resident.choose("Bỏ qua")
    assert "họ và tên" in await resident.choose("Có")
    await resident.say("Huỳnh Thị Lan")
    summary = await resident.say("0907 123 456")
    assert "Ấp Phước Lợi" in summary and "Huỳnh Thị Lan" in summary
    receipt = await resident.choose("Gửi")
    found = CODE_RE.search(receipt)
    assert found and found.group().startswith("KN-"), receipt
    code = found.group()

    # -- an official on Zalo only gets it privately, redacted, and answers with /traloi
    announcement = await one_with(zalo, OFFICIAL, code)
    assert code in announcement and f"/traloi {code}" in announcement and "Ấp Phước Lợi" in announcement
    assert "Huỳnh Thị Lan" not in announcement and "0907" not in announcement
    await zalo.push_text(OFFICIAL, f"/traloi {code} Tuần sau điện lực lắp hai bóng đèn ở bến đò.")
    await one_with(zalo, OFFICIAL, "đã gửi đến người gửi")
    resident.seen += 1
    answer = await sent_to(zalo, RESIDENT, resident.seen - 1)
    assert answer == f"📩 UBND xã trả lời hồ sơ {code}:\nTuần sau điện lực lắp hai bóng đèn ở bến đò."

    # -- /tracuu: the resident sees the answer; a stranger sees nothing of it
    tracked = await resident.say(f"/tracuu {code}")
    assert code in tracked and "lắp hai bóng đèn" in tracked and "Kiến nghị" in tracked
    looked_up = await ZaloChat(zalo, STRANGER).say(f"/tracuu {code}")
    assert NOTHING in looked_up
    assert "bóng đèn" not in looked_up and "Huỳnh" not in looked_up and "Phước Lợi" not in looked_up

    # -- forged webhooks are refused and store nothing (no webhook route at all while polling)
    stored = await count_rows(app, InboundUpdate)
    url = f"http://127.0.0.1:{story.port}/zalo/webhook"
    forged = zalo.make_update(RESIDENT, text=f"/tracuu {code}")
    refused = 403 if story.mode == "webhook" else 404
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {SECRET_HEADER: "not-the-secret"}, {SECRET_HEADER: SECRET[:-1]}):
            async with http.post(url, json={"ok": True, "result": forged}, headers=headers) as response:
                assert response.status == refused
    assert await count_rows(app, InboundUpdate) == stored

    # -- a redelivered message is answered once; echoes of the bot's sends are never answered
    update = zalo.make_update(RESIDENT, text="/lich")
    await zalo.push(update)
    await zalo.push(update)
    assert "tiếp công dân" in await sent_to(zalo, RESIDENT, resident.seen)
    resident.seen += 1
    assert "lắp hai bóng đèn" in await resident.say(
        f"/tracuu {code}"
    )  # the next one: the repeat was before it
    await asyncio.sleep(0.5)
    assert len(zalo.texts_to(RESIDENT)) == resident.seen  # nothing answered twice
    assert not [s for s in zalo.sent if s.chat_id == zalo.bot_id]  # no echo was answered
    answered = await count_rows(app, InboundUpdate)
    assert answered == stored + 2  # /lich once, /tracuu once

    # -- the two village meetings' reminders, the configured way, once
    async with app.store.uow() as uow:  # the file again, its two village meetings moved
        await import_data(uow, moved(load_file(UNSEEN), datetime.now(UTC)), datetime.now(UTC))
    relayed = await one_with(zalo, RELAY_ADMIN, "Nhắc lịch", timeout=DUE_IN + 10)  # to forward as it is
    assert relayed.startswith("🔔 Nhắc lịch: Họp dân Ấp Phước Lợi bàn làm đường đal")
    after = zalo.texts_to(RELAY_ADMIN).index(relayed) + 1
    ask = await sent_to(zalo, RELAY_ADMIN, after)  # right after it: the request to post it
    assert "«Bà con Ấp Phước Lợi»" in ask and "1. Đã đăng" in ask
    await zalo.push_text(RELAY_ADMIN, "đã đăng")
    await one_with(zalo, RELAY_ADMIN, "đã ghi nhận tin được đăng vào nhóm «Bà con Ấp Phước Lợi»")
    fanned = await sent_to(zalo, NEIGHBOUR, neighbour.seen, timeout=DUE_IN + 10)
    assert "Nhắc lịch: Họp dân Ấp Kinh Xáng phổ biến thi công cầu kênh Xáng" in fanned
    await asyncio.sleep(1.5)  # several more ticks: nothing more
    assert len(zalo.texts_to(NEIGHBOUR)) == neighbour.seen + 1
    assert not [s for s in zalo.sent if s.chat_id in (PHUOC_LOI_GROUP, KINH_XANG_GROUP)]  # closed to bots
    assert not [t for t in zalo.texts_to(RESIDENT) if "Nhắc lịch" in t]  # not subscribed
