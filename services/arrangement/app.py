"""Arrangement, wired: `toegang service arrangement` runs `app()` under uvicorn."""

from services.arrangement import api, handlers, jobs, tables
from shared.events import (
    AanvraagGeregistreerd,
    BeschikkingAfgegeven,
    BezwaarBeslist,
    BezwaarGeregistreerd,
    DoorverwijzingAanvaard,
    DoorverwijzingGedaan,
    EscalatieBehandeld,
    EscalatieIngediend,
    KlachtAfgehandeld,
    KlachtGeregistreerd,
    PlanAfgesloten,
    PlanOpgesteld,
    RegisseurToegewezen,
    TermijnVerstreken,
)
from shared.service import ServiceDefinitie, bouw_app
from shared.verwerkingslog import verwerkingslog_router

DEFINITIE = ServiceDefinitie(
    naam="arrangement",
    poort=8003,
    metadata=tables.metadata,
    outbox=tables.outbox,
    inbox=tables.inbox,
    routers=[api.router, api.mijn, verwerkingslog_router(tables.verwerkingslog)],
    handlers=handlers.handlers,
    # DoorverwijzingGedaan: a warm handover from the plan to a provider (bron_soort "plan").
    publiceert=[
        RegisseurToegewezen,
        PlanOpgesteld,
        BeschikkingAfgegeven,
        TermijnVerstreken,
        DoorverwijzingAanvaard,
        PlanAfgesloten,
        DoorverwijzingGedaan,
        BezwaarGeregistreerd,
        BezwaarBeslist,
        KlachtGeregistreerd,
        KlachtAfgehandeld,
        EscalatieIngediend,
        EscalatieBehandeld,
        AanvraagGeregistreerd,
    ],
    omschrijving="Eén huishouden, één plan, één regisseur: arrangement, beschikkingen, termijnen.",
    taken=jobs.TAKEN,
    metingen=jobs.termijnmetingen,
)


def app():
    return bouw_app(DEFINITIE)
