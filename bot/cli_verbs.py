"""The CLI's verbs that open the database: run, schedule preview, updates, petitions, questions, ask,
report, zalo-oa-token, communes (import is bot/import_cli.py, backup and restore bot/backup_cli.py)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings

if TYPE_CHECKING:
    from bot.app import App
    from storage.store import Store


@asynccontextmanager
async def migrated(settings: Settings) -> AsyncIterator[Store]:
    """The database, migrated to the newest schema; closed afterwards."""
    from storage.store import Store

    store = Store(settings.DATABASE_URL, commune_slug=settings.COMMUNE_ID or None)
    try:
        await store.migrate()
        yield store
    finally:
        await store.close()


FIRST_PASS_WAIT = 2.0  # seconds the rest of the bot waits for the outbox's first claim, at most


async def run(settings: Settings, started: float | None = None) -> int:
    """Send first, then import and start the rest (a restart after a crash sends again sooner).

    The sending half (bot/outbound.py) needs the store, the channels and the outbox worker only;
    handlers, search, web pages and the scheduler are imported in a thread while it sends (an
    import holds the event loop for as long as it runs; in a thread, the sends go on beside it).
    """
    import importlib

    from bot.outbound import Outbound, utc_now

    began = datetime.fromtimestamp(started, UTC) if started is not None else None
    outbound = Outbound(settings, utc_now, started=began)
    try:
        await outbound.start(check_writable=True)  # the database must take writes: fail now, in one line
        # the first claim's sends under way first: they then run beside the import
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(outbound.outbox.first_pass.wait(), FIRST_PASS_WAIT)
        app_module = await asyncio.to_thread(importlib.import_module, "bot.app")
        app: App = app_module.App(settings, utc_now, outbound)
    except BaseException:
        await outbound.stop()
        await outbound.store.close()
        raise
    await app.run_forever()
    return 0


async def schedule_preview(settings: Settings, days: int) -> int:
    from bot.app import local_zone, utc_now
    from bot.registry import reach
    from scheduled.preview import preview

    async with migrated(settings) as store:
        return await preview(
            store, utc_now(), days, local_zone(settings), settings.quiet_hours, reach(settings)
        )


async def updates(settings: Settings, action: str, update_id: int | None) -> int:
    from bot import updates_cli
    from bot.app import utc_now

    async with migrated(settings) as store:
        return await updates_cli.updates(store, action, update_id, utc_now())


async def petitions(settings: Settings, action: str, code: str | None) -> int:
    from bot import petitions_cli
    from bot.app import local_zone

    tz = local_zone(settings)

    async with migrated(settings) as store:
        if action == "list":
            return await petitions_cli.list_petitions(store, tz)
        if action == "show":
            return await petitions_cli.show_petition(store, (code or "").upper(), tz)
        return await petitions_cli.export_petitions(store, tz)


def report(settings: Settings, start_text: str, end_text: str, out: Path) -> int:
    """Checks what was typed before opening the database: a wrong date exits 2 with one line."""
    from bot import report_cli
    from bot.app import local_zone

    try:
        start, end = report_cli.check(start_text, end_text, out)
    except report_cli.BadRequest as exc:
        print(exc, file=sys.stderr)
        return 2
    tz = local_zone(settings)

    async def write() -> int:
        async with migrated(settings) as store:
            return await report_cli.write_report(store, start, end, out, tz, datetime.now(UTC))

    return asyncio.run(write())


async def questions(settings: Settings) -> int:
    from bot import questions_cli
    from bot.app import local_zone

    tz = local_zone(settings)
    async with migrated(settings) as store:
        return await questions_cli.list_questions(store, tz)


async def ask_one(settings: Settings, question: str) -> int:
    from bot.ask_cli import Asker, with_choices

    async with Asker(settings) as asker:
        print(with_choices(await asker.replies(question)))
    return 0


async def ask_jsonl(settings: Settings) -> int:
    from bot.ask_cli import Asker

    async with Asker(settings) as asker:
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                question = str(json.loads(line)["q"])
            except (json.JSONDecodeError, KeyError, TypeError):
                bad: dict[str, object] = {
                    "q": None,
                    "answer": "",
                    "sources": [],
                    "offered": [],
                    "error": "bad line",
                }
                print(json.dumps(bad), flush=True)
                continue
            text, sources, offered = await asker.ask(question)
            out = {"q": question, "answer": text, "sources": sources, "offered": offered}
            print(json.dumps(out, ensure_ascii=False), flush=True)
    return 0


async def oa_token(settings: Settings, access: str, refresh: str, expires_in: int | None) -> int:
    from bot.app import utc_now
    from bot.oa_cli import set_token
    from storage.store import Store

    store = Store(settings.DATABASE_URL, commune_slug=settings.COMMUNE_ID or None)
    try:
        return await set_token(store, access, refresh, expires_in, utc_now())
    finally:
        await store.close()


async def communes(settings: Settings) -> int:
    from bot.app import local_zone, utc_now
    from bot.communes_cli import list_communes

    async with migrated(settings) as store:
        return await list_communes(store, settings, utc_now(), local_zone(settings))
