"""Faults on the province layout (deploy/province/), at length: `python -m bench.faults kill` and
`python -m bench.faults pgrestart`.

A PostgreSQL cluster of the bench's own (tests/e2e/test_postgres_restart.Cluster), one commune
imported, two `python -m bot run` workers behind one front (tests/e2e/province_processes.py), the
fake Telegram enforcing its flood limits and pushing each resident's update to the front's webhook
(sent again until the front answers 200, as Telegram redelivers). Residents walk /gui up to the
tracking code (bench/petition_crash.py's walk, bench/residents.People's patience); when a share
(`--kill-after`) of them holds a code, the fault: SIGKILL of the worker holding the Telegram
sending lock (storage/sending.py; `--victim sender`) or of the other one (`--victim other`), the
killed worker started again a second later (the compose file's restart policy); or PostgreSQL
stopped for `--down` s and started again (`pgrestart`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Coroutine
from functools import partial
from pathlib import Path
from typing import Any

import aiohttp
import psycopg

from bench.bot_process import percentile
from bench.petition_crash import CODE, FIRST_CHAT, OFFICIALS_GROUP, WALK
from bench.residents import People
from storage.sending import LOCK_SPACE, channel_key
from tests.e2e.province_processes import Front, Worker, worker_env
from tests.e2e.test_postgres_restart import Cluster, _pg_bin
from tests.e2e.test_province_faults import commune_file, import_file, until
from tests.fakes.telegram import FakeTelegram

SLUG = "tan-lap"
TOKEN = "111:TAN-LAP"


def sender_port(url: str) -> int | None:
    """The client port of the connection holding the commune's Telegram sending lock."""
    key = channel_key(f"{SLUG}/telegram") & 0xFFFFFFFF  # pg_locks shows the key as an unsigned oid
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT a.client_port FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = %s AND l.objid = %s",
            (LOCK_SPACE, key),
        ).fetchone()
    return None if row is None else int(row[0])


def owns_port(pid: int, port: int) -> bool:
    """Whether process `pid` has a TCP socket whose local port is `port` (Linux /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as lines:
            for line in list(lines)[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(fields[9])
    fds = Path(f"/proc/{pid}/fd")
    with contextlib.suppress(OSError):
        for fd in fds.iterdir():
            with contextlib.suppress(OSError):
                if (link := fd.readlink().name).startswith("socket:[") and link[8:-1] in inodes:
                    return True
    return False


def sender(url: str, workers: list[Worker]) -> Worker | None:
    port = sender_port(url)
    if port is None:
        return None
    return next((w for w in workers if w.proc is not None and owns_port(w.proc.pid, port)), None)


async def province_faults(args: argparse.Namespace, fault: str) -> int:
    bin_dir = _pg_bin()
    if bin_dir is None or not (bin_dir / "initdb").exists():
        print("PostgreSQL's initdb and pg_ctl are not installed")
        return 2
    root = Path(tempfile.mkdtemp(prefix="faults17-pg-"))
    tmp = Path(tempfile.mkdtemp(prefix="faults17-run-"))
    cluster = Cluster(bin_dir, root)
    try:
        cluster.init()
        cluster.start()
        await import_file(cluster.url, commune_file(tmp, SLUG, None))
        fake = FakeTelegram(TOKEN, enforce_limits=True, group_per_minute=args.group_per_minute)
        workers: list[Worker] = []
        async with fake, Front({SLUG: workers}) as front:
            env = worker_env(
                DATABASE_URL=cluster.url, COMMUNE_ID=SLUG, DEMO_DATA="false", SEMANTIC_SEARCH="false",
                TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_BASE_URL=fake.base_url,
                TELEGRAM_WEBHOOK_URL=f"{front.base}/{SLUG}/telegram/webhook",
                TELEGRAM_MAX_PER_SECOND="30", TELEGRAM_PRIVATE_MAX_PER_SECOND="1",
                TELEGRAM_GROUP_MAX_PER_MINUTE=str(args.group_per_minute), QUIET_HOURS="",
                WEB_HOST="127.0.0.1",
            )  # fmt: skip
            workers.extend(Worker(SLUG, env, tmp / f"worker-{i}.log") for i in range(2))
            try:
                for worker in workers:
                    worker.start()
                async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=3)) as http:
                    for worker in workers:
                        await until(partial(worker.healthy, http), 90, f"{worker.log.name} up")
                await until(partial(_webhook_set, fake), 30, "the webhook")
                await _push(fake, fake.make_text_update(FIRST_CHAT - 1, "/start"))
                await fake.next_sent(FIRST_CHAT - 1, timeout=60)
                return await _load(args, fault, cluster, fake, front, workers)
            finally:
                for worker in workers:
                    worker.terminate()
                for worker in workers:
                    worker.stop()
                if args.keep_logs:
                    for log in tmp.glob("*.log"):
                        shutil.copy(log, args.keep_logs / log.name)
    finally:
        with contextlib.suppress(subprocess.SubprocessError):
            cluster.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)


async def _webhook_set(fake: FakeTelegram) -> bool:
    return bool(fake.webhook_url)


async def _push(fake: FakeTelegram, update: dict[str, Any]) -> None:
    """Telegram's webhook delivery: sent again until the bot's address answers 200."""
    while True:
        with contextlib.suppress(aiohttp.ClientError, TimeoutError):
            if await fake.push(update) == 200:
                return
        await asyncio.sleep(1.0)


async def _load(
    args: argparse.Namespace,
    fault: str,
    cluster: Cluster,
    fake: FakeTelegram,
    front: Front,
    workers: list[Worker],
) -> int:
    people = People(args.patience, args.give_up)
    chats = [FIRST_CHAT + i for i in range(args.residents)]

    async def resident(chat: int) -> None:
        for n, (kind, value) in enumerate(WALK, start=1):
            text = value.format(chat=chat)

            def push(kind: str = kind, text: str = text) -> Coroutine[Any, Any, Any]:
                if kind == "text":
                    return _push(fake, fake.make_text_update(chat, text, user_id=chat))
                return _push(fake, fake.make_callback_update(chat, chat, text))

            if not await people.step(fake, chat, f"step {n} ({value[:12]})", push):
                return
        await people.step(fake, chat, "send (tracking code)",
                          lambda: _push(fake, fake.make_callback_update(chat, chat, "gui:send")),
                          answered=lambda m: "Mã hồ sơ" in (m["text"] or ""))  # fmt: skip

    def told() -> Counter[int]:
        return Counter({chat: sum(1 for m in fake.sent_to(chat) if "Mã hồ sơ" in (m["text"] or ""))
                        for chat in chats})  # fmt: skip

    started = time.monotonic()
    walking = [asyncio.create_task(resident(chat)) for chat in chats]
    target = max(1, int(args.residents * args.kill_after))
    while sum(1 for n in told().values() if n) < target and not all(t.done() for t in walking):
        await asyncio.sleep(0.05)
    at_fault = sum(1 for n in told().values() if n)
    holder = await asyncio.to_thread(sender, cluster.url, workers)
    sent_before, fault_at = len(fake.sent), time.monotonic()
    if fault == "pgrestart":
        await asyncio.to_thread(cluster.stop)
        await asyncio.sleep(args.down)
        await asyncio.to_thread(cluster.start)
        what = (
            f"PostgreSQL stopped for {args.down:.0f} s ({time.monotonic() - fault_at:.1f} s with the restart)"
        )
    else:
        if holder is None:
            print("RESULT: FAILED (no worker holds the Telegram sending lock)")
            return 1
        victim = holder if args.victim == "sender" else next(w for w in workers if w is not holder)
        await asyncio.to_thread(victim.kill)
        await asyncio.sleep(1.0)
        victim.start()  # restart: unless-stopped
        role = "the sender" if victim is holder else "the worker not sending"
        what = f"SIGKILL of {role} ({victim.log.stem}), started again 1 s later"
    back_at = time.monotonic()
    await asyncio.gather(*walking)
    walked = time.monotonic() - started
    after = [m["at"] for m in fake.sent[sent_before:] if m["at"] > fault_at]
    first = after[0] - fault_at if after else float("nan")
    gaps = [b - a for a, b in zip([fault_at, *after], after, strict=False)]
    silence = max(gaps, default=float("nan"))
    new_sender = await asyncio.to_thread(sender, cluster.url, workers)

    def announced() -> Counter[str]:
        return Counter(m.group() for msg in fake.sent_to(OFFICIALS_GROUP)
                       for m in [CODE.search(msg["text"] or "")] if m)  # fmt: skip

    petitions = await asyncio.to_thread(_petitions, cluster.url)
    drain_until = time.monotonic() + args.drain
    while len(announced()) < petitions[0] and time.monotonic() < drain_until:
        await asyncio.sleep(0.5)
    await asyncio.sleep(2)  # a repeat would show itself now
    stored, per_user, codes_db, queued = await asyncio.to_thread(_petitions, cluster.url)
    told_now, codes_sent = told(), announced()
    codes_told = {m.group() for chat in chats for msg in fake.sent_to(chat)
                  for m in [CODE.search(msg["text"] or "")] if m}  # fmt: skip
    pressed = len(people.waits.get("send (tracking code)", []))
    doubled = sum(1 for n in per_user.values() if n > 1)
    got_code = sum(1 for n in told_now.values() if n)
    told_twice = sum(1 for n in told_now.values() if n > 1)
    lost = len(codes_told - codes_db)
    repeated = sum(n - 1 for n in codes_sent.values() if n > 1)
    missing = codes_db - set(codes_sent)
    all_steps = [w for waits in people.waits.values() for w in waits]
    print(f"province layout: PostgreSQL, 2 workers behind one front; residents: {args.residents};"
          f" all done in {walked:.1f} s")  # fmt: skip
    print(f"fault when {at_fault} had their code: {what}")
    back = [at - back_at for at in after if at > back_at]
    ended = f" ({back[0]:.1f} s after PostgreSQL was back)" if back and fault == "pgrestart" else ""
    print(f"first reply {first:.1f} s after the fault began{ended}; longest silence in sending after it:"
          f" {silence:.1f} s; the sender before it: {holder.log.stem if holder else 'none'}, after it:"
          f" {new_sender.log.stem if new_sender else 'none'};"
          f" requests passed to the other worker: {front.failovers}")  # fmt: skip
    print("per-step wait (from the first try until the answer; a give-up counts as its full wait):")
    people.report()
    print(
        f"  every step together: p50 {percentile(all_steps, 0.5):.1f} s, p95 {percentile(all_steps, 0.95):.1f} s"
    )
    twice_at = sorted(
        round(m["at"] - fault_at, 2)
        for chat, n in told_now.items() if n > 1
        for m in fake.sent_to(chat) if "Mã hồ sơ" in (m["text"] or "")
    )  # fmt: skip
    print(f"tracking codes: {got_code} of {pressed} who pressed 'Gửi' got one; told twice: {told_twice}"
          f" (those sends, s from the fault: {twice_at[:40]})")  # fmt: skip
    print(f"petitions stored: {stored} (lost {lost}, doubled {doubled})")
    print(f"announcements to the officials' group: {sum(codes_sent.values())} for {len(codes_db)} petitions;"
          f" repeated {repeated}; not yet delivered {len(missing)} (queued in the outbox: {queued})")  # fmt: skip
    print(f"429 answers from the fake Telegram: {fake.too_many_requests}")
    lost_announcements = max(0, len(missing) - queued)
    ok = lost == doubled == lost_announcements == 0 and got_code == pressed
    print("RESULT:", "nothing lost or doubled" if ok else "FAILED")
    return 0 if ok else 1


def _petitions(url: str) -> tuple[int, dict[str, int], set[str], int]:
    """Petitions stored, petitions per resident, their codes, announcements still queued."""
    with psycopg.connect(url, autocommit=True) as conn:
        codes = {str(code) for (code,) in conn.execute("SELECT code FROM petition").fetchall()}
        per_user: dict[Any, Any] = dict(
            conn.execute("SELECT user_id, count(*) FROM petitionparty GROUP BY user_id").fetchall()
        )
        queued = conn.execute(
            "SELECT count(*) FROM outboxmessage WHERE chat_id = %s AND status IN ('pending', 'sending')",
            (OFFICIALS_GROUP,),
        ).fetchone()
    return len(codes), {str(k): int(v) for k, v in per_user.items()}, codes, int(queued[0] if queued else 0)
