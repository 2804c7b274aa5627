"""What the operator declares in a commune's data file: the commune, villages, disclosures, events,
groups and officials. Ids in a file are unique within its commune: `(commune_id, id)` is the key."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from storage.models.base import commune_key, json_list, ts


class Commune(SQLModel, table=True):
    """A commune the deployment serves. `slug` is the data file's `commune.id` (None for a commune
    imported before files named theirs: the only one of a one-commune deployment)."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str | None = Field(default=None, max_length=80, unique=True, index=True)
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

    commune_id: int = commune_key()
    name: str = Field(primary_key=True, max_length=200)
    position: int = 0


class Disclosure(SQLModel, table=True):
    """A published disclosure (công khai, Luật THDCCS 2022 Art. 11)."""

    commune_id: int = commune_key()
    id: str = Field(primary_key=True, max_length=80)
    title: str
    category: str = Field(index=True, max_length=40)
    villages: list[str] = json_list()
    published_at: date = Field(index=True)
    posted_until: date | None = None
    source: str | None = None
    decided_at: date | None = None  # the date of the decision disclosed (optional in the data file)
    tags: list[str] = json_list()
    attachments: list[str] = json_list()
    body: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    content_hash: str = Field(max_length=64)
    announced_at: datetime | None = ts()
    updated_at: datetime | None = ts()
    # a console edit (migration 0017): when, by which official, and the content hash of the data
    # file's entry it replaced (None: created on the console); an import keeps such an edit
    edited_at: datetime | None = ts()
    edited_by: str | None = Field(default=None, max_length=80)
    file_hash: str | None = Field(default=None, max_length=64)


class Event(SQLModel, table=True):
    """A scheduled event: citizen reception, meeting, dialogue (RRULE-expanded when shown)."""

    commune_id: int = commune_key()
    id: str = Field(primary_key=True, max_length=80)
    title: str
    kind: str = Field(max_length=20)
    host: str | None = None
    location: str | None = None
    start: str = Field(max_length=40)  # ISO 8601 with its UTC offset, exactly as declared
    duration_minutes: int | None = None
    rrule: str | None = None
    exdates: list[str] = json_list()
    villages: list[str] = json_list()
    remind_before: list[str] = json_list()
    notify: list[str] = json_list()
    description: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    content_hash: str = Field(max_length=64)
    updated_at: datetime | None = ts()
    # a console edit (migration 0017): when, by which official, and the content hash of the data
    # file's entry it replaced (None: created on the console); an import keeps such an edit
    edited_at: datetime | None = ts()
    edited_by: str | None = Field(default=None, max_length=80)
    file_hash: str | None = Field(default=None, max_length=64)


class Group(SQLModel, table=True):
    """A community or officials' group chat the bot posts to."""

    commune_id: int = commune_key()
    id: str = Field(primary_key=True, max_length=80)
    name: str
    channel: str = Field(max_length=20)
    chat_id: str = Field(max_length=64, index=True)
    villages: list[str] = json_list()
    officials: bool = False
    # How posts reach the group (data file): "group" the bot posts in it; "relay" the group's admin
    # (`relay_by`, an official) gets each post privately to forward; "fanout" only the village's
    # subscribers get it one to one; "oa_group" the commune's Official Account posts (groups it created).
    reach: str = Field(default="group", max_length=20)
    relay_by: str | None = Field(default=None, max_length=80)
    content_hash: str = Field(max_length=64)


class Official(SQLModel, table=True):
    """A commune official allowed to act on petitions (checked on every official action)."""

    commune_id: int = commune_key()
    id: str = Field(primary_key=True, max_length=80)
    name: str
    title: str | None = None
    role: str = Field(max_length=20)
    # {channel name: the official's id on it}; the importer maps the data file's *_user_id fields here
    accounts: dict[str, str] = Field(
        default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False, server_default="{}")
    )
    categories: list[str] = json_list()
    content_hash: str = Field(max_length=64)
