"""triage: the projection keeps closed plans as tombstones

Revision ID: triage_0002
Revises: triage_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "triage_0002"
down_revision = "triage_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "bekende_huishoudens",
        sa.Column("afgesloten", sa.Boolean(), nullable=False, server_default=sa.text("false")),
        schema="triage",
    )


def downgrade() -> None:
    op.drop_column("bekende_huishoudens", "afgesloten", schema="triage")
