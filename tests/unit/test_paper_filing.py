"""A petition handed in at the commune (paper, in person, telephone) typed in by an official: the form's
refusals, the same queue, code and legal deadlines as a chat petition, the officials' announcement,
and /tracuu by whoever holds the slip (status only)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain import paper
from domain.deadlines import WorkCalendar
from domain.messages import Incoming, Reply
from domain.paper import Intake, PaperPetition
from handlers.petition_filing import file_paper
from handlers.services import Ctx, Services
from storage.models import Petition
from storage.store import Store
from tests.conftest import NOW
from tests.fakes.memory import MemoryStore
from tests.handler_calls import VN, handle, seeded
from tests.unit.test_petitions import CODE, OFFICIALS_GROUP

TODAY = NOW.astimezone(VN).date()  # 2026-11-25, a Wednesday
VILLAGES = ["Thôn Đồng Chùa", "Thôn Tân Sơn", "Thôn Khe Mát"]
GOOD = {
    "loai": "phan_anh",
    "noi_dung": "Đường liên thôn đoạn qua cầu Khe Mát sụt lún,\n  xe máy đi lại rất nguy hiểm.",
    "thon": "thôn khe mát",
    "noi": "Cầu Khe Mát",
    "ngay_nhan": "",
    "tiep_nhan": "giay",
    "ho_ten": "  Hoàng  Văn Dũng ",
    "dien_thoai": "0912 345 678",
    "dia_chi": "Xóm 3, thôn Khe Mát",
}


def test_a_good_form_is_read_with_today_in_the_communes_time_zone() -> None:
    form, errors = paper.check(GOOD, VILLAGES, TODAY)
    assert errors == {}
    assert form == PaperPetition(
        kind="phan_anh",
        content="Đường liên thôn đoạn qua cầu Khe Mát sụt lún,\nxe máy đi lại rất nguy hiểm.",
        village="Thôn Khe Mát",
        place="Cầu Khe Mát",
        received=TODAY,
        intake=Intake.PAPER,
        name="Hoàng Văn Dũng",
        phone="0912 345 678",
        address="Xóm 3, thôn Khe Mát",
    )


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("loai", "khac", "Chọn loại đơn"),
        ("noi_dung", "  ngắn ", "ít nhất 10 ký tự"),
        ("noi_dung", "x" * 4001, "dài quá 4000"),
        ("thon", "Thôn Không Có", "không có trong danh sách"),
        ("ngay_nhan", "25/11/2026", "năm-tháng-ngày"),
        ("ngay_nhan", (TODAY + timedelta(days=1)).isoformat(), "không được sau hôm nay"),
        ("ngay_nhan", (TODAY - timedelta(days=400)).isoformat(), "quá một năm"),
        ("tiep_nhan", "email", "Chọn cách tiếp nhận"),
        ("dien_thoai", "gọi anh Dũng", "chỉ gồm chữ số"),
        ("dien_thoai", "0912", "chỉ gồm chữ số"),
    ],
)
def test_bad_input_is_refused_field_by_field_in_vietnamese(field: str, value: str, words: str) -> None:
    form, errors = paper.check({**GOOD, field: value}, VILLAGES, TODAY)
    assert form is None
    assert list(errors) == [field]
    assert words in errors[field]


async def _file(
    svc: Services, form: PaperPetition, official: str = "tran-thi-binh"
) -> tuple[Petition, list[Reply]]:
    async with svc.uow() as uow:
        petition, replies = await file_paper(Ctx(uow=uow, svc=svc, now=NOW), form, official)
        await uow.commit()
    return petition, replies


async def test_a_paper_petition_enters_the_queue_with_deadlines_from_the_day_received(
    memory: MemoryStore,
) -> None:
    svc = await seeded(memory)
    received = date(2026, 11, 20)  # a Friday; 24/11 (Vietnamese Culture Day) is off: due 2026-12-07
    form, _ = paper.check({**GOOD, "ngay_nhan": received.isoformat()}, VILLAGES, TODAY)
    assert form is not None
    petition, replies = await _file(svc, form)
    assert CODE.fullmatch(petition.code) and petition.code.startswith("PA-")
    assert petition.received_at is not None and petition.received_at.astimezone(VN).date() == received
    assert petition.first_due == WorkCalendar().add_workdays(received, 10) == date(2026, 12, 7)
    [announcement] = [r for r in replies if r.chat_id == OFFICIALS_GROUP]
    assert petition.code in announcement.text and "Thôn Khe Mát" in announcement.text
    assert "Hoàng Văn Dũng" not in announcement.text and "0912" not in announcement.text
    assert all(r.chat_id is not None for r in replies)  # nothing to a filer's chat: there is none
    async with memory.uow() as uow:
        stored = await uow.petitions.by_code(petition.code)
        assert stored is not None and stored.id is not None
        party = await uow.petitions.party(stored.id)
        assert party is not None and party.channel is None and party.chat_id is None
        assert (party.name, party.phone, party.address) == (
            "Hoàng Văn Dũng",
            "0912 345 678",
            "Xóm 3, thôn Khe Mát",
        )
        [filed] = await uow.petitions.events(stored.id, include_internal=True)
        assert (filed.actor, filed.action) == ("tran-thi-binh", "filed_on_paper")


async def test_a_denunciation_without_a_name_is_anonymous_with_one_it_is_not(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    unnamed, _ = paper.check(
        {**GOOD, "loai": "to_cao", "ho_ten": "", "dien_thoai": "", "dia_chi": "", "tiep_nhan": "truc_tiep"},
        VILLAGES,
        TODAY,
    )
    named, _ = paper.check({**GOOD, "loai": "to_cao"}, VILLAGES, TODAY)
    assert unnamed is not None and named is not None
    anonymous, _ = await _file(svc, unnamed)
    known, _ = await _file(svc, named)
    assert anonymous.code.startswith("TC-") and anonymous.anonymous
    assert not known.anonymous
    assert known.first_due == WorkCalendar().add_workdays(TODAY, 7)  # Luật Tố cáo: triage


async def test_whoever_holds_the_slip_reads_the_status_on_the_bot_but_not_the_content(
    memory: MemoryStore,
) -> None:
    svc = await seeded(memory)
    form, _ = paper.check(GOOD, VILLAGES, TODAY)
    assert form is not None
    petition, _ = await _file(svc, form)
    msg = Incoming(channel="telegram", chat_id="77", user_id="77", text=f"/tracuu {petition.code.lower()}")
    [reply] = await handle(svc, msg)
    assert "Đã tiếp nhận, chờ xử lý" in reply.text
    assert "Tiếp nhận đơn giấy" in reply.text
    assert "sụt lún" not in reply.text and "Hoàng Văn Dũng" not in reply.text
    assert "nhắn riêng" not in reply.text  # already private: there is nothing more to see


async def test_a_chat_petition_stays_hidden_from_strangers(memory: MemoryStore) -> None:
    from tests.unit.test_petitions import file

    svc = await seeded(memory)
    code, _ = await file(svc, "phan_anh", "Đèn đường thôn Tân Sơn hỏng đã hai tuần nay.")
    msg = Incoming(channel="telegram", chat_id="77", user_id="77", text=f"/tracuu {code}")
    [reply] = await handle(svc, msg)
    assert "Không tìm thấy" in reply.text


async def test_a_paper_petition_is_stored_with_its_filer_apart(store: Store) -> None:
    """SQLite and PostgreSQL: the row, the party's address and the audit entry persist."""
    svc = await seeded(store)
    form, _ = paper.check({**GOOD, "tiep_nhan": "dien_thoai"}, VILLAGES, TODAY)
    assert form is not None
    petition, _ = await _file(svc, form, official="nguyen-van-an")
    async with store.uow() as uow:
        stored = await uow.petitions.by_code(petition.code)
        assert stored is not None and stored.id is not None
        assert stored.status == "received" and stored.village == "Thôn Khe Mát"
        party = await uow.petitions.party(stored.id)
        assert party is not None and party.address == "Xóm 3, thôn Khe Mát" and party.channel is None
        events = await uow.petitions.events(stored.id, include_internal=False)
        assert [(e.actor, e.action) for e in events] == [("nguyen-van-an", "filed_by_phone")]
        assert [p.code for p in await uow.petitions.open()] == [petition.code]
