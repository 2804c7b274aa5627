"""The console's cookies and session ends, on a real database with the server in the test: the
session cookie is HttpOnly, SameSite=Lax, 12 hours, and Secure when the site is https; logging out
ends the session in the database (the old cookie opens nothing); the code is queued as an answer."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from http.cookies import SimpleCookie
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from domain.reach import Reach
from storage.importer import import_data, load_file
from storage.repositories.outbox import ANSWER
from storage.store import Store
from tests.conftest import MINI, NOW
from web.console.app import Console
from web.server import make_web_app

CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')
CODE = re.compile(r"Mã đăng nhập trang cán bộ: (\d{6})")


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    st = Store(f"sqlite:///{tmp_path / 'console.db'}")
    await st.migrate()
    async with st.uow() as uow:
        await import_data(uow, load_file(MINI), NOW)
    yield st
    await st.close()


async def client_for(store: Store, public_base_url: str) -> TestClient[web.Request, web.Application]:
    console = Console(
        store,
        lambda: NOW,
        ZoneInfo("Asia/Ho_Chi_Minh"),
        key=b"test-key",
        public_base_url=public_base_url,
        reach=Reach(active=("telegram",)),
    )
    client: TestClient[web.Request, web.Application] = TestClient(
        TestServer(make_web_app(store, [], console=console))
    )
    await client.start_server()
    return client


async def log_in(client: TestClient[web.Request, web.Application], store: Store) -> SimpleCookie:
    """Sign in as the handler; the login response's cookies. The pre-login cookie is sent by hand:
    on an https site it is Secure, and the test talks plain http."""
    response = await client.get("/can-bo/dang-nhap")
    found_token = CSRF.search(await response.text())
    assert found_token
    token, pre = found_token.group(1), response.cookies["can_bo_pre"].value
    headers = {"Cookie": f"can_bo_pre={pre}"}
    data = {"csrf": token, "can_bo": "tran-thi-binh"}
    assert (await client.post("/can-bo/dang-nhap", data=data, headers=headers)).status == 200
    async with store.uow() as uow:
        queued = await uow.outbox.for_chat("telegram", "9002")
    assert [m.priority for m in queued] == [ANSWER]  # the official waits for it: it leaves first
    found = CODE.search(queued[-1].payload["text"])
    assert found
    response = await client.post(
        "/can-bo/dang-nhap/ma",
        data={**data, "ma": found.group(1)},
        headers=headers,
        allow_redirects=False,
    )
    assert response.status == 303 and response.headers["Location"] == "/can-bo/"
    cookie: SimpleCookie = SimpleCookie()
    for header in response.headers.getall("Set-Cookie"):
        cookie.load(header)
    return cookie


async def test_the_session_cookie_is_http_only_lax_and_secure_on_https(store: Store) -> None:
    client = await client_for(store, "https://xa.example.vn")
    try:
        morsel = (await log_in(client, store))["can_bo"]
        assert morsel["httponly"] and morsel["secure"]
        assert morsel["samesite"] == "Lax" and morsel["max-age"] == "43200" and morsel["path"] == "/can-bo/"
    finally:
        await client.close()


async def test_logging_out_ends_the_session_in_the_database(store: Store) -> None:
    client = await client_for(store, "http://127.0.0.1")
    try:
        morsel = (await log_in(client, store))["can_bo"]
        assert not morsel["secure"]
        page = await (await client.get("/can-bo/")).text()
        assert "Hàng đợi hồ sơ" in page and "Trần Thị Bình" in page
        token = CSRF.search(page)
        assert token
        missing = await client.get("/can-bo/ho-so/pa-nope00")
        assert missing.status == 404 and "Không có hồ sơ PA-NOPE00" in await missing.text()
        await client.post("/can-bo/dang-xuat", data={"csrf": token.group(1)})
        assert "Đăng nhập cán bộ" in await (await client.get("/can-bo/")).text()
        # the old cookie, sent again by hand, opens nothing: the session is gone from the database
        client.session.cookie_jar.update_cookies({"can_bo": morsel.value})
        assert "Đăng nhập cán bộ" in await (await client.get("/can-bo/")).text()
    finally:
        await client.close()


async def test_the_embedded_demo_prints_the_login_code_in_its_terminal(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """With no messenger configured (the README's first command), no chat can carry a code: it is
    printed in the terminal running the bot, the page says so, and it signs the official in. A
    deployment with messengers never prints one."""
    demo = Console(
        store, lambda: NOW, ZoneInfo("Asia/Ho_Chi_Minh"), key=b"k", reach=Reach(active=()), print_codes=True
    )
    client: TestClient[web.Request, web.Application] = TestClient(
        TestServer(make_web_app(store, [], console=demo))
    )
    await client.start_server()
    try:
        response = await client.get("/can-bo/dang-nhap")
        found_token = CSRF.search(await response.text())
        assert found_token
        data = {"csrf": found_token.group(1), "can_bo": "tran-thi-binh"}
        with caplog.at_level("WARNING", logger="web.console.login"):
            page = await client.post("/can-bo/dang-nhap", data=data)
        assert "đã in ra cửa sổ dòng lệnh" in await page.text()
        printed = re.search(r"console login code for tran-thi-binh: (\d{6})", caplog.text)
        assert printed
        async with store.uow() as uow:
            assert await uow.outbox.for_chat("telegram", "9002") == []
        done = await client.post(
            "/can-bo/dang-nhap/ma", data={**data, "ma": printed.group(1)}, allow_redirects=False
        )
        assert done.status == 303 and done.headers["Location"] == "/can-bo/"
    finally:
        await client.close()
    caplog.clear()
    plain = await client_for(store, "")
    try:
        response = await plain.get("/can-bo/dang-nhap")
        found_token = CSRF.search(await response.text())
        assert found_token
        with caplog.at_level("WARNING", logger="web.console.login"):
            await plain.post(
                "/can-bo/dang-nhap", data={"csrf": found_token.group(1), "can_bo": "tran-thi-binh"}
            )
        assert "console login code" not in caplog.text
    finally:
        await plain.close()
