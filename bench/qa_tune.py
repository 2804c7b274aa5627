"""In-process ranking diagnostics for tuning the method: no subprocess, one index per commune.

    python bench/qa_tune.py [--set DIR QUESTIONS ...] [--dump] [--fit] [--semantic]

Each `--set` is a commune folder (with `commune.yaml`) and a questions file; by default the
development commune (`../shared/data/dong-tien`), the demo commune's held-out questions and every
commune folder in `bench/data/` with a `questions.jsonl`, except those a `HELD_OUT` file marks (new
communes nothing is tuned on; `--held-out` adds them, to score them, not to fit on them). Each
commune is imported into a temporary SQLite database and indexed as the bot does. Printed per
commune: top-1 of the ranking alone and a sweep of the abstention threshold (top-1 on answerable vs
abstention on unanswerable); `--dump` adds every question with its top hits and signals.

`--fit` fits the logistic confidence model (qa/confidence.py CONFIDENCE_MODEL) on the top
hits' signals (answerable questions ranked right against unanswerable ones, classes balanced, L2
0.1): first on each commune alone, scored on the others (how well the signals carry over to a commune
they were not fitted on); then each commune scored by a model fitted on the others, with the mean of
(top-1 + abstention) / 2 over communes (the figure to compare methods by); then on all of them
together. `--semantic` does the same for the semantic model (bench/qa_tune_semantic.py). A
development tool: the real figures come
from bench/qa_quality.py, which goes through `python -m bot ask`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bench.qa_quality import DEFAULT_DATA  # noqa: E402
from handlers.ask import CONFIDENCE_THRESHOLD  # noqa: E402
from qa.confidence import SIGNALS  # noqa: E402
from qa.entries import SearchHit, load_entries  # noqa: E402
from qa.index import Index  # noqa: E402
from qa.semantic import Embedder  # noqa: E402
from storage.importer import import_data, load_file  # noqa: E402
from storage.store import Store  # noqa: E402


async def build(data_file: Path) -> Index:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{tmp}/tune.db")
        await store.migrate()
        async with store.uow() as uow:
            await import_data(uow, load_file(data_file), datetime(2026, 11, 25, 3, 0, tzinfo=UTC))
        async with store.uow() as uow:
            entries = await load_entries(uow)
        await store.close()
    return Index(entries)


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


Ranked = list[tuple[dict[str, Any], list[SearchHit]]]


def rates(ranked: Ranked, score: Any, threshold: float) -> tuple[float, float]:
    """Top-1 on answerable questions and abstention on unanswerable ones; `score(hit)` is 0..1."""
    answerable = [(q, h) for q, h in ranked if q["expect"]]
    unanswerable = [(q, h) for q, h in ranked if not q["expect"]]
    top1 = sum(bool(h) and score(h[0]) >= threshold and h[0].id in q["expect"] for q, h in answerable)
    abstained = sum(not h or score(h[0]) < threshold for _, h in unanswerable)
    return top1 / max(len(answerable), 1), abstained / max(len(unanswerable), 1)


def sweep(ranked: Ranked, score: Any, thresholds: list[float], current: float | None = None) -> None:
    """Top-1 (answerable) and abstention (unanswerable) at each threshold."""
    for t in thresholds:
        top1, abstention = rates(ranked, score, t)
        mark = " <- current" if current is not None and abs(t - current) < 1e-9 else ""
        print(f"    threshold {t:.2f}: top-1 {top1:.3f}  abstention {abstention:.3f}{mark}")


def fit_on(ranked: Ranked) -> list[float]:
    rows = [
        (hits[0].signals[: len(SIGNALS)], bool(q["expect"]))
        for q, hits in ranked
        if hits and (not q["expect"] or hits[0].id in q["expect"])
    ]
    return fit([r[0] for r in rows], [r[1] for r in rows])


def model(weights: list[float]) -> Any:
    def score(hit: SearchHit) -> float:
        z = weights[-1] + sum(w * v for w, v in zip(weights[:-1], hit.signals[: len(SIGNALS)], strict=True))
        return 1 / (1 + math.exp(-z))

    return score


# A commune folder holding this file is held out: left out of the default sets (see above).
HELD_OUT = "HELD_OUT"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--set", nargs=2, action="append", type=Path, metavar=("DIR", "QUESTIONS"))
    parser.add_argument("--dump", action="store_true", help="every question with its top hits")
    parser.add_argument("--fit", action="store_true", help="fit the confidence model (see above)")
    parser.add_argument(
        "--held-out", action="store_true", help=f"also the communes marked held out (a {HELD_OUT} file)"
    )
    parser.add_argument(
        "--semantic", action="store_true", help="the semantic model instead (bench/qa_tune_semantic.py)"
    )
    parser.add_argument(
        "--write-reader",
        action="store_true",
        help="with --semantic --fit: store the reader fitted on all (qa/reader.json)",
    )
    args = parser.parse_args()
    data = ROOT / "bench" / "data"
    sets = args.set or [
        (DEFAULT_DATA, DEFAULT_DATA / "questions.jsonl"),
        (ROOT / "bot" / "demo", data / "hoa-phu-questions.jsonl"),
        *(
            (d, d / "questions.jsonl")
            for d in sorted(data.iterdir())
            if (d / "questions.jsonl").is_file() and (args.held_out or not (d / HELD_OUT).is_file())
        ),
    ]
    from bench.qa_tune_semantic import ask_all, report  # it uses `fit` from here

    communes: dict[str, Ranked] = {}
    asked: dict[str, list[Any]] = {}
    embedder = Embedder()  # loads the model only if --semantic uses it
    for folder, questions_file in sets:
        if not (folder / "commune.yaml").is_file():
            print(f"skipped {folder}: no commune.yaml")
            continue
        questions = [json.loads(line) for line in questions_file.read_text("utf-8").splitlines() if line]
        if args.semantic:
            asked[folder.name] = ask_all(folder / "commune.yaml", questions, embedder)
            continue
        index = asyncio.run(build(folder / "commune.yaml"))
        # today, as `python -m bot ask` (and so qa_quality.py) sees it: "năm ngoái" is last year
        communes[folder.name] = [(q, index.rank(q["q"], 5, today=date.today())) for q in questions]
    if args.semantic:
        report(asked, args.fit, args.dump, args.write_reader)
        return
    thresholds = [x / 100 for x in range(20, 71, 5)]
    for name, ranked in communes.items():
        answerable = [(q, h) for q, h in ranked if q["expect"]]
        ranking = sum(bool(h) and h[0].id in q["expect"] for q, h in answerable)
        print(f"{name}: ranking alone (no abstention) {ranking / len(answerable):.3f} top-1")
        sweep(ranked, lambda hit: hit.confidence, thresholds, CONFIDENCE_THRESHOLD)
    if args.fit:
        fit_report(communes, thresholds)
    if args.dump:
        dump(communes)


def fit_report(communes: dict[str, Ranked], thresholds: list[float]) -> None:
    """Fits on each commune, on all but one, and on all: see the module's docstring."""
    for name, ranked in communes.items():
        weights = fit_on(ranked)
        print(f"fitted on {name} alone: {tuple(weights)}")
        for other, other_ranked in communes.items():
            if other != name:
                print(f"  scored on {other}:")
                sweep(other_ranked, model(weights), thresholds)
    print(f"leave one commune out (fitted on the others, threshold {CONFIDENCE_THRESHOLD:.2f}):")
    held_out = {
        name: model(fit_on([row for other, rows in communes.items() if other != name for row in rows]))
        for name in communes
    }
    for name, ranked in communes.items():
        top1, abstention = rates(ranked, held_out[name], CONFIDENCE_THRESHOLD)
        print(f"  {name}: top-1 {top1:.3f}  abstention {abstention:.3f}")
    print("  means over communes (each scored by the model fitted on the others):")
    for t in thresholds:
        top1s, abstentions = zip(
            *(rates(ranked, held_out[n], t) for n, ranked in communes.items()), strict=True
        )
        top1, abstention = sum(top1s) / len(top1s), sum(abstentions) / len(abstentions)
        mark = " <- current" if abs(t - CONFIDENCE_THRESHOLD) < 1e-9 else ""
        print(
            f"    threshold {t:.2f}: top-1 {top1:.3f}  abstention {abstention:.3f}"
            f"  (top-1 + abstention) / 2 {(top1 + abstention) / 2:.3f}{mark}"
        )
    weights = fit_on([row for ranked in communes.values() for row in ranked])
    print(f"CONFIDENCE_MODEL = {tuple(weights)}  # {', '.join(SIGNALS)}, intercept")
    for name, ranked in communes.items():
        print(f"  fitted on all, scored on {name}:")
        sweep(ranked, model(weights), thresholds)


def dump(communes: dict[str, Ranked]) -> None:
    """Every question with its top hits and the signals of the first."""
    for name, ranked in communes.items():
        print(f"== {name}")
        for q, hits in ranked:
            ok = correct(q, hits, CONFIDENCE_THRESHOLD)
            top = " ".join(f"{h.id}:{h.score:.1f}/{h.confidence:.2f}" for h in hits[:3])
            if hits:
                top += "  signals " + " ".join(f"{v:.2f}" for v in hits[0].signals)
            print(f"{'  ' if ok else 'X '}[{q['kind']}] {q['q']}\n     expect={q['expect']} got {top}")


if __name__ == "__main__":
    main()
