"""The officials' console: one-time login codes and sessions (only hashes of the secrets are kept)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.models.base import commune_ref, ts


class ConsoleLoginCode(SQLModel, table=True):
    """A 6-digit code sent to an official's own chat; used once, expires, locks after wrong tries."""

    __tablename__ = "console_login_code"

    id: int | None = Field(default=None, primary_key=True)
    commune_id: int = commune_ref()
    official_id: str = Field(max_length=80, index=True)
    code_hash: str = Field(max_length=64)  # HMAC-SHA256 (hex) of the code, keyed by the deployment's key
    channel: str = Field(max_length=20)  # where it was sent
    created_at: datetime | None = ts(nullable=False)
    expires_at: datetime | None = ts(nullable=False)
    tries: int = 0  # wrong codes typed against it
    used_at: datetime | None = ts()


class ConsoleSession(SQLModel, table=True):
    """A signed-in official's browser: the cookie's token, hashed (SHA-256 hex)."""

    __tablename__ = "console_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    commune_id: int = commune_ref()
    official_id: str = Field(max_length=80, index=True)
    created_at: datetime | None = ts(nullable=False)
    expires_at: datetime | None = ts(nullable=False)
