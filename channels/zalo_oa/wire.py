"""Zalo Official Account wire format: webhook signature, events -> neutral messages, error codes."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from channels.contract import Capabilities, Failed, Retry, SendResult
from domain.messages import Attachment, Incoming

CHANNEL = "zalo_oa"
MAX_TEXT = 2000
CAPABILITIES = Capabilities(
    buttons=False,
    max_text=MAX_TEXT,
    formatting="plain",
    group_send=False,
    label="Zalo",
    photos=False,
    takes_location=False,  # parse reads text and images only
)
SIGNATURE_HEADER = "X-ZEvent-Signature"
WINDOW_WAIT = 6 * 3600.0  # outside the 7-day window: wait (the resident's next message wakes it)
TOKEN_ERRORS = frozenset({-216, -220})  # invalid or expired access token: refresh, then again
WINDOW_ERRORS = frozenset({-230, -232})  # the resident has not written in the last 7 days
DEAD_REFRESH = frozenset({-118, -14014})  # the refresh token is dead: the OA admin grants again
TEXT_EVENTS = frozenset({"user_send_text"})
IMAGE_EVENTS = frozenset({"user_send_image"})


def signature(app_id: str, raw_body: bytes, timestamp: str, secret_key: str) -> str:
    """Zalo's event signature: plain SHA-256 of app_id + raw body + timestamp + OA secret key."""
    return hashlib.sha256(app_id.encode() + raw_body + timestamp.encode() + secret_key.encode()).hexdigest()


def signature_ok(header: str, app_id: str, raw_body: bytes, timestamp: str, secret_key: str) -> bool:
    """Whether `X-ZEvent-Signature: mac=<hex>` signs these raw bytes (compared in constant time)."""
    given = header.strip()
    given = given[4:] if given.lower().startswith("mac=") else given
    expected = signature(app_id, raw_body, timestamp, secret_key)
    return secrets.compare_digest(given.strip().lower().encode(), expected.encode())


def _str(value: Any) -> str:
    return str(value) if isinstance(value, str | int) and str(value) else ""


def sender_id(event: dict[str, Any]) -> str:
    sender = event.get("sender")
    return _str(sender.get("id")) if isinstance(sender, dict) else ""


def msg_id(event: dict[str, Any]) -> str:
    message = event.get("message")
    return _str(message.get("msg_id")) if isinstance(message, dict) else ""


def readable(event: dict[str, Any]) -> bool:
    """A resident's message the bot answers (text or image), with a sender and a message id."""
    name = event.get("event_name")
    known = isinstance(name, str) and name in TEXT_EVENTS | IMAGE_EVENTS
    return known and bool(sender_id(event)) and bool(msg_id(event))


def _photo_urls(message: dict[str, Any]) -> list[str]:
    urls = []
    items = message.get("attachments")
    for item in items if isinstance(items, list) else []:
        payload = item.get("payload") if isinstance(item, dict) else None
        if isinstance(payload, dict) and str(item.get("type", "image")) == "image":
            url = _str(payload.get("url")) or _str(payload.get("thumbnail"))
            if url.startswith(("https://", "http://")):
                urls.append(url)
    return urls


def to_incoming(event: dict[str, Any]) -> Incoming | None:
    """The neutral message; None for follows, unfollows and events the bot does not read."""
    if not readable(event):
        return None
    message = event["message"]
    text = _str(message.get("text"))
    attachments = tuple(
        Attachment(kind="photo", ref=url, mime="image/jpeg")
        for url in (_photo_urls(message) if event.get("event_name") in IMAGE_EVENTS else [])
    )
    if not text and not attachments:
        return None
    user = sender_id(event)
    return Incoming(
        channel=CHANNEL,
        chat_id=user,
        user_id=user,
        text=text,
        attachments=attachments,
        chat_type="private",
        message_id=msg_id(event),
    )


def outcome(code: int, description: str) -> SendResult:
    """What a send's negative `error` means for the outbox (token errors are handled before)."""
    what = f"Zalo OA {code}: {description}"[:300]
    if code == -32:
        return Retry(60.0, what)  # rate limit
    if code == -211:
        return Retry(3600.0, what)  # quota spent: try much later
    if code in WINDOW_ERRORS:
        return Retry(WINDOW_WAIT, what)
    if code in TOKEN_ERRORS:
        return Retry(300.0, what)  # a refresh did not help
    if code in (-201, -213):
        return Failed(what)  # bad parameter; not a follower
    if code == 0:
        return Retry(None, what)  # no answer or not JSON
    return Failed(what) if -299 <= code <= -200 else Retry(None, what)
