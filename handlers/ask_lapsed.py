"""A schedule that is over ("Lịch tiếp công dân … tháng 12/2026 và tháng 01/2027" asked about in
February 2027): every date it lists is past and its posting period has ended, so it does not answer
a resident asking about the schedule now. It is offered to open, with its posting period, not quoted.

A disclosure is posted for a period (`published_at` to `posted_until`, DOMAIN.md "Posting period");
the notice board shows one after it as "Hết hạn niêm yết". The end of posting alone does not make a
schedule stale: one that runs on ("lịch thu gom rác … từ ngày 01/8/2026": weekdays, from a date) still
holds. A question naming a month or year the period covers ("lịch tiếp dân tháng 12/2026") asks for
that schedule, and is answered from it.
"""

from __future__ import annotations

import contextlib
import re
from datetime import date, timedelta

from domain.vnformat import vn_date
from handlers.services import Ctx
from qa.entries import SearchHit
from qa.query_names import relative_years
from qa.vntext import fold, syllables
from storage.models import Disclosure

# "tháng 12", "tháng 1/2027", "tháng 01-2027", "tháng 12 năm 2026" as folded syllables
_MONTH = re.compile(r"\bthang (\d{1,2})(?: (?:nam )?((?:19|20)\d\d))?\b")
_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
# dates a schedule lists: "03/12/2026", "3-12-2026"; "tháng 01/2027" (to its end)
_DAY = r"(\d{1,2})[/-](\d{1,2})[/-]((?:19|20)\d\d)"
_DATE = re.compile(rf"\b{_DAY}\b")
_IN_MONTH = re.compile(r"\btháng\s+(\d{1,2})[/-]((?:19|20)\d\d)\b")
# "từ ngày 01/8/2026", "từ tháng 7/2026" with no "đến …" after it: the schedule runs on from then
_WHEN = r"(?:(?:ngày\s+)?\d{1,2}[/-]\d{1,2}|tháng\s+\d{1,2})[/-](?:19|20)\d\d"
_OPEN_ENDED = re.compile(rf"\btừ\s+{_WHEN}(?![^.;\n]{{0,40}}?(?:đến|tới)[^.;\n]{{0,20}}?{_WHEN})")


async def lapsed(ctx: Ctx, question: str, hit: SearchHit) -> str | None:
    """When the hit answering `question` is a schedule whose posting is over: what the resident is
    told before it is offered (its posting period); else None."""
    doc = await ctx.uow.disclosures.get(hit.id) if hit.kind == "disclosure" else None
    if doc is None or not lapsed_schedule(doc, question, ctx.now.astimezone(ctx.svc.tz).date()):
        return None
    return lapsed_lead(doc)


def lapsed_schedule(doc: Disclosure, question: str, today: date) -> bool:
    """Whether `doc` is a schedule whose posting ended and whose dates are all before `today`,
    asked about without naming a month or year of its period (so: asked about now)."""
    if doc.posted_until is None or doc.posted_until >= today or not is_schedule(doc.title):
        return False
    last = last_date(f"{doc.title}\n{doc.body}")
    if last is None or last >= today:
        return False
    return not asks_period(question, doc.published_at, doc.posted_until, today)


def last_date(text: str) -> date | None:
    """The last day a schedule lists, or None when it lists none or runs on from a date."""
    text = text.lower().replace("*", "")  # "từ ngày **01/8/2026**": bold in Markdown
    if _OPEN_ENDED.search(text):
        return None
    days: list[date] = []
    for d, m, y in _DATE.findall(text):
        with contextlib.suppress(ValueError):
            days.append(date(int(y), int(m), int(d)))
    for m, y in _IN_MONTH.findall(text):
        if 1 <= int(m) <= 12:
            following = date(int(y) + int(m) // 12, int(m) % 12 + 1, 1)
            days.append(following - timedelta(days=1))
    return max(days, default=None)


def is_schedule(title: str) -> bool:
    """A title saying "lịch" (schedule), not "du lịch" (travel) nor "lịch sử" (history)."""
    words = [w.lower() for w in syllables(title)]
    for i, word in enumerate(words):
        before = words[i - 1] if i else ""
        after = words[i + 1] if i + 1 < len(words) else ""
        if word == "lịch" and before != "du" and after != "sử":
            return True
    return False


def asks_period(question: str, start: date, end: date, today: date) -> bool:
    """Whether the question names a month or a year within `start`..`end` ("tháng 12",
    "tháng 1/2027", "năm 2026", "năm ngoái"); "năm nay" and "tháng này" name now, not it."""
    tokens = syllables(question)
    folded = " ".join(fold(w) for w in tokens)
    first, last = (start.year, start.month), (end.year, end.month)
    for found in _MONTH.finditer(folded):
        month, year = int(found.group(1)), found.group(2)
        within = [int(year)] if year else range(start.year, end.year + 1)
        if any(first <= (y, month) <= last for y in within):
            return True
    if _MONTH.search(folded):  # a month outside the period (a year beside it is that month's)
        return False
    said, _this_year = relative_years(tokens, [False] * len(tokens), today)
    years = {int(y) for y in [*_YEAR.findall(folded), *said]}
    return any(start.year <= y <= end.year for y in years)


def lapsed_lead(doc: Disclosure) -> str:
    """What the resident is told before the documents offered: the schedule and its posting period."""
    until = vn_date(doc.posted_until) if doc.posted_until else ""
    return (
        f"“{doc.title}” chỉ niêm yết từ {vn_date(doc.published_at)} đến {until}, nay đã hết hạn nên "
        "có thể không còn đúng. Câu hỏi đã được ghi lại để cán bộ xã xem xét."
    )
