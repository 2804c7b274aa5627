"""A resident pastes a long text into the web chat: the server keeps answering meanwhile."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from channels.webchat import MAX_TEXT
from tests.e2e.conftest import AppFactory
from tests.e2e.test_webchat import ask, base

pytestmark = pytest.mark.e2e

QUESTION = "Cho tôi hỏi lịch tiếp công dân của chủ tịch xã và mức hỗ trợ hộ nghèo năm nay thế nào? "


async def test_health_checks_are_answered_while_a_long_question_is_searched(
    start_app: AppFactory, http: aiohttp.ClientSession
) -> None:
    app = await start_app("web", data=None)
    await ask(http, app, "m1", "lịch tiếp công dân")  # the demo commune is indexed
    worst = 0.0  # the longest between two health checks answered, one asked 10 ms after the other
    asking = True

    async def check_health() -> None:
        nonlocal worst
        last = time.perf_counter()
        while asking:
            async with http.get(f"{base(app)}/healthz") as response:
                assert response.status == 200
            now = time.perf_counter()
            worst, last = max(worst, now - last), now
            await asyncio.sleep(0.01)

    checks = asyncio.create_task(check_health())
    await asyncio.sleep(0.05)
    started = time.perf_counter()
    replies = await ask(http, app, "m2", (QUESTION * 40)[:MAX_TEXT])  # the longest the chat takes
    took = time.perf_counter() - started
    asking = False
    await checks
    assert replies
    # searched on the event loop, the server answered nothing else while the question was
    # searched (about a second): a health check waited as long as the question took
    assert worst < max(0.2, took / 2), (worst, took)
