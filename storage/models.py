"""SQLModel tables: one database holds the commune's data, conversations and message queues."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes stored the same way on SQLite and PostgreSQL (naive UTC)."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _json(**kw: Any) -> Any:
    return Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False), **kw)


def _ts(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=sa.Column(UTCDateTime(), nullable=nullable, index=index))


class Commune(SQLModel, table=True):
    """The one commune this deployment serves (row id 1)."""

    id: int = Field(default=1, primary_key=True)
    name: str
    province: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    timezone: str = "Asia/Ho_Chi_Minh"
    data_version: int = 0
    office_hours: str | None = None  # appended in migration 0010


class Village(SQLModel, table=True):
    """A village (thôn) of the commune, in the order the data file lists them."""

    name: str = Field(primary_key=True, max_length=200)
    position: int = 0


class Disclosure(SQLModel, table=True):
    """A published disclosure (công khai, Luật THDCCS 2022 Art. 11)."""

    id: str = Field(primary_key=True, max_length=80)
    title: str
    category: str = Field(index=True, max_length=40)
    villages: list[str] = _json()
    published_at: date = Field(index=True)
    posted_until: date | None = None
    source: str | None = None
    tags: list[str] = _json()
    attachments: list[str] = _json()
    body: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    content_hash: str = Field(max_length=64)
    announced_at: datetime | None = _ts()
    updated_at: datetime | None = _ts()


class Event(SQLModel, table=True):
    """A scheduled event: citizen reception, meeting, dialogue (RRULE-expanded when shown)."""

    id: str = Field(primary_key=True, max_length=80)
    title: str
    kind: str = Field(max_length=20)
    host: str | None = None
    location: str | None = None
    start: str = Field(max_length=40)  # ISO 8601 with its UTC offset, exactly as declared
    duration_minutes: int | None = None
    rrule: str | None = None
    exdates: list[str] = _json()
    villages: list[str] = _json()
    remind_before: list[str] = _json()
    notify: list[str] = _json()
    description: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    content_hash: str = Field(max_length=64)
    updated_at: datetime | None = _ts()


class Group(SQLModel, table=True):
    """A community or officials' group chat the bot posts to."""

    id: str = Field(primary_key=True, max_length=80)
    name: str
    channel: str = Field(max_length=20)
    chat_id: str = Field(max_length=64, index=True)
    villages: list[str] = _json()
    officials: bool = False
    # How posts reach the group (data file): "group" the bot posts in it; "relay" the group's admin
    # (`relay_by`, an official) gets each post privately to forward; "fanout" only the village's
    # subscribers get it one to one; "oa_group" the commune's Official Account posts (groups it created).
    reach: str = Field(default="group", max_length=20)
    relay_by: str | None = Field(default=None, max_length=80)
    content_hash: str = Field(max_length=64)


class Official(SQLModel, table=True):
    """A commune official allowed to act on petitions (checked on every official action)."""

    id: str = Field(primary_key=True, max_length=80)
    name: str
    title: str | None = None
    role: str = Field(max_length=20)
    # {channel name: the official's id on it}; the importer maps the data file's *_user_id fields here
    accounts: dict[str, str] = Field(
        default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False, server_default="{}")
    )
    categories: list[str] = _json()
    content_hash: str = Field(max_length=64)


class Conversation(SQLModel, table=True):
    """Where a person is in a step-by-step flow, so a restart loses nothing."""

    channel: str = Field(primary_key=True, max_length=20)
    chat_id: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(primary_key=True, max_length=64)
    flow: str = Field(max_length=40)
    step: str = Field(max_length=40)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))
    updated_at: datetime | None = _ts(nullable=False)


class InboundUpdate(SQLModel, table=True):
    """Every update received, stored before it is handled and de-duplicated by its channel id."""

    __table_args__ = (sa.UniqueConstraint("channel", "update_key", name="uq_inbound_key"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    update_key: str = Field(max_length=64)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))
    status: str = Field(default="received", max_length=12, index=True)
    sender: str | None = Field(default=None, max_length=64, index=True)  # for erasure on request
    attempts: int = 0
    received_at: datetime | None = _ts(nullable=False)
    handled_at: datetime | None = _ts()
    error: str | None = None


class OutboxMessage(SQLModel, table=True):
    """A message to send, persisted first and retried until delivered, in order, once."""

    __table_args__ = (
        sa.Index("ix_outbox_due", "status", "next_attempt_at"),
        sa.Index("ix_outbox_chat_sent", "chat_id", "sent_at"),  # pacing: recent sends to a chat
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    chat_id: str = Field(max_length=64, index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))
    status: str = Field(default="pending", max_length=12)
    attempts: int = 0
    next_attempt_at: datetime | None = _ts(nullable=False)
    lease_until: datetime | None = _ts()
    dedupe_key: str | None = Field(default=None, max_length=160, unique=True)
    external_id: str | None = Field(default=None, max_length=64)
    last_error: str | None = None
    created_at: datetime | None = _ts(nullable=False)
    sent_at: datetime | None = _ts()
    # 0: an answer a person waits for in a private chat; 1: a post, announcement or broadcast
    priority: int = Field(default=1, sa_column=sa.Column(sa.SmallInteger, nullable=False, server_default="1"))


class UnansweredQuestion(SQLModel, table=True):
    """A resident's question nothing published answered, for officials to review."""

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    chat_id: str = Field(max_length=64)
    question: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    asked_at: datetime | None = _ts(nullable=False)


class Petition(SQLModel, table=True):
    """A report, proposal, complaint or denunciation: the case, without who sent it."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True)
    kind: str = Field(max_length=16, index=True)  # phan_anh | kien_nghi | khieu_nai | to_cao
    status: str = Field(max_length=16, index=True)
    content: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    summary: str = Field(sa_column=sa.Column(sa.Text, nullable=False))  # redacted, for groups
    village: str | None = None
    place: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    photos: list[dict[str, Any]] = _json()
    anonymous: bool = False
    received_at: datetime | None = _ts(nullable=False)
    accepted_at: datetime | None = _ts()
    resolved_at: datetime | None = _ts()
    first_due: date | None = None  # status answer / acceptance / triage deadline
    resolve_due: date | None = None
    assignee: str | None = Field(default=None, max_length=80)  # official id
    answer: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    rating: int | None = None
    rating_comment: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    reminded_due: date | None = None  # deadline already reminded about (sent once)
    overdue_alerted: date | None = None


class PetitionParty(SQLModel, table=True):
    """Who filed a petition, kept apart from its content (Luật Tố cáo Art. 8(3), 47)."""

    petition_id: int = Field(primary_key=True, foreign_key="petition.id")
    channel: str | None = Field(default=None, max_length=20)
    chat_id: str | None = Field(default=None, max_length=64)
    user_id: str | None = Field(default=None, max_length=64, index=True)
    name: str | None = None
    phone: str | None = Field(default=None, max_length=32)
    consent_at: datetime | None = _ts()
    erased_at: datetime | None = _ts()


class PetitionEvent(SQLModel, table=True):
    """Audit trail of a petition: who did what, when (internal notes never reach the filer)."""

    id: int | None = Field(default=None, primary_key=True)
    petition_id: int = Field(foreign_key="petition.id", index=True)
    at: datetime | None = _ts(nullable=False)
    actor: str = Field(max_length=80)  # official id, "resident" or "system"
    action: str = Field(max_length=32)
    detail: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    internal: bool = False


class Subscription(SQLModel, table=True):
    """A resident's one-to-one subscription to a village's notices and reminders (/dangky)."""

    channel: str = Field(primary_key=True, max_length=20)
    chat_id: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(max_length=64)
    village: str | None = None  # None: the whole commune
    topics: list[str] = _json()  # "notices", "events"
    created_at: datetime | None = _ts(nullable=False)


class RelayPost(SQLModel, table=True):
    """A post handed to a group's admin to forward, until they say it is posted ("đã đăng")."""

    __tablename__ = "relay_post"

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=200, unique=True)
    group_id: str = Field(max_length=80, index=True)
    official_id: str = Field(max_length=80, index=True)
    channel: str = Field(max_length=20)
    chat_id: str = Field(max_length=64)
    summary: str
    created_at: datetime | None = _ts(nullable=False)
    confirmed_at: datetime | None = _ts()
    reminded_at: datetime | None = _ts()


class Media(SQLModel, table=True):
    """A photo a resident sent where the messenger's link expires (Zalo): kept with the petition."""

    id: str = Field(primary_key=True, max_length=40)  # unguessable; shown only through signed links
    mime: str = Field(max_length=60)
    size: int
    sha256: str = Field(max_length=64, index=True)
    data: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    created_at: datetime | None = _ts(nullable=False)


class OaToken(SQLModel, table=True):
    """The Zalo Official Account's token pair (row id 1); the refresh token is single-use, rotated."""

    __tablename__ = "oa_token"

    id: int = Field(default=1, primary_key=True)
    access_token: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    refresh_token: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    expires_at: datetime | None = _ts(nullable=False)
    updated_at: datetime | None = _ts(nullable=False)
    dead: str | None = Field(default=None, sa_column=sa.Column(sa.Text))  # why refresh stopped


class PassageVector(SQLModel, table=True):
    """A passage's semantic vector (qa/semantic.py), keyed by the hash of the model and the text
    embedded: computed once, shared by every process and kept across restarts."""

    __tablename__ = "passage_vector"

    key: str = Field(primary_key=True, max_length=64)  # qa.semantic.content_key
    vector: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))  # float32, little-endian
