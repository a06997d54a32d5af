"""Arrangement's HTTP API: the household's plan, regisseur, deadlines and timeline; the werkvoorraad."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel
from sqlalchemy import select, text, update

from services.arrangement import tables
from shared.auth import GEMEENTE_ROLLEN, Gebruiker, Rol, vereist
from shared.events import PlanAfgesloten, PlanResultaat, maak_event

router = APIRouter(prefix="/v1", tags=["arrangement"])
Medewerker = Annotated[Gebruiker, Depends(vereist(*GEMEENTE_ROLLEN))]


def _mag_zien(gebruiker: Gebruiker, plan) -> bool:
    if plan.gemeente != gebruiker.gemeente:
        return False
    if gebruiker.rol in (Rol.beheer, Rol.lokale_kamer, Rol.consulent, Rol.meldpunt):
        return True
    return plan.regisseur.get("team_id") in gebruiker.teams


@router.get("/huishoudens/{huishouden_id}")
async def huishouden(huishouden_id: str, request: Request, gebruiker: Medewerker):
    p, t, tl = tables.plannen, tables.termijnen, tables.tijdlijn
    async with request.app.state.ctx.uows() as uow:
        plan = (await uow.session.execute(
            select(p).where(p.c.huishouden_id == huishouden_id, p.c.status == "actief"))).first()
        if plan is None or not _mag_zien(gebruiker, plan):
            raise HTTPException(404, "Geen actief plan voor dit huishouden.")
        termijnen = (await uow.session.execute(
            select(t).where(t.c.huishouden_id == huishouden_id, t.c.status == "open").order_by(t.c.termijn_tot)
        )).mappings().all()
        tijdlijn = (await uow.session.execute(
            select(tl).where(tl.c.huishouden_id == huishouden_id).order_by(tl.c.tijdstip, tl.c.id))).mappings().all()
    return {
        "huishouden_id": huishouden_id,
        "plan": {"plan_id": plan.plan_id, "versie": plan.versie, "status": plan.status,
                 "evaluatie_op": plan.evaluatie_op, "aangemaakt_op": plan.aangemaakt_op},
        "regisseur": plan.regisseur,
        "open_termijnen": [dict(r) for r in termijnen],
        "tijdlijn": [dict(r) for r in tijdlijn],
    }


@router.get("/werkvoorraad")
async def werkvoorraad(request: Request, gebruiker: Medewerker):
    """Open deadlines of the caller's teams, soonest first."""
    t, p = tables.termijnen, tables.plannen
    async with request.app.state.ctx.uows() as uow:
        rijen = (await uow.session.execute(
            select(t, p.c.gemeente).join(p, p.c.plan_id == t.c.plan_id)
            .where(t.c.status == "open", t.c.team_id.in_(gebruiker.teams), p.c.gemeente == gebruiker.gemeente)
            .order_by(t.c.termijn_tot).limit(500))).mappings().all()
    return {"werkvoorraad": [dict(r) for r in rijen]}


class Afsluiting(BaseModel):
    resultaat: PlanResultaat


@router.post("/plannen/{plan_id}/afsluiten")
async def sluit_plan_af(plan_id: uuid.UUID, afsluiting: Afsluiting, request: Request, gebruiker: Medewerker):
    """Close the household's plan; its open deadlines close with it and its meldingen are afgesloten."""
    p = tables.plannen
    nu = datetime.now(timezone.utc)
    async with request.app.state.ctx.uows() as uow:
        rij = (await uow.session.execute(select(p).where(p.c.plan_id == plan_id).with_for_update())).first()
        if rij is None or not _mag_zien(gebruiker, rij):
            raise HTTPException(404, "Plan niet gevonden.")
        if gebruiker.rol not in (Rol.beheer, Rol.lokale_kamer) and rij.regisseur.get("team_id") not in gebruiker.teams:
            raise HTTPException(403, "Alleen het team van de regisseur sluit het plan af.")
        # The same lock as a doorverwijzing for this household takes: none lands in a plan being closed.
        await uow.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:h))"), {"h": rij.huishouden_id})
        if rij.status != "actief":
            raise HTTPException(409, "Dit plan is al afgesloten.")
        await uow.session.execute(update(p).where(p.c.plan_id == plan_id).values(
            status="afgesloten", afgesloten_op=nu, resultaat=afsluiting.resultaat))
        await uow.session.execute(update(tables.termijnen).where(
            tables.termijnen.c.plan_id == plan_id, tables.termijnen.c.status == "open").values(status="vervallen"))
        await uow.session.execute(tables.tijdlijn.insert().values(
            huishouden_id=rij.huishouden_id, plan_id=plan_id, soort="plan-afgesloten",
            details={"resultaat": afsluiting.resultaat, "door": gebruiker.actor}))
        data = PlanAfgesloten(plan_id=plan_id, huishouden_id=rij.huishouden_id, afgesloten_op=nu,
                              resultaat=afsluiting.resultaat)
        uow.publiceer(maak_event(data, service="arrangement", gemeente=rij.gemeente, subject=str(plan_id),
                                 correlatieid=str(plan_id)))
        await uow.commit()
    return {"plan_id": plan_id, "status": "afgesloten", "afgesloten_op": nu, "resultaat": afsluiting.resultaat}
