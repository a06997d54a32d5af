"""Intake's event handlers: the melding's status follows triage and arrangement.

Each runs inside the bus's apply-once transaction (shared/bus.py) and calls one use case.
"""

from __future__ import annotations

from services.intake import usecases
from shared.bundel import MetVooraf
from shared.bus import EventHandler
from shared.db import UnitOfWork
from shared.events import Data, DoorverwijzingAanvaard, DoorverwijzingGedaan, Event, PlanAfgesloten
from shared.service import Context


async def doorverwijzing(event: Event[DoorverwijzingGedaan], uow: UnitOfWork) -> None:
    await usecases.doorverwezen(uow, event)


async def meldingen_vooraf(events: list[Event], uow: UnitOfWork) -> None:
    """A batch's meldingen read and locked together, before its first handler (shared/bundel.py, MetVooraf)."""
    await usecases.meldingen_voorbereiden(uow, events)


bij_doorverwijzing = MetVooraf(doorverwijzing, meldingen_vooraf)


def bij_aanvaarding(ctx: Context) -> EventHandler:
    async def aanvaard(event: Event[DoorverwijzingAanvaard], uow: UnitOfWork) -> None:
        if (seconden := await usecases.opgepakt(uow, event)) is not None and ctx.metrieken is not None:
            # Before the commit: a commit that fails and is retried counts twice, rare enough for a figure.
            ctx.metrieken.keten_van("melding_tot_plan", seconden)

    async def aanvaardingen_vooraf(events: list[Event], uow: UnitOfWork) -> None:
        await usecases.aanvaardingen_voorbereiden(uow, events)

    return MetVooraf(aanvaard, aanvaardingen_vooraf, usecases.aanvaardingen_afronden)


async def bij_afsluiting(event: Event[PlanAfgesloten], uow: UnitOfWork) -> None:
    await usecases.afgesloten(uow, event)


def handlers(ctx: Context) -> dict[type[Data], EventHandler]:
    return {
        DoorverwijzingGedaan: bij_doorverwijzing,
        DoorverwijzingAanvaard: bij_aanvaarding(ctx),
        PlanAfgesloten: bij_afsluiting,
    }
