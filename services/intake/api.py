"""Intake's HTTP API: register a melding, read it (logged), and its status as the melder may see it."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse

from services.intake import usecases
from services.intake.schemas import MeldingAntwoord, MeldingInvoer
from shared.auth import MEDEWERKERS, Gebruiker, Rol, optionele_gebruiker, vereist
from shared.http import fouten
from shared.service import Context

router = APIRouter(prefix="/v1/meldingen", tags=["meldingen"], responses=fouten(403))

MELDERS = (Rol.inwoner, *MEDEWERKERS)


def _ctx(request: Request) -> Context:
    return request.app.state.ctx


@router.post("", status_code=201, response_model=MeldingAntwoord)
async def registreer_melding(
    invoer: MeldingInvoer,
    request: Request,
    gebruiker: Annotated[Gebruiker, Depends(vereist(*MELDERS))],
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
):
    ctx = _ctx(request)
    registratie = await usecases.registreer_melding(
        ctx.uows,
        invoer,
        gebruiker,
        idempotency_key,
        gemeenten=ctx.gemeenten,
        kluis=ctx.extra["kluis"],
        pseudoniem_sleutel=ctx.extra["pseudoniem_sleutel"],
    )
    if registratie.herhaald:
        return JSONResponse(
            registratie.antwoord.model_dump(mode="json"), status_code=201, headers={"Idempotency-Replayed": "true"}
        )
    return registratie.antwoord


@router.get("/{melding_id}", responses=fouten(404))
async def lees_melding(
    melding_id: uuid.UUID,
    request: Request,
    gebruiker: Annotated[Gebruiker, Depends(vereist(*MEDEWERKERS))],
):
    ctx = _ctx(request)
    async with ctx.uows() as uow:
        melding = await usecases.lees_melding(uow, ctx.extra["kluis"], gebruiker, melding_id)
        await uow.commit()  # the processing-log entry
    return melding


@router.get("/{melding_id}/status", responses=fouten(404))
async def status_voor_melder(
    melding_id: uuid.UUID,
    request: Request,
    gebruiker: Annotated[Gebruiker | None, Depends(optionele_gebruiker)],
    # A header, not a query parameter: URLs end up in spans and proxy logs, and the code is a secret.
    terugkoppelcode: Annotated[str | None, Header(max_length=64)] = None,
):
    """What a melder may see: picked up or not, by which kind of team; never the plan."""
    async with _ctx(request).uows() as uow:
        return await usecases.status_voor_melder(uow, gebruiker, terugkoppelcode, melding_id)
