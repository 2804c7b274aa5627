"""A messenger down for five minutes (of the fake clock) while residents write: afterwards every
reply is delivered, once, in order per chat, and nothing is given up because of the outage.

The bot takes updates by webhook (they keep arriving: it is the messenger's sending API that is
down), queues its replies, and the outbox retries with a back-off capped at
`bot.delivery.outcomes.MAX_BACKOFF_SECONDS`; the clock moves 20 s a step, so a five-minute outage is
many attempts in a few seconds of real time. A hang costs the client's own timeout in real time
(python-telegram-bot: 5 s), so the hang outage lasts until every chat has had an attempt cut off.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest

from bot.app import App
from bot.config import Settings
from bot.delivery.outcomes import MAX_BACKOFF_SECONDS
from storage.importer import import_data, load_file
from storage.models import OutboxMessage
from tests.conftest import MINI
from tests.e2e.conftest import AppFactory, ManualClock, free_port, outbox_rows, wait_for
from tests.fakes.telegram import FakeTelegram
from tests.fakes.zalo import FakeZaloBot

pytestmark = pytest.mark.e2e

OUTAGE = 300.0  # seconds of the fake clock
STEP = 20.0
ROAD_QUESTION = "duong thon tan son dai bao nhieu"
# what residents write, and a piece of each answer (per chat, answers must come in this order)
ASKED = [("/start", "Xã Tân Lập"), ("/lich", "08/12/2026"), (ROAD_QUESTION, "850")]


async def ride_out(
    app: App,
    clock: ManualClock,
    residents: list[str],
    push: Callable[[str, str], Awaitable[Any]],
    long_enough: Callable[[], bool],
    end_outage: Callable[[], Awaitable[None]],
    replies: Callable[[], int],
) -> None:
    """Residents write while the messenger is down; the clock runs through the outage (and on
    until `long_enough`), then the outage ends and the clock runs until
    every reply is out. Meanwhile no retry is put further off than the cap."""
    for text, _ in ASKED:
        await asyncio.gather(*(push(chat, text) for chat in residents))
    expected = len(residents) * len(ASKED)
    await _until(app, lambda: _queued(app, expected), "every reply queued")
    started = clock()
    while clock() - started < timedelta(seconds=OUTAGE) or not long_enough():
        clock.advance(STEP)
        _wake(app)
        await asyncio.sleep(0.05)
        for row in await outbox_rows(app):
            assert row.status in ("pending", "sending"), (row.status, row.last_error)
            assert row.next_attempt_at is not None
            ahead = (row.next_attempt_at - clock()).total_seconds()
            assert ahead <= MAX_BACKOFF_SECONDS, ahead
    await end_outage()
    for _ in range(int(MAX_BACKOFF_SECONDS / STEP) + 5):
        if replies() >= expected and not await _unsent(app):
            break
        clock.advance(STEP)
        _wake(app)
        await asyncio.sleep(0.2)
    await asyncio.sleep(0.3)  # a repeat would show itself now


async def _until(app: App, check: Callable[[], Awaitable[bool]], what: str) -> None:
    for _ in range(200):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def _queued(app: App, n: int) -> bool:
    return len(await outbox_rows(app)) >= n


async def _unsent(app: App) -> list[OutboxMessage]:
    return [row for row in await outbox_rows(app) if row.status != "sent"]


def _wake(app: App) -> None:
    assert app.outbox is not None
    app.outbox.wake()


def in_order(texts: list[str]) -> bool:
    return len(texts) == len(ASKED) and all(
        mark in text for text, (_, mark) in zip(texts, ASKED, strict=True)
    )


async def assert_all_delivered_once(
    app: App, texts_to: Callable[[str], list[str]], residents: list[str]
) -> None:
    for chat in residents:
        texts = texts_to(chat)
        assert in_order(texts), (chat, [t[:40] for t in texts])  # one each, in order: no duplicate
    rows = [row for row in await outbox_rows(app) if row.chat_id in residents]
    assert {row.status for row in rows} == {"sent"}, {(r.status, r.last_error) for r in rows}
    tries: dict[str, int] = {}
    for row in rows:  # a chat's head is tried again and again; the rest wait behind it
        tries[row.chat_id] = max(tries.get(row.chat_id, 0), row.attempts)
    assert min(tries.values()) >= 2 and len(tries) == len(residents), tries


@pytest.mark.parametrize("kind", ["502", "refuse", "hang"])
async def test_telegram_down_five_minutes_every_reply_delivered_once_in_order(
    kind: str, start_app: AppFactory, fake_telegram: FakeTelegram, clock: ManualClock
) -> None:
    app = await start_app("webhook")
    residents = [str(2001 + i) for i in range(4)]
    await fake_telegram.outage(kind)
    # a hang: on until every chat's first attempt timed out and a second one hangs
    hung_twice = (lambda: fake_telegram.hung >= 2 * len(residents)) if kind == "hang" else (lambda: True)

    def texts_to(chat: str) -> list[str]:
        return [str(s["text"]) for s in fake_telegram.sent_to(chat) if s["method"] == "sendMessage"]

    await ride_out(
        app,
        clock,
        residents,
        lambda chat, text: fake_telegram.push_text(int(chat), text),
        hung_twice,
        lambda: fake_telegram.outage(None),
        lambda: len(fake_telegram.sent),
    )
    await assert_all_delivered_once(app, texts_to, residents)


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZaloBot]:
    async with FakeZaloBot(echo_own_sends=False) as fake:
        yield fake


@pytest.fixture
async def zalo_app(database_url: str, zalo: FakeZaloBot, clock: ManualClock) -> AsyncIterator[App]:
    port = free_port()
    settings = Settings(
        _env_file=None,
        DATABASE_URL=database_url,
        ZALO_BOT_TOKEN=zalo.token,
        ZALO_API_BASE_URL=zalo.api_base,
        ZALO_WEBHOOK_URL=f"http://127.0.0.1:{port}/zalo/webhook",
        ZALO_WEBHOOK_SECRET="zalo-Secret_42",
        WEB_HOST="127.0.0.1",
        WEB_PORT=port,
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        DEMO_DATA=False,
    )
    app = App(settings, clock=clock)
    await app.start()
    async with app.store.uow() as uow:
        await import_data(uow, load_file(MINI), clock())
    await wait_for(lambda: zalo._webhook is not None, what="setWebhook")
    try:
        yield app
    finally:
        stopping = asyncio.ensure_future(app.stop())
        while not stopping.done():  # the outbox may sleep through stop()'s wake-up (see AppFactory.stop)
            await asyncio.wait({stopping}, timeout=0.05)
            _wake(app)
        await stopping


@pytest.mark.parametrize("kind", ["502", "refuse"])  # a hang costs Zalo's client 15 s: bench/faults.py
async def test_zalo_down_five_minutes_every_reply_delivered_once_in_order(
    kind: str, zalo_app: App, zalo: FakeZaloBot, clock: ManualClock
) -> None:
    residents = [f"zr-{i}" for i in range(4)]
    await zalo.outage(kind)

    def replies() -> int:
        return sum(1 for s in zalo.sent if s.method == "sendMessage")

    await ride_out(
        zalo_app, clock, residents, zalo.push_text, lambda: True, lambda: zalo.outage(None), replies
    )
    await assert_all_delivered_once(zalo_app, zalo.texts_to, residents)


async def test_after_an_outage_the_backlog_leaves_when_telegram_answers_again_not_at_the_back_off(
    start_app: AppFactory, fake_telegram: FakeTelegram, clock: ManualClock
) -> None:
    """Issue 17: the chats held by back-off (minutes, by the end of an outage) are due again as soon
    as one send succeeds, here the answer to someone who writes after the outage; the clock stands
    still, so without that they would wait their back-off out."""
    app = await start_app("webhook")
    residents = [str(2101 + i) for i in range(4)]
    await fake_telegram.outage("502")
    for text, _ in ASKED:
        await asyncio.gather(*(fake_telegram.push_text(int(chat), text) for chat in residents))
    await _until(app, lambda: _queued(app, len(residents) * len(ASKED)), "every reply queued")
    started = clock()

    async def held_for_a_minute() -> bool:
        heads = [r for r in await outbox_rows(app) if r.attempts > 0]
        return len(heads) == len(residents) and all(
            r.next_attempt_at is not None and (r.next_attempt_at - clock()).total_seconds() > 60
            for r in heads
        )

    while clock() - started < timedelta(seconds=OUTAGE) or not await held_for_a_minute():
        clock.advance(STEP)
        _wake(app)
        await asyncio.sleep(0.05)
    await fake_telegram.outage(None)
    await fake_telegram.push_text(2199, "/start")  # the first send after the outage

    def texts_to(chat: str) -> list[str]:
        return [str(s["text"]) for s in fake_telegram.sent_to(chat) if s["method"] == "sendMessage"]

    await wait_for(
        lambda: all(len(texts_to(chat)) == len(ASKED) for chat in residents),
        timeout=10,
        what="the backlog sent once Telegram answers",
    )
    await asyncio.sleep(0.3)  # a repeat would show itself now
    await assert_all_delivered_once(app, texts_to, residents)
