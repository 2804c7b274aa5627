"""What people and the bot exchange: conversations, inbound updates, the outbox, unanswered
questions, subscriptions and relayed posts, each belonging to one commune."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from storage.models.base import commune_key, commune_ref, json_list, ts


class Conversation(SQLModel, table=True):
    """Where a person is in a step-by-step flow, so a restart loses nothing."""

    commune_id: int = commune_key()
    channel: str = Field(primary_key=True, max_length=20)
    chat_id: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(primary_key=True, max_length=64)
    flow: str = Field(max_length=40)
    step: str = Field(max_length=40)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))
    updated_at: datetime | None = ts(nullable=False)


class InboundUpdate(SQLModel, table=True):
    """Every update received, stored before it is handled and de-duplicated by its channel id."""

    __table_args__ = (sa.UniqueConstraint("commune_id", "channel", "update_key", name="uq_inbound_key"),)

    id: int | None = Field(default=None, primary_key=True)
    commune_id: int = commune_ref()
    channel: str = Field(max_length=20)
    update_key: str = Field(max_length=64)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))
    status: str = Field(default="received", max_length=12, index=True)
    sender: str | None = Field(default=None, max_length=64, index=True)  # for erasure on request
    attempts: int = 0
    received_at: datetime | None = ts(nullable=False)
    handled_at: datetime | None = ts()
    error: str | None = None


class OutboxMessage(SQLModel, table=True):
    """A message to send, persisted first and retried until delivered, in order, once."""

    __table_args__ = (
        sa.Index("ix_outbox_due", "status", "next_attempt_at"),
        sa.Index("ix_outbox_chat_sent", "chat_id", "sent_at"),  # pacing: recent sends to a chat
        # claiming: is an earlier message of the chat still being sent or waiting for a retry?
        sa.Index("ix_outbox_chat_order", "commune_id", "channel", "chat_id", "id"),
        sa.UniqueConstraint("commune_id", "dedupe_key", name="uq_outbox_dedupe"),
    )

    id: int | None = Field(default=None, primary_key=True)
    commune_id: int = commune_ref()
    channel: str = Field(max_length=20)
    chat_id: str = Field(max_length=64, index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))
    status: str = Field(default="pending", max_length=12)
    attempts: int = 0
    next_attempt_at: datetime | None = ts(nullable=False)
    lease_until: datetime | None = ts()
    dedupe_key: str | None = Field(default=None, max_length=160)
    external_id: str | None = Field(default=None, max_length=64)
    last_error: str | None = None
    created_at: datetime | None = ts(nullable=False)
    sent_at: datetime | None = ts()
    # 0: an answer a person waits for in a private chat; 1: a post, announcement or broadcast
    priority: int = Field(default=1, sa_column=sa.Column(sa.SmallInteger, nullable=False, server_default="1"))


class UnansweredQuestion(SQLModel, table=True):
    """A resident's question nothing published answered, for officials to review."""

    id: int | None = Field(default=None, primary_key=True)
    commune_id: int = commune_ref()
    channel: str = Field(max_length=20)
    chat_id: str = Field(max_length=64)
    question: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    asked_at: datetime | None = ts(nullable=False)


class Subscription(SQLModel, table=True):
    """A resident's one-to-one subscription to a village's notices and reminders (/dangky)."""

    commune_id: int = commune_key()
    channel: str = Field(primary_key=True, max_length=20)
    chat_id: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(max_length=64)
    village: str | None = None  # None: the whole commune
    topics: list[str] = json_list()  # "notices", "events"
    created_at: datetime | None = ts(nullable=False)


class RelayPost(SQLModel, table=True):
    """A post handed to a group's admin to forward, until they say it is posted ("đã đăng")."""

    __tablename__ = "relay_post"
    __table_args__ = (sa.UniqueConstraint("commune_id", "dedupe_key", name="uq_relay_dedupe"),)

    id: int | None = Field(default=None, primary_key=True)
    commune_id: int = commune_ref()
    dedupe_key: str = Field(max_length=200)
    group_id: str = Field(max_length=80, index=True)
    official_id: str = Field(max_length=80, index=True)
    channel: str = Field(max_length=20)
    chat_id: str = Field(max_length=64)
    summary: str
    created_at: datetime | None = ts(nullable=False)
    confirmed_at: datetime | None = ts()
    reminded_at: datetime | None = ts()
