"""intake: outbox rows as published bytes, deleted once published

Revision ID: intake_0003
Revises: intake_0002
"""

from shared.migrations import outbox_met_vlag, outbox_zonder_vlag

revision = "intake_0003"
down_revision = "intake_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    outbox_zonder_vlag("intake")


def downgrade() -> None:
    outbox_met_vlag("intake")
