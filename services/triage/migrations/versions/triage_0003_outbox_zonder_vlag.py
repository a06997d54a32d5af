"""triage: outbox rows as published bytes, deleted once published

Revision ID: triage_0003
Revises: triage_0002
"""

from shared.migrations import outbox_met_vlag, outbox_zonder_vlag

revision = "triage_0003"
down_revision = "triage_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    outbox_zonder_vlag("triage")


def downgrade() -> None:
    outbox_met_vlag("triage")
