"""Arrangement's schema: plans (one active per household, enforced here too), versions, timeline, deadlines,
aanvragen, beschikkingen, contactpogingen, evaluations and the processing log."""

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Uuid,
    func,
    text,
)

from shared.db import JsonB, inbox_tabel, outbox_tabel
from shared.verwerkingslog import verwerkingslog_tabel

metadata = MetaData(schema="arrangement")

plannen = Table(
    "plannen",
    metadata,
    Column("plan_id", Uuid, primary_key=True),
    Column("gemeente", String(6), nullable=False),
    Column("huishouden_id", String(64), nullable=False),
    Column("status", String(20), nullable=False),  # domain.PlanStatus: actief, waakvlam, afgesloten
    Column("versie", Integer, nullable=False),
    Column("regisseur", JsonB, nullable=False),
    Column("evaluatie_op", Date, nullable=False),
    Column("aangemaakt_op", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("afgesloten_op", DateTime(timezone=True)),
    Column("resultaat", String(30)),
    Column("wijk", String(100)),
    # Waakvlam (status waakvlam): a closed plan stays in view, with its next check and, if periodic, the interval.
    Column("waakvlam_op", Date),
    Column("waakvlam_interval_weken", Integer),
    CheckConstraint("status IN ('actief', 'waakvlam', 'afgesloten')", name="plan_status"),
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
    Column("mantelzorg", JsonB),
    Column("gebruikelijke_zorg", JsonB),
    Column("opgesteld_door", String(200)),
)

tijdlijn = Table(
    "tijdlijn",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("huishouden_id", String(64), nullable=False, index=True),
    Column("plan_id", Uuid),
    Column("soort", String(40), nullable=False),  # doorverwijzing, plan-opgesteld, beschikking-afgegeven, ...
    Column("bron_id", Uuid),
    Column("bron_soort", String(20)),
    Column("details", JsonB, nullable=False),
    Column("tijdstip", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # A doorverwijzing lands once, even when it comes again under another event id.
    Column("doorverwijzing_id", Uuid),
    Index(
        "een_keer_per_doorverwijzing",
        "doorverwijzing_id",
        unique=True,
        postgresql_where=text("doorverwijzing_id IS NOT NULL"),
    ),
)

TERMIJN_OPEN = text("status = 'open'")
TERMIJN_TE_BEWAKEN = text("status = 'open' AND verstreken_op IS NULL")

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
    # open, gehaald (met), vervallen (plan closed, replaced)
    Column("status", String(20), nullable=False, server_default="open"),
    Column("gemeente", String(6), nullable=False),
    Column("soort", String(20), nullable=False, server_default="doorverwijzing"),  # domain.TermijnSoort
    Column("medewerker_id", String(100)),
    Column("bij_lopend_plan", Boolean, nullable=False, server_default=text("false")),
    Column("aangemaakt_op", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # Set once, in the transaction that publishes termijn-verstreken: the deadline stays open work.
    Column("verstreken_op", DateTime(timezone=True)),
    Column("gesloten_op", DateTime(timezone=True)),
    Index("termijnen_te_bewaken", "termijn_tot", postgresql_where=TERMIJN_TE_BEWAKEN),
    Index("termijnen_open_per_team", "team_id", "termijn_tot", postgresql_where=TERMIJN_OPEN),
)

aanvragen = Table(
    "aanvragen",
    metadata,
    Column("aanvraag_id", Uuid, primary_key=True),
    Column("plan_id", Uuid, ForeignKey("plannen.plan_id"), nullable=False, index=True),
    Column("huishouden_id", String(64), nullable=False),
    Column("voorzieningen", JsonB, nullable=False),  # catalogue codes
    Column("ontvangen_op", DateTime(timezone=True), nullable=False),
    Column("status", String(20), nullable=False),  # open, beschikt, vervallen
    Column("door", String(200), nullable=False),
)

beschikkingen = Table(
    "beschikkingen",
    metadata,
    Column("beschikking_id", Uuid, primary_key=True),
    Column("versie", Integer, primary_key=True),
    Column("plan_id", Uuid, ForeignKey("plannen.plan_id"), nullable=False, index=True),
    Column("huishouden_id", String(64), nullable=False),
    Column("aanvraag_id", Uuid),
    Column("voorzieningen", JsonB, nullable=False),  # code, wet, productcode, omvang
    Column("ingangsdatum", Date, nullable=False),
    Column("einddatum", Date),
    Column("reden_wijziging", String(20)),
    Column("afgegeven_door", String(200), nullable=False),
    Column("afgegeven_op", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

contactpogingen = Table(
    "contactpogingen",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("plan_id", Uuid, ForeignKey("plannen.plan_id"), nullable=False, index=True),
    Column("soort", String(20), nullable=False),
    Column("bereikt", Boolean, nullable=False),
    Column("datum", Date, nullable=False),
    Column("dagdeel", String(10), nullable=False),
    Column("door", String(200), nullable=False),
    Column("vastgelegd_op", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

evaluaties = Table(
    "evaluaties",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("plan_id", Uuid, ForeignKey("plannen.plan_id"), nullable=False, index=True),
    Column("datum", Date, nullable=False),
    Column("uitkomst", String(20), nullable=False),
    Column("volgende_evaluatie_op", Date, nullable=False),
    Column("door", String(200), nullable=False),
    Column("vastgelegd_op", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

verwerkingslog = verwerkingslog_tabel(metadata)
outbox = outbox_tabel(metadata)
inbox = inbox_tabel(metadata)
