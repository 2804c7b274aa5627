"""oa token per commune: each commune's Official Account keeps its own token pair (`oa_token` is keyed
by `commune_id` instead of the deployment-wide row 1)

The existing pair, if any, is the database's first commune's (1 when none was imported yet: the id
the first import takes), as every other row was in 0014.

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-07 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite reflects the unnamed primary key of 0009 without a name: this names it so it can be dropped.
SQLITE_NAMES = {"pk": "%(table_name)s_pkey"}


def upgrade() -> None:
    bind = op.get_bind()
    first = bind.execute(sa.text("SELECT min(id) FROM commune")).scalar()
    owner = int(first) if first is not None else 1
    op.add_column("oa_token", sa.Column("commune_id", sa.Integer(), nullable=True))
    op.execute(sa.text("UPDATE oa_token SET commune_id = :owner").bindparams(owner=owner))
    naming = SQLITE_NAMES if bind.dialect.name == "sqlite" else {}
    with op.batch_alter_table("oa_token", schema=None, naming_convention=naming) as batch_op:
        batch_op.alter_column("commune_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint("oa_token_pkey", type_="primary")
        batch_op.create_primary_key("oa_token_pkey", ["commune_id"])
        batch_op.drop_column("id")


def downgrade() -> None:
    """Back to one deployment-wide row: the first commune's pair is kept, the others dropped."""
    bind = op.get_bind()
    op.execute(sa.text("DELETE FROM oa_token WHERE commune_id <> (SELECT min(commune_id) FROM oa_token)"))
    op.add_column("oa_token", sa.Column("id", sa.Integer(), nullable=True))
    op.execute(sa.text("UPDATE oa_token SET id = 1"))
    naming = SQLITE_NAMES if bind.dialect.name == "sqlite" else {}
    with op.batch_alter_table("oa_token", schema=None, naming_convention=naming) as batch_op:
        batch_op.alter_column("id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint("oa_token_pkey", type_="primary")
        batch_op.create_primary_key("oa_token_pkey", ["id"])
        batch_op.drop_column("commune_id")
