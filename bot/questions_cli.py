"""`python -m bot questions`: what residents asked that nothing published answered, for officials.

Questions are grouped by similarity (their words compared without marks and filler, rapidfuzz's
token-set ratio), most asked first, each group with its count and its first and last dates in
the commune's time, then the ways it was put. Texts are shown redacted (phones, e-mails, ID
numbers hidden), as everything a terminal prints may be copied anywhere.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from qa.question_groups import VARIANTS, Group, group, wordings
from storage.store import Store

__all__ = ["group", "list_questions", "render"]


def _day(at: datetime | None, tz: ZoneInfo) -> str:
    return at.astimezone(tz).strftime("%d/%m/%Y") if at else "?"


def render(groups: list[Group], tz: ZoneInfo) -> str:
    """The report officials read."""
    if not groups:
        return "Chưa có câu hỏi nào của bà con mà bot chưa trả lời được."
    total = sum(len(g.asked) for g in groups)
    lines = [f"Câu hỏi bot chưa trả lời được: {total} câu, {len(groups)} nhóm (hỏi nhiều nhất trước).", ""]
    for g in groups:
        first, last = _day(g.first, tz), _day(g.last, tz)
        when = first if first == last else f"{first} – {last}"
        lines.append(f"[{len(g.asked)} lần] {when}")
        shown, more = wordings(g, VARIANTS)  # newest wording first
        lines += [f"  • {t}" for t in shown]
        if more:
            lines.append(f"  … và {more} cách hỏi khác")
        lines.append("")
    return "\n".join(lines).rstrip()


async def list_questions(store: Store, tz: ZoneInfo) -> int:
    async with store.uow() as uow:
        questions = await uow.unanswered.all()
    print(render(group(questions), tz))
    return 0
