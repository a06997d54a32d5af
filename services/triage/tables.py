"""Triage's schema: decisions and the local projection of households with a regisseur."""

import sqlalchemy as sa

from shared.db import JsonB, inbox_tabel, outbox_tabel

metadata = sa.MetaData(schema="triage")

besluiten = sa.Table(
    "besluiten",
    metadata,
    sa.Column("doorverwijzing_id", sa.Uuid, primary_key=True),
    sa.Column("bron_id", sa.Uuid, nullable=False, index=True),
    sa.Column("bron_soort", sa.String(20), nullable=False),
    sa.Column("gemeente", sa.String(6), nullable=False),
    sa.Column("huishouden_id", sa.String(64), nullable=False, index=True),
    sa.Column("regel_id", sa.String(100), nullable=False),
    sa.Column("route", sa.String(40), nullable=False),
    sa.Column("team_id", sa.String(100), nullable=False),
    sa.Column("urgentie", sa.String(10), nullable=False),
    sa.Column("termijn_tot", sa.DateTime(timezone=True), nullable=False),
    sa.Column("termijn_grondslag", sa.String(60), nullable=False),
    sa.Column("toelichting", sa.String(500), nullable=False),
    sa.Column("feiten", JsonB, nullable=False),
    sa.Column("besloten_op", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

# Projection of arrangement's regisseur-toegewezen: household -> active regisseur (no calls between services).
bekende_huishoudens = sa.Table(
    "bekende_huishoudens",
    metadata,
    sa.Column("huishouden_id", sa.String(64), primary_key=True),
    sa.Column("plan_id", sa.Uuid, nullable=False),
    sa.Column("regisseur", JsonB, nullable=False),
    # A tombstone: plan-afgesloten may arrive before regisseur-toegewezen (another stream); it must win.
    sa.Column("afgesloten", sa.Boolean, nullable=False, server_default=sa.text("false")),
    sa.Column("bijgewerkt_op", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

outbox = outbox_tabel(metadata)
inbox = inbox_tabel(metadata)
