"""Intake's schema: the only place that holds the personal data of a melding (encrypted)."""

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Uuid,
    func,
    text,
)

from shared.db import JsonB, inbox_tabel, outbox_tabel
from shared.verwerkingslog import verwerkingslog_tabel

metadata = MetaData(schema="intake")

meldingen = Table(
    "meldingen",
    metadata,
    Column("melding_id", Uuid, primary_key=True),
    Column("gemeente", String(6), nullable=False),
    Column("kanaal", String(20), nullable=False),
    Column("soort", String(30), nullable=False),
    Column("melder_type", String(20), nullable=False),
    Column("huishouden_id", String(64), nullable=False, index=True),
    Column("wijk", String(64)),
    Column("status", String(20), nullable=False),
    Column("team_id", String(100)),
    Column("route", String(40)),
    Column("ontvangen_op", DateTime(timezone=True), nullable=False),
    # Facts that are not personal data: ZRM, flags, voorzieningen; as the event carried them.
    Column("feiten", JsonB, nullable=False),
    # Personal data (people, address, melder's contact details, omschrijving), Fernet-encrypted.
    Column("persoonsgegevens", LargeBinary, nullable=False),
    Column("wil_terugkoppeling", Boolean, nullable=False),
    Column("terugkoppelcode_sha256", String(64)),
    Column("idempotency_key", String(200), unique=True),
    Column("afgesloten_op", DateTime(timezone=True)),
    # The plan that took the melding in (from doorverwijzing-aanvaard); its closure closes the melding.
    Column("plan_id", Uuid),
    # Set when the retention job erased the melder's contact details from `persoonsgegevens`.
    Column("melder_gewist_op", DateTime(timezone=True)),
    Index("meldingen_per_plan", "plan_id"),
    Index(
        "te_wissen_melders",
        "afgesloten_op",
        postgresql_where=text("melder_gewist_op IS NULL AND afgesloten_op IS NOT NULL"),
    ),
)

melding_personen = Table(
    "melding_personen",
    metadata,
    Column("melding_id", Uuid, ForeignKey("meldingen.melding_id", ondelete="CASCADE"), primary_key=True),
    Column("volgnummer", Integer, primary_key=True),
    Column("persoon_sleutel", String(64), nullable=False, index=True),
)

statushistorie = Table(
    "statushistorie",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("melding_id", Uuid, ForeignKey("meldingen.melding_id", ondelete="CASCADE"), nullable=False, index=True),
    Column("status", String(20), nullable=False),
    Column("route", String(40)),
    Column("tijdstip", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

outbox = outbox_tabel(metadata)
inbox = inbox_tabel(metadata)
verwerkingslog = verwerkingslog_tabel(metadata)
