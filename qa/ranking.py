"""From scores to ranked hits: exact marks, fit to the question, near-ties, confidence, passage.

A document scores by its BM25F score (qa/index.py) plus a bonus where the resident's marked words
match exactly ("bán" is not "bàn"), times how it fits the question (the year asked about, a
schedule for "when", the resident's village, the places named). Near-ties are settled by how much
of the question one paragraph covers, exact ties go to the most recent. Each hit's confidence
(does it answer?) comes from a small logistic model (qa/confidence.py).
"""

from __future__ import annotations

import heapq
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from qa.confidence import confidence, coverage, ideal_score, in_scope, passage_coverage, titled
from qa.entries import Entry, SearchHit
from qa.passages import best_passage
from qa.query import Query
from qa.rates import rate_asked, rate_factor
from qa.vntext import fold

if TYPE_CHECKING:
    from qa.index import Index

RERANK_POOL = 200  # documents whose exact-marks bonus and year/schedule fit are weighed
EXACT_BONUS = 0.3
# A document that never mentions a place, body or code the question names ranks lower. Chosen on
# the development commune (0.7 to 0.9 all fix the same rank-2 misses), kept mild: confirmed on the demo commune.
UNNAMED_FACTOR = 0.85
WHEN_EVENT_BOOST = 1.3
OWN_VILLAGE_BOOST = 1.1  # a tie-breaker, not a filter: the resident may ask about another village
SAME_YEAR_BOOST = 1.15
OTHER_YEAR_PENALTY = 0.8
# Hits scoring within NEAR_TIE of the best (at most RERANK_TOP of them) are reordered by score times
# passage coverage: of two near-equal documents, the one with a paragraph that covers the question
# answers it. Chosen on the development commune (ranking alone 0.955 -> 0.974 top-1 at 0.8; 0.9 gave
# 0.961; reordering the whole top 10 gave 0.981).
NEAR_TIE = 0.8
RERANK_TOP = 10


def rank(
    index: Index, question: str, limit: int = 5, village: str | None = None, today: date | None = None
) -> list[SearchHit]:
    """Ranked hits; confidence says how much of the question the best documents cover.

    `today` (the commune's date) resolves years said relative to it ("năm ngoái").
    """
    entries = index.entries
    if not entries:
        return []
    query = index.analyzer.analyze(question, today)
    # the synonyms of a phrase count by the best of them only (Query.synonym_groups)
    scores = index.scores(query.core, query.synonym_groups)
    matched = np.flatnonzero(scores > 0)
    if len(matched) > RERANK_POOL:
        matched = matched[np.argpartition(-scores[matched], RERANK_POOL)[:RERANK_POOL]]
    final: dict[int, float] = {}
    places = [name for name in query.names if not (len(name) == 1 and name[0].isdigit())]
    for doc in matched.tolist():
        hits = query.marked & index.exact[doc]
        bonus = EXACT_BONUS * sum(index.docs.idf.get(fold(w), 0.0) for w in hits)
        factor = fit(query, entries[doc], village)
        for name in places:
            if not index.mentions(doc, name):
                factor *= UNNAMED_FACTOR
        final[doc] = (float(scores[doc]) + bonus) * factor
    ordered = sorted(final, key=lambda i: (-final[i], later_first(entries[i].tiebreak)))
    near = [i for i in ordered[:RERANK_TOP] if final[i] >= NEAR_TIE * final[ordered[0]]]
    # a paragraph that names the place asked about is the better answer: names count here
    passage = {i: passage_coverage(index, query, i, with_names=True) for i in near}
    near.sort(key=lambda i: (-final[i] * passage[i], later_first(entries[i].tiebreak)))
    ordered[: len(near)] = near
    ideal = ideal_score(index, query)
    top_two = [*heapq.nlargest(2, final.values()), 0.0]
    signals = {
        i: (
            coverage(index, query, i),
            passage_coverage(index, query, i),
            max(0.0, 1 - (top_two[1] if final[i] >= top_two[0] else top_two[0]) / final[i]),
            final[i] / ideal,
            float(other_year(query, entries[i])),
            titled(index, query, i),  # the semantic model's (qa/agreement.py), not the lexical one's
        )
        for i in ordered[:limit]
    }
    # (qa/rates.py) an amount asked per a unit the document never states one per: offered, not answered
    rate = rate_asked(query, index.docs.idf)
    scope = {i: in_scope(index, query, i) * rate_factor(rate, entries[i]) for i in ordered[:limit]}
    return [
        SearchHit(
            kind=entries[i].kind,
            id=entries[i].id,
            title=entries[i].title,
            score=final[i],
            confidence=confidence(signals[i]) * scope[i],
            signals=signals[i],
            scope=scope[i],
            # only the top hit's passage is shown ("more" and lists show the opening)
            passage=best_passage(entries[i].fields["body"], query, index.docs.idf, entries[i].title)
            if position == 0
            else "",
        )
        for position, i in enumerate(ordered[:limit])
    ]


def fit(query: Query, entry: Entry, village: str | None = None) -> float:
    """Prefer schedules for "when" questions, the year asked about, and the resident's village."""
    factor = 1.0
    if village and village in entry.villages:
        factor *= OWN_VILLAGE_BOOST
    if query.asks_when and entry.kind == "event":
        factor *= WHEN_EVENT_BOOST
    for year in query.years:
        if year in entry.title_years:
            factor *= SAME_YEAR_BOOST
        elif entry.title_years:
            factor *= OTHER_YEAR_PENALTY
    return factor


def other_year(query: Query, entry: Entry) -> bool:
    """The question asks about a year and the title is about other years only (2025 vs 2026)."""
    years = entry.title_years
    return bool(query.years) and bool(years) and not years.intersection(query.years)


def later_first(text: str) -> tuple[int, ...]:
    return tuple(-ord(c) for c in text)
