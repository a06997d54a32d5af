"""signalering: outbox rows as published bytes, deleted once published; signals indexed by casus

Revision ID: signalering_0003
Revises: signalering_0002
"""

from alembic import op

from shared.migrations import outbox_met_vlag, outbox_zonder_vlag

revision = "signalering_0003"
down_revision = "signalering_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    outbox_zonder_vlag("signalering")
    op.create_index("ix_signalering_signalen_casus_id", "signalen", ["casus_id"], schema="signalering")


def downgrade() -> None:
    op.drop_index("ix_signalering_signalen_casus_id", table_name="signalen", schema="signalering")
    outbox_met_vlag("signalering")
