"""The local web chat (no messenger token): demo data, the page and its JSON API."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from bot.app import App
from tests.e2e.conftest import AppFactory

pytestmark = pytest.mark.e2e

SESSION = "abcdefgh1234"


def base(app: App) -> str:
    return f"http://127.0.0.1:{app.port}"


async def send(http: aiohttp.ClientSession, app: App, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    async with http.post(f"{base(app)}/webchat/send", json=payload) as response:
        return response.status, await response.json()


async def messages(
    http: aiohttp.ClientSession, app: App, session: str = SESSION, after: int = 0
) -> list[dict[str, Any]]:
    async with http.get(f"{base(app)}/webchat/messages", params={"session": session, "after": after}) as r:
        assert r.status == 200
        body = await r.json()
    assert body["ok"] is True
    result: list[dict[str, Any]] = body["messages"]
    return result


async def ask(http: aiohttp.ClientSession, app: App, msg_id: str, text: str) -> list[dict[str, Any]]:
    """Send one message; return the replies it produced."""
    before = await messages(http, app)
    after = before[-1]["id"] if before else 0
    assert await send(http, app, {"session": SESSION, "id": msg_id, "text": text}) == (200, {"ok": True})
    return await messages(http, app, after=after)


async def test_page_is_served(start_app: AppFactory, http: aiohttp.ClientSession) -> None:
    app = await start_app("web", data=None)
    async with http.get(f"{base(app)}/") as response:
        assert response.status == 200
        assert response.content_type == "text/html"
        page = await response.text()
    assert "<title>Trợ lý xã" in page
    assert "/webchat/send" in page
    async with http.get(f"{base(app)}/healthz") as response:
        assert (response.status, await response.json()) == (200, {"ok": True})


async def test_demo_commune_is_seeded_and_greets(start_app: AppFactory, http: aiohttp.ClientSession) -> None:
    app = await start_app("web", data=None)
    [greeting] = await ask(http, app, "m1", "/start")
    assert "Xã Hòa Phú" in greeting["text"]
    assert ["📅 Lịch tiếp dân, lịch họp", "cmd:lich"] in [b for row in greeting["buttons"] for b in row]


async def test_budget_question_is_answered_with_source(
    start_app: AppFactory, http: aiohttp.ClientSession
) -> None:
    app = await start_app("web", data=None)
    [answer] = await ask(http, app, "m1", "ngân sách năm 2026")
    assert "Nguồn" in answer["text"]
    source = answer["text"].split("Nguồn:", 1)[1].splitlines()[0]
    assert "ngân sách" in source.lower()
    assert "2026" in source


async def test_button_press_shows_schedule(start_app: AppFactory, http: aiohttp.ClientSession) -> None:
    app = await start_app("web", data=None)
    await ask(http, app, "m1", "/start")
    status, body = await send(http, app, {"session": SESSION, "id": "m2", "button": "cmd:lich"})
    assert (status, body) == (200, {"ok": True})
    replies = await messages(http, app)
    assert len(replies) == 2
    assert "30 ngày tới" in replies[-1]["text"]


async def test_same_message_id_twice_is_answered_once(
    start_app: AppFactory, http: aiohttp.ClientSession
) -> None:
    app = await start_app("web", data=None)
    payload = {"session": SESSION, "id": "m1", "text": "/start"}
    assert await send(http, app, payload) == (200, {"ok": True})
    assert await send(http, app, payload) == (200, {"ok": True})
    assert len(await messages(http, app)) == 1


async def test_sessions_do_not_see_each_other(start_app: AppFactory, http: aiohttp.ClientSession) -> None:
    app = await start_app("web", data=None)
    await ask(http, app, "m1", "/start")
    assert await messages(http, app, session="other-session-99") == []


@pytest.mark.parametrize("payload", [{"text": ""}, {"text": None}, {}], ids=["empty", "null", "absent"])
async def test_empty_text_is_400_in_vietnamese(
    start_app: AppFactory, http: aiohttp.ClientSession, payload: dict[str, Any]
) -> None:
    app = await start_app("web", data=None)
    status, body = await send(http, app, {"session": SESSION, "id": "m1", **payload})
    assert status == 400
    assert body == {"ok": False, "error": "Bà con chưa nhập nội dung."}
    assert await messages(http, app) == []


@pytest.mark.parametrize(
    "session", ["short", "has space 1234", "x" * 65, ""], ids=["short", "space", "long", "empty"]
)
async def test_invalid_session_is_400(
    start_app: AppFactory, http: aiohttp.ClientSession, session: str
) -> None:
    app = await start_app("web", data=None)
    status, body = await send(http, app, {"session": session, "id": "m1", "text": "/start"})
    assert status == 400
    assert body == {"ok": False, "error": "Phiên trò chuyện không hợp lệ."}
    async with http.get(f"{base(app)}/webchat/messages", params={"session": session}) as response:
        assert response.status == 400
        assert (await response.json())["error"] == "Phiên trò chuyện không hợp lệ."


async def test_broken_json_is_400(start_app: AppFactory, http: aiohttp.ClientSession) -> None:
    app = await start_app("web", data=None)
    async with http.post(
        f"{base(app)}/webchat/send", data=b"{oops", headers={"Content-Type": "application/json"}
    ) as response:
        assert response.status == 400
        assert (await response.json())["error"] == "Tin nhắn không hợp lệ."


async def test_demo_is_not_loaded_over_existing_data(
    start_app: AppFactory, http: aiohttp.ClientSession
) -> None:
    first = await start_app("polling")  # imports the mini commune (Xã Tân Lập)
    await start_app.stop(first)
    app = await start_app("web", data=None)
    [greeting] = await ask(http, app, "m1", "/start")
    assert "Xã Tân Lập" in greeting["text"]
    assert "Hòa Phú" not in greeting["text"]


async def test_no_demo_when_turned_off(start_app: AppFactory, http: aiohttp.ClientSession) -> None:
    app = await start_app("web", data=None, DEMO_DATA=False)
    [greeting] = await ask(http, app, "m1", "/start")
    assert "Hòa Phú" not in greeting["text"]
