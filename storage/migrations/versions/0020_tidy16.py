"""petition: drop `reminded_due` and `overdue_alerted`, which nothing reads or writes any more

Deadline reminders and overdue alerts are sent once through the outbox's dedupe keys
(`remind:<code>:<due>`, `overdue:<code>:<due>:<official>`, scheduled/jobs.py), not marked on the
petition. Both columns were nullable dates; the downgrade adds them back empty.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("petition", schema=None) as batch_op:
        batch_op.drop_column("overdue_alerted")
        batch_op.drop_column("reminded_due")


def downgrade() -> None:
    with op.batch_alter_table("petition", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reminded_due", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("overdue_alerted", sa.Date(), nullable=True))
