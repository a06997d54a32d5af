"""Stuurinformatie, wired: `toegang service stuurinformatie` runs `app()` under uvicorn."""

from services.stuurinformatie import api, handlers, herbouw, tables
from shared.service import ServiceDefinitie, bouw_app

DEFINITIE = ServiceDefinitie(
    naam="stuurinformatie",
    poort=8005,
    metadata=tables.metadata,
    outbox=tables.outbox,
    inbox=tables.inbox,
    routers=[api.router],
    handlers=handlers.handlers,
    publiceert=[],
    omschrijving="Stuurinformatie: indicatoren per gemeente, periode en wijk, uit de events alleen.",
    voor_consumers=herbouw.herbouw_als_leeg,
)


def app():
    return bouw_app(DEFINITIE)
