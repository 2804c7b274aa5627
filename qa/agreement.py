"""The semantic signal's part in an answer: the lexical hits checked against e5 (qa/semantic.py).

e5's similarity of a question to a document is that of the document's closest passage. Two
signals are added to each hit's lexical ones (qa/confidence.py SEMANTIC_SIGNALS, after "titled",
which ranking measures): whether the document e5 holds closest over the whole commune is this hit,
and how far below that closest document's similarity this hit's lies. The hit's confidence is then
the semantic model's (SEMANTIC_MODEL, fitted by `python -m bench.qa_tune --semantic --fit`). The
order stays the lexical one: re-ordering the first 3 or 5 hits by score plus e5 similarity raised
the ranking alone 0.948 -> 0.957 (mean of eight communes) but answered top-1 by 0.001-0.005 at best.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from qa.confidence import semantic_confidence
from qa.entries import SearchHit

# Cosines of one question to a commune's passages lie within a few hundredths of each other: the
# gap is scaled to the range of the lexical signals (the model's L2 penalty would otherwise hold
# its weight near zero).
GAP_SCALE = 20.0
# e5's part in the order documents are offered in when none is answered ("Có thể bà con muốn hỏi"):
# a hit's lexical confidence plus this times the scaled gap to e5's closest document. The answer
# itself stays the lexical first hit, judged by the semantic model: re-ordering the hits before
# judging them raised the ranking alone (mean of twelve communes 0.931 -> 0.951) but lowered answered
# top-1 (0.873 -> 0.868). Offered in this order, the right document is among the three offered for
# 846 answerable questions of 855 instead of 837 (weights 0.2-1 within one question of each other).
OFFER_WEIGHT = 0.5
# A hit keeps at least its lexical confidence up to this (above the floor of what handlers/ask.py
# offers to open, 0.01; below any answering threshold): a document the words alone would offer is
# still offered when e5 holds another closer (that one is offered too: qa/searcher.py `offering`).
KEPT_OFFER = 0.02


def offer_order(lexical: float, similarity: float, closest: float) -> float:
    """A document's place among those offered (higher first): see OFFER_WEIGHT."""
    return lexical + OFFER_WEIGHT * GAP_SCALE * (similarity - closest)


def semantic_signals(similarity: float, closest: float, agrees: bool) -> tuple[float, float]:
    """SEMANTIC_SIGNALS of a hit: e5 agrees (its closest document is this one), the scaled gap."""
    return (float(agrees), GAP_SCALE * (similarity - closest))


def checked(
    hits: list[SearchHit],
    similarity: npt.NDArray[np.float32],
    position: dict[tuple[str, str], int],
    reads: Callable[[int], float] | None = None,
) -> list[SearchHit]:
    """The hits with the semantic model's confidence (`similarity`: per entry of the index, its
    closest passage's; `position`: entry numbers of the documents that have vectors; `reads`: the
    reader's signal for an entry number, qa/reader.py, 0 without it), never below
    KEPT_OFFER where the lexical one was above, and their `offer_order`. A hit whose document has no
    vectors yet keeps its lexical confidence."""
    best = int(np.argmax(similarity))
    closest = float(similarity[best])
    rated = []
    for hit in hits:
        n = position.get((hit.kind, hit.id))
        if n is None:
            rated.append(hit)
            continue
        reading = reads(n) if reads is not None else 0.0
        signals = (*hit.signals, *semantic_signals(float(similarity[n]), closest, n == best), reading)
        rated_confidence = max(semantic_confidence(signals) * hit.scope, min(hit.confidence, KEPT_OFFER))
        offer = offer_order(hit.confidence, float(similarity[n]), closest)
        rated.append(replace(hit, confidence=rated_confidence, signals=signals, offer=offer))
    return rated


def offered_first(hits: list[SearchHit]) -> list[SearchHit]:
    """The hits in the order they are offered when none is answered: by `offer_order` where the
    semantic signal gave one (a hit without vectors by its confidence); unchanged without it."""
    if all(hit.offer is None for hit in hits):
        return hits
    return sorted(hits, key=lambda h: h.confidence if h.offer is None else h.offer, reverse=True)
