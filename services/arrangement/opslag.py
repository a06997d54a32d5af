"""What the handlers, the routes and the termijnbewaking share: loading a plan under the household's lock,
writing deadlines and timeline entries, and publishing with the plan as the event's subject.

Every write here runs inside the caller's unit of work; nothing commits on its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, text, update

from services.arrangement import domain, tables
from shared.db import UnitOfWork
from shared.events import Data, Regisseur, maak_event


async def vergrendel_huishouden(uow: UnitOfWork, huishouden_id: str) -> None:
    """Everything that changes a household's plan runs one at a time, across replicas too: doorverwijzingen,
    handovers, versions, closing. The unique index stays as the last line of defence."""
    await uow.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:h))"), {"h": huishouden_id})


def als_plan(rij) -> domain.Plan:
    return domain.Plan(
        rij.plan_id,
        rij.huishouden_id,
        rij.versie,
        Regisseur.model_validate(rij.regisseur),
        rij.evaluatie_op,
        rij.wijk,
        rij.status,
    )


async def actief_plan(uow: UnitOfWork, huishouden_id: str) -> domain.Plan | None:
    p = tables.plannen
    rij = (
        await uow.session.execute(select(p).where(p.c.huishouden_id == huishouden_id, p.c.status == "actief"))
    ).first()
    return als_plan(rij) if rij is not None else None


async def voeg_termijnen_toe(
    uow: UnitOfWork, gemeente: str, plan: domain.Plan, termijnen: Iterable[domain.NieuweTermijn]
) -> None:
    rijen = [
        {
            "huishouden_id": plan.huishouden_id,
            "plan_id": plan.plan_id,
            "gemeente": gemeente,
            "soort": t.soort,
            "bron_id": t.bron_id,
            "team_id": t.team_id,
            "medewerker_id": t.medewerker_id,
            "termijn_grondslag": t.termijn_grondslag,
            "termijn_tot": t.termijn_tot,
            "bij_lopend_plan": t.bij_lopend_plan,
        }
        for t in termijnen
    ]
    if rijen:
        await uow.session.execute(tables.termijnen.insert(), rijen)


async def sluit_termijnen(
    uow: UnitOfWork,
    plan_id: uuid.UUID,
    soorten: Iterable[str],
    nu: datetime,
    status: str = "gehaald",
    bron_id: uuid.UUID | None = None,
) -> int:
    """Close the plan's open termijnen of these kinds (met, or replaced); returns how many."""
    t = tables.termijnen
    voorwaarde = [t.c.plan_id == plan_id, t.c.status == "open", t.c.soort.in_(list(soorten))]
    if bron_id is not None:
        voorwaarde.append(t.c.bron_id == bron_id)
    resultaat = await uow.session.execute(update(t).where(*voorwaarde).values(status=status, gesloten_op=nu))
    return resultaat.rowcount


async def op_tijdlijn(
    uow: UnitOfWork,
    plan: domain.Plan,
    soort: str,
    details: dict,
    bron_id: uuid.UUID | None = None,
    bron_soort: str | None = None,
    doorverwijzing_id: uuid.UUID | None = None,
) -> None:
    await uow.session.execute(
        tables.tijdlijn.insert().values(
            huishouden_id=plan.huishouden_id,
            plan_id=plan.plan_id,
            soort=soort,
            bron_id=bron_id,
            bron_soort=bron_soort,
            details=details,
            doorverwijzing_id=doorverwijzing_id,
        )
    )


def publiceer(uow: UnitOfWork, data: Data, gemeente: str, plan: domain.Plan, correlatieid: str) -> None:
    uow.publiceer(
        maak_event(
            data,
            service="arrangement",
            gemeente=gemeente,
            subject=str(plan.plan_id),
            correlatieid=correlatieid,
            dataref=f"/v1/huishoudens/{plan.huishouden_id}",
        )
    )


async def draag_termijnen_over(uow: UnitOfWork, plan_id: uuid.UUID, regisseur: Regisseur) -> None:
    """The regisseur's open work moves with the regie (domain.TERMIJNEN_VAN_REGISSEUR)."""
    t = tables.termijnen
    await uow.session.execute(
        update(t)
        .where(t.c.plan_id == plan_id, t.c.status == "open", t.c.soort.in_(domain.TERMIJNEN_VAN_REGISSEUR))
        .values(team_id=regisseur.team_id, medewerker_id=regisseur.medewerker_id)
    )
