"""Arrangement's schema: plans (one active per household, enforced here too), versions, timeline, deadlines,
aanvragen, beschikkingen, contactpogingen, evaluations and the processing log."""

import sqlalchemy as sa

from shared.db import JsonB, contactpoging_kolommen, inbox_tabel, outbox_tabel
from shared.verwerkingslog import verwerkingslog_tabel

metadata = sa.MetaData(schema="arrangement")

plannen = sa.Table(
    "plannen",
    metadata,
    sa.Column("plan_id", sa.Uuid, primary_key=True),
    sa.Column("gemeente", sa.String(6), nullable=False),
    sa.Column("huishouden_id", sa.String(64), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # domain.PlanStatus: actief, waakvlam, afgesloten
    sa.Column("versie", sa.Integer, nullable=False),
    sa.Column("regisseur", JsonB, nullable=False),
    sa.Column("evaluatie_op", sa.Date, nullable=False),
    sa.Column("aangemaakt_op", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("afgesloten_op", sa.DateTime(timezone=True)),
    sa.Column("resultaat", sa.String(30)),
    sa.Column("wijk", sa.String(100)),
    # Waakvlam (status waakvlam): a closed plan stays in view, with its next check and, if periodic, the interval.
    sa.Column("waakvlam_op", sa.Date),
    sa.Column("waakvlam_interval_weken", sa.Integer),
    sa.CheckConstraint("status IN ('actief', 'waakvlam', 'afgesloten')", name="plan_status"),
    # The invariant, in the database: at most one active plan per household.
    sa.Index(
        "een_actief_plan_per_huishouden", "huishouden_id", unique=True, postgresql_where=sa.text("status = 'actief'")
    ),
    # Every doorverwijzing looks up the plan a household has in view (actief or waakvlam): the partial index
    # above cannot answer that, and without this one it was a scan of all plans (decision 0024).
    sa.Index("plannen_per_huishouden", "huishouden_id"),
)

planversies = sa.Table(
    "planversies",
    metadata,
    sa.Column("plan_id", sa.Uuid, sa.ForeignKey("plannen.plan_id"), primary_key=True),
    sa.Column("versie", sa.Integer, primary_key=True),
    sa.Column("regisseur", JsonB, nullable=False),
    sa.Column("doelen", JsonB, nullable=False),
    sa.Column("voorzieningen", JsonB, nullable=False),
    sa.Column("evaluatie_op", sa.Date, nullable=False),
    sa.Column("opgesteld_op", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("mantelzorg", JsonB),
    sa.Column("gebruikelijke_zorg", JsonB),
    sa.Column("opgesteld_door", sa.String(200)),
)

tijdlijn = sa.Table(
    "tijdlijn",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("huishouden_id", sa.String(64), nullable=False, index=True),
    sa.Column("plan_id", sa.Uuid),
    sa.Column("soort", sa.String(40), nullable=False),  # doorverwijzing, plan-opgesteld, beschikking-afgegeven, ...
    sa.Column("bron_id", sa.Uuid),
    sa.Column("bron_soort", sa.String(20)),
    sa.Column("details", JsonB, nullable=False),
    sa.Column("tijdstip", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    # A doorverwijzing lands once, even when it comes again under another event id.
    sa.Column("doorverwijzing_id", sa.Uuid),
    sa.Index(
        "een_keer_per_doorverwijzing",
        "doorverwijzing_id",
        unique=True,
        postgresql_where=sa.text("doorverwijzing_id IS NOT NULL"),
    ),
)

TERMIJN_OPEN = sa.text("status = 'open'")
TERMIJN_TE_BEWAKEN = sa.text("status = 'open' AND verstreken_op IS NULL")

termijnen = sa.Table(
    "termijnen",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("huishouden_id", sa.String(64), nullable=False, index=True),
    sa.Column("plan_id", sa.Uuid),
    sa.Column("bron_id", sa.Uuid, nullable=False),
    sa.Column("team_id", sa.String(100)),
    sa.Column("termijn_grondslag", sa.String(60), nullable=False),
    sa.Column("termijn_tot", sa.DateTime(timezone=True), nullable=False),
    # open, gehaald (met), vervallen (plan closed, replaced)
    sa.Column("status", sa.String(20), nullable=False, server_default="open"),
    sa.Column("gemeente", sa.String(6), nullable=False),
    sa.Column("soort", sa.String(20), nullable=False, server_default="doorverwijzing"),  # domain.TermijnSoort
    sa.Column("medewerker_id", sa.String(100)),
    sa.Column("bij_lopend_plan", sa.Boolean, nullable=False, server_default=sa.text("false")),
    sa.Column("aangemaakt_op", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    # Set once, in the transaction that publishes termijn-verstreken: the deadline stays open work.
    sa.Column("verstreken_op", sa.DateTime(timezone=True)),
    sa.Column("gesloten_op", sa.DateTime(timezone=True)),
    # Doorzettingsmacht: set by the consumer of termijn-verstreken (when the overdue deadline escalates by
    # itself), and when it did.
    sa.Column("escaleren_op", sa.DateTime(timezone=True)),
    sa.Column("geescaleerd_op", sa.DateTime(timezone=True)),
    sa.Index(
        "termijnen_te_escaleren",
        "escaleren_op",
        postgresql_where=sa.text("status = 'open' AND escaleren_op IS NOT NULL AND geescaleerd_op IS NULL"),
    ),
    sa.Index("termijnen_te_bewaken", "termijn_tot", postgresql_where=TERMIJN_TE_BEWAKEN),
    sa.Index("termijnen_open_per_team", "team_id", "termijn_tot", postgresql_where=TERMIJN_OPEN),
    # The werkvoorraad asks "my teams OR me": with both indexes PostgreSQL combines them (BitmapOr).
    sa.Index("termijnen_open_per_medewerker", "medewerker_id", "termijn_tot", postgresql_where=TERMIJN_OPEN),
)

aanvragen = sa.Table(
    "aanvragen",
    metadata,
    sa.Column("aanvraag_id", sa.Uuid, primary_key=True),
    sa.Column("plan_id", sa.Uuid, sa.ForeignKey("plannen.plan_id"), nullable=False, index=True),
    sa.Column("huishouden_id", sa.String(64), nullable=False),
    sa.Column("voorzieningen", JsonB, nullable=False),  # catalogue codes
    sa.Column("ontvangen_op", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # open, beschikt, vervallen
    sa.Column("door", sa.String(200), nullable=False),
)

beschikkingen = sa.Table(
    "beschikkingen",
    metadata,
    sa.Column("beschikking_id", sa.Uuid, primary_key=True),
    sa.Column("versie", sa.Integer, primary_key=True),
    sa.Column("plan_id", sa.Uuid, sa.ForeignKey("plannen.plan_id"), nullable=False, index=True),
    sa.Column("huishouden_id", sa.String(64), nullable=False),
    sa.Column("aanvraag_id", sa.Uuid),
    sa.Column("voorzieningen", JsonB, nullable=False),  # code, wet, productcode, omvang
    sa.Column("ingangsdatum", sa.Date, nullable=False),
    sa.Column("einddatum", sa.Date),
    sa.Column("reden_wijziging", sa.String(20)),
    sa.Column("afgegeven_door", sa.String(200), nullable=False),
    sa.Column("afgegeven_op", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    # The day it was sent to the inwoner (bekendgemaakt): the bezwaartermijn runs from the day after.
    sa.Column("verzonden_op", sa.Date),
)

# The Wmo onderzoek: the keukentafelgesprek(ken) and the verslag that ends it (Wmo 2015 art. 2.3.2).
gesprekken = sa.Table(
    "gesprekken",
    metadata,
    sa.Column("gesprek_id", sa.Uuid, primary_key=True),
    sa.Column("plan_id", sa.Uuid, sa.ForeignKey("plannen.plan_id"), nullable=False, index=True),
    sa.Column("datum", sa.Date, nullable=False),
    sa.Column("vorm", sa.String(20), nullable=False),  # thuis, kantoor, telefoon, video
    sa.Column("deelnemers", JsonB, nullable=False),  # codes: inwoner, mantelzorger, netwerk, ...
    # When the inwoner was told of free onafhankelijke cliëntondersteuning (before the gesprek).
    sa.Column("clientondersteuning_gewezen_op", sa.Date, nullable=False),
    sa.Column("door", sa.String(200), nullable=False),
    sa.Column("vastgelegd_op", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

verslagen = sa.Table(
    "verslagen",
    metadata,
    sa.Column("verslag_id", sa.Uuid, primary_key=True),
    sa.Column("plan_id", sa.Uuid, sa.ForeignKey("plannen.plan_id"), nullable=False, index=True),
    sa.Column("verstuurd_op", sa.Date, nullable=False),
    sa.Column("door", sa.String(200), nullable=False),
    sa.Column("vastgelegd_op", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

# The inwoner's legal protection (rechtsbescherming.py): one row per bezwaar and per klacht, in its state.
bezwaren = sa.Table(
    "bezwaren",
    metadata,
    sa.Column("bezwaar_id", sa.Uuid, primary_key=True),
    sa.Column("plan_id", sa.Uuid, sa.ForeignKey("plannen.plan_id"), nullable=False, index=True),
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
    sa.Column("door", sa.String(200), nullable=False),
    sa.Column("vastgelegd_op", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

klachten = sa.Table(
    "klachten",
    metadata,
    sa.Column("klacht_id", sa.Uuid, primary_key=True),
    sa.Column("plan_id", sa.Uuid, sa.ForeignKey("plannen.plan_id"), nullable=False, index=True),
    sa.Column("ontvangen_op", sa.Date, nullable=False),
    sa.Column("over", sa.String(20), nullable=False),  # gemeente, aanbieder
    sa.Column("aanbieder_id", sa.String(100)),
    sa.Column("onderwerpen", JsonB, nullable=False),  # codes
    sa.Column("klachtadviescommissie", sa.Boolean, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("reden_verdaging", sa.String(30)),
    sa.Column("uitkomst", sa.String(20)),
    sa.Column("afgehandeld_op", sa.Date),
    sa.Column("door", sa.String(200), nullable=False),
    sa.Column("vastgelegd_op", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

# Doorzettingsmacht (doorzetten.py): one running escalation per plan, enforced here too.
escalaties = sa.Table(
    "escalaties",
    metadata,
    sa.Column("escalatie_id", sa.Uuid, primary_key=True),
    sa.Column("plan_id", sa.Uuid, sa.ForeignKey("plannen.plan_id"), nullable=False, index=True),
    sa.Column("huishouden_id", sa.String(64), nullable=False),
    sa.Column("gemeente", sa.String(6), nullable=False),
    sa.Column("reden", sa.String(30), nullable=False),
    sa.Column("door", sa.String(20), nullable=False),  # regisseur, termijnbewaking
    sa.Column("van_team_id", sa.String(100)),
    sa.Column("naar_team_id", sa.String(100), nullable=False),
    sa.Column("ingediend_op", sa.DateTime(timezone=True), nullable=False),
    sa.Column("beslissen_voor", sa.Date, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("termijn_grondslag", sa.String(60)),
    sa.Column("instructie", sa.String(40)),
    sa.Column("opvolgen_voor", sa.Date),
    sa.Column("behandeld_op", sa.DateTime(timezone=True)),
    sa.Column("ingediend_door", sa.String(200), nullable=False),
    sa.Column("behandeld_door", sa.String(200)),
    sa.Index(
        "een_lopende_escalatie_per_plan",
        "plan_id",
        unique=True,
        postgresql_where=sa.text("status IN ('open', 'regie_genomen')"),
    ),
    sa.Index("escalaties_per_gemeente", "gemeente", "ingediend_op"),
)

# Mijn toegang: who belongs to which household (from melding-geregistreerd's keys), so an inwoner reaches
# his own household and no other; and what he said about his plan (codes, no free text).
leden = sa.Table(
    "leden",
    metadata,
    sa.Column("persoon_sleutel", sa.String(64), primary_key=True),
    sa.Column("huishouden_id", sa.String(64), primary_key=True),
    sa.Column("gemeente", sa.String(6), nullable=False),
    sa.Column("sinds", sa.DateTime(timezone=True), nullable=False),
)

reacties = sa.Table(
    "reacties",
    metadata,
    sa.Column("reactie_id", sa.Uuid, primary_key=True),
    sa.Column("plan_id", sa.Uuid, sa.ForeignKey("plannen.plan_id"), nullable=False, index=True),
    sa.Column("soort", sa.String(20), nullable=False),  # instemming, inbreng, contactverzoek
    sa.Column("versie", sa.Integer),
    sa.Column("akkoord", sa.Boolean),
    sa.Column("gegevens", JsonB, nullable=False),  # the codes he chose
    sa.Column("ingediend_op", sa.DateTime(timezone=True), nullable=False),
)

contactpogingen = sa.Table(
    "contactpogingen",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("plan_id", sa.Uuid, sa.ForeignKey("plannen.plan_id"), nullable=False, index=True),
    *contactpoging_kolommen(),
    sa.Column("vastgelegd_op", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

evaluaties = sa.Table(
    "evaluaties",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("plan_id", sa.Uuid, sa.ForeignKey("plannen.plan_id"), nullable=False, index=True),
    sa.Column("datum", sa.Date, nullable=False),
    sa.Column("uitkomst", sa.String(20), nullable=False),
    sa.Column("volgende_evaluatie_op", sa.Date, nullable=False),
    sa.Column("door", sa.String(200), nullable=False),
    sa.Column("vastgelegd_op", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

verwerkingslog = verwerkingslog_tabel(metadata)
outbox = outbox_tabel(metadata)
inbox = inbox_tabel(metadata)
