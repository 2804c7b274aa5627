"""Supervisors' figures (by type, village, month; overdue now) and the slip's QR code, from known rows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import segno

from domain.deadlines import DeadlinePolicy
from storage.models import Official, Petition
from storage.repositories.public import PetitionFact
from web.console import oversight
from web.console.slip import slip, tracking_url

VN = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = date(2026, 11, 25)


def fact(
    kind: str, village: str | None, month: int, status: str, first_due: date, answered: bool
) -> PetitionFact:
    received = datetime(2026, month, 2, 3, tzinfo=UTC)
    first_at = datetime(first_due.year, first_due.month, first_due.day, 3, tzinfo=UTC) if answered else None
    return PetitionFact(kind, status, village, received, first_due, None, None, first_at, None)


def test_lines_by_type_village_and_month_count_received_on_time_and_overdue() -> None:
    facts = [
        fact("phan_anh", "Thôn A", 3, "resolved", date(2026, 3, 16), answered=True),
        fact("phan_anh", "Thôn A", 3, "received", date(2026, 3, 16), answered=False),  # overdue
        fact("to_cao", None, 11, "received", date(2026, 12, 1), answered=False),  # not due yet
    ]
    seen = oversight.oversight(facts, ["Thôn A", "Thôn B"], 2026, TODAY, VN)
    kinds = {line.label: line for line in seen.by_kind}
    assert (kinds["Phản ánh"].received, kinds["Phản ánh"].overdue) == (2, 1)
    assert (kinds["Phản ánh"].first_answer.on_time, kinds["Phản ánh"].first_answer.due) == (1, 2)
    assert (kinds["Tố cáo"].received, kinds["Tố cáo"].first_answer.due, kinds["Tố cáo"].overdue) == (1, 0, 0)
    assert kinds["Tất cả"].received == 3
    assert [(v.label, v.received) for v in seen.by_village] == [
        ("Thôn A", 2),
        ("Thôn B", 0),
        ("Không ghi thôn", 1),
    ]
    months = {m.label: m.received for m in seen.by_month}
    assert len(months) == 11 and months["Tháng 03/2026"] == 2 and months["Tháng 11/2026"] == 1


def test_the_overdue_list_has_dates_and_assignee_never_the_content() -> None:
    late = Petition(
        code="TC-LATE22",
        kind="to_cao",
        status="accepted",
        content="Ông X nhận tiền",
        summary="(tóm tắt)",
        village="Thôn A",
        received_at=datetime(2026, 10, 1, 3, tzinfo=UTC),
        first_due=date(2026, 10, 12),
        resolve_due=date(2026, 11, 15),
        assignee="cb-2",
    )
    on_time = Petition(
        code="PA-GOOD22",
        kind="phan_anh",
        status="received",
        content="x",
        summary="x",
        received_at=datetime(2026, 11, 20, 3, tzinfo=UTC),
        first_due=date(2026, 12, 7),
    )
    officials = [Official(id="cb-2", name="Hà Thị B", role="handler", content_hash="h")]
    [item] = oversight.overdue_list([late, on_time], officials, TODAY, VN)
    assert item == oversight.OverdueItem(
        code="TC-LATE22",
        kind="Tố cáo",
        village="Thôn A",
        status="Đã thụ lý, đang giải quyết",
        received="01/10/2026",
        due="15/11/2026",
        days_over=10,
        assignee="Hà Thị B",
    )


def test_the_slip_carries_segnos_qr_of_the_tracking_page() -> None:
    url = tracking_url("https://tanlap.example.vn/", "/tan-lap", "KN-7K3M9Q")
    assert url == "https://tanlap.example.vn/tan-lap/tra-cuu/KN-7K3M9Q"
    assert tracking_url("", "", "KN-7K3M9Q") == "/tra-cuu/KN-7K3M9Q"
    petition = Petition(
        code="KN-7K3M9Q",
        kind="khieu_nai",
        status="received",
        content="x",
        summary="x",
        received_at=datetime(2026, 11, 25, 3, tzinfo=UTC),
        first_due=date(2026, 12, 5),
    )
    shown = slip(petition, VN, url, DeadlinePolicy())
    expected = segno.make(url, error="m", micro=False).svg_inline(
        scale=4, border=2, title=f"Mã QR: {url}", svgclass="qr", lineclass=None
    )
    assert str(shown.qr) == expected and shown.qr.startswith("<svg")
    assert [(d.label, d.day) for d in shown.deadlines] == [
        ("Hạn thụ lý", "05/12/2026"),
        ("Hạn giải quyết", "30 ngày kể từ ngày thụ lý"),
    ]
