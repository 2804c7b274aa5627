"""Residents under load, as people behave: a crash in a burst of petitions, or a busy group.

    python bench/petition_crash.py [--residents 100] [--kill-after 0.25]
    python bench/petition_crash.py --scenario group [--group-people 60] [--private-people 40]

A fake Telegram Bot API (tests/fakes/telegram.py) runs in this process and enforces Telegram's
flood limits (20 messages a minute per group, one a second per private chat, 30 a second per bot;
a send over them gets 429); the bot runs as `python -m bot run` (long polling, SQLite) with the
same limits configured. People re-send their step after `--patience` s of silence (20) and give up
after `--give-up` s (40).

crash (default): each resident walks /gui up to the confirm step; then all press "Gửi" at once;
when a share (`--kill-after`) of them has got a tracking code, the bot is killed with SIGKILL and
started again. Printed: per-step wait p50/p95, re-sends, who gave up, tracking codes received,
petitions lost or doubled, announcements to the officials' group delivered, repeated and still
queued (the group gets 20 a minute: with many residents they trickle on after the bench ends).

group: `--group-people` type /gui in a community group while `--private-people` ask a question
privately (after one question that warms the search, as in a bot that has been running); printed:
the private answers' wait p50/p95 (the group's 20 a minute must not hold them), where it went, and
how many group posts left while they waited. On Telegram's 30 messages a second, the 31st to 40th
of 40 answers that are ready at once can leave no sooner than a second after the first: with 40
askers at once p95 (the 38th) is at least 1 s plus handling, whatever the order.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.telegram import FakeTelegram, NothingSent  # noqa: E402

MINI = ROOT / "tests" / "fixtures" / "mini-commune.yaml"
OFFICIALS_GROUP = "-1009000000001"
COMMUNITY_GROUP = -1009000000222
CODE = re.compile(r"\b(?:PA|KN|KH|TC)-[23456789A-HJ-NP-Z]{6}\b")
FIRST_CHAT = 30_000
QUESTION = "duong thon tan son dai bao nhieu"
WALK: list[tuple[str, str]] = [
    ("text", "/gui"),
    ("button", "gui:phan_anh"),
    ("text", "Cống thoát nước ở xóm {chat} bị tắc, nước tràn ra đường."),
    ("button", "gui:skip"),
    ("button", "gui:skip"),
    ("button", "gui:no"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_bot(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class People:
    """How residents fared: waits per step (a give-up counts as its full wait), re-sends, give-ups."""

    patience: float
    give_up: float
    waits: dict[str, list[float]] = field(default_factory=dict)
    resent: int = 0
    gave_up: int = 0

    async def step(
        self, fake: FakeTelegram, chat: int, label: str, push: Callable[[], Coroutine[Any, Any, Any]],
        answered: Callable[[dict[str, Any]], bool] = lambda _: True,
    ) -> bool:  # fmt: skip
        """Do one step; wait for the answer, re-send once after `patience`, give up at `give_up`."""
        while True:  # what came late for an earlier step is not this step's answer
            try:
                await fake.next_sent(chat, timeout=0, method="sendMessage")
            except NothingSent:
                break
        started = time.perf_counter()
        await push()
        deadline, resent = started + self.give_up, False
        while (left := deadline - time.perf_counter()) > 0:
            wait = min(left, self.patience - (time.perf_counter() - started)) if not resent else left
            try:
                message = await fake.next_sent(chat, timeout=max(0.0, wait), method="sendMessage")
            except NothingSent:
                if not resent and time.perf_counter() - started >= self.patience:
                    resent = True
                    self.resent += 1
                    await push()
                continue
            if answered(message):
                self.waits.setdefault(label, []).append(time.perf_counter() - started)
                return True
        self.waits.setdefault(label, []).append(self.give_up)
        self.gave_up += 1
        return False

    def report(self) -> None:
        for label, waits in self.waits.items():
            print(
                f"  {label:<22} n={len(waits):<4} p50 {pct(waits, 0.5):5.1f} s   p95 {pct(waits, 0.95):5.1f} s"
            )
        print(
            f"  re-sent a step after {self.patience:.0f} s of silence: {self.resent}; gave up: {self.gave_up}"
        )


def breakdown(db: Path) -> str:
    """Where private replies spent their time: waiting to be handled, handling plus the outbox (the
    reply row is stamped when handling starts), and how many group posts left meanwhile."""
    chat = "coalesce(json_extract(payload, '$.message.chat.id'),"
    chat += " json_extract(payload, '$.callback_query.message.chat.id'))"
    with sqlite3.connect(db) as conn:
        handling = [float(x) for (x,) in conn.execute(
            "select (julianday(handled_at) - julianday(received_at)) * 86400 from inboundupdate"
            f" where handled_at is not null and {chat} > 0 and {chat} != {FIRST_CHAT - 1}")]  # fmt: skip
        queued = [float(x) for (x,) in conn.execute(
            "select (julianday(sent_at) - julianday(created_at)) * 86400 from outboxmessage"
            f" where sent_at is not null and chat_id not like '-%' and chat_id != '{FIRST_CHAT - 1}'")]  # fmt: skip
        window = conn.execute(
            "select min(created_at), max(sent_at) from outboxmessage where chat_id not like '-%' and chat_id != ?",
            (str(FIRST_CHAT - 1),),
        ).fetchone()
        posts = conn.execute(
            "select count(*) from outboxmessage where chat_id like '-%' and sent_at between ? and ?", window
        ).fetchone()[0]
    return (
        f"  private updates received -> handling starts p50 {pct(handling, 0.5):.1f} s p95 {pct(handling, 0.95):.1f} s;"
        f" handling starts -> reply sent p50 {pct(queued, 0.5):.1f} s p95 {pct(queued, 0.95):.1f} s;"
        f" group posts sent meanwhile: {posts}"
    )


def bot_env(db: Path, fake: FakeTelegram, group_per_minute: int) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "TELEGRAM_POLL_TIMEOUT": "1",
        "TELEGRAM_MAX_PER_SECOND": "30",
        "TELEGRAM_PRIVATE_MAX_PER_SECOND": "1",
        "TELEGRAM_GROUP_MAX_PER_MINUTE": str(group_per_minute),
        "WEB_PORT": str(free_port()),
        "DEMO_DATA": "false",
        "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
    }


async def crash(args: argparse.Namespace) -> int:
    people = People(args.patience, args.give_up)
    residents = args.residents
    chats = [FIRST_CHAT + i for i in range(residents)]
    with tempfile.TemporaryDirectory() as tmp:
        db, log = Path(tmp) / "crash.db", Path(tmp) / "bot.log"
        async with FakeTelegram(enforce_limits=True, group_per_minute=args.group_per_minute) as fake:
            env = bot_env(db, fake, args.group_per_minute)
            subprocess.run([sys.executable, "-m", "bot", "import", str(MINI)], cwd=ROOT, env=env, check=True,
                           capture_output=True)  # fmt: skip
            bot = start_bot(env, log)
            await fake.push_text(FIRST_CHAT - 1, "/start", user_id=FIRST_CHAT - 1)  # the bot is up
            await fake.next_sent(FIRST_CHAT - 1, timeout=60)

            async def resident(chat: int) -> None:
                for n, (kind, value) in enumerate(WALK, start=1):
                    text = value.format(chat=chat)

                    def push(kind: str = kind, text: str = text) -> Coroutine[Any, Any, Any]:
                        if kind == "text":
                            return fake.push_text(chat, text, user_id=chat)
                        return fake.push_callback(chat, chat, text)

                    if not await people.step(fake, chat, f"step {n} ({value[:12]})", push):
                        return
                await people.step(fake, chat, "send (tracking code)", lambda: fake.push_callback(chat, chat, "gui:send"),
                                  answered=lambda m: "Mã hồ sơ" in (m["text"] or ""))  # fmt: skip

            def told() -> Counter[int]:
                return Counter(
                    {
                        chat: sum(1 for m in fake.sent_to(chat) if "Mã hồ sơ" in (m["text"] or ""))
                        for chat in chats
                    }
                )

            started = time.perf_counter()
            walking = [asyncio.create_task(resident(chat)) for chat in chats]
            target = max(1, int(residents * args.kill_after))
            while sum(1 for n in told().values() if n) < target and not all(t.done() for t in walking):
                await asyncio.sleep(0.01)
            bot.send_signal(signal.SIGKILL)
            bot.wait()
            at_kill = sum(1 for n in told().values() if n)
            bot = start_bot(env, log)
            await asyncio.gather(*walking)
            walked = time.perf_counter() - started

            def announced() -> Counter[str]:
                return Counter(m.group() for msg in fake.sent_to(OFFICIALS_GROUP)
                               for m in [CODE.search(msg["text"] or "")] if m)  # fmt: skip

            drain_until = time.perf_counter() + args.drain
            while time.perf_counter() < drain_until:
                with sqlite3.connect(db) as conn:
                    stored = conn.execute("select count(*) from petition").fetchone()[0]
                if len(announced()) >= stored:
                    break
                await asyncio.sleep(0.2)
            await asyncio.sleep(2)  # let any repeat show itself
            bot.send_signal(signal.SIGTERM)
            bot.wait(timeout=30)
            codes_sent = announced()
            told_now = told()
            where_time = breakdown(db)
            codes_told = {m.group() for chat in chats for msg in fake.sent_to(chat)
                          for m in [CODE.search(msg["text"] or "")] if m}  # fmt: skip
            too_many = fake.too_many_requests

        with sqlite3.connect(db) as conn:
            petitions = conn.execute("select count(*) from petition").fetchone()[0]
            per_user = dict(
                conn.execute("select user_id, count(*) from petitionparty group by user_id").fetchall()
            )
            codes_db = {row[0] for row in conn.execute("select code from petition")}
            queued = conn.execute(
                "select count(*) from outboxmessage where chat_id = ? and status in ('pending', 'sending')",
                (OFFICIALS_GROUP,),
            ).fetchone()[0]

    pressed = len(people.waits.get("send (tracking code)", []))
    doubled = sum(1 for n in per_user.values() if n > 1)
    got_code = sum(1 for n in told_now.values() if n)
    told_twice = sum(1 for n in told_now.values() if n > 1)
    lost = len(codes_told - codes_db)  # a resident holds a code the commune has no petition for
    repeated = sum(n - 1 for n in codes_sent.values() if n > 1)
    missing = codes_db - set(codes_sent)
    print(f"residents: {residents}; all done in {walked:.1f} s; SIGKILL when {at_kill} had their code")
    print("per-step wait (from the first try until the answer; a give-up counts as its full wait):")
    people.report()
    print(where_time)
    print(f"tracking codes: {got_code} of {pressed} who pressed 'Gửi' got one; told twice: {told_twice}")
    print(f"petitions stored: {petitions} (lost {lost}, doubled {doubled})")
    print(f"announcements to the officials' group: {sum(codes_sent.values())} for {len(codes_db)} petitions;"
          f" repeated {repeated}; not yet delivered {len(missing)} (queued in the outbox: {queued})")  # fmt: skip
    print(f"429 answers from the fake Telegram: {too_many}")
    lost_announcements = len(missing) - queued if len(missing) > queued else 0
    ok = lost == doubled == lost_announcements == 0
    print("RESULT:", "nothing lost or doubled" if ok else "FAILED")
    if repeated or told_twice:
        print("note: a message sent in the instant between Telegram accepting it and the outbox recording it"
              " is sent again after a crash (Telegram has no idempotency key)")  # fmt: skip
    return 0 if ok else 1


async def busy_group(args: argparse.Namespace) -> int:
    people = People(args.patience, args.give_up)
    with tempfile.TemporaryDirectory() as tmp:
        db, log = Path(tmp) / "group.db", Path(tmp) / "bot.log"
        async with FakeTelegram(enforce_limits=True, group_per_minute=args.group_per_minute) as fake:
            env = bot_env(db, fake, args.group_per_minute)
            subprocess.run([sys.executable, "-m", "bot", "import", str(MINI)], cwd=ROOT, env=env, check=True,
                           capture_output=True)  # fmt: skip
            bot = start_bot(env, log)
            await fake.push_text(FIRST_CHAT - 1, "/start", user_id=FIRST_CHAT - 1)  # the bot is up
            await fake.next_sent(FIRST_CHAT - 1, timeout=60)
            # A question first, as in a bot that has been running: the search index is built and
            # the semantic model loaded on the first one.
            await fake.push_text(FIRST_CHAT - 1, QUESTION, user_id=FIRST_CHAT - 1)
            await fake.next_sent(FIRST_CHAT - 1, timeout=180)
            members = [FIRST_CHAT + 1000 + i for i in range(args.group_people)]
            await asyncio.gather(*(fake.push_text(COMMUNITY_GROUP, "/gui", user_id=m) for m in members))
            await asyncio.sleep(0.5)
            askers = [FIRST_CHAT + i for i in range(args.private_people)]

            async def ask(chat: int) -> None:
                await people.step(
                    fake, chat, "private answer", lambda: fake.push_text(chat, QUESTION, user_id=chat)
                )

            await asyncio.gather(*(ask(chat) for chat in askers))
            in_group = len(fake.sent_to(COMMUNITY_GROUP))
            too_many = fake.too_many_requests
            bot.send_signal(signal.SIGTERM)
            bot.wait(timeout=30)
        where_time = breakdown(db)
        if args.keep_db:
            shutil.copy(db, args.keep_db)
            shutil.copy(log, args.keep_db.with_suffix(".log"))
    print(f"{args.group_people} people typed /gui in a group while {args.private_people} asked privately")
    people.report()
    print(where_time)
    print(f"group replies delivered meanwhile: {in_group} (the group gets {args.group_per_minute} a minute)")
    print(f"429 answers from the fake Telegram: {too_many}")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scenario", choices=["crash", "group"], default="crash")
    parser.add_argument("--residents", type=int, default=100)
    parser.add_argument(
        "--kill-after", type=float, default=0.25, help="share of tracking codes before SIGKILL"
    )
    parser.add_argument("--group-people", type=int, default=60)
    parser.add_argument("--private-people", type=int, default=40)
    parser.add_argument("--group-per-minute", type=int, default=20)
    parser.add_argument("--keep-db", type=Path, help="copy the bot's database here at the end")
    parser.add_argument("--patience", type=float, default=20.0, help="silence before a person re-sends")
    parser.add_argument("--give-up", type=float, default=40.0, help="silence before a person gives up")
    parser.add_argument(
        "--drain", type=float, default=60.0, help="seconds to wait for announcements at the end"
    )
    args = parser.parse_args()
    run = busy_group if args.scenario == "group" else crash
    sys.exit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
