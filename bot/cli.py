"""Command line: `python -m bot run | import FILE | ask QUESTION | backup FILE | restore FILE | ...`.

An error the operator can fix (port taken, database unreachable or read-only, data file unreadable,
wrong backup key) is one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from bot import cli_verbs, import_cli
from bot.config import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    pass

log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Trợ lý xã: the commune bot.")
    verbs = parser.add_subparsers(dest="verb", required=True)
    verbs.add_parser("run", help="start channels, scheduler and web server")
    imp = verbs.add_parser("import", help="validate a commune data file and upsert it")
    imp.add_argument("file", type=Path)
    imp.add_argument(
        "--prefer-file", action="store_true", help="replace entries edited on the console with the file's"
    )
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
    rep = verbs.add_parser("report", help="the steering committee's report: --from DATE --to DATE --out FILE")
    rep.add_argument("--from", dest="start", required=True, help="first day, 2026-01-01 or 01/01/2026")
    rep.add_argument("--to", dest="end", required=True, help="last day (included)")
    rep.add_argument("--out", type=Path, required=True, help="FILE.html (printable) or FILE.pdf")
    verbs.add_parser("communes", help="the communes of the database and their bots' state")
    oa = verbs.add_parser("zalo-oa-token", help="store the Zalo Official Account's token pair")
    oa.add_argument("--access", required=True)
    oa.add_argument("--refresh", required=True)
    oa.add_argument("--expires-in", type=int, default=None, help="seconds (default 25 hours)")
    return parser


# httpx logs request URLs (with the bot token), python-telegram-bot API parameters and aiosqlite
# every statement with its values (a denouncer's name and phone, petition texts) at DEBUG: none of
# that belongs in our logs, whatever LOG_LEVEL says.
NOISY_LOGGERS = (
    "httpx",
    "httpcore",
    "telegram",
    "apscheduler",
    "aiosqlite",
    "psycopg",
    "sqlalchemy.engine",
    "fontTools",  # the report's PDF: one INFO line per glyph table
)


def configure_logging(level: str) -> None:
    """The bot's logging; libraries that log people's data at DEBUG are kept at WARNING."""
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: list[str] | None = None, started: float | None = None) -> int:
    """Entry point of the console script and `python -m bot`; `started`: when the process started
    (seconds since the epoch; by default now)."""
    started = time.time() if started is None else started
    os.environ.setdefault("PTB_TIMEDELTA", "true")  # python-telegram-bot's future-proof durations
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"Cấu hình sai, bot không khởi động:\n{exc}", file=sys.stderr)
        return 2
    configure_logging(settings.LOG_LEVEL)
    try:
        return _dispatch(args, settings, started)
    except Exception as exc:
        line = friendly_error(exc, settings.DATABASE_URL)
        if line is None:
            raise
        print(line, file=sys.stderr)
        return 1


def _dispatch(args: argparse.Namespace, settings: Settings, started: float) -> int:
    if args.verb in ("backup", "restore", "backup-key"):
        from bot import backup_cli

        return backup_cli.main(args, settings)
    if args.verb == "run":
        return asyncio.run(cli_verbs.run(settings, started))
    if args.verb == "import":
        return asyncio.run(import_cli.import_file(settings, args.file, args.prefer_file))
    if args.verb == "schedule":
        return asyncio.run(cli_verbs.schedule_preview(settings, args.days))
    if args.verb == "updates":
        return asyncio.run(cli_verbs.updates(settings, args.action, args.id))
    if args.verb == "zalo-oa-token":
        return asyncio.run(cli_verbs.oa_token(settings, args.access, args.refresh, args.expires_in))
    if args.verb == "report":
        return cli_verbs.report(settings, args.start, args.end, args.out)
    if args.verb in ("questions", "communes"):  # verbs that take the settings only
        verb = cli_verbs.questions if args.verb == "questions" else cli_verbs.communes
        return asyncio.run(verb(settings))
    if args.verb == "petitions":
        if args.action == "show" and not args.code:
            print("Cần mã hồ sơ: python -m bot petitions show PA-XXXXXX", file=sys.stderr)
            return 2
        return asyncio.run(cli_verbs.petitions(settings, args.action, args.code))
    if args.jsonl:
        return asyncio.run(cli_verbs.ask_jsonl(settings))
    if not args.question:
        print('Hãy nhập câu hỏi, ví dụ: python -m bot ask "lịch tiếp công dân"', file=sys.stderr)
        return 2
    return asyncio.run(cli_verbs.ask_one(settings, " ".join(args.question)))


def friendly_error(exc: BaseException, database_url: str) -> str | None:
    """One line for an error the operator can fix, or None for a bug (which keeps its traceback)."""
    import sqlite3

    import psycopg
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError

    from bot.outbound import StartupError
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
