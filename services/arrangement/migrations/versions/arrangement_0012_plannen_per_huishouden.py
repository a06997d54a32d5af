"""arrangement: an index on the household of every plan (the plan in view is looked up per doorverwijzing)

Revision ID: arrangement_0012
Revises: arrangement_0011
"""

from alembic import op

revision = "arrangement_0012"
down_revision = "arrangement_0011"
branch_labels = None
depends_on = None

S = "arrangement"


def upgrade() -> None:
    op.create_index("plannen_per_huishouden", "plannen", ["huishouden_id"], schema=S)


def downgrade() -> None:
    op.drop_index("plannen_per_huishouden", table_name="plannen", schema=S)
