"""outbox pacing

An index on (chat_id, sent_at) of the outbox: before claiming messages to a group, the worker
counts what that chat was sent in the last minute (Telegram: 20 a minute per group), so the
budget is remembered across restarts.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 22:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_chat_sent", ["chat_id", "sent_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_chat_sent")
