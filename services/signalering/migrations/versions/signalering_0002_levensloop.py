"""signalering: casus closure and contact attempts

Revision ID: signalering_0002
Revises: signalering_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "signalering_0002"
down_revision = "signalering_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("casussen", sa.Column("afgesloten_op", sa.DateTime(timezone=True)), schema="signalering")
    op.create_table(
        "contactpogingen",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("casus_id", sa.Uuid(), nullable=False),
        sa.Column("soort", sa.String(20), nullable=False),
        sa.Column("bereikt", sa.Boolean(), nullable=False),
        sa.Column("datum", sa.Date(), nullable=False),
        sa.Column("dagdeel", sa.String(10), nullable=False),
        sa.Column("door", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(["casus_id"], ["signalering.casussen.casus_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        schema="signalering",
    )
    op.create_index("ix_signalering_contactpogingen_casus_id", "contactpogingen", ["casus_id"], schema="signalering")


def downgrade() -> None:
    op.drop_table("contactpogingen", schema="signalering")
    op.drop_column("casussen", "afgesloten_op", schema="signalering")
