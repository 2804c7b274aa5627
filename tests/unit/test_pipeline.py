"""Persist first, then act: the pipeline with a real store and real handlers."""

from __future__ import annotations

import asyncio
import threading
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.pipeline import SORRY, Pipeline
from channels.contract import Capabilities
from domain.messages import Incoming
from handlers.router import Route, routes
from handlers.services import Ctx, Services
from qa.searcher import SearchIndex
from storage.importer import import_data, load_file
from storage.store import Store
from tests.conftest import MINI, NOW, REACH


def parse(payload: dict[str, Any]) -> Incoming | None:
    return Incoming(channel="test", chat_id=payload["chat"], user_id=payload["chat"], text=payload["text"])


def make(
    store: Store,
    table: tuple[Route, ...] | None = None,
    capabilities: Capabilities | None = None,
    search: SearchIndex | None = None,
) -> tuple[Pipeline, list[int]]:
    woken: list[int] = []
    svc = Services(
        uow=store.uow,
        clock=lambda: NOW,
        tz=ZoneInfo("Asia/Ho_Chi_Minh"),
        search=search or SearchIndex(),
        reach=REACH,
    )
    pipeline = Pipeline(store, svc, table or routes(), on_queued=lambda: woken.append(1))
    if capabilities is None:
        pipeline.register("test", parse)
    else:
        pipeline.register("test", parse, capabilities=capabilities)
    return pipeline, woken


async def say(pipeline: Pipeline, store: Store, chat: str, key: str, text: str) -> str:
    """Send one text; the last reply queued to the chat."""
    payload = {"chat": chat, "text": text}
    inbound = await pipeline.accept("test", key, payload)
    assert inbound is not None
    await pipeline.process(inbound, "test", payload)
    return (await outbox_texts(store, chat))[-1]


@pytest.fixture
async def seeded(store: Store) -> Store:
    async with store.uow() as uow:
        await import_data(uow, load_file(MINI), NOW)
    return store


async def outbox_texts(store: Store, chat: str) -> list[str]:
    async with store.uow() as uow:
        return [m.payload["text"] for m in await uow.outbox.for_chat("test", chat)]


async def test_an_update_is_handled_once_even_if_delivered_twice(seeded: Store) -> None:
    pipeline, woken = make(seeded)
    payload = {"chat": "7", "text": "/start"}
    first = await pipeline.accept("test", "u1", payload)
    assert first is not None
    assert await pipeline.accept("test", "u1", payload) is None
    await pipeline.process(first, "test", payload)
    assert len(await outbox_texts(seeded, "7")) == 1
    assert woken == [1]


async def test_updates_stored_before_a_crash_are_handled_at_restart(seeded: Store) -> None:
    pipeline, _ = make(seeded)
    await pipeline.accept("test", "u1", {"chat": "8", "text": "/lich"})
    # ... the process dies here; a new one starts:
    fresh, _ = make(seeded)
    assert await fresh.recover() == 1
    assert "Lịch 30 ngày tới" in (await outbox_texts(seeded, "8"))[0]
    assert await fresh.recover() == 0


async def test_a_failing_handler_apologises_and_keeps_the_update(seeded: Store) -> None:
    async def broken(msg: Incoming, ctx: Ctx) -> list[Any]:
        raise RuntimeError("boom")

    pipeline, _ = make(seeded, (Route(lambda m: True, broken),))
    payload = {"chat": "9", "text": "hello"}
    inbound = await pipeline.accept("test", "u9", payload)
    assert inbound is not None
    await pipeline.process(inbound, "test", payload)
    assert await outbox_texts(seeded, "9") == [SORRY]
    async with seeded.uow() as uow:
        stored = await uow.inbound.get(inbound)
        assert stored is not None and stored.status == "failed" and stored.payload == payload


NO_BUTTONS = Capabilities(buttons=False, max_text=2000)


async def test_without_buttons_a_typed_number_answers_the_last_message(seeded: Store) -> None:
    pipeline, _ = make(seeded, capabilities=NO_BUTTONS)
    await say(pipeline, seeded, "10", "u1", "/start")
    assert "lĩnh vực nào" in await say(pipeline, seeded, "10", "u2", "2")  # 📋 Thông tin công khai
    listing = await say(pipeline, seeded, "10", "u3", "ngan sach")  # a word of one category's label
    assert listing.startswith("Ngân sách xã:\n• Công khai dự toán ngân sách")


async def test_with_buttons_typed_text_stays_a_message_as_before(seeded: Store) -> None:
    pipeline, _ = make(seeded)  # registered without capabilities: a channel with buttons
    await say(pipeline, seeded, "11", "u1", "/start")
    assert "lĩnh vực nào" not in await say(pipeline, seeded, "11", "u2", "2")


async def test_with_buttons_the_petition_prompts_still_take_typed_numbers_and_labels(seeded: Store) -> None:
    pipeline, _ = make(seeded)
    assert "loại nào" in await say(pipeline, seeded, "12", "u1", "/gui")
    assert "mô tả nội dung kiến nghị" in await say(pipeline, seeded, "12", "u2", "2")
    await say(pipeline, seeded, "12", "u3", "Đề nghị lắp thêm đèn đường ở ngã ba chợ")
    assert "tối đa 5 ảnh" in await say(pipeline, seeded, "12", "u4", "Thôn Khe Mát")
    assert "họ tên" in await say(pipeline, seeded, "12", "u5", "bỏ qua")
    assert "xem lại" in await say(pipeline, seeded, "12", "u6", "khong")
    async with seeded.uow() as uow:
        conv = await uow.conversations.get("test", "12", "12")
    assert conv is not None and conv.data["kind"] == "kien_nghi" and conv.data["village"] == "Thôn Khe Mát"
    assert conv.data["consent"] is False


async def test_without_buttons_a_message_never_delivered_leaves_the_earlier_choices_live(
    seeded: Store,
) -> None:
    pipeline, _ = make(seeded, capabilities=NO_BUTTONS)
    await say(pipeline, seeded, "13", "u1", "/start")
    await say(pipeline, seeded, "13", "u2", "tiền điện thoại của xã")  # an answer with choices
    async with seeded.uow() as uow:
        answer = (await uow.outbox.for_chat("test", "13"))[-1]
        assert answer.id is not None and answer.payload.get("buttons")
        await uow.outbox.fail(answer.id, "chat not found")  # the person never saw it
        await uow.commit()
    assert "lĩnh vực nào" in await say(pipeline, seeded, "13", "u3", "2")  # the menu's choice 2


async def test_one_persons_flood_is_all_handled_after_everyone_else_and_told_once(store: Store) -> None:
    """500 messages in 10 s from one person slow nobody else; every one is kept and answered."""
    import asyncio

    from bot.flood import NOTICE
    from domain.messages import Reply

    done: list[str] = []

    async def slow_echo(msg: Incoming, ctx: Ctx) -> list[Reply]:
        await asyncio.sleep(0.01)  # a handler's real work
        done.append(msg.chat_id)
        return [Reply(msg.text)]

    pipeline, _ = make(store, (Route(lambda m: True, slow_echo),))

    async def send(chat: str, n: int) -> None:
        payload = {"chat": chat, "text": f"{chat}-{n}"}
        inbound = await pipeline.accept("test", f"{chat}:{n}", payload)
        assert inbound is not None
        pipeline.process_later(inbound, "test", payload)

    # A burst as webhooks bring it: the flood, and right behind it three other residents.
    await asyncio.gather(
        *(send("flooder", n) for n in range(60)), *(send(c, 0) for c in ("an", "binh", "cuong"))
    )
    await pipeline.drain()
    others = [i for i, chat in enumerate(done) if chat != "flooder"]
    assert len(done) == 63 and max(others) < 20  # the three others came long before the flood's end
    flood = await outbox_texts(store, "flooder")
    assert flood.count(NOTICE) == 1
    assert [t for t in flood if t != NOTICE] == [f"flooder-{n}" for n in range(60)]  # all, in order


class HeldSearch(SearchIndex):
    """A search whose ranking (in its worker thread) waits until the test lets it go: a slow search."""

    def __init__(self) -> None:
        super().__init__()
        self.ranking = threading.Event()
        self.go = threading.Event()

    def _rank(self, *args: Any) -> Any:
        self.ranking.set()
        self.go.wait(10)
        return super()._rank(*args)


async def test_another_chat_is_answered_while_a_question_is_being_searched(seeded: Store) -> None:
    # On SQLite the app has one connection: a question must not hold it while it is searched.
    search = HeldSearch()
    pipeline, _ = make(seeded, search=search)
    asking = asyncio.create_task(say(pipeline, seeded, "1", "q1", "/hoi lịch tiếp công dân"))
    try:
        assert await asyncio.to_thread(search.ranking.wait, 10)
        greeted = await asyncio.wait_for(say(pipeline, seeded, "2", "s2", "/start"), 5)
    finally:
        search.go.set()
    assert "tiếp công dân" in await asking  # the question is still answered, from its source
    assert greeted == (await outbox_texts(seeded, "2"))[0] and greeted.startswith("Xin chào")


async def test_a_handler_that_wrote_before_searching_still_commits_all_or_nothing(seeded: Store) -> None:
    # The search gives the connection back only when nothing was written yet: a failure after the
    # search must still drop what the handler wrote before it.
    async def writes_searches_fails(msg: Incoming, ctx: Ctx) -> list[Any]:
        await ctx.uow.unanswered.add("test", msg.chat_id, "half-done", ctx.now)
        await ctx.svc.search.search(ctx.uow, "lịch tiếp công dân")
        raise RuntimeError("boom")

    pipeline, _ = make(seeded, (Route(lambda m: True, writes_searches_fails),))
    assert await say(pipeline, seeded, "3", "w3", "hello") == SORRY
    assert await outbox_texts(seeded, "3") == [SORRY]
    async with seeded.uow() as uow:
        assert await uow.unanswered.for_chat("test", "3") == []
