"""Restart: from a SIGKILL in the middle of a broadcast to the next send, several times over.

    python bench/restart.py [--kills 5] [--groups 3000]

The bot (`python -m bot run`, SQLite, long polling the fake Telegram with Telegram's limits
enforced) announces one notice to `--groups` groups; every few seconds it is killed with SIGKILL
and started again. Printed per restart: seconds from the kill to the next group send, and the new
process's CPU seconds until then (user + system: what the machine's load distorts least), then
their medians; the fake's 429s (the new process must not push the bot over 30 a second with what
the dead one sent in its last second) and duplicates (notices the dead one had sent but not yet
recorded: sent again, at least once). bench/broadcast.py measures the whole broadcast.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bot_process import bot_env, import_data, start_bot  # noqa: E402
from bench.broadcast import cpu_seconds, data_file  # noqa: E402
from tests.fakes.telegram import FakeTelegram  # noqa: E402


async def run(kills: int, groups: int, every: float) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        async with FakeTelegram(enforce_limits=True) as fake:
            env = bot_env(folder / "b.db", fake, QUIET_HOURS="")
            import_data(env, data_file(folder, groups))

            def to_groups() -> list[dict[str, Any]]:
                return [
                    m for m in fake.sent if m["method"] == "sendMessage" and str(m["chat_id"]).startswith("-")
                ]

            async def next_send(after: int, timeout: float = 120) -> float:
                """When the fake got the group send after the first `after`."""
                deadline = time.monotonic() + timeout
                while len(to_groups()) <= after:
                    if time.monotonic() > deadline:
                        raise TimeoutError("no send")
                    await asyncio.sleep(0.005)
                return float(to_groups()[after]["at"])

            bot = start_bot(env)
            await next_send(0)
            gaps: list[float] = []
            cpus: list[float] = []
            print(f"{'restart':>8}{'kill to send':>14}{'CPU until then':>16}")
            for n in range(kills):
                await asyncio.sleep(every)
                if len(to_groups()) >= groups - 30 * (every + 5):
                    print("(out of groups: use more --groups)")
                    break
                bot.send_signal(signal.SIGKILL)
                bot.wait()
                killed = time.monotonic()
                bot = start_bot(env)
                await asyncio.sleep(0.1)  # what the dead process had on the wire lands now
                sent = await next_send(len(to_groups()))
                cpus.append(cpu_seconds(bot.pid))
                gaps.append(sent - killed)
                print(f"{n + 1:>8}{gaps[-1]:>13.2f}s{cpus[-1]:>15.2f}s")
            bot.send_signal(signal.SIGTERM)
            bot.wait(timeout=30)
            per_group = Counter(str(m["chat_id"]) for m in to_groups())
            duplicates = sum(k - 1 for k in per_group.values() if k > 1)
            if gaps:
                print(
                    f"median: {statistics.median(gaps):.2f} s from the kill to the next send,"
                    f" {statistics.median(cpus):.2f} s of CPU; 429s: {fake.too_many_requests};"
                    f" duplicates: {duplicates}"
                )
            return 1 if fake.too_many_requests else 0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--groups", type=int, default=3000)
    parser.add_argument("--every", type=float, default=3.0, help="seconds of sending between kills")
    args = parser.parse_args()
    print(f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    sys.exit(asyncio.run(run(args.kills, args.groups, args.every)))


if __name__ == "__main__":
    main()
