"""Signalering, wired: `toegang service signalering` runs `app()` under uvicorn."""

import os

from services.signalering import api, bewaren, handlers, tables
from shared.events import SignaalAfgehandeld, SignaalDoorgezet, SignaalOntvangen
from shared.service import ServiceDefinitie, Taak, bouw_app, houdt_persoonsgegevens

DEFINITIE = ServiceDefinitie(
    naam="signalering",
    poort=8004,
    metadata=tables.metadata,
    outbox=tables.outbox,
    inbox=tables.inbox,
    routers=[api.router],
    handlers=handlers.handlers,
    berichten=handlers.berichten,
    publiceert=[SignaalOntvangen, SignaalDoorgezet, SignaalAfgehandeld],
    omschrijving="Signalen van partners: ontdubbelen, drempels, matching per huishouden, terugkoppeling.",
    bij_start=houdt_persoonsgegevens,
    taken=[
        Taak(
            "bewaartermijn-casussen",
            float(os.environ.get("TOEGANG_BEWAAR_INTERVAL_S", 3600)),
            bewaren.verwijder_casussen_zonder_resultaat,
        )
    ],
)


def app():
    return bouw_app(DEFINITIE)
