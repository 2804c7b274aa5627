"""Petitions (the case, who filed it kept apart, the audit trail) and the photos kept with them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from storage.models.base import commune_ref, json_list, ts


class Petition(SQLModel, table=True):
    """A report, proposal, complaint or denunciation: the case, without who sent it."""

    id: int | None = Field(default=None, primary_key=True)
    commune_id: int = commune_ref()
    code: str = Field(max_length=16, unique=True)  # unique across communes: /tracuu never collides
    kind: str = Field(max_length=16, index=True)  # phan_anh | kien_nghi | khieu_nai | to_cao
    status: str = Field(max_length=16, index=True)
    content: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    summary: str = Field(sa_column=sa.Column(sa.Text, nullable=False))  # redacted, for groups
    village: str | None = None
    place: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    photos: list[dict[str, Any]] = json_list()
    anonymous: bool = False
    received_at: datetime | None = ts(nullable=False)
    accepted_at: datetime | None = ts()
    resolved_at: datetime | None = ts()
    first_due: date | None = None  # status answer / acceptance / triage deadline
    resolve_due: date | None = None
    assignee: str | None = Field(default=None, max_length=80)  # official id
    answer: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    rating: int | None = None
    rating_comment: str | None = Field(default=None, sa_column=sa.Column(sa.Text))


class PetitionParty(SQLModel, table=True):
    """Who filed a petition, kept apart from its content (Luật Tố cáo Art. 8(3), 47)."""

    petition_id: int = Field(primary_key=True, foreign_key="petition.id")
    commune_id: int = commune_ref()
    channel: str | None = Field(default=None, max_length=20)
    chat_id: str | None = Field(default=None, max_length=64)
    user_id: str | None = Field(default=None, max_length=64, index=True)
    name: str | None = None
    phone: str | None = Field(default=None, max_length=32)
    address: str | None = None  # given on a paper or in-person petition
    consent_at: datetime | None = ts()
    erased_at: datetime | None = ts()


class PetitionEvent(SQLModel, table=True):
    """Audit trail of a petition: who did what, when (internal notes never reach the filer)."""

    id: int | None = Field(default=None, primary_key=True)
    petition_id: int = Field(foreign_key="petition.id", index=True)
    commune_id: int = commune_ref()
    at: datetime | None = ts(nullable=False)
    actor: str = Field(max_length=80)  # official id, "resident" or "system"
    action: str = Field(max_length=32)
    detail: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    internal: bool = False


class Media(SQLModel, table=True):
    """A photo a resident sent where the messenger's link expires (Zalo): kept with the petition."""

    id: str = Field(primary_key=True, max_length=40)  # unguessable; shown only through signed links
    commune_id: int = commune_ref()
    mime: str = Field(max_length=60)
    size: int
    sha256: str = Field(max_length=64, index=True)
    data: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    created_at: datetime | None = ts(nullable=False)
