"""arrangement: the Wmo onderzoek (gesprekken, verslagen), the day a beschikking was sent, and the
inwoner's legal protection (bezwaren, klachten)

Revision ID: arrangement_0009
Revises: arrangement_0008
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "arrangement_0009"
down_revision = "arrangement_0008"
branch_labels = None
depends_on = None

SCHEMA = "arrangement"


def _plan_id() -> sa.Column:
    return sa.Column("plan_id", sa.Uuid, sa.ForeignKey(f"{SCHEMA}.plannen.plan_id"), nullable=False, index=True)


def _vastgelegd() -> list[sa.Column]:
    return [
        sa.Column("door", sa.String(200), nullable=False),
        sa.Column("vastgelegd_op", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    ]


def upgrade() -> None:
    op.add_column("beschikkingen", sa.Column("verzonden_op", sa.Date), schema=SCHEMA)
    op.create_table(
        "gesprekken",
        sa.Column("gesprek_id", sa.Uuid, primary_key=True),
        _plan_id(),
        sa.Column("datum", sa.Date, nullable=False),
        sa.Column("vorm", sa.String(20), nullable=False),
        sa.Column("deelnemers", JSONB, nullable=False),
        sa.Column("clientondersteuning_gewezen_op", sa.Date, nullable=False),
        *_vastgelegd(),
        schema=SCHEMA,
    )
    op.create_table(
        "verslagen",
        sa.Column("verslag_id", sa.Uuid, primary_key=True),
        _plan_id(),
        sa.Column("verstuurd_op", sa.Date, nullable=False),
        *_vastgelegd(),
        schema=SCHEMA,
    )
    op.create_table(
        "bezwaren",
        sa.Column("bezwaar_id", sa.Uuid, primary_key=True),
        _plan_id(),
        sa.Column("beschikking_id", sa.Uuid, nullable=False),
        sa.Column("verzonden_op", sa.Date, nullable=False),
        sa.Column("ontvangen_op", sa.Date, nullable=False),
        sa.Column("adviescommissie", sa.Boolean, nullable=False),
        sa.Column("tijdig", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reden_verdaging", sa.String(30)),
        sa.Column("uitkomst", sa.String(20)),
        sa.Column("besloten_op", sa.Date),
        sa.Column("nieuwe_beschikking_versie", sa.Integer),
        *_vastgelegd(),
        schema=SCHEMA,
    )
    op.create_table(
        "klachten",
        sa.Column("klacht_id", sa.Uuid, primary_key=True),
        _plan_id(),
        sa.Column("ontvangen_op", sa.Date, nullable=False),
        sa.Column("over", sa.String(20), nullable=False),
        sa.Column("aanbieder_id", sa.String(100)),
        sa.Column("onderwerpen", JSONB, nullable=False),
        sa.Column("klachtadviescommissie", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reden_verdaging", sa.String(30)),
        sa.Column("uitkomst", sa.String(20)),
        sa.Column("afgehandeld_op", sa.Date),
        *_vastgelegd(),
        schema=SCHEMA,
    )


def downgrade() -> None:
    for tabel in ("klachten", "bezwaren", "verslagen", "gesprekken"):
        op.drop_table(tabel, schema=SCHEMA)
    op.drop_column("beschikkingen", "verzonden_op", schema=SCHEMA)
