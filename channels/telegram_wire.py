"""Telegram wire format <-> neutral messages (no I/O here)."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from domain.messages import Attachment, Incoming

CHANNEL = "telegram"
MAX_TEXT = 4096
ALLOWED_UPDATES = ("message", "callback_query")


def to_incoming(update: Update) -> Incoming | None:
    """The neutral message for a Telegram update; None for kinds we do not handle."""
    if update.callback_query is not None:
        query = update.callback_query
        chat = query.message.chat if query.message is not None else None
        return Incoming(
            channel=CHANNEL,
            chat_id=str(chat.id if chat else query.from_user.id),
            user_id=str(query.from_user.id),
            button=_str(query.data),
            chat_type="private" if chat is None or chat.type == "private" else "group",
            user_name=_str(query.from_user.first_name),
            message_id=str(query.message.message_id) if query.message else None,
        )
    message = update.message
    if message is None or message.from_user is None:
        return None
    attachments: list[Attachment] = []
    if message.photo:
        best = message.photo[-1]
        attachments.append(
            Attachment(kind="photo", ref=_str(best.file_id), size=_int(best.file_size), mime="image/jpeg")
        )
    if message.document is not None:
        doc = message.document
        attachments.append(
            Attachment(
                kind="document",
                ref=_str(doc.file_id),
                size=_int(doc.file_size),
                mime=_str(doc.mime_type) or None,
            )
        )
    if message.location is not None:
        loc = message.location
        attachments.append(Attachment(kind="location", latitude=loc.latitude, longitude=loc.longitude))
    return Incoming(
        channel=CHANNEL,
        chat_id=str(message.chat.id),
        user_id=str(message.from_user.id),
        text=_str(message.text) or _str(message.caption),
        attachments=tuple(attachments),
        reply_to=str(message.reply_to_message.message_id) if message.reply_to_message else None,
        chat_type="private" if message.chat.type == "private" else "group",
        user_name=_str(message.from_user.first_name),
        message_id=str(message.message_id),
    )


def _str(value: object) -> str:
    """A text field as sent, or "" when a broken or forged update put something else there."""
    return value if isinstance(value, str) else ""


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def keyboard(payload: dict[str, Any]) -> InlineKeyboardMarkup | None:
    """Inline buttons for a stored reply."""
    rows = payload.get("buttons") or []
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data[:64]) for label, data in row] for row in rows]
    )


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split a long text on paragraph, then line boundaries, so each part fits one message."""
    text = text.strip() or "…"
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n\n", 0, limit)
        if cut < limit // 2:
            cut = text.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    parts.append(text)
    return parts


def sender_of(payload: dict[str, Any]) -> str | None:
    """The Telegram user id behind a raw update (kept so a person's data can be erased)."""
    for kind in ALLOWED_UPDATES:
        update = payload.get(kind)
        user = update.get("from") if isinstance(update, dict) else None
        if isinstance(user, dict) and "id" in user:
            return str(user["id"])
    return None
