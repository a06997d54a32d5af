"""arrangement: an index on the inbox's age, for pruning it (decision 0014)

Revision ID: arrangement_0006
Revises: arrangement_0005
"""

from shared.migrations import inbox_index_op_leeftijd, inbox_index_weg

revision = "arrangement_0006"
down_revision = "arrangement_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inbox_index_op_leeftijd("arrangement")


def downgrade() -> None:
    inbox_index_weg("arrangement")
