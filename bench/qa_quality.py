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
import hashlib
import json
import math
import os
import re
import shutil
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
DB_CACHE = Path(tempfile.gettempdir()) / "qa_quality_db"


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


Answer = tuple[list[str], list[str]]  # the sources answered with ([] when not), the documents offered


def imported_db(data_file: Path) -> Path:
    """Where the database imported from a data file is kept between runs (computing the passage
    vectors takes minutes): keyed by the file's content and the migrations."""
    key = hashlib.sha256(data_file.read_bytes())
    for migration in sorted((ROOT / "storage" / "migrations").rglob("*.py")):
        key.update(migration.read_bytes())
    return DB_CACHE / f"{key.hexdigest()[:16]}.db"


def imported_copy(data_file: Path, path: str) -> None:
    """A copy at `path` of the database `python -m bot import` makes of the data file (with passage
    vectors), imported once and kept in DB_CACHE."""
    imported = imported_db(data_file)
    if imported.is_file():
        shutil.copyfile(imported, path)
        return
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "LOG_LEVEL": "WARNING"}
    subprocess.run(
        [sys.executable, "-m", "bot", "import", str(data_file)],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    imported.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, imported)


def ours(data_file: Path, questions: list[dict[str, Any]]) -> dict[bool, tuple[list[Answer], float]]:
    """Every question through `python -m bot ask --jsonl`, with the semantic signal on (True) and
    off (False), on one imported database (vectors computed at import)."""
    runs: dict[bool, tuple[list[Answer], float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/qa.db", "LOG_LEVEL": "WARNING"}
        imported_copy(data_file, f"{tmp}/qa.db")
        lines = "".join(json.dumps({"q": q["q"]}, ensure_ascii=False) + "\n" for q in questions)
        for semantic in (True, False):
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "bot", "ask", "--jsonl"],
                env={**env, "SEMANTIC_SEARCH": str(semantic).lower()},
                input=lines,
                text=True,
                capture_output=True,
                check=True,
                cwd=ROOT,
            )
            elapsed = time.perf_counter() - started
            answers = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
            assert [a["q"] for a in answers] == [q["q"] for q in questions], "answers out of order"
            runs[semantic] = ([(a["sources"], a.get("offered", [])) for a in answers], elapsed)
    return runs


def outcome(q: dict[str, Any], answer: Answer) -> str:
    """right / wrong (a confident answer, of the wrong document or to a question nothing answers,
    near misses included) / offered (documents to open, no answer) / abstained (nothing)."""
    sources, offered = answer
    if sources:
        return "right" if sources[0] in q["expect"] else "wrong"
    return "offered" if offered else "abstained"


def tiers(questions: list[dict[str, Any]], answers: list[Answer]) -> dict[str, float]:
    """Counts of each outcome; precision (right among confident answers) and reach (of the
    answerable questions, answered right or the right document among the <= 3 offered)."""
    counts = dict.fromkeys(("right", "wrong", "offered", "abstained"), 0)
    reached = reached_two = answerable = 0
    for q, answer in zip(questions, answers, strict=True):
        kind = outcome(q, answer)
        counts[kind] += 1
        if q["expect"]:
            answerable += 1
            offered = answer[1][:3] if not answer[0] else []
            reached += kind == "right" or any(d in q["expect"] for d in offered)
            reached_two += kind == "right" or any(d in q["expect"] for d in offered[:2])
    confident = counts["right"] + counts["wrong"]
    return {
        **counts,
        "precision": counts["right"] / confident if confident else 1.0,
        "reach": reached / answerable if answerable else 1.0,
        "reach2": reached_two / answerable if answerable else 1.0,
    }


def score(questions: list[dict[str, Any]], ranked: list[list[str]]) -> dict[str, tuple[int, int]]:
    table: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for q, sources in zip(questions, ranked, strict=True):
        # unanswerable and near_miss ("near": the document it is close to) expect no answer
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
    runs = ours(data_file, questions)
    results["bot-lexical"] = score(questions, [sources for sources, _ in runs[False][0]])
    results["commune-bot"] = score(questions, [sources for sources, _ in runs[True][0]])
    elapsed = runs[True][1]
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
    print(
        f"\n{'tiers':<14}{'right':>7}{'wrong':>7}{'offered':>9}{'abstained':>11}{'precision':>11}{'reach':>7}"
    )
    for label, semantic in (("semantic on", True), ("semantic off", False)):
        t = tiers(questions, runs[semantic][0])
        print(
            f"{label:<14}{t['right']:>7}{t['wrong']:>7}{t['offered']:>9}{t['abstained']:>11}"
            f"{t['precision']:>11.2f}{t['reach']:>7.2f}{t['reach2']:>19.2f}"
        )
    print("targets: precision >= 0.95, reach >= 0.95")
    if args.show_misses:
        for q, (sources, offered) in zip(questions, runs[True][0], strict=True):
            kind = outcome(q, (sources, offered))
            reached = kind == "right" or any(d in q["expect"] for d in offered[:3])
            if kind == "wrong" or (q["expect"] and not reached):
                print(
                    f"MISS {kind} [{q['kind']}] {q['q']!r} expect={q['expect'] or q.get('near', [])} "
                    f"got={sources[:3]} offered={offered[:3]}"
                )


if __name__ == "__main__":
    main()
