"""`python -m bot report --from DATE --to DATE --out FILE.html|FILE.pdf`: the steering committee's report.

Dates are the commune's local days, both included; the file's ending chooses HTML or PDF.
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from storage.store import Store

FORMATS = (".html", ".pdf")


class BadRequest(ValueError):
    """What the operator typed cannot make a report; the message says why, in Vietnamese."""


def parse_day(text: str, which: str) -> date:
    """2026-01-31 or 31/01/2026."""
    for form in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text.strip(), form).date()
        except ValueError:
            continue
    raise BadRequest(f"Ngày {which} không hợp lệ: “{text}”. Hãy viết theo dạng 2026-01-31 hoặc 31/01/2026.")


def check(start_text: str, end_text: str, out: Path) -> tuple[date, date]:
    start, end = parse_day(start_text, "bắt đầu (--from)"), parse_day(end_text, "kết thúc (--to)")
    if end < start:
        raise BadRequest(f"Ngày kết thúc ({end_text}) đứng trước ngày bắt đầu ({start_text}).")
    if out.suffix.lower() not in FORMATS:
        raise BadRequest(f"Tệp báo cáo phải có đuôi .html hoặc .pdf, không phải “{out.name}”.")
    return start, end


async def write_report(store: Store, start: date, end: date, out: Path, tz: ZoneInfo, now: datetime) -> int:
    from web.report import figures, render

    after = datetime.combine(start, time(), tz)
    before = datetime.combine(end + timedelta(days=1), time(), tz)
    async with store.uow() as uow:
        facts = await uow.public.petition_facts(after.astimezone(UTC), before.astimezone(UTC))
        villages = await uow.commune.villages()
        docs = await uow.public.disclosures(published_from=start, published_before=end + timedelta(days=1))
        events = await uow.events.all()
        commune = await uow.commune.get()
    today = now.astimezone(tz).date()
    report = figures.build(
        start, end, facts, villages, docs, figures.sittings(events, after, before, tz), today, tz
    )
    name = commune.name if commune else "xã"
    try:
        if out.suffix.lower() == ".pdf":
            out.write_bytes(render.pdf(report, name, today))
        else:
            out.write_text(render.html(report, name, today), encoding="utf-8")
    except render.FontMissing as exc:
        print(exc, file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"Không ghi được tệp {out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"Đã lập báo cáo {render.period(report)}: {report.total} hồ sơ, ghi vào {out}")
    return 0
