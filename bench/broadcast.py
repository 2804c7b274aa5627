"""Broadcast: one notice to 1,000 Telegram groups through a fake Bot API that enforces Telegram's limits.

    python bench/broadcast.py [--groups 1000] [--kill-at 500]

The fake (tests/fakes/telegram.py, enforce_limits=True) answers 429 past 30 messages a second
overall or 20 a minute per group. The bot runs as `python -m bot run` with its default
TELEGRAM_MAX_PER_SECOND=30; a disclosure published today is imported and the bot announces it to
every group. Printed: total time against the floor (groups / 30 s), 429s received, duplicates;
then the same with the bot killed (SIGKILL) halfway and restarted.
"""

from __future__ import annotations

import argparse
import asyncio
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


async def run_once(groups: int, kill_at: int | None) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        async with FakeTelegram(enforce_limits=True) as fake:
            env = bot_env(folder / "b.db", fake, QUIET_HOURS="")
            import_data(env, data_file(folder, groups))

            def delivered() -> int:
                return sum(1 for m in fake.sent if m["method"] == "sendMessage")

            bot = start_bot(env)
            while delivered() == 0:
                await asyncio.sleep(0.01)
            first = time.perf_counter()
            if kill_at is not None:
                while delivered() < kill_at:
                    await asyncio.sleep(0.01)
                bot.send_signal(signal.SIGKILL)
                bot.wait()
                bot = start_bot(env)
            deadline = time.perf_counter() + groups / RATE * 3 + 60
            while delivered() < groups and time.perf_counter() < deadline:
                await asyncio.sleep(0.01)
            total = time.perf_counter() - first
            await asyncio.sleep(3)  # any duplicate would show now
            bot.send_signal(signal.SIGTERM)
            bot.wait(timeout=30)
            per_group = Counter(str(m["chat_id"]) for m in fake.sent if m["method"] == "sendMessage")
            return {
                "seconds": total,
                "delivered_groups": float(len(per_group)),
                "duplicates": float(sum(n - 1 for n in per_group.values() if n > 1)),
                "429s": float(fake.too_many_requests),
            }


async def main_async(groups: int, kill_at: int) -> int:
    floor = groups / RATE
    print(f"one notice to {groups} groups; floor {floor:.1f} s (Telegram: 30 messages/s)")
    print(f"{'run':<22}{'seconds':>9}{'vs floor':>10}{'groups':>8}{'429s':>6}{'duplicates':>12}")
    ok = True
    for name, kill in (("straight", None), (f"SIGKILL at {kill_at}", kill_at)):
        r = await run_once(groups, kill)
        over = 100 * (r["seconds"] / floor - 1)
        print(f"{name:<22}{r['seconds']:>9.1f}{over:>+9.1f}%{r['delivered_groups']:>8.0f}{r['429s']:>6.0f}"
              f"{r['duplicates']:>12.0f}")  # fmt: skip
        ok &= r["delivered_groups"] == groups
    return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--groups", type=int, default=1000)
    parser.add_argument("--kill-at", type=int, default=500)
    args = parser.parse_args()
    sys.exit(asyncio.run(main_async(args.groups, args.kill_at)))


if __name__ == "__main__":
    main()
