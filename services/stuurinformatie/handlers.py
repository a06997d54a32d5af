"""Stuurinformatie's handler table: every event it consumes becomes one fact (usecases.bewaar_feit)."""

from __future__ import annotations

from services.stuurinformatie import usecases
from services.stuurinformatie.feiten import VAN_EVENT
from shared.bus import EventHandler
from shared.db import UnitOfWork
from shared.events import Data, Event
from shared.service import Context


async def bij_event(event: Event, uow: UnitOfWork) -> None:
    await usecases.bewaar_feit(uow, event)


def handlers(ctx: Context) -> dict[type[Data], EventHandler]:
    return dict.fromkeys(VAN_EVENT, bij_event)
