"""Arrangement, wired: `toegang service arrangement` runs `app()` under uvicorn."""

import os

from services.arrangement import api, handlers, tables, termijnbewaking
from shared.events import (
    BeschikkingAfgegeven,
    DoorverwijzingAanvaard,
    DoorverwijzingGedaan,
    PlanAfgesloten,
    PlanOpgesteld,
    RegisseurToegewezen,
    TermijnVerstreken,
)
from shared.service import ServiceDefinitie, Taak, bouw_app
from shared.verwerkingslog import verwerkingslog_router

# How often every replica looks for deadlines that passed. Deadlines are mostly whole days, but crisis
# ones are due the moment they arrive; the query is an index range scan on open, unannounced deadlines.
TERMIJNBEWAKING_INTERVAL_S = float(os.environ.get("TOEGANG_TERMIJNBEWAKING_INTERVAL_S", "10"))

DEFINITIE = ServiceDefinitie(
    naam="arrangement",
    poort=8003,
    metadata=tables.metadata,
    outbox=tables.outbox,
    inbox=tables.inbox,
    routers=[api.router, verwerkingslog_router(tables.verwerkingslog)],
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
    ],
    omschrijving="Eén huishouden, één plan, één regisseur: arrangement, beschikkingen, termijnen.",
    taken=[Taak("termijnbewaking", TERMIJNBEWAKING_INTERVAL_S, termijnbewaking.bewaak_termijnen)],
)


def app():
    return bouw_app(DEFINITIE)
