"""arrangement: Mijn toegang (who belongs to which household; what the inwoner said about his plan)

Revision ID: arrangement_0011
Revises: arrangement_0010
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "arrangement_0011"
down_revision = "arrangement_0010"
branch_labels = None
depends_on = None

S = "arrangement"


def upgrade() -> None:
    op.create_table(
        "leden",
        sa.Column("persoon_sleutel", sa.String(64), primary_key=True),
        sa.Column("huishouden_id", sa.String(64), primary_key=True),
        sa.Column("gemeente", sa.String(6), nullable=False),
        sa.Column("sinds", sa.DateTime(timezone=True), nullable=False),
        schema=S,
    )
    op.create_table(
        "reacties",
        sa.Column("reactie_id", sa.Uuid, primary_key=True),
        sa.Column("plan_id", sa.Uuid, sa.ForeignKey("arrangement.plannen.plan_id"), nullable=False),
        sa.Column("soort", sa.String(20), nullable=False),
        sa.Column("versie", sa.Integer),
        sa.Column("akkoord", sa.Boolean),
        sa.Column("gegevens", postgresql.JSONB, nullable=False),
        sa.Column("ingediend_op", sa.DateTime(timezone=True), nullable=False),
        schema=S,
    )
    op.create_index("ix_arrangement_reacties_plan_id", "reacties", ["plan_id"], schema=S)


def downgrade() -> None:
    op.drop_table("reacties", schema=S)
    op.drop_table("leden", schema=S)
