"""Questions the bot could not answer from what is published, for officials to review."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import UnansweredQuestion


class UnansweredRepo:
    """Unanswered questions, newest first."""

    def __init__(self, session: AsyncSession, commune_id: int) -> None:
        self._s = session
        self._c = commune_id

    async def add(self, channel: str, chat_id: str, question: str, now: datetime) -> None:
        self._s.add(
            UnansweredQuestion(
                commune_id=self._c, channel=channel, chat_id=chat_id, question=question, asked_at=now
            )
        )

    async def forget_chat(self, channel: str, chat_id: str) -> None:
        """Erase a person's unanswered questions."""
        await self._s.exec(
            delete(UnansweredQuestion).where(
                col(UnansweredQuestion.commune_id) == self._c,
                col(UnansweredQuestion.channel) == channel,
                col(UnansweredQuestion.chat_id) == chat_id,
            )
        )

    async def for_chat(self, channel: str, chat_id: str) -> list[UnansweredQuestion]:
        """One person's unanswered questions, oldest first (/dulieu shows them)."""
        query = (
            select(UnansweredQuestion)
            .where(UnansweredQuestion.commune_id == self._c)
            .where(col(UnansweredQuestion.channel) == channel, col(UnansweredQuestion.chat_id) == chat_id)
            .order_by(col(UnansweredQuestion.id))
        )
        return list((await self._s.exec(query)).all())

    async def all(self, limit: int = 100_000) -> list[UnansweredQuestion]:
        """Every unanswered question, oldest first (`python -m bot questions`)."""
        query = (
            select(UnansweredQuestion)
            .where(UnansweredQuestion.commune_id == self._c)
            .order_by(col(UnansweredQuestion.id))
            .limit(limit)
        )
        return list((await self._s.exec(query)).all())

    async def recent(self, limit: int = 50) -> list[UnansweredQuestion]:
        query = (
            select(UnansweredQuestion)
            .where(UnansweredQuestion.commune_id == self._c)
            .order_by(col(UnansweredQuestion.id).desc())
            .limit(limit)
        )
        return list((await self._s.exec(query)).all())
