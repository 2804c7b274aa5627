"""A denunciation that has its handler is worked by that handler (and admins) only, on Telegram, on
Zalo and on the officials' console: another handler cannot accept it, reply to the denouncer,
resolve, refuse or forward it; they are told who may, and nothing changes (DOMAIN.md
"Confidentiality"; resident trial, session 13)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.messengers import (
    ADMIN,
    HANDLER,
    RESIDENT,
    SECOND_HANDLER,
    SECOND_HANDLER_ID,
    TelegramMessenger,
    ZaloMessenger,
)
from tests.e2e.petition_steps import NAME, PHONE, audit, file_petition, petition_row
from tests.e2e.test_console import SENT_VIA, Browser

pytestmark = pytest.mark.e2e

HELD = "Tố cáo này do cán bộ được giao xử lý phụ trách."
CONTENT = "Cán bộ địa chính thu tiền ngoài quy định khi làm sổ đỏ cho nhiều hộ trong thôn."


async def assigned_denunciation(m: TelegramMessenger | ZaloMessenger) -> str:
    """A second handler on the list, a denunciation filed and given by the admin to the first."""
    await m.add_second_handler()
    filed = await file_petition(m, kind="to_cao", content=CONTENT, contact=(NAME, PHONE))
    assert "Trần Thị Bình" in await m.say(f"/giao {filed.code} tran-thi-binh", ADMIN)
    return filed.code


async def unchanged(m: TelegramMessenger | ZaloMessenger, code: str) -> None:
    """The denunciation is as the admin left it and the denouncer heard nothing."""
    await m.silence(RESIDENT, seconds=0.3)
    row = await petition_row(m.app, code)
    assert (row["status"], row["assignee"], row["answer"]) == ("received", "tran-thi-binh", None)
    assert SECOND_HANDLER_ID not in [actor for actor, _, _ in await audit(m.app, code)]


async def test_only_the_assigned_handler_or_an_admin_acts_on_a_denunciation(
    messenger: TelegramMessenger | ZaloMessenger,
) -> None:
    m = messenger
    code = await assigned_denunciation(m)

    assert HELD in await m.op("accept", code, SECOND_HANDLER)
    assert HELD in await m.say(f"/traloi {code} Xã đã nhận tố cáo của bà con.", SECOND_HANDLER)
    assert HELD in await m.say(f"/ghichu {code} tôi xem giúp", SECOND_HANDLER)
    if m.buttons:  # Telegram: the announcement's buttons stay in the group, pressable by anyone there
        for action in ("resolve", "refuse", "forward"):
            assert HELD in await m.op(action, code, SECOND_HANDLER)
    else:  # Zalo: their lookup offers them no action to choose (the handler's does)
        assert code in await m.say(f"/tracuu {code}", SECOND_HANDLER)
        assert isinstance(m, ZaloMessenger) and not await m.live_choices(SECOND_HANDLER)
    await unchanged(m, code)

    assert "đã thụ lý" in await m.op("accept", code, HANDLER)
    assert f"Hồ sơ {code} của bà con đã được thụ lý" in await m.text_to(RESIDENT)
    confirm = await m.say(f"/traloi {code} Xã đang xác minh nội dung tố cáo.", ADMIN)
    assert "đã gửi đến người gửi" in confirm
    assert "Xã đang xác minh nội dung tố cáo." in await m.text_to(RESIDENT)
    if m.buttons:  # still closed to them once accepted
        assert HELD in await m.op("resolve", code, SECOND_HANDLER)
    assert "đã giải quyết" in await m.op("resolve", code, HANDLER)
    assert "đã được giải quyết xong" in await m.text_to(RESIDENT)

    row = await petition_row(m.app, code)
    assert (row["status"], row["assignee"]) == ("resolved", "tran-thi-binh")
    steps = [(actor, action) for actor, action, _ in await audit(m.app, code)]
    assert ("tran-thi-binh", "accepted") in steps and ("nguyen-van-an", "answered") in steps
    assert ("tran-thi-binh", "resolved") in steps
    assert SECOND_HANDLER_ID not in [actor for actor, _ in steps]


async def test_the_console_refuses_the_same_and_lets_the_assigned_handler_act(
    messenger: TelegramMessenger | ZaloMessenger,
) -> None:
    m = messenger
    code = await assigned_denunciation(m)
    second, assigned = Browser(m), Browser(m)
    try:
        await refused_on_the_console(m, second, code)
        await assigned.login(HANDLER)
        status, page = await assigned.get(f"/ho-so/{code}")
        assert "Gửi trả lời" in page and HELD not in page
        status, page = await assigned.post(f"/ho-so/{code}/thao-tac", op="accept")
        assert status == 200 and "Đã thụ lý, đang giải quyết" in page
    finally:
        await second.close()
        await assigned.close()
    assert f"Hồ sơ {code} của bà con đã được thụ lý" in await m.text_to(RESIDENT)


async def refused_on_the_console(m: TelegramMessenger | ZaloMessenger, browser: Browser, code: str) -> None:
    """The second handler signs in: no form on the denunciation's page, each posted anyway refused."""
    assert SENT_VIA in await browser.ask_code(SECOND_HANDLER_ID)
    login = await browser.code_for(SECOND_HANDLER)
    status, page = await browser.post("/dang-nhap/ma", can_bo=SECOND_HANDLER_ID, ma=login)
    assert status == 200 and "Hàng đợi hồ sơ" in page, page

    status, page = await browser.get(f"/ho-so/{code}")
    assert status == 200 and HELD in page
    assert "Gửi trả lời" not in page and "Đổi trạng thái" not in page and "Thêm ghi chú" not in page
    forms: list[tuple[str, dict[str, Any]]] = [
        ("tra-loi", {"noi_dung": "Xã đã nhận tố cáo của bà con."}),
        ("ghi-chu", {"ghi_chu": "tôi xem giúp"}),
        ("thao-tac", {"op": "accept"}),
        ("thao-tac", {"op": "resolve"}),
        ("thao-tac", {"op": "refuse", "ly_do": "Không thuộc thẩm quyền của xã"}),
    ]
    for path, fields in forms:  # the forms, posted anyway
        status, page = await browser.post(f"/ho-so/{code}/{path}", **fields)
        assert status == 400 and HELD in page, (path, fields)
    await unchanged(m, code)
