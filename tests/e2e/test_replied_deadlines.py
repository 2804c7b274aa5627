"""A reply and the first legal step, end to end (the whole App on each messenger and each database):
an official files a report and a complaint received on paper weeks ago and answers both from the
console. The report's reply was its status answer (DOMAIN.md): the scheduler's deadline job alerts
nobody about it and the supervisors' page counts its first answer (late, by its date), not overdue. The
complaint's reply was not its acceptance (thụ lý): the chairman is alerted and the page lists it
overdue, with its first answer not counted, until it is accepted."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from scheduled.jobs import petition_deadlines
from tests.e2e.messengers import ADMIN, SUPERVISOR, TELEGRAM_IDS, ZALO_IDS, Messenger, TelegramMessenger
from tests.e2e.test_console import Browser, browser  # noqa: F401 (fixture)

pytestmark = pytest.mark.e2e

SLIP = re.compile(r"/can-bo/don-giay/((?:PA|KH)-[0-9A-Z]{6})/phieu")
PAPER = {"thon": "Thôn Tân Sơn", "noi": "", "tiep_nhan": "giay", "ho_ten": "Lê Văn Tâm", "dien_thoai": ""}
PAPER |= {"dia_chi": "Thôn Tân Sơn"}
FILED = {
    "phan_anh": "Cống thoát nước trước nhà văn hóa thôn bị tắc, nước tràn ra đường.",
    "khieu_nai": "Không đồng ý với quyết định thu phí vệ sinh của xã đối với gia đình tôi.",
}


def row(page: str, label: str) -> str:
    """A supervisors' table row (label, received, first answer on time, overdue), as text."""
    found = re.search(rf"<tr><th scope=\"row\">{label}</th>(.*?)</tr>", page)
    assert found, label
    return re.sub(r"<[^>]+>", "|", found.group(1))


async def alerts_to_admin(m: Messenger) -> list[str]:
    chat = (
        ("telegram", str(TELEGRAM_IDS[ADMIN]))
        if isinstance(m, TelegramMessenger)
        else ("zalo", ZALO_IDS[ADMIN])
    )
    async with m.app.store.uow() as uow:
        return [
            str(o.payload.get("text"))
            for o in await uow.outbox.for_chat(*chat)
            if "Quá hạn" in str(o.payload)
        ]


async def test_a_replied_report_is_answered_a_replied_complaint_still_waits_to_be_accepted(
    messenger: Messenger,
    browser: Browser,  # noqa: F811
) -> None:
    m = messenger
    today = m.app.clock().astimezone(m.app.services.tz).date()
    received = (today - timedelta(days=20)).isoformat()  # both first deadlines gone, no resolution's yet
    await browser.login(ADMIN)
    codes: dict[str, str] = {}
    for kind, content in FILED.items():
        form = {**PAPER, "loai": kind, "noi_dung": content, "ngay_nhan": received, "csrf": browser.csrf}
        async with browser.http.post(
            browser.base + "/don-giay", data=form, allow_redirects=False
        ) as response:
            assert response.status == 303
            found = SLIP.search(response.headers["Location"])
            assert found
        codes[kind] = found.group(1)
        status, page = await browser.post(
            f"/ho-so/{codes[kind]}/tra-loi", noi_dung="Xã đã nhận đơn, đang xem xét."
        )
        assert status == 200
    report, complaint = codes["phan_anh"], codes["khieu_nai"]

    svc = m.app.services
    await petition_deadlines(m.app.store, m.app.clock(), svc.tz, svc.policy, svc.calendar, svc.reach)
    alerts = await alerts_to_admin(m)
    assert any(complaint in a for a in alerts) and not any(report in a for a in alerts)

    supervisor = Browser(m)
    try:
        await supervisor.login(SUPERVISOR)
        status, page = await supervisor.get("/thong-ke")
        assert status == 200 and "Hồ sơ đang quá hạn (1)" in page
        assert complaint in page and report not in page
        assert row(page, "Phản ánh") == "|1||0/1 (0%)||0|"  # answered, late: counted so, not overdue
        assert row(page, "Khiếu nại") == "|1||0/1 (0%)||1|"

        await browser.post(f"/ho-so/{complaint}/thao-tac", op="accept")
        status, page = await supervisor.get("/thong-ke")
        assert "Hồ sơ đang quá hạn (0)" in page and row(page, "Khiếu nại") == "|1||0/1 (0%)||0|"
    finally:
        await supervisor.close()
