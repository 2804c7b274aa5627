"""A table answered by its header and the rows asked about (a row of a village, a total)."""

from __future__ import annotations

import re

from qa.passage_terms import Asked, text_terms

PASSAGE_MAX = 800
ROW_SHARE = 0.5  # table rows scoring at least this share of the best row are part of the answer
ASKED_SHARE = (
    0.05  # a table row holding a word of the question weighing this share of the heaviest is asked for
)
SHORT_TABLE_ROWS = 6  # a table of at most this many rows is shown whole when it fits (`shown_whole`)
KIND_ROWS = 3  # at most this many rows are added for holding a kind of answer asked
# kinds of answer a table's total row answers ("bao nhiêu tiền": the total, beside the rows asked)
TOTAL_KINDS = frozenset({"money", "count", "counted", "percent", "length", "total"})
# a word asking for money picks no row: the fee asked is in a column, "mặt tiền" is no fee
KIND_TERMS = frozenset({"tien"})
_TOTAL = re.compile(r"^\|\s*(?:\*\*)?\s*(?:tổng|cộng|toàn)\b", re.IGNORECASE)


def is_table(paragraph: str) -> bool:
    """A Markdown table: every line a row between pipes, a header and a rule at least."""
    lines = paragraph.splitlines()
    return len(lines) >= 3 and all(line.lstrip().startswith("|") for line in lines)


# an amount asked of a short table is shown with the others: the levels of a fee or of support
WHOLE_KINDS = frozenset({"money", "count"})


def shown_whole(table: str, question: Asked) -> bool:
    """A short table asked for an amount: shown whole, the level asked beside the others (a name or
    a date asked keeps to its row: "ai phụ trách địa chính" is one official, not the list)."""
    return len(table.splitlines()) - 2 <= SHORT_TABLE_ROWS and bool(question.kinds & WHOLE_KINDS)


def table_rows(table: str, question: Asked) -> str:
    """The header and the rows a question picks out of a table ("thôn X": the rows of thôn X).

    A row is picked by the question's words it has and the header lacks; rows scoring at least
    half the best one are kept, in order, the best first while they fit in a passage. A question
    asking two things of a table gets the row holding each. When no row is picked by its words,
    the rows holding the kind of answer asked ("bao giờ": a date) are, if only some do. A total
    row ("Tổng", "Cộng") goes with the rows picked when an amount is asked. When no row stands
    out, or every row does and the table is short, the whole table is the answer ("the list of
    poor households").
    """
    lines = table.splitlines()
    header, rows = lines[:2], lines[2:]
    in_header = set(text_terms("\n".join(header)))
    held = [
        {t: w for t, w in question.held(row).items() if t not in in_header | KIND_TERMS | question.halves}
        for row in rows
    ]
    scores = [sum(h.values()) for h in held]
    top = max(scores, default=0.0)
    if top <= 0:
        kind_rows = [i for i, row in enumerate(rows) if question.answers(f"{lines[0]}\n{row}")]
        if not kind_rows or len(kind_rows) * 2 > len(rows):
            return table
        picked = kind_rows
    else:
        picked = [i for i, sc in enumerate(scores) if sc >= ROW_SHARE * top]
        # a question asking two things of a table ("dài bao nhiêu, rộng bao nhiêu") is answered by
        # the rows holding each: a row with a word of the question no picked row has is kept too
        covered = set().union(*(held[i] for i in picked))
        enough = max(question.weight.values(), default=0.0) * ASKED_SHARE
        for i in sorted(range(len(rows)), key=lambda i: -scores[i]):
            new = [
                t
                for t, w in held[i].items()
                if t not in covered and w >= enough and ("_" not in t or t in question.phrases)
            ]
            if i not in picked and new:
                picked.append(i)
                covered |= set(held[i])
        # a kind of answer asked that no picked row holds ("khi nào xong": a date) is in the few
        # rows that hold one
        kinds = [question.answers(f"{lines[0]}\n{row}") for row in rows]  # the unit may head a column
        for kind in question.kinds - set().union(*(kinds[i] for i in picked)):
            holding = [i for i in range(len(rows)) if kind in kinds[i]]
            if len(holding) <= KIND_ROWS:
                picked += [i for i in holding if i not in picked]
    if question.kinds & TOTAL_KINDS:
        picked += [i for i, row in enumerate(rows) if _TOTAL.match(row.strip()) and i not in picked]
    if len(picked) == len(rows) and len(table) <= PASSAGE_MAX:
        return table
    size, kept = len("\n".join(header)), list[int]()
    for i in sorted(picked, key=lambda i: -scores[i]):
        if kept and size + 1 + len(rows[i]) > PASSAGE_MAX:
            break
        kept.append(i)
        size += 1 + len(rows[i])
    return "\n".join([*header, *(rows[i] for i in sorted(kept))])


def row_answer(block: str, question: Asked) -> float:
    """How much a table row of the block answers: the weight of the question's own words in the
    best row that also holds a kind of answer asked (the unit may head its column); 0 without one."""
    lines = [line for line in block.splitlines() if line.lstrip().startswith("|")]
    if len(lines) < 3 or not question.kinds:
        return 0.0
    in_header = set(text_terms(lines[0]))
    best = 0.0
    for row in lines[2:]:
        if not question.answers(f"{lines[0]}\n{row}"):
            continue
        own = sum(w for t, w in question.held(row).items() if t in question.own and t not in in_header)
        best = max(best, own)
    return best
