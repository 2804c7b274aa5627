"""In-memory BM25 index over disclosures and events, rebuilt when the data version changes."""

from __future__ import annotations

import asyncio
import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from storage.vntext import folded_syllables, with_pairs

if TYPE_CHECKING:
    from storage.uow import UnitOfWork

K1, B = 1.2, 0.75
FIELD_WEIGHTS = {"title": 3.0, "tags": 2.0, "source": 1.0, "place": 1.0, "body": 1.0}
# Words that carry no topic in a question; folded forms.
STOPWORDS: frozenset[str] = frozenset(
    [
        "a",
        "ah",
        "a_oi",
        "ad",
        "ban",
        "cho",
        "cua",
        "co",
        "khong",
        "la",
        "gi",
        "the",
        "nao",
        "nhu",
        "nhieu",
        "bao",
        "toi",
        "minh",
        "em",
        "anh",
        "chi",
        "oi",
        "nhe",
        "vay",
        "va",
        "voi",
        "duoc",
        "o",
        "tai",
        "thi",
        "ma",
        "de",
        "den",
        "nay",
        "do",
        "nhung",
        "cac",
        "mot",
        "xin",
        "hoi",
        "cho_hoi",
        "xem",
        "biet",
        "muon",
        "can",
        "ve",
        "trong",
        "ra",
        "vao",
        "len",
        "khi",
        "nao",
        "dau",
        "sao",
    ]
)
_PARA_SPLIT = re.compile(r"\n\s*\n")
PASSAGE_MAX = 800
TITLE_TERM_WEIGHT = 0.25


@dataclass(frozen=True)
class SearchHit:
    """One ranked result: `kind` is "disclosure" or "event"."""

    kind: str
    id: str
    title: str
    score: float
    confidence: float  # share of the question's weight the document matched, 0..1
    passage: str = ""


@dataclass
class _Doc:
    kind: str
    id: str
    title: str
    body: str
    tf: dict[str, float]
    length: float
    tiebreak: str  # later published first on equal scores


@dataclass
class SearchIndex:
    """BM25 over weighted fields; `search` rebuilds from storage when data changed."""

    docs: list[_Doc] = field(default_factory=list)
    postings: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    idf: dict[str, float] = field(default_factory=dict)
    avg_len: float = 1.0
    version: int = -1
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def search(self, uow: UnitOfWork, query: str, limit: int = 5) -> list[SearchHit]:
        """Ranked hits for a question, reading fresh data first if it changed."""
        version = await uow.commune.data_version()
        if version != self.version:
            async with self._lock:
                if version != self.version:
                    await self._rebuild(uow, version)
        return self.rank(query, limit)

    async def _rebuild(self, uow: UnitOfWork, version: int) -> None:
        entries: list[tuple[str, str, str, dict[str, str], str]] = []
        for d in await uow.disclosures.all():
            fields = {
                "title": d.title,
                "tags": " ".join(d.tags),
                "source": d.source or "",
                "place": " ".join(d.villages),
                "body": d.body,
            }
            entries.append(("disclosure", d.id, d.title, fields, d.published_at.isoformat()))
        for e in await uow.events.all():
            fields = {
                "title": e.title,
                "tags": e.kind.replace("_", " "),
                "source": e.host or "",
                "place": " ".join([e.location or "", *e.villages]),
                "body": e.description or "",
            }
            entries.append(("event", e.id, e.title, fields, e.start))
        self.build(entries)
        self.version = version

    def build(self, entries: list[tuple[str, str, str, dict[str, str], str]]) -> None:
        """Index (kind, id, title, fields, tiebreak) entries."""
        docs: list[_Doc] = []
        postings: dict[str, list[tuple[int, float]]] = {}
        for kind, doc_id, title, fields, tiebreak in entries:
            weighted: dict[str, float] = {}
            length = 0.0
            for name, text in fields.items():
                weight = FIELD_WEIGHTS[name]
                tokens = with_pairs(folded_syllables(text))
                length += weight * len(tokens)
                for token in tokens:
                    weighted[token] = weighted.get(token, 0.0) + weight
            body = fields["body"]
            docs.append(_Doc(kind, doc_id, title, body, weighted, length, tiebreak))
            for token, freq in weighted.items():
                postings.setdefault(token, []).append((len(docs) - 1, freq))
        n = max(len(docs), 1)
        self.docs, self.postings = docs, postings
        self.idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in postings.items()}
        self.avg_len = sum(d.length for d in docs) / n if docs else 1.0

    def query_terms(self, query: str) -> list[str]:
        """Folded syllables and pairs of the question, minus words that carry no topic."""
        syl = [s for s in folded_syllables(query)]
        terms = with_pairs(syl)
        return [t for t in dict.fromkeys(terms) if t not in STOPWORDS]

    def rank(self, query: str, limit: int = 5) -> list[SearchHit]:
        """BM25 ranking; ties go to the most recently published."""
        terms = self.query_terms(query)
        scores: dict[int, float] = {}
        matched: dict[int, float] = {}
        # A word no document has is as telling as the rarest one: it counts against confidence.
        unseen = max(self.idf.values(), default=1.0)
        total = sum(self.idf.get(t, unseen) for t in terms) or 1.0
        for term in terms:
            idf = self.idf.get(term)
            if idf is None:
                continue
            for doc_index, freq in self.postings[term]:
                doc = self.docs[doc_index]
                norm = K1 * (1 - B + B * doc.length / self.avg_len)
                scores[doc_index] = scores.get(doc_index, 0.0) + idf * freq * (K1 + 1) / (freq + norm)
                matched[doc_index] = matched.get(doc_index, 0.0) + idf
        ordered = sorted(scores, key=lambda i: (-scores[i], _neg(self.docs[i].tiebreak)))
        hits = []
        for i in ordered[:limit]:
            doc = self.docs[i]
            hits.append(
                SearchHit(
                    kind=doc.kind,
                    id=doc.id,
                    title=doc.title,
                    score=scores[i],
                    confidence=matched[i] / total,
                    passage=best_passage(doc.body, terms, self.idf, doc.title),
                )
            )
        return hits


def _neg(text: str) -> tuple[int, ...]:
    """Sort key that puts later ISO dates first."""
    return tuple(-ord(c) for c in text)


def best_passage(body: str, terms: list[str], idf: dict[str, float], title: str = "") -> str:
    """The paragraph (or table) of the body that matches the question best, at most ~800 chars.

    Words of the question that are already in the title chose the document; the passage
    should answer the rest ("how long" in "how long is the road of village X"), so they count less.
    """
    paragraphs = [p.strip() for p in _PARA_SPLIT.split(body) if p.strip()]
    if not paragraphs:
        return ""
    in_title = set(with_pairs(folded_syllables(title)))
    weight = {t: idf.get(t, 0.0) * (TITLE_TERM_WEIGHT if t in in_title else 1.0) for t in terms}

    def score(paragraph: str) -> float:
        tokens = set(with_pairs(folded_syllables(paragraph)))
        return sum(w for t, w in weight.items() if t in tokens)

    best = max(range(len(paragraphs)), key=lambda i: (score(paragraphs[i]), -i))
    passage = paragraphs[best]
    # A heading alone says little: take the paragraph under it as well.
    if passage.startswith("#") and best + 1 < len(paragraphs):
        passage = f"{passage}\n{paragraphs[best + 1]}"
    if len(passage) > PASSAGE_MAX:
        cut = passage.rfind("\n", 0, PASSAGE_MAX)
        passage = passage[: cut if cut > PASSAGE_MAX // 2 else PASSAGE_MAX].rstrip() + " …"
    return passage
