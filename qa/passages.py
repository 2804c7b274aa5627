"""The passage quoted as the answer: the paragraphs or table rows of a body that answer best."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from qa.passage_tables import PASSAGE_MAX, is_table, row_answer, shown_whole, table_rows
from qa.passage_terms import Asked, asked
from qa.query import Query

PASSAGE_BLOCKS = 3  # a passage joins at most this many blocks (paragraphs, table rows)
COMPLEMENT_SHARE = 0.2  # a second block must add this share of the first one's score
ANSWER_KIND_BOOST = 1.5
# kinds of answer from the most precise to the least: a block holding a more precise one answers
KIND_TIERS = (
    frozenset(
        {
            "date",
            "time",
            "duration",
            "length",
            "percent",
            "who",
            "name",
            "place",
            "total",
            "counted",
            "status",
            "per",
        }
    ),
    frozenset({"money"}),
    frozenset({"count"}),
)
NEW_KIND_SHARE = 0.25  # a block holding a kind of answer asked and not yet shown needs this share
_PARA_SPLIT = re.compile(r"\n\s*\n")
_SECTION = re.compile(r"#|(?:\*\*)?\s*(?:\d+|[IVX]+)[.)]\s")


def split_paragraphs(body: str) -> list[str]:
    """Paragraphs (tables and lists stay whole) of a Markdown body."""
    return [p.strip() for p in _PARA_SPLIT.split(body) if p.strip()]


def best_passage(body: str, query: Query, idf: dict[str, float], title: str = "") -> str:
    """The paragraphs (or table rows) of the body that answer the question best, at most ~800 chars.

    Blocks (a paragraph under its heading, a table's header and asked rows: `table_rows`) score by
    the resident's own words they hold, by rarity, as typed (`qa.passage_terms`). Words of the
    question already in the title chose the document; the passage should answer the rest ("how
    long" in "how long is the road of village X"), so they count less. A place the question names
    and the title does not marks where the answer is: it counts more. A question asking for a kind
    of answer (an amount for "bao nhiêu tiền", a date for "khi nào", a status for "xong chưa") is
    answered by a block holding one, the most precise kind first (`KIND_TIERS`). A question asking
    two or three things ("ai làm, hết bao nhiêu tiền") may be answered in two or three places: a
    block holding enough of the rest, or a kind of answer not yet shown, is added. A question
    whose every word is in the title asks for the document itself: the section a heading names
    ("tiến độ công trình X": "2. Tiến độ"), else the opening of the body.
    """
    paragraphs = split_paragraphs(body)
    if not paragraphs:
        return ""
    question = asked(query, idf, title, body)
    cut = [table_rows(p, question) if is_table(p) else p for p in paragraphs]
    blocks = with_headings(cut)
    # a short table is chosen by the rows asked and shown whole, room allowing: the resident sees
    # their row beside the others ("mức hỗ trợ" by damage), and a row picked by a word that merely
    # matches ("Mất trắng lúa" for "nhà bị cuốn mất") does not hide the one meant
    whole = with_headings(
        [p if is_table(p) and shown_whole(p, question) else c for p, c in zip(paragraphs, cut, strict=True)]
    )
    held = [question.held(b) for b in blocks]
    kinds = [question.answers(b) for b in blocks]

    def gain(i: int, have: set[str], answered: frozenset[str] = frozenset()) -> float:
        """What block i adds: its words not yet shown; beside the first block, only words the title
        lacks, unless it holds a kind of answer asked for and not yet shown (then it counts more)."""
        if kinds[i] - answered:  # it answers what the blocks shown do not: all its words count
            return ANSWER_KIND_BOOST * sum(held[i].values())
        fresh = have | question.in_title if have else have
        return sum(w for t, w in held[i].items() if t not in fresh)

    # When every word the resident typed is in the title ("lịch tiếp dân"), the question asks for
    # the document itself: its opening answers, not a block that merely shares a synonym; unless a
    # heading of the body names what was asked ("tiến độ công trình X": "2. Tiến độ").
    if not any(t in words for t in question.own for words in held):
        return clip("\n\n".join(_named_section(paragraphs, question, query)))
    alone = [gain(i, set()) for i in range(len(blocks))]
    first = _first_block(blocks, held, kinds, alone, question)
    chosen, have, size = [first], set(held[first]), len(blocks[first])
    answered = kinds[first]
    enough = COMPLEMENT_SHARE * sum(w for t, w in held[first].items() if t not in question.in_title)
    while len(chosen) < PASSAGE_BLOCKS:
        fits = [i for i in range(len(blocks)) if i not in chosen and size + len(blocks[i]) <= PASSAGE_MAX]
        best = max(fits, key=lambda i: (gain(i, have, answered), -abs(i - first)), default=None)
        new_kind = best is not None and bool(kinds[best] - answered)
        # a third block only for a kind of answer asked and not yet shown ("ai làm, bao nhiêu
        # tiền, khi nào xong")
        if best is None or (len(chosen) > 1 and not new_kind):
            break
        if gain(best, have, answered) <= (enough * NEW_KIND_SHARE if new_kind else enough):
            break
        chosen.append(best)
        have |= set(held[best])
        answered |= kinds[best]
        size += len(blocks[best])
    # prose answering by the story around an amount ("mưa lớn làm sập nhà ... tổng số tiền") is
    # joined by the table row holding the amount for what was asked ("Nhà bị sập đổ | 40.000.000")
    if len(chosen) < PASSAGE_BLOCKS and not any(row_answer(blocks[i], question) for i in chosen):
        rows = {i: row_answer(blocks[i], question) for i in range(len(blocks)) if i not in chosen}
        table = max(rows, key=lambda i: (rows[i], -abs(i - first)), default=None)
        if table is not None and rows[table] > 0 and size + len(blocks[table]) <= PASSAGE_MAX:
            chosen.append(table)
            size += len(blocks[table])
    chosen.sort()
    shown = {i: blocks[i] for i in chosen}
    for i in chosen:
        if len(whole[i]) > len(blocks[i]) and size - len(blocks[i]) + len(whole[i]) <= PASSAGE_MAX:
            size += len(whole[i]) - len(blocks[i])
            shown[i] = whole[i]
    parts = [shown[chosen[0]]]
    for before, i in itertools.pairwise(chosen):
        parts.append(shown[i] if i == before + 1 else f"…\n{shown[i]}")
    return clip("\n".join(parts))


def _named_section(paragraphs: list[str], question: Asked, query: Query) -> list[str]:
    """The section whose heading names most of the question, whole; else the whole body."""

    def named(paragraph: str) -> float:
        lines = itertools.takewhile(is_heading, paragraph.splitlines())
        heading = "\n".join(line for line in lines if not line.rstrip().endswith(":"))
        named = {t: w for t, w in question.held(heading).items() if t in query.core}
        # a pair of the question's words, as typed: one syllable alike ("sạch", "chính sách") is not it
        if not any("_" in t and w == question.weight[t] for t, w in named.items()):
            return 0.0
        return sum(named.values())

    scores = [named(p) for p in paragraphs]
    best = max(range(len(paragraphs)), key=lambda i: (scores[i], -i))
    if scores[best] <= 0:
        return paragraphs
    # a heading's section runs past the lead-ins under it ("HĐND xã quyết nghị các chỉ tiêu:") to
    # the block they lead into, then up to the next section
    body = best
    if is_heading(paragraphs[best]):
        while body + 2 < len(paragraphs) and _lead_in(paragraphs[body + 1]):
            body += 1
        body += body > best  # the block led into
    end = next(
        (j for j in range(body + 1, len(paragraphs)) if _opens_section(paragraphs[j])),
        len(paragraphs),
    )
    return paragraphs[best:end]


def _first_block(
    blocks: list[str],
    held: list[dict[str, float]],
    kinds: list[frozenset[str]],
    alone: list[float],
    question: Asked,
) -> int:
    """The block answering first: the one with most of the question's words among those holding
    the kind of answer asked."""
    # a question asking for an amount, a date, a name is answered by a block holding one: the most
    # precise kind asked first ("tiến độ ... đến đâu": a share done, before any amount)
    answering: Sequence[int] = range(len(blocks))
    tier_held: frozenset[str] = frozenset()
    for tier in KIND_TIERS:
        held_kind = [i for i in range(len(blocks)) if kinds[i] & tier and alone[i] > 0]
        if not held_kind and "per" in tier & question.kinds:
            # an amount written per the unit asked ("mỗi nhà": "3.500.000 đồng/hộ") answers though
            # it shares no word with the question ("**Mức đóng góp:**" for "bỏ ra mấy tiền")
            held_kind = [i for i in range(len(blocks)) if "per" in kinds[i]]
        if held_kind:
            answering, tier_held = held_kind, tier
            break
    first = max(answering, key=lambda i: (alone[i], -i))
    # the words asked in a section's lead, the value in the block after it ("**4. Chuyển đổi ...:**
    # ... xoài", then "**Chính sách hỗ trợ:** ... 10 triệu đồng/ha"): the lead the question's own
    # words pick, holding no kind asked, is continued by the blocks after it up to the next section;
    # the first of them holding the kind answers (the lead joins it below)
    asked_words = [sum(w for t, w in h.items() if t not in question.in_title) for h in held]
    by_words = max(range(len(blocks)), key=lambda i: (asked_words[i], -i))
    if tier_held and not kinds[by_words] & tier_held and _SECTION.match(blocks[by_words]):
        first = next((j for j in continuing(blocks, by_words) if kinds[j] & tier_held), first)
    return first


def continuing(blocks: list[str], start: int) -> list[int]:
    """The blocks after `start` up to the next section (a Markdown heading or a numbered label,
    "**5. Thủy lợi:**"); a label without a number ("**Chính sách hỗ trợ:**") continues one."""
    out: list[int] = []
    for j in range(start + 1, len(blocks)):
        if _SECTION.match(blocks[j]):
            break
        out.append(j)
    return out


def _lead_in(paragraph: str) -> bool:
    """A line of prose ending with a colon, leading into the block after it."""
    text = paragraph.strip()
    return "\n" not in text and text.endswith(":") and not text.startswith(("#", "**"))


def _opens_section(paragraph: str) -> bool:
    """A paragraph under a heading of its own or a bold label ("**4. Giám sát:** ...")."""
    first = paragraph.splitlines()[0]
    return is_heading(first) or first.startswith("**")


def with_headings(blocks: list[str]) -> list[str]:
    """Each heading joined to the block under it: a heading alone says little."""
    out: list[str] = []
    pending = ""
    for block in blocks:
        if is_heading(block):
            pending = f"{pending}{block}\n"
            continue
        out.append(pending + block)
        pending = ""
    if pending:
        out.append(pending.rstrip())
    return out


def is_heading(block: str) -> bool:
    """A Markdown heading, or a single line in bold or ending with a colon ("**2. Lịch:**")."""
    text = block.strip()
    if "\n" in text:
        return False
    return text.startswith("#") or (text.startswith("**") and text.endswith("**")) or text.endswith(":")


def clip(text: str, limit: int = PASSAGE_MAX) -> str:
    """At most `limit` characters, cut at a line break when one is near the end."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text.rfind("\n", 0, limit)
    return text[: cut if cut > limit // 2 else limit].rstrip() + " …"
