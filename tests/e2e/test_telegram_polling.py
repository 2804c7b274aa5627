"""Telegram by long polling: the whole App against the fake Bot API.

Telegram only, on purpose: these test Telegram's transport and limits as python-telegram-bot
meets them (deleteWebhook before getUpdates, allowed_updates, answerCallbackQuery, Telegram's 429
with retry_after, 5xx and Bad Gateway, Telegram down at start, its groups, 1 message/s per private
chat), and the pipeline's recovery across restarts, which is the same for every channel. The
conversations themselves (greeting, questions, /lich, petitions) run on Telegram AND Zalo in
test_conversations.py and test_petitions*.py; Zalo's own transport is in test_zalo.py.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from typing import Any

import pytest

from tests.e2e.conftest import (
    AppFactory,
    ManualClock,
    eventually,
    expect_silence,
    outbox_rows,
    sent_after_retries,
    wait_for,
)
from tests.fakes.telegram import FakeTelegram

pytestmark = pytest.mark.e2e

CHAT = 1001
GROUP = -1009000000777
ROAD_QUESTION = "duong thon tan son dai bao nhieu"
ROAD_SOURCE = "Nguồn: Công khai công trình bê tông hóa đường trục thôn số 2"
DIALOGUE = "Thứ Ba, 08/12/2026, 14 giờ 00 — Hội trường UBND xã"


def sends(fake: FakeTelegram, chat_id: int, method: str = "sendMessage") -> list[str]:
    return [str(s["text"]) for s in fake.sent_to(chat_id) if s["method"] == method]


def requests_of(fake: FakeTelegram, method: str) -> int:
    return sum(1 for name, _ in fake.requests if name == method)


async def test_menu_button_shows_schedule_and_answers_callback(
    start_app: AppFactory, fake_telegram: FakeTelegram
) -> None:
    await start_app()
    await fake_telegram.push_text(CHAT, "/start")
    menu = await fake_telegram.next_sent(CHAT)
    update = await fake_telegram.push_callback(
        CHAT, CHAT, "cmd:lich", message_id=menu["result"]["message_id"]
    )
    schedule = await fake_telegram.next_sent(CHAT, method="sendMessage")
    assert DIALOGUE in schedule["text"]
    answered = await fake_telegram.next_sent(method="answerCallbackQuery")
    assert answered["params"]["callback_query_id"] == update["callback_query"]["id"]


async def test_polling_drops_webhook_then_polls(start_app: AppFactory, fake_telegram: FakeTelegram) -> None:
    await start_app()
    await fake_telegram.push_text(CHAT, "/start")
    await fake_telegram.next_sent(CHAT)
    methods = [name for name, _ in fake_telegram.requests]
    assert "deleteWebhook" in methods
    assert "getUpdates" in methods
    assert methods.index("deleteWebhook") < methods.index("getUpdates")
    polls = [params for name, params in fake_telegram.requests if name == "getUpdates"]
    assert polls[0]["timeout"] == 1
    assert set(polls[0]["allowed_updates"]) == {"message", "callback_query"}


async def test_update_delivered_twice_is_answered_once(
    start_app: AppFactory, fake_telegram: FakeTelegram
) -> None:
    await start_app()
    update = fake_telegram.make_text_update(CHAT, "/start")
    await fake_telegram.push(update)
    await fake_telegram.push(update)
    await fake_telegram.next_sent(CHAT)
    await fake_telegram.push_text(CHAT, "/lich")  # a later update: the repeat was decided before it
    await fake_telegram.next_sent(CHAT)
    await expect_silence(fake_telegram, CHAT)
    texts = sends(fake_telegram, CHAT)
    assert len(texts) == 2
    assert "Xã Tân Lập" in texts[0]
    assert DIALOGUE in texts[1]


async def test_429_on_send_still_delivers_once(
    start_app: AppFactory, fake_telegram: FakeTelegram, clock: ManualClock
) -> None:
    app = await start_app()
    fake_telegram.fail_next("sendMessage", status=429, retry_after=1)
    await fake_telegram.push_text(CHAT, "/start")
    sent = await sent_after_retries(fake_telegram, app, clock, CHAT)  # the chat waits as told
    assert "Xã Tân Lập" in sent["text"]
    await expect_silence(fake_telegram, CHAT)
    assert fake_telegram.too_many_requests == 1
    assert requests_of(fake_telegram, "sendMessage") == 2
    assert len(sends(fake_telegram, CHAT)) == 1


async def test_repeated_429_goes_back_to_outbox_and_is_delivered_once(
    start_app: AppFactory, fake_telegram: FakeTelegram, clock: ManualClock
) -> None:
    app = await start_app()
    fake_telegram.fail_next("sendMessage", status=429, retry_after=1, count=2)
    await fake_telegram.push_text(CHAT, "/start")
    sent = await sent_after_retries(fake_telegram, app, clock, CHAT)
    assert "Xã Tân Lập" in sent["text"]
    await expect_silence(fake_telegram, CHAT)
    assert len(sends(fake_telegram, CHAT)) == 1
    [row] = await outbox_rows(app)
    assert row.status == "sent"
    assert row.attempts == 3  # two ended in 429 (each put the chat off as told), the third delivered


async def test_5xx_twice_is_retried_and_delivered_once(
    start_app: AppFactory, fake_telegram: FakeTelegram, clock: ManualClock
) -> None:
    app = await start_app()
    fake_telegram.fail_next("sendMessage", status=500, count=2)
    await fake_telegram.push_text(CHAT, ROAD_QUESTION)
    sent = await sent_after_retries(fake_telegram, app, clock, CHAT)
    assert ROAD_SOURCE in sent["text"]
    await expect_silence(fake_telegram, CHAT)
    assert requests_of(fake_telegram, "sendMessage") == 3
    assert len(sends(fake_telegram, CHAT)) == 1
    [row] = await outbox_rows(app)
    assert (row.status, row.attempts) == ("sent", 3)


async def test_bad_gateway_on_send_delivers_once_after_recovery(
    start_app: AppFactory, fake_telegram: FakeTelegram, clock: ManualClock
) -> None:
    app = await start_app()
    fake_telegram.fail_next("sendMessage", status=502, count=3)
    await fake_telegram.push_text(CHAT, "/lich")
    sent = await sent_after_retries(fake_telegram, app, clock, CHAT)
    assert DIALOGUE in sent["text"]
    await expect_silence(fake_telegram, CHAT)
    assert requests_of(fake_telegram, "sendMessage") == 4
    assert len(sends(fake_telegram, CHAT)) == 1


async def test_telegram_down_while_polling_then_message_is_answered(
    start_app: AppFactory, fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="channels.telegram")
    await start_app()
    fake_telegram.set_down(True)
    await wait_for(
        lambda: any("getUpdates failed" in r.getMessage() for r in caplog.records),
        what="a getUpdates call failing while Telegram is down",
    )
    await fake_telegram.push_text(CHAT, "/start")
    fake_telegram.set_down(False)
    sent = await fake_telegram.next_sent(CHAT, timeout=5)
    assert "Xã Tân Lập" in sent["text"]
    await expect_silence(fake_telegram, CHAT)
    assert len(sends(fake_telegram, CHAT)) == 1


async def test_reply_pending_at_stop_is_delivered_once_after_restart(
    start_app: AppFactory, fake_telegram: FakeTelegram, clock: ManualClock
) -> None:
    first = await start_app()
    fake_telegram.fail_next("sendMessage", status=500)  # the clock stands still: no retry before stop
    await fake_telegram.push_text(CHAT, "/start")
    await wait_for(lambda: requests_of(fake_telegram, "sendMessage") == 1, what="the failed send")

    async def retry_recorded() -> bool:
        rows = await outbox_rows(first)
        return len(rows) == 1 and rows[0].status == "pending" and rows[0].attempts == 1

    await eventually(retry_recorded, what="the retry to be recorded")
    await start_app.stop(first)
    assert sends(fake_telegram, CHAT) == []

    clock.advance(60)  # the back-off has passed when the bot comes back
    second = await start_app(data=None)
    sent = await fake_telegram.next_sent(CHAT, timeout=5)
    assert "Xã Tân Lập" in sent["text"]
    await expect_silence(fake_telegram, CHAT)
    assert len(sends(fake_telegram, CHAT)) == 1
    [row] = await outbox_rows(second)
    assert (row.status, row.attempts) == ("sent", 2)


async def test_update_stored_but_not_handled_is_handled_after_restart(
    start_app: AppFactory, fake_telegram: FakeTelegram, clock: ManualClock
) -> None:
    first = await start_app()
    update = fake_telegram.make_text_update(CHAT, "/start")
    # As if the process died between storing the update and handling it.
    assert await first.pipeline.accept("telegram", str(update["update_id"]), update) is not None
    await start_app.stop(first)
    assert sends(fake_telegram, CHAT) == []

    clock.advance(1)
    await start_app(data=None)
    sent = await fake_telegram.next_sent(CHAT, timeout=5)
    assert "Xã Tân Lập" in sent["text"]
    await fake_telegram.push(update)  # Telegram redelivers it: already handled, no second answer
    await expect_silence(fake_telegram, CHAT)
    assert len(sends(fake_telegram, CHAT)) == 1


async def test_command_in_group_is_answered(start_app: AppFactory, fake_telegram: FakeTelegram) -> None:
    await start_app()
    await fake_telegram.push_text(GROUP, "/lich", user_id=4242)
    sent = await fake_telegram.next_sent(GROUP)
    assert DIALOGUE in sent["text"]


async def test_plain_text_in_group_is_not_answered(
    start_app: AppFactory, fake_telegram: FakeTelegram
) -> None:
    await start_app()
    await fake_telegram.push_text(GROUP, ROAD_QUESTION, user_id=4242)
    await fake_telegram.push_text(GROUP, "/lich", user_id=4242)
    await fake_telegram.next_sent(GROUP)
    await expect_silence(fake_telegram, GROUP, seconds=0.5)
    texts = sends(fake_telegram, GROUP)
    assert len(texts) == 1, texts
    assert DIALOGUE in texts[0]


async def test_stop_during_an_outbox_pass_is_prompt(
    start_app: AppFactory, fake_telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = await start_app()
    assert app.outbox is not None
    outbox = app.outbox
    in_pass = asyncio.Event()
    real_pass = outbox.run_once

    async def slow_pass() -> int:  # a pass that takes a while, as on a busy database
        attempted = await real_pass()
        in_pass.set()
        await asyncio.sleep(0.3)
        return attempted

    monkeypatch.setattr(outbox, "run_once", slow_pass)
    outbox.wake()
    await asyncio.wait_for(in_pass.wait(), 5)
    start_app.forget(app)  # stopped here, not at teardown
    stopping = asyncio.ensure_future(app.stop())
    done, _ = await asyncio.wait({stopping}, timeout=1.5)
    while not stopping.done():  # with the bug: cut the 5 s wait short so the test stays fast
        outbox.wake()
        await asyncio.wait({stopping}, timeout=0.05)
    await stopping
    assert done, "App.stop() did not return within 1.5 s of a stop during an outbox pass"


async def test_blocked_user_is_given_up_and_others_still_served(
    start_app: AppFactory, fake_telegram: FakeTelegram
) -> None:
    app = await start_app()
    fake_telegram.block(CHAT)
    await fake_telegram.push_text(CHAT, "/start")
    await fake_telegram.push_text(CHAT + 1, "/start")
    assert "Xã Tân Lập" in (await fake_telegram.next_sent(CHAT + 1))["text"]

    async def given_up() -> bool:
        rows = [r for r in await outbox_rows(app) if r.chat_id == str(CHAT)]
        return len(rows) == 1 and rows[0].status == "failed"

    await eventually(given_up, what="the refused message to be given up")
    assert sends(fake_telegram, CHAT) == []
    fake_telegram.block(CHAT, blocked=False)  # the resident unblocks the bot and writes again
    await fake_telegram.push_text(CHAT, "/lich")
    assert DIALOGUE in (await fake_telegram.next_sent(CHAT))["text"]
    await expect_silence(fake_telegram, CHAT)
    assert len(sends(fake_telegram, CHAT)) == 1


async def test_replies_keep_the_order_of_the_questions(
    start_app: AppFactory, fake_telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = await start_app()
    search = app.services.search
    real_search = search.search

    async def slow_search(*args: Any, **kwargs: Any) -> Any:  # a busy database
        await asyncio.sleep(0.3)
        return await real_search(*args, **kwargs)

    monkeypatch.setattr(search, "search", slow_search)
    await fake_telegram.push_text(CHAT, ROAD_QUESTION)
    await fake_telegram.push_text(CHAT, "/start")
    first = await fake_telegram.next_sent(CHAT)
    second = await fake_telegram.next_sent(CHAT)
    assert ("850" in first["text"], "Xã Tân Lập" in second["text"]) == (True, True), (
        first["text"][:40],
        second["text"][:40],
    )


async def test_app_starts_while_telegram_is_down_and_serves_once_it_is_back(
    start_app: AppFactory, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.set_down(True)
    await start_app()
    fake_telegram.set_down(False)
    await fake_telegram.push_text(CHAT, "/start")
    assert "Xã Tân Lập" in (await fake_telegram.next_sent(CHAT, timeout=5))["text"]


async def test_quick_questions_in_a_private_chat_are_answered_one_per_second_without_429(
    start_app: AppFactory, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.enforce_limits = True  # Telegram's flood limits: here, 1 message/s per private chat
    await start_app(TELEGRAM_PRIVATE_MAX_PER_SECOND=1)
    for text in ("/start", "/lich", "/help"):
        await fake_telegram.push_text(CHAT, text)
    replies = [await fake_telegram.next_sent(CHAT, timeout=10) for _ in range(3)]
    assert fake_telegram.too_many_requests == 0
    gaps = [later["at"] - earlier["at"] for earlier, later in itertools.pairwise(replies)]
    assert min(gaps) >= 1.0, gaps
