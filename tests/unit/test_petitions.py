"""Petition scenarios through the real router (no messenger): on the in-memory store, and on a real
database where scheduled jobs and the export read it."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from bot.petitions_cli import export_petitions
from domain.messages import Incoming, Reply
from handlers.services import Services
from scheduled.jobs import petition_deadlines
from storage.store import Store
from tests.conftest import NOW, REACH
from tests.fakes.memory import MemoryStore
from tests.handler_calls import VN, handle, seeded

OFFICIALS_GROUP = "-1009000000001"
CODE = re.compile(r"\b(PA|KN|KH|TC)-[23456789A-HJ-NP-Z]{6}\b")


async def say(
    svc: Services, text: str = "", *, button: str | None = None, user: str = "42", chat: str | None = None
) -> list[Reply]:
    chat_id = chat or user
    msg = Incoming(
        channel="telegram",
        chat_id=chat_id,
        user_id=user,
        text=text,
        button=button,
        chat_type="group" if chat_id.startswith("-") else "private",
    )
    return await handle(svc, msg)


async def file(svc: Services, kind: str, content: str, *, consent: bool = True) -> tuple[str, list[Reply]]:
    await say(svc, "/gui")
    await say(svc, button=f"gui:{kind}")
    await say(svc, content)
    await say(svc, button="gui:v1")
    await say(svc, button="gui:skip")
    await say(svc, button="gui:yes" if consent else "gui:no")
    if consent:
        await say(svc, "Trần Thị Hoa")
        await say(svc, "0912 345 678")
    replies = await say(svc, button="gui:send")
    match = CODE.search(replies[0].text)
    assert match, replies[0].text
    return match.group(), replies


async def test_a_report_is_filed_announced_without_identity_and_tracked(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    code, replies = await file(
        svc, "phan_anh", "Cống thoát nước trước nhà văn hóa bị tắc, nước tràn ra đường."
    )
    assert code.startswith("PA-")
    [announcement] = [r for r in replies if r.chat_id == OFFICIALS_GROUP]
    assert code in announcement.text and "Thôn Tân Sơn" in announcement.text
    assert "Trần Thị Hoa" not in announcement.text and "0912" not in announcement.text
    [status] = await say(svc, f"/tracuu {code}")
    assert "Đã tiếp nhận" in status.text and "Cống thoát nước" in status.text
    [stranger] = await say(svc, f"/tracuu {code}", user="777")
    assert "Không tìm thấy" in stranger.text and "Cống" not in stranger.text


async def test_the_flow_accepts_numbers_instead_of_buttons(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    await say(svc, "/gui")
    [reply] = await say(svc, "2")
    assert "kiến nghị" in reply.text.lower()


async def test_bad_input_is_explained_and_the_step_stays(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    await say(svc, "/gui")
    await say(svc, button="gui:kien_nghi")
    [reply] = await say(svc, "ngắn")
    assert "hơi ngắn" in reply.text
    async with memory.uow() as uow:
        conv = await uow.conversations.get("telegram", "42", "42")
        assert conv is not None and conv.step == "content"


async def test_a_stranger_cannot_act_on_a_petition(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    code, _ = await file(svc, "phan_anh", "Đèn đường thôn Tân Sơn hỏng hai tuần nay rồi.")
    for action in ("accept", "take", "resolve", "refuse", "forward"):
        [reply] = await say(svc, button=f"op:{action}:{code}", user="555", chat=OFFICIALS_GROUP)
        assert "chỉ cán bộ" in reply.text
    [reply] = await say(svc, f"/traloi {code} đã sửa", user="555")
    assert "chỉ cán bộ" in reply.text
    async with memory.uow() as uow:
        petition = await uow.petitions.by_code(code)
        assert petition is not None and petition.status == "received" and petition.answer is None


async def test_an_official_accepts_answers_and_resolves_and_the_filer_hears_each(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    code, _ = await file(svc, "phan_anh", "Rác đổ trộm ở bờ mương đầu thôn Tân Sơn.")
    replies = await say(svc, button=f"op:accept:{code}", user="9002", chat=OFFICIALS_GROUP)
    assert any(r.chat_id == "42" and "thụ lý" in r.text for r in replies)
    replies = await say(svc, f"/traloi {code} Xã đã cử người dọn ngày mai.", user="9002")
    assert any(r.chat_id == "42" and "dọn ngày mai" in r.text for r in replies)
    replies = await say(svc, button=f"op:resolve:{code}", user="9002", chat=OFFICIALS_GROUP)
    [ask_rating] = [r for r in replies if r.chat_id == "42"]
    await say(svc, button=ask_rating.buttons[0][4].data)
    await say(svc, "Xử lý nhanh, cảm ơn xã.")
    async with memory.uow() as uow:
        petition = await uow.petitions.by_code(code)
        assert petition is not None and petition.rating == 5 and petition.rating_comment


async def test_deadline_reminder_and_overdue_alert_are_queued_once(store: Store) -> None:
    svc = await seeded(store)
    code, _ = await file(svc, "phan_anh", "Ổ gà lớn giữa đường trục thôn Tân Sơn.")
    await say(svc, button=f"op:take:{code}", user="9002", chat=OFFICIALS_GROUP)
    async with store.uow() as uow:
        petition = await uow.petitions.by_code(code)
        assert petition is not None and petition.first_due is not None
        due = petition.first_due
    near = NOW + timedelta(days=(due - NOW.date()).days - 1)
    assert await petition_deadlines(store, near, VN, svc.policy, svc.calendar, REACH) == 1
    assert await petition_deadlines(store, near, VN, svc.policy, svc.calendar, REACH) == 0  # dedupe key
    late = NOW + timedelta(days=(due - NOW.date()).days + 2)
    await petition_deadlines(store, late, VN, svc.policy, svc.calendar, REACH)
    async with store.uow() as uow:
        to_handler = await uow.outbox.for_chat("telegram", "9002")
        to_admin = await uow.outbox.for_chat("telegram", "9001")
    assert len([m for m in to_handler if "Nhắc hạn" in m.payload["text"]]) == 1
    assert len([m for m in to_admin if "Quá hạn" in m.payload["text"]]) == 1


async def test_export_has_the_queue_but_never_a_denouncers_identity(store: Store) -> None:
    svc = await seeded(store)
    code, _ = await file(
        svc, "to_cao", "Tôi là Nguyễn Văn Tèo, số 0987654321, tố cáo cán bộ địa chính nhận tiền."
    )
    out = io.StringIO()
    await export_petitions(store, out)
    text = out.getvalue()
    assert code in text and "to_cao" in text
    assert "Tèo" not in text and "0987654321" not in text and "Trần Thị Hoa" not in text
