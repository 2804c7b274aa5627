"""`python -m bot report`: the steering committee's six-monthly report, as a real subprocess, against
the same database `petitions export` reads; its figures must agree with that export."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from pathlib import Path

import pytest
from pypdf import PdfReader

from storage.store import Store
from tests.e2e.test_cli import bot_cli
from tests.handler_calls import seeded
from tests.unit.test_petitions import file

pytestmark = pytest.mark.e2e

PERIOD = ("--from", "2026-07-01", "--to", "31/12/2026")


async def file_some(store: Store) -> None:
    svc = await seeded(store)
    await file(svc, "phan_anh", "Cống thoát nước trước nhà văn hóa bị tắc, nước tràn ra đường.")
    await file(svc, "phan_anh", "Đèn đường ở ngã ba thôn Tân Sơn hỏng đã hai tuần.", consent=False)
    await file(svc, "kien_nghi", "Đề nghị xã làm thêm biển báo giảm tốc trước cổng trường.")
    await file(svc, "to_cao", "Tố cáo việc đổ đất lấn kênh mương nội đồng ở cánh đồng sau thôn.")


def cells(html: str, label: str) -> str:
    """The number in the row of a two-column table whose first cell is `label`."""
    match = re.search(rf"<tr><td>{re.escape(label)}</td><td class=\"n\">([^<]*)</td></tr>", html)
    assert match, f"no row {label!r}"
    return match.group(1)


async def test_html_report_agrees_with_the_export(tmp_path: Path, database_url: str, store: Store) -> None:
    await file_some(store)
    out = tmp_path / "bao-cao.html"
    result = await bot_cli(tmp_path, "report", *PERIOD, "--out", str(out), DATABASE_URL=database_url)
    assert result.code == 0, result.err
    assert "4 hồ sơ" in result.out
    export = await bot_cli(tmp_path, "petitions", "export", DATABASE_URL=database_url)
    rows = list(csv.DictReader(io.StringIO(export.out.removeprefix("\ufeff"))))
    assert len(rows) == 4
    html = out.read_text(encoding="utf-8")
    assert '<strong id="total">4</strong>' in html
    for label, count in Counter(r["kind"] for r in rows).items():
        assert cells(html, label) == str(count)
    for label, count in Counter(r["status"] for r in rows).items():
        assert cells(html, label) == str(count)
    assert cells(html, "Khiếu nại") == "0"
    # the mini commune: two disclosures published in the period, both posted 30 days or more;
    # receptions on the 15th of each month but 15 December (cancelled), one dialogue on 8 December
    assert cells(html, "Văn bản công khai trong kỳ") == "2"
    assert cells(html, "Niêm yết đủ 30 ngày trở lên") == "2"
    assert cells(html, "Công khai trong 5 ngày làm việc kể từ ngày ban hành") == "không có dữ liệu"
    assert re.search(r"<td>Tiếp công dân</td><td class=\"n\">5</td>", html)
    assert re.search(r"<td>Đối thoại với Nhân dân</td><td class=\"n\">1</td>", html)
    assert html.count("<svg") == 4 and "<script" not in html and "@media print" in html


async def test_pdf_report_is_a_pdf_with_the_totals_in_vietnamese(
    tmp_path: Path, database_url: str, store: Store
) -> None:
    await file_some(store)
    out = tmp_path / "bao-cao.pdf"
    result = await bot_cli(
        tmp_path, "report", *PERIOD, "--out", str(out), DATABASE_URL=database_url, LOG_LEVEL="INFO"
    )
    assert result.code == 0, result.err
    assert "fontTools" not in result.err  # no log line per glyph table at INFO
    assert out.read_bytes().startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    assert "Tổng số hồ sơ tiếp nhận trong kỳ: 4." in text
    assert "Phản ánh" in text and "Tiếp công dân" in text and "Xã Tân Lập" in text


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--from", "2026-13-01", "--to", "2026-12-31"), "Ngày bắt đầu (--from) không hợp lệ"),
        (("--from", "2026-07-01", "--to", "mai"), "Ngày kết thúc (--to) không hợp lệ"),
        (("--from", "2026-12-31", "--to", "2026-07-01"), "đứng trước ngày bắt đầu"),
    ],
)
async def test_bad_dates_exit_2_with_one_vietnamese_line(
    tmp_path: Path, database_url: str, args: tuple[str, ...], says: str
) -> None:
    out = tmp_path / "bao-cao.html"
    result = await bot_cli(tmp_path, "report", *args, "--out", str(out), DATABASE_URL=database_url)
    assert result.code == 2
    assert says in result.err and "Traceback" not in result.err
    assert not out.exists()
