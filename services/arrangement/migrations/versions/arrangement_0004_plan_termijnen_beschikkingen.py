"""arrangement: plan versions in full, aanvragen, beschikkingen, contactpogingen, evaluaties, waakvlam,
termijnbewaking and the processing log

Revision ID: arrangement_0004
Revises: arrangement_0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "arrangement_0004"
down_revision = "arrangement_0003"
branch_labels = None
depends_on = None

S = "arrangement"
JSONB = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.add_column("plannen", sa.Column("wijk", sa.String(100)), schema=S)
    op.add_column("plannen", sa.Column("waakvlam_op", sa.Date()), schema=S)
    op.add_column("plannen", sa.Column("waakvlam_interval_weken", sa.Integer()), schema=S)

    op.add_column("planversies", sa.Column("mantelzorg", JSONB), schema=S)
    op.add_column("planversies", sa.Column("gebruikelijke_zorg", JSONB), schema=S)
    op.add_column("planversies", sa.Column("opgesteld_door", sa.String(200)), schema=S)

    op.add_column("tijdlijn", sa.Column("doorverwijzing_id", sa.Uuid()), schema=S)
    op.execute(
        "UPDATE arrangement.tijdlijn SET doorverwijzing_id = (details->>'doorverwijzing_id')::uuid "
        "WHERE soort = 'doorverwijzing' AND details ? 'doorverwijzing_id'"
    )
    op.create_index(
        "een_keer_per_doorverwijzing",
        "tijdlijn",
        ["doorverwijzing_id"],
        unique=True,
        schema=S,
        postgresql_where=sa.text("doorverwijzing_id IS NOT NULL"),
    )

    # Deadlines: the gemeente (for the event), what kind, whose, and when termijn-verstreken went out.
    op.add_column("termijnen", sa.Column("gemeente", sa.String(6)), schema=S)
    op.execute(
        "UPDATE arrangement.termijnen t SET gemeente = p.gemeente FROM arrangement.plannen p "
        "WHERE p.plan_id = t.plan_id"
    )
    op.execute("DELETE FROM arrangement.termijnen WHERE gemeente IS NULL")  # without a plan: never shown
    op.alter_column("termijnen", "gemeente", nullable=False, schema=S)
    op.add_column(
        "termijnen", sa.Column("soort", sa.String(20), server_default="doorverwijzing", nullable=False), schema=S
    )
    op.execute(
        "UPDATE arrangement.termijnen SET soort = 'wmo-onderzoek' WHERE termijn_grondslag = 'wmo-onderzoek-6-weken'"
    )
    op.add_column("termijnen", sa.Column("medewerker_id", sa.String(100)), schema=S)
    op.add_column(
        "termijnen",
        sa.Column("bij_lopend_plan", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        schema=S,
    )
    op.add_column(
        "termijnen",
        sa.Column("aangemaakt_op", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        schema=S,
    )
    op.add_column("termijnen", sa.Column("verstreken_op", sa.DateTime(timezone=True)), schema=S)
    op.add_column("termijnen", sa.Column("gesloten_op", sa.DateTime(timezone=True)), schema=S)
    op.create_index(
        "termijnen_te_bewaken",
        "termijnen",
        ["termijn_tot"],
        schema=S,
        postgresql_where=sa.text("status = 'open' AND verstreken_op IS NULL"),
    )
    op.create_index(
        "termijnen_open_per_team",
        "termijnen",
        ["team_id", "termijn_tot"],
        schema=S,
        postgresql_where=sa.text("status = 'open'"),
    )

    op.create_table(
        "aanvragen",
        sa.Column("aanvraag_id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("huishouden_id", sa.String(64), nullable=False),
        sa.Column("voorzieningen", JSONB, nullable=False),
        sa.Column("ontvangen_op", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("door", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["arrangement.plannen.plan_id"]),
        sa.PrimaryKeyConstraint("aanvraag_id"),
        schema=S,
    )
    op.create_index(op.f("ix_arrangement_aanvragen_plan_id"), "aanvragen", ["plan_id"], schema=S)
    op.create_table(
        "beschikkingen",
        sa.Column("beschikking_id", sa.Uuid(), nullable=False),
        sa.Column("versie", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("huishouden_id", sa.String(64), nullable=False),
        sa.Column("aanvraag_id", sa.Uuid()),
        sa.Column("voorzieningen", JSONB, nullable=False),
        sa.Column("ingangsdatum", sa.Date(), nullable=False),
        sa.Column("einddatum", sa.Date()),
        sa.Column("reden_wijziging", sa.String(20)),
        sa.Column("afgegeven_door", sa.String(200), nullable=False),
        sa.Column("afgegeven_op", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["arrangement.plannen.plan_id"]),
        sa.PrimaryKeyConstraint("beschikking_id", "versie"),
        schema=S,
    )
    op.create_index(op.f("ix_arrangement_beschikkingen_plan_id"), "beschikkingen", ["plan_id"], schema=S)
    op.create_table(
        "contactpogingen",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("soort", sa.String(20), nullable=False),
        sa.Column("bereikt", sa.Boolean(), nullable=False),
        sa.Column("datum", sa.Date(), nullable=False),
        sa.Column("dagdeel", sa.String(10), nullable=False),
        sa.Column("door", sa.String(200), nullable=False),
        sa.Column("vastgelegd_op", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["arrangement.plannen.plan_id"]),
        sa.PrimaryKeyConstraint("id"),
        schema=S,
    )
    op.create_index(op.f("ix_arrangement_contactpogingen_plan_id"), "contactpogingen", ["plan_id"], schema=S)
    op.create_table(
        "evaluaties",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("datum", sa.Date(), nullable=False),
        sa.Column("uitkomst", sa.String(20), nullable=False),
        sa.Column("volgende_evaluatie_op", sa.Date(), nullable=False),
        sa.Column("door", sa.String(200), nullable=False),
        sa.Column("vastgelegd_op", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["arrangement.plannen.plan_id"]),
        sa.PrimaryKeyConstraint("id"),
        schema=S,
    )
    op.create_index(op.f("ix_arrangement_evaluaties_plan_id"), "evaluaties", ["plan_id"], schema=S)
    op.create_table(
        "verwerkingslog",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("trace_id", sa.String(32)),
        sa.Column("operation_id", sa.String(16)),
        sa.Column("verwerkingsactiviteit", sa.String(200), nullable=False),
        sa.Column("betrokkene", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("tijdstip", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        schema=S,
    )
    op.create_index(op.f("ix_arrangement_verwerkingslog_betrokkene"), "verwerkingslog", ["betrokkene"], schema=S)


def downgrade() -> None:
    op.drop_index(op.f("ix_arrangement_verwerkingslog_betrokkene"), table_name="verwerkingslog", schema=S)
    op.drop_table("verwerkingslog", schema=S)
    for tabel in ("evaluaties", "contactpogingen", "beschikkingen", "aanvragen"):
        op.drop_index(op.f(f"ix_arrangement_{tabel}_plan_id"), table_name=tabel, schema=S)
        op.drop_table(tabel, schema=S)
    op.drop_index("termijnen_open_per_team", table_name="termijnen", schema=S)
    op.drop_index("termijnen_te_bewaken", table_name="termijnen", schema=S)
    for kolom in (
        "gesloten_op",
        "verstreken_op",
        "aangemaakt_op",
        "bij_lopend_plan",
        "medewerker_id",
        "soort",
        "gemeente",
    ):
        op.drop_column("termijnen", kolom, schema=S)
    op.drop_index("een_keer_per_doorverwijzing", table_name="tijdlijn", schema=S)
    op.drop_column("tijdlijn", "doorverwijzing_id", schema=S)
    for kolom in ("opgesteld_door", "gebruikelijke_zorg", "mantelzorg"):
        op.drop_column("planversies", kolom, schema=S)
    for kolom in ("waakvlam_interval_weken", "waakvlam_op", "wijk"):
        op.drop_column("plannen", kolom, schema=S)
