"""The outbox: outgoing messages persisted in the sender's transaction, claimed and sent by a worker.

Every write but claiming lives here (queueing, recording outcomes, redacting one-time codes,
erasing a chat); claiming in `outbox_claims.py`, reading in `outbox_reads.py`, the row states and
priorities in `outbox_states.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import OutboxMessage, UTCDateTime
from storage.repositories._upsert import insert_ignore
from storage.repositories.outbox_claims import OutboxClaims
from storage.repositories.outbox_reads import OutboxReads
from storage.repositories.outbox_states import ANSWER, FAILED, NOTICE, PENDING, POST, SENDING, SENT

__all__ = ["ANSWER", "FAILED", "PENDING", "POST", "SENDING", "SENT", "OutboxRepo"]


class OutboxRepo(OutboxClaims, OutboxReads):
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
        priority: int = POST,
    ) -> bool:
        """Queue a message; False when its `dedupe_key` was queued before (it is sent once).

        An `ANSWER` leaves before posts; what is already queued to its chat is promoted with it,
        so the chat's messages still leave in order.
        """
        if priority < POST:
            await self._s.exec(
                update(OutboxMessage)
                .where(col(OutboxMessage.commune_id) == self._c)
                .where(col(OutboxMessage.channel) == channel, col(OutboxMessage.chat_id) == chat_id)
                .where(col(OutboxMessage.status) == PENDING, col(OutboxMessage.priority) > priority)
                .values(priority=priority)
            )
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
            priority=priority,
        )
        if self._s.get_bind().dialect.name == "postgresql":  # wakes the sender at commit
            await self._s.exec(select(func.pg_notify(NOTICE, channel)))
        if dedupe_key is None:
            self._s.add(OutboxMessage(**values))
            return True
        stmt = insert_ignore(self._s, OutboxMessage).values(**values).returning(col(OutboxMessage.id))
        return (await self._s.exec(stmt)).first() is not None

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

    async def redact(self, prefix: str, text: str, created_before: datetime | None = None) -> int:
        """Replace the text of messages queued under a key prefix (a one-time code once it is used
        or has expired: the table keeps no secret that still opens anything). Rows that already
        say `text` are left alone: each code asked for redacts the expired ones, not all again."""
        # the text, not the whole payload: PostgreSQL's json has no equality
        shown = col(OutboxMessage.payload)["text"].as_string()
        stmt = (
            update(OutboxMessage)
            .where(col(OutboxMessage.commune_id) == self._c)
            .where(col(OutboxMessage.dedupe_key).startswith(prefix))
            .where(shown.is_distinct_from(text))
            .values(payload={"text": text})
        )
        if created_before is not None:
            stmt = stmt.where(col(OutboxMessage.created_at) < created_before)
        return int((await self._s.exec(stmt)).rowcount or 0)
