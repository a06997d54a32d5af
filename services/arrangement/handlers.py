"""Arrangement's handler: every doorverwijzing lands in the household's one plan.

A doorverwijzing that arrives while the household has a plan joins its timeline, and its deadline goes
to the regisseur's werkvoorraad as a signal (`bij_lopend_plan`). A warm handover out of a plan
(`bron_soort` plan, published by this service) comes back on the same subject and is ignored.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update

from services.arrangement import domain, opslag, tables
from shared.db import UnitOfWork
from shared.events import DoorverwijzingAanvaard, DoorverwijzingGedaan, Event, PlanOpgesteld, RegisseurToegewezen
from shared.service import Context


async def _al_ontvangen(uow: UnitOfWork, d: DoorverwijzingGedaan) -> bool:
    # The inbox keeps out a redelivered event; this keeps out the same doorverwijzing under a new event id.
    tl = tables.tijdlijn
    return (
        await uow.session.execute(select(tl.c.id).where(tl.c.doorverwijzing_id == d.doorverwijzing_id))
    ).first() is not None


def handlers(ctx: Context) -> dict:
    async def bij_doorverwijzing(event: Event[DoorverwijzingGedaan], uow: UnitOfWork) -> None:
        d = event.data
        if d.bron_soort == "plan":
            return  # our own warm handover to a provider: it leaves the household, nothing arrives
        await opslag.vergrendel_huishouden(uow, d.huishouden_id)
        if await _al_ontvangen(uow, d):
            return
        nu = datetime.now(UTC)
        uitkomst = domain.neem_aan(d, await opslag.actief_plan(uow, d.huishouden_id), nu)
        plan, nieuw = uitkomst.plan, isinstance(uitkomst, domain.NieuwPlan)
        gemeente = ctx.gemeenten[event.gemeente]

        def publiceer(data) -> None:
            opslag.publiceer(uow, data, event.gemeente, plan, event.correlatieid)

        if nieuw:
            await _sla_nieuw_plan_op(uow, event.gemeente, plan, nu)
            publiceer(
                RegisseurToegewezen(
                    plan_id=plan.plan_id,
                    huishouden_id=plan.huishouden_id,
                    regisseur=plan.regisseur,
                    reden="eerste doorverwijzing",
                )
            )
            publiceer(
                PlanOpgesteld(
                    plan_id=plan.plan_id,
                    huishouden_id=plan.huishouden_id,
                    versie=1,
                    regisseur=plan.regisseur,
                    doelen=[],
                    voorzieningen=[],
                    evaluatie_op=plan.evaluatie_op,
                )
            )
        await opslag.op_tijdlijn(
            uow,
            plan,
            "doorverwijzing",
            {
                "doorverwijzing_id": str(d.doorverwijzing_id),
                "route": d.route,
                "team_id": d.team_id,
                "urgentie": d.urgentie,
                "regel_id": d.regel_id,
                "bij_lopend_plan": not nieuw,
            },
            bron_id=d.bron_id,
            bron_soort=d.bron_soort,
            doorverwijzing_id=d.doorverwijzing_id,
        )
        await opslag.voeg_termijnen_toe(
            uow,
            event.gemeente,
            plan,
            domain.termijnen_van_doorverwijzing(d, plan, nieuw, gemeente, d.ontvangen_op or event.time),
        )
        publiceer(
            DoorverwijzingAanvaard(
                doorverwijzing_id=d.doorverwijzing_id,
                bron_id=d.bron_id,
                bron_soort=d.bron_soort,
                plan_id=plan.plan_id,
                huishouden_id=d.huishouden_id,
                team_id=plan.regisseur.team_id,
                nieuw_plan=nieuw,
                aanvaard_op=nu,
            )
        )

    return {DoorverwijzingGedaan: bij_doorverwijzing}


async def _sla_nieuw_plan_op(uow: UnitOfWork, gemeente: str, plan: domain.Plan, nu: datetime) -> None:
    regisseur = plan.regisseur.model_dump(mode="json")
    await uow.session.execute(
        tables.plannen.insert().values(
            plan_id=plan.plan_id,
            gemeente=gemeente,
            huishouden_id=plan.huishouden_id,
            status="actief",
            versie=1,
            regisseur=regisseur,
            evaluatie_op=plan.evaluatie_op,
            wijk=plan.wijk,
        )
    )
    await uow.session.execute(
        tables.planversies.insert().values(
            plan_id=plan.plan_id,
            versie=1,
            regisseur=regisseur,
            doelen=[],
            voorzieningen=[],
            evaluatie_op=plan.evaluatie_op,
        )
    )
    await opslag.voeg_termijnen_toe(uow, gemeente, plan, [domain.evaluatietermijn(plan)])
    # A household kept in view after an earlier plan is back with a plan: the waakvlam has done its work.
    t, p = tables.termijnen, tables.plannen
    await uow.session.execute(
        update(t)
        .where(t.c.huishouden_id == plan.huishouden_id, t.c.soort == "waakvlam", t.c.status == "open")
        .values(status="vervallen", gesloten_op=nu)
    )
    await uow.session.execute(
        update(p)
        .where(p.c.huishouden_id == plan.huishouden_id, p.c.status == "afgesloten", p.c.waakvlam_op.is_not(None))
        .values(waakvlam_op=None)
    )
