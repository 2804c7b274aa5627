"""Issue 17's "Done when": two communes imported into one PostgreSQL database, two `python -m bot run`
workers per commune behind one front (tests/e2e/province_processes.py), each commune with its own
fake Telegram and fake Zalo bot. Residents of each commune ask (their own commune's answers), file
petitions on Telegram and Zalo (their own commune's officials' group gets them) and get a village
meeting's reminder (once per commune, from whichever worker leads); meanwhile one worker of Tân Lập
is SIGKILLed mid-load (and started again, as the compose file's restart policy would) and
PostgreSQL is restarted. Afterwards every petition is stored once, every resident has their code,
and nothing crossed communes. PostgreSQL is a throwaway cluster of this test's own."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
import yaml
from sqlmodel import select

from storage.importer import import_data, load_file
from storage.models import Petition
from storage.store import Store
from storage.uow import NO_COMMUNE
from tests.conftest import FIXTURES, MINI
from tests.e2e.conftest import wait_for
from tests.e2e.petition_steps import CODE_RE
from tests.e2e.province_processes import Front, Worker, worker_env
from tests.e2e.test_postgres_restart import Cluster, _pg_bin
from tests.fakes.telegram import FakeTelegram
from tests.fakes.zalo import SECRET_HEADER, FakeZaloBot

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

VN = ZoneInfo("Asia/Ho_Chi_Minh")
STEP = 60.0  # seconds a resident waits for each answer (a kill and a database restart fit in it)
DUE_IN = 6  # seconds from publishing the meeting until its reminder is due
TELEGRAM_RESIDENTS, ZALO_RESIDENTS = 4, 3
REMINDER = "🔔 Nhắc lịch"


@dataclass
class Commune:
    slug: str
    name: str
    village: str
    officials_group: str
    village_group: str  # the village's Telegram group: the meeting's reminder is posted there
    telegram: FakeTelegram
    zalo: FakeZaloBot
    workers: list[Worker] = field(default_factory=list)
    codes: dict[str, str] = field(default_factory=dict)  # resident -> petition code
    duplicates: int = 0  # messages residents got twice in a row (at-least-once sending under a kill)


def commune_file(folder: Path, slug: str, meeting_in: float | None) -> Path:
    """The commune's data file with a Telegram and a Zalo group for its first village (Zalo by
    subscription: `reach: fanout`), and, when asked, a meeting there whose reminder falls due soon."""
    data: dict[str, Any] = load_file(MINI if slug == "tan-lap" else FIXTURES / "second-commune.yaml")
    data["commune"]["id"] = slug
    village = data["commune"]["villages"][0]
    n = 1 if slug == "tan-lap" else 2
    data["groups"] = [g for g in data["groups"] if g["channel"] != "zalo"] + [
        {"id": "tg-thon", "name": f"Bà con {village}", "channel": "telegram",
         "chat_id": f"-100555000010{n}", "villages": [village]},
        {"id": "zalo-thon", "name": f"Bà con {village} (Zalo)", "channel": "zalo",
         "chat_id": f"4{n}00000000000000001", "villages": [village], "reach": "fanout"},
    ]  # fmt: skip
    # None of the file's own events: their reminders fall due on calendar dates, and with the real
    # clock one may fall inside the test's window and be counted as the meeting's.
    data["events"] = []
    if meeting_in is not None:
        start = datetime.now(UTC) + timedelta(days=1, seconds=meeting_in)
        data["events"].append({
            "id": "hop-thon", "title": f"Họp dân {village} ({slug})", "kind": "hop",
            "start": start.astimezone(VN).replace(microsecond=0).isoformat(), "villages": [village],
            "remind_before": ["P1D"], "notify": ["tg-thon", "zalo-thon"],
        })  # fmt: skip
    path = folder / f"{slug}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


async def import_file(url: str, path: Path) -> None:
    """What `python -m bot import FILE` does (tests/e2e/test_communes_cli.py runs the command itself)."""
    store = Store(url)
    try:
        await store.migrate()
        async with store.uow(NO_COMMUNE) as uow:  # the file says which commune
            await import_data(uow, load_file(path), datetime.now(UTC))
    finally:
        await store.close()


@pytest.fixture
def pg() -> Iterator[Cluster]:
    """A PostgreSQL cluster of this test's own (test_postgres_restart.py), to stop and start."""
    if not os.environ.get("TEST_POSTGRES_URL"):
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("REQUIRE_POSTGRES=1: the suite must run on PostgreSQL too; set TEST_POSTGRES_URL")
        pytest.skip("PostgreSQL not available (set TEST_POSTGRES_URL)")
    bin_dir = _pg_bin()
    if bin_dir is None or not (bin_dir / "initdb").exists():
        pytest.skip("PostgreSQL's initdb and pg_ctl are not installed")
    root = Path(tempfile.mkdtemp(prefix="pg-province-"))
    cluster = Cluster(bin_dir, root)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        with contextlib.suppress(subprocess.SubprocessError):
            cluster.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
async def province(pg: Cluster, tmp_path: Path) -> AsyncIterator[tuple[dict[str, Commune], Front]]:
    cluster = pg
    for slug in ("tan-lap", "dong-tien"):  # one after the other: the first creates the schema
        await import_file(cluster.url, commune_file(tmp_path, slug, None))
    async with (
        FakeTelegram("111:TAN-LAP") as tg_a, FakeTelegram("222:DONG-TIEN") as tg_b,
        FakeZaloBot(token="1111111111:tan-lap-zalo") as zalo_a,
        FakeZaloBot(token="2222222222:dong-tien-zalo") as zalo_b,
    ):  # fmt: skip
        communes = {
            "tan-lap": Commune("tan-lap", "Tân Lập", "Thôn Đồng Chùa", "-1009000000001",
                               "-1005550000101", tg_a, zalo_a),
            "dong-tien": Commune("dong-tien", "Đông Tiến", "Thôn Bãi Bằng", "-1009000000777",
                                 "-1005550000102", tg_b, zalo_b),
        }  # fmt: skip
        async with Front({slug: c.workers for slug, c in communes.items()}) as front:
            for c in communes.values():
                env = worker_env(
                    DATABASE_URL=cluster.url,
                    COMMUNE_ID=c.slug,
                    DEMO_DATA="false",
                    SEMANTIC_SEARCH="false",
                    TELEGRAM_BOT_TOKEN=c.telegram.token,
                    TELEGRAM_API_BASE_URL=c.telegram.base_url,
                    TELEGRAM_WEBHOOK_URL=f"{front.base}/{c.slug}/telegram/webhook",
                    TELEGRAM_MAX_PER_SECOND="0",
                    TELEGRAM_PRIVATE_MAX_PER_SECOND="0",
                    ZALO_BOT_TOKEN=c.zalo.token,
                    ZALO_API_BASE_URL=c.zalo.api_base,
                    ZALO_WEBHOOK_URL=f"{front.base}/{c.slug}/zalo/webhook",
                    ZALO_MAX_PER_SECOND="0",
                    ZALO_PRIVATE_MAX_PER_SECOND="0",
                    QUIET_HOURS="",
                    POSTS_TICK_SECONDS="0.5",
                    WEB_HOST="127.0.0.1",
                )  # fmt: skip  (no webhook secrets set: each bot's workers derive the same one)
                c.workers.extend(Worker(c.slug, env, tmp_path / f"{c.slug}-{i}.log") for i in range(2))
            workers = [w for c in communes.values() for w in c.workers]
            try:
                for worker in workers:
                    worker.start()
                async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=3)) as http:
                    for worker in workers:
                        await until(partial(worker.healthy, http), 60, f"{worker.log.name} up")
                for c in communes.values():
                    await wait_for(partial(webhooks_set, c), timeout=30, what=f"{c.slug}'s webhooks")
                yield communes, front
            finally:
                for worker in workers:
                    worker.terminate()
                for worker in workers:
                    worker.stop()


async def until(check: Callable[[], Any], timeout: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.2)


class TelegramResident:
    """A resident in a private chat; an update the bot's address did not take (500, 502) is sent
    again, as Telegram redelivers."""

    def __init__(self, fake: FakeTelegram, chat: int) -> None:
        self.fake, self.chat, self.last, self.duplicates = fake, chat, "", 0

    async def _push(self, update: dict[str, Any]) -> str:
        while (status := await self.fake.push(update)) != 200:
            assert status in (500, 502, 503), status
            await asyncio.sleep(0.3)
        while True:  # a message sent again (its sender was killed before noting it sent) is counted
            text = str((await self.fake.next_sent(self.chat, timeout=STEP))["text"])
            if text != self.last:
                self.last = text
                return text
            self.duplicates += 1

    async def say(self, text: str) -> str:
        return await self._push(self.fake.make_text_update(self.chat, text))

    async def press(self, data: str) -> str:
        return await self._push(self.fake.make_callback_update(self.chat, self.chat, data))


async def telegram_petition(c: Commune, chat: int) -> None:
    r = TelegramResident(c.telegram, chat)
    assert "loại nào" in await r.say("/gui")
    assert "mô tả nội dung" in await r.press("gui:phan_anh")
    assert "thôn nào" in await r.say(f"Đèn đường {c.village} hỏng, người dân {chat} phản ánh")
    assert "ảnh" in await r.press("gui:v0")
    assert "họ tên" in await r.press("gui:skip")
    assert "xem lại" in await r.press("gui:no")
    found = CODE_RE.search(await r.press("gui:send"))
    assert found, f"no code for {chat}"
    c.codes[str(chat)] = found.group()
    c.duplicates += r.duplicates


class ZaloResident:
    """A resident writing to the commune's Zalo bot; the platform redelivers what the bot's address
    did not take (the fake gives up after three tries: this keeps trying, as a resident would)."""

    def __init__(self, fake: FakeZaloBot, chat: str) -> None:
        self.fake, self.chat, self.seen, self.last, self.duplicates = fake, chat, 0, "", 0

    async def say(self, text: str) -> str:
        assert self.fake._webhook is not None
        url, secret = self.fake._webhook
        update = self.fake.make_update(self.chat, text=text)
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as http:
            while True:
                try:
                    async with http.post(url, json=update, headers={SECRET_HEADER: secret}) as response:
                        if response.status == 200:
                            break
                        assert response.status in (500, 502, 503), response.status
                except (aiohttp.ClientError, TimeoutError):
                    pass
                await asyncio.sleep(0.3)
        while True:  # a message sent again (its sender was killed before noting it sent) is counted
            sent = await self.fake.next_sent(self.chat, after=self.seen, timeout=STEP)
            self.seen += 1
            if str(sent.params["text"]) != self.last:
                self.last = str(sent.params["text"])
                return self.last
            self.duplicates += 1

    async def choose(self, label: str) -> str:
        [number] = [
            line.split(".", 1)[0]
            for line in self.last.splitlines()
            if re.match(r"^\d+\. ", line) and label in line
        ]
        return await self.say(number)


async def zalo_petition(c: Commune, chat: str) -> None:
    r = ZaloResident(c.zalo, chat)
    assert "loại nào" in await r.say("/gui")
    assert "mô tả nội dung" in await r.choose("Phản ánh")
    assert "nhắn số" in await r.say(f"Rác thải ứ đọng ở {c.village}, người dân {chat} phản ánh")
    assert "ảnh" in await r.choose(c.village)
    assert "họ tên" in await r.choose("Bỏ qua")
    assert "xem lại" in await r.choose("Không")
    found = CODE_RE.search(await r.choose("Gửi"))
    assert found, f"no code for {chat}"
    c.codes[chat] = found.group()
    c.duplicates += r.duplicates


async def faults(c: Commune, cluster: Cluster) -> None:
    """Mid-load: SIGKILL one of the commune's workers; restart PostgreSQL; start the worker again."""
    await asyncio.sleep(2)
    victim = c.workers[0]
    await asyncio.to_thread(victim.kill)
    await asyncio.sleep(2)
    await asyncio.to_thread(cluster.stop)
    await asyncio.sleep(3)
    await asyncio.to_thread(cluster.start)
    await asyncio.sleep(1)
    victim.start()  # restart: unless-stopped


async def stored_codes(url: str, slug: str) -> list[str]:
    store = Store(url, commune_slug=slug)
    try:
        async with store.uow() as uow:
            query = select(Petition.code).where(Petition.commune_id == uow.commune_id)
            return sorted((await uow.session.exec(query)).all())
    finally:
        await store.close()


def texts(fake: FakeTelegram, chat: str) -> list[str]:
    return [str(s["text"]) for s in fake.sent_to(chat) if s["method"] == "sendMessage"]


@pytest.mark.timeout(240)
async def test_two_communes_on_four_workers_survive_a_kill_and_a_database_restart(
    province: tuple[dict[str, Commune], Front],
    pg: Cluster,
    tmp_path: Path,
) -> None:
    cluster = pg
    communes, front = province
    a, b = communes["tan-lap"], communes["dong-tien"]
    clock, phases = asyncio.get_running_loop().time, []
    phases.append(("start", clock()))

    # -- each commune's residents get their own commune's answers, on Telegram and on Zalo
    async def asks(c: Commune) -> None:
        elsewhere = next(o.name for o in communes.values() if o is not c)
        for answer in (
            await TelegramResident(c.telegram, 5001).say("du toan ngan sach xa nam 2026"),
            await ZaloResident(c.zalo, "z-5001").say("du toan ngan sach xa nam 2026"),
        ):
            assert f"xã {c.name}" in answer and elsewhere not in answer

    await asyncio.gather(*(asks(c) for c in communes.values()))

    phases.append(("asked", clock()))

    # -- a Zalo resident of each commune subscribes to its first village's news
    async def subscribes(c: Commune) -> None:
        sub = ZaloResident(c.zalo, "z-sub")
        assert "thôn nào" in await sub.say("/dangky")
        assert "tin gì" in await sub.choose(c.village)
        assert "Đã đăng ký" in await sub.say("1")

    await asyncio.gather(*(subscribes(c) for c in communes.values()))

    phases.append(("subscribed", clock()))
    # -- a meeting is published in each commune, its reminder due in a few seconds
    for c in communes.values():
        await import_file(cluster.url, commune_file(tmp_path, c.slug, DUE_IN))

    # -- load: residents of both communes file petitions while a worker dies and PostgreSQL restarts
    residents = [
        *(telegram_petition(c, 6000 + i) for c in communes.values() for i in range(TELEGRAM_RESIDENTS)),
        *(zalo_petition(c, f"z-{6000 + i}") for c in communes.values() for i in range(ZALO_RESIDENTS)),
    ]
    phases.append(("published", clock()))
    await asyncio.gather(*residents, faults(a, cluster))
    phases.append(("filed under faults", clock()))

    # -- every resident has a code; every petition is stored once, in its own commune
    everyone = TELEGRAM_RESIDENTS + ZALO_RESIDENTS
    for c in communes.values():
        assert len(c.codes) == everyone and len(set(c.codes.values())) == everyone
        assert await stored_codes(cluster.url, c.slug) == sorted(c.codes.values())
    assert not set(a.codes.values()) & set(b.codes.values())

    # -- each commune's officials' group got each of its petitions, and none of the other's
    for c in communes.values():
        other = b if c is a else a
        await wait_for(partial(announced, c), timeout=STEP, what=f"{c.slug}'s officials' group")
        posted = "\n".join(texts(c.telegram, c.officials_group))
        assert not [code for code in other.codes.values() if code in posted]

    # -- the meeting's reminder: once per commune, in its village group and to its subscriber
    for c in communes.values():
        await wait_for(partial(reminded, c), timeout=STEP, what=f"{c.slug}'s reminder")
    await asyncio.sleep(2)  # a second reminder from another worker would show itself now
    assert [reminders_of(c) for c in communes.values()] == [(1, 1), (1, 1)]
    phases.append(("announced and reminded", clock()))
    steps = ", ".join(f"{name} {at - phases[i][1]:.1f} s" for i, (name, at) in enumerate(phases[1:]))
    twice = {c.slug: c.duplicates for c in communes.values()}
    print(f"\nprovince: {steps}; passed to the other worker: {front.failovers}; sent twice: {twice}")


def webhooks_set(c: Commune) -> bool:
    return bool(c.telegram.webhook_url) and c.zalo._webhook is not None


def reminded(c: Commune) -> bool:
    return reminders_of(c) == (1, 1)


def announced(c: Commune) -> bool:
    posted = "\n".join(texts(c.telegram, c.officials_group))
    return all(code in posted for code in c.codes.values())


def reminders_of(c: Commune) -> tuple[int, int]:
    """How many reminders the village group and the subscriber got (each its own commune's meeting)."""
    group = [t for t in texts(c.telegram, c.village_group) if t.startswith(REMINDER)]
    private = [t for t in c.zalo.texts_to("z-sub") if t.startswith(REMINDER)]
    assert all(f"Họp dân {c.village} ({c.slug})" in t for t in group + private), group + private
    return len(group), len(private)
