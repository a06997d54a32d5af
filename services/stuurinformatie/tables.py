"""Stuurinformatie's schema: the facts of the events it counts, and nothing it could not rebuild from the
streams. No personal data reaches this service; the pseudonymous keys stay here (to count households once
and to join a melding to its plan), and no id, key or household ever leaves it (decision 0022)."""

import sqlalchemy as sa

from shared.db import JsonB, inbox_tabel, outbox_tabel

metadata = sa.MetaData(schema="stuurinformatie")

# One row per event counted: its type, gemeente, the moment it counts at, the wijk where the event names
# it, the household key, the id it joins on (melding, aanvraag, bron), and its data as the event had it.
feiten = sa.Table(
    "feiten",
    metadata,
    sa.Column("event_id", sa.Uuid, primary_key=True),
    sa.Column("soort", sa.String(40), nullable=False),
    sa.Column("gemeente", sa.String(6), nullable=False),
    sa.Column("moment", sa.DateTime(timezone=True), nullable=False),
    sa.Column("wijk", sa.String(64)),
    sa.Column("huishouden_id", sa.String(64)),
    sa.Column("sleutel", sa.Uuid),
    sa.Column("data", JsonB, nullable=False),
    sa.Index("feiten_per_soort", "gemeente", "soort", "moment"),
    sa.Index("feiten_per_sleutel", "sleutel", "soort"),
    # The wijk of a fact without one: its household's, from a fact that named it (usecases.WIJK_VAN_HUISHOUDEN).
    sa.Index("wijk_per_huishouden", "huishouden_id", postgresql_where=sa.text("wijk IS NOT NULL")),
)

inbox = inbox_tabel(metadata)
# It publishes nothing; the outbox is there because every service's unit of work has one (shared/db.py).
outbox = outbox_tabel(metadata)
