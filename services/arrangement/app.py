"""Arrangement, wired: `toegang service arrangement` runs `app()` under uvicorn."""

from shared.events import DoorverwijzingAanvaard, PlanAfgesloten, PlanOpgesteld, RegisseurToegewezen
from shared.service import ServiceDefinitie, bouw_app

from services.arrangement import api, handlers, tables

DEFINITIE = ServiceDefinitie(
    naam="arrangement",
    poort=8003,
    metadata=tables.metadata,
    outbox=tables.outbox,
    inbox=tables.inbox,
    routers=[api.router],
    handlers=handlers.handlers,
    publiceert=[RegisseurToegewezen, PlanOpgesteld, DoorverwijzingAanvaard, PlanAfgesloten],
    omschrijving="Eén huishouden, één plan, één regisseur: arrangement, beschikkingen, termijnen.",
)


def app():
    return bouw_app(DEFINITIE)
