"""group reach: how posts reach a group (direct, relay through its admin, fan-out, OA), relayed posts

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 23:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.models

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("group", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "reach", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default="group"
            )
        )
        batch_op.add_column(sa.Column("relay_by", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True))
    op.create_table(
        "relay_post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("group_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("official_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("chat_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(), nullable=False),
        sa.Column("confirmed_at", storage.models.UTCDateTime(), nullable=True),
        sa.Column("reminded_at", storage.models.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key"),
    )
    with op.batch_alter_table("relay_post", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_relay_post_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_relay_post_official_id"), ["official_id"], unique=False)


def downgrade() -> None:
    op.drop_table("relay_post")
    with op.batch_alter_table("group", schema=None) as batch_op:
        batch_op.drop_column("relay_by")
        batch_op.drop_column("reach")
