"""Two processes on one PostgreSQL database send for one bot: one budget, nothing twice."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from bot.app import App
from tests.e2e.conftest import AppFactory, ManualClock, wait_for
from tests.fakes.telegram import FakeTelegram

pytestmark = pytest.mark.e2e

PER_SECOND = 10  # the bot-wide limit, lowered so the test is short; the fake enforces the same


async def queue(app: App, chats: list[str], text: str) -> None:
    async with app.store.uow() as uow:
        for chat in chats:
            await uow.outbox.put("telegram", chat, {"text": text}, app.clock())
        await uow.commit()
    assert app.outbox is not None
    app.outbox.wake()


async def test_two_processes_keep_one_bot_budget_and_send_each_message_once(
    database_url: str, clock: ManualClock
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serves one process")
    async with FakeTelegram(enforce_limits=True, global_per_second=PER_SECOND) as fake:
        factory = AppFactory(database_url, fake, clock)
        try:
            first = await factory(TELEGRAM_MAX_PER_SECOND=PER_SECOND)
            second = await factory(data=None, TELEGRAM_MAX_PER_SECOND=PER_SECOND)
            groups = [f"-100700000{i:04d}" for i in range(40)]
            started = time.monotonic()
            await queue(first, groups[:20], "thông báo")  # each process queues half
            await queue(second, groups[20:], "thông báo")

            def sent() -> Counter[str]:
                return Counter(str(m["chat_id"]) for m in fake.sent if m["method"] == "sendMessage")

            await wait_for(
                lambda: len(sent()) == 40 or fake.too_many_requests > 0, timeout=20, what="40 groups"
            )
            elapsed = time.monotonic() - started
            assert fake.too_many_requests == 0  # together never over the bot's 10 a second
            assert len(sent()) == 40
            assert elapsed >= (40 - PER_SECOND) / PER_SECOND - 0.2  # one budget, not one each

            # The process that sends stops; the other takes over what is queued afterwards.
            late = [f"-100600000{i:04d}" for i in range(5)]
            await factory.stop(first)
            await queue(second, late, "thông báo muộn")
            await wait_for(lambda: all(sent()[g] for g in late), timeout=10, what="the late ones")
            assert set(sent().values()) == {1}  # nothing twice
            assert len(sent()) == 45
        finally:
            await factory.close()
