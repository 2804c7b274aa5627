"""`python -m bench.qa_tune --semantic [--fit]`: the semantic confidence model (qa/agreement.py,
qa/confidence.py SEMANTIC_MODEL) on every commune, in process.

Each commune is read from the database `python -m bot import` makes of it (bench/qa_quality.py keeps
it, with its passage vectors, in DB_CACHE). Every question is ranked lexically, embedded (e5, the
question given the documents' marks) and its hits given the semantic signals as the searcher gives
them. A hit is scored as the bot scores it: lexically when the top hit is at least AGREE_OVERRIDE
confident (e5 is not asked), else by the model times the hit's `scope`; a top hit the mismatch check
(qa/mismatch.py: another year, another named place) rejects is not answered.

Printed per commune at each threshold: top-1 (answerable), abstention (unanswerable and near
misses) and precision (right among the answers given; an answer to a question nothing answers, or
from the wrong document, counts against it). With `--fit`: SEMANTIC_MODEL fitted on the top hits
(answerable ones ranked right against unanswerable ones and answerable ones ranked wrong, classes
balanced, L2 0.1, with the reader of qa/reader.py: bench/qa_tune_reader.py; `--write-reader` stores the
one fitted on all; not those the mismatch check rejects, which are never answered), each commune scored by a model fitted on the others with the means over communes
(choose the threshold from these: the lowest at which every commune's precision is at least 0.95
and the mean abstention at least 0.80), then fitted on all. With `--dump`: every question at the
answering threshold, its top hits' confidence and the top hit's signals (held out with `--fit`).
"""

from __future__ import annotations

import asyncio
import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bench.qa_quality import imported_copy
from bench.qa_tune_reader import fit_reader, reads
from handlers.ask import CONFIDENCE_THRESHOLD, SUGGEST_FLOOR
from qa.agreement import checked
from qa.confidence import CONFIDENCE_MODEL, SEMANTIC_MODEL, SEMANTIC_SIGNALS, SIGNALS, confidence
from qa.entries import Entry, SearchHit, load_entries
from qa.index import Index
from qa.mismatch import mismatch
from qa.reader import READER_FILE, Reader
from qa.searcher import AGREE_OVERRIDE
from qa.semantic import Embedder
from qa.vectors import DocVectors, load_vectors
from storage.store import Store

THRESHOLDS = [x / 100 for x in range(30, 61, 5)]


@dataclass(frozen=True)
class Asked:
    """One question: its hits with the semantic signals, and whether the top one is a near miss."""

    q: dict[str, Any]
    hits: list[SearchHit]
    near_miss: bool
    # per hit: the product of the question's e5 vector and its document's closest passage's (the
    # reader's input, qa/reader.py; zeros for a document without vectors)
    products: tuple[npt.NDArray[np.float32], ...] = ()


Model = tuple[float, ...]


async def _load(data_file: Path) -> tuple[list[Entry], DocVectors, list[str]]:
    with tempfile.TemporaryDirectory() as tmp:
        imported_copy(data_file, f"{tmp}/qa.db")
        store = Store(f"sqlite:///{tmp}/qa.db")
        async with store.uow() as uow:
            entries = await load_entries(uow)
            stored = await load_vectors(uow, entries)
            commune = await uow.commune.get()
        await store.close()
    own = [commune.name, commune.province or ""] if commune is not None else []
    return entries, DocVectors(entries, stored, Index(entries).marked_forms()), own


def _reading(reader: Reader, vectors: DocVectors, qv: npt.NDArray[np.float32]) -> Callable[[int], float]:
    """The reader's signal per entry number, as the searcher gives it."""
    return lambda n: reader.reads(qv, vectors.closest_passage(n, qv))


def ask_all(data_file: Path, questions: list[dict[str, Any]], embedder: Embedder) -> list[Asked]:
    """Every question's top 5 hits with the semantic signals (for every question: the fit needs
    them; scoring applies AGREE_OVERRIDE)."""
    entries, vectors, own = asyncio.run(_load(data_file))
    index = Index(entries)
    by_id = {e.id: e for e in entries}
    today = date.today()  # as `python -m bot ask` sees it
    reader = Reader.load()
    asked = []
    for q in questions:
        hits = index.rank(q["q"], 5, today=today)
        products: list[npt.NDArray[np.float32]] = []
        if hits:
            qv = embedder.embed_query(vectors.with_marks(q["q"]))
            similarity = vectors.similarities(qv)
            hits = checked(hits, similarity, vectors.position, _reading(reader, vectors, qv))
            for hit in hits:
                n = vectors.position.get((hit.kind, hit.id))
                products.append(qv * vectors.closest_passage(n, qv) if n is not None else np.zeros_like(qv))
        near = False
        if hits:
            e = by_id[hits[0].id]
            texts = [e.fields["body"], e.fields["tags"], e.fields["place"], e.fields["source"]]
            near = bool(mismatch(q["q"], e.title, texts, today, own))
        asked.append(Asked(q, hits, near, tuple(products)))
    return asked


def scorer(model: Model) -> Callable[[SearchHit], float]:
    """A hit's confidence as the searcher computes it, under `model`."""
    lexical = len(SIGNALS)

    def score(hit: SearchHit) -> float:
        plain = confidence(hit.signals[:lexical], CONFIDENCE_MODEL) * hit.scope
        if plain >= AGREE_OVERRIDE:
            return plain
        return confidence(hit.signals, model) * hit.scope

    return score


def rates(asked: list[Asked], score: Callable[[SearchHit], float], t: float) -> tuple[float, float, float]:
    """Top-1 on answerable questions, abstention on the others, precision of the answers given."""
    right = wrong = answerable = abstained = 0
    for a in asked:
        answered = bool(a.hits) and score(a.hits[0]) >= t and not a.near_miss
        answerable += bool(a.q["expect"])
        if answered and a.hits[0].id in a.q["expect"]:
            right += 1
        elif answered:
            wrong += 1
        elif not a.q["expect"]:
            abstained += 1
    others = len(asked) - answerable
    return right / max(answerable, 1), abstained / max(others, 1), right / max(right + wrong, 1)


def kinds(communes: dict[str, list[Asked]], models: dict[str, Model]) -> None:
    """At the answering threshold: per commune, the ranking alone, answered top-1 of paraphrases
    (the weakest kind) and the lowest kind, and reach (answered right, or the right document among
    the top 3 hits offered: e5's own offers are not simulated here)."""
    print(f"at the answering threshold {CONFIDENCE_THRESHOLD:.2f}:")
    sums = np.zeros(3)
    for name, asked in communes.items():
        score = scorer(models[name])
        table: dict[str, list[int]] = {}
        ranked = reached = answerable = 0
        for a in asked:
            if not a.q["expect"]:
                continue
            answerable += 1
            first = bool(a.hits) and a.hits[0].id in a.q["expect"]
            ranked += first
            right = first and score(a.hits[0]) >= CONFIDENCE_THRESHOLD and not a.near_miss
            offered = [h.id for h in a.hits[:3] if score(h) >= SUGGEST_FLOOR]
            reached += right or any(d in a.q["expect"] for d in offered)
            cell = table.setdefault(a.q["kind"], [0, 0])
            cell[0] += right
            cell[1] += 1
        para = table.get("paraphrase", [0, 0])
        low = min(table, key=lambda k: table[k][0] / table[k][1])
        figures = (ranked / answerable, para[0] / max(para[1], 1), reached / answerable)
        sums += figures
        print(
            f"  {name[:12]:<12} ranking {figures[0]:.2f}  paraphrase {para[0]}/{para[1]} "
            f"({figures[1]:.2f})  lowest {low} {table[low][0] / table[low][1]:.2f}  "
            f"reach (top 3) {figures[2]:.2f}"
        )
    means = sums / max(len(communes), 1)
    print(f"  mean: ranking {means[0]:.3f} paraphrase {means[1]:.3f} reach (top 3) {means[2]:.3f}")


def dump(communes: dict[str, list[Asked]], models: dict[str, Model]) -> None:
    """Every question at the answering threshold: X where the bot is wrong or does not answer an
    answerable one, its top 3 hits (id:confidence), the top hit's signals, and "near" where the
    mismatch check rejects it."""
    print(f"signals: {', '.join(SIGNALS + SEMANTIC_SIGNALS)}")
    for name, asked in communes.items():
        score = scorer(models[name])
        print(f"== {name}")
        for a in asked:
            answered = bool(a.hits) and score(a.hits[0]) >= CONFIDENCE_THRESHOLD and not a.near_miss
            ok = (answered and a.hits[0].id in a.q["expect"]) if a.q["expect"] else not answered
            top = " ".join(f"{h.id}:{score(h):.2f}" for h in a.hits[:3])
            if a.hits:
                top += "  signals " + " ".join(f"{v:.2f}" for v in a.hits[0].signals)
            near = "  near" if a.near_miss else ""
            print(
                f"{'  ' if ok else 'X '}[{a.q['kind']}] {a.q['q']}\n     expect={a.q['expect']} got {top}{near}"
            )


def fit_on(asked: list[Asked]) -> tuple[Model, Reader]:
    """The model and reader fitted on the top hits they decide on (bench/qa_tune_reader.py): not
    those the mismatch check rejects whatever their confidence (a near miss on its year or place is
    offered, never answered)."""
    rows = [
        (a.hits[0].signals, a.products[0], bool(a.q["expect"]) and a.hits[0].id in a.q["expect"])
        for a in asked
        if a.hits and not a.near_miss
    ]
    return fit_reader(rows)


def reread(asked: list[Asked], reader: Reader) -> list[Asked]:
    """The questions with each hit's "reads" signal (the last) given by `reader`."""
    return [
        replace(
            a,
            hits=[
                replace(h, signals=(*h.signals[:-1], reads(reader, p)))
                for h, p in zip(a.hits, a.products, strict=True)
            ],
        )
        for a in asked
    ]


def report(
    communes: dict[str, list[Asked]], refit: bool, show: bool = False, write_reader: bool = False
) -> None:
    """The current SEMANTIC_MODEL per commune; with `refit`, the held-out figures and a new fit;
    with `show`, every question (`dump`)."""
    print(f"semantic signals: {', '.join(SIGNALS + SEMANTIC_SIGNALS)}")
    models: dict[str, Model] = dict.fromkeys(communes, SEMANTIC_MODEL)
    if refit:
        for name in list(communes):
            models[name], reader = fit_on(
                [a for other, rows in communes.items() if other != name for a in rows]
            )
            communes = {**communes, name: reread(communes[name], reader)}
        print("each commune scored by a model fitted on the others:")
    else:
        print(f"SEMANTIC_MODEL = {SEMANTIC_MODEL}:")
    for t in THRESHOLDS:
        figures = {name: rates(asked, scorer(models[name]), t) for name, asked in communes.items()}
        cells = "  ".join(f"{n[:10]} {a:.2f}/{b:.2f}/{c:.2f}" for n, (a, b, c) in figures.items())
        top1, abstention, precision = (float(np.mean(col)) for col in zip(*figures.values(), strict=True))
        low = min(c for _, _, c in figures.values())
        print(
            f"  threshold {t:.2f}: mean top-1 {top1:.3f} abstention {abstention:.3f} precision "
            f"{precision:.3f} (lowest {low:.2f})\n    {cells}"
        )
    kinds(communes, models)
    if show:
        dump(communes, models)
    if refit:
        weights, reader = fit_on([a for rows in communes.values() for a in rows])
        print(f"SEMANTIC_MODEL = {weights}  # {', '.join(SIGNALS + SEMANTIC_SIGNALS)}, intercept")
        assert all(math.isfinite(w) for w in weights)
        if write_reader:
            reader.save(READER_FILE, f"fitted by bench/qa_tune_reader.py on {len(communes)} communes")
            print(f"reader written to {READER_FILE}")
