"""An amount asked per a unit ("mỗi hộ góp bao nhiêu", "giá bao nhiêu 1 kg") that the document never
states per that unit. Pure.

A document on the subject that gives no rate per the unit asked ("đồng/hộ", "mỗi hộ ... 200.000
đồng") most likely does not answer: residents ask the price of a thing, the allowance per person or
the contribution per household that a plan or a report on the same subject leaves out. Its hit is
kept (offered to open) with less confidence, never answered on its words alone.
"""

from __future__ import annotations

import re

from qa.entries import Entry
from qa.passage_terms import ANY_UNIT, Asked, asked
from qa.query import Query
from qa.vntext import fold

# confidence kept by a document that never states the amount per the unit asked (bench/README.md,
# session 13)
UNSTATED_RATE_FACTOR = 0.3
# units of time count as asked per only after "mỗi" ("mỗi tháng"): "một năm", "1 tháng" are as often
# a period ("quý một năm 2026", "ở 1 tháng")
TIME_UNITS = frozenset({"nam", "thang", "ngay"})
# an amount per anything, in folded text: "đồng/suất", "mỗi khẩu được 15 kg"
ANY_RATE = re.compile(r"(?:dong|trieu|nghin|ngan|ty)\s*/\s*[a-z]|\bmoi\s+[a-z]+[^.;\n]*?\d")


def rate_asked(query: Query, idf: dict[str, float]) -> Asked | None:
    """What the question asks, when it asks an amount per a unit it names (None otherwise). It
    depends on the question alone: read once, then checked against each document (`rate_factor`)."""
    wanted = asked(query, idf, "")
    if "per" not in wanted.kinds:
        return None
    if ANY_UNIT in wanted.per:
        # only "mỗi" typed with its marks ("moi" is as often "mới"); "một"/"1" before a stopword is as
        # often "cấp một ở", "1 lần"
        return wanted if "mỗi" in query.marked else None
    units = {u for u in wanted.per if u not in TIME_UNITS or f"moi_{u}" in query.core}
    return wanted if units else None


def states_rate(wanted: Asked, entry: Entry) -> bool:
    """Whether anything in the document (its title, body, tags) gives an amount per the unit asked
    (`rate_asked`)."""
    text = "\n".join((entry.title, entry.fields.get("body", ""), entry.fields.get("tags", "")))
    if ANY_UNIT in wanted.per:  # "mỗi người": any amount per something, "đồng/..." or "mỗi ... 5"
        return bool(ANY_RATE.search(fold(text)))
    return "per" in wanted.answers(text)


def rate_factor(wanted: Asked | None, entry: Entry) -> float:
    """1, or UNSTATED_RATE_FACTOR for a document that never states the rate asked."""
    return 1.0 if wanted is None or states_rate(wanted, entry) else UNSTATED_RATE_FACTOR
