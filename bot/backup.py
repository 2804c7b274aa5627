"""`backup FILE` and `restore FILE`: a consistent, encrypted copy of the whole database.

SQLite is copied with SQLite's online backup API (consistent while the bot writes); PostgreSQL
with `pg_dump -Fc` and restored with `pg_restore`. Backups hold residents' names, phones and
denouncers' identities, so they are encrypted with the operator's key (Fernet: AES-128-CBC and
HMAC-SHA256) unless `--no-encrypt` is asked for explicitly.

File layout: one header line `commune-bot-backup 1 <sqlite|postgresql> <fernet|plain>`, then for
`plain` the raw payload (a SQLite database file or a pg_dump archive), for `fernet` one token per
line, each holding an 8-byte chunk number, a last-chunk flag and up to 1 MiB of the payload (so
a reordered, dropped or truncated chunk is detected).
"""

from __future__ import annotations

import os
import sqlite3
import struct
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.engine import URL, make_url

MAGIC = b"commune-bot-backup 1"
CHUNK = 1024 * 1024
_FRAME = struct.Struct(">Q?")


class BackupError(Exception):
    """A backup or restore could not be done; the message says why, in one line."""


@dataclass(frozen=True)
class Target:
    """The database a backup is taken from or restored into."""

    kind: str  # "sqlite" | "postgresql"
    sqlite_path: Path | None = None
    pg_url: str = ""  # libpq URL without the password
    pg_password: str | None = None

    @classmethod
    def from_url(cls, database_url: str) -> Target:
        url: URL = make_url(database_url.replace("postgres://", "postgresql://", 1))
        if url.drivername.startswith("sqlite"):
            if not url.database or url.database == ":memory:":
                raise BackupError("DATABASE_URL phải trỏ tới một tệp SQLite để sao lưu")
            return cls("sqlite", sqlite_path=Path(url.database))
        libpq = url.set(drivername="postgresql", password=None)
        return cls(
            "postgresql",
            pg_url=libpq.render_as_string(hide_password=False),
            pg_password=url.password if url.password is None else str(url.password),
        )

    def pg_env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.pg_password is not None:
            env["PGPASSWORD"] = self.pg_password
        return env


def new_key() -> str:
    """A fresh random key for BACKUP_KEY."""
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode("ascii")


# --- chunk framing ---------------------------------------------------------------------------


def _seal(chunks: Iterable[bytes], key: str) -> Iterator[bytes]:
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


def _open_sealed(lines: Iterable[bytes], key: str) -> Iterator[bytes]:
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


def _write(path: Path, kind: str, chunks: Iterable[bytes], key: str | None) -> None:
    """Write header and payload to path.tmp (mode 600), then move it into place."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(MAGIC + f" {kind} {'fernet' if key else 'plain'}\n".encode())
            for piece in _seal(chunks, key) if key else chunks:
                out.write(piece)
            out.flush()
            os.fsync(out.fileno())
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _read_header(stream: BinaryIO) -> tuple[str, bool]:
    parts = stream.readline().split()
    if len(parts) != 4 or b" ".join(parts[:2]) != MAGIC or parts[2] not in (b"sqlite", b"postgresql"):
        raise BackupError("đây không phải tệp sao lưu của bot (tạo bằng: python -m bot backup FILE)")
    return parts[2].decode(), parts[3] == b"fernet"


def _payload(stream: BinaryIO, encrypted: bool, key: str | None) -> Iterator[bytes]:
    if not encrypted:
        yield from iter(lambda: stream.read(CHUNK), b"")
        return
    if not key:
        raise BackupError("tệp sao lưu đã mã hóa: cần BACKUP_KEY (hoặc BACKUP_KEY_FILE) để khôi phục")
    yield from _open_sealed(stream, key)


# --- backup -----------------------------------------------------------------------------------


def backup(database_url: str, path: Path, key: str | None) -> None:
    """Write a backup of the database to path; encrypted unless key is None."""
    target = Target.from_url(database_url)
    if target.kind == "sqlite":
        _write(path, "sqlite", [_sqlite_snapshot(target)], key)
    else:
        _pg_dump(target, path, key)


def _sqlite_snapshot(target: Target) -> bytes:
    """The database as one consistent image, taken in memory (never a plaintext copy on disk)."""
    assert target.sqlite_path is not None
    if not target.sqlite_path.is_file():
        raise BackupError(f"không có tệp cơ sở dữ liệu {target.sqlite_path} (DATABASE_URL)")
    source = sqlite3.connect(f"file:{target.sqlite_path}?mode=ro", uri=True, timeout=30)
    memory = sqlite3.connect(":memory:")
    try:
        source.backup(memory)
        return _rollback_journal(memory.serialize())
    except sqlite3.Error as exc:
        raise BackupError(f"không đọc được cơ sở dữ liệu {target.sqlite_path}: {exc}") from None
    finally:
        source.close()
        memory.close()


def _rollback_journal(image: bytes) -> bytes:
    """The image marked as a rollback-journal database (header bytes 18-19: 1), as an in-memory
    database must be; a WAL file's image (2) would not open. The bot turns WAL on again."""
    if image[18:20] != b"\x02\x02":
        return image
    return image[:18] + b"\x01\x01" + image[20:]


def _pg_dump(target: Target, path: Path, key: str | None) -> None:
    command = ["pg_dump", "--format=custom", "--no-owner", "--no-acl", f"--dbname={target.pg_url}"]
    try:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=target.pg_env())
    except FileNotFoundError:
        raise BackupError("cần pg_dump (cài gói postgresql-client) để sao lưu PostgreSQL") from None
    stdout, stderr = proc.stdout, proc.stderr
    assert stdout is not None and stderr is not None
    try:
        _write(path, "postgresql", iter(lambda: stdout.read(CHUNK), b""), key)
    finally:
        err = stderr.read().decode(errors="replace")
        code = proc.wait()
    if code != 0:
        path.unlink(missing_ok=True)
        raise BackupError(f"pg_dump thất bại: {_first_line(err)}")


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "không rõ lỗi")


# --- restore ----------------------------------------------------------------------------------


def restore(database_url: str, path: Path, key: str | None, force: bool) -> None:
    """Restore a backup into the database; refuse a non-empty target unless force."""
    target = Target.from_url(database_url)
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise BackupError(f"không đọc được tệp {path}: {exc.strerror}") from None
    with stream:
        kind, encrypted = _read_header(stream)
        if kind != target.kind:
            raise BackupError(f"tệp sao lưu là của {kind}, còn DATABASE_URL là {target.kind}")
        payload = _payload(stream, encrypted, key)
        if target.kind == "sqlite":
            _sqlite_restore(target, b"".join(payload), force)
        else:
            _pg_restore(target, payload, force)


def _sqlite_tables(path: Path) -> int:
    if not path.is_file():
        return 0
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return int(conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0])


def _sqlite_restore(target: Target, image: bytes, force: bool) -> None:
    assert target.sqlite_path is not None
    if _sqlite_tables(target.sqlite_path) and not force:
        raise BackupError(
            f"{target.sqlite_path} đã có dữ liệu: dừng bot rồi thêm --force để ghi đè, hoặc dùng tệp mới"
        )
    memory = sqlite3.connect(":memory:")
    try:
        memory.deserialize(_rollback_journal(image))
        if memory.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("bản sao lưu SQLite bị hỏng (integrity_check)")
        target.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        dest = sqlite3.connect(target.sqlite_path, timeout=30)
        try:
            memory.backup(dest)
        finally:
            dest.close()
    except sqlite3.Error as exc:
        raise BackupError(f"không ghi được {target.sqlite_path}: {exc}") from None
    finally:
        memory.close()


def _pg_tables(target: Target) -> int:
    import psycopg

    try:
        with psycopg.connect(target.pg_url, password=target.pg_password, connect_timeout=10) as conn:
            row = conn.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
            ).fetchone()
    except psycopg.Error as exc:
        raise BackupError(f"không kết nối được PostgreSQL (DATABASE_URL): {_first_line(str(exc))}") from None
    return int(row[0]) if row else 0


def _pg_restore(target: Target, payload: Iterator[bytes], force: bool) -> None:
    if _pg_tables(target) and not force:
        raise BackupError("cơ sở dữ liệu đích đã có dữ liệu: dừng bot rồi thêm --force để ghi đè")
    command = ["pg_restore", "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction"]
    command.append(f"--dbname={target.pg_url}")
    if force:
        command += ["--clean", "--if-exists"]
    try:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=target.pg_env(),
        )
    except FileNotFoundError:
        raise BackupError("cần pg_restore (cài gói postgresql-client) để khôi phục PostgreSQL") from None
    assert proc.stdin is not None and proc.stderr is not None
    try:
        for chunk in payload:
            proc.stdin.write(chunk)
    except BrokenPipeError:
        pass  # pg_restore stopped early: its exit code and message say why
    except BaseException:
        proc.kill()  # a bad chunk: --single-transaction leaves the database as it was
        raise
    finally:
        proc.stdin.close()
        err = proc.stderr.read().decode(errors="replace")
        code = proc.wait()
    if code != 0:
        raise BackupError(f"pg_restore thất bại: {_first_line(err)}")
