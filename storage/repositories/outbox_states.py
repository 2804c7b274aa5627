"""What an outbox row's columns hold: its states and priorities (storage/repositories/outbox*.py)."""

from __future__ import annotations

from datetime import UTC, datetime

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
# Which messages leave first within the bot-wide budget (lower first):
ANSWER = 0  # an answer a person waits for in a private chat
POST = 1  # group posts, announcements, broadcasts, reminders
NOTICE = "outbox_queued"  # PostgreSQL: raised by each queued message; the sending process listens


def aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
