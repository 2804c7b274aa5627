"""commune scope: every row that belongs to a commune says which (`commune_id`), ids declared in a
data file are unique per commune, and the data file names its commune (`commune.slug`)

Existing rows are back-filled with the one commune's id (1 when none was imported yet: the id the
first import takes). Petition codes stay unique across communes, so a code looked up (/tracuu)
never names two cases; passage vectors (keyed by content) and the OA token stay deployment-wide.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 01:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> its primary key after this revision (None: the key stays, commune_id is a plain indexed column)
KEYED: dict[str, list[str]] = {
    "village": ["commune_id", "name"],
    "disclosure": ["commune_id", "id"],
    "event": ["commune_id", "id"],
    "group": ["commune_id", "id"],
    "official": ["commune_id", "id"],
    "conversation": ["commune_id", "channel", "chat_id", "user_id"],
    "subscription": ["commune_id", "channel", "chat_id"],
}
INDEXED = [
    "inboundupdate",
    "outboxmessage",
    "unansweredquestion",
    "relay_post",
    "petition",
    "petitionparty",
    "petitionevent",
    "media",
]
# table -> (old unique constraint on SQLite, on PostgreSQL, new name, new columns)
UNIQUES: dict[str, tuple[str, str, str, list[str]]] = {
    "inboundupdate": (
        "uq_inbound_key",
        "uq_inbound_key",
        "uq_inbound_key",
        ["commune_id", "channel", "update_key"],
    ),
    "outboxmessage": (
        "uq_outboxmessage_dedupe_key",
        "outboxmessage_dedupe_key_key",
        "uq_outbox_dedupe",
        ["commune_id", "dedupe_key"],
    ),
    "relay_post": (
        "uq_relay_post_dedupe_key",
        "relay_post_dedupe_key_key",
        "uq_relay_dedupe",
        ["commune_id", "dedupe_key"],
    ),
}
# SQLite reflects unnamed unique constraints without a name: this names them so they can be dropped.
SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s", "pk": "%(table_name)s_pkey"}


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    with op.batch_alter_table("commune", schema=None) as batch_op:
        batch_op.add_column(sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True))
        batch_op.create_index(batch_op.f("ix_commune_slug"), ["slug"], unique=True)
    first = bind.execute(sa.text("SELECT min(id) FROM commune")).scalar()
    owner = int(first) if first is not None else 1
    for table in [*KEYED, *INDEXED]:
        op.add_column(table, sa.Column("commune_id", sa.Integer(), nullable=True))  # SQLite: in place
        op.execute(sa.text(f'UPDATE "{table}" SET commune_id = :owner').bindparams(owner=owner))
        naming = SQLITE_NAMES if sqlite else {}
        with op.batch_alter_table(table, schema=None, naming_convention=naming) as batch_op:
            batch_op.alter_column("commune_id", existing_type=sa.Integer(), nullable=False)
            if table in KEYED:
                batch_op.drop_constraint(f"{table}_pkey", type_="primary")
                batch_op.create_primary_key(f"{table}_pkey", KEYED[table])
            else:
                batch_op.create_index(f"ix_{table}_commune_id", ["commune_id"], unique=False)
            if table in UNIQUES:
                old_sqlite, old_pg, new, columns = UNIQUES[table]
                batch_op.drop_constraint(old_sqlite if sqlite else old_pg, type_="unique")
                batch_op.create_unique_constraint(new, columns)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in reversed([*KEYED, *INDEXED]):
        naming = SQLITE_NAMES if sqlite else {}
        with op.batch_alter_table(table, schema=None, naming_convention=naming) as batch_op:
            if table in UNIQUES:
                old_sqlite, old_pg, new, columns = UNIQUES[table]
                batch_op.drop_constraint(new, type_="unique")
                old_columns = [c for c in columns if c != "commune_id"]
                batch_op.create_unique_constraint(old_sqlite if sqlite else old_pg, old_columns)
            if table in KEYED:
                batch_op.drop_constraint(f"{table}_pkey", type_="primary")
                batch_op.create_primary_key(f"{table}_pkey", KEYED[table][1:])
            else:
                batch_op.drop_index(f"ix_{table}_commune_id")
            batch_op.drop_column("commune_id")
    with op.batch_alter_table("commune", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commune_slug"))
        batch_op.drop_column("slug")
