"""Petitions on Telegram only: what needs Telegram's officials' group or its real buttons.

Everything a resident and an official do in private runs on Telegram AND Zalo (test_petitions.py,
test_petitions_officials.py, test_petitions_privacy.py). What stays here cannot happen on Zalo:
- the officials' group (Zalo's groups are closed to bots, 2026): the announcement's buttons, the
  photos as an album after it, replying to the announcement, strangers and the supervisor pressing
  its buttons or writing in the group, /gui sent in a group;
- pressing a button under an OLDER message (Telegram keeps every keyboard live; on Zalo only the
  choices of the bot's last message can be typed);
- files sent as documents (Telegram's `document`; Zalo's Bot Platform has no documents).
The resident is private chat 5001, the officials' group -1009000000001, user 7777 a stranger.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest

from bot.app import App
from tests.e2e.conftest import AppFactory, eventually, expect_silence, outbox_rows
from tests.e2e.petition_steps import audit, petition_row
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
    assert "xã đã trả lời ngày" in tracked and "): Đã khơi thông xong." in tracked


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


async def test_files_sent_as_documents_in_the_photo_step(
    start_app: AppFactory, fake_telegram: FakeTelegram
) -> None:
    fake = fake_telegram
    await start_app()
    await say(fake, "/gui")
    await press(fake, "gui:phan_anh")
    await say(fake, "Bãi rác tự phát cạnh trường tiểu học")
    assert "ảnh" in await say(fake, "3")
    await fake.push(document_update(fake, "application/pdf"))
    assert "không phải ảnh" in await text_to(fake, CHAT)
    big = fake.make_photo_update(CHAT)
    big["message"]["photo"][-1]["file_size"] = 11 * 1024 * 1024
    await fake.push(big)
    assert "Ảnh quá lớn" in await text_to(fake, CHAT)
    await fake.push(document_update(fake, "image/png"))  # a picture sent as a file is fine
    assert "Đã nhận 1 ảnh" in await text_to(fake, CHAT)
    assert "gửi ảnh, hoặc chọn Xong" in await say(fake, "xong chưa nhỉ")


async def test_gui_in_a_group_asks_to_write_privately(
    start_app: AppFactory, fake_telegram: FakeTelegram
) -> None:
    fake = fake_telegram
    await start_app()
    assert "nhắn riêng" in await say(fake, "/gui", GROUP, user=CHAT)
    await fake.push_text(GROUP, DRAIN, user_id=CHAT)  # no flow started: the group is not answered
    await expect_silence(fake, GROUP, seconds=0.3)


async def test_help_in_the_officials_group_is_the_officials_and_privately_the_residents(
    start_app: AppFactory, fake_telegram: FakeTelegram
) -> None:
    fake = fake_telegram
    await start_app()
    group = await say(fake, "/help", GROUP, user=HANDLER)
    assert "/traloi MÃ nội dung" in group and "/ghichu" in group and "Thụ lý" in group and "/gui" not in group
    resident = await say(fake, "/help")
    assert (
        "/gui" in resident and "/tracuu" in resident and "/traloi" not in resident and "/xem" not in resident
    )
    official = await say(fake, "/help", HANDLER)  # an official privately: both
    assert "/gui" in official and "/traloi" in official


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
