"""The in-memory index of a commune's documents: BM25F over their fields, BM25 over their paragraphs,
and the exact (marked) words of each.

A document scores by BM25F over its weighted fields plus the BM25 score of its best paragraph
(facts live in one paragraph or table); qa/ranking.py turns scores into ranked hits and
qa/confidence.py says how likely each answers. An index is built once per data version
(qa/searcher.py builds it off the event loop) and only read afterwards, from worker threads.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt

from qa.bm25 import BM25, FIELD_WEIGHTS, PASSAGE_WEIGHT, Postings
from qa.entries import Entry, SearchHit
from qa.lexicon import load_lexicon
from qa.passages import split_paragraphs
from qa.query import Analyzer
from qa.query_words import pairs
from qa.ranking import rank
from qa.vntext import fold, syllables


class Index:
    """Documents, their paragraphs and their exact words, indexed for ranking; read-only once built."""

    def __init__(self, entries: list[Entry]) -> None:
        """Index the entries (documents, their paragraphs, their exact words)."""
        self.entries = entries
        docs, chunks = Postings(), Postings()
        owners: list[int] = []
        exact: list[frozenset[str]] = []
        heads: list[frozenset[str]] = []
        first_chunk: list[int] = []
        for number, entry in enumerate(entries):
            words: set[str] = set()
            head: set[str] = set()
            first_chunk.append(len(owners))
            for name, text in entry.fields.items():
                for piece in split_paragraphs(text) if name == "body" else [text]:
                    raw = syllables(piece)
                    words.update(raw)
                    folded = [fold(w) for w in raw]
                    tokens = folded + pairs(folded)
                    docs.add(number, tokens, FIELD_WEIGHTS[name])
                    if name == "body":
                        chunks.add(len(owners), tokens, 1.0)
                        owners.append(number)
                    else:
                        head.update(tokens)
            exact.append(frozenset(words))
            heads.append(frozenset(head))
        first_chunk.append(len(owners))
        self.heads = heads  # per document: the terms of its title, tags, source and place
        self.first_chunk = first_chunk  # per document: its first paragraph's number (and one past the last)
        self.docs = BM25(docs, len(entries))
        self.paragraphs = BM25(chunks, len(owners))
        self.chunk_owner = np.array(owners, dtype=np.int32)
        self.exact = exact  # per document: its words as typed, with their marks
        vocabulary = {t: int(self.docs.df[i]) for t, i in self.docs.vocab.items() if "_" not in t}
        pair_vocabulary = {t for t in self.docs.vocab if "_" in t}
        self.analyzer = Analyzer(load_lexicon(), vocabulary, pair_vocabulary)
        self.max_idf = max(self.docs.idf.values(), default=1.0)

    def rank(
        self, question: str, limit: int = 5, village: str | None = None, today: date | None = None
    ) -> list[SearchHit]:
        """Ranked hits for a question (see qa/ranking.py); CPU-bound, so callers on an event loop
        run it in a thread (qa/searcher.py)."""
        return rank(self, question, limit, village, today)

    def scores(self, terms: dict[str, float]) -> npt.NDArray[np.float32]:
        """Every document's BM25F score plus PASSAGE_WEIGHT times its best paragraph's."""
        scores = self.docs.scores(terms)
        chunk_scores = self.paragraphs.scores(terms)
        if len(chunk_scores):
            best_chunk = np.zeros(len(self.entries), dtype=np.float32)
            np.maximum.at(best_chunk, self.chunk_owner, chunk_scores)
            scores += PASSAGE_WEIGHT * best_chunk
        return scores

    def mentions(self, doc: int, name: tuple[str, ...]) -> bool:
        """True when the document's text has the (folded) name, syllable by syllable.

        Its adjacent pairs first (a miss is found at once), then its syllables: a pair of two
        glue words ("Chợ Mới") is not indexed, so its syllables must stand for it.
        """
        return all(self.docs.has(t, doc) for t in [*pairs(list(name)), *name])
