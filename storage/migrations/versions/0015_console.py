"""console: the officials' console's one-time login codes and sessions (hashes only), per commune

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.models

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "console_login_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commune_id", sa.Integer(), nullable=False),
        sa.Column("official_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("code_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(), nullable=False),
        sa.Column("expires_at", storage.models.UTCDateTime(), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("used_at", storage.models.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("console_login_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_console_login_code_commune_id"), ["commune_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_console_login_code_official_id"), ["official_id"], unique=False)
    op.create_table(
        "console_session",
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("commune_id", sa.Integer(), nullable=False),
        sa.Column("official_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(), nullable=False),
        sa.Column("expires_at", storage.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("console_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_console_session_commune_id"), ["commune_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_console_session_official_id"), ["official_id"], unique=False)


def downgrade() -> None:
    op.drop_table("console_session")
    op.drop_table("console_login_code")
