"""What the semantic signal (qa/semantic.py) does to answers, per commune: answered right, answered
wrong, abstained, for the lexical method alone and with e5 re-ranking its top hits / agreeing.

    python bench/qa_semantic.py [--cache FILE] [--set DIR QUESTIONS ...]

The communes are those of bench/qa_tune.py. Passage vectors are computed once and kept in
`--cache` (a pickle keyed by content key) so that runs after the first are quick.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import pickle
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bench.qa_quality import DEFAULT_DATA  # noqa: E402
from bench.qa_tune import build  # noqa: E402
from handlers.ask import CONFIDENCE_THRESHOLD  # noqa: E402
from qa.entries import SearchHit  # noqa: E402
from qa.semantic import Embedder, content_key, passage_texts  # noqa: E402
from qa.vntext import fold, syllables  # noqa: E402


def doc_vectors(index: Any, embedder: Embedder, cache: dict[str, Any]) -> dict[str, np.ndarray]:
    todo: dict[str, str] = {}
    for entry in index.entries:
        for text in passage_texts(entry):
            key = content_key(text)
            if key not in cache:
                todo[key] = text
    if todo:
        started = time.perf_counter()
        vectors = embedder.embed_passages(list(todo.values()))
        print(f"  embedded {len(todo)} passages in {time.perf_counter() - started:.0f} s", flush=True)
        cache.update(zip(todo, vectors, strict=True))
    return {e.id: np.stack([cache[content_key(t)] for t in passage_texts(e)]) for e in index.entries}


def restorer(index: Any) -> dict[str, str]:
    """Folded syllable -> its most frequent marked form in the documents."""
    counts: dict[str, dict[str, int]] = {}
    for entry in index.entries:
        for text in entry.fields.values():
            for word in syllables(text):
                forms = counts.setdefault(fold(word), {})
                forms[word.lower()] = forms.get(word.lower(), 0) + 1
    return {f: max(forms, key=lambda w: forms[w]) for f, forms in counts.items()}


def outcome(q: dict[str, Any], top: SearchHit | None, answered: bool) -> str:
    if not answered or top is None:
        return "abstained"
    return "right" if top.id in q["expect"] else "wrong"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/qa_semantic_cache.pkl"))
    parser.add_argument("--set", nargs=2, action="append", type=Path, metavar=("DIR", "QUESTIONS"))
    args = parser.parse_args()
    data = ROOT / "bench" / "data"
    sets = args.set or [
        (DEFAULT_DATA, DEFAULT_DATA / "questions.jsonl"),
        (ROOT / "bot" / "demo", data / "hoa-phu-questions.jsonl"),
        *((d, d / "questions.jsonl") for d in sorted(data.iterdir()) if (d / "questions.jsonl").is_file()),
    ]
    cache: dict[str, Any] = pickle.loads(args.cache.read_bytes()) if args.cache.is_file() else {}
    embedder = Embedder()
    threshold = CONFIDENCE_THRESHOLD
    for folder, questions_file in sets:
        questions = [json.loads(line) for line in questions_file.read_text("utf-8").splitlines() if line]
        index = asyncio.run(build(folder / "commune.yaml"))
        print(f"== {folder.name}", flush=True)
        vectors = doc_vectors(index, embedder, cache)
        args.cache.write_bytes(pickle.dumps(cache))
        marks = restorer(index)
        variants: dict[str, dict[str, int]] = {}
        for q in questions:
            hits = index.rank(q["q"], 5, today=date.today())
            typed = syllables(q["q"])
            restored = " ".join(marks.get(w, w) if fold(w) == w else w for w in typed)
            for name, text in (("raw", q["q"]), ("restored", restored)):
                qv = embedder.embed_query(text)
                sims = {h.id: float((vectors[h.id] @ qv).max()) for h in hits}
                best_all = max(vectors, key=lambda i: float((vectors[i] @ qv).max()))
                top = hits[0] if hits else None
                resorted = sorted(hits, key=lambda h: -sims[h.id])
                e5top = resorted[0] if resorted else None
                answered_by = [
                    ("lexical", top, top is not None and top.confidence >= threshold),
                    ("rerank5", e5top, e5top is not None and e5top.confidence >= threshold),
                    (
                        "rerank5-agree",
                        e5top,
                        e5top is not None and e5top.confidence >= threshold and e5top is top,
                    ),
                    (
                        "agree-all",
                        top,
                        top is not None and top.confidence >= threshold and best_all == top.id,
                    ),
                    *(
                        (
                            f"agree-all-or-{x:.2f}",
                            top,
                            top is not None
                            and top.confidence >= threshold
                            and (best_all == top.id or top.confidence >= x),
                        )
                        for x in (0.5, 0.6, 0.7, 0.8)
                    ),
                    (
                        "rerank5+agree-all",
                        e5top,
                        e5top is not None
                        and e5top.confidence >= threshold
                        and (best_all == e5top.id or e5top.confidence >= 0.7),
                    ),
                ]
                for label, hit, answered in answered_by:
                    if name == "raw" or label != "lexical":
                        key = label if name == "raw" else f"{label}/restored"
                        row = variants.setdefault(key, {"right": 0, "wrong": 0, "abstained": 0})
                        row[
                            outcome(q, hit, answered)
                            if q["expect"]
                            else ("wrong" if answered else "abstained")
                        ] += 1
        for label, row in variants.items():
            given = row["right"] + row["wrong"]
            precision = row["right"] / given if given else 0.0
            print(
                f"  {label:<28} right {row['right']:>3}  wrong {row['wrong']:>3}"
                f"  abstained {row['abstained']:>3}  precision {precision:.3f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
