"""One sender per bot: on PostgreSQL, the process holding a channel's advisory lock sends for it.

Several processes may run delivery; each channel's messages are paced by one of them only, so the
channel's bot-wide budget (Telegram: 30 a second) holds for the deployment, not per process. The
locks live on one dedicated connection: a process that dies drops them with it, and a waiting one
takes over within `TRY_EVERY` s. A process whose connection went while it held locks (a database
restart) is still alive: it reconnects at once and takes its locks back, while the others wait
`DEFER_TAKEOVER` s after their own reconnection, so messages it sent but has not recorded yet are
not released to another process and sent twice. The same connection listens for `NOTICE`, which every queued
message raises (storage/repositories/outbox.py), so a reply queued by any process wakes the sender.
SQLite serves one process, which sends for every channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import zlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

from storage.db import async_url
from storage.repositories.outbox_states import NOTICE

if TYPE_CHECKING:  # imported when used: SQLite never loads the PostgreSQL driver (a quicker restart)
    import psycopg

log = logging.getLogger(__name__)

LOCK_SPACE = 0x4F42  # "OB": the first key of the two-key advisory locks; the second names the channel
TRY_EVERY = 1.0  # seconds between attempts to take the locks another process holds
RECONNECT_AFTER = 2.0
RETAKE_AFTER = 0.5  # seconds before reconnecting when the connection went while holding locks
DEFER_TAKEOVER = 5.0  # seconds a process that held no lock waits after reconnecting before taking one


def channel_key(channel: str) -> int:
    """The advisory lock's second key for a channel (a signed 32-bit number)."""
    value = zlib.crc32(channel.encode())
    return value - (1 << 32) if value >= 1 << 31 else value


def conninfo(database_url: str) -> str:
    """The settings' database URL as libpq takes it."""
    url = async_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class SendingRights:
    """Which channels this process sends for now (`held()`); `start()` it, `close()` it at the end.

    Until started it holds every channel (a worker driven pass by pass, as tests do, sends).
    """

    def __init__(
        self, database_url: str, on_change: Callable[[], None] = lambda: None, scope: str = ""
    ) -> None:
        self._url = database_url
        # the commune whose bots these are: each commune's bots have their own budget and sender
        self._scope = scope
        self._postgres = make_url(async_url(database_url)).get_backend_name() == "postgresql"
        self._on_change = on_change
        self._wanted: tuple[str, ...] = ()
        self._held: set[str] = set()
        self._taken: set[str] = set()
        self._started = False
        self._task: asyncio.Task[None] | None = None
        self._first_try = asyncio.Event()

    def held(self, channels: Sequence[str]) -> list[str]:
        """The channels of `channels` this process may send for."""
        if not self._postgres or not self._started:
            return list(channels)
        return [c for c in channels if c in self._held]

    def taken(self) -> set[str]:
        """Channels taken over since the last call: whatever is leased for them was leased by a
        process that no longer sends (it died or stopped), so it may go out again now."""
        taken, self._taken = self._taken, set()
        return taken

    async def start(self, channels: Sequence[str]) -> None:
        """Begin taking the channels' locks; returns after the first attempt (or 5 s)."""
        self._wanted, self._started = tuple(channels), True
        if not self._postgres or not channels:
            return
        self._task = asyncio.create_task(self._serve())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._first_try.wait(), 5.0)

    async def close(self) -> None:
        """Let go of every lock (the connection closes); call once this process's sends are stored."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._held.clear()

    async def _serve(self) -> None:
        import psycopg

        lost: set[str] = set()  # held when the connection went, until this process connects again
        reconnecting = False
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    conninfo(self._url), autocommit=True
                ) as conn:
                    await conn.execute(f"LISTEN {NOTICE}")
                    if reconnecting and not lost:  # the sender may be alive: it retakes its locks first
                        await asyncio.sleep(DEFER_TAKEOVER)
                    while True:
                        await self._take(conn)
                        lost.clear()
                        self._first_try.set()
                        async for _ in conn.notifies(timeout=TRY_EVERY, stop_after=1):
                            self._on_change()
            except (psycopg.Error, OSError) as exc:
                if self._held:
                    log.warning("outbox: lost the sending locks (%s); sending stops until retaken", exc)
                lost |= self._held
                self._drop()
            except BaseException:
                self._drop()
                raise
            self._first_try.set()
            reconnecting = True
            await asyncio.sleep(RETAKE_AFTER if lost else RECONNECT_AFTER)

    async def _take(self, conn: psycopg.AsyncConnection[tuple[object, ...]]) -> None:
        for channel in self._wanted:
            if channel in self._held:
                continue
            cursor = await conn.execute(
                "SELECT pg_try_advisory_lock(%s, %s)",
                (LOCK_SPACE, channel_key(f"{self._scope}/{channel}" if self._scope else channel)),
            )
            row = await cursor.fetchone()
            if row is not None and row[0]:
                self._held.add(channel)
                self._taken.add(channel)
                log.info("outbox: this process now sends for %s", channel)
                self._on_change()

    def _drop(self) -> None:
        self._held.clear()
        self._taken.clear()
