"""Petition scenarios through the real router (no messenger): on the in-memory store, and on a real
database where scheduled jobs and the export read it."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from bot.petitions_cli import export_petitions, show_petition
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


async def test_bad_input_is_explained_and_the_step_stays(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    await say(svc, "/gui")
    await say(svc, button="gui:kien_nghi")
    [reply] = await say(svc, "ngắn")
    assert "hơi ngắn" in reply.text
    async with memory.uow() as uow:
        conv = await uow.conversations.get("telegram", "42", "42")
        assert conv is not None and conv.step == "content"


async def test_a_village_the_resident_named_is_offered_first(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    await say(svc, "/gui")
    await say(svc, button="gui:phan_anh")
    [place] = await say(svc, "duong thon tan son bi ngap nuoc ca tuan nay")  # typed without marks
    assert "Bà con có nhắc đến Thôn Tân Sơn: đúng thì chọn 1." in place.text
    assert "\n1. Thôn Tân Sơn\n" in place.text
    first = place.buttons[0][0]
    assert first.label == "Thôn Tân Sơn"
    await say(svc, button=first.data)
    await say(svc, button="gui:skip")
    [summary] = await say(svc, button="gui:no")
    assert "• Nơi: Thôn Tân Sơn" in summary.text
    [place] = [r for r in await restart_place(svc, "Cống ở ngã ba bị tắc")]  # nothing named: as listed
    assert "nhắc đến" not in place.text and place.buttons[0][0].label == "Thôn Đồng Chùa"


async def restart_place(svc: Services, content: str) -> list[Reply]:
    await say(svc, "/huy")
    await say(svc, "/gui")
    await say(svc, button="gui:phan_anh")
    return await say(svc, content)


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
    await export_petitions(store, VN, out)
    text = out.getvalue()
    assert code in text and "Tố cáo" in text
    assert "Tèo" not in text and "0987654321" not in text and "Trần Thị Hoa" not in text


# --- a denouncer stays unknown (Luật Tố cáo Art. 8(3), 47) -----------------------------------


async def test_the_group_never_sees_the_filers_own_name_however_it_is_typed(store: Store) -> None:
    svc = await seeded(store)  # file() consents with the name "Trần Thị Hoa"
    code, replies = await file(
        svc, "to_cao", "tran thi hoa o thon tan son bao: cán bộ địa chính thu tiền, TRẦN THỊ HOA ký."
    )
    [announcement] = [r for r in replies if r.chat_id == OFFICIALS_GROUP]
    assert code in announcement.text and "cán bộ địa chính thu tiền" in announcement.text
    assert "hoa" not in announcement.text.lower()


async def test_self_introductions_never_reach_the_group(store: Store) -> None:
    svc = await seeded(store)
    content = "Người viết: Lê Văn Bảy (ĐT: 0912 111 222). Mình là Đỗ Văn Hùng, cán bộ thu tiền sai."
    _, replies = await file(svc, "to_cao", content, consent=False)
    [announcement] = [r for r in replies if r.chat_id == OFFICIALS_GROUP]
    assert "cán bộ thu tiền sai" in announcement.text
    for secret in ("Bảy", "Hùng", "0912"):
        assert secret not in announcement.text, secret


async def test_show_and_export_hide_the_filers_name_in_every_text(store: Store) -> None:
    svc = await seeded(store)
    code, _ = await file(svc, "to_cao", "Tôi tên Trần Thị Hoa, cán bộ thu tiền làm sổ đỏ ngoài quy định.")
    await say(svc, button=f"op:take:{code}", user="9001", chat=OFFICIALS_GROUP)
    await say(svc, f"/traloi {code} Chào bà tran thi hoa, xã đã nhận và đang xác minh.", user="9001")
    await say(svc, f"/ghichu {code} Gọi lại cho chị Hoa chiều nay", user="9001")
    for show in (True, False):
        out = io.StringIO()
        await (show_petition(store, code, VN, out) if show else export_petitions(store, VN, out))
        text = out.getvalue()
        assert code in text and "đang xác minh" in text and "cán bộ thu tiền" in text
        assert "hoa" not in text.lower(), text


async def test_a_handler_cannot_take_a_denunciation_nor_anyone_a_closed_petition(store: Store) -> None:
    svc = await seeded(store)
    code, _ = await file(svc, "to_cao", "Trưởng thôn bán đất công cho người ngoài thôn.")
    [reply] = await say(svc, button=f"op:take:{code}", user="9002", chat=OFFICIALS_GROUP)
    assert "lãnh đạo xã giao" in reply.text
    [reply] = await say(svc, f"/xem {code}", user="9002")
    assert "Trần Thị Hoa" not in reply.text  # taking it did not open the way to the denouncer

    report, _ = await file(svc, "phan_anh", "Đèn đường thôn Tân Sơn hỏng hai tuần nay rồi.")
    await say(svc, button=f"op:resolve:{report}", user="9001", chat=OFFICIALS_GROUP)
    [reply] = await say(svc, button=f"op:take:{report}", user="9002", chat=OFFICIALS_GROUP)
    assert "đã khép lại" in reply.text
    async with store.uow() as uow:
        for held in (code, report):
            petition = await uow.petitions.by_code(held)
            assert petition is not None and petition.assignee is None


async def test_an_admins_lookup_in_a_group_shows_only_what_the_public_may_see(store: Store) -> None:
    svc = await seeded(store)
    code, _ = await file(svc, "phan_anh", "Rác đổ trộm ở bờ mương đầu thôn Tân Sơn.")
    await say(svc, button=f"op:accept:{code}", user="9001", chat=OFFICIALS_GROUP)
    await say(svc, f"/ghichu {code} Nghi là hộ ông Tư đổ, chưa xác minh", user="9001")
    public_group = "-1009000000777"
    [shown] = await say(svc, f"/tracuu {code}", user="9001", chat=public_group)
    assert "Đã thụ lý" in shown.text and "nhắn riêng" in shown.text
    for hidden in ("ông Tư", "Ghi chú nội bộ", "Rác đổ trộm"):
        assert hidden not in shown.text, hidden
    [private] = await say(svc, f"/tracuu {code}", user="9001")
    assert "ông Tư" in private.text  # in a private chat the admin still sees everything


async def test_a_supervisor_reads_the_answer_and_notes_without_the_filers_name(store: Store) -> None:
    svc = await seeded(store)
    code, _ = await file(svc, "to_cao", "Cán bộ thu tiền làm sổ đỏ ngoài quy định ở thôn Tân Sơn.")
    await say(svc, f"/traloi {code} Chào bà tran thi hoa, xã đang xác minh.", user="9001")
    await say(svc, f"/ghichu {code} Đã gọi cho chị Hoa, hẹn thứ hai", user="9001")
    [seen] = await say(svc, f"/tracuu {code}", user="9003")  # the supervisor, privately
    assert "đang xác minh" in seen.text and "hẹn thứ hai" in seen.text
    assert "hoa" not in seen.text.lower(), seen.text
    [admin] = await say(svc, f"/tracuu {code}", user="9001")
    assert "chị Hoa" in admin.text  # whoever may know the filer reads the note as written


async def test_erasure_hides_the_name_however_it_was_typed(store: Store) -> None:
    svc = await seeded(store)
    code, _ = await file(svc, "phan_anh", "tran thi hoa o thon tan son bao cong bi tac lau roi")
    await say(svc, "/xoadulieu")
    await say(svc, button="privacy:erase")
    async with store.uow() as uow:
        petition = await uow.petitions.by_code(code)
        assert petition is not None and "cong bi tac" in petition.content
        assert "hoa" not in petition.content, petition.content


async def test_officials_files_read_in_local_time_with_labels_place_and_a_bom(store: Store) -> None:
    """Filed at 03:15 on 07/12 in Vietnam (20:15 on 06/12 UTC): every file says 07/12, for Excel."""
    import csv
    from datetime import UTC, datetime

    from bot.petitions_cli import list_petitions

    svc = await seeded(store)
    code, _ = await file(svc, "phan_anh", "Đèn đường hỏng ở ngã ba chợ từ tuần trước.")
    async with store.uow() as uow:
        petition = await uow.petitions.by_code(code)
        assert petition is not None
        petition.received_at = datetime(2026, 12, 6, 20, 15, tzinfo=UTC)
        petition.place = "Ngã ba chợ Gò Dưa"
        uow.petitions.save(petition)
        await uow.commit()
    out = io.StringIO()
    await export_petitions(store, VN, out)
    text = out.getvalue()
    assert text.startswith("\ufeff")
    [row] = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert row["received_at"] == "2026-12-07 03:15"
    assert (
        row["kind"] == "Phản ánh"
        and row["status"] == "Đã tiếp nhận, chờ xử lý"
        and row["place"] == "Ngã ba chợ Gò Dưa"
    )
    listing = io.StringIO()
    await list_petitions(store, VN, listing)
    assert "2026-12-07" in listing.getvalue()
    shown = io.StringIO()
    await show_petition(store, code, VN, shown)
    assert "place: Ngã ba chợ Gò Dưa" in shown.getvalue()
