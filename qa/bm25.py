"""BM25 over flat postings arrays: a score for every document (or paragraph) at once."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import numpy.typing as npt

K1, B = 1.2, 0.75
FIELD_WEIGHTS = {"title": 3.0, "tags": 2.0, "source": 1.0, "place": 1.5, "body": 1.0}
PASSAGE_WEIGHT = 0.3  # a document's score adds this share of its best paragraph's


class Postings:
    """Collects (term, document, weighted count) triples while indexing."""

    def __init__(self) -> None:
        self.terms: list[str] = []
        self.docs: list[int] = []
        self.counts: list[float] = []
        self.lengths: list[float] = []

    def add(self, doc: int, tokens: list[str], weight: float) -> None:
        counted = Counter(tokens)
        self.terms.extend(counted.keys())
        self.docs.extend(itertools.repeat(doc, len(counted)))
        self.counts.extend(weight * c for c in counted.values())
        while len(self.lengths) <= doc:
            self.lengths.append(0.0)
        self.lengths[doc] += weight * len(tokens)


class BM25:
    """Postings in flat arrays sorted by term, each with its precomputed BM25 factor."""

    def __init__(self, collected: Postings, size: int) -> None:
        self.size = size
        n = max(size, 1)
        lengths = np.zeros(n, dtype=np.float64)
        lengths[: len(collected.lengths)] = collected.lengths
        norm = K1 * (1 - B + B * lengths / (lengths.mean() or 1.0))
        self.vocab: dict[str, int] = {}
        ids = np.fromiter(
            (self.vocab.setdefault(t, len(self.vocab)) for t in collected.terms),
            dtype=np.int64,
            count=len(collected.terms),
        )
        keys, inverse = np.unique(ids * n + np.asarray(collected.docs, dtype=np.int64), return_inverse=True)
        tf = np.bincount(inverse, weights=np.asarray(collected.counts, dtype=np.float64))
        term_of = keys // n
        self.doc_of = (keys % n).astype(np.int32)
        self.factor = (tf * (K1 + 1) / (tf + norm[self.doc_of])).astype(np.float32)
        df = np.bincount(term_of, minlength=len(self.vocab))
        self.offsets = np.concatenate([[0], np.cumsum(df)])
        self.df = df
        self.idf_array = np.log(1 + (n - df + 0.5) / (df + 0.5))
        self.idf = dict(zip(self.vocab, self.idf_array.tolist(), strict=True))

    def _span(self, term: str) -> tuple[int, int] | None:
        tid = self.vocab.get(term)
        return None if tid is None else (int(self.offsets[tid]), int(self.offsets[tid + 1]))

    def has(self, term: str, doc: int) -> bool:
        """Whether the document contains the term."""
        span = self._span(term)
        if span is None:
            return False
        docs = self.doc_of[span[0] : span[1]]
        at = int(np.searchsorted(docs, doc))
        return at < len(docs) and int(docs[at]) == doc

    def scores(self, terms: dict[str, float]) -> npt.NDArray[np.float32]:
        """A score for every document (zero where no term matches)."""
        out = np.zeros(self.size, dtype=np.float32)
        for term, weight in terms.items():
            span = self._span(term)
            if span is not None:
                start, end = span
                out[self.doc_of[start:end]] += (weight * self.idf[term]) * self.factor[start:end]
        return out
