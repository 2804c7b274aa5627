"""Filing petitions end to end, the same on Telegram (buttons) and Zalo (numbered choices).

The resident files step by step (`tests/e2e/messengers.py` presses a button on Telegram and types
its number on Zalo); the officials learn of it in their group (Telegram) or privately (Zalo).
What stays Telegram-only is in `test_petitions_telegram.py` (and why); the officials' actions are in
`test_petitions_officials.py`, privacy and denunciations in `test_petitions_privacy.py`.
"""

from __future__ import annotations

import pytest

from tests.e2e.messengers import ADMIN, RESIDENT, STRANGER, TelegramMessenger, ZaloMessenger
from tests.e2e.petition_steps import (
    CODE_RE,
    DRAIN,
    NAME,
    NOTHING,
    PHONE,
    ROAD_QUESTION,
    file_petition,
    petition_count,
    petition_row,
    until_confirm,
)

pytestmark = pytest.mark.e2e


async def test_report_with_village_photos_and_contact_gets_a_code_and_an_announcement(
    messenger: TelegramMessenger | ZaloMessenger,
) -> None:
    m = messenger
    summary = await until_confirm(m, place="gui:v1", photos=2, contact=(NAME, PHONE))
    for shown in ("Phản ánh", DRAIN, "Thôn Tân Sơn", NAME, PHONE):
        assert shown in summary
    receipt = await m.press("gui:send")
    found = CODE_RE.search(receipt)
    assert found and found.group().startswith("PA-"), receipt
    code = found.group()
    assert f"/tracuu {code}" in receipt

    text = await m.announcement(code)
    for shown in (code, "Phản ánh", "Thôn Tân Sơn", "Tóm tắt (đã ẩn thông tin cá nhân)", "Thời hạn"):
        assert shown in text, shown
    assert NAME not in text and PHONE not in text
    assert "Ảnh kèm theo: 2" in text

    tracked = await m.say(f"/tracuu {code}")
    assert code in tracked and "Đã tiếp nhận" in tracked and "Tiếp nhận qua tin nhắn" in tracked
    stranger = await m.say(f"/tracuu {code}", STRANGER)
    assert NOTHING in stranger
    assert code not in stranger and "Cống" not in stranger and "Tân Sơn" not in stranger
    assert stranger == await m.say("/tracuu PA-234567", STRANGER)  # same as a code that does not exist

    mine = await m.say("/cuatoi")
    assert code in mine and "Phản ánh" in mine
    assert code not in await m.say("/cuatoi", STRANGER)


async def test_every_photo_is_kept(messenger: TelegramMessenger | ZaloMessenger) -> None:
    m = messenger
    await m.say("/gui")
    await m.press("gui:phan_anh")
    await m.say(DRAIN)
    assert "ảnh" in await m.press("gui:v0")
    assert "Đã nhận 1 ảnh" in await m.photo()
    assert "Đã nhận 2 ảnh" in await m.photo()
    await m.press("gui:done")
    assert "Ảnh: 2" in await m.press("gui:no")
    code = CODE_RE.search(await m.press("gui:send"))
    assert code
    assert "Ảnh kèm theo: 2" in await m.announcement(code.group())
    assert len((await petition_row(m.app, code.group()))["photos"]) == 2


async def test_draft_survives_a_restart_and_huy_cancels(messenger: TelegramMessenger | ZaloMessenger) -> None:
    m = messenger
    assert "loại nào" in await m.say("/gui")
    assert "mô tả nội dung" in await m.say("2")  # typing the number works like the button
    assert "thôn nào" in await m.say("Đề nghị lắp thêm đèn đường ở ngã ba chợ")
    app = await m.restart()

    if isinstance(m, TelegramMessenger):  # Telegram sends a location; Zalo's bots get none
        await m.fake.push(m.fake.make_location_update(5001, 21.3321, 105.2214))
        assert "ảnh" in await m.text_to(RESIDENT)
    else:
        assert "ảnh" in await m.say("tan son")
    assert "họ tên" in await m.press("gui:skip")
    summary = await m.press("gui:no")
    assert "Kiến nghị" in summary and "đèn đường" in summary
    receipt = await m.press("gui:send")
    code = CODE_RE.search(receipt)
    assert code and code.group().startswith("KN-")
    assert code.group() in await m.announcement(code.group())
    await m.silence(RESIDENT, seconds=0.3)
    assert await petition_count(app) == 1

    assert "loại nào" in await m.say("/gui")
    assert "mô tả nội dung" in await m.press("gui:phan_anh")
    assert "Đã hủy" in await m.say("/huy")
    assert "850" in await m.say(ROAD_QUESTION)  # plain text is a question again
    assert await petition_count(app) == 1


async def test_send_chosen_and_redelivered_files_once(messenger: TelegramMessenger | ZaloMessenger) -> None:
    m = messenger
    assert "xem lại" in await until_confirm(m)
    if isinstance(m, TelegramMessenger):
        update = m.fake.make_callback_update(5001, 5001, "gui:send")
    else:  # Zalo redelivers the very message ("1" = Gửi) with the same message_id
        update = m.fake.make_update("z-5001", text="1")
    await m.fake.push(update)
    await m.fake.push(update)
    code = CODE_RE.search(await m.text_to(RESIDENT))
    assert code
    await m.announcement(code.group())
    await m.silence(RESIDENT, seconds=0.4)
    assert await petition_count(m.app) == 1


async def test_bad_input_is_refused_politely_and_keeps_the_step(
    messenger: TelegramMessenger | ZaloMessenger,
) -> None:
    m = messenger
    assert "loại nào" in await m.say("/gui")
    assert "chưa rõ bà con chọn loại nào" in await m.say("7")
    assert "mô tả nội dung" in await m.press("gui:phan_anh")
    assert "Nội dung hơi ngắn" in await m.say("rác")
    assert "thôn nào" in await m.say("Bãi rác tự phát cạnh trường tiểu học")
    assert "ảnh" in await m.say("3")  # Thôn Khe Mát by its number
    assert "Đã nhận 1 ảnh" in await m.photo()
    assert "Xong" in await m.say("xong chưa nhỉ")  # not a choice: the step is asked again
    assert "họ tên" in await m.press("gui:done")
    assert "Có hoặc Không" in await m.say("để tôi nghĩ")
    assert "họ và tên" in await m.press("gui:yes")
    assert "Họ tên chưa đúng" in await m.say("Hoa 1980")
    assert "Số điện thoại" in await m.say(NAME)
    assert "Số điện thoại chưa đúng" in await m.say("12345")
    assert "Số điện thoại chưa đúng" in await m.say("09123")
    summary = await m.say("0912 345 678")
    assert "Thôn Khe Mát" in summary and f"{NAME}, {PHONE}" in summary
    assert "Gửi" in await m.say("ok")
    assert "Đã hủy, chưa có gì được gửi đi" in await m.press("gui:cancel")
    assert await petition_count(m.app) == 0


async def test_unanswered_question_becomes_a_proposal_in_one_choice(
    messenger: TelegramMessenger | ZaloMessenger,
) -> None:
    m = messenger
    question = "xổ số hôm nay ra con gì"
    assert "chưa tìm thấy" in await m.say(question)
    assert "thôn nào" in await m.press("gui:fromq")
    assert "ảnh" in await m.press("gui:skip")
    assert "họ tên" in await m.press("gui:skip")
    summary = await m.press("gui:no")
    assert "Kiến nghị" in summary and question in summary
    receipt = await m.press("gui:send")
    code = CODE_RE.search(receipt)
    assert code and code.group().startswith("KN-"), receipt
    announcement = await m.announcement(code.group())
    assert "Kiến nghị" in announcement and question in announcement


async def test_a_question_with_hoi_mid_flow_keeps_the_draft(
    messenger: TelegramMessenger | ZaloMessenger,
) -> None:
    m = messenger
    await m.say("/gui")
    assert "mô tả nội dung" in await m.press("gui:phan_anh")
    assert "850" in await m.say(f"/hoi {ROAD_QUESTION}")
    assert "thôn nào" in await m.say(DRAIN)  # the draft goes on at the content step


async def test_anonymous_denunciation_and_complaint_get_honest_guidance(
    messenger: TelegramMessenger | ZaloMessenger,
) -> None:
    m = messenger
    anonymous = await file_petition(
        m, kind="to_cao", content="Trưởng thôn tự ý bán đất công của thôn cho người ngoài", place="gui:skip"
    )
    assert "nặc danh" in anonymous.receipt and "Luật Tố cáo" in anonymous.receipt
    assert "(nặc danh)" in anonymous.text and "Thôn/nơi: không ghi" in anonymous.text
    assert (await petition_row(m.app, anonymous.code))["anonymous"] is True
    assert "không để lại họ tên" in await m.say(f"/xem {anonymous.code}", ADMIN)

    complaint = await file_petition(
        m,
        kind="khieu_nai",
        content="Xã thu phí vệ sinh của gia đình tôi cao hơn mức niêm yết",
        contact=(NAME, PHONE),
    )
    assert complaint.code.startswith("KH-")
    assert "đơn có chữ ký hoặc điểm chỉ" in complaint.receipt
    assert "15/01/2027" in complaint.receipt  # 15/12/2026 is cancelled
    assert "Khiếu nại" in complaint.text and "hạn thụ lý" in complaint.text


async def test_typed_place_is_redacted_in_the_announcement(
    messenger: TelegramMessenger | ZaloMessenger,
) -> None:
    filed = await file_petition(
        messenger,
        kind="to_cao",
        content="Cán bộ thu tiền sai quy định nhiều lần",
        place="trước nhà tôi (nguyễn văn tèo), gọi 0987 654 321",
        contact=("Nguyễn Văn Tèo", "0987654321"),
    )
    assert "Thôn/nơi: trước nhà tôi ([tên])" in filed.text
    assert "0987 654 321" not in filed.text and "tèo" not in filed.text.lower()
