"""intake: an index on the inbox's age, for pruning it (decision 0014)

Revision ID: intake_0005
Revises: intake_0004
"""

from shared.migrations import inbox_index_op_leeftijd, inbox_index_weg

revision = "intake_0005"
down_revision = "intake_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inbox_index_op_leeftijd("intake")


def downgrade() -> None:
    inbox_index_weg("intake")
