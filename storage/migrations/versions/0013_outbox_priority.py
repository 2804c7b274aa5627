"""outbox priority

A `priority` column on the outbox: an answer a person waits for in a private chat (0) leaves
before group posts, announcements and broadcasts (1, the default) within the bot-wide budget.
Rows stored before this migration are posts (1).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 01:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.add_column(sa.Column("priority", sa.SmallInteger(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.drop_column("priority")
