"""Intake, wired: `toegang service intake` runs `app()` under uvicorn."""

from shared.events import MeldingGeregistreerd, MeldingOpgepakt
from shared.service import ServiceDefinitie, bouw_app, houdt_persoonsgegevens

from services.intake import api, handlers, tables


DEFINITIE = ServiceDefinitie(
    naam="intake",
    poort=8001,
    metadata=tables.metadata,
    outbox=tables.outbox,
    inbox=tables.inbox,
    routers=[api.router],
    handlers=handlers.handlers,
    publiceert=[MeldingGeregistreerd, MeldingOpgepakt],
    omschrijving="Meldingen uit elk kanaal: valideren, pseudonimiseren, terugkoppelen aan de melder.",
    bij_start=houdt_persoonsgegevens,
)


def app():
    return bouw_app(DEFINITIE)
