"""Command line: `python -m bot run | import FILE | ask QUESTION | ask --jsonl`."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from pathlib import Path

from bot.config import Settings, SettingsError, load_settings

log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Trợ lý xã: the commune bot.")
    verbs = parser.add_subparsers(dest="verb", required=True)
    verbs.add_parser("run", help="start channels, scheduler and web server")
    imp = verbs.add_parser("import", help="validate a commune data file and upsert it")
    imp.add_argument("file", type=Path)
    ask = verbs.add_parser("ask", help="print the answer the bot would give")
    ask.add_argument("question", nargs="*")
    ask.add_argument("--jsonl", action="store_true", help='read {"q": ...} lines on stdin')
    sched = verbs.add_parser("schedule", help="what the scheduler will post: schedule preview --days 30")
    sched.add_argument("action", choices=["preview"])
    sched.add_argument("--days", type=int, default=30)
    pet = verbs.add_parser("petitions", help="the petition queue: list, show CODE, export (CSV)")
    pet.add_argument("action", choices=["list", "show", "export"])
    pet.add_argument("code", nargs="?")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script and `python -m bot`."""
    os.environ.setdefault("PTB_TIMEDELTA", "true")  # python-telegram-bot's future-proof durations
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"Cấu hình sai, bot không khởi động:\n{exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.LOG_LEVEL.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # httpx logs request URLs (with the bot token) and python-telegram-bot logs API parameters
    # (names, phones, petition text) at DEBUG: neither belongs in our logs.
    for noisy in ("httpx", "httpcore", "telegram", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if args.verb == "run":
        return asyncio.run(_run(settings))
    if args.verb == "import":
        return asyncio.run(_import(settings, args.file))
    if args.verb == "schedule":
        return asyncio.run(_schedule_preview(settings, args.days))
    if args.verb == "petitions":
        if args.action == "show" and not args.code:
            print("Cần mã hồ sơ: python -m bot petitions show PA-XXXXXX", file=sys.stderr)
            return 2
        return asyncio.run(_petitions(settings, args.action, args.code))
    if args.jsonl:
        return asyncio.run(_ask_jsonl(settings))
    if not args.question:
        print('Hãy nhập câu hỏi, ví dụ: python -m bot ask "lịch tiếp công dân"', file=sys.stderr)
        return 2
    return asyncio.run(_ask_one(settings, " ".join(args.question)))


async def _run(settings: Settings) -> int:
    from bot.app import App

    await App(settings).run_forever()
    return 0


async def _import(settings: Settings, path: Path) -> int:
    from bot.app import utc_now
    from storage.importer import ImportError_, import_data, load_file
    from storage.store import Store

    if not path.is_file():
        print(f"Không tìm thấy tệp {path}", file=sys.stderr)
        return 1
    store = Store(settings.DATABASE_URL)
    try:
        await store.migrate()
        async with store.uow() as uow:
            report = await import_data(uow, load_file(path), utc_now())
    except ImportError_ as exc:
        print("Tệp dữ liệu không hợp lệ, chưa thay đổi gì:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    finally:
        await store.close()
    for warning in report.warnings:
        print(f"Lưu ý: {warning}", file=sys.stderr)
    for title, bucket in (
        ("thêm mới", report.created),
        ("cập nhật", report.updated),
        ("không đổi", report.unchanged),
    ):
        if bucket:
            print(f"{title}: " + ", ".join(f"{k} {v}" for k, v in sorted(bucket.items())))
    print("Đã nhập xong." if report.changed else "Đã nhập xong: dữ liệu không có gì thay đổi.")
    return 0


async def _schedule_preview(settings: Settings, days: int) -> int:
    from bot.app import local_zone, utc_now
    from bot.registry import reach
    from scheduled.preview import preview
    from storage.store import Store

    store = Store(settings.DATABASE_URL)
    try:
        await store.migrate()
        return await preview(store, utc_now(), days, local_zone(settings), settings.quiet_hours, reach())
    finally:
        await store.close()


async def _petitions(settings: Settings, action: str, code: str | None) -> int:
    from bot import petitions_cli
    from storage.store import Store

    store = Store(settings.DATABASE_URL)
    try:
        await store.migrate()
        if action == "list":
            return await petitions_cli.list_petitions(store)
        if action == "show":
            return await petitions_cli.show_petition(store, (code or "").upper())
        return await petitions_cli.export_petitions(store)
    finally:
        await store.close()


async def _ask_one(settings: Settings, question: str) -> int:
    from bot.ask_cli import Asker, with_choices

    async with Asker(settings) as asker:
        print(with_choices(await asker.replies(question)))
    return 0


async def _ask_jsonl(settings: Settings) -> int:
    from bot.ask_cli import Asker

    async with Asker(settings) as asker:
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                question = str(json.loads(line)["q"])
            except (json.JSONDecodeError, KeyError, TypeError):
                print(json.dumps({"q": None, "answer": "", "sources": [], "error": "bad line"}), flush=True)
                continue
            text, sources = await asker.ask(question)
            out = {"q": question, "answer": text, "sources": sources}
            print(json.dumps(out, ensure_ascii=False), flush=True)
    return 0
