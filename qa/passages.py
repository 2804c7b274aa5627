"""The passage quoted as the answer: the paragraphs or table rows of a body that answer best."""

from __future__ import annotations

import itertools
import re

from qa.query import Query
from qa.query_words import pairs
from qa.vntext import fold, syllables

PASSAGE_MAX = 800
TITLE_TERM_WEIGHT = 0.1
NAME_PASSAGE_WEIGHT = 3.0  # a place named in the question but not in the title marks the passage
ROW_SHARE = 0.5  # table rows scoring at least this share of the best row are part of the answer
PASSAGE_SYNONYM_WEIGHT = 0.3  # words the synonym list added count this much towards a passage
PASSAGE_BLOCKS = 2  # a passage joins at most this many blocks (paragraphs, table rows)
COMPLEMENT_SHARE = 0.2  # a second block must add this share of the first one's score
ASKED_SHARE = (
    0.05  # a table row holding a word of the question weighing this share of the heaviest is asked for
)
# What an answer of each kind looks like in a passage (see qa/query_words.py ANSWER_KINDS).
ANSWER_PATTERNS: dict[str, re.Pattern[str]] = {
    "money": re.compile(r"\d[\d.,]*\s*(?:đồng|triệu|tỷ|nghìn|ngàn|đ\b)|miễn|không thu", re.IGNORECASE),
    "date": re.compile(r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|\bngày \d|\btháng \d|\bquý [1-4IV]", re.IGNORECASE),
    "time": re.compile(r"\b\d{1,2}\s*(?:giờ|h\d|:\d\d)", re.IGNORECASE),
    "length": re.compile(r"\d[\d.,]*\s*(?:m\b|km\b|m2|m²|ha\b|mét)", re.IGNORECASE),
    "percent": re.compile(r"\d[\d.,]*\s*%"),
    "who": re.compile(
        r"\b(?:Công ty|Ông|Bà|Đồng chí|Liên danh|Hợp tác xã|[A-ZĐ][a-zà-ỹ]+ [A-ZĐ][a-zà-ỹ]+ [A-ZĐ])"
    ),
    "count": re.compile(r"\d"),
}
ANSWER_KIND_BOOST = 1.5
_PARA_SPLIT = re.compile(r"\n\s*\n")


def text_terms(text: str) -> list[str]:
    """The folded syllables of a text and their pairs, as the index holds them."""
    folded = [fold(s) for s in syllables(text)]
    return folded + pairs(folded)


def split_paragraphs(body: str) -> list[str]:
    """Paragraphs (tables and lists stay whole) of a Markdown body."""
    return [p.strip() for p in _PARA_SPLIT.split(body) if p.strip()]


def best_passage(body: str, query: Query, idf: dict[str, float], title: str = "") -> str:
    """The paragraphs (or table rows) of the body that answer the question best, at most ~800 chars.

    Blocks (a paragraph under its heading, a table's matching rows: `table_rows`) score by the
    resident's own words they hold, by rarity. Words of the question already in the title chose the
    document; the passage should answer the rest ("how long" in "how long is the road of village
    X"), so they count less. A place the question names and the title does not marks where the
    answer is: it counts more. A block holding the kind of answer asked for (an amount for "bao
    nhiêu tiền", a date for "khi nào") scores higher. A question asking two things ("dài bao nhiêu,
    khi nào xong") may be answered in two places: a block holding enough of the rest is added.
    A question whose every word is in the title is answered by the opening of the body.
    """
    paragraphs = split_paragraphs(body)
    if not paragraphs:
        return ""
    in_title = set(text_terms(title))
    names = query.name_terms
    weight = {
        t: w
        * idf.get(t, 0.0)
        * (TITLE_TERM_WEIGHT if t in in_title else NAME_PASSAGE_WEIGHT if t in names else 1.0)
        * (1.0 if t in query.core else PASSAGE_SYNONYM_WEIGHT)
        for t, w in query.terms.items()
    }
    blocks = with_headings([table_rows(p, weight) if is_table(p) else p for p in paragraphs])
    held = [set(text_terms(b)) for b in blocks]
    boost = [
        ANSWER_KIND_BOOST if any(ANSWER_PATTERNS[kind].search(b) for kind in query.answer_kinds) else 1.0
        for b in blocks
    ]

    def gain(i: int, have: set[str]) -> float:
        return boost[i] * sum(w for t, w in weight.items() if t in held[i] and t not in have)

    # When every word the resident typed is in the title ("lịch tiếp dân"), the question asks for
    # the document itself: its opening answers, not a block that merely shares a synonym.
    asked = [t for t in query.core if t not in in_title and weight.get(t, 0.0) > 0]
    if not any(t in words for t in asked for words in held):
        return clip("\n\n".join(paragraphs))
    alone = [gain(i, set()) for i in range(len(blocks))]
    first = max(range(len(blocks)), key=lambda i: (alone[i], -i))
    chosen, have, size = [first], set(held[first]), len(blocks[first])
    enough = COMPLEMENT_SHARE * alone[first]
    while len(chosen) < PASSAGE_BLOCKS:
        fits = [i for i in range(len(blocks)) if i not in chosen and size + len(blocks[i]) <= PASSAGE_MAX]
        best = max(fits, key=lambda i: (gain(i, have), -abs(i - first)), default=None)
        if best is None or gain(best, have) <= enough:
            break
        chosen.append(best)
        have |= held[best]
        size += len(blocks[best])
    chosen.sort()
    parts = [blocks[chosen[0]]]
    for before, i in itertools.pairwise(chosen):
        parts.append(blocks[i] if i == before + 1 else f"…\n{blocks[i]}")
    return clip("\n".join(parts))


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


def is_table(paragraph: str) -> bool:
    """A Markdown table: every line a row between pipes, a header and a rule at least."""
    lines = paragraph.splitlines()
    return len(lines) >= 3 and all(line.lstrip().startswith("|") for line in lines)


def table_rows(table: str, weight: dict[str, float]) -> str:
    """The header and the rows a question picks out of a table ("thôn X": the rows of thôn X).

    A row is picked by the question's words it has and the header lacks, weighted as in
    `best_passage`; rows scoring at least half the best one are kept, in order, the best first
    while they fit in a passage. When no row stands out, or every row does and the table is short,
    the whole table is the answer ("the list of poor households").
    """
    lines = table.splitlines()
    header, rows = lines[:2], lines[2:]
    in_header = set(text_terms("\n".join(header)))

    def row_score(row: str) -> float:
        terms = set(text_terms(row)) - in_header
        return sum(w for t, w in weight.items() if t in terms)

    scores = [row_score(row) for row in rows]
    top = max(scores, default=0.0)
    if top <= 0:
        return table
    picked = [i for i, sc in enumerate(scores) if sc >= ROW_SHARE * top]
    # a question asking two things of a table ("dài bao nhiêu, rộng bao nhiêu") is answered by the
    # rows holding each: a row with a word of the question no picked row has is kept too
    covered = set().union(*(set(text_terms(rows[i])) for i in picked))
    asked = max(weight.values(), default=0.0) * ASKED_SHARE
    for i in sorted(range(len(rows)), key=lambda i: -scores[i]):
        terms = set(text_terms(rows[i])) - in_header
        new = [t for t in terms if t not in covered and weight.get(t, 0.0) >= asked and "_" not in t]
        if i not in picked and new:
            picked.append(i)
            covered |= terms
    if len(picked) == len(rows) and len(table) <= PASSAGE_MAX:
        return table
    size, kept = len("\n".join(header)), list[int]()
    for i in sorted(picked, key=lambda i: -scores[i]):
        if kept and size + 1 + len(rows[i]) > PASSAGE_MAX:
            break
        kept.append(i)
        size += 1 + len(rows[i])
    return "\n".join([*header, *(rows[i] for i in sorted(kept))])


def clip(text: str, limit: int = PASSAGE_MAX) -> str:
    """At most `limit` characters, cut at a line break when one is near the end."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text.rfind("\n", 0, limit)
    return text[: cut if cut > limit // 2 else limit].rstrip() + " …"
