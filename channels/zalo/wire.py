"""Zalo Bot Platform wire format <-> neutral messages (no I/O here)."""

from __future__ import annotations

from typing import Any

from channels.contract import Capabilities
from domain.messages import Attachment, Incoming

CHANNEL = "zalo"
MAX_TEXT = 2000  # characters per message; counted in UTF-16 units to be safe
CAPABILITIES = Capabilities(
    buttons=False,
    max_text=MAX_TEXT,
    formatting="plain",
    group_send=False,
    label="Zalo",
    photos=True,
    takes_location=False,  # parse reads text and photos only
)


def unwrap(body: Any) -> dict[str, Any] | None:
    """The update inside a webhook body: wrapped `{"ok", "result": {...}}` or bare `{...}`."""
    if not isinstance(body, dict):
        return None
    inner = body.get("result") if "result" in body and isinstance(body.get("result"), dict) else body
    if not isinstance(inner, dict) or not isinstance(inner.get("message"), dict):
        return None
    return inner


def _text_field(message: dict[str, Any], key: str) -> str:
    value = message.get(key)
    return value if isinstance(value, str) else ""


def ids(update: dict[str, Any]) -> tuple[str, str, str] | None:
    """(chat id, message id, sender id) as strings, or None when the update lacks them."""
    message = update.get("message") or {}
    chat = message.get("chat") or {}
    sender = message.get("from") or {}
    if not isinstance(chat, dict) or not isinstance(sender, dict):
        return None
    chat_id, message_id, sender_id = chat.get("id"), message.get("message_id"), sender.get("id")
    if chat_id in (None, "") or message_id in (None, ""):
        return None
    return str(chat_id), str(message_id), str(sender_id if sender_id not in (None, "") else chat_id)


def dedupe_key(update: dict[str, Any]) -> str | None:
    """Zalo has no update id: (chat, message_id) names an update across re-serves and redeliveries."""
    found = ids(update)
    return f"{found[0]}:{found[1]}" if found else None


def to_incoming(update: dict[str, Any]) -> Incoming | None:
    """The neutral message; None for content the bot does not read (stickers, voice, unsupported)."""
    found = ids(update)
    if found is None:
        return None
    chat_id, message_id, sender_id = found
    message = update["message"]
    sender = message.get("from") or {}
    chat = message.get("chat") or {}
    text = _text_field(message, "text") or _text_field(message, "caption")
    attachments: tuple[Attachment, ...] = ()
    photo = _text_field(message, "photo_url") or _text_field(message, "photo")
    if photo:
        stored = _text_field(message, "stored_photo")  # set by the adapter once downloaded
        attachments = (Attachment(kind="photo", ref=stored or photo, mime="image/jpeg"),)
    if not text and not attachments:
        return None
    return Incoming(
        channel=CHANNEL,
        chat_id=chat_id,
        user_id=sender_id,
        text=text,
        attachments=attachments,
        chat_type="group" if str(chat.get("chat_type", "")).upper() == "GROUP" else "private",
        user_name=str(sender.get("display_name") or sender.get("first_name") or "")[:40],
        message_id=message_id,
    )


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Parts of at most `limit` UTF-16 units, cut at paragraphs, then lines, then spaces."""
    text = text.strip() or "…"
    parts: list[str] = []
    while _utf16_len(text) > limit:
        window = text[:limit]
        while _utf16_len(window) > limit:  # astral characters count twice
            window = window[:-1]
        cut = max(window.rfind("\n\n"), -1)
        if cut < len(window) // 2:
            cut = window.rfind("\n")
        if cut < len(window) // 2:
            cut = window.rfind(" ")
        if cut < len(window) // 2:
            cut = len(window)
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    parts.append(text)
    return parts
