"""Triage's HTTP API: decisions per melding or casus, the rule tables, and a dry run of the rules."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Request
from pydantic import ValidationError
from sqlalchemy import select

from services.triage import domain, tables
from shared.auth import GEMEENTE_ROLLEN, Gebruiker, Rol, vereist
from shared.events import MeldingGeregistreerd, SignaalDoorgezet
from shared.http import OngeldigeInvoer, fouten

router = APIRouter(prefix="/v1", tags=["triage"], responses=fouten(403))
Medewerker = Annotated[Gebruiker, Depends(vereist(*GEMEENTE_ROLLEN))]


def _eigen_gemeente(gebruiker: Gebruiker, gemeente: str) -> None:
    if gebruiker.gemeente != gemeente:
        raise HTTPException(403, "Alleen de eigen gemeente.")


@router.get("/besluiten")
async def besluiten(bron_id: uuid.UUID, request: Request, gebruiker: Medewerker):
    b = tables.besluiten
    async with request.app.state.ctx.uows() as uow:
        query = select(b).where(b.c.bron_id == bron_id, b.c.gemeente == gebruiker.gemeente)
        if gebruiker.rol == Rol.wijkcoach:  # a wijkcoach sees what went to his teams only
            query = query.where(b.c.team_id.in_(gebruiker.teams))
        rijen = (await uow.session.execute(query.order_by(b.c.besloten_op))).mappings().all()
    return {"bron_id": bron_id, "besluiten": [dict(r) for r in rijen]}


@router.get("/regels/{gemeente}", responses=fouten(404))
async def regels(gemeente: str, request: Request, gebruiker: Medewerker):
    _eigen_gemeente(gebruiker, gemeente)
    config = request.app.state.ctx.gemeenten.get(gemeente)
    if config is None:
        raise HTTPException(404, "Onbekende gemeente.")
    return {"gemeente": gemeente, "regels": [r.model_dump() for i, r in enumerate(config.regels)]}


@router.post("/regels/{gemeente}/proef", responses=fouten(404))
async def proef(
    gemeente: str,
    request: Request,
    gebruiker: Medewerker,
    data: Annotated[dict[str, Any], Body()],
    bekend_huishouden: bool = False,
):
    """The decision triage would take for this event data, without storing or publishing anything."""
    _eigen_gemeente(gebruiker, gemeente)
    config = request.app.state.ctx.gemeenten.get(gemeente)
    if config is None:
        raise HTTPException(404, "Onbekende gemeente.")
    try:
        if "casus_id" in data:
            feiten = domain.feiten_van_casus(SignaalDoorgezet.model_validate(data), bekend_huishouden)
        else:
            feiten = domain.feiten_van_melding(MeldingGeregistreerd.model_validate(data), bekend_huishouden)
    except ValidationError as fout:
        raise OngeldigeInvoer([(tuple(e["loc"]), e["msg"]) for e in fout.errors(include_input=False)]) from None
    besluit = domain.besluit(config, feiten, None)
    return {
        "regel_id": besluit.regel_id,
        "route": besluit.route,
        "team_id": besluit.team_id,
        "urgentie": besluit.urgentie,
        "termijn_tot": besluit.termijn_tot,
        "termijn_grondslag": besluit.termijn_grondslag,
        "toelichting": besluit.toelichting,
        "feiten": besluit.feiten,
    }
