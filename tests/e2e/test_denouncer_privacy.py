"""A denouncer's name, phone and chat id reach only the official assigned to the case: not a group
message, not another official's message, not a log line (DEBUG, the bot's own logging setup), not
the petitions list, show or export, not the backup file, not /healthz."""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from bot import petitions_cli
from bot.backup import backup, new_key
from bot.cli import NOISY_LOGGERS, configure_logging
from tests.attack_harness import Webhooks
from tests.e2e.conftest import outbox_rows
from tests.e2e.test_petitions_telegram import ADMIN, GROUP, HANDLER, file_petition, say

pytestmark = pytest.mark.e2e

DENOUNCER = 58213377  # their private chat with the bot (and their Telegram user id)
NAME, PHONE = "Đỗ Thị Mận", "0911222333"
SECRETS = (NAME, "Mận", PHONE, "0911 222 333", str(DENOUNCER))
CONTENT = (
    f"Tôi là {NAME}, số 0911 222 333. Cán bộ địa chính thu tiền ngoài quy định khi làm sổ đỏ cho nhiều hộ."
)
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


@pytest.fixture
def bot_logging() -> Iterator[None]:
    """The bot's logging as `python -m bot run` sets it up, at DEBUG; restored afterwards."""
    names = ("", "alembic", *NOISY_LOGGERS)
    levels = {n: logging.getLogger(n).level for n in names}
    configure_logging("DEBUG")
    logging.getLogger().setLevel(logging.DEBUG)
    try:
        yield
    finally:
        for n, level in levels.items():
            logging.getLogger(n).setLevel(level)


@pytest.fixture
async def hooks(database_url: str, bot_logging: None) -> AsyncIterator[Webhooks]:
    async with Webhooks(database_url) as running:
        yield running


async def test_the_denouncer_is_known_only_to_the_assigned_official(
    hooks: Webhooks, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    assert hooks.app is not None
    fake = hooks.telegram
    filed = await file_petition(fake, kind="to_cao", content=CONTENT, contact=(NAME, PHONE), chat=DENOUNCER)
    assert "Đã giao" in await say(fake, f"/giao {filed.code} tran-thi-binh", ADMIN)
    shown = await say(fake, f"/xem {filed.code}", HANDLER)
    assert NAME in shown and PHONE in shown  # the one place it may appear
    assert (
        "trả lời" in (await say(fake, f"/traloi {filed.code} Xã đã nhận và đang xác minh.", HANDLER)).lower()
    )
    await hooks.settle()

    # Every message the bot queued, but the denouncer's own and the handler's /xem answer.
    for row in await outbox_rows(hooks.app):
        text = str(row.payload)
        if row.chat_id == str(DENOUNCER) or (row.chat_id == str(HANDLER) and "Người gửi hồ sơ" in text):
            continue
        assert not leaks(text), (row.chat_id, text)
    group_posts = [s for s in fake.sent if s["chat_id"] == str(GROUP)]
    assert group_posts and not [s for s in group_posts if leaks(str(s["text"]))]

    # Log lines, as the bot writes them (message, arguments and tracebacks).
    for record in caplog.records:
        line = f"{record.getMessage()} {record.exc_text or ''}"
        assert not leaks(line), (record.name, line[:500])

    # What a terminal prints (and what investigators get): list, show, export.
    for show in (
        petitions_cli.list_petitions(hooks.app.store, TZ, out := io.StringIO()),
        petitions_cli.show_petition(hooks.app.store, filed.code, TZ, out2 := io.StringIO()),
        petitions_cli.export_petitions(hooks.app.store, TZ, out3 := io.StringIO()),
    ):
        assert await show == 0
    for printed in (out.getvalue(), out2.getvalue(), out3.getvalue()):
        assert filed.code in printed and not leaks(printed), printed

    # The backup holds the database, encrypted: no name or phone in its bytes.
    if hooks.app.store.database_url.startswith("sqlite"):
        target = tmp_path / "backup.bin"
        backup(hooks.app.store.database_url, target, new_key())
        data = target.read_bytes()
        assert not [s for s in SECRETS if s.encode() in data]

    async with aiohttp.ClientSession() as http, http.get(hooks.base + "/healthz") as health:
        assert health.status == 200 and not leaks(await health.text())
