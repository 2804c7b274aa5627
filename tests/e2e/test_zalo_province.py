"""Zalo on a province deployment: each commune's Official Account has its own app and its own token
pair (set from the command line for the process's commune), each commune's Zalo webhooks live under
its own address, and a commune's two workers both take what Zalo delivers to that address."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.app import App
from bot.config import Settings
from bot.oa_cli import set_token
from storage.models import InboundUpdate
from storage.store import Store
from tests.e2e.conftest import ManualClock, count_rows, free_port, wait_for
from tests.e2e.test_province import BUDGET_QUESTION, import_both
from tests.fakes.zalo import SECRET_HEADER, FakeZaloBot
from tests.fakes.zalo_oa import FakeZaloOa

pytestmark = pytest.mark.e2e

COMMUNES = ("tan-lap", "dong-tien")
NAMES = {"tan-lap": "Tân Lập", "dong-tien": "Đông Tiến"}


def settings_for(database_url: str, commune: str, port: int, **zalo: Any) -> Settings:
    return Settings(
        _env_file=None,
        DATABASE_URL=database_url,
        COMMUNE_ID=commune,
        WEB_HOST="127.0.0.1",
        WEB_PORT=port,
        QUIET_HOURS="",
        DEMO_DATA=False,
        SEMANTIC_SEARCH=False,
        **zalo,
    )


@pytest.fixture
async def oas() -> AsyncIterator[dict[str, FakeZaloOa]]:
    async with (
        FakeZaloOa(app_id="1111000011", secret_key="tan-lap-Key_1", oa_id="oa-tan-lap") as tan_lap,
        FakeZaloOa(app_id="2222000022", secret_key="dong-tien-Key_2", oa_id="oa-dong-tien") as dong_tien,
    ):
        dong_tien.access_token, dong_tien.refresh_token = "acc-dt-0", "ref-dt-0"
        yield {"tan-lap": tan_lap, "dong-tien": dong_tien}


async def stored_pair(database_url: str, commune: str) -> tuple[str, str] | None:
    store = Store(database_url, commune_slug=commune)
    try:
        async with store.uow() as uow:
            row = await uow.oa_tokens.get()
        return (row.access_token, row.refresh_token) if row else None
    finally:
        await store.close()


@pytest.mark.timeout(120)  # two apps, each an Official Account
async def test_each_communes_official_account_keeps_its_own_tokens(
    database_url: str, tmp_path: Path, clock: ManualClock, oas: dict[str, FakeZaloOa]
) -> None:
    await import_both(database_url, tmp_path, clock)
    for commune, oa in oas.items():  # what `COMMUNE_ID=<commune> python -m bot zalo-oa-token` does
        store = Store(database_url, commune_slug=commune)
        try:
            await set_token(store, oa.access_token, oa.refresh_token, None, datetime.now(UTC))
        finally:
            await store.close()
    assert await stored_pair(database_url, "tan-lap") == ("acc-0", "ref-0")
    assert await stored_pair(database_url, "dong-tien") == ("acc-dt-0", "ref-dt-0")

    apps: list[App] = []
    try:
        for commune, oa in oas.items():
            port = free_port()
            oa_settings = {
                "ZALO_OA_APP_ID": oa.app_id,
                "ZALO_OA_SECRET_KEY": oa.secret_key,
                "ZALO_OA_API_BASE_URL": oa.api_base,
                "ZALO_OA_OAUTH_URL": oa.api_base,
            }
            app = App(settings_for(database_url, commune, port, **oa_settings), clock=clock)
            apps.append(app)
            await app.start()
            oa.webhook_url = f"http://127.0.0.1:{port}/{commune}/zalo/oa/webhook"
        for oa in oas.values():
            await oa.push_text("oa-resident-1", BUDGET_QUESTION)  # the same Zalo id on both OAs
        for commune, oa in oas.items():
            answer = await oa.next_sent("oa-resident-1", timeout=15)
            other = next(NAMES[c] for c in COMMUNES if c != commune)
            assert NAMES[commune] in answer.text and other not in answer.text
            assert answer.access_token == oa.access_token  # each OA sent with its own token

        # Tân Lập's access token expires: it refreshes with its own refresh token; Đông Tiến's stays
        oas["tan-lap"].expire_access_token()
        await oas["tan-lap"].push_text("oa-resident-1", "/lich")
        await oas["tan-lap"].next_sent("oa-resident-1", after=1, timeout=15)
        assert oas["tan-lap"].refresh_calls == ["ref-0"] and oas["dong-tien"].refresh_calls == []
        assert await stored_pair(database_url, "tan-lap") == (
            oas["tan-lap"].access_token,
            oas["tan-lap"].refresh_token,
        )
        assert await stored_pair(database_url, "dong-tien") == ("acc-dt-0", "ref-dt-0")
        # an event signed by the other commune's app is refused at this commune's address
        event = oas["dong-tien"].make_event("oa-resident-2", text="/lich")
        oas["dong-tien"].webhook_url = oas["tan-lap"].webhook_url
        assert await oas["dong-tien"].push(event) == 403
    finally:
        for app in apps:
            await app.stop()


async def test_a_communes_two_workers_both_take_its_zalo_webhook(database_url: str, tmp_path: Path) -> None:
    """No ZALO_WEBHOOK_SECRET set: both workers check the same secret (derived from the bot's
    token), so whichever of them the load balancer picks takes the update; the webhook lives under
    /<commune>/ only."""
    await import_both(database_url, tmp_path, ManualClock(datetime.now(UTC)))
    async with FakeZaloBot(token="7777777777:tan-lap-zalo") as zalo:
        ports = [free_port(), free_port()]
        front = f"http://127.0.0.1:{ports[1]}/tan-lap/zalo/webhook"  # where Zalo is told to deliver
        values: dict[str, Any] = {
            "ZALO_BOT_TOKEN": zalo.token,
            "ZALO_API_BASE_URL": zalo.api_base,
            "ZALO_WEBHOOK_URL": front,
            "ZALO_MAX_PER_SECOND": 0,
            "ZALO_PRIVATE_MAX_PER_SECOND": 0,
        }
        apps = [App(settings_for(database_url, "tan-lap", port, **values)) for port in ports]
        try:
            for app in apps:
                await app.start()
                await wait_for(lambda: zalo._webhook is not None, what="setWebhook")
            await wait_for(lambda: zalo.calls.count("setWebhook") == 2, what="both setWebhook")
            assert zalo._webhook is not None
            secret = zalo._webhook[1]  # the last worker's; the first must take it too
            async with aiohttp.ClientSession() as http:
                for n, port in enumerate(ports):
                    update = zalo.make_update(f"zr-{n}", text=BUDGET_QUESTION)
                    url = f"http://127.0.0.1:{port}/tan-lap/zalo/webhook"
                    async with http.post(url, json=update, headers={SECRET_HEADER: secret}) as response:
                        assert response.status == 200
                    text = str((await zalo.next_sent(f"zr-{n}", timeout=15)).params["text"])
                    assert "Tân Lập" in text and "Đông Tiến" not in text
                    root = f"http://127.0.0.1:{port}/zalo/webhook"  # not at the root: a commune is named
                    async with http.post(root, json=update, headers={SECRET_HEADER: secret}) as response:
                        assert response.status == 404
            assert await count_rows(apps[0], InboundUpdate) == 2
        finally:
            for app in apps:
                await app.stop()


async def test_a_worker_that_does_not_yet_know_its_bot_refuses_deliveries_for_now(
    database_url: str, tmp_path: Path
) -> None:
    """Zalo echoes the bot's own sends; a worker learns the bot's id (getMe) only after its address
    is open. Until then it answers 503 (Zalo delivers again, or the other worker takes it) rather
    than take the bot's echoed prompt for a resident's answer."""
    await import_both(database_url, tmp_path, ManualClock(datetime.now(UTC)))
    async with FakeZaloBot(token="7777777777:tan-lap-zalo") as zalo:
        zalo.fail_next("getMe", 502, count=2)  # Zalo slow to answer: the bot is unknown for ~3 s
        port = free_port()
        url = f"http://127.0.0.1:{port}/tan-lap/zalo/webhook"
        values = {"ZALO_BOT_TOKEN": zalo.token, "ZALO_API_BASE_URL": zalo.api_base, "ZALO_WEBHOOK_URL": url}
        app = App(settings_for(database_url, "tan-lap", port, **values))
        await app.start()
        try:
            secret = app.settings.zalo_webhook_secret
            echo = zalo.make_update("zr-1", text="1. Phản ánh", user_id=zalo.bot_id, message_id="b1")
            async with aiohttp.ClientSession() as http:
                async with http.post(url, json=echo, headers={SECRET_HEADER: secret}) as response:
                    assert response.status == 503
                await wait_for(lambda: zalo._webhook is not None, timeout=15, what="getMe, then setWebhook")
                async with http.post(url, json=echo, headers={SECRET_HEADER: secret}) as response:
                    assert response.status == 200  # taken now, and dropped: the bot's own
            assert await count_rows(app, InboundUpdate) == 0
        finally:
            await app.stop()
