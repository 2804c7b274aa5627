"""Passage vectors in the database: computed once per text (import, or in the background for data
published while the bot runs), read when an index is built.

Embedding runs in worker threads; each batch is stored (and committed) as soon as it is computed, so
an interrupted run loses at most one batch and the next run goes on from there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from contextlib import AbstractAsyncContextManager
from typing import Protocol

import numpy as np
import numpy.typing as npt

from qa.entries import Entry, IndexSource, load_entries
from qa.semantic import Embedder, content_key, from_bytes, passage_texts, to_bytes

STORE_BATCH = 32  # passages embedded and committed together


class _VectorRows(Protocol):
    async def get_many(self, keys: Iterable[str]) -> dict[str, bytes]: ...
    async def add_many(self, vectors: dict[str, bytes]) -> None: ...


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
