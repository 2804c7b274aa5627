"""A petition filed on one messenger, announced on another: a resident writes on Zalo with photos,
the officials' group is on Telegram. A photo Zalo gave cannot be sent on Telegram, so the group is
told so, never that the photos follow."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest

from bot.app import App
from bot.config import Settings
from storage.importer import import_data, load_file
from tests.conftest import MINI
from tests.e2e.conftest import ManualClock, free_port
from tests.fakes.telegram import FakeTelegram, NothingSent
from tests.fakes.zalo import FakeZaloBot

pytestmark = pytest.mark.e2e

GROUP = -1009000000001  # the mini commune's officials' group, on Telegram
RESIDENT = "z-5001"
CODE_RE = re.compile(r"\bPA-[23456789A-HJ-NP-Z]{6}\b")


@pytest.fixture
async def both(database_url: str, clock: ManualClock) -> AsyncIterator[tuple[FakeTelegram, FakeZaloBot]]:
    async with FakeTelegram() as telegram, FakeZaloBot() as zalo:
        settings = Settings(
            _env_file=None,
            DATABASE_URL=database_url,
            WEB_HOST="127.0.0.1",
            WEB_PORT=free_port(),
            DEMO_DATA=False,
            QUIET_HOURS="",
            TELEGRAM_BOT_TOKEN=telegram.token,
            TELEGRAM_API_BASE_URL=telegram.base_url,
            TELEGRAM_POLL_TIMEOUT=1,
            TELEGRAM_MAX_PER_SECOND=0,
            TELEGRAM_PRIVATE_MAX_PER_SECOND=0,
            ZALO_BOT_TOKEN=zalo.token,
            ZALO_API_BASE_URL=zalo.api_base,
            ZALO_POLL_INTERVAL=0,
            ZALO_MAX_PER_SECOND=0,
            ZALO_PRIVATE_MAX_PER_SECOND=0,
        )
        app = App(settings, clock=clock)
        await app.start()
        try:
            async with app.store.uow() as uow:
                await import_data(uow, load_file(MINI), clock())
            yield telegram, zalo
        finally:
            await app.stop()


async def test_photos_sent_on_zalo_are_not_promised_to_the_telegram_group(
    both: tuple[FakeTelegram, FakeZaloBot],
) -> None:
    telegram, zalo = both
    seen = 0

    async def say(text: str | None = None, *, photo: bool = False) -> str:
        nonlocal seen
        if photo:
            await zalo.push(zalo.make_update(RESIDENT, photo_url=zalo.photo_url()))
        else:
            await zalo.push_text(RESIDENT, text or "")
        sent = await zalo.next_sent(RESIDENT, after=seen, timeout=8)
        seen += 1
        return str(sent.params.get("text"))

    await say("/gui")
    await say("1")  # Phản ánh
    await say("Cống thoát nước đầu ngõ bị tắc, nước tràn ra đường khi mưa")
    assert "ảnh" in await say("bỏ qua")  # no village
    assert "Đã nhận 1 ảnh" in await say(photo=True)
    assert "Đã nhận 2 ảnh" in await say(photo=True)
    await say("xong")
    assert "Ảnh: 2" in await say("không")
    code = CODE_RE.search(await say("gửi"))
    assert code, "no tracking code"

    post = await telegram.next_sent(GROUP, timeout=8, method="sendMessage")
    assert code.group() in str(post["text"])
    assert "Ảnh kèm theo: 2" in str(post["text"])
    assert "gửi ngay sau tin này" not in str(post["text"])
    assert "không chuyển sang đây được" in str(post["text"])
    with pytest.raises(NothingSent):  # and indeed nothing follows
        await telegram.next_sent(GROUP, timeout=1)
