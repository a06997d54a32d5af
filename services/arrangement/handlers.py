"""Arrangement's handler: every doorverwijzing lands in the household's one plan."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select, text

from services.arrangement import domain, tables
from shared.db import UnitOfWork
from shared.events import (DoorverwijzingAanvaard, DoorverwijzingGedaan, Event, PlanOpgesteld, RegisseurToegewezen,
                           Regisseur, maak_event)
from shared.service import Context


async def actief_plan(uow: UnitOfWork, huishouden_id: str) -> domain.Plan | None:
    p = tables.plannen
    rij = (await uow.session.execute(
        select(p).where(p.c.huishouden_id == huishouden_id, p.c.status == "actief"))).first()
    if rij is None:
        return None
    return domain.Plan(rij.plan_id, rij.huishouden_id, rij.versie, Regisseur.model_validate(rij.regisseur),
                       rij.evaluatie_op)


async def _sluit_huishouden_af(uow: UnitOfWork, huishouden_id: str) -> None:
    # Doorverwijzingen for one household are handled one at a time, across replicas too; the unique
    # index stays as the last line of defence.
    await uow.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:h))"), {"h": huishouden_id})


async def bij_doorverwijzing(event: Event[DoorverwijzingGedaan], uow: UnitOfWork) -> None:
    d = event.data
    await _sluit_huishouden_af(uow, d.huishouden_id)
    nu = datetime.now(timezone.utc)
    uitkomst = domain.neem_aan(d, await actief_plan(uow, d.huishouden_id), nu)
    plan = uitkomst.plan
    publiceer = _publiceerder(uow, event, plan)
    if isinstance(uitkomst, domain.NieuwPlan):
        await _sla_nieuw_plan_op(uow, event.gemeente, plan)
        publiceer(RegisseurToegewezen(plan_id=plan.plan_id, huishouden_id=plan.huishouden_id,
                                      regisseur=plan.regisseur, reden="eerste doorverwijzing"))
        publiceer(PlanOpgesteld(plan_id=plan.plan_id, huishouden_id=plan.huishouden_id, versie=1,
                                regisseur=plan.regisseur, doelen=[], voorzieningen=[],
                                evaluatie_op=plan.evaluatie_op))
    await uow.session.execute(tables.tijdlijn.insert().values(
        huishouden_id=d.huishouden_id, plan_id=plan.plan_id, soort="doorverwijzing", bron_id=d.bron_id,
        bron_soort=d.bron_soort, details={"doorverwijzing_id": str(d.doorverwijzing_id), "route": d.route,
                                          "team_id": d.team_id, "urgentie": d.urgentie, "regel_id": d.regel_id}))
    await uow.session.execute(tables.termijnen.insert().values(
        huishouden_id=d.huishouden_id, plan_id=plan.plan_id, bron_id=d.bron_id, team_id=d.team_id,
        termijn_grondslag=d.termijn_grondslag, termijn_tot=d.termijn_tot))
    publiceer(DoorverwijzingAanvaard(
        doorverwijzing_id=d.doorverwijzing_id, bron_id=d.bron_id, bron_soort=d.bron_soort, plan_id=plan.plan_id,
        huishouden_id=d.huishouden_id, team_id=plan.regisseur.team_id,
        nieuw_plan=isinstance(uitkomst, domain.NieuwPlan), aanvaard_op=nu))


async def _sla_nieuw_plan_op(uow: UnitOfWork, gemeente: str, plan: domain.Plan) -> None:
    regisseur = plan.regisseur.model_dump(mode="json")
    await uow.session.execute(tables.plannen.insert().values(
        plan_id=plan.plan_id, gemeente=gemeente, huishouden_id=plan.huishouden_id, status="actief", versie=1,
        regisseur=regisseur, evaluatie_op=plan.evaluatie_op))
    await uow.session.execute(tables.planversies.insert().values(
        plan_id=plan.plan_id, versie=1, regisseur=regisseur, doelen=[], voorzieningen=[],
        evaluatie_op=plan.evaluatie_op))


def _publiceerder(uow: UnitOfWork, event: Event, plan: domain.Plan):
    def publiceer(data) -> None:
        uow.publiceer(maak_event(data, service="arrangement", gemeente=event.gemeente, subject=str(plan.plan_id),
                                 correlatieid=event.correlatieid, dataref=f"/v1/huishoudens/{plan.huishouden_id}"))
    return publiceer


def handlers(ctx: Context) -> dict:
    return {"arrangement-doorverwijzingen": bij_doorverwijzing}



