"""Arrangement's handler table: every doorverwijzing lands in the household's one plan
(usecases.doorverwijzing_ontvangen); a member about to turn 18 gives the plan its transition deadline; an
overdue deadline starts the doorzettingsmacht clock; a melding tells who belongs to which household (Mijn
toegang)."""

from __future__ import annotations

from services.arrangement import usecases
from shared.bundel import MetVooraf
from shared.bus import EventHandler
from shared.db import UnitOfWork
from shared.events import (
    Data,
    DoorverwijzingGedaan,
    Event,
    JongereWordtAchttien,
    MeldingGeregistreerd,
    TermijnVerstreken,
)
from shared.service import Context


def handlers(ctx: Context) -> dict[type[Data], EventHandler]:
    async def bij_doorverwijzing(event: Event[DoorverwijzingGedaan], uow: UnitOfWork) -> None:
        await usecases.doorverwijzing_ontvangen(uow, ctx.gemeenten, event)

    async def voor_doorverwijzingen(events: list[Event[DoorverwijzingGedaan]], uow: UnitOfWork) -> None:
        await usecases.doorverwijzingen_voorbereiden(uow, events)

    async def bij_achttien(event: Event[JongereWordtAchttien], uow: UnitOfWork) -> None:
        await usecases.overgang_starten(uow, event)

    async def bij_verstreken(event: Event[TermijnVerstreken], uow: UnitOfWork) -> None:
        await usecases.termijn_verstreken(uow, ctx.gemeenten, event)

    async def bij_melding(event: Event[MeldingGeregistreerd], uow: UnitOfWork) -> None:
        await usecases.lid_geworden(uow, event)

    return {
        MeldingGeregistreerd: bij_melding,
        DoorverwijzingGedaan: MetVooraf(bij_doorverwijzing, voor_doorverwijzingen),
        JongereWordtAchttien: bij_achttien,
        TermijnVerstreken: bij_verstreken,
    }
