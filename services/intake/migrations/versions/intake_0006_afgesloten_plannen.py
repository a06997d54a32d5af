"""intake: the plans that closed, so a melding taken into a plan after that plan closed closes too

Revision ID: intake_0006
Revises: intake_0005
"""

import sqlalchemy as sa
from alembic import op

revision = "intake_0006"
down_revision = "intake_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "afgesloten_plannen",
        sa.Column("plan_id", sa.Uuid, primary_key=True),
        sa.Column("afgesloten_op", sa.DateTime(timezone=True), nullable=False),
        schema="intake",
    )


def downgrade() -> None:
    op.drop_table("afgesloten_plannen", schema="intake")
