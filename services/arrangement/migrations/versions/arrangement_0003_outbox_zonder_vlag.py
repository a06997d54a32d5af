"""arrangement: outbox rows as published bytes, deleted once published

Revision ID: arrangement_0003
Revises: arrangement_0002
"""

from shared.migrations import outbox_met_vlag, outbox_zonder_vlag

revision = "arrangement_0003"
down_revision = "arrangement_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    outbox_zonder_vlag("arrangement")


def downgrade() -> None:
    outbox_met_vlag("arrangement")
