"""Signalering, wired: `toegang service signalering` runs `app()` under uvicorn."""

from services.signalering import api, handlers, jobs, tables
from shared.events import CasusAfgesloten, SignaalAfgehandeld, SignaalDoorgezet, SignaalOntvangen
from shared.service import ServiceDefinitie, bouw_app, houdt_persoonsgegevens

DEFINITIE = ServiceDefinitie(
    naam="signalering",
    poort=8004,
    metadata=tables.metadata,
    outbox=tables.outbox,
    inbox=tables.inbox,
    routers=[api.router],
    handlers=handlers.handlers,
    berichten=handlers.berichten,
    publiceert=[SignaalOntvangen, SignaalDoorgezet, SignaalAfgehandeld, CasusAfgesloten],
    omschrijving="Signalen van partners: ontdubbelen, drempels, matching per huishouden, terugkoppeling.",
    bij_start=houdt_persoonsgegevens,
    taken=jobs.TAKEN,
)


def app():
    return bouw_app(DEFINITIE)
