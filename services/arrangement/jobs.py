"""Arrangement's periodic jobs: the termijnbewaking, doorzetten, and the `TAKEN` list the app registers.

Termijnbewaking: every open deadline that has passed gets one `termijn-verstreken`. Exactly once by
database state, whatever the number of replicas or restarts: a batch locks due rows with SKIP LOCKED, sets
`verstreken_op` and writes the events to the outbox in one transaction (repository.verstrijk_termijnen). A
replica that runs at the same moment skips the locked rows; after commit the rows no longer match. The
deadline itself stays open work (in the werkvoorraad, marked verstreken) until it is met or the plan closes.

Doorzetten: a deadline still open at its `escaleren_op` (set by the consumer of termijn-verstreken) escalates
once. Each one under its household's lock, like every change to a household: the deadline is marked in the
same transaction as the escalation, so a second replica, waiting on the lock, finds it done.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime

from services.arrangement import repository
from shared.events import TermijnVerstreken
from shared.levenscyclus import OngeldigeOvergang
from shared.metrics import Metrieken
from shared.service import Context, Taak

log = logging.getLogger(__name__)
BATCH = 200
# How often every replica looks for deadlines that passed. Deadlines are mostly whole days, but crisis
# ones are due the moment they arrive; the query is an index range scan on open, unannounced deadlines.
TERMIJNBEWAKING_INTERVAL_S = float(os.environ.get("TOEGANG_TERMIJNBEWAKING_INTERVAL_S", "10"))


async def bewaak_termijnen(ctx: Context, nu: datetime | None = None) -> int:
    """Returns how many termijnen were marked verstreken (and announced)."""
    nu = nu or datetime.now(UTC)
    totaal = 0
    while aantal := await _verstrijk_batch(ctx, nu):
        totaal += aantal
        if aantal < BATCH:
            break
    if totaal:
        log.info("termijnen verstreken", extra={"aantal": totaal})
    return totaal


async def _verstrijk_batch(ctx: Context, nu: datetime) -> int:
    async with ctx.uows() as uow:
        rijen = await repository.verstrijk_termijnen(uow, nu, BATCH)
        for r in rijen:
            data = TermijnVerstreken(
                huishouden_id=r.huishouden_id,
                bron_id=r.bron_id,
                termijn_grondslag=r.termijn_grondslag,
                termijn_tot=r.termijn_tot,
                plan_id=r.plan_id,
                team_id=r.team_id,
            )
            repository.publiceer(uow, data, r.gemeente, r.plan_id, r.huishouden_id, str(r.bron_id))
        await uow.commit()
    return len(rijen)


async def doorzetten(ctx: Context, nu: datetime | None = None) -> int:
    """Returns how many overdue deadlines escalated (a plan with a running escalation gets no second one)."""
    nu = nu or datetime.now(UTC)
    async with ctx.uows() as uow:
        kandidaten = await repository.te_escaleren(uow, nu, BATCH)
    aantal = 0
    for termijn_id, huishouden_id in kandidaten:
        aantal += await _escaleer(ctx, termijn_id, huishouden_id, nu)
    if aantal:
        log.info("termijnen geëscaleerd", extra={"aantal": aantal})
    return aantal


async def _escaleer(ctx: Context, termijn_id: int, huishouden_id: str, nu: datetime) -> int:
    async with ctx.uows() as uow:
        hp = await repository.laad_huishouden(uow, huishouden_id)  # the household's lock first, as every change
        termijn = await repository.neem_te_escaleren(uow, termijn_id, nu)
        if termijn is None or hp.plan is None or hp.plan.plan_id != termijn.plan_id:
            await uow.commit()  # done by another replica, or the plan changed meanwhile: the mark stays
            return 0
        gemeente = ctx.gemeenten[hp.plan.gemeente]
        lopend = await repository.laad_escalatie(uow, termijn.plan_id)
        try:
            hp.escaleer(
                "termijn_verstreken",
                gemeente,
                lopend,
                nu,
                "termijnbewaking",
                "termijnbewaking",
                termijn.termijn_grondslag,
            )
        except OngeldigeOvergang:  # one escalation already runs for this plan: it covers this deadline too
            await uow.commit()
            return 0
        await repository.sla_op(uow, hp)
        await uow.commit()
    return 1


def termijnmetingen(m: Metrieken):
    """Open and overdue deadlines per gemeente and grondslag, as gauges (the operator's early warning that
    deadlines are running out; alert TermijnenVerlopen)."""
    open_ = m.gauge("toegang_termijnen_open", "Open termijnen per gemeente en grondslag.", ["gemeente", "grondslag"])
    verlopen = m.gauge(
        "toegang_termijnen_verlopen", "Open termijnen waarvan de datum voorbij is.", ["gemeente", "grondslag"]
    )

    async def meet(ctx: Context) -> None:
        async with ctx.uows() as uow:
            rijen = await repository.open_termijnen_per_grondslag(uow, datetime.now(UTC))
        open_.clear()  # a grondslag without open deadlines drops out; no await until all are set again
        verlopen.clear()
        for r in rijen:
            open_.labels(r.gemeente, r.termijn_grondslag).set(r.open)
            verlopen.labels(r.gemeente, r.termijn_grondslag).set(r.verlopen)

    return meet


TAKEN = [
    Taak("termijnbewaking", TERMIJNBEWAKING_INTERVAL_S, bewaak_termijnen),
    Taak("doorzetten", TERMIJNBEWAKING_INTERVAL_S, doorzetten),
]
