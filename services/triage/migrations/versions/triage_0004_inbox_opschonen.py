"""triage: an index on the inbox's age, for pruning it (decision 0014)

Revision ID: triage_0004
Revises: triage_0003
"""

from shared.migrations import inbox_index_op_leeftijd, inbox_index_weg

revision = "triage_0004"
down_revision = "triage_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inbox_index_op_leeftijd("triage")


def downgrade() -> None:
    inbox_index_weg("triage")
