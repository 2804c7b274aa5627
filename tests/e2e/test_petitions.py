"""Petitions end to end on the fake Telegram: /gui, the officials' group, tracking, privacy.

A resident (private chat 5001) files step by step; the officials' group of the mini commune
(-1009000000001) gets the announcement and acts with its buttons; user 7777 is a stranger.
Each test asserts what a person notices: the messages they get, or that nothing arrives.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.app import App
from storage.models import Petition
from tests.e2e.conftest import AppFactory, eventually, expect_silence, outbox_rows
from tests.fakes.telegram import FakeTelegram

pytestmark = pytest.mark.e2e

CHAT = 5001
STRANGER = 7777
GROUP = -1009000000001
ADMIN, HANDLER, SUPERVISOR = 9001, 9002, 9003
CODE_RE = re.compile(r"\b(?:PA|KN|KH|TC)-[23456789A-HJ-NP-Z]{6}\b")
NOTHING = "Không tìm thấy hồ sơ nào với mã này mà bà con được xem"
NOT_ALLOWED = "chỉ cán bộ xã có tên trong danh sách"
NAME, PHONE = "Phạm Thị Hoa", "0912345678"
DRAIN = "Cống thoát nước đầu ngõ bị tắc, nước tràn ra đường khi mưa"
ROAD_QUESTION = "duong thon tan son dai bao nhieu"
OPS = ("accept", "take", "forward", "refuse", "resolve")


@dataclass
class Filed:
    code: str
    receipt: str  # what the resident was told on sending
    announcement: dict[str, Any]  # the fake's record of the post in the officials' group

    @property
    def text(self) -> str:
        return str(self.announcement["text"])

    @property
    def message_id(self) -> int:
        return int(self.announcement["result"]["message_id"])


# --- helpers ---------------------------------------------------------------------------------


async def text_to(fake: FakeTelegram, chat: int) -> str:
    return str((await fake.next_sent(chat))["text"])


async def say(fake: FakeTelegram, text: str, chat: int = CHAT, *, user: int | None = None) -> str:
    """Send a text and return the bot's answer in that chat."""
    await fake.push_text(chat, text, user_id=user)
    return await text_to(fake, chat)


async def press(
    fake: FakeTelegram, data: str, chat: int = CHAT, *, user: int | None = None, **kw: Any
) -> str:
    """Press a button (by default on the last keyboard in the chat); the bot's answer there."""
    await fake.push_callback(chat, user if user is not None else chat, data, **kw)
    return await text_to(fake, chat)


async def send_photo(fake: FakeTelegram, chat: int = CHAT) -> str:
    await fake.push(fake.make_photo_update(chat))
    return await text_to(fake, chat)


def buttons_of(entry: dict[str, Any]) -> list[str]:
    markup = entry["params"].get("reply_markup") or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


async def until_confirm(
    fake: FakeTelegram,
    *,
    kind: str = "phan_anh",
    content: str = DRAIN,
    place: str = "gui:v0",
    photos: int = 0,
    contact: tuple[str, str] | None = None,
    chat: int = CHAT,
) -> str:
    """Walk /gui up to the confirmation; returns the summary shown before sending."""
    assert "loại nào" in await say(fake, "/gui", chat)
    assert "mô tả nội dung" in await press(fake, f"gui:{kind}", chat)
    assert "thôn nào" in await say(fake, content, chat)
    asked = await (press(fake, place, chat) if place.startswith("gui:") else say(fake, place, chat))
    assert "ảnh" in asked
    for _ in range(photos):
        assert "Đã nhận" in await send_photo(fake, chat)  # the count: see test_every_photo_is_kept
    assert "họ tên" in await press(fake, "gui:done" if photos else "gui:skip", chat)
    if contact is None:
        return await press(fake, "gui:no", chat)
    assert "họ và tên" in await press(fake, "gui:yes", chat)
    assert "Số điện thoại" in await say(fake, contact[0], chat)
    return await say(fake, contact[1], chat)


async def file_petition(fake: FakeTelegram, **kw: Any) -> Filed:
    """The whole /gui flow, then Send: the code, the receipt and the group announcement."""
    chat = kw.get("chat", CHAT)
    assert "xem lại" in await until_confirm(fake, **kw)
    receipt = await press(fake, "gui:send", chat)
    found = CODE_RE.search(receipt)
    assert found, receipt
    announcement = await fake.next_sent(GROUP)
    return Filed(found.group(), receipt, announcement)


async def announcement_known(app: App, filed: Filed) -> None:
    """The bot has recorded the announcement's message id (an official replies to it after that)."""
    wanted = str(filed.message_id)

    async def recorded() -> bool:
        return any(r.chat_id == str(GROUP) and r.external_id == wanted for r in await outbox_rows(app))

    await eventually(recorded, what="the announcement's message id to be recorded")


async def petition_row(app: App, code: str) -> dict[str, Any]:
    async with app.store.uow() as uow:
        petition = await uow.petitions.by_code(code)
        assert petition is not None
        return petition.model_dump()


async def petition_count(app: App) -> int:
    async with app.store.uow() as uow:
        return int((await uow.session.exec(select(func.count()).select_from(Petition))).one())


async def audit(app: App, code: str) -> list[tuple[str, str, str | None]]:
    """(actor, action, detail) of every audit event, internal ones included."""
    async with app.store.uow() as uow:
        petition = await uow.petitions.by_code(code)
        assert petition is not None and petition.id is not None
        events = await uow.petitions.events(petition.id, include_internal=True)
        return [(e.actor, e.action, e.detail) for e in events]


async def op(fake: FakeTelegram, action: str, filed: Filed, user: int) -> str:
    """An official (or not) presses a button under the announcement; the bot's answer in the group."""
    return await press(fake, f"op:{action}:{filed.code}", GROUP, user=user, message_id=filed.message_id)


# --- 1. the happy path ----------------------------------------------------------------------


async def test_report_with_village_photos_and_contact_gets_a_code_and_a_private_announcement(
    start_app: AppFactory, fake_telegram: FakeTelegram
) -> None:
    fake = fake_telegram
    await start_app()
    summary = await until_confirm(fake, place="gui:v1", photos=2, contact=(NAME, PHONE))
    for shown in ("Phản ánh", DRAIN, "Thôn Tân Sơn", NAME, PHONE):
        assert shown in summary
    assert {"gui:send", "gui:cancel"} <= set(buttons_of(fake.sent_to(CHAT)[-1]))

    receipt = await press(fake, "gui:send")
    found = CODE_RE.search(receipt)
    assert found and found.group().startswith("PA-"), receipt
    code = found.group()
    assert f"/tracuu {code}" in receipt

    announcement = await fake.next_sent(GROUP)
    text = str(announcement["text"])
    for shown in (code, "Phản ánh", "Thôn Tân Sơn", "Tóm tắt (đã ẩn thông tin cá nhân)", "Thời hạn"):
        assert shown in text, shown
    assert NAME not in text and PHONE not in text
    assert buttons_of(announcement) == [f"op:{action}:{code}" for action in OPS]

    tracked = await say(fake, f"/tracuu {code}")
    assert code in tracked and "Đã tiếp nhận" in tracked and "Tiếp nhận qua tin nhắn" in tracked

    stranger = await say(fake, f"/tracuu {code}", STRANGER)
    assert NOTHING in stranger
    assert code not in stranger and "Cống" not in stranger and "Tân Sơn" not in stranger
    assert stranger == await say(fake, "/tracuu PA-234567", STRANGER)  # same as a code that does not exist

    mine = await say(fake, "/cuatoi")
    assert code in mine and "Phản ánh" in mine
    assert code not in await say(fake, "/cuatoi", STRANGER)
    album = await fake.next_sent(GROUP, method="sendMediaGroup")  # the photos follow the announcement
    assert code in album["text"] and NAME not in album["text"]
    await expect_silence(fake, GROUP, seconds=0.2)  # one announcement and its photos, nothing else


async def test_every_photo_is_kept(start_app: AppFactory, fake_telegram: FakeTelegram) -> None:
    fake = fake_telegram
    app = await start_app()
    await say(fake, "/gui")
    await press(fake, "gui:phan_anh")
    await say(fake, DRAIN)
    assert "ảnh" in await press(fake, "gui:v0")
    assert "Đã nhận 1 ảnh" in await send_photo(fake)
    assert "Đã nhận 2 ảnh" in await send_photo(fake)
    await press(fake, "gui:done")
    assert "Ảnh: 2" in await press(fake, "gui:no")
    filed_text = await press(fake, "gui:send")
    code = CODE_RE.search(filed_text)
    assert code
    assert "Ảnh kèm theo: 2" in str((await fake.next_sent(GROUP))["text"])
    assert len((await petition_row(app, code.group()))["photos"]) == 2


# --- 2. who may answer and act ---------------------------------------------------------------


async def test_only_officials_answer_and_act_from_the_group(
    start_app: AppFactory, fake_telegram: FakeTelegram
) -> None:
    fake = fake_telegram
    app = await start_app()
    filed = await file_petition(fake, contact=(NAME, PHONE))
    await announcement_known(app, filed)

    # A stranger in the group replies to the announcement: the resident gets nothing.
    await fake.push_text(
        GROUP, "Để tôi lo, đưa tiền đây", user_id=STRANGER, reply_to_message_id=filed.message_id
    )
    assert NOT_ALLOWED in await text_to(fake, GROUP)
    # A stranger (and the supervisor, who watches but does not act) presses every button.
    for action in OPS:
        assert NOT_ALLOWED in await op(fake, action, filed, STRANGER)
    assert NOT_ALLOWED in await op(fake, "accept", filed, SUPERVISOR)
    await fake.push_text(GROUP, "lý do bịa ra để từ chối", user_id=STRANGER)  # not a reason of anything
    assert NOT_ALLOWED in await say(fake, f"/traloi {filed.code} trả lời giả mạo", STRANGER)
    await expect_silence(fake, CHAT, seconds=0.3)
    await expect_silence(fake, GROUP, seconds=0.05)

    tracked = await say(fake, f"/tracuu {filed.code}")
    assert "Đã tiếp nhận, chờ xử lý" in tracked
    assert "Trả lời" not in tracked and "Giao cán bộ" not in tracked
    row = await petition_row(app, filed.code)
    assert (row["status"], row["assignee"], row["answer"]) == ("received", None, None)
    assert [a for _, a, _ in await audit(app, filed.code)] == ["filed"]

    # The handler replies to the announcement: the resident gets the answer.
    await fake.push_text(
        GROUP,
        "Chiều nay tổ vệ sinh sẽ khơi thông cống.",
        user_id=HANDLER,
        reply_to_message_id=filed.message_id,
    )
    answer = await text_to(fake, CHAT)
    assert answer == f"📩 UBND xã trả lời hồ sơ {filed.code}:\nChiều nay tổ vệ sinh sẽ khơi thông cống."
    assert "đã gửi đến người gửi" in await text_to(fake, GROUP)
    # /traloi works from a private chat too.
    confirm = await say(fake, f"/traloi {filed.code} Đã khơi thông xong.", HANDLER)
    assert "đã gửi đến người gửi" in confirm
    assert "Đã khơi thông xong." in await text_to(fake, CHAT)
    tracked = await say(fake, f"/tracuu {filed.code}")
    assert "Trả lời của xã: Đã khơi thông xong." in tracked


# --- 3. the officials' actions and the rating ------------------------------------------------


async def test_accept_take_note_resolve_then_rating_and_comment(
    start_app: AppFactory, fake_telegram: FakeTelegram
) -> None:
    fake = fake_telegram
    app = await start_app()
    filed = await file_petition(fake, contact=(NAME, PHONE))

    assert "đã thụ lý" in await op(fake, "accept", filed, ADMIN)
    told = await text_to(fake, CHAT)
    assert f"Hồ sơ {filed.code} của bà con đã được thụ lý" in told and "Hạn giải quyết" in told
    assert "không thụ lý lại" in await op(fake, "accept", filed, HANDLER)  # a second press changes nothing

    assert "Trần Thị Bình" in await op(fake, "take", filed, HANDLER)
    note = "Đã gọi điện cho tổ trưởng, hẹn chiều xử lý"
    assert "ghi chú nội bộ" in await say(fake, f"/ghichu {filed.code} {note}", GROUP, user=HANDLER)
    await expect_silence(fake, CHAT, seconds=0.3)  # taking it and the note are internal

    filer_view = await say(fake, f"/tracuu {filed.code}")
    assert "Đã thụ lý, đang giải quyết" in filer_view and "Ngày thụ lý: 25/11/2026" in filer_view
    assert "Giao cán bộ xử lý" in filer_view
    assert note not in filer_view and "Ghi chú nội bộ" not in filer_view

    assert "đã giải quyết" in await op(fake, "resolve", filed, HANDLER)
    ask = await fake.next_sent(CHAT)
    assert "đánh giá" in str(ask["text"])
    assert buttons_of(ask) == [f"rate:{filed.code}:{n}" for n in range(1, 6)]
    assert "đã khép lại" in await op(fake, "resolve", filed, ADMIN)

    assert NOTHING in await press(fake, f"rate:{filed.code}:1", STRANGER)  # not theirs to rate
    assert "4/5" in await press(fake, f"rate:{filed.code}:4", message_id=ask["result"]["message_id"])
    assert "Cảm ơn góp ý" in await say(fake, "Cán bộ làm nhanh, cảm ơn xã")

    row = await petition_row(app, filed.code)
    assert (row["status"], row["rating"], row["rating_comment"]) == (
        "resolved",
        4,
        "Cán bộ làm nhanh, cảm ơn xã",
    )
    admin_view = await say(fake, f"/tracuu {filed.code}", ADMIN)
    assert "Đã giải quyết xong" in admin_view and "Công dân đánh giá: 4/5" in admin_view
    assert note in admin_view  # officials see internal notes
    actions = [a for _, a, _ in await audit(app, filed.code)]
    assert actions == ["filed", "accepted", "assigned", "note", "resolved", "rated"]


async def test_refuse_and_forward_need_a_reason_and_tell_the_resident(
    start_app: AppFactory, fake_telegram: FakeTelegram
) -> None:
    fake = fake_telegram
    app = await start_app()
    refused = await file_petition(
        fake, kind="kien_nghi", content="Đề nghị xã làm thêm sân bóng cho thanh niên"
    )
    forwarded = await file_petition(fake, content="Cột điện trung thế nghiêng sắp đổ ở đầu thôn")

    assert "lý do không thụ lý" in await op(fake, "refuse", refused, ADMIN)
    assert "Cần ghi rõ lý do" in await say(fake, "ko", GROUP, user=ADMIN)  # too short: nothing changes
    assert (await petition_row(app, refused.code))["status"] == "received"
    await op(fake, "refuse", refused, ADMIN)
    reason = "Quỹ đất chưa quy hoạch, xã sẽ xem xét năm sau"
    assert "Đã ghi nhận" in await say(fake, reason, GROUP, user=ADMIN)
    assert await text_to(fake, CHAT) == f"Hồ sơ {refused.code} không được thụ lý. Lý do: {reason}"
    assert "đã khép lại" in await op(fake, "resolve", refused, ADMIN)
    assert "không thụ lý lại" in await op(fake, "accept", refused, ADMIN)

    assert "cơ quan sẽ chuyển đến" in await op(fake, "forward", forwarded, HANDLER)
    await say(fake, "Điện lực khu vực, vì lưới điện do ngành điện quản lý", GROUP, user=HANDLER)
    told = await text_to(fake, CHAT)
    assert told.startswith(f"Hồ sơ {forwarded.code} đã được chuyển đến cơ quan có thẩm quyền: Điện lực")
    await expect_silence(fake, CHAT, seconds=0.3)

    assert "Không thụ lý" in await say(fake, f"/tracuu {refused.code}")
    assert "Đã chuyển cơ quan có thẩm quyền" in await say(fake, f"/tracuu {forwarded.code}")


async def test_a_closed_petition_cannot_be_refused_afterwards(
    start_app: AppFactory, fake_telegram: FakeTelegram
) -> None:
    fake = fake_telegram
    app = await start_app()
    filed = await file_petition(fake)
    await op(fake, "resolve", filed, ADMIN)
    assert "đánh giá" in await text_to(fake, CHAT)

    answer = await op(fake, "refuse", filed, HANDLER)  # e.g. a late press on an old announcement
    if "lý do" in answer:  # asking for the reason first is fine, as long as nothing changes then
        answer = await say(fake, "Không thuộc thẩm quyền của xã", GROUP, user=HANDLER)
    assert "đã khép lại" in answer
    assert (await petition_row(app, filed.code))["status"] == "resolved"
    await expect_silence(fake, CHAT, seconds=0.3)  # the resident is not told "không được thụ lý"


# --- 4. denunciations: who may see the denouncer ---------------------------------------------


async def test_denunciation_identity_is_redacted_hidden_and_audited(
    start_app: AppFactory, fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake = fake_telegram
    app = await start_app()
    content = (
        "Tôi là Nguyễn Văn Tèo, số 0987 654 321. Cán bộ địa chính thu tiền ngoài quy định "
        "khi làm sổ đỏ cho nhiều hộ."
    )
    filed = await file_petition(
        fake, kind="to_cao", content=content, contact=("Nguyễn Văn Tèo", "0987654321")
    )
    assert filed.code.startswith("TC-")
    assert "Tố cáo" in filed.text and "Tóm tắt (đã ẩn thông tin cá nhân)" in filed.text
    assert "thu tiền ngoài quy định" in filed.text
    for secret in ("Tèo", "0987 654 321", "0987654321", "654"):
        assert secret not in filed.text, secret

    refused = "Chỉ cán bộ được giao xử lý hồ sơ này và lãnh đạo xã"
    assert refused in await say(fake, f"/xem {filed.code}", HANDLER)  # not assigned yet
    assert "/xem chỉ dùng khi nhắn riêng" in await say(fake, f"/xem {filed.code}", GROUP, user=ADMIN)
    # Taking it would give the handler the denouncer: that needs the same right as /xem.
    assert "chỉ do cán bộ được lãnh đạo xã giao" in await op(fake, "take", filed, HANDLER)
    assert (await petition_row(app, filed.code))["assignee"] is None
    assert refused in await say(fake, f"/xem {filed.code}", HANDLER)
    assert "Chỉ lãnh đạo xã" in await say(fake, f"/giao {filed.code} tran-thi-binh", HANDLER)
    assert "Trần Thị Bình" in await say(fake, f"/giao {filed.code} tran-thi-binh", ADMIN)
    shown = await say(fake, f"/xem {filed.code}", HANDLER)
    assert "Nguyễn Văn Tèo" in shown and "0987654321" in shown and "đã được ghi lại" in shown
    assert refused in await say(fake, f"/xem {filed.code}", SUPERVISOR)
    assert NOT_ALLOWED in await say(fake, f"/xem {filed.code}", STRANGER)
    assert "Nguyễn Văn Tèo" in await say(fake, f"/xem {filed.code}", ADMIN)

    assert "Tèo" not in await say(fake, f"/tracuu {filed.code}", SUPERVISOR)  # officials see the summary
    events = await audit(app, filed.code)
    viewers = [actor for actor, action, _ in events if action == "identity_viewed"]
    assert viewers == ["tran-thi-binh", "nguyen-van-an"]  # refused attempts are no views
    assert not [s for s in fake.sent if s["chat_id"] == str(GROUP) and "Tèo" in str(s["text"])]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Tèo" not in logged and "0987654321" not in logged


# --- 5. what the law says to the resident ----------------------------------------------------


async def test_anonymous_denunciation_and_complaint_get_honest_guidance(
    start_app: AppFactory, fake_telegram: FakeTelegram
) -> None:
    fake = fake_telegram
    app = await start_app()
    anonymous = await file_petition(
        fake,
        kind="to_cao",
        content="Trưởng thôn tự ý bán đất công của thôn cho người ngoài",
        place="gui:skip",
    )
    assert "nặc danh" in anonymous.receipt and "Luật Tố cáo" in anonymous.receipt
    assert "(nặc danh)" in anonymous.text and "Thôn/nơi: không ghi" in anonymous.text
    assert (await petition_row(app, anonymous.code))["anonymous"] is True
    assert "không để lại họ tên" in await say(fake, f"/xem {anonymous.code}", ADMIN)

    complaint = await file_petition(
        fake,
        kind="khieu_nai",
        content="Xã thu phí vệ sinh của gia đình tôi cao hơn mức niêm yết",
        contact=(NAME, PHONE),
    )
    assert complaint.code.startswith("KH-")
    assert "đơn có chữ ký hoặc điểm chỉ" in complaint.receipt
    assert "15/01/2027" in complaint.receipt  # 15/12/2026 is cancelled
    assert "15/12/2026" not in complaint.receipt
    assert "Khiếu nại" in complaint.text and "hạn thụ lý" in complaint.text


# --- 6. drafts survive a restart; /huy ends them ---------------------------------------------


async def test_draft_survives_a_restart_and_huy_cancels(
    start_app: AppFactory, fake_telegram: FakeTelegram
) -> None:
    fake = fake_telegram
    first = await start_app()
    assert "loại nào" in await say(fake, "/gui")
    assert "mô tả nội dung" in await say(fake, "2")  # typing the number works like the button
    assert "thôn nào" in await say(fake, "Đề nghị lắp thêm đèn đường ở ngã ba chợ")
    await start_app.stop(first)

    second = await start_app(data=None)
    await fake.push(fake.make_location_update(CHAT, 21.3321, 105.2214))
    assert "ảnh" in await text_to(fake, CHAT)
    assert "họ tên" in await press(fake, "gui:skip")
    summary = await press(fake, "gui:no")
    assert "Kiến nghị" in summary and "đèn đường" in summary and "Có gửi kèm vị trí" in summary
    receipt = await press(fake, "gui:send")
    code = CODE_RE.search(receipt)
    assert code and code.group().startswith("KN-")
    assert code.group() in str((await fake.next_sent(GROUP))["text"])
    await expect_silence(fake, CHAT, seconds=0.3)
    await expect_silence(fake, GROUP, seconds=0.05)
    assert await petition_count(second) == 1
    row = await petition_row(second, code.group())
    assert (row["latitude"], row["longitude"]) == (21.3321, 105.2214)

    assert "loại nào" in await say(fake, "/gui")
    assert "mô tả nội dung" in await press(fake, "gui:phan_anh")
    assert "Đã hủy" in await say(fake, "/huy")
    assert "850" in await say(fake, ROAD_QUESTION)  # plain text is a question again
    assert await petition_count(second) == 1


# --- 7. a redelivered button press ------------------------------------------------------------


async def test_send_pressed_and_redelivered_files_once(
    start_app: AppFactory, fake_telegram: FakeTelegram
) -> None:
    fake = fake_telegram
    app = await start_app()
    assert "xem lại" in await until_confirm(fake)
    update = fake.make_callback_update(CHAT, CHAT, "gui:send")
    await fake.push(update)
    await fake.push(update)
    assert CODE_RE.search(await text_to(fake, CHAT))
    await fake.next_sent(GROUP)
    await expect_silence(fake, CHAT, seconds=0.4)
    await expect_silence(fake, GROUP, seconds=0.05)
    assert await petition_count(app) == 1
    assert len([s for s in fake.sent_to(GROUP) if s["method"] == "sendMessage"]) == 1


# --- 8. bad input ---------------------------------------------------------------------------


def document_update(fake: FakeTelegram, mime: str, size: int = 20_000) -> dict[str, Any]:
    """A file sent as a document (not as a photo)."""
    update = fake.make_photo_update(CHAT)
    message = update["message"]
    del message["photo"]
    message["document"] = {
        "file_id": "BQACAgIAAxDOC0000001",
        "file_unique_id": "AgADDOC001",
        "file_name": "don.pdf" if mime == "application/pdf" else "anh.png",
        "mime_type": mime,
        "file_size": size,
    }
    return update


async def test_bad_input_is_refused_politely_and_keeps_the_step(
    start_app: AppFactory, fake_telegram: FakeTelegram
) -> None:
    fake = fake_telegram
    app = await start_app()
    assert "loại nào" in await say(fake, "/gui")
    assert "chưa rõ bà con chọn loại nào" in await say(fake, "7")
    assert "mô tả nội dung" in await press(fake, "gui:phan_anh")
    assert "Nội dung hơi ngắn" in await say(fake, "rác")
    assert "thôn nào" in await say(fake, "Bãi rác tự phát cạnh trường tiểu học")
    assert "ảnh" in await say(fake, "3")  # Thôn Khe Mát by its number

    await fake.push(document_update(fake, "application/pdf"))
    assert "không phải ảnh" in await text_to(fake, CHAT)
    big = fake.make_photo_update(CHAT)
    big["message"]["photo"][-1]["file_size"] = 11 * 1024 * 1024
    await fake.push(big)
    assert "Ảnh quá lớn" in await text_to(fake, CHAT)
    await fake.push(document_update(fake, "image/png"))  # a picture sent as a file is fine
    assert "Đã nhận 1 ảnh" in await text_to(fake, CHAT)
    assert "gửi ảnh, hoặc bấm Xong" in await say(fake, "xong chưa nhỉ")

    assert "họ tên" in await press(fake, "gui:done")
    assert "Có hoặc Không" in await say(fake, "để tôi nghĩ")
    assert "họ và tên" in await press(fake, "gui:yes")
    assert "Họ tên chưa đúng" in await say(fake, "Hoa 1980")
    assert "Số điện thoại" in await say(fake, NAME)
    assert "Số điện thoại chưa đúng" in await say(fake, "12345")
    assert "Số điện thoại chưa đúng" in await say(fake, "09123")
    summary = await say(fake, "0912 345 678")
    assert "Thôn Khe Mát" in summary and f"{NAME}, {PHONE}" in summary
    assert "bấm Gửi" in await say(fake, "ok")
    assert "Đã hủy, chưa có gì được gửi đi" in await press(fake, "gui:cancel")
    await expect_silence(fake, GROUP, seconds=0.3)
    assert await petition_count(app) == 0


async def test_gui_in_a_group_asks_to_write_privately(
    start_app: AppFactory, fake_telegram: FakeTelegram
) -> None:
    fake = fake_telegram
    await start_app()
    assert "nhắn riêng" in await say(fake, "/gui", GROUP, user=CHAT)
    await fake.push_text(GROUP, DRAIN, user_id=CHAT)  # no flow started: the group is not answered
    await expect_silence(fake, GROUP, seconds=0.3)


# --- 9. erasure ------------------------------------------------------------------------------


async def test_erasure_removes_identity_but_keeps_the_case_for_officials(
    start_app: AppFactory, fake_telegram: FakeTelegram
) -> None:
    fake = fake_telegram
    app = await start_app()
    content = "Tôi là Phạm Thị Hoa, nhà bị nứt tường do xe chở vật liệu công trình đi qua"
    filed = await file_petition(fake, content=content, contact=(NAME, PHONE))
    await announcement_known(app, filed)

    held = await say(fake, "/dulieu")
    assert NAME in held and PHONE in held and filed.code in held
    await fake.push_text(CHAT, "/xoadulieu")
    ask = await fake.next_sent(CHAT)
    assert "chắc chắn muốn xóa" in str(ask["text"]) and "privacy:erase" in buttons_of(ask)
    assert "Đã xóa dữ liệu cá nhân" in await press(fake, "privacy:erase")

    held = await say(fake, "/dulieu")
    assert NAME not in held and PHONE not in held and filed.code not in held
    assert NOTHING in await say(fake, f"/tracuu {filed.code}")
    assert "chưa gửi" in await say(fake, "/cuatoi")

    admin_view = await say(fake, f"/tracuu {filed.code}", ADMIN)
    assert filed.code in admin_view and "Đã tiếp nhận" in admin_view
    assert "Xóa dữ liệu cá nhân theo yêu cầu" in admin_view
    assert "đã xóa dữ liệu cá nhân" in await say(fake, f"/xem {filed.code}", ADMIN)
    row = await petition_row(app, filed.code)
    assert "Phạm Thị Hoa" not in row["content"] and "nứt tường" in row["content"]

    # An answer still goes on record, but reaches no one.
    await fake.push_text(
        GROUP, "Xã đã cử cán bộ kiểm tra.", user_id=HANDLER, reply_to_message_id=filed.message_id
    )
    assert "người gửi đã xóa dữ liệu liên hệ" in await text_to(fake, GROUP)
    await expect_silence(fake, CHAT, seconds=0.3)


# --- 10. from an unanswered question ---------------------------------------------------------


async def test_unanswered_question_becomes_a_proposal_in_one_tap(
    start_app: AppFactory, fake_telegram: FakeTelegram
) -> None:
    fake = fake_telegram
    await start_app()
    question = "xổ số hôm nay ra con gì"
    await fake.push_text(CHAT, question)
    abstained = await fake.next_sent(CHAT)
    assert "chưa tìm thấy" in str(abstained["text"])
    assert "gui:fromq" in buttons_of(abstained)

    assert "thôn nào" in await press(fake, "gui:fromq", message_id=abstained["result"]["message_id"])
    assert "ảnh" in await press(fake, "gui:skip")
    assert "họ tên" in await press(fake, "gui:skip")
    summary = await press(fake, "gui:no")
    assert "Kiến nghị" in summary and question in summary
    receipt = await press(fake, "gui:send")
    code = CODE_RE.search(receipt)
    assert code and code.group().startswith("KN-"), receipt
    announcement = str((await fake.next_sent(GROUP))["text"])
    assert code.group() in announcement and "Kiến nghị" in announcement and question in announcement


async def test_one_tap_files_the_question_the_button_was_under(
    start_app: AppFactory, fake_telegram: FakeTelegram
) -> None:
    fake = fake_telegram
    await start_app()
    await fake.push_text(CHAT, "xổ số hôm nay ra con gì")
    first = await fake.next_sent(CHAT)
    await fake.push_text(CHAT, "giá vàng hôm nay bao nhiêu một chỉ")
    assert "gui:fromq" in buttons_of(await fake.next_sent(CHAT))

    await press(fake, "gui:fromq", message_id=first["result"]["message_id"])  # the first one
    await press(fake, "gui:skip")
    await press(fake, "gui:skip")
    summary = await press(fake, "gui:no")
    assert "xổ số" in summary and "giá vàng" not in summary


# --- a draft is not lost to other things the resident does meanwhile ------------------------


async def test_a_question_with_hoi_mid_flow_keeps_the_draft(
    start_app: AppFactory, fake_telegram: FakeTelegram
) -> None:
    fake = fake_telegram
    await start_app()
    await say(fake, "/gui")
    assert "mô tả nội dung" in await press(fake, "gui:phan_anh")
    assert "850" in await say(fake, f"/hoi {ROAD_QUESTION}")
    assert "thôn nào" in await say(fake, DRAIN)  # the draft goes on at the content step


async def test_rating_an_old_petition_mid_flow_keeps_the_draft(
    start_app: AppFactory, fake_telegram: FakeTelegram
) -> None:
    fake = fake_telegram
    app = await start_app()
    old = await file_petition(fake)
    await op(fake, "resolve", old, ADMIN)
    ask = await fake.next_sent(CHAT)

    await say(fake, "/gui")
    assert "mô tả nội dung" in await press(fake, "gui:phan_anh")
    assert "5/5" in await press(fake, f"rate:{old.code}:5", message_id=ask["result"]["message_id"])
    new_content = "Đèn đường ngõ 3 hỏng cả tháng nay"
    assert "thôn nào" in await say(fake, new_content)
    assert (await petition_row(app, old.code))["rating_comment"] is None


# --- what the group sees of a denunciation's free-text place ---------------------------------


async def test_typed_place_is_redacted_in_the_announcement(
    start_app: AppFactory, fake_telegram: FakeTelegram
) -> None:
    fake = fake_telegram
    await start_app()
    filed = await file_petition(
        fake,
        kind="to_cao",
        content="Cán bộ thu tiền sai quy định nhiều lần",
        place="trước nhà tôi (nguyễn văn tèo), gọi 0987 654 321",
        contact=("Nguyễn Văn Tèo", "0987654321"),
    )
    assert "Thôn/nơi: trước nhà tôi ([tên])" in filed.text
    assert "0987 654 321" not in filed.text and "tèo" not in filed.text.lower()


async def test_officials_see_the_photos_of_a_report(
    start_app: AppFactory, fake_telegram: FakeTelegram
) -> None:
    """The announcement is followed by the resident's photos as an album in the officials' group."""
    await start_app()
    chat = 6101
    steps: list[tuple[str, str]] = [
        ("text", "/gui"),
        ("button", "gui:phan_anh"),
        ("text", "Cây đổ chắn ngang đường liên thôn sau mưa bão."),
        ("button", "gui:skip"),
    ]
    for kind, value in steps:
        if kind == "text":
            await fake_telegram.push_text(chat, value, user_id=chat)
        else:
            await fake_telegram.push_callback(chat, chat, value)
        await fake_telegram.next_sent(chat)
    for _ in range(2):
        await fake_telegram.push(fake_telegram.make_photo_update(chat, user_id=chat))
        await fake_telegram.next_sent(chat)
    for button in ("gui:done", "gui:no", "gui:send"):
        await fake_telegram.push_callback(chat, chat, button)
        await fake_telegram.next_sent(chat)
    announcement = await fake_telegram.next_sent(GROUP, method="sendMessage")
    album = await fake_telegram.next_sent(GROUP, method="sendMediaGroup")
    match = CODE_RE.search(announcement["text"])
    assert match is not None
    code = match.group()
    assert "Ảnh kèm theo: 2" in announcement["text"]
    assert len(album["result"]) == 2 and code in album["text"]
