"""Faults the bot must survive, at length (CI runs short versions: tests/e2e/test_outage.py, ...).

    python -m bench.faults outage [--minutes 5] [--kind 502|hang|refuse] [--residents 50]
    python -m bench.faults kill [--residents 1000]

outage: the bot runs as `python -m bot run` (long polling, SQLite) against the fake Telegram;
residents write "/lich" every `--every` s before, during and after an outage of the Bot API
(`--kind`: 502 Bad Gateway, calls that hang past the client's timeout, connections refused).
Printed: messages written, replies delivered, duplicates, the longest wait from a message to its
reply (and for messages written before the outage ended), outbox rows given up, the most attempts
one message took.

kill: SIGKILL of the bot while `--residents` residents file petitions (bench/petition_crash.py's
crash scenario): petitions lost or doubled.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bot_process import bot_env, import_data, start_bot, wait_until_up  # noqa: E402
from tests.fakes.telegram import FakeTelegram  # noqa: E402

FIRST_CHAT = 40_000
SCHEDULE_MARK = "08/12/2026"  # in every answer to /lich (tests/fixtures/mini-commune.yaml)


async def outage(args: argparse.Namespace) -> int:
    chats = [FIRST_CHAT + i for i in range(args.residents)]
    written: dict[int, list[float]] = {chat: [] for chat in chats}
    with tempfile.TemporaryDirectory() as tmp:
        db, log = Path(tmp) / "outage.db", Path(tmp) / "bot.log"
        async with FakeTelegram() as fake:
            env = bot_env(db, fake, TELEGRAM_MAX_PER_SECOND="0", TELEGRAM_PRIVATE_MAX_PER_SECOND="0")
            import_data(env)
            bot = start_bot(env, log)
            await wait_until_up(fake, FIRST_CHAT - 1)
            down_for = args.minutes * 60
            stop_at = time.monotonic() + args.lead + down_for + args.after

            async def resident(chat: int, offset: float) -> None:
                await asyncio.sleep(offset)
                while time.monotonic() < stop_at:
                    written[chat].append(time.monotonic())
                    await fake.push_text(chat, "/lich", user_id=chat)
                    await asyncio.sleep(args.every)

            writing = [
                asyncio.create_task(resident(chat, args.every * i / len(chats)))
                for i, chat in enumerate(chats)
            ]
            await asyncio.sleep(args.lead)
            print(f"outage ({args.kind}) for {down_for:.0f} s ...", flush=True)
            await fake.outage(args.kind)
            await asyncio.sleep(down_for)
            await fake.outage(None)
            ended = time.monotonic()
            print("the Bot API is back", flush=True)
            await asyncio.gather(*writing)
            expected = sum(len(times) for times in written.values())

            def replies() -> int:
                return sum(len(_answers(fake, chat)) for chat in chats)

            drain_until = time.monotonic() + args.drain
            while replies() < expected and time.monotonic() < drain_until:
                await asyncio.sleep(0.5)
            all_in = time.monotonic() - ended
            await asyncio.sleep(2)  # a repeat would show itself now
            bot.send_signal(signal.SIGTERM)
            bot.wait(timeout=30)
            with sqlite3.connect(db) as conn:
                failed = conn.execute(
                    "select count(*) from outboxmessage where status = 'failed'"
                ).fetchone()[0]
                unsent = conn.execute("select count(*) from outboxmessage where status != 'sent'").fetchone()[
                    0
                ]
                most = conn.execute("select max(attempts) from outboxmessage").fetchone()[0]
                apologies = conn.execute(
                    "select count(*) from inboundupdate where status != 'handled'"
                ).fetchone()[0]

    delays, during, delivered, duplicates, missing = [], [], 0, 0, 0
    for chat in chats:
        answers = _answers(fake, chat)
        delivered += min(len(answers), len(written[chat]))
        duplicates += max(0, len(answers) - len(written[chat]))
        missing += max(0, len(written[chat]) - len(answers))
        for at, answer in zip(written[chat], answers, strict=False):
            delays.append(answer["at"] - at)
            if at <= ended:
                during.append(answer["at"] - at)
    print(f"residents: {len(chats)}; messages written: {expected}; outage: {args.kind}, {down_for:.0f} s")
    print(f"replies delivered: {delivered}; duplicates: {duplicates}; missing: {missing}")
    print(f"longest wait for a reply: {max(delays, default=0):.1f} s"
          f" (messages written before the API came back: {max(during, default=0):.1f} s)")  # fmt: skip
    print(f"every reply out {all_in:.1f} s after the API came back; most attempts of one message: {most}")
    print(f"outbox rows given up: {failed}; still unsent: {unsent}; updates not handled: {apologies}")
    ok = missing == duplicates == failed == 0
    print("RESULT:", "every reply delivered once" if ok else "FAILED")
    return 0 if ok else 1


def _answers(fake: FakeTelegram, chat: int) -> list[dict[str, Any]]:
    return [m for m in fake.sent_to(chat) if m["method"] == "sendMessage" and SCHEDULE_MARK in str(m["text"])]


def kill(args: argparse.Namespace) -> int:
    from bench import petition_crash

    crash_args = argparse.Namespace(
        residents=args.residents,
        kill_after=args.kill_after,
        group_per_minute=20,
        patience=args.patience,
        give_up=args.give_up,
        drain=args.drain,
        keep_db=None,
    )
    return asyncio.run(petition_crash.crash(crash_args))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    verbs = parser.add_subparsers(dest="verb", required=True)
    out = verbs.add_parser("outage", help="the Bot API down for a while")
    out.add_argument("--minutes", type=float, default=5.0)
    out.add_argument("--kind", choices=["502", "hang", "refuse"], default="502")
    out.add_argument("--residents", type=int, default=50)
    out.add_argument("--every", type=float, default=20.0, help="seconds between a resident's messages")
    out.add_argument("--lead", type=float, default=10.0, help="seconds of normal service before the outage")
    out.add_argument("--after", type=float, default=20.0, help="seconds residents go on writing afterwards")
    out.add_argument("--drain", type=float, default=400.0, help="longest wait for the last replies")
    crash = verbs.add_parser("kill", help="SIGKILL under residents filing petitions")
    crash.add_argument("--residents", type=int, default=1000)
    crash.add_argument(
        "--kill-after", type=float, default=0.25, help="share of tracking codes before SIGKILL"
    )
    crash.add_argument("--patience", type=float, default=20.0)
    crash.add_argument("--give-up", type=float, default=40.0)
    crash.add_argument("--drain", type=float, default=60.0)
    args = parser.parse_args()
    if args.verb == "outage":
        sys.exit(asyncio.run(outage(args)))
    sys.exit(kill(args))


if __name__ == "__main__":
    main()
