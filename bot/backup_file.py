"""The backup file: a header line, then the payload as is or as numbered, encrypted chunks.

File layout: one header line `commune-bot-backup 1 <sqlite|postgresql> <fernet|plain>`, then for
`plain` the raw payload (a SQLite database file or a pg_dump archive), for `fernet` one token per
line, each holding an 8-byte chunk number, a last-chunk flag and up to 1 MiB of the payload (so
a reordered, dropped or truncated chunk is detected).
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

MAGIC = b"commune-bot-backup 1"
CHUNK = 1024 * 1024
_FRAME = struct.Struct(">Q?")


class BackupError(Exception):
    """A backup or restore could not be done; the message says why, in one line."""


def seal(chunks: Iterable[bytes], key: str) -> Iterator[bytes]:
    from cryptography.fernet import Fernet

    fernet = Fernet(key.encode("ascii"))
    pending: bytes | None = None
    index = 0
    for chunk in chunks:
        if pending is not None:
            yield fernet.encrypt(_FRAME.pack(index, False) + pending) + b"\n"
            index += 1
        pending = chunk
    yield fernet.encrypt(_FRAME.pack(index, True) + (pending or b"")) + b"\n"


def open_sealed(lines: Iterable[bytes], key: str) -> Iterator[bytes]:
    from cryptography.fernet import Fernet, InvalidToken

    fernet = Fernet(key.encode("ascii"))
    expected, done = 0, False
    for line in lines:
        token = line.strip()
        if not token:
            continue
        if done:
            raise BackupError("tệp sao lưu có dữ liệu thừa sau phần cuối: tệp đã bị sửa")
        try:
            frame = fernet.decrypt(token)
        except InvalidToken:
            raise BackupError("sai khóa BACKUP_KEY, hoặc tệp sao lưu đã bị hỏng/sửa") from None
        index, last = _FRAME.unpack_from(frame)
        if index != expected:
            raise BackupError("tệp sao lưu thiếu hoặc đảo phần: tệp đã bị hỏng")
        expected += 1
        done = last
        yield frame[_FRAME.size :]
    if not done:
        raise BackupError("tệp sao lưu bị cắt cụt (thiếu phần cuối)")


def write(path: Path, kind: str, chunks: Iterable[bytes], key: str | None) -> None:
    """Write header and payload to path.tmp (mode 600), then move it into place."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(MAGIC + f" {kind} {'fernet' if key else 'plain'}\n".encode())
            for piece in seal(chunks, key) if key else chunks:
                out.write(piece)
            out.flush()
            os.fsync(out.fileno())
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_header(stream: BinaryIO) -> tuple[str, bool]:
    parts = stream.readline().split()
    if len(parts) != 4 or b" ".join(parts[:2]) != MAGIC or parts[2] not in (b"sqlite", b"postgresql"):
        raise BackupError("đây không phải tệp sao lưu của bot (tạo bằng: python -m bot backup FILE)")
    return parts[2].decode(), parts[3] == b"fernet"


def read_payload(stream: BinaryIO, encrypted: bool, key: str | None) -> Iterator[bytes]:
    if not encrypted:
        yield from iter(lambda: stream.read(CHUNK), b"")
        return
    if not key:
        raise BackupError("tệp sao lưu đã mã hóa: cần BACKUP_KEY (hoặc BACKUP_KEY_FILE) để khôi phục")
    yield from open_sealed(stream, key)
