"""arrangement: a plan can be closed, with its result

Revision ID: arrangement_0002
Revises: arrangement_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "arrangement_0002"
down_revision = "arrangement_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("plannen", sa.Column("afgesloten_op", sa.DateTime(timezone=True)), schema="arrangement")
    op.add_column("plannen", sa.Column("resultaat", sa.String(30)), schema="arrangement")


def downgrade() -> None:
    op.drop_column("plannen", "resultaat", schema="arrangement")
    op.drop_column("plannen", "afgesloten_op", schema="arrangement")
