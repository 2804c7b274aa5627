"""console edits: a disclosure or event changed on the officials' console says so

`edited_at`, `edited_by` (the official's id) and `file_hash` (the content hash of the data file's
entry the edit replaced; empty for an entry created on the console) on `disclosure` and `event`,
so a later `python -m bot import` keeps the console's version and reports the conflict instead of
overwriting it. Rows stored before this migration were never edited (all three empty).

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-07 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.models

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("disclosure", "event")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("edited_at", storage.models.UTCDateTime(), nullable=True))
            batch_op.add_column(
                sa.Column("edited_by", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True)
            )
            batch_op.add_column(
                sa.Column("file_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
            )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("file_hash")
            batch_op.drop_column("edited_by")
            batch_op.drop_column("edited_at")
