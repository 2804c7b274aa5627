"""The running bot with no tokens serves the notice board at `/`, and chat answers link to it."""

from __future__ import annotations

import aiohttp
import pytest

from tests.e2e.conftest import AppFactory, free_port
from tests.e2e.test_webchat import ask

pytestmark = pytest.mark.e2e


async def test_the_demo_serves_the_board_at_the_root_and_answers_link_to_its_pages(
    start_app: AppFactory, http: aiohttp.ClientSession
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = await start_app("web", data=None, WEB_PORT=port, PUBLIC_BASE_URL=base)
    async with http.get(f"{base}/") as response:
        assert response.status == 200 and response.content_type == "text/html"
        board = await response.text()
    assert "Xã Hòa Phú" in board and "Bảng tin công khai" in board and 'href="/chat"' in board
    [answer] = await ask(http, app, "m1", "du toan ngan sach nam 2026")
    assert "Nguồn:" in answer["text"]
    link = next(line for line in answer["text"].splitlines() if line.startswith("Xem toàn văn: "))
    url = link.removeprefix("Xem toàn văn: ")
    assert url.startswith(f"{base}/van-ban/")
    async with http.get(url) as response:
        assert response.status == 200
        page = await response.text()
    source = answer["text"].split("Nguồn:", 1)[1].splitlines()[0].strip()
    assert f"<h1>{source}</h1>" in page


async def test_without_a_public_address_answers_carry_no_link(
    start_app: AppFactory, http: aiohttp.ClientSession
) -> None:
    app = await start_app("web", data=None)
    [answer] = await ask(http, app, "m1", "du toan ngan sach nam 2026")
    assert "Nguồn:" in answer["text"] and "Xem toàn văn" not in answer["text"]
