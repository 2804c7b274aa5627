"""Telegram by webhook: the fake Bot API POSTs updates to our aiohttp server.

Telegram only, on purpose: Telegram's setWebhook and its secret header
(X-Telegram-Bot-Api-Secret-Token), its update_id de-duplication and its retries. Zalo's webhook
(its own secret header, wrapped or bare bodies, probes) is tested in test_zalo.py and
test_zalo_unseen_commune.py; the conversations run on both messengers in test_conversations.py.
"""

from __future__ import annotations

import json

import aiohttp
import pytest

from bot.app import App
from storage.models import InboundUpdate, OutboxMessage
from tests.e2e.conftest import WEBHOOK_SECRET, AppFactory, count_rows, expect_silence
from tests.fakes.telegram import SECRET_HEADER, FakeTelegram

pytestmark = pytest.mark.e2e

CHAT = 2001


def webhook_url(app: App) -> str:
    return f"http://127.0.0.1:{app.port}/telegram/webhook"


async def post(http: aiohttp.ClientSession, url: str, body: bytes, secret: str | None) -> tuple[int, str]:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    async with http.post(url, data=body, headers=headers) as response:
        return response.status, await response.text()


async def test_set_webhook_with_our_url_and_secret(
    start_app: AppFactory, fake_telegram: FakeTelegram
) -> None:
    app = await start_app("webhook")
    assert fake_telegram.webhook_url == webhook_url(app)
    assert fake_telegram.webhook_secret == WEBHOOK_SECRET
    assert set(fake_telegram.webhook_options["allowed_updates"]) == {"message", "callback_query"}
    assert "getUpdates" not in [name for name, _ in fake_telegram.requests]


async def test_start_and_question_through_webhook(start_app: AppFactory, fake_telegram: FakeTelegram) -> None:
    await start_app("webhook")
    assert await fake_telegram.push(fake_telegram.make_text_update(CHAT, "/start")) == 200
    greeting = await fake_telegram.next_sent(CHAT)
    assert "Xã Tân Lập" in greeting["text"]

    assert (
        await fake_telegram.push(fake_telegram.make_text_update(CHAT, "đường thôn Tân Sơn dài bao nhiêu"))
        == 200
    )
    answer = await fake_telegram.next_sent(CHAT)
    assert "850" in answer["text"]
    assert "Nguồn: Công khai công trình bê tông hóa đường trục thôn số 2" in answer["text"]
    assert "14/09/2026" in answer["text"]


async def test_menu_button_through_webhook(start_app: AppFactory, fake_telegram: FakeTelegram) -> None:
    await start_app("webhook")
    await fake_telegram.push_text(CHAT, "/start")
    await fake_telegram.next_sent(CHAT)
    update = await fake_telegram.push_callback(CHAT, CHAT, "cmd:lich")
    schedule = await fake_telegram.next_sent(CHAT, method="sendMessage")
    assert "Thứ Ba, 08/12/2026, 14 giờ 00 — Hội trường UBND xã" in schedule["text"]
    answered = await fake_telegram.next_sent(method="answerCallbackQuery")
    assert answered["params"]["callback_query_id"] == update["callback_query"]["id"]


@pytest.mark.parametrize("secret", ["wrong-secret", "", None], ids=["wrong", "empty", "missing"])
async def test_wrong_or_missing_secret_is_refused_and_nothing_is_stored(
    start_app: AppFactory,
    fake_telegram: FakeTelegram,
    http: aiohttp.ClientSession,
    secret: str | None,
) -> None:
    app = await start_app("webhook")
    update = fake_telegram.make_text_update(CHAT, "/start")
    body = json.dumps(update).encode()
    assert await post(http, webhook_url(app), body, secret) == (403, "forbidden")
    await expect_silence(fake_telegram, CHAT, seconds=0.3)
    assert fake_telegram.sent == []
    assert await count_rows(app, InboundUpdate) == 0
    assert await count_rows(app, OutboxMessage) == 0
    # The same update with the right secret is then handled normally (nothing was marked seen).
    assert await post(http, webhook_url(app), body, WEBHOOK_SECRET) == (200, "ok")
    assert "Xã Tân Lập" in (await fake_telegram.next_sent(CHAT))["text"]


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"\xff\xfe", b"[1, 2]", b'{"message": {}}', b'{"update_id": "7"}'],
    ids=["broken", "not-utf8", "array", "no-update-id", "string-update-id"],
)
async def test_malformed_body_is_400_and_nothing_is_stored(
    start_app: AppFactory, fake_telegram: FakeTelegram, http: aiohttp.ClientSession, body: bytes
) -> None:
    app = await start_app("webhook")
    status, _ = await post(http, webhook_url(app), body, WEBHOOK_SECRET)
    assert status == 400
    assert await count_rows(app, InboundUpdate) == 0
    await expect_silence(fake_telegram, seconds=0.2)


async def test_duplicate_update_is_answered_once(start_app: AppFactory, fake_telegram: FakeTelegram) -> None:
    app = await start_app("webhook")
    update = fake_telegram.make_text_update(CHAT, "/lich")
    assert await fake_telegram.push(update) == 200
    assert await fake_telegram.push(update) == 200  # Telegram redelivers: still 200, else it retries
    await fake_telegram.next_sent(CHAT)
    await expect_silence(fake_telegram, CHAT)
    assert len(fake_telegram.sent_to(CHAT)) == 1
    assert await count_rows(app, InboundUpdate) == 1


async def test_concurrent_duplicates_are_answered_once(
    start_app: AppFactory, fake_telegram: FakeTelegram
) -> None:
    app = await start_app("webhook")
    update = fake_telegram.make_text_update(CHAT, "/start")
    assert await fake_telegram.push_many([update] * 5) == [200] * 5
    await fake_telegram.next_sent(CHAT)
    await expect_silence(fake_telegram, CHAT)
    assert len(fake_telegram.sent_to(CHAT)) == 1
    assert await count_rows(app, InboundUpdate) == 1


async def test_empty_secret_setting_still_checks_a_random_secret(
    start_app: AppFactory, fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    app = await start_app("webhook", TELEGRAM_WEBHOOK_SECRET="")
    secret = fake_telegram.webhook_secret
    assert len(secret) >= 32
    assert secret != WEBHOOK_SECRET
    body = json.dumps(fake_telegram.make_text_update(CHAT, "/start")).encode()
    assert (await post(http, webhook_url(app), body, None))[0] == 403
    assert (await post(http, webhook_url(app), body, ""))[0] == 403
    assert await count_rows(app, InboundUpdate) == 0
    # Telegram, told the random secret, gets through.
    assert await fake_telegram.push(fake_telegram.make_text_update(CHAT, "/start")) == 200
    assert "Xã Tân Lập" in (await fake_telegram.next_sent(CHAT))["text"]


async def test_polling_mode_has_no_webhook_route(
    start_app: AppFactory, fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    app = await start_app("polling")
    body = json.dumps(fake_telegram.make_text_update(CHAT, "/start")).encode()
    status, _ = await post(http, webhook_url(app), body, WEBHOOK_SECRET)
    assert status in (404, 405)
    assert await count_rows(app, InboundUpdate) == 0


async def test_set_webhook_failure_is_retried(start_app: AppFactory, fake_telegram: FakeTelegram) -> None:
    fake_telegram.fail_next("setWebhook", status=502)
    app = await start_app("webhook")  # waits until the webhook is set
    assert fake_telegram.webhook_url == webhook_url(app)
    assert [name for name, _ in fake_telegram.requests].count("setWebhook") == 2
    await fake_telegram.push_text(CHAT, "/start")
    assert "Xã Tân Lập" in (await fake_telegram.next_sent(CHAT))["text"]


async def test_an_unreadable_update_is_set_aside_and_never_stops_a_restart(
    start_app: AppFactory, fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    """An update whose `from` is a string: stored, answered 200, set aside; others go on; restarts work."""
    app = await start_app("webhook")
    odd = fake_telegram.make_text_update(CHAT, "/start")
    odd["message"]["from"] = "not-a-user"
    status, _ = await post(http, webhook_url(app), json.dumps(odd).encode(), WEBHOOK_SECRET)
    assert status == 200
    assert await fake_telegram.push(fake_telegram.make_text_update(CHAT + 1, "/start")) == 200
    assert "Xã Tân Lập" in (await fake_telegram.next_sent(CHAT + 1))["text"]
    async with app.store.uow() as uow:
        [aside] = await uow.inbound.set_aside()
    assert aside.payload["update_id"] == odd["update_id"] and "User" in (aside.error or "")
    # Even when such a row is left "received" by a crash, the next start recovers the rest and runs.
    async with app.store.uow() as uow:
        assert await uow.inbound.requeue(aside.id or 0)
        await uow.commit()
    await start_app.stop(app)
    same = {k: getattr(app.settings, k) for k in ("WEB_PORT", "TELEGRAM_WEBHOOK_URL")}
    again = await start_app("webhook", data=None, **same)
    assert await fake_telegram.push(fake_telegram.make_text_update(CHAT + 2, "/start")) == 200
    assert "Xã Tân Lập" in (await fake_telegram.next_sent(CHAT + 2))["text"]
    async with again.store.uow() as uow:
        assert [u.id for u in await uow.inbound.set_aside()] == [aside.id]
