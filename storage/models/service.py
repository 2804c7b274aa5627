"""Service rows: each commune's Zalo OA token pair, and the deployment's passage vectors."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from storage.models.base import ts


class OaToken(SQLModel, table=True):
    """A commune's Zalo Official Account token pair (one row per commune, keyed by it); the refresh
    token is single-use, rotated."""

    __tablename__ = "oa_token"

    commune_id: int = Field(default=None, primary_key=True, sa_column_kwargs={"autoincrement": False})
    access_token: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    refresh_token: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    expires_at: datetime | None = ts(nullable=False)
    updated_at: datetime | None = ts(nullable=False)
    dead: str | None = Field(default=None, sa_column=sa.Column(sa.Text))  # why refresh stopped


class PassageVector(SQLModel, table=True):
    """A passage's semantic vector (qa/semantic.py), keyed by the hash of the model and the text
    embedded: computed once, shared by every process and kept across restarts."""

    __tablename__ = "passage_vector"

    key: str = Field(primary_key=True, max_length=64)  # qa.semantic.content_key
    vector: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))  # float32, little-endian
