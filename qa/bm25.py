"""BM25 over flat postings arrays: a score for every document (or paragraph) at once."""

from __future__ import annotations

from bisect import bisect_left

import numpy as np
import numpy.typing as npt

from qa.grouping import CHUNK_ROWS, group

K1, B = 1.2, 0.75
FIELD_WEIGHTS = {"title": 3.0, "tags": 2.0, "source": 1.0, "place": 1.5, "body": 1.0}
PASSAGE_WEIGHT = 0.3  # a document's score adds this share of its best paragraph's

Ids = npt.NDArray[np.int32]


class BM25:
    """Postings in flat arrays sorted by term, each with its precomputed BM25 factor.

    Built from one row per token occurrence: its term (an id of `vocab`, which is shared, not
    copied), the document it is in and its weight (the field's). Weights are small multiples of 0.5,
    so the sums are exact whatever order they are added in.
    """

    def __init__(
        self,
        terms: Ids,
        docs: Ids,
        weights: npt.NDArray[np.float32] | None,
        size: int,
        vocab: dict[str, int],
        named_idf: bool = True,
    ) -> None:
        """`weights`: per row (None: each row counts 1); `named_idf`: also keep `idf`, term -> idf
        (what ranking and confidence read)."""
        self.size = size
        self.vocab = vocab
        n = max(size, 1)
        lengths = np.bincount(docs, weights=weights, minlength=n)
        norm = K1 * (1 - B + B * lengths / (lengths.mean() or 1.0))
        # in ranges of terms, and the factors in slices: no temporaries of every posting's length
        term_of, self.doc_of, tf = group(terms, docs, n, weights)
        self.factor = np.empty(len(tf), dtype=np.float32)
        for start in range(0, len(tf), CHUNK_ROWS):
            part = tf[start : start + CHUNK_ROWS].astype(np.float64)
            self.factor[start : start + CHUNK_ROWS] = (
                part * (K1 + 1) / (part + norm[self.doc_of[start : start + CHUNK_ROWS]])
            )
        del tf
        df = np.bincount(term_of, minlength=len(vocab))
        self.offsets = np.concatenate([[0], np.cumsum(df)])
        self.df = df
        self.idf_array = np.log(1 + (n - df + 0.5) / (df + 0.5))
        self.idf: dict[str, float] = (
            dict(zip(vocab, self.idf_array.tolist(), strict=True)) if named_idf else {}
        )

        # read item by item (`has`, thousands of times a question): plain ints, no numpy scalars
        self._doc_items = self.doc_of.data
        self._offset_items = self.offsets.data

    def has(self, term: str, doc: int) -> bool:
        """Whether the document contains the term."""
        tid = self.vocab.get(term)
        if tid is None:
            return False
        end = self._offset_items[tid + 1]
        at = bisect_left(self._doc_items, doc, self._offset_items[tid], end)
        return at < end and self._doc_items[at] == doc

    def scores(self, terms: dict[str, float]) -> npt.NDArray[np.float32]:
        """A score for every document (zero where no term matches)."""
        out = np.zeros(self.size, dtype=np.float32)
        for term, weight in terms.items():
            tid = self.vocab.get(term)
            if tid is not None:
                start, end = int(self.offsets[tid]), int(self.offsets[tid + 1])
                # a Python float: numpy keeps float32 (a float64 scalar would make the sum float64)
                out[self.doc_of[start:end]] += (weight * float(self.idf_array[tid])) * self.factor[start:end]
        return out
