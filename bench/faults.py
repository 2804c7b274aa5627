"""Faults the bot must survive, at length (CI runs short versions: tests/e2e/test_outage.py, ...).

    python -m bench.faults outage [--channel telegram|zalo] [--minutes 5] [--kind 502|hang|refuse]
    python -m bench.faults kill [--victim sender|other] [--residents 1000]   # --single: SQLite
    python -m bench.faults pgrestart [--down 5] [--residents 1000]

outage: the bot runs as `python -m bot run` (SQLite) against the fake Telegram (long polling) or
the fake Zalo Bot (webhook: updates keep coming, the sending API is down); residents write "/lich"
every `--every` s before, during and after an outage of the messenger's API (`--kind`: 502 Bad
Gateway, calls that hang past the client's timeout, connections refused). Printed: messages
written, replies delivered, duplicates, the longest wait from a message to its reply (and for
messages written before the outage ended), outbox rows given up, the most attempts one message took.

kill, pgrestart: the province layout (bench/faults_province.py): PostgreSQL, two workers behind
one front, `--residents` residents filing petitions; SIGKILL of the worker holding the sending
lock (or the other one), or PostgreSQL restarted. Printed: tracking codes received, petitions lost
or doubled, residents told their code twice, 429s, the first reply after the fault, step p95.
`kill --single`: one process on SQLite (bench/petition_crash.py's crash scenario).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sqlite3
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bot_process import bot_env, free_port, import_data, start_bot, wait_until_up  # noqa: E402
from tests.fakes.telegram import FakeTelegram  # noqa: E402
from tests.fakes.zalo import FakeZaloBot  # noqa: E402

FIRST_CHAT = 40_000
SCHEDULE_MARK = "08/12/2026"  # in every answer to /lich (tests/fixtures/mini-commune.yaml)


class TelegramSide:
    """The fake Telegram, the bot long polling it."""

    name = "Telegram"

    def __init__(self, fake: FakeTelegram) -> None:
        self.fake = fake

    def env(self, db: Path) -> dict[str, str]:
        return bot_env(db, self.fake, TELEGRAM_MAX_PER_SECOND="0", TELEGRAM_PRIVATE_MAX_PER_SECOND="0")

    async def up(self) -> None:
        await wait_until_up(self.fake, FIRST_CHAT - 1)

    async def write(self, chat: int) -> None:
        await self.fake.push_text(chat, "/lich", user_id=chat)

    def answered_at(self, chat: int) -> list[float]:
        return [m["at"] for m in self.fake.sent_to(chat)
                if m["method"] == "sendMessage" and SCHEDULE_MARK in str(m["text"])]  # fmt: skip


class ZaloSide:
    """The fake Zalo Bot Platform (its quirks on: one update a poll, the bot's sends echoed back),
    the bot taking updates by webhook: they keep coming while the sending API is down."""

    name = "Zalo"

    def __init__(self, fake: FakeZaloBot) -> None:
        self.fake = fake

    def env(self, db: Path) -> dict[str, str]:
        port = free_port()
        return {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{db}",
            "TELEGRAM_BOT_TOKEN": "",
            "ZALO_BOT_TOKEN": self.fake.token,
            "ZALO_API_BASE_URL": self.fake.api_base,
            "ZALO_WEBHOOK_URL": f"http://127.0.0.1:{port}/zalo/webhook",
            "ZALO_WEBHOOK_SECRET": "bench-faults-zalo",
            "ZALO_MAX_PER_SECOND": "0",
            "ZALO_PRIVATE_MAX_PER_SECOND": "0",
            "WEB_HOST": "127.0.0.1",
            "WEB_PORT": str(port),
            "DEMO_DATA": "false",
            "LOG_LEVEL": "WARNING",
        }

    async def up(self) -> None:
        deadline = time.monotonic() + 60
        while self.fake._webhook is None:
            if time.monotonic() > deadline:
                raise RuntimeError("the bot never set its Zalo webhook")
            await asyncio.sleep(0.2)
        await self.fake.push_text(str(FIRST_CHAT - 1), "/start")
        await self.fake.next_sent(str(FIRST_CHAT - 1), timeout=60)

    async def write(self, chat: int) -> None:
        await self.fake.push_text(str(chat), "/lich")

    def answered_at(self, chat: int) -> list[float]:
        return [s.at for s in self.fake.sent if s.chat_id == str(chat) and s.method == "sendMessage"
                and SCHEDULE_MARK in str(s.params.get("text"))]  # fmt: skip


@asynccontextmanager
async def messenger(channel: str) -> AsyncIterator[TelegramSide | ZaloSide]:
    if channel == "zalo":
        async with FakeZaloBot() as zalo:
            yield ZaloSide(zalo)
    else:
        async with FakeTelegram() as telegram:
            yield TelegramSide(telegram)


async def outage(args: argparse.Namespace) -> int:
    chats = [FIRST_CHAT + i for i in range(args.residents)]
    written: dict[int, list[float]] = {chat: [] for chat in chats}
    with tempfile.TemporaryDirectory() as tmp:
        db, log = Path(tmp) / "outage.db", Path(tmp) / "bot.log"
        async with messenger(args.channel) as side:
            env = side.env(db)
            import_data(env)
            bot = start_bot(env, log)
            await side.up()
            down_for = args.minutes * 60
            stop_at = time.monotonic() + args.lead + down_for + args.after

            async def resident(chat: int, offset: float) -> None:
                await asyncio.sleep(offset)
                while time.monotonic() < stop_at:
                    written[chat].append(time.monotonic())
                    await side.write(chat)
                    await asyncio.sleep(args.every)

            writing = [
                asyncio.create_task(resident(chat, args.every * i / len(chats)))
                for i, chat in enumerate(chats)
            ]
            await asyncio.sleep(args.lead)
            print(f"{side.name} outage ({args.kind}) for {down_for:.0f} s ...", flush=True)
            await side.fake.outage(args.kind)
            await asyncio.sleep(down_for)
            await side.fake.outage(None)
            ended = time.monotonic()
            print(f"the {side.name} API is back", flush=True)
            await asyncio.gather(*writing)
            expected = sum(len(times) for times in written.values())

            def replies() -> int:
                return sum(len(side.answered_at(chat)) for chat in chats)

            drain_until = time.monotonic() + args.drain
            while replies() < expected and time.monotonic() < drain_until:
                await asyncio.sleep(0.5)
            all_in = time.monotonic() - ended
            await asyncio.sleep(2)  # a repeat would show itself now
            bot.send_signal(signal.SIGTERM)
            bot.wait(timeout=30)
            answered = {chat: side.answered_at(chat) for chat in chats}
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
        answers = answered[chat]
        delivered += min(len(answers), len(written[chat]))
        duplicates += max(0, len(answers) - len(written[chat]))
        missing += max(0, len(written[chat]) - len(answers))
        for at, answer_at in zip(written[chat], answers, strict=False):
            delays.append(answer_at - at)
            if at <= ended:
                during.append(answer_at - at)
    print(f"{args.channel}: residents: {len(chats)}; messages written: {expected}; outage: {args.kind},"
          f" {down_for:.0f} s")  # fmt: skip
    print(f"replies delivered: {delivered}; duplicates: {duplicates}; missing: {missing}")
    print(f"longest wait for a reply: {max(delays, default=0):.1f} s"
          f" (messages written before the API came back: {max(during, default=0):.1f} s)")  # fmt: skip
    print(f"every reply out {all_in:.1f} s after the API came back; most attempts of one message: {most}")
    print(f"outbox rows given up: {failed}; still unsent: {unsent}; updates not handled: {apologies}")
    ok = missing == duplicates == failed == 0
    print("RESULT:", "every reply delivered once" if ok else "FAILED")
    return 0 if ok else 1


def kill(args: argparse.Namespace) -> int:
    if not args.single:
        from bench.faults_province import province_faults

        return asyncio.run(province_faults(args, "kill"))
    from bench import petition_crash

    crash_args = argparse.Namespace(
        residents=args.residents,
        kill_after=args.kill_after,
        group_per_minute=args.group_per_minute,
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
    out.add_argument("--channel", choices=["telegram", "zalo"], default="telegram")
    out.add_argument("--residents", type=int, default=50)
    out.add_argument("--every", type=float, default=20.0, help="seconds between a resident's messages")
    out.add_argument("--lead", type=float, default=10.0, help="seconds of normal service before the outage")
    out.add_argument("--after", type=float, default=20.0, help="seconds residents go on writing afterwards")
    out.add_argument("--drain", type=float, default=400.0, help="longest wait for the last replies")
    crash = verbs.add_parser("kill", help="SIGKILL of a worker under residents filing petitions")
    crash.add_argument("--victim", choices=["sender", "other"], default="sender",
                       help="the worker holding the sending lock, or the other one")  # fmt: skip
    crash.add_argument("--single", action="store_true", help="one process on SQLite (petition_crash)")
    restart = verbs.add_parser("pgrestart", help="PostgreSQL restarted under residents filing petitions")
    restart.add_argument("--down", type=float, default=5.0, help="seconds PostgreSQL stays stopped")
    for verb in (crash, restart):
        verb.add_argument("--residents", type=int, default=1000)
        verb.add_argument(
            "--kill-after", type=float, default=0.25, help="share of tracking codes before the fault"
        )
        verb.add_argument("--patience", type=float, default=20.0)
        verb.add_argument("--give-up", type=float, default=40.0)
        verb.add_argument("--drain", type=float, default=60.0)
        verb.add_argument("--group-per-minute", type=int, default=20)
        verb.add_argument("--keep-logs", type=Path, help="copy the workers' logs to this folder")
    args = parser.parse_args()
    if args.verb == "outage":
        sys.exit(asyncio.run(outage(args)))
    if args.verb == "pgrestart":
        from bench.faults_province import province_faults

        sys.exit(asyncio.run(province_faults(args, "pgrestart")))
    sys.exit(kill(args))


if __name__ == "__main__":
    main()
