"""intake: lichte contacten (codes only) and the members who turn 18 (the month, not the birth date)

Revision ID: intake_0007
Revises: intake_0006
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "intake_0007"
down_revision = "intake_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lichte_contacten",
        sa.Column("contact_id", sa.Uuid, primary_key=True),
        sa.Column("gemeente", sa.String(6), nullable=False),
        sa.Column("kanaal", sa.String(20), nullable=False),
        sa.Column("wijk", sa.String(64)),
        sa.Column("themas", postgresql.JSONB, nullable=False),
        sa.Column("uitkomst", sa.String(30), nullable=False),
        sa.Column("aanbieder_id", sa.String(100)),
        sa.Column("melding_id", sa.Uuid, sa.ForeignKey("intake.meldingen.melding_id")),
        sa.Column("geregistreerd_op", sa.DateTime(timezone=True), nullable=False),
        sa.Column("door", sa.String(200), nullable=False),
        sa.Column("omgezet_op", sa.DateTime(timezone=True)),
        schema="intake",
    )
    op.create_table(
        "achttien_jaar",
        sa.Column("persoon_sleutel", sa.String(64), primary_key=True),
        sa.Column("gemeente", sa.String(6), nullable=False),
        sa.Column("huishouden_id", sa.String(64), nullable=False),
        sa.Column("achttien_in", sa.Date, nullable=False),
        sa.Column("gepubliceerd_op", sa.DateTime(timezone=True)),
        schema="intake",
    )
    op.create_index(
        "achttien_te_melden",
        "achttien_jaar",
        ["gemeente", "achttien_in"],
        schema="intake",
        postgresql_where=sa.text("gepubliceerd_op IS NULL"),
    )


def downgrade() -> None:
    op.drop_table("achttien_jaar", schema="intake")
    op.drop_table("lichte_contacten", schema="intake")
