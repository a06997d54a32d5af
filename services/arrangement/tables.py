"""Arrangement's schema: plans (one active per household, enforced here too), versions, timeline, deadlines."""

from sqlalchemy import Column, Date, DateTime, ForeignKey, Index, Integer, MetaData, String, Table, Uuid, func, text

from shared.db import JsonB, inbox_tabel, outbox_tabel

metadata = MetaData(schema="arrangement")

plannen = Table(
    "plannen",
    metadata,
    Column("plan_id", Uuid, primary_key=True),
    Column("gemeente", String(6), nullable=False),
    Column("huishouden_id", String(64), nullable=False),
    Column("status", String(20), nullable=False),  # actief, afgesloten
    Column("versie", Integer, nullable=False),
    Column("regisseur", JsonB, nullable=False),
    Column("evaluatie_op", Date, nullable=False),
    Column("aangemaakt_op", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("afgesloten_op", DateTime(timezone=True)),
    Column("resultaat", String(30)),
    # The invariant, in the database: at most one active plan per household.
    Index("een_actief_plan_per_huishouden", "huishouden_id", unique=True, postgresql_where=text("status = 'actief'")),
)

planversies = Table(
    "planversies",
    metadata,
    Column("plan_id", Uuid, ForeignKey("plannen.plan_id"), primary_key=True),
    Column("versie", Integer, primary_key=True),
    Column("regisseur", JsonB, nullable=False),
    Column("doelen", JsonB, nullable=False),
    Column("voorzieningen", JsonB, nullable=False),
    Column("evaluatie_op", Date, nullable=False),
    Column("opgesteld_op", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

tijdlijn = Table(
    "tijdlijn",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("huishouden_id", String(64), nullable=False, index=True),
    Column("plan_id", Uuid),
    Column("soort", String(40), nullable=False),  # doorverwijzing, plan-opgesteld, ...
    Column("bron_id", Uuid),
    Column("bron_soort", String(20)),
    Column("details", JsonB, nullable=False),
    Column("tijdstip", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

termijnen = Table(
    "termijnen",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("huishouden_id", String(64), nullable=False, index=True),
    Column("plan_id", Uuid),
    Column("bron_id", Uuid, nullable=False),
    Column("team_id", String(100)),
    Column("termijn_grondslag", String(60), nullable=False),
    Column("termijn_tot", DateTime(timezone=True), nullable=False),
    Column("status", String(20), nullable=False, server_default="open"),
)

outbox = outbox_tabel(metadata)
inbox = inbox_tabel(metadata)
