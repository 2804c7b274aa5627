"""A reply to the resident and the first legal step, by petition type (DOMAIN.md "Petition types and
deadlines"), on SQLite and PostgreSQL: for a phản ánh or kiến nghị the reply IS the status answer
(no more alert for the first step; the statistics count it, on time or late by its date); for a
khiếu nại or tố cáo it is not (the alert goes on until the petition is accepted, and the statistics
do not count the reply). The scheduler, the supervisors' figures and the console's overdue filter
say the same."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from domain.messages import Incoming, Reply
from handlers.services import Services
from scheduled.jobs import petition_deadlines
from storage.repositories.console_queue import QueueFilter
from storage.store import Store
from tests.conftest import NOW, REACH
from tests.handler_calls import VN, handle, seeded
from tests.unit.test_petitions import OFFICIALS_GROUP, file
from web.console import oversight

ADMIN, HANDLER = "9001", "9002"


async def official(
    svc: Services, text: str = "", *, button: str | None = None, at: datetime = NOW, who: str = HANDLER
) -> list[Reply]:
    """An official writes, privately or (a button) in the officials' group, at `at`."""
    msg = Incoming(
        channel="telegram",
        chat_id=OFFICIALS_GROUP if button else who,
        user_id=who,
        text=text,
        button=button,
        chat_type="group" if button else "private",
    )
    return await handle(svc, msg, at)


async def first_dues(store: Store, *codes: str) -> dict[str, date]:
    async with store.uow() as uow:
        found = {code: await uow.petitions.by_code(code) for code in codes}
    return {code: p.first_due for code, p in found.items() if p is not None and p.first_due is not None}


async def alerts_to_admin(store: Store) -> list[str]:
    async with store.uow() as uow:
        return [str(m.payload["text"]) for m in await uow.outbox.for_chat("telegram", ADMIN)]


async def test_a_reply_meets_the_first_step_of_a_report_not_of_a_complaint(store: Store) -> None:
    svc = await seeded(store)
    report, _ = await file(svc, "phan_anh", "Cống thoát nước trước nhà văn hóa bị tắc, nước tràn ra đường.")
    complaint, _ = await file(svc, "khieu_nai", "Tôi không đồng ý với quyết định thu phí vệ sinh của xã.")
    denunciation, _ = await file(svc, "to_cao", "Cán bộ thu tiền làm sổ đỏ ngoài quy định ở thôn Tân Sơn.")
    for code in (report, complaint):
        await official(svc, f"/traloi {code} Xã đã nhận, đang kiểm tra.")
    await official(svc, f"/traloi {denunciation} Xã đã nhận, đang kiểm tra.", who=ADMIN)  # a handler may not
    dues = await first_dues(store, report, complaint, denunciation)
    day_after = max(dues.values()) + timedelta(days=1)  # every first deadline has passed
    late = datetime.combine(day_after, time(9), VN).astimezone(UTC)

    await petition_deadlines(store, late, VN, svc.policy, svc.calendar, REACH)
    alerts = await alerts_to_admin(store)
    assert any(complaint in a and "Quá hạn" in a for a in alerts)  # replied, never accepted
    assert any(denunciation in a and "Quá hạn" in a for a in alerts)  # replied, never triaged
    assert not any(report in a for a in alerts)  # the reply was its status answer

    async with store.uow() as uow:
        facts = await uow.public.petition_facts(NOW - timedelta(days=1), NOW + timedelta(days=1))
        villages = await uow.commune.villages()
        open_now = await uow.petitions.open()
        officials = await uow.officials.all()
        overdue = await uow.console.queue(QueueFilter(overdue_on=day_after), 0, 10)
    seen = {line.label: line for line in oversight.oversight(facts, villages, 2026, day_after, VN).by_kind}
    assert (seen["Phản ánh"].first_answer.on_time, seen["Phản ánh"].first_answer.due) == (1, 1)
    assert (seen["Khiếu nại"].first_answer.on_time, seen["Khiếu nại"].first_answer.due) == (0, 1)
    assert (seen["Tố cáo"].first_answer.on_time, seen["Tố cáo"].first_answer.due) == (0, 1)
    assert [line.overdue for line in (seen["Phản ánh"], seen["Khiếu nại"], seen["Tố cáo"])] == [0, 1, 1]
    listed = oversight.overdue_list(open_now, officials, day_after, VN)
    assert sorted(item.code for item in listed) == sorted([complaint, denunciation])
    assert sorted(p.code for p in overdue[0]) == sorted([complaint, denunciation])

    # accepted: the complaint's first step is met, its alert ends; the resolution's deadline runs
    await official(svc, button=f"op:accept:{complaint}", at=late)
    before = len(await alerts_to_admin(store))
    await petition_deadlines(store, late + timedelta(days=1), VN, svc.policy, svc.calendar, REACH)
    new = (await alerts_to_admin(store))[before:]
    assert not any(complaint in a for a in new)
    async with store.uow() as uow:
        overdue = await uow.console.queue(QueueFilter(overdue_on=day_after), 0, 10)
    assert [p.code for p in overdue[0]] == [denunciation]


async def test_a_late_reply_to_a_proposal_counts_as_a_late_first_answer_and_ends_its_alert(
    store: Store,
) -> None:
    svc = await seeded(store)
    proposal, _ = await file(svc, "kien_nghi", "Đề nghị xã làm thêm biển báo giảm tốc trước cổng trường.")
    [due] = (await first_dues(store, proposal)).values()
    late = datetime.combine(due + timedelta(days=1), time(9), VN).astimezone(UTC)
    await petition_deadlines(store, late, VN, svc.policy, svc.calendar, REACH)
    assert any(proposal in a and "Quá hạn" in a for a in await alerts_to_admin(store))

    await official(svc, f"/traloi {proposal} Xã sẽ làm biển báo trong tháng tới.", at=late)
    before = len(await alerts_to_admin(store))
    await petition_deadlines(store, late + timedelta(days=1), VN, svc.policy, svc.calendar, REACH)
    assert (await alerts_to_admin(store))[before:] == []  # answered, late: nothing more to nag about
    async with store.uow() as uow:
        facts = await uow.public.petition_facts(NOW - timedelta(days=1), NOW + timedelta(days=1))
        villages = await uow.commune.villages()
    today = due + timedelta(days=2)
    seen = {line.label: line for line in oversight.oversight(facts, villages, 2026, today, VN).by_kind}
    proposals = seen["Kiến nghị"]
    assert (proposals.first_answer.on_time, proposals.first_answer.due, proposals.overdue) == (0, 1, 0)
