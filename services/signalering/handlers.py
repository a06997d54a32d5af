"""Signalering's handler: a casus is picked up when arrangement took its doorverwijzing in."""

from __future__ import annotations

from sqlalchemy import update

from services.signalering import tables
from shared.db import UnitOfWork
from shared.events import DoorverwijzingAanvaard, Event
from shared.service import Context


async def bij_aanvaarding(event: Event[DoorverwijzingAanvaard], uow: UnitOfWork) -> None:
    d = event.data
    if d.bron_soort != "signaalcasus":
        return
    c = tables.casussen
    await uow.session.execute(update(c).where(c.c.casus_id == d.bron_id, c.c.status.in_(["open", "doorgezet"]))
                              .values(status="opgepakt", team_id=d.team_id))


def handlers(ctx: Context) -> dict:
    return {"signalering-aanvaardingen": bij_aanvaarding}
