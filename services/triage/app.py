"""Triage, wired: `toegang service triage` runs `app()` under uvicorn."""

from services.triage import api, handlers, projectie, tables
from shared.events import DoorverwijzingGedaan
from shared.service import Context, ServiceDefinitie, Taak, bouw_app


async def herbouw_projectie(ctx: Context) -> None:
    await projectie.herbouw_als_leeg(ctx, handlers.handlers(ctx))


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
    # At start-up and then every 5 minutes: an empty projection is rebuilt from the stream.
    taken=[Taak("projectie-herbouw", 300.0, herbouw_projectie)],
)


def app():
    return bouw_app(DEFINITIE)
