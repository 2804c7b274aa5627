"""The local web chat: the demo channel, talking to the same handlers through the same pipeline."""

from __future__ import annotations

import re
from typing import Any

from bot.pipeline import Pipeline
from channels.contract import UNLIMITED, SendResult, Sent
from domain.messages import Incoming
from storage.store import Store

CHANNEL = "web"
_SESSION_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_MESSAGE_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_TEXT = 2000


class WebChatChannel:
    """Browser sessions are chats; replies are read back from the outbox history."""

    name = CHANNEL
    budget = UNLIMITED  # nothing leaves the server: the page reads the outbox

    def __init__(self, store: Store, pipeline: Pipeline) -> None:
        self._store = store
        self._pipeline = pipeline
        pipeline.register(CHANNEL, self.parse)

    @staticmethod
    def is_group(chat_id: str) -> bool:
        """Every web chat session is one person."""
        return False

    @staticmethod
    def valid_session(session: str) -> bool:
        return bool(_SESSION_RE.match(session))

    @staticmethod
    def valid_message_id(message_id: str) -> bool:
        return bool(_MESSAGE_ID_RE.match(message_id))

    def parse(self, payload: dict[str, Any]) -> Incoming | None:
        return Incoming(
            channel=CHANNEL,
            chat_id=payload["session"],
            user_id=payload["session"],
            text=str(payload.get("text") or "")[:MAX_TEXT],
            button=payload.get("button") or None,
            user_name=str(payload.get("name") or "")[:40],
        )

    async def receive(self, payload: dict[str, Any]) -> bool:
        """Store and handle one browser message at once (the page then fetches the replies)."""
        inbound_id = await self._pipeline.accept(CHANNEL, str(payload["id"]), payload, payload["session"])
        if inbound_id is None:
            return False
        await self._pipeline.process(inbound_id, CHANNEL, payload)
        return True

    async def history(self, session: str, after: int) -> list[dict[str, Any]]:
        """Replies to a session after a given outbox id."""
        async with self._store.uow() as uow:
            rows = await uow.outbox.for_chat(CHANNEL, session, after)
        return [
            {"id": r.id, "text": r.payload.get("text", ""), "buttons": r.payload.get("buttons", [])}
            for r in rows
        ]

    async def send(self, chat_id: str, payload: dict[str, Any]) -> SendResult:
        """Nothing to push: the page reads the outbox; marking it sent is enough."""
        return Sent(None)
