"""decision dates and paper filers: a disclosure may say when the decision it discloses was made
(`disclosure.decided_at`, for the report's "published within 5 working days" figure), and the filer
of a petition handed in at the commune may leave an address (`petitionparty.address`)

Both columns are nullable: existing rows keep what they had.

Revision ID: 0018
Revises: 0015
Create Date: 2026-12-07 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("disclosure", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decided_at", sa.Date(), nullable=True))
    with op.batch_alter_table("petitionparty", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address", sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("petitionparty", schema=None) as batch_op:
        batch_op.drop_column("address")
    with op.batch_alter_table("disclosure", schema=None) as batch_op:
        batch_op.drop_column("decided_at")
