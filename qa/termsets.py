"""Per-document sets of words, stored as sorted word numbers in one flat array.

A commune of 10,000 documents has a few hundred distinct words per document: as Python frozensets
of strings they took hundreds of MB; as numbers in one array they take a few MB. A document's set
is read through a small view that answers `word in words` and `question_words & words`.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Set

import numpy as np
import numpy.typing as npt

from qa.grouping import distinct


class TermSets:
    """`sets[doc]`: the words of one document (a read-only set of strings)."""

    def __init__(
        self, vocab: dict[str, int], docs: npt.NDArray[np.int32], words: npt.NDArray[np.int32], size: int
    ) -> None:
        """`vocab` numbers the words; `docs`, `words`: one row per (document, word) occurrence,
        in any order, repeats allowed."""
        self.vocab = vocab
        self._names: list[str] | None = None
        n_words = max(len(vocab), 1)
        doc_of, word_of = distinct(docs, words, n_words)  # in ranges of documents
        self._words = array("i", word_of.tobytes())
        counts = np.bincount(doc_of, minlength=size)
        self._offsets = array("q", np.concatenate([[0], np.cumsum(counts)]).astype(np.int64).tobytes())

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, doc: int) -> Set[str]:
        return TermSet(self, self._offsets[doc], self._offsets[doc + 1])

    def names(self, start: int, end: int) -> list[str]:
        if self._names is None:
            self._names = list(self.vocab)
        names = self._names
        return [names[number] for number in self._words[start:end]]


class SmallTermSets(TermSets):
    """Sets of a few dozen words each (a document's title, tags, source and place), read many
    times each while a question is answered: `sets[doc]` is a frozenset of them."""

    def __getitem__(self, doc: int) -> Set[str]:
        return frozenset(self.names(self._offsets[doc], self._offsets[doc + 1]))


class TermSet(Set[str]):
    """One document's words: `in`, iteration, and `&` with a set of strings (a frozenset)."""

    __slots__ = ("_end", "_sets", "_start")

    def __init__(self, sets: TermSets, start: int, end: int) -> None:
        self._sets, self._start, self._end = sets, start, end

    def __contains__(self, word: object) -> bool:
        # thousands of calls a question: no further calls in here
        number = self._sets.vocab.get(word) if isinstance(word, str) else None
        if number is None:
            return False
        words, end = self._sets._words, self._end
        at = bisect_left(words, number, self._start, end)
        return at < end and words[at] == number

    def __iter__(self) -> Iterator[str]:
        return iter(self._sets.names(self._start, self._end))

    def __len__(self) -> int:
        return self._end - self._start

    def __and__(self, other: Iterable[object]) -> frozenset[str]:
        vocab, words, start, end = self._sets.vocab, self._sets._words, self._start, self._end
        found: list[str] = []
        for w in other:
            if isinstance(w, str) and (number := vocab.get(w)) is not None:
                at = bisect_left(words, number, start, end)
                if at < end and words[at] == number:
                    found.append(w)
        return frozenset(found)

    __rand__ = __and__  # `question_words & words`: a frozenset of the question's words that are here
