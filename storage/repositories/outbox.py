"""The outbox: outgoing messages persisted in the sender's transaction, claimed and sent by a worker."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import OutboxMessage, UTCDateTime
from storage.repositories._upsert import insert_ignore

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


class OutboxRepo:
    """Queue of outgoing messages; ordering is by id within a chat.

    Every read and every update by chat is the commune's (a process sends its own commune's messages
    with its own bots); marking by id follows what the commune's worker claimed.
    """

    def __init__(self, session: AsyncSession, commune_id: int) -> None:
        self._s = session
        self._c = commune_id

    async def put(
        self,
        channel: str,
        chat_id: str,
        payload: dict[str, Any],
        now: datetime,
        *,
        dedupe_key: str | None = None,
        not_before: datetime | None = None,
    ) -> bool:
        """Queue a message; False when its `dedupe_key` was queued before (it is sent once)."""
        values: dict[str, Any] = dict(
            commune_id=self._c,
            channel=channel,
            chat_id=chat_id,
            payload=payload,
            status=PENDING,
            attempts=0,
            next_attempt_at=not_before or now,
            created_at=now,
            dedupe_key=dedupe_key,
        )
        if dedupe_key is None:
            self._s.add(OutboxMessage(**values))
            return True
        stmt = insert_ignore(self._s, OutboxMessage).values(**values).returning(col(OutboxMessage.id))
        return (await self._s.exec(stmt)).first() is not None

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
        """Due messages (oldest first) that nothing earlier in their chat holds back.

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
            .order_by(col(OutboxMessage.id))
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

    async def mark_sent(self, results: Sequence[tuple[int, str | None, datetime]]) -> None:
        """Record deliveries as (outbox id, the channel's message id, when it was answered)."""
        if not results:
            return
        table = OutboxMessage.__table__  # type: ignore[attr-defined]
        stmt = (
            update(table)
            .where(table.c.id == bindparam("oid"))
            .values(
                status=SENT,
                sent_at=bindparam("at", type_=UTCDateTime()),
                external_id=bindparam("ext"),
                lease_until=None,
                attempts=table.c.attempts + 1,
            )
        )
        conn = await self._s.connection()
        await conn.execute(stmt, [{"oid": oid, "at": at, "ext": ext} for oid, ext, at in results])

    async def retry_later(self, message: OutboxMessage, retry_at: datetime, error: str) -> None:
        """Put a message back, and hold later messages to the same chat behind it (order)."""
        await self._s.exec(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == message.id)
            .values(
                status=PENDING,
                next_attempt_at=retry_at,
                lease_until=None,
                last_error=error[:500],
                attempts=OutboxMessage.attempts + 1,
            )
        )
        await self._s.exec(
            update(OutboxMessage)
            .where(col(OutboxMessage.commune_id) == message.commune_id)
            .where(col(OutboxMessage.channel) == message.channel)
            .where(col(OutboxMessage.chat_id) == message.chat_id)
            .where(col(OutboxMessage.id) > (message.id or 0))
            .where(col(OutboxMessage.status).in_([PENDING, SENDING]))
            .where(col(OutboxMessage.next_attempt_at) < retry_at)
            .values(status=PENDING, next_attempt_at=retry_at, lease_until=None)
        )

    async def fail(self, message_id: int, error: str) -> None:
        """Give up on a message the channel refuses for good (blocked bot, bad chat)."""
        await self._s.exec(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == message_id)
            .values(status=FAILED, lease_until=None, last_error=error[:500])
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

    async def for_chat(
        self, channel: str, chat_id: str, after_id: int = 0, limit: int = 100
    ) -> list[OutboxMessage]:
        """Messages to one chat after a given id (the web chat reads its history this way)."""
        query = (
            select(OutboxMessage)
            .where(OutboxMessage.commune_id == self._c)
            .where(OutboxMessage.channel == channel, OutboxMessage.chat_id == chat_id)
            .where(col(OutboxMessage.id) > after_id)
            .order_by(col(OutboxMessage.id))
            .limit(limit)
        )
        return list((await self._s.exec(query)).all())

    async def by_external(self, channel: str, chat_id: str, external_id: str) -> OutboxMessage | None:
        """The message we sent that a person is now replying to."""
        query = select(OutboxMessage).where(
            OutboxMessage.commune_id == self._c,
            OutboxMessage.channel == channel,
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.external_id == external_id,
        )
        return (await self._s.exec(query)).first()

    async def forget_chat(self, channel: str, chat_id: str) -> int:
        """Delete what was sent to a private chat (personal data erasure)."""
        result = await self._s.exec(
            delete(OutboxMessage).where(
                col(OutboxMessage.commune_id) == self._c,
                col(OutboxMessage.channel) == channel,
                col(OutboxMessage.chat_id) == chat_id,
                col(OutboxMessage.status).in_([SENT, FAILED]),
            )
        )
        return int(result.rowcount or 0)

    async def keys_with_prefix(self, prefix: str) -> list[tuple[str, str, str]]:
        """(dedupe key, channel, chat) of messages queued under a key prefix."""
        query = select(OutboxMessage.dedupe_key, OutboxMessage.channel, OutboxMessage.chat_id).where(
            OutboxMessage.commune_id == self._c, col(OutboxMessage.dedupe_key).startswith(prefix)
        )
        return [(k or "", c, chat) for k, c, chat in (await self._s.exec(query)).all()]

    async def pending(self, limit: int = 1000) -> list[OutboxMessage]:
        """Messages waiting to go out, oldest first."""
        query = (
            select(OutboxMessage)
            .where(OutboxMessage.commune_id == self._c)
            .where(col(OutboxMessage.status).in_([PENDING, SENDING]))
            .order_by(col(OutboxMessage.id))
            .limit(limit)
        )
        return list((await self._s.exec(query)).all())

    async def count(self, status: str | None = None) -> int:
        query = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.commune_id == self._c)
        if status:
            query = query.where(OutboxMessage.status == status)
        return int((await self._s.exec(query)).one())

    async def last_to_chat(self, channel: str, chat_id: str) -> OutboxMessage | None:
        """The bot's latest message to a chat that was not given up on (its choices are live)."""
        query = (
            select(OutboxMessage)
            .where(OutboxMessage.commune_id == self._c)
            .where(OutboxMessage.channel == channel, OutboxMessage.chat_id == chat_id)
            .where(OutboxMessage.status != FAILED)
            .order_by(col(OutboxMessage.id).desc())
            .limit(1)
        )
        return (await self._s.exec(query)).first()

    async def due_again(self, channel: str, chat_id: str) -> int:
        """Messages to a chat waiting for a retry (and those held behind them) are due now.

        For a channel that may write to a person only for a while after they wrote (Zalo OA's
        7 days): when they write again, what waited goes out first. Returns how many.
        """
        waiting = (
            select(OutboxMessage.id, OutboxMessage.next_attempt_at)
            .where(OutboxMessage.commune_id == self._c)
            .where(OutboxMessage.channel == channel, OutboxMessage.chat_id == chat_id)
            .where(OutboxMessage.status == PENDING, col(OutboxMessage.attempts) > 0)
            .order_by(col(OutboxMessage.id))
            .limit(1)
        )
        head = (await self._s.exec(waiting)).first()
        if head is None or head[1] is None:
            return 0
        result = await self._s.exec(
            update(OutboxMessage)
            .where(col(OutboxMessage.commune_id) == self._c)
            .where(col(OutboxMessage.channel) == channel, col(OutboxMessage.chat_id) == chat_id)
            .where(col(OutboxMessage.status) == PENDING, col(OutboxMessage.id) >= head[0])
            .where(col(OutboxMessage.next_attempt_at) <= head[1])
            .values(next_attempt_at=OutboxMessage.created_at)  # "now" in the clock that queued it
        )
        return int(result.rowcount or 0)


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
