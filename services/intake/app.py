"""Intake, wired: `toegang service intake` runs `app()` under uvicorn."""

from services.intake import api, handlers, jobs, tables
from shared.events import (
    JongereWordtAchttien,
    LichtContactGeregistreerd,
    LichtContactOmgezet,
    MeldingGeregistreerd,
    MeldingOpgepakt,
)
from shared.service import ServiceDefinitie, bouw_app, houdt_persoonsgegevens
from shared.verwerkingslog import verwerkingslog_router

DEFINITIE = ServiceDefinitie(
    naam="intake",
    poort=8001,
    metadata=tables.metadata,
    outbox=tables.outbox,
    inbox=tables.inbox,
    routers=[api.router, api.contacten, api.kaart, api.mijn, verwerkingslog_router(tables.verwerkingslog)],
    handlers=handlers.handlers,
    publiceert=[
        MeldingGeregistreerd,
        MeldingOpgepakt,
        LichtContactGeregistreerd,
        LichtContactOmgezet,
        JongereWordtAchttien,
    ],
    omschrijving="Meldingen uit elk kanaal: valideren, pseudonimiseren, terugkoppelen aan de melder.",
    bij_start=houdt_persoonsgegevens,
    taken=jobs.TAKEN,
)


def app():
    return bouw_app(DEFINITIE)
