"""intake: the processing log records the reader's gemeente

Revision ID: intake_0004
Revises: intake_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "intake_0004"
down_revision = "intake_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("verwerkingslog", sa.Column("gemeente", sa.String(6), nullable=True), schema="intake")
    op.create_index("ix_intake_verwerkingslog_gemeente", "verwerkingslog", ["gemeente"], schema="intake")
    # Entries from before: the gemeente of the data they were about.
    op.execute("""UPDATE intake.verwerkingslog l SET gemeente = m.gemeente FROM intake.meldingen m
        WHERE l.gemeente IS NULL AND (m.huishouden_id = l.betrokkene OR m.melding_id IN (
            SELECT p.melding_id FROM intake.melding_personen p WHERE p.persoon_sleutel = l.betrokkene))""")


def downgrade() -> None:
    op.drop_index("ix_intake_verwerkingslog_gemeente", table_name="verwerkingslog", schema="intake")
    op.drop_column("verwerkingslog", "gemeente", schema="intake")
