"""The fake Bot API speaks the wire format python-telegram-bot expects (real telegram.Bot client)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web
from telegram import Bot, BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters, Update
from telegram.error import BadRequest, Conflict, InvalidToken, NetworkError, RetryAfter
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from tests.fakes.telegram import SECRET_HEADER, FakeTelegram

pytestmark = pytest.mark.asyncio

KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Gửi kiến nghị", callback_data="petition")]])


@pytest.fixture(autouse=True)
def timedelta_durations(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB 22 warns when RetryAfter.retry_after is read as an int; opt in to timedelta."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest_asyncio.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url) as client:
        yield client


async def until(condition: Callable[[], bool], timeout: float = 2.0) -> None:
    """Wait for a condition the test cannot be notified about (a request reaching the fake)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.005)


def polling(fake: FakeTelegram) -> Callable[[], bool]:
    return lambda: any(method == "getUpdates" for method, _ in fake.requests)


async def test_get_me_returns_the_bot_user(fake: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username, me.first_name) == (
        123456, True, "commune_test_bot", "Commune Bot",
    )  # fmt: skip
    assert me.can_join_groups is True
    assert bot.username == "commune_test_bot"


async def test_send_message_is_recorded_with_its_inline_keyboard_decoded(
    fake: FakeTelegram, bot: Bot
) -> None:
    message = await bot.send_message(42, "Xin chào", reply_markup=KEYBOARD)

    assert (message.message_id, message.chat.id, message.chat.type) == (1, 42, "private")
    assert message.from_user is not None and message.from_user.id == 123456
    assert message.reply_markup == KEYBOARD
    sent = await fake.next_sent(42)
    assert sent["method"] == "sendMessage"
    assert sent["params"]["chat_id"] == "42"
    assert sent["params"]["text"] == sent["text"] == "Xin chào"
    assert sent["params"]["reply_markup"] == {
        "inline_keyboard": [[{"text": "Gửi kiến nghị", "callback_data": "petition"}]]
    }
    assert fake.sent_to(42) == [sent]
    assert (await bot.send_message(-100777, "Nhóm")).chat.type == "supergroup"


async def test_replies_link_the_original_and_message_ids_count_per_chat(fake: FakeTelegram, bot: Bot) -> None:
    update = await fake.push_text(42, "câu hỏi")
    asked = update["message"]["message_id"]

    answer = await bot.send_message(42, "trả lời", reply_parameters=ReplyParameters(asked))

    assert answer.message_id == asked + 1
    assert answer.reply_to_message is not None and answer.reply_to_message.text == "câu hỏi"
    assert (await bot.send_message(43, "chat khác")).message_id == 1
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(42, "x", reply_parameters=ReplyParameters(999))


async def test_long_poll_returns_a_pushed_update_and_offset_confirms_it(fake: FakeTelegram, bot: Bot) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await until(polling(fake))
    pushed = await fake.push_text(42, "/start", first_name="Lan")

    [update] = await poll

    assert time.monotonic() - started < 5
    assert isinstance(update, Update)
    assert update.update_id == pushed["update_id"]
    assert update.message is not None and update.message.text == "/start"
    assert update.message.from_user is not None and update.message.from_user.first_name == "Lan"
    assert update.message.entities[0].type == "bot_command"
    assert [u.update_id for u in await bot.get_updates(timeout=0)] == [update.update_id]
    assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == ()
    assert (await bot.get_webhook_info()).pending_update_count == 0


async def test_long_poll_returns_nothing_when_no_update_arrives(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert time.monotonic() - started >= 0.9


async def test_get_updates_conflicts_while_a_webhook_is_set(fake: FakeTelegram, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await until(polling(fake))

    assert await bot.set_webhook("http://127.0.0.1:9/telegram/webhook") is True

    with pytest.raises(Conflict, match=r"(?i)terminated by setWebhook"):
        await poll
    with pytest.raises(Conflict, match=r"(?i)webhook is active"):
        await bot.get_updates(timeout=0)
    assert await bot.delete_webhook() is True
    assert await bot.get_updates(timeout=0) == ()


async def test_injected_429_raises_retry_after_and_the_next_call_succeeds(
    fake: FakeTelegram, bot: Bot
) -> None:
    fake.fail_next("sendMessage", status=429, retry_after=7)

    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(42, "lần 1")

    assert caught.value.retry_after == timedelta(seconds=7)
    assert fake.too_many_requests == 1
    assert fake.sent == []
    assert (await bot.send_message(42, "lần 2")).text == "lần 2"
    assert [entry["text"] for entry in fake.sent] == ["lần 2"]


async def test_server_errors_and_downtime_raise_network_error(fake: FakeTelegram, bot: Bot) -> None:
    fake.fail_next("sendMessage", status=500)
    with pytest.raises(NetworkError, match=r"(?i)Internal Server Error") as caught:
        await bot.send_message(42, "x")
    assert type(caught.value) is NetworkError

    fake.set_down(True)
    with pytest.raises(NetworkError, match=r"(?i)Bad Gateway") as down:
        await bot.get_me()
    assert type(down.value) is NetworkError

    fake.set_down(False)
    assert (await bot.get_me()).id == 123456


async def test_webhook_push_posts_the_update_with_the_secret_header(fake: FakeTelegram, bot: Bot) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []

    async def webhook(request: web.Request) -> web.Response:
        received.append((request.headers.get(SECRET_HEADER), await request.json()))
        return web.Response()

    app = web.Application()
    app.router.add_post("/telegram/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/telegram/webhook"
    try:
        assert await bot.set_webhook(url, secret_token="s3cret_Token-1") is True
        update = fake.make_text_update(-100500, "hello", user_id=9, chat_type="group")

        assert await fake.push(update) == 200
        statuses = await fake.push_many([fake.make_text_update(42, str(i)) for i in range(5)])
    finally:
        await runner.cleanup()

    assert statuses == [200] * 5
    secret, body = received[0]
    assert secret == "s3cret_Token-1"
    parsed = Update.de_json(body, bot)
    assert parsed.message is not None and parsed.message.text == "hello"
    assert parsed.message.chat.type == "group" and parsed.message.from_user is not None
    assert sorted(b["message"]["text"] for _, b in received[1:]) == ["0", "1", "2", "3", "4"]
    assert (await bot.get_webhook_info()).url == url


async def test_set_webhook_rejects_a_secret_with_forbidden_characters(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)secret token"):
        await bot.set_webhook("http://127.0.0.1:9/hook", secret_token="có dấu")


async def test_enforced_limits_refuse_the_21st_group_message_in_a_minute() -> None:
    async with (
        FakeTelegram(enforce_limits=True) as fake,
        Bot(fake.token, base_url=fake.base_url) as bot,
    ):
        for i in range(20):
            await bot.send_message(-100123, f"thông báo {i}")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(-100123, "thông báo 21")
        await bot.send_message(7, "riêng")
        with pytest.raises(RetryAfter):
            await bot.send_message(7, "riêng, quá nhanh")

    retry_after = caught.value.retry_after
    assert isinstance(retry_after, timedelta)
    assert timedelta(seconds=1) <= retry_after <= timedelta(seconds=60)
    assert fake.too_many_requests == 2
    assert len(fake.sent_to(-100123)) == 20 and len(fake.sent_to(7)) == 1


async def test_json_bodies_query_strings_and_bad_paths_follow_the_bot_api(
    fake: FakeTelegram,
) -> None:
    keyboard = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    async with aiohttp.ClientSession() as http:
        url = f"{fake.base_url}{fake.token}"
        async with http.post(
            f"{url}/sendMessage", json={"chat_id": 5, "text": "json", "reply_markup": keyboard}
        ) as r:
            assert (r.status, (await r.json())["result"]["text"]) == (200, "json")
        async with http.get(f"{url}/sendmessage", params={"chat_id": "5", "text": "query"}) as r:
            assert (await r.json())["result"]["message_id"] == 2
        async with http.post(f"{fake.base_url}999:WRONG/getMe") as r:
            assert (r.status, await r.json()) == (
                401, {"ok": False, "error_code": 401, "description": "Unauthorized"},
            )  # fmt: skip
        async with http.post(f"{url}/noSuchMethod") as r:
            assert (r.status, await r.json()) == (
                404, {"ok": False, "error_code": 404, "description": "Not Found"},
            )  # fmt: skip

    assert [e["params"]["chat_id"] for e in fake.sent] == ["5", "5"]
    assert fake.sent[0]["params"]["reply_markup"] == keyboard
    assert [method for method, _ in fake.requests] == ["sendMessage", "sendMessage", "noSuchMethod"]
    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", base_url=fake.base_url):
            pass


async def test_bad_text_is_refused_like_telegram_does(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(42, "   ")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(42, "a" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(42, "<b>đậm", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)reserved"):
        await bot.send_message(42, "Hạn chót: 15.3", parse_mode="MarkdownV2")
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        button = InlineKeyboardButton("x", callback_data="đ" * 40)
        await bot.send_message(42, "x", reply_markup=InlineKeyboardMarkup([[button]]))
    assert (await bot.send_message(42, "<b>đậm</b> &amp;", parse_mode="HTML")).text == "đậm &"


async def test_a_button_press_can_be_answered_and_its_message_edited(fake: FakeTelegram, bot: Bot) -> None:
    menu = await bot.send_message(42, "Chọn", reply_markup=KEYBOARD)
    pressed = await fake.push_callback(42, 42, "petition")

    [update] = await bot.get_updates(timeout=0)

    query = update.callback_query
    assert query is not None and query.data == "petition"
    assert query.message is not None and query.message.message_id == menu.message_id
    assert query.id == pressed["callback_query"]["id"]
    assert await query.answer("Đã nhận") is True
    edited = await bot.edit_message_text("Đã chọn", chat_id=42, message_id=menu.message_id)
    assert not isinstance(edited, bool) and edited.reply_markup is None
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Đã chọn", chat_id=42, message_id=menu.message_id)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("unknown")
    methods = [e["method"] for e in fake.sent]
    assert methods == ["sendMessage", "answerCallbackQuery", "editMessageText"]
    assert (await fake.next_sent(42, method="editMessageText"))["text"] == "Đã chọn"
    assert (await fake.next_sent(42))["method"] == "sendMessage"


async def test_next_sent_times_out_listing_what_was_sent(fake: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(43, "cho người khác")

    with pytest.raises(AssertionError, match=r"(?i)cho người khác"):
        await fake.next_sent(42, timeout=0.2)
    assert (await fake.next_sent(timeout=0))["chat_id"] == "43"
    with pytest.raises(TimeoutError):
        await fake.next_sent(timeout=0.05)


async def test_next_sent_waits_for_a_send_that_happens_later(fake: FakeTelegram, bot: Bot) -> None:
    waiter = asyncio.create_task(fake.next_sent(42, timeout=5))
    await asyncio.sleep(0)
    first, second = await bot.send_message(42, "một"), await bot.send_message(42, "hai")

    assert (await waiter)["result"]["message_id"] == first.message_id
    assert (await fake.next_sent(42))["result"]["message_id"] == second.message_id
    await fake.wait_sent_count(2, timeout=1)


async def test_files_upload_and_photos_download(fake: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_document(42, b"%PDF-1.4 don", filename="don.pdf", caption="Đơn")
    assert sent.document is not None and sent.document.file_name == "don.pdf"
    assert fake.sent[0]["params"]["document"]["content"] == b"%PDF-1.4 don"
    assert fake.sent[0]["text"] == "Đơn"

    update = fake.make_photo_update(42, caption="ổ gà", content=b"jpeg-bytes")
    largest = update["message"]["photo"][-1]
    file = await bot.get_file(largest["file_id"])
    assert bytes(await file.download_as_bytearray()) == b"jpeg-bytes"
    photo = await bot.send_photo(-100123, largest["file_id"])
    assert len(photo.photo) == 3
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_photo(42, "not-a-file-id")


async def test_commands_are_stored_and_validated(bot: Bot) -> None:
    commands = [BotCommand("start", "Bắt đầu"), BotCommand("tracuu", "Tra cứu kiến nghị")]
    assert await bot.set_my_commands(commands) is True
    assert await bot.get_my_commands() == tuple(commands)
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("TraCuu", "hoa")])
    assert await bot.delete_my_commands() is True
    assert await bot.get_my_commands() == ()


async def test_a_polling_application_answers_pushed_messages_exactly_once(fake: FakeTelegram) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text.upper())

    app = ApplicationBuilder().token(fake.token).base_url(fake.base_url).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=5)
        for text in ("một", "hai", "ba"):
            await fake.push_text(42, text)
        replies = [await fake.next_sent(42) for _ in range(3)]
        await app.updater.stop()
        await app.stop()

    assert [r["text"] for r in replies] == ["MỘT", "HAI", "BA"]
    assert len({r["result"]["message_id"] for r in replies}) == 3
    assert len(fake.sent) == 3
    async with Bot(fake.token, base_url=fake.base_url) as bot:  # PTB confirmed all three on stop
        assert (await bot.get_webhook_info()).pending_update_count == 0
