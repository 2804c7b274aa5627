"""The `backup FILE`, `restore FILE` and `backup-key` verbs: key handling and the operator's messages."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.backup import backup, new_key, restore
from bot.backup_file import BackupError
from bot.config import Settings, backup_key_problem

NO_KEY = (
    "Bản sao lưu chứa họ tên, số điện thoại của người dân (cả người tố cáo) nên phải mã hóa: "
    "đặt BACKUP_KEY (tạo bằng: python -m bot backup-key) hoặc BACKUP_KEY_FILE; "
    "chỉ khi thật cần mới dùng --no-encrypt"
)


def _key(settings: Settings) -> str | None:
    """The backup key from BACKUP_KEY or the file BACKUP_KEY_FILE names; None when neither is set."""
    if settings.BACKUP_KEY:
        return settings.BACKUP_KEY
    if not settings.BACKUP_KEY_FILE:
        return None
    path = Path(settings.BACKUP_KEY_FILE)
    try:
        key = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeError) as exc:
        raise BackupError(f"không đọc được BACKUP_KEY_FILE={path}: {getattr(exc, 'strerror', exc)}") from None
    if backup_key_problem(key):
        raise BackupError(
            f"BACKUP_KEY_FILE={path} không chứa khóa hợp lệ (tạo bằng: python -m bot backup-key)"
        )
    return key


def main(args: argparse.Namespace, settings: Settings) -> int:
    if args.verb == "backup-key":
        print(new_key())
        print(
            "Giữ khóa này ở nơi an toàn, tách khỏi bản sao lưu: mất khóa là không khôi phục được.",
            file=sys.stderr,
        )
        return 0
    try:
        key = _key(settings)
        if args.verb == "backup":
            if key is None and not args.no_encrypt:
                print(f"Chưa sao lưu: {NO_KEY}", file=sys.stderr)
                return 2
            backup(settings.DATABASE_URL, args.file, None if args.no_encrypt else key)
            what = "không mã hóa" if args.no_encrypt else "đã mã hóa"
            print(f"Đã sao lưu vào {args.file} ({what}, {args.file.stat().st_size:,} byte).")
            return 0
        restore(settings.DATABASE_URL, args.file, key, args.force)
    except BackupError as exc:
        verb = "Chưa sao lưu" if args.verb == "backup" else "Chưa khôi phục"
        print(f"{verb}: {exc}", file=sys.stderr)
        return 1
    print(f"Đã khôi phục từ {args.file}. Khởi động lại bot (python -m bot run) để dùng dữ liệu này.")
    return 0
