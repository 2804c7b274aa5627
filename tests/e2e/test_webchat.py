"""The local web chat (no messenger token): demo data, the page and its JSON API."""

from __future__ import annotations

import re
from typing import Any

import aiohttp
import pytest
from sqlmodel import select
from yarl import URL

from bot.app import App
from channels.webchat_http import COOKIE
from storage.models import InboundUpdate
from tests.conftest import FIXTURES
from tests.e2e.conftest import AppFactory

pytestmark = pytest.mark.e2e


def base(app: App) -> str:
    return f"http://127.0.0.1:{app.port}"


async def open_page(http: aiohttp.ClientSession, app: App) -> None:
    """What a browser does first: load the page, which gives it its session cookie."""
    if not http.cookie_jar.filter_cookies(URL(base(app))).get(COOKIE):
        async with http.get(f"{base(app)}/chat") as response:
            assert response.status == 200


async def send(http: aiohttp.ClientSession, app: App, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    await open_page(http, app)
    async with http.post(f"{base(app)}/webchat/send", json=payload) as response:
        return response.status, await response.json()


async def messages(http: aiohttp.ClientSession, app: App, after: int = 0) -> list[dict[str, Any]]:
    await open_page(http, app)
    async with http.get(f"{base(app)}/webchat/messages", params={"after": after}) as r:
        assert r.status == 200
        body = await r.json()
    assert body["ok"] is True
    result: list[dict[str, Any]] = body["messages"]
    return result


async def ask(http: aiohttp.ClientSession, app: App, msg_id: str, text: str) -> list[dict[str, Any]]:
    """Send one message; return the replies it produced."""
    before = await messages(http, app)
    after = before[-1]["id"] if before else 0
    assert await send(http, app, {"id": msg_id, "text": text}) == (200, {"ok": True})
    return await messages(http, app, after=after)


def browser() -> aiohttp.ClientSession:
    """Another browser: its own cookie jar (cookies of 127.0.0.1 kept, as a browser keeps them)."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def test_page_is_served(start_app: AppFactory, http: aiohttp.ClientSession) -> None:
    app = await start_app("web", data=None)
    async with http.get(f"{base(app)}/chat") as response:
        assert response.status == 200
        assert response.content_type == "text/html"
        page = await response.text()
        cookie = response.cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and len(cookie.value) >= 40
    assert "<title>Trợ lý xã" in page
    # Residents reach it from the board (WEBCHAT_ENABLED): not a developer's "trial on your machine".
    assert "trò chuyện thử" not in page and "của bạn" not in page
    assert "webchat/send" in page  # relative: the page works under /<commune id>/ too
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


async def test_help_and_codes_typed_loosely_in_the_web_chat(
    start_app: AppFactory, http: aiohttp.ClientSession
) -> None:
    app = await start_app("web", data=None)
    for n, typed in enumerate(("/help", "/trogiup")):
        [shown] = await ask(http, app, f"h{n}", typed)
        assert "/gui" in shown["text"] and "/tracuu" in shown["text"]
        assert "/traloi" not in shown["text"] and "/ghichu" not in shown["text"]  # officials' only
    [wrong] = await ask(http, app, "c1", "hồ sơ PA-2026-0001 của tôi sao rồi")
    assert "có vẻ chưa đúng" in wrong["text"] and "PA-7K3M9Q" in wrong["text"]
    [unknown] = await ask(http, app, "c2", "hồ sơ PA UG8342 tôi sao rồi")
    assert "Không tìm thấy hồ sơ" in unknown["text"]  # read as a code (none such), not as a question


async def test_button_press_shows_schedule(start_app: AppFactory, http: aiohttp.ClientSession) -> None:
    app = await start_app("web", data=None)
    await ask(http, app, "m1", "/start")
    status, body = await send(http, app, {"id": "m2", "button": "cmd:lich"})
    assert (status, body) == (200, {"ok": True})
    replies = await messages(http, app)
    assert len(replies) == 2
    assert "30 ngày tới" in replies[-1]["text"]


async def test_same_message_id_twice_is_answered_once(
    start_app: AppFactory, http: aiohttp.ClientSession
) -> None:
    app = await start_app("web", data=None)
    payload = {"id": "m1", "text": "/start"}
    assert await send(http, app, payload) == (200, {"ok": True})
    assert await send(http, app, payload) == (200, {"ok": True})
    assert len(await messages(http, app)) == 1


async def test_a_history_reaches_only_its_own_browser(
    start_app: AppFactory, http: aiohttp.ClientSession
) -> None:
    """Knowing a session's id is not enough: it must be the browser's own HttpOnly cookie."""
    app = await start_app("web", data=None)
    await ask(http, app, "m1", "/start")
    mine = http.cookie_jar.filter_cookies(URL(base(app)))[COOKIE].value
    async with browser() as other:
        assert await messages(other, app) == []  # a new browser: a new, empty session
        async with other.get(f"{base(app)}/webchat/messages", params={"session": mine}) as response:
            assert (await response.json())["messages"] == []
    async with aiohttp.ClientSession() as no_page, no_page.get(f"{base(app)}/webchat/messages") as response:
        assert response.status == 403  # never opened the page: no session at all
        assert "tải lại trang" in (await response.json())["error"]


@pytest.mark.parametrize("payload", [{"text": ""}, {"text": None}, {}], ids=["empty", "null", "absent"])
async def test_empty_text_is_400_in_vietnamese(
    start_app: AppFactory, http: aiohttp.ClientSession, payload: dict[str, Any]
) -> None:
    app = await start_app("web", data=None)
    status, body = await send(http, app, {"id": "m1", **payload})
    assert status == 400
    assert body == {"ok": False, "error": "Bà con chưa nhập nội dung."}
    assert await messages(http, app) == []


@pytest.mark.parametrize("session", ["short", "has space 1234", "x" * 65], ids=["short", "space", "long"])
async def test_a_forged_session_cookie_is_refused(start_app: AppFactory, session: str) -> None:
    app = await start_app("web", data=None)
    async with aiohttp.ClientSession(cookies={COOKIE: session}) as forged:
        async with forged.post(f"{base(app)}/webchat/send", json={"id": "m1", "text": "/start"}) as response:
            assert response.status == 403
        async with forged.get(f"{base(app)}/webchat/messages") as response:
            assert response.status == 403


async def test_a_flood_from_one_browser_is_slowed_politely(
    start_app: AppFactory, http: aiohttp.ClientSession
) -> None:
    app = await start_app("web", data=None)
    statuses = [(await send(http, app, {"id": f"m{i}", "text": "alo"}))[0] for i in range(25)]
    assert statuses[:20] == [200] * 20 and statuses[20:] == [429] * 5
    status, body = await send(http, app, {"id": "m99", "text": "alo"})
    assert status == 429 and body["error"] == "Bà con gửi nhanh quá. Xin chờ một chút rồi gửi tiếp nhé."
    async with browser() as other:  # someone else is not slowed
        assert (await send(other, app, {"id": "m1", "text": "/start"}))[0] == 200


async def test_the_web_chat_is_off_unless_asked_where_a_messenger_runs(
    start_app: AppFactory, http: aiohttp.ClientSession
) -> None:
    app = await start_app("polling")  # a Telegram token: a real deployment
    async with http.get(f"{base(app)}/chat") as response:
        assert response.status == 404
    async with http.post(f"{base(app)}/webchat/send", json={"id": "m1", "text": "hi"}) as response:
        assert response.status == 404


async def test_the_web_chat_can_be_turned_off_in_the_demo(
    start_app: AppFactory, http: aiohttp.ClientSession
) -> None:
    app = await start_app("web", data=None, WEBCHAT_ENABLED=False)
    async with http.get(f"{base(app)}/chat") as response:
        assert response.status == 404


async def test_broken_json_is_400(start_app: AppFactory, http: aiohttp.ClientSession) -> None:
    app = await start_app("web", data=None)
    await open_page(http, app)
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


async def test_a_text_too_long_is_refused_with_a_word_never_cut(
    start_app: AppFactory, http: aiohttp.ClientSession
) -> None:
    """12,000 characters were once cut to 1,999 without a word; now the resident is told."""
    app = await start_app("web", data=None)
    status, body = await send(http, app, {"id": "m1", "text": "Đường hỏng. " * 1000})
    assert status == 400 and "dài quá 8.000 ký tự" in body["error"]
    assert await messages(http, app) == []
    long_but_fine = "Ổ gà lớn trên đường liên thôn. " * 200  # 6,200 characters: kept whole
    assert (await send(http, app, {"id": "m2", "text": long_but_fine}))[0] == 200
    async with app.store.uow() as uow:
        rows = (await uow.session.exec(select(InboundUpdate))).all()
    assert [len(r.payload["text"]) for r in rows] == [len(long_but_fine)]  # stored whole


async def test_what_is_held_never_shows_the_session_secret(
    start_app: AppFactory, http: aiohttp.ClientSession
) -> None:
    """The session id opens the history (name and phone included): /dulieu names the session, not
    its id, and a question's kept results are not called an unfinished step."""
    app = await start_app("web", data=None)
    await ask(http, app, "m1", "ngân sách năm 2026")
    [held] = await ask(http, app, "m2", "/dulieu")
    secret = http.cookie_jar.filter_cookies(URL(base(app)))[COOKIE].value
    assert secret not in held["text"] and "Phiên trò chuyện trên trình duyệt này" in held["text"]
    assert "đang làm dở" not in held["text"] and "câu hỏi gần nhất" in held["text"]


async def test_a_long_title_on_a_button_is_cut_after_a_whole_word(
    start_app: AppFactory, http: aiohttp.ClientSession
) -> None:
    """A button too short for a title ends it with "…" after a whole word: "năm 2…" would read as
    another year."""
    app = await start_app("web", data=None)
    [listing] = await ask(http, app, "m1", "họp dân ở đâu")
    words = set(listing["text"].split())  # the full titles are in the text
    cut = [label for row in listing["buttons"] for label, _ in row if label.endswith("…")]
    assert cut, "the demo's dialogue title is longer than a button"
    for label in cut:
        assert set(label.removesuffix("…").split()[1:]) <= words, label  # after the emoji


async def test_the_boards_link_to_the_chat_works_where_the_commune_has_its_own_path(
    start_app: AppFactory, http: aiohttp.ClientSession
) -> None:
    """Several communes behind one address: each one's pages and chat live under /<commune id>/,
    and the board's "Hỏi trợ lý ảo" opens that commune's chat."""
    await start_app.stop(await start_app(data=FIXTURES / "second-commune.yaml"))  # commune "dong-tien"
    app = await start_app(data=None, COMMUNE_ID="dong-tien", WEBCHAT_ENABLED=True)
    async with http.get(f"{base(app)}/dong-tien/") as response:
        assert response.status == 200
        board = await response.text()
    [href] = re.findall(r'<a href="([^"]+)">Hỏi trợ lý ảo</a>', board)
    async with http.get(f"{base(app)}{href}") as response:
        assert response.status == 200 and "<title>Trợ lý xã" in await response.text()
