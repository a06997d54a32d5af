"""arrangement: the processing log records the reader's gemeente

Revision ID: arrangement_0005
Revises: arrangement_0004
"""

import sqlalchemy as sa
from alembic import op

revision = "arrangement_0005"
down_revision = "arrangement_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("verwerkingslog", sa.Column("gemeente", sa.String(6), nullable=True), schema="arrangement")
    op.create_index("ix_arrangement_verwerkingslog_gemeente", "verwerkingslog", ["gemeente"], schema="arrangement")
    # Entries from before: the gemeente of the data they were about.
    op.execute("""UPDATE arrangement.verwerkingslog l SET gemeente = p.gemeente FROM arrangement.plannen p
        WHERE l.gemeente IS NULL AND p.huishouden_id = l.betrokkene""")


def downgrade() -> None:
    op.drop_index("ix_arrangement_verwerkingslog_gemeente", table_name="verwerkingslog", schema="arrangement")
    op.drop_column("verwerkingslog", "gemeente", schema="arrangement")
