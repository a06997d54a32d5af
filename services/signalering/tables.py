"""Signalering's schema: signals (personal data encrypted), signaalcasussen per household."""

import sqlalchemy as sa

from services.signalering.domain import OPEN_STATUSSEN
from shared.db import contactpoging_kolommen, inbox_tabel, outbox_tabel

metadata = sa.MetaData(schema="signalering")
# Written out, not bound: only a literal predicate lets PostgreSQL use the partial index below.
CASUS_OPEN = sa.text("status IN (" + ", ".join(f"'{s}'" for s in OPEN_STATUSSEN) + ")")

casussen = sa.Table(
    "casussen",
    metadata,
    sa.Column("casus_id", sa.Uuid, primary_key=True),
    sa.Column("gemeente", sa.String(6), nullable=False),
    sa.Column("huishouden_id", sa.String(64), nullable=False),
    sa.Column("wijk", sa.String(64)),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("reden", sa.String(60), nullable=False),
    sa.Column("crisis", sa.Boolean, nullable=False),
    sa.Column("team_id", sa.String(100)),
    sa.Column("resultaat", sa.String(30)),
    sa.Column("geopend_op", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("afgesloten_op", sa.DateTime(timezone=True)),
    # One open casus per household: a second signal joins it.
    sa.Index("een_open_casus_per_huishouden", "huishouden_id", unique=True, postgresql_where=CASUS_OPEN),
)

signalen = sa.Table(
    "signalen",
    metadata,
    sa.Column("signaal_id", sa.Uuid, primary_key=True),
    sa.Column("partner_id", sa.String(100), nullable=False),
    sa.Column("partner_signaal_id", sa.String(100), nullable=False),
    sa.Column("gemeente", sa.String(6), nullable=False),
    sa.Column("soort", sa.String(40), nullable=False),
    sa.Column("huishouden_id", sa.String(64), nullable=False, index=True),
    sa.Column("persoon_sleutel", sa.String(64), index=True),
    sa.Column("bedrag_achterstand_cent", sa.Integer),
    sa.Column("achterstand_sinds", sa.Date),
    sa.Column("crisis", sa.Boolean, nullable=False),
    sa.Column("beoordeling", sa.String(30), nullable=False),
    sa.Column("casus_id", sa.Uuid, sa.ForeignKey("casussen.casus_id", ondelete="CASCADE"), index=True),
    sa.Column("persoonsgegevens", sa.LargeBinary, nullable=False),
    sa.Column("ontvangen_op", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("partner_id", "partner_signaal_id", name="partner_signaal_eenmaal"),
)

contactpogingen = sa.Table(
    "contactpogingen",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("casus_id", sa.Uuid, sa.ForeignKey("casussen.casus_id", ondelete="CASCADE"), nullable=False, index=True),
    *contactpoging_kolommen(),
)

outbox = outbox_tabel(metadata)
inbox = inbox_tabel(metadata)
