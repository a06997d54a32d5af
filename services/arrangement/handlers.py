"""Arrangement's handler table: every doorverwijzing lands in the household's one plan
(usecases.doorverwijzing_ontvangen)."""

from __future__ import annotations

from services.arrangement import usecases
from shared.bus import EventHandler
from shared.db import UnitOfWork
from shared.events import Data, DoorverwijzingGedaan, Event
from shared.service import Context


def handlers(ctx: Context) -> dict[type[Data], EventHandler]:
    async def bij_doorverwijzing(event: Event[DoorverwijzingGedaan], uow: UnitOfWork) -> None:
        await usecases.doorverwijzing_ontvangen(uow, ctx.gemeenten, event)

    return {DoorverwijzingGedaan: bij_doorverwijzing}
