"""The OA's access token, refreshed ahead of expiry and when refused, never twice with one refresh token.

Zalo's refresh token is single-use and rotated: two concurrent refreshes would lose it for good.
So a refresh runs under an asyncio lock (this process) and inside the database transaction that
holds the token row locked (other processes, on PostgreSQL), re-reads the row once it has the
lock (someone may have refreshed already), and stores the rotated pair in that same transaction.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from channels.zalo_oa.client import OaClient, OaError
from channels.zalo_oa.wire import DEAD_REFRESH
from storage.store import Store

log = logging.getLogger(__name__)

AHEAD = timedelta(hours=1)  # refresh this long before the access token expires


def wall_clock() -> datetime:
    return datetime.now(UTC)


class NoToken(Exception):
    """No usable access token: none was set, or the refresh token is dead (messages wait)."""


class TokenKeeper:
    """Hands out the current access token; `refreshed(stale)` after Zalo refused `stale`."""

    def __init__(
        self,
        store: Store,
        client: OaClient,
        app_id: str,
        secret_key: str,
        clock: Callable[[], datetime] = wall_clock,
    ) -> None:
        self._store, self._client = store, client
        self._app_id, self._secret = app_id, secret_key
        self._clock = clock
        self._lock = asyncio.Lock()
        self._cached: tuple[str, datetime] | None = None
        self.refreshes = 0  # refresh calls this keeper made (for the operator's log and tests)

    def _fresh(self, expires_at: datetime | None) -> bool:
        return expires_at is not None and _aware(expires_at) - AHEAD > self._clock()

    async def access(self) -> str:
        """A token good for at least the next hour, refreshing first when it is not."""
        if self._cached is not None and self._fresh(self._cached[1]):
            return self._cached[0]
        return await self._refresh(stale=self._cached[0] if self._cached else None, expired_only=True)

    async def refreshed(self, stale: str) -> str:
        """A token other than `stale` (which Zalo refused as invalid or expired)."""
        return await self._refresh(stale=stale, expired_only=False)

    async def _refresh(self, stale: str | None, expired_only: bool) -> str:
        async with self._lock, self._store.uow() as uow:
            row = await uow.oa_tokens.locked()
            if row is None:
                raise NoToken("no OA token: set one with `python -m bot zalo-oa-token`")
            if row.dead:
                raise NoToken(f"the OA refresh token is dead ({row.dead})")
            current = (row.access_token, _aware(row.expires_at or self._clock()))
            usable = self._fresh(current[1]) and (expired_only or row.access_token != stale)
            if usable:
                self._cached = current
                return current[0]  # the row lock ends with the transaction, unchanged
            now = self._clock()
            try:
                pair = await self._client.refresh(self._app_id, self._secret, row.refresh_token)
            except OaError as exc:
                if exc.code == 0:  # no answer: the token may be unspent; keep it, try later
                    raise NoToken(f"the OA token server did not answer ({exc})") from None
                self._cached = None
                await uow.oa_tokens.mark_dead(str(exc), now)
                await uow.commit()
                log.error(
                    "zalo_oa: the refresh token was refused (%s%s): the OA admin must grant the app "
                    "access again, then set the new tokens with `python -m bot zalo-oa-token "
                    "--access ... --refresh ...`; OA messages wait until then",
                    exc,
                    ", dead" if exc.code in DEAD_REFRESH else "",
                )
                raise NoToken(str(exc)) from None
            expires_at = now + timedelta(seconds=pair.expires_in)
            await uow.oa_tokens.put(pair.access, pair.refresh, expires_at, now)
            await uow.commit()  # the rotated refresh token is stored with the lock still held
            self.refreshes += 1
            self._cached = (pair.access, expires_at)
            log.info("zalo_oa: access token refreshed; it expires at %s", expires_at.isoformat())
            return pair.access


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
