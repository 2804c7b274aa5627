"""commune facts

The commune's office hours (optional in the data file): the bot quotes them when a resident asks
when the offices are open.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("commune", schema=None) as batch_op:
        batch_op.add_column(sa.Column("office_hours", sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("commune", schema=None) as batch_op:
        batch_op.drop_column("office_hours")
