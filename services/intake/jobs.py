"""Intake's periodic jobs: retention of the melder's contact details, forgetting closed plans, and the
transition of young people who turn 18.

Retention erases the melder's contact details a configured number of days after the melding closed.
Safe with several replicas at once (shared/bewaren.py); a wiped melding (melder_gewist_op set) is never
taken again.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, date, datetime

from sqlalchemy import delete, select, update

from services.intake import tables
from services.intake.domain import overgang_grens, zonder_melder_contact
from shared.bewaren import bewaartaak, per_gemeente
from shared.events import JongereWordtAchttien, maak_event
from shared.service import Context, Taak
from shared.termijnen import TZ
from shared.topology import inbox_bewaartermijn

log = logging.getLogger(__name__)
BATCH = 200


async def wis_melder_contactgegevens(ctx: Context, nu: datetime | None = None) -> int:
    """Returns how many meldingen had their melder's contact details erased."""
    moment = nu or datetime.now(UTC)
    totaal = await per_gemeente(
        ctx.gemeenten,
        moment,
        lambda g: g.bewaartermijnen.melder_contactgegevens_dagen,
        lambda code, grens: _wis_batch(ctx, code, grens, moment),
    )
    if totaal:
        log.info("contactgegevens van melders gewist", extra={"aantal": totaal})
    return totaal


async def _wis_batch(ctx: Context, gemeente: str, grens: datetime, nu: datetime) -> int:
    m, kluis = tables.meldingen, ctx.extra["kluis"]
    async with ctx.uows() as uow:
        rijen = (
            await uow.connection.execute(
                select(m.c.melding_id, m.c.persoonsgegevens)
                .where(m.c.gemeente == gemeente, m.c.afgesloten_op <= grens, m.c.melder_gewist_op.is_(None))
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            )
        ).all()
        for melding_id, versleuteld in rijen:
            gegevens = zonder_melder_contact(json.loads(kluis.ontsleutel(versleuteld)))
            await uow.connection.execute(
                update(m)
                .where(m.c.melding_id == melding_id)
                .values(persoonsgegevens=kluis.versleutel(json.dumps(gegevens)), melder_gewist_op=nu)
            )
        await uow.commit()
    return len(rijen)


async def vergeet_afgesloten_plannen(ctx: Context, nu: datetime | None = None) -> int:
    """A closed plan is kept (tables.afgesloten_plannen) only while a late doorverwijzing-aanvaard of it can
    still come: as long as intake's inbox keeps an event (decision 0014). Returns how many were forgotten."""
    grens = (nu or datetime.now(UTC)) - inbox_bewaartermijn("intake")
    a = tables.afgesloten_plannen
    async with ctx.uows() as uow:
        weg = await uow.connection.execute(delete(a).where(a.c.afgesloten_op < grens).returning(a.c.plan_id))
        aantal = len(weg.all())
        await uow.commit()
    return aantal


async def meld_achttien_jaar(ctx: Context, nu: datetime | None = None) -> int:
    """jongere-wordt-achttien for everyone who turns 18 within the gemeente's `jeugd.overgang_maanden_vooraf`
    months: once per person (the row is marked in the transaction that writes the event to the outbox; a
    replica running at the same moment skips the locked rows). Returns how many were announced."""
    vandaag = (nu or datetime.now(UTC)).astimezone(TZ).date()
    totaal = 0
    for code in ctx.gemeenten.codes:
        grens = overgang_grens(vandaag, ctx.gemeenten[code].jeugd.overgang_maanden_vooraf)
        while aantal := await _meld_batch(ctx, code, grens, nu or datetime.now(UTC)):
            totaal += aantal
    if totaal:
        log.info("overgang naar 18+ gemeld", extra={"aantal": totaal})
    return totaal


async def _meld_batch(ctx: Context, gemeente: str, grens: date, nu: datetime) -> int:
    a = tables.achttien_jaar
    async with ctx.uows() as uow:
        rijen = (
            await uow.connection.execute(
                select(a.c.persoon_sleutel, a.c.huishouden_id, a.c.achttien_in)
                .where(a.c.gemeente == gemeente, a.c.achttien_in <= grens, a.c.gepubliceerd_op.is_(None))
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            )
        ).all()
        for sleutel, huishouden_id, maand in rijen:
            data = JongereWordtAchttien(
                huishouden_id=huishouden_id, persoon_sleutel=sleutel, achttien_in=maand.strftime("%Y-%m")
            )
            uow.publiceer(
                maak_event(data, service="intake", gemeente=gemeente, subject=huishouden_id, correlatieid=sleutel)
            )
        if rijen:
            await uow.connection.execute(
                update(a).where(a.c.persoon_sleutel.in_([r[0] for r in rijen])).values(gepubliceerd_op=nu)
            )
        await uow.commit()
    return len(rijen)


# Daily would do (months ahead); hourly, so a new household is not kept waiting long.
OVERGANG_INTERVAL_S = float(os.environ.get("TOEGANG_OVERGANG_INTERVAL_S", 3600))

TAKEN = [
    Taak("overgang-18", OVERGANG_INTERVAL_S, meld_achttien_jaar),
    bewaartaak("bewaartermijn-melders", wis_melder_contactgegevens),
    bewaartaak("afgesloten-plannen-vergeten", vergeet_afgesloten_plannen),
]
