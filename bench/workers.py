"""Two workers on PostgreSQL beside one: updates per second of one commune, same fake, same run.

    python -m bench.workers [--updates 1000] [--workload questions|commands] [--postgres URL]

A scratch database on the PostgreSQL server (TEST_POSTGRES_URL or --postgres) gets the commune's
data; then `python -m bot run` serves it with webhooks, first one process, then two. The pusher
POSTs the updates round-robin to the workers' webhooks (`--concurrency` in flight), each from its
own private chat (so no chat's order depends on which worker got it), and waits until the fake
Telegram has a reply for every one. On PostgreSQL one process sends for the bot (advisory lock):
the other only stores and handles. Printed: updates/s for each layout, the workers' CPU, this
process's (the fake and the pusher share the cores), PostgreSQL's and what they left of the machine's
cores (other programs' use included), and the
ratio two / one (target ≥ 1.5), with the workers' updates per CPU-second two / one beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import secrets
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from bench.bot_process import free_port, import_data, start_bot  # noqa: E402
from bench.throughput import (  # noqa: E402
    DEFAULT_DATA,
    DEFAULT_QUESTIONS,
    FALLBACK_DATA,
    SECRET_HEADER,
    WEBHOOK_PATH,
    load_questions,
    sends_to,
    wait_replies,
)
from bench.workloads import WORKLOADS, make_update  # noqa: E402
from tests.fakes.telegram import FakeTelegram  # noqa: E402

TARGET = 1.5
FIRST_CHAT = 100_000


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_wait_seconds(pid: int) -> float:
    """Seconds the process's main thread (the event loop) was ready to run but waited for a CPU
    (the scheduler's run queue): the machine's other work, not the worker's own waits."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return float("nan")


def commits(db_url: str) -> int:
    """Transactions committed in the database so far (pg_stat_database; every process's)."""
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
    return int(row[0]) if row else 0


def scratch_database(admin: str) -> str:
    import psycopg

    name = f"bench_workers_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{admin.rpartition('/')[0]}/{name}"


def drop_database(url: str, admin: str) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rpartition("/")[2]}" WITH (FORCE)')


async def wait_up(port: int, timeout: float = 300) -> None:
    """Until the worker's web server answers /healthz."""
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while True:
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"the worker on port {port} did not come up")
            await asyncio.sleep(0.2)


async def push_round_robin(
    urls: list[str], secret: str, updates: list[dict[str, Any]], concurrency: int
) -> int:
    """POST update i to urls[i % len(urls)], `concurrency` in flight; how many did not get 200."""
    gate = asyncio.Semaphore(concurrency)
    bad = 0
    headers = {SECRET_HEADER: secret}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as http:

        async def one(index: int, update: dict[str, Any]) -> None:
            nonlocal bad
            async with gate, http.post(urls[index % len(urls)], json=update, headers=headers) as response:
                await response.read()
                bad += response.status != 200

        await asyncio.gather(*(one(i, u) for i, u in enumerate(updates)))
    return bad


async def layout(
    workers: int, db_url: str, fake: FakeTelegram, args: argparse.Namespace, offset: int
) -> dict[str, float]:
    """Start `workers` processes, push, measure, stop them."""
    questions = load_questions(args.questions)
    secret = secrets.token_urlsafe(24)
    ids = itertools.count(time.time_ns() // 1000)  # update ids no earlier run left in the database

    def update(chat: int, index: int) -> dict[str, Any]:
        return {**make_update(fake, args.workload, chat, index, questions), "update_id": next(ids)}

    ports = [free_port() for _ in range(workers)]
    urls = [f"http://127.0.0.1:{port}{WEBHOOK_PATH}" for port in ports]
    procs = []
    for port, url in zip(ports, urls, strict=True):
        env = {
            **os.environ, "DATABASE_URL": db_url, "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_BASE_URL": fake.base_url, "WEB_PORT": str(port), "TELEGRAM_WEBHOOK_URL": url,
            "TELEGRAM_WEBHOOK_SECRET": secret, "TELEGRAM_MAX_PER_SECOND": "0",
            "TELEGRAM_PRIVATE_MAX_PER_SECOND": "0", "TELEGRAM_GROUP_MAX_PER_MINUTE": "0",
            "DEMO_DATA": "false", "LOG_LEVEL": "INFO" if args.logs else "WARNING",
        }  # fmt: skip
        log = args.logs / f"worker-{workers}-{port}.log" if args.logs else None
        procs.append(start_bot(env, log, own_session=not args.same_session))
    try:
        for port in ports:
            await wait_up(port)
        warm_chats = [offset + FIRST_CHAT // 2 + i for i in range(args.warmup)]
        start = len(fake.sent)
        warm = [update(c, i) for i, c in enumerate(warm_chats)]
        await push_round_robin(urls, secret, warm, args.concurrency)  # every worker warms up
        if not await wait_replies(fake, start, {str(c) for c in warm_chats}, len(warm), 300):
            raise RuntimeError(f"{workers} worker(s): the warm-up was not answered")
        await asyncio.sleep(1.0)
        chats = [offset + FIRST_CHAT + i for i in range(args.updates)]
        updates = [update(c, i) for i, c in enumerate(chats)]
        cpu0 = [cpu_seconds(p.pid) for p in procs]
        wait0 = [cpu_wait_seconds(p.pid) for p in procs]
        harness0, postgres0, commits0 = harness_cpu(), postgres_cpu(), commits(db_url)
        start = len(fake.sent)
        t0 = time.monotonic()
        bad, complete = await asyncio.gather(
            push_round_robin(urls, secret, updates, args.concurrency),
            wait_replies(fake, start, {str(c) for c in chats}, len(updates), args.timeout),
        )
        replies = sends_to(fake, start, {str(c) for c in chats})
        last = replies[min(len(replies), len(updates)) - 1]["at"] if replies else time.monotonic()
        cpu = [cpu_seconds(p.pid) - c for p, c in zip(procs, cpu0, strict=True)]
        waits = [cpu_wait_seconds(p.pid) - w for p, w in zip(procs, wait0, strict=True)]
        committed = commits(db_url) - commits0 - 1  # this reading's own
        harness = harness_cpu() - harness0
        postgres = sum(c - postgres0.get(pid, 0.0) for pid, c in postgres_cpu().items())
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=60)
    seconds = last - t0
    return {
        "rate": min(len(replies), len(updates)) / seconds,
        "seconds": seconds,
        "replies": float(len(replies)),
        "bad": float(bad),
        "complete": float(complete),
        **{f"cpu{i}": 100 * c / seconds for i, c in enumerate(cpu)},
        **{f"wait{i}": 100 * w / seconds for i, w in enumerate(waits)},
        "harness": 100 * harness / seconds,
        "postgres": 100 * postgres / seconds,
        "per_cpu": min(len(replies), len(updates)) / sum(cpu),
        "commits": committed / len(updates),
    }


def harness_cpu() -> float:
    """CPU seconds of this process so far: the fake Telegram and the pusher."""
    return time.process_time()


def postgres_cpu() -> dict[int, float]:
    """CPU seconds so far of each process named postgres on this machine (its server and the
    workers' connections), by pid: a backend that ends during the run takes its CPU with it, one
    that starts counts from 0, so the difference never goes below 0."""
    found: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name, _, rest = text.partition("(")[2].rpartition(")")
        if name.startswith("postgres"):
            fields = rest.split()
            found[int(stat.parent.name)] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return found


async def run(args: argparse.Namespace) -> int:
    admin = args.postgres or os.environ.get("TEST_POSTGRES_URL")
    if not admin:
        raise SystemExit("set TEST_POSTGRES_URL or --postgres (a PostgreSQL server to make a database on)")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{args.updates} updates ({args.workload}), {args.concurrency} in flight, {os.cpu_count()} CPUs,"
          f" load average {load}")  # fmt: skip
    db_url = args.database or scratch_database(admin)
    try:
        if not args.database:  # the passage vectors take minutes on a loaded machine
            started = time.monotonic()
            import_data({**os.environ, "DATABASE_URL": db_url, "DEMO_DATA": "false"}, args.data)
            print(f"imported into {db_url} in {time.monotonic() - started:.0f} s", flush=True)
        results = {}
        async with FakeTelegram() as fake:
            for workers in args.layouts:
                print(f"running {workers} worker(s) …", flush=True)
                results[workers] = await layout(workers, db_url, fake, args, offset=workers * 1_000_000)
    finally:
        if not args.database and not args.keep:
            drop_database(db_url, admin)
    print(
        f"\n{'workers':>7} {'updates':>7} {'seconds':>8} {'updates/s':>9} {'per CPU-s':>9}"
        f" {'harness %':>9} {'postgres %':>10} {'left %':>6}  worker CPU % (100 = one core),"
        " waiting for a CPU %; commits per update"
    )
    ok = True
    for workers, r in results.items():
        cpus = " ".join(f"{r[f'cpu{i}']:.0f}" for i in range(workers))
        cpus += ", " + " ".join(f"{r[f'wait{i}']:.0f}" for i in range(workers)) + f"; {r['commits']:.2f}"
        idle = (
            100 * (os.cpu_count() or 1)
            - sum(r[f"cpu{i}"] for i in range(workers))
            - r["harness"]
            - r["postgres"]
        )
        print(
            f"{workers:>7} {r['replies']:>7.0f} {r['seconds']:>8.2f} {r['rate']:>9.1f} {r['per_cpu']:>9.1f}"
            f" {r['harness']:>9.0f} {r['postgres']:>10.0f} {idle:>6.0f}  {cpus}"
        )
        if not r["complete"] or r["bad"]:
            ok = False
            print(f"  {workers} worker(s): {r['replies']:.0f} replies, {r['bad']:.0f} pushes without 200")
    if 1 in results and 2 in results:
        one, two = results[1], results[2]
        print(f"\nratio two / one: {two['rate'] / one['rate']:.2f} (target ≥ {TARGET})")
        # What the layout would give with a core free for each worker: the workers' updates per CPU
        # second, two against one (1.0: a second worker costs nothing extra per update).
        print(
            f"updates per worker CPU-second, two / one: {two['per_cpu'] / one['per_cpu']:.2f}"
            f" (with a free core for each worker, two / one would be {2 * two['per_cpu'] / one['per_cpu']:.2f}"
            f" if one worker filled its core)"
        )
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.workers", description=__doc__.split("\n")[0])
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--workload", choices=WORKLOADS, default="questions")
    parser.add_argument("--layouts", type=int, nargs="+", default=[1, 2], help="worker counts (default 1 2)")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--database", help="an imported database to use (default: a scratch one, dropped)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database (for --database)")
    parser.add_argument("--logs", type=Path, help="keep each worker's output in this folder")
    parser.add_argument(
        "--same-session",
        action="store_true",
        help="leave the workers in the bench's session (with autogroup they share one CPU share)",
    )
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server (default TEST_POSTGRES_URL)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA if DEFAULT_DATA.exists() else FALLBACK_DATA)
    parser.add_argument(
        "--questions", type=Path, default=DEFAULT_QUESTIONS if DEFAULT_QUESTIONS.exists() else None
    )
    return asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    raise SystemExit(main())
