"""Triage's event handlers: route every melding and casus; keep the projection of known households.

Each runs inside the bus's apply-once transaction (shared/bus.py) and calls one use case.
"""

from __future__ import annotations

from services.triage import usecases
from shared.bundel import MetVooraf
from shared.bus import EventHandler
from shared.db import UnitOfWork
from shared.events import Data, Event, MeldingGeregistreerd, PlanAfgesloten, RegisseurToegewezen, SignaalDoorgezet
from shared.service import Context


def handlers(ctx: Context) -> dict[type[Data], EventHandler]:
    async def bij_melding(event: Event[MeldingGeregistreerd], uow: UnitOfWork) -> None:
        await usecases.route_melding(uow, ctx.gemeenten, event)

    async def bij_casus(event: Event[SignaalDoorgezet], uow: UnitOfWork) -> None:
        await usecases.route_casus(uow, ctx.gemeenten, event)

    async def bij_regisseur(event: Event[RegisseurToegewezen], uow: UnitOfWork) -> None:
        await usecases.regisseur_bekend(uow, event)

    async def bij_afsluiting(event: Event[PlanAfgesloten], uow: UnitOfWork) -> None:
        await usecases.plan_afgesloten(uow, event)

    async def regisseurs_vooraf(events: list[Event], uow: UnitOfWork) -> None:
        """A batch's households' regisseurs in one read, before its first handler (MetVooraf)."""
        await usecases.regisseurs_voorbereiden(uow, [e.data.huishouden_id for e in events])

    return {
        MeldingGeregistreerd: MetVooraf(bij_melding, regisseurs_vooraf),
        SignaalDoorgezet: MetVooraf(bij_casus, regisseurs_vooraf),
        RegisseurToegewezen: bij_regisseur,
        PlanAfgesloten: bij_afsluiting,
    }
