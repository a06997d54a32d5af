"""arrangement: open termijnen per medewerker, so the werkvoorraad ("my teams or me") uses two indexes
instead of reading every open termijn (bench lezen: a sequential scan of 102,000 rows, 18 ms, before)

Revision ID: arrangement_0008
Revises: arrangement_0007
"""

from alembic import op

revision = "arrangement_0008"
down_revision = "arrangement_0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX termijnen_open_per_medewerker ON arrangement.termijnen (medewerker_id, termijn_tot) "
        "WHERE status = 'open'"
    )


def downgrade() -> None:
    op.execute("DROP INDEX arrangement.termijnen_open_per_medewerker")
