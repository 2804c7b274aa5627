"""Starting the commune bot for a bench: a free port, its environment against the fake Telegram,
the commune's data imported, `python -m bot run` as a subprocess, and the wait until it answers.

Used by bench/petition_crash.py and bench/broadcast.py (bench/throughput.py takes the port and
percentiles): one start-up, so the benches measure the same bot the same way.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.fakes.telegram import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini-commune.yaml"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of them lie (nearest rank); NaN for none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def bot_env(db: Path, fake: FakeTelegram, **settings: str) -> dict[str, str]:
    """The bot's settings: SQLite at db, long polling the fake Telegram, no demo data, quiet logs."""
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "TELEGRAM_POLL_TIMEOUT": "1",
        "WEB_PORT": str(free_port()),
        "DEMO_DATA": "false",
        "LOG_LEVEL": "WARNING",
        **settings,
    }


def import_data(env: dict[str, str], data: Path = MINI) -> None:
    """`python -m bot import DATA` with these settings; raises if it fails."""
    subprocess.run(
        [sys.executable, "-m", "bot", "import", str(data)], cwd=ROOT, env=env, check=True, capture_output=True
    )


def start_bot(
    env: dict[str, str], log: Path | None = None, own_session: bool = False
) -> subprocess.Popen[bytes]:
    """`python -m bot run` with these settings, its output appended to log (or dropped).

    `own_session`: in a session of its own, as a service of its own runs. Linux with
    `sched_autogroup_enabled` shares the CPU fairly between sessions, not processes: workers left
    in the bench's session would split one session's share between them (bench/workers.py).
    """
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
    out = log.open("ab") if log is not None else subprocess.DEVNULL
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=own_session,
    )


async def wait_until_up(fake: FakeTelegram, chat: int, timeout: float = 60) -> None:
    """Until the bot answers a /start in a private chat of its own (the bot is up)."""
    await fake.push_text(chat, "/start", user_id=chat)
    await fake.next_sent(chat, timeout=timeout)
