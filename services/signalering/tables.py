"""Signalering's schema: signals (personal data encrypted), signaalcasussen per household."""

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    Uuid,
    func,
    text,
)

from services.signalering.domain import OPEN_STATUSSEN
from shared.db import inbox_tabel, outbox_tabel

metadata = MetaData(schema="signalering")
# Written out, not bound: only a literal predicate lets PostgreSQL use the partial index below.
CASUS_OPEN = text("status IN (" + ", ".join(f"'{s}'" for s in OPEN_STATUSSEN) + ")")

casussen = Table(
    "casussen",
    metadata,
    Column("casus_id", Uuid, primary_key=True),
    Column("gemeente", String(6), nullable=False),
    Column("huishouden_id", String(64), nullable=False),
    Column("wijk", String(64)),
    Column("status", String(20), nullable=False),
    Column("reden", String(60), nullable=False),
    Column("crisis", Boolean, nullable=False),
    Column("team_id", String(100)),
    Column("resultaat", String(30)),
    Column("geopend_op", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("afgesloten_op", DateTime(timezone=True)),
    # One open casus per household: a second signal joins it.
    Index("een_open_casus_per_huishouden", "huishouden_id", unique=True, postgresql_where=CASUS_OPEN),
)

signalen = Table(
    "signalen",
    metadata,
    Column("signaal_id", Uuid, primary_key=True),
    Column("partner_id", String(100), nullable=False),
    Column("partner_signaal_id", String(100), nullable=False),
    Column("gemeente", String(6), nullable=False),
    Column("soort", String(40), nullable=False),
    Column("huishouden_id", String(64), nullable=False, index=True),
    Column("persoon_sleutel", String(64), index=True),
    Column("bedrag_achterstand_cent", Integer),
    Column("achterstand_sinds", Date),
    Column("crisis", Boolean, nullable=False),
    Column("beoordeling", String(30), nullable=False),
    Column("casus_id", Uuid, ForeignKey("casussen.casus_id", ondelete="CASCADE"), index=True),
    Column("persoonsgegevens", LargeBinary, nullable=False),
    Column("ontvangen_op", DateTime(timezone=True), nullable=False),
    UniqueConstraint("partner_id", "partner_signaal_id", name="partner_signaal_eenmaal"),
)

contactpogingen = Table(
    "contactpogingen",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("casus_id", Uuid, ForeignKey("casussen.casus_id", ondelete="CASCADE"), nullable=False, index=True),
    Column("soort", String(20), nullable=False),
    Column("bereikt", Boolean, nullable=False),
    Column("datum", Date, nullable=False),
    Column("dagdeel", String(10), nullable=False),
    Column("door", String(200), nullable=False),
)

outbox = outbox_tabel(metadata)
inbox = inbox_tabel(metadata)
