"""Intake's event handlers: the melding's status follows triage and arrangement.

Each runs inside the bus's apply-once transaction (shared/bus.py) and calls one use case.
"""

from __future__ import annotations

from services.intake import usecases
from shared.bus import EventHandler
from shared.db import UnitOfWork
from shared.events import Data, DoorverwijzingAanvaard, DoorverwijzingGedaan, Event, PlanAfgesloten
from shared.service import Context


async def bij_doorverwijzing(event: Event[DoorverwijzingGedaan], uow: UnitOfWork) -> None:
    await usecases.doorverwezen(uow, event)


async def bij_aanvaarding(event: Event[DoorverwijzingAanvaard], uow: UnitOfWork) -> None:
    await usecases.opgepakt(uow, event)


async def bij_afsluiting(event: Event[PlanAfgesloten], uow: UnitOfWork) -> None:
    await usecases.afgesloten(uow, event)


def handlers(ctx: Context) -> dict[type[Data], EventHandler]:
    return {
        DoorverwijzingGedaan: bij_doorverwijzing,
        DoorverwijzingAanvaard: bij_aanvaarding,
        PlanAfgesloten: bij_afsluiting,
    }
