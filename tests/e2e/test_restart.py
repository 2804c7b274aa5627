"""A restart after a crash: the updates the dead process stored but never handled are handled
beside the new ones. The bot answers a newcomer at once instead of first working through the
backlog (issue 13: the step across a SIGKILL waited for it), and each chat's answers still come
in the order of its messages."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from bot.app import App
from storage.models import InboundUpdate
from tests.e2e.conftest import AppFactory, ManualClock, eventually, wait_for
from tests.fakes.telegram import FakeTelegram

pytestmark = pytest.mark.e2e

BUSY = 1101  # a chat whose updates the dead process stored but never handled
NEWCOMER = 1102
LEFT_OVER = 80
GREETING = "Xã Tân Lập"  # in the answer to /start
SCHEDULE = "08/12/2026"  # in the answer to /lich


async def unhandled(app: App) -> int:
    async with app.store.uow() as uow:
        query = select(func.count()).select_from(InboundUpdate).where(InboundUpdate.status == "received")
        return int((await uow.session.exec(query)).one())


def texts(fake: FakeTelegram, chat: int) -> list[str]:
    return [str(s["text"]) for s in fake.sent_to(chat) if s["method"] == "sendMessage"]


async def test_after_a_crash_a_newcomer_is_answered_before_the_backlog_is_worked_through(
    start_app: AppFactory, fake_telegram: FakeTelegram, clock: ManualClock
) -> None:
    first = await start_app()
    asked = ["/start" if n % 2 else "/lich" for n in range(LEFT_OVER)]
    for text in asked:  # as if the process died after storing each of them
        update = fake_telegram.make_text_update(BUSY, text)
        assert await first.pipeline.accept("telegram", str(update["update_id"]), update) is not None
    await start_app.stop(first)
    assert texts(fake_telegram, BUSY) == []

    clock.advance(1)
    second = await start_app(data=None)
    await fake_telegram.push_text(NEWCOMER, "/start")
    assert GREETING in (await fake_telegram.next_sent(NEWCOMER, timeout=10))["text"]
    assert await unhandled(second) > 0  # the newcomer did not wait for the backlog

    async def all_handled() -> bool:
        return await unhandled(second) == 0

    await eventually(all_handled, timeout=60, what="the backlog handled")
    await wait_for(lambda: len(texts(fake_telegram, BUSY)) == LEFT_OVER, timeout=30, what="every answer")
    marks = [GREETING if text == "/start" else SCHEDULE for text in asked]
    answers = texts(fake_telegram, BUSY)
    got = ["G" if GREETING in a else "S" if SCHEDULE in a else a[:30] for a in answers]
    assert all(mark in answer for mark, answer in zip(marks, answers, strict=True)), got  # in order
