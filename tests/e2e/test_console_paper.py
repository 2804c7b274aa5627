"""Paper petitions and the supervisors' page, end to end: the whole App on each messenger and each
database, an official's browser session (tests/e2e/test_console.py's Browser), the officials' chat
announcement, the public tracking page behind the slip's QR code, and /tracuu on the bot."""

from __future__ import annotations

import re
from datetime import timedelta

import aiohttp
import pytest
import segno

from tests.e2e.messengers import ADMIN, HANDLER, STRANGER, SUPERVISOR, Messenger
from tests.e2e.petition_steps import audit, petition_count
from tests.e2e.test_console import Browser, browser  # noqa: F401 (fixture)

pytestmark = pytest.mark.e2e

PAPER = {
    "loai": "to_cao",
    "noi_dung": "Cán bộ địa chính thu thêm tiền khi làm sổ đỏ cho các hộ ở xóm 3.",
    "thon": "Thôn Khe Mát",
    "noi": "",
    "ngay_nhan": "",
    "tiep_nhan": "giay",
    "ho_ten": "Hoàng Văn Dũng",
    "dien_thoai": "0987 654 321",
    "dia_chi": "Xóm 3, thôn Khe Mát",
}
IDS_HANDLER = "tran-thi-binh"
SLIP = re.compile(r"/can-bo/don-giay/(TC-[0-9A-Z]{6})/phieu")


async def test_an_official_files_a_paper_petition_and_the_slip_leads_to_its_status(
    messenger: Messenger,
    browser: Browser,  # noqa: F811
) -> None:
    m = messenger
    await browser.login(HANDLER)
    status, page = await browser.get("/don-giay")
    assert status == 200 and "Nhập đơn giấy" in page

    before = await petition_count(m.app)
    bad = {**PAPER, "noi_dung": "ngắn", "ngay_nhan": "2099-01-01", "csrf": browser.csrf}
    async with browser.http.post(browser.base + "/don-giay", data=bad) as response:
        status, page = response.status, await response.text()
    assert status == 400 and "Chưa lưu đơn" in page
    assert "ít nhất 10 ký tự" in page and "không được sau hôm nay" in page
    assert "Hoàng Văn Dũng" in page  # what was typed is kept for the correction
    assert await petition_count(m.app) == before

    async with browser.http.post(
        browser.base + "/don-giay", data={**PAPER, "csrf": browser.csrf}, allow_redirects=False
    ) as response:
        assert response.status == 303
        found = SLIP.search(response.headers["Location"])
        assert found
    code = found.group(1)
    status, slip = await browser.get(f"/don-giay/{code}/phieu")
    assert status == 200 and code in slip and f"/tracuu {code}" in slip and "Tố cáo" in slip
    assert "Hoàng Văn Dũng" not in slip and "sổ đỏ" not in slip
    url = f"{m.settings.PUBLIC_BASE_URL}/tra-cuu/{code}"
    qr = segno.make(url, error="m", micro=False)
    assert qr.svg_inline(scale=4, border=2, title=f"Mã QR: {url}", svgclass="qr", lineclass=None) in slip

    announced = await m.announcement(code)
    assert "Tố cáo mới" in announced and "Thôn Khe Mát" in announced
    assert "Hoàng Văn Dũng" not in announced and "0987" not in announced
    assert (IDS_HANDLER, "filed_on_paper", None) in await audit(m.app, code)

    admin = Browser(m)  # a denouncer is shown to the assignee only: the chairman assigns it
    try:
        await admin.login(ADMIN)
        await admin.get(f"/ho-so/{code}")
        status, page = await admin.post(f"/ho-so/{code}/giao", can_bo=IDS_HANDLER)
        assert status == 200 and "Đã giao hồ sơ" in page
    finally:
        await admin.close()
    await browser.get(f"/ho-so/{code}")
    status, page = await browser.post(f"/ho-so/{code}/danh-tinh")  # everything the letter gave
    assert status == 200
    assert "Hoàng Văn Dũng" in page and "0987 654 321" in page and "Xóm 3, thôn Khe Mát" in page

    async with aiohttp.ClientSession() as http, http.get(url) as response:  # the QR code's page
        tracking = await response.text()
    assert (
        response.status == 200 and "Đã tiếp nhận, chờ xử lý" in tracking and "Tiếp nhận đơn giấy" in tracking
    )
    assert "Hoàng Văn Dũng" not in tracking and "sổ đỏ" not in tracking

    told = await m.say(f"/tracuu {code}", who=STRANGER)  # whoever holds the slip, on the bot
    assert "Đã tiếp nhận, chờ xử lý" in told and "sổ đỏ" not in told and "Hoàng" not in told


async def test_supervisors_see_figures_and_overdue_items_but_no_identity(
    messenger: Messenger,
    browser: Browser,  # noqa: F811
) -> None:
    m = messenger
    await browser.login(ADMIN)
    late = {**PAPER, "ngay_nhan": _days_ago(m, 40)}  # its 7 working days for triage are long gone
    async with browser.http.post(
        browser.base + "/don-giay", data={**late, "csrf": browser.csrf}, allow_redirects=False
    ) as response:
        assert response.status == 303
    await browser.post("/dang-xuat")

    await browser.login(SUPERVISOR)
    status, page = await browser.get("/don-giay")
    assert status == 403  # supervisors act on nothing
    status, page = await browser.get("/thong-ke")
    assert status == 200 and "Hồ sơ đang quá hạn (1)" in page
    assert "Tố cáo" in page and "Thôn Khe Mát" in page and "Chưa giao" in page
    for secret in ("Hoàng Văn Dũng", "0987 654 321", "Xóm 3", "sổ đỏ", "địa chính"):
        assert secret not in page


def _days_ago(m: Messenger, days: int) -> str:
    today = m.app.clock().astimezone(m.app.services.tz).date()
    return (today - timedelta(days=days)).isoformat()
