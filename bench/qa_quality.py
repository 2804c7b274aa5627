"""Question-answering quality on a commune data set, beside two BM25 anchors computed in the same run.

    python bench/qa_quality.py [--data ../shared/data/dong-tien] [--questions FILE] [--show-misses]
    python bench/qa_quality.py --data bot/demo --questions bench/data/hoa-phu-questions.jsonl

`--data` is a folder with `commune.yaml`; the questions default to `questions.jsonl` in it. The
second line is the held-out check on the demo commune (Xã Hòa Phú): its questions were written
from the documents before the method was tuned, and must not be edited to suit the method.

Imports `commune.yaml` with `python -m bot import`, sends every question of `questions.jsonl`
through `python -m bot ask --jsonl`, and scores top-1 per question kind and abstention on the
unanswerable ones. Anchors: BM25 over raw lower-cased tokens, and BM25 over diacritic-folded tokens
(each abstains only when nothing matches at all).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "dong-tien"


def raw_tokens(text: str) -> list[str]:
    return re.findall(r"\w+", unicodedata.normalize("NFC", text).lower())


def folded_tokens(text: str) -> list[str]:
    out = []
    for tok in raw_tokens(text):
        tok = unicodedata.normalize("NFD", tok.replace("đ", "d"))
        out.append("".join(c for c in tok if not unicodedata.combining(c)))
    return out


class BM25:
    """Textbook BM25 (k1=1.2, b=0.75) over one field: title, tags and body joined."""

    def __init__(self, docs: dict[str, str], tokenize: Any) -> None:
        self.tokenize = tokenize
        self.ids = list(docs)
        self.tfs = [Counter(tokenize(docs[i])) for i in self.ids]
        self.lens = [sum(tf.values()) for tf in self.tfs]
        self.avg = sum(self.lens) / max(len(self.lens), 1)
        df: Counter[str] = Counter()
        for tf in self.tfs:
            df.update(tf.keys())
        n = len(self.ids)
        self.idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}

    def rank(self, query: str) -> list[str]:
        terms = self.tokenize(query)
        scores = []
        for i, tf in enumerate(self.tfs):
            s = 0.0
            for t in terms:
                f = tf.get(t, 0)
                if f:
                    s += self.idf[t] * f * 2.2 / (f + 1.2 * (0.25 + 0.75 * self.lens[i] / self.avg))
            if s > 0:
                scores.append((s, self.ids[i]))
        return [i for _, i in sorted(scores, reverse=True)]


def documents(data: dict[str, Any]) -> dict[str, str]:
    docs = {}
    for d in data.get("disclosures", []):
        docs[d["id"]] = " ".join([d["title"], " ".join(d.get("tags", [])), d["body"]])
    for e in data.get("events", []):
        docs[e["id"]] = " ".join(
            [e["title"], e.get("location", ""), e.get("host", ""), e.get("description", "")]
        )
    return docs


def ours(data_file: Path, questions: list[dict[str, Any]]) -> tuple[list[list[str]], float]:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/qa.db", "LOG_LEVEL": "WARNING"}
        subprocess.run(
            [sys.executable, "-m", "bot", "import", str(data_file)],
            env=env,
            check=True,
            cwd=ROOT,
            capture_output=True,
        )
        lines = "".join(json.dumps({"q": q["q"]}, ensure_ascii=False) + "\n" for q in questions)
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "bot", "ask", "--jsonl"],
            env=env,
            input=lines,
            text=True,
            capture_output=True,
            check=True,
            cwd=ROOT,
        )
        elapsed = time.perf_counter() - started
    answers = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    assert [a["q"] for a in answers] == [q["q"] for q in questions], "answers out of order"
    return [a["sources"] for a in answers], elapsed


def score(questions: list[dict[str, Any]], ranked: list[list[str]]) -> dict[str, tuple[int, int]]:
    table: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for q, sources in zip(questions, ranked, strict=True):
        ok = (bool(sources) and sources[0] in q["expect"]) if q["expect"] else sources == []
        table[q["kind"]][0] += ok
        table[q["kind"]][1] += 1
        bucket = "ANSWERABLE (top-1)" if q["expect"] else "ABSTENTION"
        table[bucket][0] += ok
        table[bucket][1] += 1
    return {k: (v[0], v[1]) for k, v in table.items()}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="folder with commune.yaml and questions.jsonl"
    )
    parser.add_argument(
        "--questions", type=Path, default=None, help="questions JSONL (default: questions.jsonl in --data)"
    )
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    data_file = args.data / "commune.yaml"
    questions_file = args.questions or args.data / "questions.jsonl"
    questions = [json.loads(line) for line in questions_file.read_text("utf-8").splitlines() if line]
    data = yaml.safe_load(data_file.read_text("utf-8"))
    docs = documents(data)
    anchors = {
        name: BM25(docs, tok) for name, tok in (("bm25-raw", raw_tokens), ("bm25-folded", folded_tokens))
    }
    results = {name: score(questions, [a.rank(q["q"]) for q in questions]) for name, a in anchors.items()}
    ranked, elapsed = ours(data_file, questions)
    results["commune-bot"] = score(questions, ranked)
    kinds = [*sorted({q["kind"] for q in questions}), "ANSWERABLE (top-1)", "ABSTENTION"]
    names = list(results)
    print(f"{'kind':<22}{'n':>4}" + "".join(f"{n:>14}" for n in names))
    for kind in kinds:
        n = results[names[0]][kind][1]
        cells = "".join(f"{results[name][kind][0] / n:>14.2f}" for name in names)
        print(f"{kind:<22}{n:>4}{cells}")
    ours_top1 = results["commune-bot"]["ANSWERABLE (top-1)"]
    folded_top1 = results["bm25-folded"]["ANSWERABLE (top-1)"]
    gain = 100 * (ours_top1[0] / ours_top1[1] - folded_top1[0] / folded_top1[1])
    print(f"\ncommune-bot vs folded BM25 on answerable top-1: {gain:+.1f} points (target ≥ +15)")
    print(f"ask --jsonl: {len(questions)} questions in {elapsed:.2f} s (incl. start-up)")
    if args.show_misses:
        for q, sources in zip(questions, ranked, strict=True):
            ok = (bool(sources) and sources[0] in q["expect"]) if q["expect"] else sources == []
            if not ok:
                print(f"MISS [{q['kind']}] {q['q']!r} expect={q['expect']} got={sources[:3]}")


if __name__ == "__main__":
    main()
