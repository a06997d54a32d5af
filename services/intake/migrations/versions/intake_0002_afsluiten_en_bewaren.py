"""intake: closure of a melding and erasure of the melder's contact details

Revision ID: intake_0002
Revises: intake_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "intake_0002"
down_revision = "intake_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("meldingen", sa.Column("afgesloten_op", sa.DateTime(timezone=True)), schema="intake")
    op.add_column("meldingen", sa.Column("melder_gewist_op", sa.DateTime(timezone=True)), schema="intake")
    op.add_column("meldingen", sa.Column("plan_id", sa.Uuid()), schema="intake")
    op.create_index("meldingen_per_plan", "meldingen", ["plan_id"], schema="intake")
    op.create_index(
        "te_wissen_melders",
        "meldingen",
        ["afgesloten_op"],
        schema="intake",
        postgresql_where=sa.text("melder_gewist_op IS NULL AND afgesloten_op IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("meldingen_per_plan", "meldingen", schema="intake")
    op.drop_column("meldingen", "plan_id", schema="intake")
    op.drop_index("te_wissen_melders", "meldingen", schema="intake")
    op.drop_column("meldingen", "melder_gewist_op", schema="intake")
    op.drop_column("meldingen", "afgesloten_op", schema="intake")
