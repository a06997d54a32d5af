"""Triage, wired: `toegang service triage` runs `app()` under uvicorn."""

from services.triage import api, handlers, jobs, tables
from shared.events import DoorverwijzingGedaan
from shared.service import ServiceDefinitie, bouw_app

DEFINITIE = ServiceDefinitie(
    naam="triage",
    poort=8002,
    metadata=tables.metadata,
    outbox=tables.outbox,
    inbox=tables.inbox,
    routers=[api.router],
    handlers=handlers.handlers,
    publiceert=[DoorverwijzingGedaan],
    omschrijving="Routering per gemeente: welk team, hoe urgent, wanneer, en waarom.",
    taken=jobs.TAKEN,
)


def app():
    return bouw_app(DEFINITIE)
