"""Conversation state of step-by-step flows, keyed by (channel, chat, user)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Conversation


class ConversationRepo:
    """Where each person is in a flow; survives restarts."""

    def __init__(self, session: AsyncSession, commune_id: int) -> None:
        self._s = session
        self._c = commune_id

    async def get(self, channel: str, chat_id: str, user_id: str) -> Conversation | None:
        return await self._s.get(Conversation, (self._c, channel, chat_id, user_id))

    async def save(
        self,
        channel: str,
        chat_id: str,
        user_id: str,
        *,
        flow: str,
        step: str,
        data: dict[str, Any],
        now: datetime,
    ) -> None:
        conv = await self.get(channel, chat_id, user_id)
        if conv is None:
            conv = Conversation(
                commune_id=self._c, channel=channel, chat_id=chat_id, user_id=user_id, flow=flow, step=step
            )
        conv.flow, conv.step, conv.data, conv.updated_at = flow, step, dict(data), now
        flag_modified(conv, "data")  # nested lists/dicts changed in place compare equal
        self._s.add(conv)

    async def clear(self, channel: str, chat_id: str, user_id: str) -> bool:
        """Forget the flow; True when there was one."""
        conv = await self.get(channel, chat_id, user_id)
        if conv is None:
            return False
        await self._s.delete(conv)
        return True

    async def expire(self, older_than: datetime) -> int:
        """Drop flows not touched since `older_than`; returns how many."""
        result = await self._s.exec(
            delete(Conversation).where(
                col(Conversation.commune_id) == self._c, col(Conversation.updated_at) < older_than
            )
        )
        return int(result.rowcount or 0)
