"""arrangement: doorzettingsmacht (escalaties; when an overdue deadline escalates by itself)

Revision ID: arrangement_0010
Revises: arrangement_0009
"""

import sqlalchemy as sa
from alembic import op

revision = "arrangement_0010"
down_revision = "arrangement_0009"
branch_labels = None
depends_on = None

S = "arrangement"


def upgrade() -> None:
    op.add_column("termijnen", sa.Column("escaleren_op", sa.DateTime(timezone=True)), schema=S)
    op.add_column("termijnen", sa.Column("geescaleerd_op", sa.DateTime(timezone=True)), schema=S)
    op.create_index(
        "termijnen_te_escaleren",
        "termijnen",
        ["escaleren_op"],
        schema=S,
        postgresql_where=sa.text("status = 'open' AND escaleren_op IS NOT NULL AND geescaleerd_op IS NULL"),
    )
    op.create_table(
        "escalaties",
        sa.Column("escalatie_id", sa.Uuid, primary_key=True),
        sa.Column("plan_id", sa.Uuid, sa.ForeignKey("arrangement.plannen.plan_id"), nullable=False),
        sa.Column("huishouden_id", sa.String(64), nullable=False),
        sa.Column("gemeente", sa.String(6), nullable=False),
        sa.Column("reden", sa.String(30), nullable=False),
        sa.Column("door", sa.String(20), nullable=False),
        sa.Column("van_team_id", sa.String(100)),
        sa.Column("naar_team_id", sa.String(100), nullable=False),
        sa.Column("ingediend_op", sa.DateTime(timezone=True), nullable=False),
        sa.Column("beslissen_voor", sa.Date, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("termijn_grondslag", sa.String(60)),
        sa.Column("instructie", sa.String(40)),
        sa.Column("opvolgen_voor", sa.Date),
        sa.Column("behandeld_op", sa.DateTime(timezone=True)),
        sa.Column("ingediend_door", sa.String(200), nullable=False),
        sa.Column("behandeld_door", sa.String(200)),
        schema=S,
    )
    op.create_index("ix_arrangement_escalaties_plan_id", "escalaties", ["plan_id"], schema=S)
    op.create_index("escalaties_per_gemeente", "escalaties", ["gemeente", "ingediend_op"], schema=S)
    op.create_index(
        "een_lopende_escalatie_per_plan",
        "escalaties",
        ["plan_id"],
        unique=True,
        schema=S,
        postgresql_where=sa.text("status IN ('open', 'regie_genomen')"),
    )


def downgrade() -> None:
    op.drop_table("escalaties", schema=S)
    op.drop_index("termijnen_te_escaleren", table_name="termijnen", schema=S)
    op.drop_column("termijnen", "geescaleerd_op", schema=S)
    op.drop_column("termijnen", "escaleren_op", schema=S)
