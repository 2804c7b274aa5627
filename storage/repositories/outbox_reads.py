"""Reading the outbox: a chat's history, the message a person replies to, counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, case, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import OutboxMessage
from storage.repositories.outbox_states import FAILED, PENDING, SENDING, SENT, aware


@dataclass
class Tally:
    """Counts of messages by where they stand (no texts, no chats): the console's outbox page."""

    queued: int = 0  # waiting for their first try (or being sent)
    retrying: int = 0  # tried, failed, waiting for another try
    given_up: int = 0  # failed for good
    sent: int = 0
    last_sent: datetime | None = None
    by_status: dict[str, int] = field(default_factory=dict)

    def add(self, status: str, tried: bool, count: int) -> None:
        if status == SENT:
            self.sent += count
        elif status == FAILED:
            self.given_up += count
        elif tried and status == PENDING:
            self.retrying += count
        else:
            self.queued += count
        self.by_status[status] = self.by_status.get(status, 0) + count


class OutboxReads:
    """What the rest of the bot reads of the outbox (mixed into `OutboxRepo`)."""

    _s: AsyncSession
    _c: int  # the commune

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

    async def tally(
        self, channel: str | None = None, chat_id: str | None = None, key_suffix: str | None = None
    ) -> dict[str, Tally]:
        """Counts per channel: of every message, or of those to one chat (and dedupe key ending)."""
        tried = case((col(OutboxMessage.attempts) > 0, True), else_=False)
        counts = select(OutboxMessage.channel, OutboxMessage.status, tried, func.count()).group_by(
            OutboxMessage.channel, OutboxMessage.status, tried
        )
        last = (
            select(OutboxMessage.channel, func.max(OutboxMessage.sent_at))
            .where(OutboxMessage.status == SENT)
            .group_by(OutboxMessage.channel)
        )
        wheres: list[ColumnElement[bool]] = [col(OutboxMessage.commune_id) == self._c]
        if channel is not None:
            wheres.append(col(OutboxMessage.channel) == channel)
        if chat_id is not None:
            wheres.append(col(OutboxMessage.chat_id) == chat_id)
        if key_suffix is not None:
            wheres.append(col(OutboxMessage.dedupe_key).endswith(":" + key_suffix))
        found: dict[str, Tally] = {}
        for ch, status, was_tried, count in (await self._s.exec(counts.where(*wheres))).all():
            found.setdefault(ch, Tally()).add(status, bool(was_tried), int(count))
        for ch, at in (await self._s.exec(last.where(*wheres))).all():
            if at is not None and ch in found:
                found[ch].last_sent = aware(at)
        return found
