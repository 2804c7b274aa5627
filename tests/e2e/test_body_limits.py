"""Oversized bodies are refused (413) on every webhook and POST route before they are read whole,
with or without a Content-Length, and nothing is stored."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator

import aiohttp
import pytest

from storage.models import InboundUpdate
from tests.attack_harness import PATHS, WEBHOOKS, Webhooks
from tests.e2e.conftest import count_rows

pytestmark = pytest.mark.e2e

TEN_MB = 10 * 1024 * 1024
CHUNK = 64 * 1024


@pytest.fixture
async def hooks(database_url: str) -> AsyncIterator[Webhooks]:
    async with Webhooks(database_url) as running:
        yield running


async def _post(hooks: Webhooks, webhook: str, data: object) -> int:
    headers = hooks.headers(webhook, b"", "application/json")
    timeout = aiohttp.ClientTimeout(total=30)
    async with (
        aiohttp.ClientSession(timeout=timeout) as http,
        http.post(hooks.base + PATHS[webhook], data=data, headers=headers) as response,
    ):
        return response.status


@pytest.mark.parametrize("webhook", WEBHOOKS)
async def test_a_10_mb_body_is_refused_on_its_length_and_nothing_is_stored(
    hooks: Webhooks, webhook: str
) -> None:
    assert hooks.app is not None
    body = b'{"update_id": 1, "text": "' + b"x" * TEN_MB + b'"}'
    assert await _post(hooks, webhook, io.BytesIO(body)) == 413
    assert await count_rows(hooks.app, InboundUpdate) == 0


@pytest.mark.parametrize("webhook", WEBHOOKS)
async def test_a_chunked_body_without_length_is_cut_off_early_and_nothing_is_stored(
    hooks: Webhooks, webhook: str
) -> None:
    """The sender streams 10 MB, chunked; the answer comes once a little over the cap has come in."""
    assert hooks.app is not None
    streamed: list[int] = []
    answered = asyncio.Event()

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"update_id": 1, "text": "'
        for _ in range(TEN_MB // CHUNK):
            if answered.is_set():
                return
            streamed.append(CHUNK)
            yield b"x" * CHUNK
            await asyncio.sleep(0.002)
        yield b'"}'

    status = await _post(hooks, webhook, chunks())
    answered.set()
    assert status == 413
    assert sum(streamed) < 1024 * 1024  # refused soon after the 256 kB cap, long before 10 MB
    assert await count_rows(hooks.app, InboundUpdate) == 0
    assert "14 giờ 00" in await hooks.answers_normally(webhook)  # and the route still works
