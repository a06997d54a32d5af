"""Triage's HTTP API: decisions per melding or casus, the rule tables, and a dry run of the rules."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request

from services.triage import usecases
from services.triage.schemas import Besluiten, Regels, Uitkomst
from shared.auth import GEMEENTE_ROLLEN, MEDEWERKERS, Gebruiker, vereist
from shared.http import fouten

router = APIRouter(prefix="/v1", tags=["triage"], responses=fouten(403))
Medewerker = Annotated[Gebruiker, Depends(vereist(*MEDEWERKERS))]
# The rule tables and their dry run hold no personal data: beleid may read and try them too.
RegelLezer = Annotated[Gebruiker, Depends(vereist(*GEMEENTE_ROLLEN))]


@router.get("/besluiten", response_model=Besluiten)
async def besluiten(bron_id: uuid.UUID, request: Request, gebruiker: Medewerker):
    async with request.app.state.ctx.uows() as uow:
        besluiten = await usecases.besluiten_voor(uow, gebruiker, bron_id)
    return Besluiten(bron_id=bron_id, besluiten=besluiten)


@router.get("/regels/{gemeente}", response_model=Regels, responses=fouten(404))
async def regels(gemeente: str, request: Request, gebruiker: RegelLezer):
    return Regels(gemeente=gemeente, regels=usecases.regels_van(request.app.state.ctx.gemeenten, gebruiker, gemeente))


@router.post("/regels/{gemeente}/proef", response_model=Uitkomst, responses=fouten(404))
async def proef(
    gemeente: str,
    request: Request,
    gebruiker: RegelLezer,
    data: Annotated[dict[str, Any], Body()],
    bekend_huishouden: bool = False,
):
    """The decision triage would take for this event data, without storing or publishing anything."""
    return usecases.proef(request.app.state.ctx.gemeenten, gebruiker, gemeente, data, bekend_huishouden)
