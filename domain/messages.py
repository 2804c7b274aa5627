"""The neutral message model every channel adapter translates to and from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Attachment:
    """A photo, document or location a person sent (or the bot sends)."""

    kind: str  # "photo" | "document" | "location"
    ref: str = ""  # the channel's file id or a URL
    size: int | None = None
    mime: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True, slots=True)
class Incoming:
    """One message or button press, whatever the messenger."""

    channel: str
    chat_id: str
    user_id: str
    text: str = ""
    button: str | None = None  # data of the pressed button
    attachments: tuple[Attachment, ...] = ()
    reply_to: str | None = None  # channel message id this message replies to
    chat_type: str = "private"  # "private" | "group"
    user_name: str = ""
    message_id: str | None = None

    @property
    def command(self) -> tuple[str, str] | None:
        """`("tracuu", "PA-1")` for "/tracuu PA-1" (and "/tracuu@bot PA-1"); None for plain text."""
        text = self.text.strip()
        if not text.startswith("/") or len(text) < 2:
            return None
        head, _, rest = text[1:].partition(" ")
        name = head.split("@", 1)[0].lower()
        return (name, rest.strip()) if name.isascii() and name.isalnum() else None


@dataclass(frozen=True, slots=True)
class Button:
    """A choice offered under a reply (inline button on Telegram, numbered option elsewhere)."""

    label: str
    data: str


@dataclass(frozen=True, slots=True)
class Reply:
    """What to send; `chat_id`/`channel` default to the chat the message came from."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    attachments: tuple[Attachment, ...] = ()
    channel: str | None = None
    chat_id: str | None = None
    reply_to: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        """JSON-safe form stored in the outbox."""
        data: dict[str, Any] = {"text": self.text}
        if self.buttons:
            data["buttons"] = [[[b.label, b.data] for b in row] for row in self.buttons]
        if self.attachments:
            data["attachments"] = [
                {k: v for k, v in (("kind", a.kind), ("ref", a.ref)) if v} for a in self.attachments
            ]
        if self.reply_to:
            data["reply_to"] = self.reply_to
        if self.meta:
            data["meta"] = self.meta
        return data
