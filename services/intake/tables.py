"""Intake's schema: the only place that holds the personal data of a melding (encrypted)."""

import sqlalchemy as sa

from shared.db import JsonB, inbox_tabel, outbox_tabel
from shared.verwerkingslog import verwerkingslog_tabel

metadata = sa.MetaData(schema="intake")

meldingen = sa.Table(
    "meldingen",
    metadata,
    sa.Column("melding_id", sa.Uuid, primary_key=True),
    sa.Column("gemeente", sa.String(6), nullable=False),
    sa.Column("kanaal", sa.String(20), nullable=False),
    sa.Column("soort", sa.String(30), nullable=False),
    sa.Column("melder_type", sa.String(20), nullable=False),
    sa.Column("huishouden_id", sa.String(64), nullable=False, index=True),
    sa.Column("wijk", sa.String(64)),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("team_id", sa.String(100)),
    sa.Column("route", sa.String(40)),
    sa.Column("ontvangen_op", sa.DateTime(timezone=True), nullable=False),
    # Facts that are not personal data: ZRM, flags, voorzieningen; as the event carried them.
    sa.Column("feiten", JsonB, nullable=False),
    # Personal data (people, address, melder's contact details, omschrijving), Fernet-encrypted.
    sa.Column("persoonsgegevens", sa.LargeBinary, nullable=False),
    sa.Column("wil_terugkoppeling", sa.Boolean, nullable=False),
    sa.Column("terugkoppelcode_sha256", sa.String(64)),
    sa.Column("idempotency_key", sa.String(200), unique=True),
    sa.Column("afgesloten_op", sa.DateTime(timezone=True)),
    # The plan that took the melding in (from doorverwijzing-aanvaard); its closure closes the melding.
    sa.Column("plan_id", sa.Uuid),
    # Set when the retention job erased the melder's contact details from `persoonsgegevens`.
    sa.Column("melder_gewist_op", sa.DateTime(timezone=True)),
    sa.Index("meldingen_per_plan", "plan_id"),
    sa.Index(
        "te_wissen_melders",
        "afgesloten_op",
        postgresql_where=sa.text("melder_gewist_op IS NULL AND afgesloten_op IS NOT NULL"),
    ),
)

melding_personen = sa.Table(
    "melding_personen",
    metadata,
    sa.Column("melding_id", sa.Uuid, sa.ForeignKey("meldingen.melding_id", ondelete="CASCADE"), primary_key=True),
    sa.Column("volgnummer", sa.Integer, primary_key=True),
    sa.Column("persoon_sleutel", sa.String(64), nullable=False, index=True),
)

statushistorie = sa.Table(
    "statushistorie",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "melding_id", sa.Uuid, sa.ForeignKey("meldingen.melding_id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("route", sa.String(40)),
    sa.Column("tijdstip", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

# plan-afgesloten and doorverwijzing-aanvaard come over two streams: a plan that closed before intake heard
# that it took the melding in. Kept so that the late aanvaarding closes the melding too (usecases.opgepakt).
afgesloten_plannen = sa.Table(
    "afgesloten_plannen",
    metadata,
    sa.Column("plan_id", sa.Uuid, primary_key=True),
    sa.Column("afgesloten_op", sa.DateTime(timezone=True), nullable=False),
)

# Lichte contacten (DOMAIN.md): a question answered on the spot. Codes only: no person, no free text, no
# dossier; counted, and turned into a melding when more is needed.
lichte_contacten = sa.Table(
    "lichte_contacten",
    metadata,
    sa.Column("contact_id", sa.Uuid, primary_key=True),
    sa.Column("gemeente", sa.String(6), nullable=False),
    sa.Column("kanaal", sa.String(20), nullable=False),
    sa.Column("wijk", sa.String(64)),
    sa.Column("themas", JsonB, nullable=False),
    sa.Column("uitkomst", sa.String(30), nullable=False),  # domain.Uitkomst
    sa.Column("aanbieder_id", sa.String(100)),
    sa.Column("melding_id", sa.Uuid, sa.ForeignKey("meldingen.melding_id")),
    sa.Column("geregistreerd_op", sa.DateTime(timezone=True), nullable=False),
    sa.Column("door", sa.String(200), nullable=False),
    sa.Column("omgezet_op", sa.DateTime(timezone=True)),
)

# From 18- to 18+: the members under 18 intake heard of, with the month they turn 18 (not the birth date),
# until jongere-wordt-achttien was published for them (once per person: the key is the primary key).
achttien_jaar = sa.Table(
    "achttien_jaar",
    metadata,
    sa.Column("persoon_sleutel", sa.String(64), primary_key=True),
    sa.Column("gemeente", sa.String(6), nullable=False),
    sa.Column("huishouden_id", sa.String(64), nullable=False),
    sa.Column("achttien_in", sa.Date, nullable=False),  # the first day of that month
    sa.Column("gepubliceerd_op", sa.DateTime(timezone=True)),
    sa.Index("achttien_te_melden", "gemeente", "achttien_in", postgresql_where=sa.text("gepubliceerd_op IS NULL")),
)

outbox = outbox_tabel(metadata)
inbox = inbox_tabel(metadata)
verwerkingslog = verwerkingslog_tabel(metadata)
