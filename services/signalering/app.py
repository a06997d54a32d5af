"""Signalering, wired: `toegang service signalering` runs `app()` under uvicorn."""

from shared.events import SignaalAfgehandeld, SignaalDoorgezet, SignaalOntvangen
from shared.service import ServiceDefinitie, bouw_app, houdt_persoonsgegevens

from services.signalering import api, handlers, tables


DEFINITIE = ServiceDefinitie(
    naam="signalering",
    poort=8004,
    metadata=tables.metadata,
    outbox=tables.outbox,
    inbox=tables.inbox,
    routers=[api.router],
    handlers=handlers.handlers,
    publiceert=[SignaalOntvangen, SignaalDoorgezet, SignaalAfgehandeld],
    omschrijving="Signalen van partners: ontdubbelen, drempels, matching per huishouden, terugkoppeling.",
    bij_start=houdt_persoonsgegevens,
)


def app():
    return bouw_app(DEFINITIE)
