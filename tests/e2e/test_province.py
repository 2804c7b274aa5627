"""A province on one deployment: two communes in one database, each served by its own process with
its own Telegram bot, at its own address (`/<commune id>/...`); no resident sees another's data."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml

from bot.app import App
from bot.config import Settings
from storage.importer import import_data, load_file
from storage.store import Store
from storage.uow import NO_COMMUNE
from tests.conftest import FIXTURES, MINI
from tests.e2e.conftest import WEBHOOK_SECRET, ManualClock, free_port, wait_for
from tests.fakes.telegram import FakeTelegram

SECOND = FIXTURES / "second-commune.yaml"
BUDGET_QUESTION = "du toan ngan sach xa nam 2026"


async def import_both(database_url: str, folder: Path, clock: ManualClock) -> None:
    tan_lap: dict[str, Any] = load_file(MINI)
    tan_lap["commune"]["id"] = "tan-lap"
    first = folder / "tan-lap.yaml"
    first.write_text(yaml.safe_dump(tan_lap, allow_unicode=True), encoding="utf-8")
    store = Store(database_url)
    try:
        await store.migrate()
        for path in (first, SECOND):
            async with store.uow(NO_COMMUNE) as uow:
                await import_data(uow, load_file(path), clock())
    finally:
        await store.close()


def commune_settings(database_url: str, commune: str, fake: FakeTelegram) -> Settings:
    port = free_port()
    return Settings(
        _env_file=None,
        DATABASE_URL=database_url,
        COMMUNE_ID=commune,
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_BASE_URL=fake.base_url,
        TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}/{commune}/telegram/webhook",
        TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET,
        TELEGRAM_MAX_PER_SECOND=0,
        TELEGRAM_PRIVATE_MAX_PER_SECOND=0,
        WEB_HOST="127.0.0.1",
        WEB_PORT=port,
        QUIET_HOURS="",
        DEMO_DATA=False,
    )


@pytest.fixture
async def province(
    database_url: str, tmp_path: Path, clock: ManualClock
) -> AsyncIterator[tuple[dict[str, FakeTelegram], dict[str, Settings]]]:
    await import_both(database_url, tmp_path, clock)
    async with FakeTelegram("111:TAN-LAP") as tan_lap, FakeTelegram("222:DONG-TIEN") as dong_tien:
        fakes = {"tan-lap": tan_lap, "dong-tien": dong_tien}
        settings = {c: commune_settings(database_url, c, fake) for c, fake in fakes.items()}
        apps = [App(s, clock=clock) for s in settings.values()]
        try:
            for app in apps:
                await app.start()
            for fake in fakes.values():
                await wait_for(lambda fake=fake: bool(fake.webhook_url), what="setWebhook")  # type: ignore[misc]
            yield fakes, settings
        finally:
            for app in apps:
                await app.stop()


async def test_each_communes_bot_answers_from_its_own_commune(
    province: tuple[dict[str, FakeTelegram], dict[str, Settings]],
) -> None:
    fakes, _ = province
    assert fakes["tan-lap"].webhook_url.endswith("/tan-lap/telegram/webhook")
    assert fakes["dong-tien"].webhook_url.endswith("/dong-tien/telegram/webhook")
    for fake in fakes.values():
        await fake.push_text(5001, BUDGET_QUESTION)
    tan_lap = (await fakes["tan-lap"].next_sent(5001, timeout=30))["text"]
    dong_tien = (await fakes["dong-tien"].next_sent(5001, timeout=30))["text"]
    assert "Tân Lập" in tan_lap and "Đông Tiến" not in tan_lap
    assert "Đông Tiến" in dong_tien and "Tân Lập" not in dong_tien
    # the same chat id on two bots is two residents: /lich lists each commune's own events
    await fakes["dong-tien"].push_text(5001, "/lich")
    events = (await fakes["dong-tien"].next_sent(5001, timeout=30))["text"]
    assert "Tổng vệ sinh đường làng Thôn Tân Sơn" not in events


async def test_each_commune_has_its_pages_and_webhook_under_its_own_address(
    province: tuple[dict[str, FakeTelegram], dict[str, Settings]],
) -> None:
    _, settings = province
    async with aiohttp.ClientSession() as http:
        for commune, other in (("tan-lap", "Đông Tiến"), ("dong-tien", "Tân Lập")):
            base = f"http://127.0.0.1:{settings[commune].WEB_PORT}"
            async with http.get(f"{base}/{commune}/") as page:
                assert page.status == 200
                html = await page.text()
            assert "ngân sách" in html and f"xã {other}" not in html
            async with http.get(f"{base}/{commune}/van-ban/du-toan-ngan-sach-2026") as doc:
                assert doc.status == 200
            async with http.get(f"{base}/healthz") as health:
                assert health.status == 200  # the load balancer's probe stays at the root
            # a forged update to this commune's webhook is refused and stores nothing
            async with http.post(f"{base}/{commune}/telegram/webhook", json={"update_id": 1}) as forged:
                assert forged.status in (401, 403)
