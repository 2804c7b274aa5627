"""official accounts: who an official is on each channel is data, not a column per messenger

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 22:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD = (("telegram", "telegram_user_id"), ("zalo", "zalo_user_id"))


def upgrade() -> None:
    with op.batch_alter_table("official", schema=None) as batch_op:
        batch_op.add_column(sa.Column("accounts", sa.JSON(), nullable=False, server_default="{}"))
    official = sa.table(
        "official",
        sa.column("id", sa.String),
        sa.column("telegram_user_id", sa.String),
        sa.column("zalo_user_id", sa.String),
        sa.column("accounts", sa.JSON),
    )
    conn = op.get_bind()
    for row in conn.execute(sa.select(official.c.id, official.c.telegram_user_id, official.c.zalo_user_id)):
        accounts = {channel: getattr(row, column) for channel, column in _OLD if getattr(row, column)}
        conn.execute(official.update().where(official.c.id == row.id).values(accounts=accounts))
    with op.batch_alter_table("official", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_official_zalo_user_id"))
        batch_op.drop_index(batch_op.f("ix_official_telegram_user_id"))
        batch_op.drop_column("zalo_user_id")
        batch_op.drop_column("telegram_user_id")


def downgrade() -> None:
    with op.batch_alter_table("official", schema=None) as batch_op:
        batch_op.add_column(sa.Column("telegram_user_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("zalo_user_id", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_official_telegram_user_id"), ["telegram_user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_official_zalo_user_id"), ["zalo_user_id"], unique=False)
    official = sa.table(
        "official",
        sa.column("id", sa.String),
        sa.column("telegram_user_id", sa.String),
        sa.column("zalo_user_id", sa.String),
        sa.column("accounts", sa.JSON),
    )
    conn = op.get_bind()
    for row in conn.execute(sa.select(official.c.id, official.c.accounts)):
        accounts = row.accounts or {}
        conn.execute(
            official.update()
            .where(official.c.id == row.id)
            .values(telegram_user_id=accounts.get("telegram"), zalo_user_id=accounts.get("zalo"))
        )
    with op.batch_alter_table("official", schema=None) as batch_op:
        batch_op.drop_column("accounts")
