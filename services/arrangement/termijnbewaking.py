"""Termijnbewaking: every open deadline that has passed gets one `termijn-verstreken`.

Exactly once by database state, whatever the number of replicas or restarts: a batch locks due rows with
SKIP LOCKED, sets `verstreken_op` and writes the events to the outbox in one transaction. A replica that
runs at the same moment skips the locked rows; after commit the rows no longer match. The deadline itself
stays open work (in the werkvoorraad, marked verstreken) until it is met or the plan closes.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import select, update

from services.arrangement import tables
from shared.events import TermijnVerstreken, maak_event
from shared.service import Context

log = logging.getLogger(__name__)
BATCH = 200


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
    t = tables.termijnen
    async with ctx.uows() as uow:
        rijen = (
            await uow.session.execute(
                select(t)
                .where(t.c.status == "open", t.c.verstreken_op.is_(None), t.c.termijn_tot <= nu)
                .order_by(t.c.termijn_tot)
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            )
        ).all()
        if not rijen:
            return 0
        await uow.session.execute(update(t).where(t.c.id.in_([r.id for r in rijen])).values(verstreken_op=nu))
        for r in rijen:
            data = TermijnVerstreken(
                huishouden_id=r.huishouden_id,
                bron_id=r.bron_id,
                termijn_grondslag=r.termijn_grondslag,
                termijn_tot=r.termijn_tot,
                plan_id=r.plan_id,
                team_id=r.team_id,
            )
            uow.publiceer(
                maak_event(
                    data,
                    service="arrangement",
                    gemeente=r.gemeente,
                    subject=str(r.plan_id),
                    correlatieid=str(r.bron_id),
                    dataref=f"/v1/huishoudens/{r.huishouden_id}",
                )
            )
        await uow.commit()
    return len(rijen)
