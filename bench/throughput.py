"""Webhook throughput: the commune bot beside a bare python-telegram-bot echo bot, same fake, same run.

    python -m bench.throughput [--updates 3000] [--chats 1000] [--concurrency 100] [--profile OUT]

The fake Telegram server (tests/fakes/telegram.py) lives in this process; it pushes updates to
each bot's webhook and records what the bot sends. Each bot runs in its own subprocess, one after
the other, so each gets the same machine and reports its own peak RSS. Four bots by default:

- ``raw``: a bare aiohttp webhook -> sendMessage loop. Not a real bot; it shows how fast the fake
  and the pusher can go, so that a bot reaching this rate would be measuring the fake, not itself.
- ``echo``: python-telegram-bot ``Application`` with a custom aiohttp webhook (PTB's
  customwebhookbot example), ``concurrent_updates=True``, ``reply_text(update.message.text)``.
- ``echo-lean``: the same echo bot with ``concurrent_updates=4``. Under a burst, 256 concurrent
  handlers keep httpx's connection pool full and httpcore's request-to-connection assignment
  (quadratic in queued requests and connections) eats most of the echo bot's CPU; with few in
  flight the same bot goes about three times as fast. Both are shown so the ratio can be read
  against either.
- ``ours``: ``bot.app.App`` on SQLite with the Telegram caps lifted (``TELEGRAM_MAX_PER_SECOND=0``),
  persist-first: each update stored and de-duplicated, replies through the persisted outbox.

Latency is from the moment an update's POST starts to the moment the fake records the reply to
that chat (the k-th reply to a chat answers its k-th update).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import logging
import os
import pstats
import resource
import secrets
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bot_process import MINI, free_port, percentile  # noqa: E402
from bench.workloads import WORKLOADS, make_update, reply_text  # noqa: E402

if TYPE_CHECKING:
    from tests.fakes.telegram import FakeTelegram

SHARED = ROOT.parent / "shared" / "data" / "dong-tien"
DEFAULT_DATA = SHARED / "commune.yaml"
FALLBACK_DATA = MINI
DEFAULT_QUESTIONS = SHARED / "questions.jsonl"
WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
FIRST_CHAT = 10_000  # measured chats: FIRST_CHAT .. FIRST_CHAT + chats - 1
WARMUP_CHAT = 5_000  # warm-up chats, disjoint from the measured ones
MARK = "@@bench "  # prefix of the child's protocol lines on stdout
BOTS = ("raw", "echo", "echo-lean", "ours", "ours-lexical")
DEFAULT_BOTS = ("raw", "echo", "echo-lean", "ours")
LABELS = {
    "raw": "raw aiohttp (ceiling)",
    "echo": "PTB echo bot",
    "echo-lean": "PTB echo, few in flight",
    "ours": "commune bot",
    "ours-lexical": "commune bot, no semantic",
}

BUILTIN_QUESTIONS = (
    "Lịch tiếp công dân của chủ tịch xã tháng này thế nào?",
    "Dự toán ngân sách xã năm 2026 tổng thu bao nhiêu?",
    "Danh sách hộ nghèo năm 2026 có những ai?",
    "Đường thôn Tân Sơn dài bao nhiêu mét?",
    "lich tiep dan cua chu tich xa",
    "du toan ngan sach nam nay",
    "ho ngheo ho can ngheo 2026",
    "Khi nào họp thôn?",
    "Bồi thường giải phóng mặt bằng làm đường được bao nhiêu tiền?",
    "Ai là nhà thầu thi công công trình bê tông hóa đường thôn?",
    "Kế hoạch phát triển kinh tế xã hội năm 2026",
    "Thủ tục đăng ký khai sinh cần giấy tờ gì?",
    "Phí chứng thực bản sao là bao nhiêu?",
    "Quyết toán ngân sách năm 2025",
    "Khi nào tiêm chủng cho trẻ em?",
    "Ngày chủ nhật xanh dọn vệ sinh đường làng lúc mấy giờ?",
    "ad oi cho e hoi lich hop dan ntn a",
    "Quy hoạch sử dụng đất của xã",
    "Giá vé xổ số hôm nay là bao nhiêu?",
    "Thời tiết ngày mai thế nào?",
)


def emit(event: str, **fields: Any) -> None:
    """One protocol line from a child to the parent."""
    sys.stdout.write(MARK + json.dumps({"event": event, **fields}) + "\n")
    sys.stdout.flush()


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- the bots (each runs in a child process) ----------------------------------------------------


@dataclass
class Running:
    """A started bot: how to stop it; `counts` for what it wants to report (SQL statements)."""

    stop: Callable[[], Awaitable[None]]
    counts: dict[str, int] = field(default_factory=dict)


async def start_raw(base_url: str, token: str, secret: str, port: int, url: str) -> Running:
    """Webhook in, sendMessage out, nothing in between: the ceiling of the fake and the pusher."""
    import aiohttp
    from aiohttp import web

    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=256))
    send_url = f"{base_url}{token}/sendMessage"
    tasks: set[asyncio.Task[None]] = set()

    async def reply(chat_id: int, text: str) -> None:
        async with session.post(send_url, json={"chat_id": chat_id, "text": text}) as response:
            await response.read()

    async def webhook(request: web.Request) -> web.Response:
        if request.headers.get(SECRET_HEADER) != secret:
            return web.Response(status=403)
        chat_id, text = reply_text(await request.json())
        task = asyncio.create_task(reply(chat_id, text))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post(WEBHOOK_PATH, webhook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    async with session.post(
        f"{base_url}{token}/setWebhook", json={"url": url, "secret_token": secret}
    ) as response:
        await response.read()

    async def stop() -> None:
        await runner.cleanup()
        await asyncio.gather(*tasks, return_exceptions=True)
        await session.close()

    return Running(stop)


async def start_echo(
    base_url: str, token: str, secret: str, port: int, url: str, in_flight: int = 0
) -> Running:
    """A bare python-telegram-bot echo bot behind a custom aiohttp webhook (PTB's customwebhookbot)."""
    from aiohttp import web
    from telegram import Update
    from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

    concurrent: bool | int = in_flight or True  # True: PTB's default of 256 at once
    application = (
        Application.builder()
        .token(token)
        .base_url(base_url)
        .updater(None)
        .concurrent_updates(concurrent)
        .build()
    )

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text)

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.message is not None
        await query.answer()  # as any bot must (ours does too)
        await context.bot.send_message(query.message.chat.id, query.data or "")

    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.add_handler(CallbackQueryHandler(pressed))

    async def webhook(request: web.Request) -> web.Response:
        if not secrets.compare_digest(request.headers.get(SECRET_HEADER, ""), secret):
            return web.Response(status=403)
        await application.update_queue.put(Update.de_json(await request.json(), application.bot))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post(WEBHOOK_PATH, webhook)
    runner = web.AppRunner(app, access_log=None)
    await application.initialize()
    await application.start()
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    await application.bot.set_webhook(url, secret_token=secret)

    async def stop() -> None:
        await runner.cleanup()
        await application.stop()
        await application.shutdown()

    return Running(stop)


async def start_ours(
    base_url: str, token: str, secret: str, port: int, url: str, data: Path, db: Path, semantic: bool = True
) -> Running:
    """The commune bot: SQLite, webhook, Telegram's caps lifted, commune data imported first."""
    from sqlalchemy import event

    from bot.app import App
    from bot.config import Settings
    from storage.importer import import_data, load_file

    settings = Settings(
        DATABASE_URL=f"sqlite:///{db}",
        TELEGRAM_BOT_TOKEN=token,
        TELEGRAM_API_BASE_URL=base_url,
        WEB_PORT=port,
        TELEGRAM_WEBHOOK_URL=url,
        TELEGRAM_WEBHOOK_SECRET=secret,
        TELEGRAM_MAX_PER_SECOND=0,
        TELEGRAM_PRIVATE_MAX_PER_SECOND=0,
        TELEGRAM_GROUP_MAX_PER_MINUTE=0,
        DEMO_DATA=False,
        LOG_LEVEL="WARNING",
        SEMANTIC_SEARCH=semantic,
    )
    app = App(settings)
    await app.store.migrate()
    async with app.store.uow() as uow:
        await import_data(uow, load_file(data), app.clock())
    await app.start()
    running = Running(app.stop, {"sql": 0, "commits": 0})

    def statement(*_: Any) -> None:
        running.counts["sql"] += 1

    def commit(*_: Any) -> None:
        running.counts["commits"] += 1

    event.listen(app.store.engine.sync_engine, "before_cursor_execute", statement)
    event.listen(app.store.engine.sync_engine, "commit", commit)
    return running


async def child_main(args: argparse.Namespace) -> int:
    """Start one bot, then obey the parent: begin / end (measurement window) / stop."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    port = free_port()
    url = f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
    kind: str = args.child
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        if kind == "raw":
            running = await start_raw(args.base_url, args.token, args.secret, port, url)
        elif kind == "echo":
            running = await start_echo(args.base_url, args.token, args.secret, port, url)
        elif kind == "echo-lean":
            running = await start_echo(args.base_url, args.token, args.secret, port, url, args.echo_in_flight)
        else:
            db = Path(tmp) / "bench.db"
            running = await start_ours(
                args.base_url, args.token, args.secret, port, url, args.data, db, kind == "ours"
            )
        emit("ready", webhook=url, rss_kb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)

        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        profiler = None
        cpu0 = thread0 = 0.0
        counts0: dict[str, int] = {}
        while True:
            line = (await reader.readline()).decode().strip()
            if line == "begin":
                if args.profile:
                    profiler = cProfile.Profile()
                    profiler.enable()
                cpu0, thread0 = cpu_seconds(), time.thread_time()
                counts0 = dict(running.counts)
                emit("begun")
            elif line == "end":
                cpu, main_thread = cpu_seconds() - cpu0, time.thread_time() - thread0
                if profiler is not None:
                    profiler.disable()
                    profiler.dump_stats(args.profile)
                emit(
                    "ended",
                    cpu=cpu,
                    main_thread_cpu=main_thread,
                    threads=threading.active_count(),
                    counts={k: v - counts0.get(k, 0) for k, v in running.counts.items()},
                    rss_kb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                )
            else:  # "stop", or the parent went away
                break
        await running.stop()
        emit("stopped", rss_kb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return 0


# --- the parent: fake server, pushes, measurement -----------------------------------------------


@dataclass
class Result:
    bot: str
    updates: int
    seconds: float
    replies: int
    latencies_ms: list[float]
    rss_mb: float
    bot_cpu: float  # child CPU seconds in the window (all threads)
    bot_main_cpu: float  # child's event-loop thread
    fake_cpu: float  # this process (fake server + pusher) in the window
    mismatched_chats: int
    bad_status: int
    with_source: int
    apologies: int  # the pipeline's "something went wrong" reply: a handling error
    counts: dict[str, int]  # what the bot counted in the window (ours: SQL statements, commits)
    problems: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.replies / self.seconds if self.seconds > 0 else 0.0


class Child:
    """A bot subprocess and its line protocol."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    async def read(self, wanted: str, timeout: float) -> dict[str, Any]:
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"bot did not say {wanted!r} within {timeout:.0f} s")
            line = await asyncio.wait_for(self.proc.stdout.readline(), remaining)
            if not line:
                raise RuntimeError(f"bot exited (code {await self.proc.wait()}) before saying {wanted!r}")
            text = line.decode(errors="replace")
            if not text.startswith(MARK):
                sys.stderr.write(text)  # a library printing to stdout: pass it on
                continue
            message: dict[str, Any] = json.loads(text[len(MARK) :])
            if message["event"] == wanted:
                return message

    async def say(self, command: str, answer: str, timeout: float = 30.0) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command.encode() + b"\n")
        await self.proc.stdin.drain()
        return await self.read(answer, timeout)

    async def close(self) -> dict[str, Any]:
        try:
            return await self.say("stop", "stopped", timeout=120.0)  # a loaded machine is slow
        finally:
            with contextlib.suppress(ProcessLookupError):
                if self.proc.returncode is None:
                    try:
                        await asyncio.wait_for(self.proc.wait(), 10.0)
                    except TimeoutError:
                        self.proc.kill()
                        await self.proc.wait()


async def spawn(kind: str, fake: FakeTelegram, secret: str, args: argparse.Namespace) -> Child:
    command = [
        sys.executable, "-m", "bench.throughput", "--child", kind, "--base-url", fake.base_url,
        "--token", fake.token, "--secret", secret, "--data", str(args.data),
        "--echo-in-flight", str(args.echo_in_flight), "--workload", args.workload,
    ]  # fmt: skip
    if args.profile and kind == args.profile_bot:
        command += ["--profile", str(Path(args.profile).resolve())]
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "PTB_TIMEDELTA": "true", "PYTHONPATH": path}
    proc = await asyncio.create_subprocess_exec(
        *command, cwd=ROOT, env=env, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
    )
    return Child(proc)


async def push_all(
    fake: FakeTelegram, updates: list[dict[str, Any]], concurrency: int
) -> tuple[list[float], int]:
    """POST each update to the webhook, at most `concurrency` at once; (start times, non-200 count)."""
    gate = asyncio.Semaphore(concurrency)
    started = [0.0] * len(updates)
    bad = 0

    async def one(index: int, update: dict[str, Any]) -> None:
        nonlocal bad
        async with gate:
            started[index] = time.monotonic()
            try:
                status = await fake.push(update)
            except (OSError, TimeoutError) as exc:
                sys.stderr.write(f"push failed: {exc!r}\n")
                status = None
            if status != 200:
                bad += 1

    await asyncio.gather(*(one(i, u) for i, u in enumerate(updates)))
    return started, bad


def sends_to(fake: FakeTelegram, start: int, chats: set[str]) -> list[dict[str, Any]]:
    return [e for e in fake.sent[start:] if e["method"] == "sendMessage" and e["chat_id"] in chats]


async def wait_replies(fake: FakeTelegram, start: int, chats: set[str], n: int, timeout: float) -> bool:
    """Wait until `n` sendMessage calls to these chats were recorded since `start`."""
    from tests.fakes.telegram import NothingSent

    deadline = time.monotonic() + timeout
    target = start + n
    while True:
        try:
            await fake.wait_sent_count(target, timeout=max(0.0, deadline - time.monotonic()))
        except NothingSent:
            return False
        have = len(sends_to(fake, start, chats))
        if have >= n:
            return True
        target = len(fake.sent) + n - have


async def wait_webhook(fake: FakeTelegram, url: str, secret: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while fake.webhook_url != url or fake.webhook_secret != secret:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the bot did not set its webhook {url} within {timeout:.0f} s")
        await asyncio.sleep(0.02)


async def measure(kind: str, fake: FakeTelegram, questions: list[str], args: argparse.Namespace) -> Result:
    secret = secrets.token_urlsafe(24)
    child = await spawn(kind, fake, secret, args)
    try:
        ready = await child.read("ready", timeout=120.0)
        await wait_webhook(fake, ready["webhook"], secret)

        # warm-up: caches, connection pools, the search index, SQLite pages
        warm_chats = {str(WARMUP_CHAT + i) for i in range(args.warmup)}
        start = len(fake.sent)
        warm = [make_update(fake, args.workload, WARMUP_CHAT + i, i, questions) for i in range(args.warmup)]
        await push_all(fake, warm, args.concurrency)
        if not await wait_replies(fake, start, warm_chats, len(warm), timeout=60.0):
            raise RuntimeError(
                f"{kind}: warm-up got {len(sends_to(fake, start, warm_chats))}/{len(warm)} replies"
            )
        await asyncio.sleep(0.3)  # let the outbox bookkeeping of the warm-up settle

        chat_ids = [FIRST_CHAT + i % args.chats for i in range(args.updates)]
        chats = {str(c) for c in chat_ids}
        updates = [make_update(fake, args.workload, chat, i, questions) for i, chat in enumerate(chat_ids)]
        await child.say("begin", "begun")
        start = len(fake.sent)
        fake_cpu0 = time.process_time()
        t0 = time.monotonic()
        (started, bad), complete = await asyncio.gather(
            push_all(fake, updates, args.concurrency),
            wait_replies(fake, start, chats, len(updates), timeout=args.timeout),
        )
        replies = sends_to(fake, start, chats)
        t_last = replies[min(len(replies), len(updates)) - 1]["at"] if replies else time.monotonic()
        fake_cpu = time.process_time() - fake_cpu0
        ended = await child.say("end", "ended")
        await asyncio.sleep(args.grace)  # any duplicate reply would show up now
        replies = sends_to(fake, start, chats)
        stopped = await child.close()
    except BaseException:
        if child.proc.returncode is None:
            child.proc.kill()
            await child.proc.wait()
        raise

    problems: list[str] = []
    if not complete:
        problems.append(f"only {len(replies)} of {len(updates)} replies within {args.timeout:.0f} s")
    pushed: dict[str, list[float]] = defaultdict(list)
    for chat, at in sorted(zip(chat_ids, started, strict=True), key=lambda pair: pair[1]):
        pushed[str(chat)].append(at)
    got: dict[str, list[float]] = defaultdict(list)
    for entry in replies:
        got[str(entry["chat_id"])].append(entry["at"])
    latencies: list[float] = []
    mismatched = 0
    for chat, times in pushed.items():
        answers = got.get(chat, [])
        if len(answers) != len(times):
            mismatched += 1
            if mismatched <= 5:
                problems.append(f"chat {chat}: {len(times)} updates, {len(answers)} replies")
        latencies += [(a - p) * 1000 for p, a in zip(times, answers, strict=False)]
    if bad:
        problems.append(f"{bad} webhook pushes did not get HTTP 200")
    from bot.pipeline import SORRY  # imported here: the bots' processes must not carry it

    apologies = sum(1 for e in replies if str(e.get("text") or "").startswith(SORRY[:40]))
    if apologies:
        problems.append(f"{apologies} updates failed in handling (answered with the apology)")
    return Result(
        bot=kind,
        updates=len(updates),
        seconds=t_last - t0,
        replies=min(len(replies), len(updates)),
        latencies_ms=latencies,
        rss_mb=max(stopped["rss_kb"], ended["rss_kb"]) / 1024,
        bot_cpu=ended["cpu"],
        bot_main_cpu=ended["main_thread_cpu"],
        fake_cpu=fake_cpu,
        mismatched_chats=mismatched,
        bad_status=bad,
        with_source=sum(1 for e in replies if "Nguồn" in str(e.get("text") or "")),
        apologies=apologies,
        counts=ended.get("counts", {}),
        problems=problems,
    )


def load_questions(path: Path | None) -> list[str]:
    if path is None or not path.exists():
        return list(BUILTIN_QUESTIONS)
    questions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            questions.append(str(item["q"] if isinstance(item, dict) else item))
    return questions or list(BUILTIN_QUESTIONS)


def report(results: list[Result], args: argparse.Namespace) -> None:
    print()
    header = (
        f"{'bot':<24} {'updates':>7} {'seconds':>8} {'updates/s':>9} {'p50 ms':>8} {'p95 ms':>8}"
        f" {'peak RSS MB':>11} {'bot CPU %':>9} {'fake CPU %':>10}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{LABELS[r.bot]:<24} {r.replies:>7} {r.seconds:>8.2f} {r.rate:>9.0f}"
            f" {percentile(r.latencies_ms, 0.50):>8.0f} {percentile(r.latencies_ms, 0.95):>8.0f}"
            f" {r.rss_mb:>11.0f} {100 * r.bot_cpu / r.seconds:>9.0f} {100 * r.fake_cpu / r.seconds:>10.0f}"
        )
    print(
        "\nbot CPU %: the bot process over the window (100 = one core);"
        " fake CPU %: this process (fake Telegram + pusher)."
    )
    by_bot = {r.bot: r for r in results}
    for r in results:
        share = 100 * r.bot_main_cpu / r.bot_cpu if r.bot_cpu else 0.0
        print(
            f"{LABELS[r.bot]}: {1000 * r.bot_cpu / max(r.replies, 1):.2f} ms CPU per update"
            f" ({share:.0f} % on the event-loop thread)"
        )
        if r.counts:
            per = ", ".join(f"{v / max(r.replies, 1):.1f} {k}" for k, v in r.counts.items())
            print(f"{LABELS[r.bot]}: per update {per} (executemany counts once)")
    ours, echo, lean = (
        by_bot.get("ours") or by_bot.get("ours-lexical"),
        by_bot.get("echo"),
        by_bot.get("echo-lean"),
    )
    profiled = args.profile and args.profile_bot != "raw"
    note = "  [a bot ran under cProfile: not representative]" if profiled else ""
    if ours and echo and echo.rate:
        print(f"\nratio (ours / echo): {ours.rate / echo.rate:.2f} (target ≥ 0.50){note}")
    if ours and lean and lean.rate:
        print(
            f"ratio (ours / echo with concurrent_updates={args.echo_in_flight}):"
            f" {ours.rate / lean.rate:.2f}{note}"
        )
    for kind in ("ours", "ours-lexical"):
        mine = by_bot.get(kind)
        if mine and mine.bot_cpu:
            print(
                f"{LABELS[kind]}: {mine.replies / mine.bot_cpu:.0f} updates per CPU-second (per core, all threads)"
            )
    semantic, lexical = by_bot.get("ours"), by_bot.get("ours-lexical")
    if semantic and lexical and semantic.bot_cpu and lexical.bot_cpu:
        on, off = semantic.replies / semantic.bot_cpu, lexical.replies / lexical.bot_cpu
        print(f"per core, semantic on / off: {on:.0f} / {off:.0f} = {on / off:.2f}")
    if ours and args.workload == "questions":
        print(
            f"answered with a source (replies containing 'Nguồn'): {ours.with_source}/{ours.replies}"
            f" ({100 * ours.with_source / max(ours.replies, 1):.0f} %)"
        )
    for r in results:
        state = "OK: every update got exactly one reply" if not r.problems else "; ".join(r.problems)
        if r.mismatched_chats:
            state += f" ({r.mismatched_chats} chats with a wrong reply count)"
        print(f"{LABELS[r.bot]}: {state}")


def _area(path: str, name: str) -> str:
    """Which library or part of our code a profiled function belongs to."""
    if path == "~":
        return "(idle: waiting in epoll)" if "poll" in name else "(C builtins)"
    if "importlib" in path:
        return "importlib (imports at run time)"
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    try:
        return str(Path(path).resolve().relative_to(ROOT)) + " (ours)"
    except ValueError:
        return "stdlib " + Path(path).stem


def print_profile(path: str, label: str) -> None:
    """Self time per library, then the top 25 functions by self time and by cumulative time."""
    print(f"\n=== profile of the {label} (event-loop thread only), {path} ===")
    stats = pstats.Stats(path)
    raw: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    areas: dict[str, float] = defaultdict(float)
    for (file, _line, name), (_cc, _nc, tottime, _ct, callers) in raw.items():
        area = _area(file, name)
        weights = {key: value[2] for key, value in callers.items()} if area == "(C builtins)" else {}
        spread = sum(weights.values())
        if not spread:
            areas[area] += tottime
            continue
        for (caller_file, _, caller_name), weight in weights.items():  # C time goes to its callers
            areas[_area(caller_file, caller_name)] += tottime * weight / spread
    total = sum(areas.values()) or 1.0
    print(f"\n--- self time by area (of {total:.1f} s profiled) ---")
    for area, seconds in sorted(areas.items(), key=lambda kv: -kv[1])[:20]:
        print(f"{seconds:8.2f} s {100 * seconds / total:5.1f} %  {area}")
    for key in ("tottime", "cumulative"):
        print(f"\n--- top 25 by {key} ---")
        if key == "cumulative":
            print(
                "(a coroutine's cumulative time counts each resume and time spent suspended: read it as a call tree,"
            )
            print(" not as CPU; the self-time figures above are the CPU)")
        stats = pstats.Stats(path, stream=sys.stdout)
        stats.strip_dirs().sort_stats(key).print_stats(25)


async def parent_main(args: argparse.Namespace) -> int:
    questions = load_questions(args.questions)
    bots = [b.strip() for b in args.bots.split(",") if b.strip()]
    for bot in bots:
        if bot not in BOTS:
            raise SystemExit(f"unknown bot {bot!r}; choose from {', '.join(BOTS)}")
    print(
        f"{args.updates} updates ({args.workload}) from {args.chats} private chats, {args.concurrency} webhook pushes in"
        f" flight, {len(questions)} questions, data {args.data}, {os.cpu_count()} CPUs"
    )
    from tests.fakes.telegram import FakeTelegram

    results = []
    async with FakeTelegram() as fake:
        for bot in bots:
            print(f"running {LABELS[bot]} …", flush=True)
            results.append(await measure(bot, fake, questions, args))
    report(results, args)
    if args.profile and args.profile_bot in bots:
        print_profile(args.profile, LABELS[args.profile_bot])
    return 0 if all(not r.problems for r in results) else 1


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.throughput", description=__doc__.split("\n")[0])
    parser.add_argument("--updates", type=int, default=3000, help="measured updates (default 3000)")
    parser.add_argument("--chats", type=int, default=1000, help="distinct private chats (default 1000)")
    parser.add_argument("--concurrency", type=int, default=100, help="webhook pushes in flight (default 100)")
    parser.add_argument("--warmup", type=int, default=100, help="warm-up updates per bot (default 100)")
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA if DEFAULT_DATA.exists() else FALLBACK_DATA,
        help="commune data file for our bot",
    )
    parser.add_argument(
        "--questions",
        type=Path,
        default=DEFAULT_QUESTIONS if DEFAULT_QUESTIONS.exists() else None,
        help="questions.jsonl ({'q': ...} per line); built-in questions when absent",
    )
    parser.add_argument(
        "--bots",
        default=",".join(DEFAULT_BOTS),
        help=f"which bots, in order, of {','.join(BOTS)} (default {','.join(DEFAULT_BOTS)})",
    )
    parser.add_argument(
        "--workload",
        choices=WORKLOADS,
        default="questions",
        help="questions (default), or commands: /start, /lich and button presses",
    )
    parser.add_argument("--profile", metavar="OUT", help="run our bot under cProfile, dump stats to OUT")
    parser.add_argument("--profile-bot", choices=BOTS, default="ours", help="profile this bot instead")
    parser.add_argument(
        "--echo-in-flight",
        type=int,
        default=4,
        help="echo-lean: concurrent_updates=N instead of True (PTB's 256); default 4",
    )
    parser.add_argument("--mode", choices=["webhook"], default="webhook", help="only webhook for now")
    parser.add_argument(
        "--timeout", type=float, help="give up waiting for replies after this many s (90, 300 profiled)"
    )
    parser.add_argument("--grace", type=float, default=0.5, help="wait for stray replies after the last (s)")
    # internal: the child side
    parser.add_argument("--child", choices=BOTS, help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--secret", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.updates < 1 or args.chats < 1 or args.concurrency < 1:
        parser.error("--updates, --chats and --concurrency must be positive")
    if args.timeout is None:
        args.timeout = 300.0 if args.profile else 90.0
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return asyncio.run(child_main(args))
    return asyncio.run(parent_main(args))


if __name__ == "__main__":
    raise SystemExit(main())
