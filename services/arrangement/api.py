"""Arrangement's HTTP API: the household's plan, regisseur, deadlines and timeline; the werkvoorraad."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from sqlalchemy import select

from services.arrangement import tables
from shared.auth import GEMEENTE_ROLLEN, Gebruiker, Rol, vereist

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
