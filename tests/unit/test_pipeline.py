"""Persist first, then act: the pipeline with a real store and real handlers."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.pipeline import SORRY, Pipeline
from domain.messages import Incoming
from handlers.router import Route, routes
from handlers.services import Ctx, Services
from qa.searcher import SearchIndex
from storage.importer import import_data, load_file
from storage.store import Store
from tests.conftest import MINI, NOW


def parse(payload: dict[str, Any]) -> Incoming | None:
    return Incoming(channel="test", chat_id=payload["chat"], user_id=payload["chat"], text=payload["text"])


def make(store: Store, table: tuple[Route, ...] | None = None) -> tuple[Pipeline, list[int]]:
    woken: list[int] = []
    svc = Services(uow=store.uow, clock=lambda: NOW, tz=ZoneInfo("Asia/Ho_Chi_Minh"), search=SearchIndex())
    pipeline = Pipeline(store, svc, table or routes(), on_queued=lambda: woken.append(1))
    pipeline.register("test", parse)
    return pipeline, woken


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
