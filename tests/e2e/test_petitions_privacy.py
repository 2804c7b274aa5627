"""Who may see whom, on Telegram and on Zalo: a denouncer stays hidden; erasure keeps the case only.

The same conversations on both messengers (`tests/e2e/messengers.py`); the group's view of a
denunciation (nothing of the denouncer is ever posted there) is checked on Telegram, the only one
with an officials' group, in `test_petitions_telegram.py`.
"""

from __future__ import annotations

import logging

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
from tests.e2e.petition_steps import NAME, NOT_ALLOWED, NOTHING, PHONE, audit, file_petition, petition_row

pytestmark = pytest.mark.e2e


async def test_denunciation_identity_is_redacted_hidden_and_audited(
    messenger: TelegramMessenger | ZaloMessenger, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    m = messenger
    content = (
        "Tôi là Nguyễn Văn Tèo, số 0987 654 321. Cán bộ địa chính thu tiền ngoài quy định "
        "khi làm sổ đỏ cho nhiều hộ."
    )
    filed = await file_petition(m, kind="to_cao", content=content, contact=("Nguyễn Văn Tèo", "0987654321"))
    assert filed.code.startswith("TC-")
    assert "Tố cáo" in filed.text and "Tóm tắt (đã ẩn thông tin cá nhân)" in filed.text
    assert "thu tiền ngoài quy định" in filed.text
    for secret in ("Tèo", "0987 654 321", "0987654321", "654"):
        assert secret not in filed.text, secret

    refused = "Chỉ cán bộ được giao xử lý hồ sơ này và lãnh đạo xã"
    assert refused in await m.say(f"/xem {filed.code}", HANDLER)  # not assigned yet
    # Taking it would give the handler the denouncer: that needs the same right as /xem.
    assert "chỉ do cán bộ được lãnh đạo xã giao" in await m.op("take", filed.code, HANDLER)
    assert (await petition_row(m.app, filed.code))["assignee"] is None
    assert "Chỉ lãnh đạo xã" in await m.say(f"/giao {filed.code} tran-thi-binh", HANDLER)
    assert "Trần Thị Bình" in await m.say(f"/giao {filed.code} tran-thi-binh", ADMIN)
    shown = await m.say(f"/xem {filed.code}", HANDLER)
    assert "Nguyễn Văn Tèo" in shown and "0987654321" in shown and "đã được ghi lại" in shown
    assert refused in await m.say(f"/xem {filed.code}", SUPERVISOR)
    assert NOT_ALLOWED in await m.say(f"/xem {filed.code}", STRANGER)
    assert "Nguyễn Văn Tèo" in await m.say(f"/xem {filed.code}", ADMIN)

    assert "Tèo" not in await m.say(f"/tracuu {filed.code}", SUPERVISOR)  # officials see the summary
    viewers = [actor for actor, action, _ in await audit(m.app, filed.code) if action == "identity_viewed"]
    assert viewers == ["tran-thi-binh", "nguyen-van-an"]  # refused attempts are no views
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Tèo" not in logged and "0987654321" not in logged


async def test_erasure_removes_identity_but_keeps_the_case_for_officials(
    messenger: TelegramMessenger | ZaloMessenger,
) -> None:
    m = messenger
    content = "Tôi là Phạm Thị Hoa, nhà bị nứt tường do xe chở vật liệu công trình đi qua"
    filed = await file_petition(m, content=content, contact=(NAME, PHONE))

    held = await m.say("/dulieu")
    assert NAME in held and PHONE in held and filed.code in held
    assert "chắc chắn muốn xóa" in await m.say("/xoadulieu")
    assert "Đã xóa dữ liệu cá nhân" in await m.press("privacy:erase")

    held = await m.say("/dulieu")
    assert NAME not in held and PHONE not in held and filed.code not in held
    assert NOTHING in await m.say(f"/tracuu {filed.code}")
    assert "chưa gửi" in await m.say("/cuatoi")

    admin_view = await m.say(f"/tracuu {filed.code}", ADMIN)
    assert filed.code in admin_view and "Đã tiếp nhận" in admin_view
    assert "Xóa dữ liệu cá nhân theo yêu cầu" in admin_view
    assert "đã xóa dữ liệu cá nhân" in await m.say(f"/xem {filed.code}", ADMIN)
    row = await petition_row(m.app, filed.code)
    assert "Phạm Thị Hoa" not in row["content"] and "nứt tường" in row["content"]

    # An answer still goes on record, but reaches no one.
    assert "người gửi đã xóa dữ liệu liên hệ" in await m.say(
        f"/traloi {filed.code} Xã đã cử cán bộ.", HANDLER
    )
    await m.silence(RESIDENT, seconds=0.3)
