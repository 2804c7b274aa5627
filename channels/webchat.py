"""The local web chat: the demo channel, talking to the same handlers through the same pipeline."""

from __future__ import annotations

import re
from typing import Any

from channels.contract import UNLIMITED, Capabilities, ChannelSpec, Inbox, SendResult, Sent, WebRoute
from domain import choices
from domain.messages import Incoming
from storage.store import Store

CHANNEL = "web"
_SESSION_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_MESSAGE_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_TEXT = 8000  # of a message typed in the page (a longer one is refused with a word, never cut)
MAX_REPLY = 100_000  # the page shows a reply whole


class WebChatChannel:
    """Browser sessions are chats; replies are read back from the outbox history.

    `buttons=False` shows the page as a messenger without buttons (Zalo) would: each reply's
    choices come as numbered lines in its text, answered by typing a number or a word.
    """

    name = CHANNEL
    max_text = MAX_TEXT  # what a browser may send in one message
    budget = UNLIMITED

    def __init__(self, store: Store, pipeline: Inbox, *, buttons: bool = True) -> None:
        self._store = store
        self._pipeline = pipeline
        self.capabilities = Capabilities(
            buttons=buttons,
            max_text=MAX_REPLY,
            formatting="plain",
            group_send=False,
            photos=False,
            takes_photos=False,  # the page sends text and button presses only
            takes_location=False,
            secret_ids=True,  # the session id is the cookie that opens the chat
        )

    def web_routes(self) -> list[WebRoute]:
        from channels.webchat_http import messages_handler, page_handler, send_handler  # aiohttp

        page = page_handler(self)
        return [
            WebRoute("GET", "/chat", page),
            WebRoute("POST", "/webchat/send", send_handler(self)),
            WebRoute("GET", "/webchat/messages", messages_handler(self)),
        ]

    async def start(self) -> None:
        """Nothing to connect: browsers come to the web server."""

    async def stop(self) -> None:
        """Nothing to close."""

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
            button=str(payload.get("button") or "") or None,
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
        if not self.capabilities.buttons:
            return [
                {"id": r.id, "text": choices.render_payload(r.payload)["text"], "buttons": []} for r in rows
            ]
        return [
            {"id": r.id, "text": r.payload.get("text", ""), "buttons": r.payload.get("buttons", [])}
            for r in rows
        ]

    async def send(self, chat_id: str, payload: dict[str, Any]) -> SendResult:
        """Nothing to push: the page reads the outbox; marking it sent is enough."""
        return Sent(None)


SPEC = ChannelSpec(
    name=CHANNEL,
    capabilities=Capabilities(
        buttons=True,
        max_text=MAX_REPLY,
        group_send=False,
        photos=False,
        takes_photos=False,
        takes_location=False,
        secret_ids=True,
    ),
    enabled=lambda settings: settings.webchat_on,
    build=lambda settings, inbox, store: WebChatChannel(store, inbox, buttons=settings.WEBCHAT_BUTTONS),
)
