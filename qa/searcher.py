"""The index handlers search, kept fresh by the commune's data version, with CPU work off the event loop.

Building an index and ranking a question are CPU-bound (a second or more for a large commune or a
long text), and a bot has one event loop for every chat: both run in worker threads. When the data
changes, the first search starts a rebuild and, like every search until the rebuild is done, is
answered from the previous index; only the very first build is waited for.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import date
from typing import Protocol, runtime_checkable

import numpy as np

from qa.agreement import checked, offer_order
from qa.entries import Entry, IndexSource, SearchHit, load_entries
from qa.index import Index
from qa.vectors import DocVectors, Semantic, StoredVectors, VectorSource, fill_vectors, load_vectors

log = logging.getLogger(__name__)

# Residents' questions run to about 120 characters (806 written for bench/data and the development
# commune: median 59, longest 123); a text many times that long is not a question, and its search
# time grows with its length (a 1 MB message took 89 s). The words after this many characters are
# not searched; petitions (/gui) are stored whole, they are not searched.
QUESTION_MAX = 500
# The semantic signal (qa/semantic.py) as a check on the lexical answer (qa/agreement.py): each hit's
# confidence comes from a model over its lexical signals and e5's (does e5's closest document over
# every document agree with it, how far below that one's its similarity lies; the question given the
# marks the documents write its unmarked words with). A top hit at least AGREE_OVERRIDE confident
# lexically is answered without asking e5 (a query embedding costs 20-40 ms). Before session 9, e5
# only halved the top hit's confidence when its closest document was another (Đồng Tiến 135 right /
# 3 wrong; with the model, each commune scored by one fitted on the others, 143 / 3; see
# qa/confidence.py SEMANTIC_MODEL for the eight communes' figures).
AGREE_OVERRIDE = 0.7
# e5's closest document is given at least this confidence, or added last with it: above the
# floor of what handlers/ask.py offers to open (0.01), below any answering threshold. It takes a
# place among the (3) documents offered only where the words left one empty, never a lexical
# hit's: measured (bench/qa_quality.py reach) on Minh Quang +1 of 66; taking the third place
# instead gained as much there and lost one on Kỳ Sơn. Session 9: e5's SEMANTIC_OFFERS closest
# documents, in order, the same way (each commune scored held out: reach Minh Quang 0.92 -> 0.94,
# Quang Hưng 0.95 -> 0.97, no commune lower; a third adds nothing).
SEMANTIC_OFFER_CONFIDENCE = 0.02
SEMANTIC_OFFERS = 2


@runtime_checkable
class Releasable(Protocol):
    """A unit of work that can give its connection back between reads (storage.uow.UnitOfWork)."""

    async def release(self) -> bool: ...


def offering(hits: list[SearchHit], entry: Entry, offer: float) -> list[SearchHit]:
    """The hits with e5's closest document offered where the words leave room
    (SEMANTIC_OFFER_CONFIDENCE; `offer`: its qa/agreement.py `offer_order` at that confidence):
    raised to it among the hits, or added last."""
    for n, hit in enumerate(hits):
        if (hit.kind, hit.id) == (entry.kind, entry.id):
            if hit.confidence >= SEMANTIC_OFFER_CONFIDENCE:
                return hits
            raised = replace(hit, confidence=SEMANTIC_OFFER_CONFIDENCE, offer=offer)
            return [*hits[:n], raised, *hits[n + 1 :]]
    return [*hits, SearchHit(entry.kind, entry.id, entry.title, 0.0, SEMANTIC_OFFER_CONFIDENCE, offer=offer)]


def cap(question: str) -> str:
    """At most QUESTION_MAX characters of a question, cut at a space when one is near the end."""
    if len(question) <= QUESTION_MAX:
        return question
    cut = question.rfind(" ", 0, QUESTION_MAX + 1)
    return question[: cut if cut > QUESTION_MAX // 2 else QUESTION_MAX]


class SearchIndex:
    """`search` ranks against the newest built index in a worker thread (see the module's docstring)."""

    def __init__(
        self, index: Index | None = None, version: int = -1, semantic: Semantic | None = None
    ) -> None:
        """Empty (the first search builds), or an index already built from the given data version;
        with `semantic`, the lexical hits are checked against e5 (AGREE_OVERRIDE)."""
        self._index = index
        self._version = version
        self._semantic = semantic
        self._vectors: DocVectors | None = None  # of the entries of self._index
        self._filling: asyncio.Task[int] | None = None  # computing missing vectors
        self._fills = 0  # computations finished: a build that saw one finish is stale
        self._build: asyncio.Task[None] | None = None  # the build under way, or the last one
        self._lock = asyncio.Lock()

    @property
    def index(self) -> Index | None:
        """The index searches are answered from (None before the first build)."""
        return self._index

    async def search(
        self,
        uow: IndexSource,
        query: str,
        limit: int = 5,
        village: str | None = None,
        today: date | None = None,
    ) -> list[SearchHit]:
        """Ranked hits for a question (its first QUESTION_MAX characters); documents of the
        resident's own village are preferred.

        The unit of work is read first (data version; the data itself when the index is rebuilt),
        then released when it can be (`Releasable`): the ranking takes seconds under load, and on
        SQLite the unit holds the process's only connection, which every other chat waits for.
        """
        await self._start(uow)
        index = self._index  # as before the release: a rebuild it lets finish is not waited for
        if isinstance(uow, Releasable):
            await uow.release()
        index = index if index is not None else await self._ready()
        vectors = self._vectors if self._semantic is not None else None
        return await asyncio.to_thread(self._rank, index, vectors, cap(query), limit, village, today)

    def _rank(
        self,
        index: Index,
        vectors: DocVectors | None,
        question: str,
        limit: int,
        village: str | None,
        today: date | None,
    ) -> list[SearchHit]:
        hits = index.rank(question, limit, village, today)
        if not hits or vectors is None or self._semantic is None:
            return hits
        top = hits[0]
        if top.confidence >= AGREE_OVERRIDE or (top.kind, top.id) not in vectors.position:
            return hits  # confident enough, or published too recently to have vectors
        query_vector = self._semantic.embedder.embed_query(vectors.with_marks(question))
        similarity = vectors.similarities(query_vector)
        reader = self._semantic.reader
        reads = None
        if reader is not None:
            reads = lambda n: reader.reads(query_vector, vectors.closest_passage(n, query_vector))  # noqa: E731
        hits = checked(hits, similarity, vectors.position, reads)
        top_similarity = float(similarity.max())
        for closest in np.argsort(-similarity)[:SEMANTIC_OFFERS].tolist():
            if similarity[closest] > -1:  # -1: no vectors yet
                offer = offer_order(SEMANTIC_OFFER_CONFIDENCE, float(similarity[closest]), top_similarity)
                hits = offering(hits, vectors.entries[closest], offer)
        return hits

    async def current(self, uow: IndexSource) -> Index:
        """The index to answer from; starts a rebuild in a worker thread when the data changed.

        Only one build runs at a time: a change made during a build is picked up by the first
        search after it. Before the first build is done there is nothing to answer from: wait.
        """
        await self._start(uow)
        return await self._ready()

    async def _start(self, uow: IndexSource) -> None:
        """Everything `current` reads of the unit of work: a rebuild, when needed, starts here."""
        version = await uow.commune.data_version()
        if version != self._version and not self._building():
            async with self._lock:
                if version != self._version and not self._building():
                    entries = await load_entries(uow)
                    stored = await self._stored(uow, entries)
                    self._build = asyncio.create_task(self._rebuild(entries, version, stored))
                    self._build.add_done_callback(_log_failure)

    async def _ready(self) -> Index:
        """The index to answer from, waiting for the first build (reads nothing)."""
        if self._index is None:
            assert self._build is not None
            await asyncio.shield(self._build)  # a build error reaches the search that waited
        assert self._index is not None
        return self._index

    async def fresh(self, uow: IndexSource) -> Index:
        """The index of the data as it is now, waiting for its build (tools and tests; searches
        do not wait)."""
        while True:
            index = await self.current(uow)
            if self._building():
                assert self._build is not None
                await asyncio.shield(self._build)
            elif self._version == await uow.commune.data_version():
                return index

    def _building(self) -> bool:
        return self._build is not None and not self._build.done()

    async def _rebuild(self, entries: list[Entry], version: int, stored: StoredVectors | None) -> None:
        fills = self._fills
        index = await asyncio.to_thread(Index, entries)
        vectors = None
        if stored is not None:
            vectors = await asyncio.to_thread(lambda: DocVectors(entries, stored, index.marked_forms()))
        self._index, self._vectors = index, vectors
        self._version = version if fills == self._fills else -1
        if stored is not None and stored.missing:
            self._fill()

    async def _stored(self, uow: IndexSource, entries: list[Entry]) -> StoredVectors | None:
        """The entries' stored vectors, read in the search's own unit of work (a build must not wait
        for another connection while the search holds one)."""
        if self._semantic is None or not isinstance(uow, VectorSource):
            return None
        return await load_vectors(uow, entries)

    def _fill(self) -> None:
        """Compute the missing vectors in the background (data published while the bot runs); the
        next search after they are stored rebuilds with them. Until then those entries go without."""
        if self._semantic is None or (self._filling is not None and not self._filling.done()):
            return
        self._filling = asyncio.create_task(fill_vectors(self._semantic.units, self._semantic.embedder))
        self._filling.add_done_callback(self._filled)

    def _filled(self, task: asyncio.Task[int]) -> None:
        if task.cancelled():
            return
        if (error := task.exception()) is not None:
            log.error("computing passage vectors failed; answering lexically", exc_info=error)
        elif task.result():
            self._fills += 1
            self._version = -1


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error("search index build failed; answering from the previous index", exc_info=error)
