"""The report as a printable HTML page (inline SVG bars, print CSS) or a PDF (fpdf2, DejaVu Sans)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from domain.vnformat import vn_date
from web.board.render import render
from web.report.figures import MIN_POSTED_DAYS, Bar, Report

if TYPE_CHECKING:
    from fpdf import FPDF

FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts")


class FontMissing(Exception):
    """No TTF with Vietnamese glyphs: install Debian's fonts-dejavu-core."""


def period(report: Report) -> str:
    return f"từ {vn_date(report.start)} đến {vn_date(report.end)}"


def html(report: Report, commune: str, made: date) -> str:
    return render(
        "report.html",
        r=report,
        commune=commune,
        period=period(report),
        made=vn_date(made),
        longest=report.longest,
        min_days=MIN_POSTED_DAYS,
    )


def find_fonts(dirs: tuple[Path, ...] = FONT_DIRS) -> tuple[Path, Path]:
    """DejaVu Sans, regular and bold, wherever the system keeps its fonts."""
    found: dict[str, Path] = {}
    for folder in dirs:
        if folder.is_dir():
            for name in FONT_FILES:
                found.setdefault(name, next(iter(sorted(folder.rglob(name))), Path()))
    paths = [found.get(name, Path()) for name in FONT_FILES]
    if not all(p.is_file() for p in paths):
        raise FontMissing(
            "Không tìm thấy phông chữ DejaVu Sans để viết tiếng Việt vào PDF: "
            "cài gói fonts-dejavu-core (apt-get install fonts-dejavu-core) hoặc xuất tệp .html"
        )
    return paths[0], paths[1]


def _table(pdf: FPDF, heading: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> None:
    widths = (70, *([120 / (len(heading) - 1)] * (len(heading) - 1)))
    with pdf.table(col_widths=widths, text_align=("LEFT", *(["RIGHT"] * (len(heading) - 1)))) as table:
        for line in (heading, *rows):
            table.row(line)
    pdf.ln(2)


def _bars(pdf: FPDF, bars: list[Bar], longest: int) -> None:
    for bar in bars:
        y = pdf.get_y()
        pdf.set_font(size=9)
        pdf.cell(60, 5, bar.label)
        width = 100 * bar.count / longest
        if width:
            pdf.rect(pdf.l_margin + 62, y + 0.8, width, 3.6, style="F")
        pdf.set_x(pdf.l_margin + 64 + width)
        pdf.cell(20, 5, str(bar.count), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(size=10)
    pdf.ln(3)


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(2)
    pdf.set_font(style="B", size=12)
    pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(style="", size=10)


def pdf(report: Report, commune: str, made: date, fonts: tuple[Path, Path] | None = None) -> bytes:
    from fpdf import FPDF

    regular, bold = fonts or find_fonts()
    doc = FPDF(format="A4")
    doc.add_font("DejaVu", "", str(regular))
    doc.add_font("DejaVu", "B", str(bold))
    doc.set_fill_color(47, 93, 138)
    doc.add_page()
    doc.set_font("DejaVu", "B", 14)
    doc.multi_cell(0, 8, f"Báo cáo thực hiện dân chủ ở cơ sở — {commune}", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("DejaVu", "", 10)
    doc.multi_cell(
        0, 6, f"Kỳ báo cáo: {period(report)}. Lập ngày {vn_date(made)}.", new_x="LMARGIN", new_y="NEXT"
    )
    _heading(doc, "1. Phản ánh, kiến nghị, khiếu nại, tố cáo")
    doc.multi_cell(0, 6, f"Tổng số hồ sơ tiếp nhận trong kỳ: {report.total}.", new_x="LMARGIN", new_y="NEXT")
    for heading, bars in (
        ("Loại", report.by_kind),
        ("Thôn", report.by_village),
        ("Tình trạng", report.by_status),
    ):
        _table(doc, (heading, "Số hồ sơ"), [(b.label, str(b.count)) for b in bars])
        _bars(doc, bars, report.longest)
    _heading(doc, "2. Trả lời đúng hạn luật định")
    rows = [
        (a.label, f"{a.on_time}/{a.due}", a.percent, f"{b.on_time}/{b.due}", b.percent)
        for a, b in report.on_time
    ]
    _table(doc, ("Loại", "Trả lời lần đầu đúng hạn", "Tỉ lệ", "Giải quyết đúng hạn", "Tỉ lệ"), rows)
    _heading(doc, "3. Mức độ hài lòng")
    doc.multi_cell(
        0,
        6,
        f"Số đánh giá: {report.ratings}; điểm trung bình: {report.average}; hài lòng (4–5 sao): {report.satisfied}.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    _heading(doc, "4. Công khai thông tin")
    d = report.disclosures
    _table(
        doc,
        ("Nội dung", "Số văn bản"),
        [
            ("Văn bản công khai trong kỳ", str(d.published)),
            (f"Niêm yết đủ {MIN_POSTED_DAYS} ngày trở lên", str(d.posted_30_days)),
            (f"Niêm yết dưới {MIN_POSTED_DAYS} ngày", str(d.posted_shorter)),
            ("Không ghi ngày hết niêm yết", str(d.no_end_date)),
            ("Công khai trong 5 ngày làm việc kể từ ngày ban hành", d.within_5_workdays),
        ],
    )
    _heading(doc, "5. Tiếp công dân và đối thoại")
    _table(doc, ("Hoạt động", "Số buổi"), [(b.label, str(b.count)) for b in report.sittings])
    _bars(doc, report.sittings, report.longest)
    return bytes(doc.output())
