"""In-process ranking diagnostics for tuning the method: no subprocess, one index per commune.

    python bench/qa_tune.py [--data DIR] [--questions FILE] [--dump] [--fit]

Imports the commune into a temporary SQLite database, builds the search index as the bot does, and
prints for every question the top hits with their confidence, then a sweep of the abstention
threshold (top-1 on answerable vs abstention on unanswerable). `--fit` fits the logistic confidence
model (storage/search_index.py CONFIDENCE_MODEL) on the top hits' signals: answerable questions
ranked right against unanswerable ones, classes balanced, L2 0.1. A development tool: the real
figures come from bench/qa_quality.py, which goes through `python -m bot ask`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bench.qa_quality import DEFAULT_DATA  # noqa: E402
from handlers.ask import CONFIDENCE_THRESHOLD  # noqa: E402
from storage.importer import import_data, load_file  # noqa: E402
from storage.search_index import SIGNALS, SearchHit, SearchIndex, load_entries  # noqa: E402
from storage.store import Store  # noqa: E402


async def build(data_file: Path) -> SearchIndex:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{tmp}/tune.db")
        await store.migrate()
        async with store.uow() as uow:
            await import_data(uow, load_file(data_file), datetime(2026, 11, 25, 3, 0, tzinfo=UTC))
        async with store.uow() as uow:
            entries = await load_entries(uow)
        await store.close()
    index = SearchIndex()
    index.build(entries)
    return index


def correct(q: dict[str, Any], hits: list[SearchHit], threshold: float) -> bool:
    answered = bool(hits) and hits[0].confidence >= threshold
    if q["expect"]:
        return answered and hits[0].id in q["expect"]
    return not answered


def fit(signals: list[tuple[float, ...]], labels: list[bool], l2: float = 0.1) -> list[float]:
    """Logistic regression by Newton's method, classes weighted to count equally; intercept last."""
    x = np.hstack([np.asarray(signals, dtype=np.float64), np.ones((len(signals), 1))])
    y = np.asarray(labels, dtype=np.float64)
    weight = np.where(y == 1, (len(y) - y.sum()) / max(y.sum(), 1), 1.0)
    w = np.zeros(x.shape[1])
    penalty = l2 * np.eye(len(w))
    penalty[-1, -1] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-x @ w))
        grad = x.T @ (weight * (p - y)) + penalty @ w
        hess = x.T @ (x * (weight * p * (1 - p))[:, None]) + penalty
        w -= np.linalg.solve(hess, grad)
    return [round(float(v), 2) for v in w]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--questions", type=Path, default=None)
    parser.add_argument("--dump", action="store_true", help="every question with its top hits")
    parser.add_argument("--fit", action="store_true", help="fit the confidence model on these questions")
    args = parser.parse_args()
    questions_file = args.questions or args.data / "questions.jsonl"
    questions = [json.loads(line) for line in questions_file.read_text("utf-8").splitlines() if line]
    index = asyncio.run(build(args.data / "commune.yaml"))
    ranked = [index.rank(q["q"], 5) for q in questions]
    answerable = [i for i, q in enumerate(questions) if q["expect"]]
    ranking = sum(bool(ranked[i]) and ranked[i][0].id in questions[i]["expect"] for i in answerable)
    print(f"ranking alone (no abstention): {ranking / len(answerable):.3f} top-1")
    for t in [x / 100 for x in range(30, 91, 5)]:
        top1 = sum(correct(questions[i], ranked[i], t) for i in answerable) / len(answerable)
        un = [i for i, q in enumerate(questions) if not q["expect"]]
        ab = sum(correct(questions[i], ranked[i], t) for i in un) / max(len(un), 1)
        mark = " <- current" if abs(t - CONFIDENCE_THRESHOLD) < 1e-9 else ""
        print(f"threshold {t:.2f}: top-1 {top1:.3f}  abstention {ab:.3f}{mark}")
    if args.fit:
        rows = [
            (hits[0].signals, bool(q["expect"]))
            for q, hits in zip(questions, ranked, strict=True)
            if hits and (not q["expect"] or hits[0].id in q["expect"])
        ]
        weights = fit([r[0] for r in rows], [r[1] for r in rows])
        print(f"CONFIDENCE_MODEL = {tuple(weights)}  # {', '.join(SIGNALS)}, intercept")
        for t in [x / 100 for x in range(20, 71, 5)]:
            z = [weights[-1] + sum(w * v for w, v in zip(weights, r[0], strict=False)) for r in rows]
            p = [1 / (1 + math.exp(-v)) for v in z]
            top1 = sum(pi >= t for pi, r in zip(p, rows, strict=True) if r[1]) / len(answerable)
            ab = sum(pi < t for pi, r in zip(p, rows, strict=True) if not r[1]) / max(
                1, len(questions) - len(answerable)
            )
            print(f"  refitted, threshold {t:.2f}: top-1 {top1:.3f}  abstention {ab:.3f}")
    if args.dump:
        for q, hits in zip(questions, ranked, strict=True):
            ok = correct(q, hits, CONFIDENCE_THRESHOLD)
            top = " ".join(f"{h.id}:{h.score:.1f}/{h.confidence:.2f}" for h in hits[:3])
            if hits:
                top += "  signals " + " ".join(f"{v:.2f}" for v in hits[0].signals)
            print(f"{'  ' if ok else 'X '}[{q['kind']}] {q['q']}\n     expect={q['expect']} got {top}")


if __name__ == "__main__":
    main()
