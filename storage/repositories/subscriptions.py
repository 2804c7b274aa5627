"""Residents' one-to-one subscriptions to notices and reminders."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Subscription


class SubscriptionRepo:
    """Who gets what in a private chat."""

    def __init__(self, session: AsyncSession, commune_id: int) -> None:
        self._s = session
        self._c = commune_id

    async def get(self, channel: str, chat_id: str) -> Subscription | None:
        return await self._s.get(Subscription, (self._c, channel, chat_id))

    async def save(
        self, channel: str, chat_id: str, user_id: str, village: str | None, topics: list[str], now: datetime
    ) -> None:
        sub = await self.get(channel, chat_id) or Subscription(
            commune_id=self._c, channel=channel, chat_id=chat_id, user_id=user_id
        )
        sub.village, sub.topics, sub.created_at = village, list(topics), sub.created_at or now
        self._s.add(sub)

    async def remove(self, channel: str, chat_id: str) -> bool:
        result = await self._s.exec(
            delete(Subscription).where(
                col(Subscription.commune_id) == self._c,
                col(Subscription.channel) == channel,
                col(Subscription.chat_id) == chat_id,
            )
        )
        return bool(result.rowcount)

    async def for_topic(self, topic: str, villages: list[str]) -> list[Subscription]:
        """Subscribers to a topic whose village is concerned (commune-wide items reach everyone)."""
        rows = list(
            (await self._s.exec(select(Subscription).where(Subscription.commune_id == self._c))).all()
        )
        return [
            s
            for s in rows
            if topic in s.topics and (not villages or s.village is None or s.village in villages)
        ]
