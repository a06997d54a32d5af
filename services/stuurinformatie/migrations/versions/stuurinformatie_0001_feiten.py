"""stuurinformatie: the facts of the events, inbox and outbox

Revision ID: stuurinformatie_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from shared.db import inbox_tabel, outbox_tabel

revision = "stuurinformatie_0001"
down_revision = None
branch_labels = None
depends_on = None

S = "stuurinformatie"


def upgrade() -> None:
    op.create_table(
        "feiten",
        sa.Column("event_id", sa.Uuid, primary_key=True),
        sa.Column("soort", sa.String(40), nullable=False),
        sa.Column("gemeente", sa.String(6), nullable=False),
        sa.Column("moment", sa.DateTime(timezone=True), nullable=False),
        sa.Column("wijk", sa.String(64)),
        sa.Column("huishouden_id", sa.String(64)),
        sa.Column("sleutel", sa.Uuid),
        sa.Column("data", postgresql.JSONB, nullable=False),
        schema=S,
    )
    op.create_index("feiten_per_soort", "feiten", ["gemeente", "soort", "moment"], schema=S)
    op.create_index("feiten_per_sleutel", "feiten", ["sleutel", "soort"], schema=S)
    op.create_index(
        "wijk_per_huishouden", "feiten", ["huishouden_id"], schema=S, postgresql_where=sa.text("wijk IS NOT NULL")
    )
    metadata = sa.MetaData(schema=S)
    for tabel in (inbox_tabel(metadata), outbox_tabel(metadata)):
        tabel.create(op.get_bind())


def downgrade() -> None:
    for tabel in ("outbox", "inbox", "feiten"):
        op.drop_table(tabel, schema=S)
