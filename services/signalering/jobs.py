"""Signalering's periodic jobs: retention. A casus that led to nothing is purged, with its signals,
after the gemeente's period.

Safe with several replicas at once (shared/bewaren.py).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import delete, or_, select

from services.signalering import tables
from services.signalering.domain import ZONDER_RESULTAAT, CasusStatus
from shared.bewaren import bewaartaak, per_gemeente
from shared.service import Context

log = logging.getLogger(__name__)
BATCH = 500


async def verwijder_casussen_zonder_resultaat(ctx: Context, nu: datetime | None = None) -> int:
    totaal = await per_gemeente(
        ctx.gemeenten,
        nu or datetime.now(UTC),
        lambda g: g.signalering.bewaartermijn_zonder_resultaat_dagen,
        lambda code, grens: _verwijder_batch(ctx, code, grens),
    )
    if totaal:
        log.info("casussen zonder resultaat verwijderd", extra={"aantal": totaal})
    return totaal


async def _verwijder_batch(ctx: Context, gemeente: str, grens: datetime) -> int:
    c, s = tables.casussen, tables.signalen
    zonder = [r for r in ZONDER_RESULTAAT if r is not None]
    async with ctx.uows() as uow:
        ids = (
            (
                await uow.connection.execute(
                    select(c.c.casus_id)
                    .where(
                        c.c.gemeente == gemeente,
                        c.c.status == CasusStatus.afgesloten.value,
                        or_(c.c.resultaat.is_(None), c.c.resultaat.in_(zonder)),
                        c.c.afgesloten_op <= grens,
                    )
                    .limit(BATCH)
                    .with_for_update(skip_locked=True)
                )
            )
            .scalars()
            .all()
        )
        if ids:
            await uow.connection.execute(delete(s).where(s.c.casus_id.in_(ids)))
            await uow.connection.execute(delete(c).where(c.c.casus_id.in_(ids)))
        await uow.commit()
    return len(ids)


TAKEN = [bewaartaak("bewaartermijn-casussen", verwijder_casussen_zonder_resultaat)]
