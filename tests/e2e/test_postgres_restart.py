"""PostgreSQL restarted under load: residents keep writing while the server is stopped for a few
seconds and started again; every message is answered once afterwards and /healthz goes false then
true. The server is a throwaway cluster of this test's own (the shared one serves other tests);
skipped without TEST_POSTGRES_URL or PostgreSQL's binaries."""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
from sqlmodel import select

from bot.app import App
from storage.models import InboundUpdate
from tests.e2e.conftest import AppFactory, ManualClock, free_port, outbox_rows
from tests.fakes.telegram import FakeTelegram

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

SCHEDULE_MARK = "08/12/2026"  # in every answer to /lich


def _pg_bin() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    return Path(dirs[-1]) if dirs else None


class Cluster:
    """A PostgreSQL cluster in a temporary folder, on a free port; stop() and start() at will."""

    def __init__(self, bin_dir: Path, root: Path) -> None:
        self.bin, self.root, self.port = bin_dir, root, free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*as_pg, *args], check=True, capture_output=True, timeout=60)

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.root / "data"), "-A", "trust", "-U", "postgres")

    def start(self) -> None:
        options = f"-k {self.root} -p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.root / "data"), "-l", str(self.root / "log"),
                  "-w", "-o", options, "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.root / "data"), "-m", mode, "-w", "stop")


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    if not os.environ.get("TEST_POSTGRES_URL"):
        pytest.skip("PostgreSQL not available (set TEST_POSTGRES_URL)")
    bin_dir = _pg_bin()
    if bin_dir is None or not (bin_dir / "initdb").exists():
        pytest.skip("PostgreSQL's initdb and pg_ctl are not installed")
    root = Path(tempfile.mkdtemp(prefix="pg-restart-"))
    pg = Cluster(bin_dir, root)
    try:
        pg.init()
        pg.start()
        yield pg
    finally:
        with contextlib.suppress(subprocess.SubprocessError):
            pg.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
async def app_on(cluster: Cluster, fake_telegram: FakeTelegram, clock: ManualClock) -> AsyncIterator[App]:
    factory = AppFactory(cluster.url, fake_telegram, clock)
    try:
        yield await factory(WEB_PORT=free_port())
    finally:
        await factory.close()


async def healthz(http: aiohttp.ClientSession, app: App) -> bool:
    async with http.get(f"http://127.0.0.1:{app.port}/healthz") as response:
        return response.status == 200


@pytest.mark.timeout(180)
async def test_postgres_restarted_under_load_every_message_answered_once(
    cluster: Cluster, app_on: App, fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    residents = [3001 + i for i in range(8)]
    written = dict.fromkeys(residents, 0)
    writing = True

    async def resident(chat: int) -> None:
        while writing:
            written[chat] += 1
            await fake_telegram.push_text(chat, "/lich")
            await asyncio.sleep(0.3)

    assert await healthz(http, app_on)
    tasks = [asyncio.create_task(resident(chat)) for chat in residents]
    await asyncio.sleep(1.5)
    await asyncio.to_thread(cluster.stop)
    health_down: list[bool] = []
    for _ in range(12):  # six seconds down: the probe (cached 5 s) sees it
        await asyncio.sleep(0.5)
        health_down.append(await healthz(http, app_on))
    await asyncio.to_thread(cluster.start)
    await asyncio.sleep(1.5)
    writing = False
    await asyncio.gather(*tasks)

    def answers(chat: int) -> int:
        return sum(1 for s in fake_telegram.sent_to(chat) if SCHEDULE_MARK in str(s["text"]))

    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while any(answers(c) < written[c] for c in residents) and loop.time() < deadline:
        await asyncio.sleep(0.2)
    await asyncio.sleep(1)  # a repeat would show itself now
    assert {c: answers(c) for c in residents} == written  # every message answered, none twice
    assert False in health_down
    healthy_again = False
    for _ in range(30):
        if healthy_again := await healthz(http, app_on):
            break
        await asyncio.sleep(0.5)
    assert healthy_again
    rows = await outbox_rows(app_on)
    assert {row.status for row in rows} == {"sent"}
    async with app_on.store.uow() as uow:
        statuses = {u.status for u in await uow.session.exec(select(InboundUpdate))}
    assert statuses == {"handled"}
