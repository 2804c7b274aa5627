"""What officials do with a petition, the same on Telegram and on Zalo.

On Telegram the officials act in their group with the announcement's buttons; on Zalo (no group a
bot may post to) each acting official gets the announcement privately and types the number of an
action, `/tracuu CODE` offers the actions again, and answers go with `/traloi CODE text`.
What only a group can show (replies to the announcement, strangers in the group, forged button
presses) is in `test_petitions_telegram.py`.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.messengers import (
    ADMIN,
    HANDLER,
    RESIDENT,
    STRANGER,
    SUPERVISOR,
    TelegramMessenger,
    ZaloMessenger,
)
from tests.e2e.petition_steps import NAME, NOT_ALLOWED, PHONE, audit, file_petition, petition_row

pytestmark = pytest.mark.e2e


async def test_an_official_answers_privately_and_strangers_change_nothing(
    messenger: TelegramMessenger | ZaloMessenger,
) -> None:
    m = messenger
    filed = await file_petition(m, contact=(NAME, PHONE))
    assert f"/traloi {filed.code}" in filed.text
    assert NOT_ALLOWED in await m.say(f"/traloi {filed.code} trả lời giả mạo", STRANGER)
    assert NOT_ALLOWED in await m.say(f"/ghichu {filed.code} ghi chú giả", SUPERVISOR)
    await m.silence(RESIDENT, seconds=0.3)
    row = await petition_row(m.app, filed.code)
    assert (row["status"], row["assignee"], row["answer"]) == ("received", None, None)

    confirm = await m.say(f"/traloi {filed.code} Đã khơi thông xong.", HANDLER)
    assert "đã gửi đến người gửi" in confirm
    assert await m.text_to(RESIDENT) == f"📩 UBND xã trả lời hồ sơ {filed.code}:\nĐã khơi thông xong."
    tracked = await m.say(f"/tracuu {filed.code}")
    # a reply is not a status step (thụ lý, chuyển, không thụ lý): the status says both, with the date
    assert (
        re.search(r"Đã tiếp nhận, xã đã trả lời ngày \d\d/\d\d/\d{4}\n", tracked)
        and "chờ xử lý" not in tracked
    )
    assert re.search(r"Trả lời của xã \(\d\d/\d\d/\d{4}\): Đã khơi thông xong\.", tracked)
    assert (await petition_row(m.app, filed.code))["status"] == "received"
    assert "Đã khơi thông xong." not in await m.say(f"/tracuu {filed.code}", STRANGER)


async def test_accept_take_note_resolve_then_rating_and_comment(
    messenger: TelegramMessenger | ZaloMessenger,
) -> None:
    m = messenger
    filed = await file_petition(m, contact=(NAME, PHONE))

    assert "đã thụ lý" in await m.op("accept", filed.code, ADMIN)
    told = await m.text_to(RESIDENT)
    assert f"Hồ sơ {filed.code} của bà con đã được thụ lý" in told and "Hạn giải quyết" in told
    assert "không thụ lý lại" in await m.op("accept", filed.code, HANDLER)  # changes nothing

    assert "Trần Thị Bình" in await m.op("take", filed.code, HANDLER)
    note = "Đã gọi điện cho tổ trưởng, hẹn chiều xử lý"
    noted = await (
        m.official_says(f"/ghichu {filed.code} {note}", HANDLER)
        if isinstance(m, TelegramMessenger)
        else m.say(f"/ghichu {filed.code} {note}", HANDLER)
    )
    assert "ghi chú nội bộ" in noted
    await m.silence(RESIDENT, seconds=0.3)  # taking it and the note are internal

    filer_view = await m.say(f"/tracuu {filed.code}")
    assert "Đã thụ lý, đang giải quyết" in filer_view and "Ngày thụ lý: 25/11/2026" in filer_view
    assert "Giao cán bộ xử lý" in filer_view and note not in filer_view

    assert "đã giải quyết" in await m.op("resolve", filed.code, HANDLER)
    assert "đánh giá" in await m.text_to(RESIDENT)
    if isinstance(m, TelegramMessenger):  # a forged press by someone else (Zalo has no presses)
        assert "Không tìm thấy" in await m.press(f"rate:{filed.code}:1", STRANGER)
    assert "4/5" in await m.press(f"rate:{filed.code}:4")
    assert "Cảm ơn góp ý" in await m.say("Cán bộ làm nhanh, cảm ơn xã")

    row = await petition_row(m.app, filed.code)
    assert (row["status"], row["rating"], row["rating_comment"]) == (
        "resolved",
        4,
        "Cán bộ làm nhanh, cảm ơn xã",
    )
    admin_view = await m.say(f"/tracuu {filed.code}", ADMIN)
    assert "Đã giải quyết xong" in admin_view and "Công dân đánh giá: 4/5" in admin_view
    assert note in admin_view  # officials see internal notes
    actions = [a for _, a, _ in await audit(m.app, filed.code)]
    assert actions == ["filed", "accepted", "assigned", "note", "resolved", "rated"]


async def test_refuse_and_forward_need_a_reason_and_tell_the_resident(
    messenger: TelegramMessenger | ZaloMessenger,
) -> None:
    m = messenger
    refused = await file_petition(m, kind="kien_nghi", content="Đề nghị xã làm thêm sân bóng cho thanh niên")
    forwarded = await file_petition(m, content="Cột điện trung thế nghiêng sắp đổ ở đầu thôn")

    assert "lý do không thụ lý" in await m.op("refuse", refused.code, ADMIN)
    assert "gõ lại lý do" in await m.official_says("ko", ADMIN)  # too short: nothing changes
    assert (await petition_row(m.app, refused.code))["status"] == "received"
    reason = "Quỹ đất chưa quy hoạch, xã sẽ xem xét năm sau"
    assert "Đã ghi nhận" in await m.official_says(reason, ADMIN)
    assert await m.text_to(RESIDENT) == f"Hồ sơ {refused.code} không được thụ lý. Lý do: {reason}"

    assert "cơ quan sẽ chuyển đến" in await m.op("forward", forwarded.code, HANDLER)
    await m.official_says("Điện lực khu vực, vì lưới điện do ngành điện quản lý", HANDLER)
    told = await m.text_to(RESIDENT)
    assert told.startswith(f"Hồ sơ {forwarded.code} đã được chuyển đến cơ quan có thẩm quyền: Điện lực")
    await m.silence(RESIDENT, seconds=0.3)

    assert "Không thụ lý" in await m.say(f"/tracuu {refused.code}")
    assert "Đã chuyển cơ quan có thẩm quyền" in await m.say(f"/tracuu {forwarded.code}")


async def test_a_closed_petition_cannot_be_refused_afterwards(
    messenger: TelegramMessenger | ZaloMessenger,
) -> None:
    m = messenger
    filed = await file_petition(m)
    await m.op("resolve", filed.code, ADMIN)
    assert "đánh giá" in await m.text_to(RESIDENT)
    answer = await m.op("refuse", filed.code, HANDLER)  # a late choice on the old announcement
    if "lý do" in answer:  # asking for the reason first is fine, as long as nothing changes then
        answer = await m.official_says("Không thuộc thẩm quyền của xã", HANDLER)
    assert "đã khép lại" in answer
    assert (await petition_row(m.app, filed.code))["status"] == "resolved"
    await m.silence(RESIDENT, seconds=0.3)  # the resident is not told "không được thụ lý"
