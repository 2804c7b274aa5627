"""The in-memory index of a commune's documents: BM25F over their fields, BM25 over their paragraphs,
and the exact (marked) words of each.

A document scores by BM25F over its weighted fields plus the BM25 score of its best paragraph
(facts live in one paragraph or table); qa/ranking.py turns scores into ranked hits and
qa/confidence.py says how likely each answers. An index is built once per data version
(qa/searcher.py builds it off the event loop) and only read afterwards, from worker threads.

Building reads every text once: each syllable as typed is numbered, and everything else (folded
syllables, syllable pairs, postings, each document's words) is computed on arrays of numbers. At
10,000 documents this takes a third of the time and a tenth of the memory that counting terms in
Python dictionaries per paragraph did.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from qa.bm25 import BM25, FIELD_WEIGHTS, PASSAGE_WEIGHT
from qa.entries import Entry, SearchHit
from qa.grouping import give_back_freed_memory, ranges, unique_inverse
from qa.lexicon import load_lexicon
from qa.passages import split_paragraphs
from qa.query import Analyzer
from qa.query_words import MARKED_STOPWORDS, STOPWORDS, pairs
from qa.ranking import rank
from qa.termsets import SmallTermSets, TermSets
from qa.vntext import fold, syllables

Ids = npt.NDArray[np.int32]


@dataclass
class _Pieces:
    """Every piece of text (a field, or a paragraph of the body) as numbers: its syllables as typed
    (numbered by `typed`, first seen first), and per piece its document, weight and paragraph."""

    typed: dict[str, int]
    stream: array[int]  # the typed syllables of every piece, one after another
    sizes: array[int]  # per piece: how many syllables
    doc: array[int]
    weight: array[float]
    chunk: array[int]  # the paragraph's number, -1 for the title, tags, source and place
    owner: array[int]  # per paragraph: its document
    first_chunk: list[int]  # per document: its first paragraph's number (and one past the last)


def _read(entries: list[Entry]) -> _Pieces:
    typed: dict[str, int] = {}
    out = _Pieces(typed, array("i"), array("i"), array("i"), array("d"), array("i"), array("i"), [])
    chunks = 0
    number_of = typed.setdefault  # a syllable seen first is numbered len(typed)
    for number, entry in enumerate(entries):
        out.first_chunk.append(chunks)
        for name, text in entry.fields.items():
            body = name == "body"
            for piece in split_paragraphs(text) if body else [text]:
                raw = syllables(piece)
                out.stream.extend([number_of(w, len(typed)) for w in raw])
                out.sizes.append(len(raw))
                out.doc.append(number)
                out.weight.append(FIELD_WEIGHTS[name])
                out.chunk.append(chunks if body else -1)
                if body:
                    out.owner.append(number)
                    chunks += 1
    out.first_chunk.append(chunks)
    return out


class Index:
    """Documents, their paragraphs and their exact words, indexed for ranking; read-only once built."""

    def __init__(self, entries: list[Entry]) -> None:
        """Index the entries (documents, their paragraphs, their exact words)."""
        self.entries = entries
        read = _read(entries)
        # int32 throughout (the index's own arrays): at 10,000 documents there are 6 million tokens
        typed_of = np.frombuffer(read.stream, dtype=np.int32)
        piece_of = np.repeat(
            np.arange(len(read.sizes), dtype=np.int32), np.frombuffer(read.sizes, dtype=np.int32)
        )
        # folded syllables, numbered in order of first appearance, then the syllable pairs
        vocab: dict[str, int] = {}
        folded_of = np.fromiter(
            (vocab.setdefault(fold(w), len(vocab)) for w in read.typed), dtype=np.int32, count=len(read.typed)
        )
        syllable_of = folded_of[typed_of]
        hiding = _hiding(read.typed)
        pair_of, pair_piece, hidden = _pairs(vocab, syllable_of, piece_of, typed_of, hiding)
        words = _words(vocab, pair_of, hidden)
        del hidden
        terms = np.concatenate([syllable_of, pair_of])
        pieces = np.concatenate([piece_of, pair_piece])
        del syllable_of, pair_of, pair_piece
        piece_doc = np.frombuffer(read.doc, dtype=np.int32)
        # field weights are small multiples of 0.5: exact in float32
        weights = np.frombuffer(read.weight, dtype=np.float64).astype(np.float32)[pieces]
        chunk_of = np.frombuffer(read.chunk, dtype=np.int32)[pieces]
        docs = piece_doc[pieces]
        del pieces
        self.docs = BM25(terms, docs, weights, len(entries), vocab)
        del weights
        body = chunk_of >= 0
        self.paragraphs = BM25(terms[body], chunk_of[body], None, len(read.owner), vocab, named_idf=False)
        del chunk_of
        # per document: the terms of its title, tags, source and place
        self.heads = SmallTermSets(vocab, docs[~body], terms[~body], len(entries))
        del terms, docs, body
        self.first_chunk = (
            read.first_chunk
        )  # per document: its first paragraph's number (and one past the last)
        self.chunk_owner = np.frombuffer(read.owner, dtype=np.int32).copy()
        # per document: its words as typed, with their marks
        self.exact = TermSets(read.typed, piece_doc[piece_of], typed_of, len(entries))
        self._typed_counts = np.bincount(typed_of, minlength=len(read.typed))
        vocabulary = {t: int(self.docs.df[i]) for t, i in vocab.items() if "_" not in t}
        pair_vocabulary = {t for t in vocab if "_" in t}
        self.analyzer = Analyzer(load_lexicon(), vocabulary, pair_vocabulary, words, self.exact.vocab)
        self.max_idf = max(self.docs.idf.values(), default=1.0)
        give_back_freed_memory()

    def rank(
        self, question: str, limit: int = 5, village: str | None = None, today: date | None = None
    ) -> list[SearchHit]:
        """Ranked hits for a question (see qa/ranking.py); CPU-bound, so callers on an event loop
        run it in a thread (qa/searcher.py)."""
        return rank(self, question, limit, village, today)

    def scores(
        self, terms: dict[str, float], groups: tuple[tuple[dict[str, float], ...], ...] = ()
    ) -> npt.NDArray[np.float32]:
        """Every document's BM25F score plus PASSAGE_WEIGHT times its best paragraph's.

        `groups` (Query.synonym_groups): of each group's alternatives, only the best-scoring one
        counts, in a document and in a paragraph (each alternative, scored by its terms, stands in
        for one phrase of the question)."""
        scores = self.docs.scores(terms)
        chunk_scores = self.paragraphs.scores(terms)
        for group in groups:
            scores += _best(self.docs, group)
            if len(chunk_scores):
                chunk_scores += _best(self.paragraphs, group)
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

    def marked_forms(self) -> dict[str, str]:
        """Folded syllable -> the written form the documents use most often (the first seen of
        equally frequent ones)."""
        counts: dict[str, dict[str, int]] = {}
        for form, n in zip(self.exact.vocab, self._typed_counts.tolist(), strict=True):
            lower = form.lower()
            forms = counts.setdefault(fold(lower), {})
            forms[lower] = forms.get(lower, 0) + n
        return {folded: max(forms, key=forms.__getitem__) for folded, forms in counts.items()}


def _best(bm25: BM25, group: tuple[dict[str, float], ...]) -> npt.NDArray[np.float32]:
    """Per document (or paragraph): the best score of one of the alternatives."""
    best = bm25.scores(group[0])
    for alternative in group[1:]:
        np.maximum(best, bm25.scores(alternative), out=best)
    return best


def _hiding(typed: dict[str, int]) -> npt.NDArray[np.bool_]:
    """Per typed syllable: written as a word that folds to a stopword ("vệ", "cơ", "môi")."""
    return np.array([fold(w) in STOPWORDS and w not in MARKED_STOPWORDS for w in typed] or [False])


def _words(vocab: dict[str, int], pair_of: Ids, hidden: npt.NDArray[np.bool_]) -> frozenset[str]:
    """The folded pairs the documents write as a word whose syllable folds to a stopword at least
    as often as otherwise: "ve_sinh" ("vệ sinh", not "về sinh"), "co_quan" ("cơ quan"), but not
    "moi_thang" ("mỗi tháng"). A question typed without marks cannot tell "ve" from "về" alone."""
    ids, counts = np.unique(pair_of[hidden], return_counts=True)
    if not len(ids):
        return frozenset()
    total = np.bincount(pair_of, minlength=int(ids[-1]) + 1)[ids]
    names = list(vocab)
    return frozenset(names[i] for i in ids[2 * counts >= total].tolist())


def _pairs(
    vocab: dict[str, int], syllable_of: Ids, piece_of: Ids, typed_of: Ids, hiding: npt.NDArray[np.bool_]
) -> tuple[Ids, Ids, npt.NDArray[np.bool_]]:
    """The adjacent syllable pairs within each piece (not two stopwords), numbered in `vocab` after
    the syllables: each pair's term and piece, and whether a syllable of it is written as a word
    that folds to a stopword (`hiding`, per typed syllable). A pair written like a typed word
    ("a_b") is that word."""
    names = list(vocab)
    n = max(len(names), 1)
    stop = np.array([name in STOPWORDS for name in names] or [False])
    first, second = syllable_of[:-1], syllable_of[1:]
    keep = (piece_of[:-1] == piece_of[1:]) & ~(stop[first] & stop[second])
    first, second = first[keep], second[keep]
    hidden = (hiding[typed_of[:-1]] | hiding[typed_of[1:]])[keep]
    out = np.empty(len(first), dtype=np.int32)
    for rows in ranges(first):  # in ranges of the first syllable: no whole-length temporaries
        keys, inverse = unique_inverse(first[rows].astype(np.int64) * n + second[rows])
        numbers = np.fromiter(
            (
                vocab.setdefault(f"{names[a]}_{names[b]}", len(vocab))
                for a, b in zip((keys // n).tolist(), (keys % n).tolist(), strict=True)
            ),
            dtype=np.int32,
            count=len(keys),
        )
        out[rows] = numbers[inverse]
    return out, piece_of[:-1][keep], hidden
