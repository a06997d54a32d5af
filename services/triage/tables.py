"""Triage's schema: decisions and the local projection of households with a regisseur."""

from sqlalchemy import Boolean, Column, DateTime, MetaData, String, Table, Uuid, func, text

from shared.db import JsonB, inbox_tabel, outbox_tabel

metadata = MetaData(schema="triage")

besluiten = Table(
    "besluiten",
    metadata,
    Column("doorverwijzing_id", Uuid, primary_key=True),
    Column("bron_id", Uuid, nullable=False, index=True),
    Column("bron_soort", String(20), nullable=False),
    Column("gemeente", String(6), nullable=False),
    Column("huishouden_id", String(64), nullable=False, index=True),
    Column("regel_id", String(100), nullable=False),
    Column("route", String(40), nullable=False),
    Column("team_id", String(100), nullable=False),
    Column("urgentie", String(10), nullable=False),
    Column("termijn_tot", DateTime(timezone=True), nullable=False),
    Column("termijn_grondslag", String(60), nullable=False),
    Column("toelichting", String(500), nullable=False),
    Column("feiten", JsonB, nullable=False),
    Column("besloten_op", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# Projection of arrangement's regisseur-toegewezen: household -> active regisseur (no calls between services).
bekende_huishoudens = Table(
    "bekende_huishoudens",
    metadata,
    Column("huishouden_id", String(64), primary_key=True),
    Column("plan_id", Uuid, nullable=False),
    Column("regisseur", JsonB, nullable=False),
    # A tombstone: plan-afgesloten may arrive before regisseur-toegewezen (another stream); it must win.
    Column("afgesloten", Boolean, nullable=False, server_default=text("false")),
    Column("bijgewerkt_op", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

outbox = outbox_tabel(metadata)
inbox = inbox_tabel(metadata)
