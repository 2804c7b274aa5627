"""Stored passage vectors of the semantic signal, keyed by content hash (qa/semantic.py)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import PassageVector
from storage.repositories._upsert import insert_ignore

_CHUNK = 500  # keys per query: well under every database's limit on bound parameters


class VectorRepo:
    """Passage vectors as raw bytes by key; a key stored twice (two processes) keeps the first."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        """The stored vectors among the keys."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, bytes] = {}
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            # the two columns, not ORM objects: 40,000 of those (10,000 documents) took seconds
            rows = await self._s.exec(
                select(col(PassageVector.key), col(PassageVector.vector)).where(
                    col(PassageVector.key).in_(chunk)
                )
            )
            found.update(rows.all())
        return found

    async def add_many(self, vectors: dict[str, bytes]) -> None:
        """Store vectors; keys already stored are left as they are."""
        rows = [{"key": key, "vector": raw} for key, raw in vectors.items()]
        for start in range(0, len(rows), _CHUNK):
            await self._s.exec(insert_ignore(self._s, PassageVector).values(rows[start : start + _CHUNK]))
