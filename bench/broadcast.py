"""Broadcast: one notice to 1,000 Telegram groups through a fake Bot API that enforces Telegram's limits.

    python bench/broadcast.py [--groups 1000] [--kill-at 500] [--askers 20]

The fake (tests/fakes/telegram.py, enforce_limits=True) answers 429 past 30 messages a second
overall or 20 a minute per group. The bot runs as `python -m bot run` with its default
TELEGRAM_MAX_PER_SECOND=30; a disclosure published today is imported and the bot announces it to
every group. When a quarter of the groups have it, `--askers` residents ask a question privately:
their answers share the bot's 30 a second with the broadcast and should not wait for it (one
question is asked at start-up first, as in a bot that has been running: the first builds the search
index and loads the semantic model; the askers wait until it is answered).

Printed per run: time from the first group send to the last against the floor ((groups + answers)
/ 30 s: Telegram's rate allows no faster), groups reached, 429s, duplicates (a group that got the
notice twice), and the askers' wait for their answer (p50/p95). The second run kills the bot
(SIGKILL) when `--kill-at` groups have the notice and starts it again: the restart (a new Python
process, migrations, connecting to Telegram) is time nobody sends, so the floor comparison is also
printed without it ("excl. restart"); a notice sent in the instant between Telegram's answer and the
outbox's record is sent again after the crash and shows as a duplicate.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bot_process import MINI, bot_env, import_data, start_bot  # noqa: E402
from storage.importer import load_file  # noqa: E402
from tests.fakes.telegram import FakeTelegram  # noqa: E402

RATE = 30.0
QUESTION = "duong thon tan son dai bao nhieu"
FIRST_ASKER = 40_000


def data_file(folder: Path, groups: int) -> Path:
    data: dict[str, Any] = load_file(MINI)
    today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    data["disclosures"] = [
        {
            "id": "thong-bao-moi",
            "title": "Thông báo lịch tiêm chủng mở rộng tháng 12",
            "category": "khac",
            "published_at": today.isoformat(),
            "posted_until": (today + timedelta(days=30)).isoformat(),
            "body": "Trạm y tế xã tổ chức tiêm chủng mở rộng ngày 10 hằng tháng.",
        }
    ]
    data["events"] = []
    data["groups"] = [
        {"id": f"g{i:04d}", "name": f"Nhóm {i}", "channel": "telegram", "chat_id": str(-1002000000000 - i)}
        for i in range(groups)
    ]
    path = folder / "broadcast.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


async def run_once(groups: int, kill_at: int | None, askers: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        async with FakeTelegram(enforce_limits=True) as fake:
            env = bot_env(folder / "b.db", fake, QUIET_HOURS="")
            import_data(env, data_file(folder, groups))

            def to_groups() -> list[dict[str, Any]]:
                return [
                    m for m in fake.sent if m["method"] == "sendMessage" and str(m["chat_id"]).startswith("-")
                ]

            waits: list[float] = []

            async def ask(chat: int) -> None:
                asked = time.perf_counter()
                await fake.push_text(chat, QUESTION, user_id=chat)
                await fake.next_sent(chat, timeout=120, method="sendMessage")
                waits.append(time.perf_counter() - asked)

            bot = start_bot(env)
            # A question first, as in a bot that has been running: the search index is built and
            # the semantic model loaded on the first one. The askers wait until it is answered.
            warm = asyncio.create_task(fake.push_text(FIRST_ASKER - 1, QUESTION, user_id=FIRST_ASKER - 1))
            warmed = asyncio.create_task(fake.next_sent(FIRST_ASKER - 1, timeout=300, method="sendMessage"))
            while not to_groups():
                await asyncio.sleep(0.01)
            first = to_groups()[0]["at"]
            cpu_at_first = cpu_seconds(bot.pid)
            asking: list[asyncio.Task[None]] = []
            gap = 0.0
            deadline = time.perf_counter() + groups / RATE * 3 + 60
            while len(to_groups()) < groups and time.perf_counter() < deadline:
                if not asking and len(to_groups()) >= groups // 4 and warmed.done():
                    asking = [asyncio.create_task(ask(FIRST_ASKER + i)) for i in range(askers)]
                if kill_at is not None and len(to_groups()) >= kill_at:
                    bot.send_signal(signal.SIGKILL)
                    bot.wait()
                    killed = time.monotonic()
                    bot = start_bot(env)
                    # what the dead process had on the wire lands now: no new process sends this soon
                    await asyncio.sleep(0.1)
                    before = len(to_groups())
                    while len(to_groups()) == before:
                        await asyncio.sleep(0.01)
                    gap = to_groups()[before]["at"] - killed
                    kill_at = None
                await asyncio.sleep(0.01)
            await asyncio.gather(warm, warmed, *asking)
            # the bot's CPU from its first group send to its last (with the answers): a figure the
            # machine's load distorts far less than seconds; not for a run with a restart
            cpu = float("nan") if gap else cpu_seconds(bot.pid) - cpu_at_first
            total = to_groups()[-1]["at"] - first
            await asyncio.sleep(3)  # any duplicate would show now
            bot.send_signal(signal.SIGTERM)
            bot.wait(timeout=30)
            per_group = Counter(str(m["chat_id"]) for m in to_groups())
            return {
                "seconds": total,
                "restart": gap,
                "delivered_groups": float(len(per_group)),
                "duplicates": float(sum(n - 1 for n in per_group.values() if n > 1)),
                "429s": float(fake.too_many_requests),
                "ask_p50": pct(waits, 0.5),
                "ask_p95": pct(waits, 0.95),
                "cpu": cpu,
            }


async def main_async(groups: int, kill_at: int, askers: int) -> int:
    floor = (groups + askers) / RATE
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"one notice to {groups} groups, {askers} private questions meanwhile;"
          f" floor {floor:.1f} s (Telegram: 30 messages/s); load average {load}")  # fmt: skip
    print(f"{'run':<18}{'seconds':>8}{'ratio':>7}{'vs floor':>10}{'excl. restart':>14}{'groups':>8}{'429s':>6}"
          f"{'duplicates':>11}{'answer p50/p95':>16}")  # fmt: skip
    ok = True
    ratios: list[str] = []
    for name, kill in (("straight", None), (f"SIGKILL at {kill_at}", kill_at)):
        r = await run_once(groups, kill, askers)
        over = 100 * (r["seconds"] / floor - 1)
        sending = 100 * ((r["seconds"] - r["restart"]) / floor - 1)
        restart = f"{sending:+.1f}%" if r["restart"] else "-"
        ratios.append(f"{name} {r['seconds'] / floor:.3f}")
        if r["restart"]:
            ratios[-1] += f" ({(r['seconds'] - r['restart']) / floor:.3f} excl. restart)"
        print(f"{name:<18}{r['seconds']:>8.1f}{r['seconds'] / floor:>7.3f}{over:>+9.1f}%{restart:>14}{r['delivered_groups']:>8.0f}"
              f"{r['429s']:>6.0f}{r['duplicates']:>11.0f}{r['ask_p50']:>9.1f}/{r['ask_p95']:.1f} s")  # fmt: skip
        if r["restart"]:
            print(f"{'':<18}(the restart took {r['restart']:.1f} s from the kill to the next send)")
        else:
            print(f"{'':<18}(the bot's CPU from the first group send to the last: {r['cpu']:.1f} s)")
        ok &= r["delivered_groups"] == groups
    print(f"ratio to the floor (target ≤ 1.05): {'; '.join(ratios)}")
    return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--groups", type=int, default=1000)
    parser.add_argument("--kill-at", type=int, default=500)
    parser.add_argument("--askers", type=int, default=20, help="private questions during the broadcast")
    args = parser.parse_args()
    sys.exit(asyncio.run(main_async(args.groups, args.kill_at, args.askers)))


if __name__ == "__main__":
    main()
