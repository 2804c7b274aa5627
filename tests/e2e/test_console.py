"""The officials' console, end to end: the whole App, its login code sent through the outbox to the
official's own chat on the fake Telegram or the fake Zalo, sessions in the real database, and what a
petition's page does reaching the resident through the same outbox as the chat."""

from __future__ import annotations

import re
from typing import Any

import aiohttp
import pytest
from sqlmodel import select

from storage.importer import import_data, load_file
from storage.models import OutboxMessage
from tests.conftest import MINI
from tests.e2e.messengers import ADMIN, HANDLER, RESIDENT, SUPERVISOR, Messenger
from tests.e2e.petition_steps import audit, file_petition, petition_row

pytestmark = pytest.mark.e2e

IDS = {ADMIN: "nguyen-van-an", HANDLER: "tran-thi-binh", SUPERVISOR: "le-van-cuong"}
CODE = re.compile(r"Mã đăng nhập trang cán bộ: (\d{6})")
CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')
SENT_VIA = "mã đăng nhập 6 số đã gửi qua"


class Browser:
    """An official's browser: its own cookies, the console's forms with their CSRF token."""

    def __init__(self, m: Messenger) -> None:
        self.m = m
        self.base = f"http://127.0.0.1:{m.app.port}/can-bo"
        self.http = aiohttp.ClientSession(
            cookie_jar=aiohttp.CookieJar(unsafe=True), timeout=aiohttp.ClientTimeout(total=15)
        )
        self.csrf = ""

    async def close(self) -> None:
        await self.http.close()

    async def get(self, path: str) -> tuple[int, str]:
        async with self.http.get(self.base + path) as response:
            text = await response.text()
            found = CSRF.search(text)
            self.csrf = found.group(1) if found else self.csrf
            return response.status, text

    async def post(self, path: str, csrf: bool = True, **fields: str) -> tuple[int, str]:
        data = {**fields, **({"csrf": self.csrf} if csrf else {})}
        async with self.http.post(self.base + path, data=data) as response:
            text = await response.text()
            found = CSRF.search(text)
            self.csrf = found.group(1) if found else self.csrf
            return response.status, text

    async def ask_code(self, official_id: str) -> str:
        await self.get("/dang-nhap")
        status, page = await self.post("/dang-nhap", can_bo=official_id)
        assert status == 200, page
        return page

    async def login(self, who: str) -> None:
        page = await self.ask_code(IDS[who])
        assert SENT_VIA in page
        code = await self.code_for(who)
        status, page = await self.post("/dang-nhap/ma", can_bo=IDS[who], ma=code)
        assert status == 200 and "Hàng đợi hồ sơ" in page, page

    async def code_for(self, who: str) -> str:
        found = CODE.search(await self.m.text_to(who))
        assert found
        return found.group(1)


async def stored_texts(m: Messenger) -> str:
    """Every text the outbox table holds, sent or not."""
    async with m.app.store.uow() as uow:
        rows = (await uow.session.exec(select(OutboxMessage))).all()
    return "\n".join(str(row.payload.get("text", "")) for row in rows)


@pytest.fixture
async def browser(messenger: Messenger) -> Any:
    b = Browser(messenger)
    yield b
    await b.close()


async def test_an_official_logs_in_with_a_code_from_their_chat_and_answers_the_resident(
    messenger: Messenger, browser: Browser
) -> None:
    m = messenger
    filed = await file_petition(m, contact=("Phạm Thị Hoa", "0912345678"))
    status, page = await browser.get("/")
    assert status == 200 and "Đăng nhập cán bộ" in page  # no session: the login page

    page = await browser.ask_code(IDS[HANDLER])
    where = "Telegram" if m.name == "telegram" else "Zalo"
    assert f"{SENT_VIA} {where}" in page
    code = await browser.code_for(HANDLER)
    status, page = await browser.post("/dang-nhap/ma", can_bo=IDS[HANDLER], ma=code)
    assert status == 200 and filed.code in page  # the queue lists the new petition
    assert code not in await stored_texts(m)  # a used code is kept nowhere in the database

    status, page = await browser.get(f"/ho-so/{filed.code}")
    assert "Trả lời người gửi" in page
    status, page = await browser.post(
        f"/ho-so/{filed.code}/tra-loi", noi_dung="Xã đã cử tổ công tác thông cống sáng mai."
    )
    assert status == 200 and "Đã lưu trả lời và gửi đến người gửi" in page
    told = await m.text_to(RESIDENT)
    assert f"UBND xã trả lời hồ sơ {filed.code}" in told
    assert "thông cống sáng mai" in told
    assert ("tran-thi-binh", "answered", "Xã đã cử tổ công tác thông cống sáng mai.") in await audit(
        m.app, filed.code
    )

    # a code is used once
    status, page = await browser.post("/dang-xuat")
    assert "Đăng nhập cán bộ" in page
    status, page = await browser.post("/dang-nhap/ma", can_bo=IDS[HANDLER], ma=code)
    assert status == 400 and "Mã không đúng hoặc đã hết hạn" in page


async def test_an_empty_answer_is_refused_with_a_clear_message_and_changes_nothing(
    messenger: Messenger, browser: Browser
) -> None:
    filed = await file_petition(messenger)
    await browser.login(HANDLER)
    before = await audit(messenger.app, filed.code)
    await browser.get(f"/ho-so/{filed.code}")
    status, page = await browser.post(f"/ho-so/{filed.code}/tra-loi", noi_dung="   ")
    assert status == 400 and "chưa viết nội dung trả lời" in page
    status, page = await browser.post(f"/ho-so/{filed.code}/thao-tac", op="refuse", ly_do="")
    assert status == 400 and "Cần ghi rõ lý do" in page
    assert await audit(messenger.app, filed.code) == before
    assert (await petition_row(messenger.app, filed.code))["status"] == "received"
    await messenger.silence(RESIDENT)


async def test_a_code_expires_after_ten_minutes_and_locks_after_five_wrong_tries(
    messenger: Messenger, browser: Browser
) -> None:
    await browser.ask_code(IDS[ADMIN])
    code = await browser.code_for(ADMIN)
    messenger.clock.advance(10 * 60 + 1)
    status, page = await browser.post("/dang-nhap/ma", can_bo=IDS[ADMIN], ma=code)
    assert status == 400 and "Mã không đúng hoặc đã hết hạn" in page

    await browser.ask_code(IDS[ADMIN])
    expired, code = code, await browser.code_for(ADMIN)
    assert expired not in await stored_texts(messenger) or expired == code  # an expired code is not kept
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        status, page = await browser.post("/dang-nhap/ma", can_bo=IDS[ADMIN], ma=wrong)
        assert status == 400
    status, page = await browser.post("/dang-nhap/ma", can_bo=IDS[ADMIN], ma=code)
    assert status == 400 and "Mã không đúng hoặc đã hết hạn" in page  # locked: even the right code
    status, page = await browser.get("/")
    assert "Đăng nhập cán bộ" in page


async def test_a_stranger_gets_the_same_page_as_an_official_and_no_code_goes_anywhere(
    messenger: Messenger, browser: Browser
) -> None:
    def plain(page: str, official_id: str) -> str:
        return CSRF.sub("", page).replace(official_id, "ID")

    stranger = plain(await browser.ask_code("khong-co-ai"), "khong-co-ai")
    for who in (ADMIN, HANDLER, SUPERVISOR):
        await messenger.silence(who, seconds=0.2)
    official = Browser(messenger)
    try:
        known = plain(await official.ask_code(IDS[ADMIN]), IDS[ADMIN])
    finally:
        await official.close()
    assert stranger == known  # nothing tells whether an id belongs to an official
    assert CODE.search(await messenger.text_to(ADMIN))


async def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(
    messenger: Messenger, browser: Browser
) -> None:
    filed = await file_petition(messenger)
    await browser.login(ADMIN)
    before = await audit(messenger.app, filed.code)
    status, page = await browser.post(f"/ho-so/{filed.code}/ghi-chu", csrf=False, ghi_chu="ghi chú lạ")
    assert status == 403 and "Biểu mẫu đã hết hạn hoặc không hợp lệ" in page
    browser.csrf = "0" * 64
    status, _ = await browser.post(f"/ho-so/{filed.code}/ghi-chu", ghi_chu="ghi chú lạ")
    assert status == 403
    assert await audit(messenger.app, filed.code) == before


async def test_an_official_whose_role_changes_or_who_is_removed_loses_access_at_once(
    messenger: Messenger, browser: Browser
) -> None:
    """The console re-reads the officials list on every request: a new role in the data file holds
    from the next click, and an official no longer listed is signed out."""
    filed = await file_petition(messenger)
    await browser.login(HANDLER)
    _, page = await browser.get(f"/ho-so/{filed.code}")
    assert "Gửi trả lời" in page
    data = messenger.data()
    for official in data["officials"]:
        if official["id"] == IDS[HANDLER]:
            official["role"] = "supervisor"
    async with messenger.app.store.uow() as uow:
        await import_data(uow, data, messenger.clock())
    _, page = await browser.get(f"/ho-so/{filed.code}")
    assert "Gửi trả lời" not in page
    status, _ = await browser.post(f"/ho-so/{filed.code}/ghi-chu", ghi_chu="vẫn thử ghi")
    assert status == 403

    async with messenger.app.store.uow() as uow:  # what removing an official from the list does
        removed = next(o for o in await uow.officials.all() if o.id == IDS[HANDLER])
        await uow.session.delete(removed)
        await uow.commit()
    _, page = await browser.get("/")
    assert "Đăng nhập cán bộ" in page and "Hàng đợi hồ sơ" not in page
    assert "vẫn thử ghi" not in str(await audit(messenger.app, filed.code))


async def test_a_supervisor_sees_the_queue_but_no_identity_and_no_form(
    messenger: Messenger, browser: Browser
) -> None:
    filed = await file_petition(messenger, contact=("Phạm Thị Hoa", "0912345678"))
    await browser.login(SUPERVISOR)
    status, page = await browser.get(f"/ho-so/{filed.code}")
    assert status == 200 and filed.code in page
    assert "Xem danh tính" not in page and "Gửi trả lời" not in page and "Thêm ghi chú" not in page
    status, page = await browser.post(f"/ho-so/{filed.code}/danh-tinh")
    assert status == 403 and "Phạm Thị Hoa" not in page
    status, page = await browser.post(f"/ho-so/{filed.code}/tra-loi", noi_dung="trả lời lạ")
    assert status == 403
    actions = [a for _, a, _ in await audit(messenger.app, filed.code)]
    assert "identity_viewed" not in actions and "answered" not in actions


async def test_a_denouncer_is_shown_only_to_the_assignee_and_each_view_is_recorded(
    messenger: Messenger, browser: Browser
) -> None:
    filed = await file_petition(
        messenger,
        kind="to_cao",
        content="Cán bộ địa chính nhận tiền để làm nhanh hồ sơ đất",
        contact=("Phạm Thị Hoa", "0912345678"),
    )
    await browser.login(HANDLER)
    status, page = await browser.get(f"/ho-so/{filed.code}")
    assert "Xem danh tính" not in page  # not yet assigned to this handler
    status, page = await browser.post(f"/ho-so/{filed.code}/danh-tinh")
    assert status == 403 and "Phạm Thị Hoa" not in page

    admin = Browser(messenger)
    try:
        await admin.login(ADMIN)
        await admin.get(f"/ho-so/{filed.code}")
        status, page = await admin.post(f"/ho-so/{filed.code}/giao", can_bo=IDS[HANDLER])
        assert status == 200 and "Đã giao hồ sơ" in page
    finally:
        await admin.close()

    status, page = await browser.get(f"/ho-so/{filed.code}")
    assert "Xem danh tính" in page
    status, page = await browser.post(f"/ho-so/{filed.code}/danh-tinh")
    assert status == 200 and "Phạm Thị Hoa" in page and "0912345678" in page
    assert ("tran-thi-binh", "identity_viewed", None) in await audit(messenger.app, filed.code)


async def test_status_changes_follow_the_chats_rules_and_tell_the_resident(
    messenger: Messenger, browser: Browser
) -> None:
    filed = await file_petition(messenger)
    await browser.login(HANDLER)
    await browser.get(f"/ho-so/{filed.code}")
    status, page = await browser.post(f"/ho-so/{filed.code}/thao-tac", op="accept")
    assert status == 200 and "Đã thụ lý, đang giải quyết" in page
    assert f"Hồ sơ {filed.code} của bà con đã được thụ lý" in await messenger.text_to(RESIDENT)
    status, page = await browser.post(
        f"/ho-so/{filed.code}/thao-tac", op="refuse", ly_do="Không thuộc thẩm quyền"
    )
    assert status == 400 and "đã được thụ lý nên không thể chuyển sang không thụ lý" in page
    status, page = await browser.post(f"/ho-so/{filed.code}/ghi-chu", ghi_chu="Đã gọi điện cho trưởng thôn")
    assert "Đã thêm ghi chú nội bộ" in page and "Đã gọi điện cho trưởng thôn" in page
    status, page = await browser.post(f"/ho-so/{filed.code}/thao-tac", op="resolve")
    assert "Đã giải quyết xong" in page
    assert "đánh giá việc giải quyết" in await messenger.text_to(RESIDENT)


def test_the_mini_commune_names_the_officials_this_test_logs_in() -> None:
    ids = {o["id"] for o in load_file(MINI)["officials"]}
    assert set(IDS.values()) <= ids
