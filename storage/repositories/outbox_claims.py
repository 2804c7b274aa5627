"""Claiming outbox rows for sending: what is due, leases, and the budgets' bookkeeping."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import OutboxMessage
from storage.repositories.outbox_states import PENDING, SENDING
from storage.repositories.outbox_states import aware as _aware


class OutboxClaims:
    """The sending side of the outbox (mixed into `OutboxRepo`)."""

    _s: AsyncSession
    _c: int  # the commune whose messages this process sends

    async def claim_due(
        self, channels: Sequence[str], now: datetime, limit: int, lease: timedelta
    ) -> list[OutboxMessage]:
        """Take due messages of these channels (oldest first) and lease them to this worker."""
        rows = await self.due_heads(channels, now, limit)
        await self.lease([r.id or 0 for r in rows], now, lease)
        return rows

    async def due_heads(
        self,
        channels: Sequence[str],
        now: datetime,
        limit: int,
        exclude: Collection[tuple[str, str]] = (),
    ) -> list[OutboxMessage]:
        """Due messages (answers first, then oldest first) that nothing earlier in their chat holds back.

        A message waits while an earlier one to its chat is being sent or waits for a retry, so a
        chat's messages go out in order even when a later one was queued after the retry was set.
        (A message queued for later, such as a post held past quiet hours, holds nothing back.)
        `exclude`: (channel, chat) pairs this worker is sending to right now. On PostgreSQL the
        rows are locked (skipping those another process has) until the caller's commit.
        """
        earlier = aliased(OutboxMessage)
        held = (
            select(earlier.id)
            .where(earlier.commune_id == OutboxMessage.commune_id)
            .where(earlier.channel == OutboxMessage.channel)
            .where(earlier.chat_id == OutboxMessage.chat_id)
            .where(col(earlier.id) < OutboxMessage.id)
            .where(
                or_(
                    col(earlier.status) == SENDING,
                    and_(
                        col(earlier.status) == PENDING,
                        col(earlier.next_attempt_at) > now,
                        col(earlier.attempts) > 0,
                    ),
                )
            )
        )
        query = (
            select(OutboxMessage)
            .where(OutboxMessage.commune_id == self._c)
            .where(col(OutboxMessage.channel).in_(channels))
            .where(OutboxMessage.status == PENDING)
            .where(col(OutboxMessage.next_attempt_at) <= now)
            .where(~held.exists())
            .order_by(col(OutboxMessage.priority), col(OutboxMessage.id))
            .limit(limit)
        )
        query = _without_chats(query, exclude)
        if self._s.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=OutboxMessage)
        return list((await self._s.exec(query)).all())

    async def lease(self, ids: Sequence[int], now: datetime, lease: timedelta) -> None:
        """Mark messages as being sent by this worker until `now + lease`."""
        if ids:
            await self._s.exec(
                update(OutboxMessage)
                .where(col(OutboxMessage.id).in_(list(ids)))
                .values(status=SENDING, lease_until=now + lease)
            )

    async def release(self, ids: Sequence[int]) -> None:
        """Give leased messages back untried (the worker is stopping)."""
        if ids:
            await self._s.exec(
                update(OutboxMessage)
                .where(col(OutboxMessage.id).in_(list(ids)))
                .where(col(OutboxMessage.status) == SENDING)
                .values(status=PENDING, lease_until=None)
            )

    async def recent_sends(
        self, chats: Sequence[tuple[str, str]], since: datetime
    ) -> dict[tuple[str, str], list[datetime]]:
        """When messages to these chats were sent after `since`, oldest first (pacing budgets)."""
        found: dict[tuple[str, str], list[datetime]] = {}
        by_channel: dict[str, list[str]] = {}
        for channel, chat in chats:
            by_channel.setdefault(channel, []).append(chat)
        for channel, chat_ids in by_channel.items():
            query = (
                select(OutboxMessage.chat_id, OutboxMessage.sent_at)
                .where(OutboxMessage.commune_id == self._c, OutboxMessage.channel == channel)
                .where(col(OutboxMessage.chat_id).in_(chat_ids))
                .where(col(OutboxMessage.sent_at) > since)
                .order_by(col(OutboxMessage.sent_at))
            )
            for chat, at in (await self._s.exec(query)).all():
                if at is not None:
                    found.setdefault((channel, chat), []).append(_aware(at))
        return found

    async def sends_since(self, channels: Sequence[str], since: datetime) -> list[tuple[str, str, datetime]]:
        """(channel, chat, sent_at) of every message of these channels sent after `since`, oldest
        first: a process starting to send counts them against the channels' short windows."""
        query = (
            select(OutboxMessage.channel, OutboxMessage.chat_id, OutboxMessage.sent_at)
            .where(OutboxMessage.commune_id == self._c, col(OutboxMessage.channel).in_(list(channels)))
            .where(col(OutboxMessage.sent_at) > since)
            .order_by(col(OutboxMessage.sent_at))
        )
        rows = (await self._s.exec(query)).all()
        return [(channel, chat, _aware(at)) for channel, chat, at in rows if at is not None]

    async def leased_chats(self, channels: Sequence[str]) -> dict[tuple[str, str], int]:
        """How many messages are leased for sending, per (channel, chat): a sender that died may
        have sent them without recording it."""
        query = (
            select(OutboxMessage.channel, OutboxMessage.chat_id, func.count())
            .where(OutboxMessage.commune_id == self._c, col(OutboxMessage.channel).in_(list(channels)))
            .where(OutboxMessage.status == SENDING)
            .group_by(col(OutboxMessage.channel), col(OutboxMessage.chat_id))
        )
        return {(channel, chat): int(n) for channel, chat, n in (await self._s.exec(query)).all()}

    async def queued_to(self, chats: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of these (channel, chat) pairs have messages waiting to be sent (due or not)."""
        found: set[tuple[str, str]] = set()
        by_channel: dict[str, list[str]] = {}
        for channel, chat in chats:
            by_channel.setdefault(channel, []).append(chat)
        for channel, chat_ids in by_channel.items():
            query = (
                select(OutboxMessage.chat_id)
                .where(OutboxMessage.commune_id == self._c, OutboxMessage.channel == channel)
                .where(col(OutboxMessage.chat_id).in_(chat_ids), OutboxMessage.status == PENDING)
                .distinct()
            )
            found |= {(channel, chat) for chat in (await self._s.exec(query)).all()}
        return found

    async def hold_chat(self, channel: str, chat_id: str, until: datetime) -> None:
        """Nothing pending to this chat becomes due before `until` (its budget is spent)."""
        await self._s.exec(
            update(OutboxMessage)
            .where(col(OutboxMessage.commune_id) == self._c)
            .where(col(OutboxMessage.channel) == channel)
            .where(col(OutboxMessage.chat_id) == chat_id)
            .where(col(OutboxMessage.status) == PENDING)
            .where(col(OutboxMessage.next_attempt_at) < until)
            .values(next_attempt_at=until)
        )

    async def release_expired(self, now: datetime) -> int:
        """Leases of a worker that died go back to the queue; returns how many."""
        result = await self._s.exec(
            update(OutboxMessage)
            .where(col(OutboxMessage.commune_id) == self._c)
            .where(col(OutboxMessage.status) == SENDING)
            .where(col(OutboxMessage.lease_until) < now)
            .values(status=PENDING, lease_until=None)
        )
        return int(result.rowcount or 0)

    async def release_leases(self, channels: Sequence[str], exclude: Collection[tuple[str, str]] = ()) -> int:
        """Every lease of these channels goes back to the queue now, but those of the `exclude`
        chats (this process's own sends): whoever else held them no longer sends."""
        if not channels:
            return 0
        query = (
            update(OutboxMessage)
            .where(col(OutboxMessage.commune_id) == self._c)
            .where(col(OutboxMessage.channel).in_(list(channels)))
            .where(col(OutboxMessage.status) == SENDING)
            .values(status=PENDING, lease_until=None)
        )
        result = await self._s.exec(_without_chats(query, exclude))
        return int(result.rowcount or 0)

    async def next_due_at(
        self, channels: Sequence[str], exclude: Collection[tuple[str, str]] = ()
    ) -> datetime | None:
        """When the earliest pending message becomes due (outside the `exclude` chats)."""
        query = select(func.min(OutboxMessage.next_attempt_at)).where(
            OutboxMessage.commune_id == self._c,
            col(OutboxMessage.channel).in_(channels),
            OutboxMessage.status == PENDING,
        )
        query = _without_chats(query, exclude)
        value = (await self._s.exec(query)).first()
        return _aware(value) if isinstance(value, datetime) else None


def _without_chats(query: Any, exclude: Collection[tuple[str, str]]) -> Any:
    """The query without the given (channel, chat) pairs (chats whose sending is under way)."""
    busy: dict[str, list[str]] = {}
    for channel, chat in exclude:
        busy.setdefault(channel, []).append(chat)
    for channel, chats in busy.items():
        query = query.where(
            ~and_(col(OutboxMessage.channel) == channel, col(OutboxMessage.chat_id).in_(chats))
        )
    return query
