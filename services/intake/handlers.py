"""Intake's event handlers: the melding's status follows triage and arrangement.

Each handler runs inside the bus's apply-once transaction (shared/bus.py): it changes rows and
publishes through `uow`, nothing else.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from services.intake import tables
from services.intake.domain import Status, mag_naar
from shared.db import UnitOfWork
from shared.events import (
    DoorverwijzingAanvaard,
    DoorverwijzingGedaan,
    Event,
    MeldingOpgepakt,
    PlanAfgesloten,
    maak_event,
)
from shared.service import Context


async def _ga_naar(uow: UnitOfWork, melding_id, nieuw: Status, tijdstip: datetime, **velden):
    """Move the melding to `nieuw` if the transition table allows it; returns the row, or None."""
    m = tables.meldingen
    rij = (await uow.session.execute(select(m).where(m.c.melding_id == melding_id).with_for_update())).first()
    if rij is None or not mag_naar(Status(rij.status), nieuw):
        return None
    await uow.session.execute(update(m).where(m.c.melding_id == melding_id).values(status=nieuw, **velden))
    await uow.session.execute(
        tables.statushistorie.insert().values(
            melding_id=melding_id, status=nieuw, route=velden.get("route") or rij.route, tijdstip=tijdstip
        )
    )
    return rij


async def bij_doorverwijzing(event: Event[DoorverwijzingGedaan], uow: UnitOfWork) -> None:
    d = event.data
    if d.bron_soort == "melding":
        await _ga_naar(uow, d.bron_id, Status.doorverwezen, event.time, team_id=d.team_id, route=d.route)


async def bij_aanvaarding(event: Event[DoorverwijzingAanvaard], uow: UnitOfWork) -> None:
    d = event.data
    if d.bron_soort != "melding":
        return
    rij = await _ga_naar(uow, d.bron_id, Status.opgepakt, d.aanvaard_op, team_id=d.team_id, plan_id=d.plan_id)
    if rij is None:  # unknown melding, or already picked up: melding-opgepakt is published once
        return
    opgepakt = MeldingOpgepakt(melding_id=d.bron_id, opgepakt_op=d.aanvaard_op, team_id=d.team_id)
    uow.publiceer(
        maak_event(
            opgepakt, service="intake", gemeente=event.gemeente, subject=str(d.bron_id), correlatieid=event.correlatieid
        )
    )


async def bij_afsluiting(event: Event[PlanAfgesloten], uow: UnitOfWork) -> None:
    """The plan closed: the meldingen it took in close with it; their retention period starts. A melding
    of the same household that is still on its way to a (new) plan stays open."""
    d, m = event.data, tables.meldingen
    open_ids = (
        (
            await uow.session.execute(
                select(m.c.melding_id).where(m.c.plan_id == d.plan_id, m.c.status == Status.opgepakt)
            )
        )
        .scalars()
        .all()
    )
    for melding_id in open_ids:
        await _ga_naar(uow, melding_id, Status.afgesloten, d.afgesloten_op, afgesloten_op=d.afgesloten_op)


def handlers(ctx: Context) -> dict:
    return {
        DoorverwijzingGedaan: bij_doorverwijzing,
        DoorverwijzingAanvaard: bij_aanvaarding,
        PlanAfgesloten: bij_afsluiting,
    }
