"""`backup FILE` and `restore FILE`: a consistent, encrypted copy of the whole database.

SQLite is copied with SQLite's online backup API (consistent while the bot writes); PostgreSQL
with `pg_dump -Fc` and restored with `pg_restore`. Backups hold residents' names, phones and
denouncers' identities, so they are encrypted with the operator's key (Fernet: AES-128-CBC and
HMAC-SHA256) unless `--no-encrypt` is asked for explicitly.

The file format is bot/backup_file.py.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from bot.backup_file import CHUNK, BackupError, read_header, read_payload, write


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


# --- backup -----------------------------------------------------------------------------------


def backup(database_url: str, path: Path, key: str | None) -> None:
    """Write a backup of the database to path; encrypted unless key is None."""
    target = Target.from_url(database_url)
    if target.kind == "sqlite":
        write(path, "sqlite", [_sqlite_snapshot(target)], key)
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
        write(path, "postgresql", iter(lambda: stdout.read(CHUNK), b""), key)
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
        kind, encrypted = read_header(stream)
        if kind != target.kind:
            raise BackupError(f"tệp sao lưu là của {kind}, còn DATABASE_URL là {target.kind}")
        payload = read_payload(stream, encrypted, key)
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
