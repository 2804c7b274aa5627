"""Delivery through the real Telegram adapter: one chat's flood limit or 429 never holds another.

Telegram only: its limits (20 messages a minute per group, 429 with retry_after) are the ones
measured here; Zalo's budget is the same data (channels.contract.Budget) in the same worker.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.e2e.conftest import AppFactory, ManualClock, expect_silence, outbox_rows, wait_for
from tests.fakes.telegram import FakeTelegram

pytestmark = pytest.mark.e2e

CHAT = 1001
OTHER = 1002


async def test_a_429_on_one_chat_does_not_pause_the_others(
    start_app: AppFactory, fake_telegram: FakeTelegram, clock: ManualClock
) -> None:
    app = await start_app()
    fake_telegram.fail_next("sendMessage", status=429, retry_after=5)
    await fake_telegram.push_text(CHAT, "/start")
    await wait_for(lambda: fake_telegram.too_many_requests == 1, what="the 429")
    asked = time.monotonic()
    await fake_telegram.push_text(OTHER, "/start")
    answer = await fake_telegram.next_sent(OTHER, timeout=3)
    assert "Xã Tân Lập" in answer["text"]
    assert time.monotonic() - asked < 2  # not the 5 s the 429 named for the first chat
    await expect_silence(fake_telegram, CHAT, seconds=0.3)  # that chat waits as told …
    clock.advance(5)
    assert app.outbox is not None
    app.outbox.wake()
    assert "Xã Tân Lập" in (await fake_telegram.next_sent(CHAT, timeout=3))["text"]  # … then gets it once
    await expect_silence(fake_telegram, CHAT, seconds=0.3)
    assert [r.status for r in await outbox_rows(app)] == ["sent", "sent"]


async def test_private_answers_go_out_while_a_group_waits_for_its_minute(
    start_app: AppFactory, fake_telegram: FakeTelegram
) -> None:
    """Telegram counts 20 messages a minute per group; the 21st waits, private chats do not."""
    fake_telegram.enforce_limits = True
    app = await start_app(TELEGRAM_GROUP_MAX_PER_MINUTE=3)
    group = "-1009000000555"
    async with app.store.uow() as uow:
        for i in range(5):
            await uow.outbox.put("telegram", group, {"text": f"thông báo {i}"}, app.clock())
        await uow.commit()
    assert app.outbox is not None
    app.outbox.wake()
    await wait_for(lambda: len(fake_telegram.sent_to(group)) == 3, what="the group's first three")
    await fake_telegram.push_text(CHAT, "/start")
    assert "Xã Tân Lập" in (await fake_telegram.next_sent(CHAT, timeout=2))["text"]
    await asyncio.sleep(0.3)
    assert len(fake_telegram.sent_to(group)) == 3  # the clock stands still: the minute is not over
    assert fake_telegram.too_many_requests == 0
