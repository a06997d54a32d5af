"""Signalering's HTTP API: partners post signals and read their feedback; gemeente roles read and work a
casus. Thin: parse, authorise, call one use case (usecases.py), shape the answer."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.signalering import usecases
from services.signalering.schemas import (
    AfsluitingAntwoord,
    Batch,
    Casus,
    CasusAfsluiting,
    ContactpogingAntwoord,
    SignaalAntwoord,
    SignaalInvoer,
    SignaalTerugkoppeling,
)
from shared.auth import MEDEWERKERS, Gebruiker, Rol, gebruiker_uit_token, vereist
from shared.gemeenten import Gemeente, Partner
from shared.http import fouten, veldfout
from shared.invoer import Contactpoging
from shared.service import Context
from shared.termijnen import TZ

router = APIRouter(prefix="/v1", tags=["signalen"], responses=fouten(403))

MAX_BATCH = 10_000
_bearer = HTTPBearer(auto_error=False)


def partner_van(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> tuple[Gemeente, Partner]:
    """The partner is who its credentials say, never what the payload says: a JWT with rol partner and
    partner_id, or the partner's API token, of which the configuration holds only the sha256."""
    if credentials is None:
        raise HTTPException(401, "Een bearer token is nodig.", headers={"WWW-Authenticate": "Bearer"})
    ctx: Context = request.app.state.ctx
    token = credentials.credentials
    if token.count(".") == 2:
        gebruiker = gebruiker_uit_token(request, credentials)
        if gebruiker.rol != Rol.partner:
            raise HTTPException(403, f"De rol {gebruiker.rol.value} mag geen signalen sturen.")
        gevonden = ctx.gemeenten.partner(gebruiker.partner_id or "")
    else:
        gevonden = ctx.gemeenten.partner_met_token(hashlib.sha256(token.encode()).hexdigest())
        if gevonden is None:
            raise HTTPException(401, "Onbekend API-token.", headers={"WWW-Authenticate": "Bearer"})
    if gevonden is None:
        raise HTTPException(403, "Onbekende partner.")
    return gevonden


Afzender = Annotated[usecases.Afzender, Depends(partner_van)]
Medewerker = Annotated[Gebruiker, Depends(vereist(*MEDEWERKERS))]


@router.post("/signalen", status_code=202, response_model=SignaalAntwoord, responses=fouten(503))
async def ontvang_signaal(invoer: SignaalInvoer, request: Request, afzender: Afzender):
    ctx: Context = request.app.state.ctx
    middelen = usecases.Middelen.van(ctx)
    antwoord = await usecases.neem_signaal_op(ctx.uows, invoer, afzender, datetime.now(UTC), middelen)
    return SignaalAntwoord.model_validate(vars(antwoord))


@router.post("/signalen/batch", status_code=202, responses=fouten(413))
async def ontvang_batch(batch: Batch, request: Request, afzender: Afzender):
    """Up to 10,000 signals; a result per item; valid items are accepted even when others are wrong."""
    if len(batch.signalen) > MAX_BATCH:
        raise HTTPException(413, f"Hoogstens {MAX_BATCH} signalen per batch; deze had er {len(batch.signalen)}.")
    ctx: Context = request.app.state.ctx
    middelen = usecases.Middelen.van(ctx)
    resultaten = [
        _resultaat(r)
        for r in await usecases.neem_batch_op(ctx.uows, batch.signalen, afzender, datetime.now(UTC), middelen)
    ]
    # Up to 10,000 results: written straight to JSON, as FastAPI's generic encoder would take longer than
    # assessing the signals did.
    return JSONResponse(
        {
            "aantal": len(resultaten),
            "geaccepteerd": sum(r["geaccepteerd"] for r in resultaten),
            "resultaten": resultaten,
        },
        status_code=202,
    )


def _resultaat(resultaat: usecases.BatchResultaat) -> dict:
    kop = {} if resultaat.partner_signaal_id is None else {"partner_signaal_id": resultaat.partner_signaal_id}
    antwoord = resultaat.antwoord
    if antwoord is None:
        return {**kop, "geaccepteerd": False, "errors": [veldfout(p, m) for p, m in resultaat.fouten]}
    return {
        **kop,
        "geaccepteerd": True,
        "signaal_id": str(antwoord.signaal_id),
        "beoordeling": antwoord.beoordeling.value,
        "casus_id": str(antwoord.casus_id) if antwoord.casus_id else None,
    }


@router.get("/casussen/{casus_id}", response_model=Casus, responses=fouten(404))
async def casus(casus_id: uuid.UUID, request: Request, gebruiker: Medewerker):
    async with request.app.state.ctx.uows() as uow:
        return await usecases.lees_casus(uow, gebruiker, casus_id)


@router.post(
    "/casussen/{casus_id}/contactpogingen",
    status_code=201,
    response_model=ContactpogingAntwoord,
    responses=fouten(404, 409),
)
async def contactpoging(casus_id: uuid.UUID, poging: Contactpoging, request: Request, gebruiker: Medewerker):
    async with request.app.state.ctx.uows() as uow:
        await usecases.leg_contactpoging_vast(uow, gebruiker, casus_id, poging, datetime.now(TZ).date())
        await uow.commit()
    return ContactpogingAntwoord(casus_id=casus_id, **poging.model_dump())


@router.post("/casussen/{casus_id}/afsluiten", response_model=AfsluitingAntwoord, responses=fouten(404, 409))
async def sluit_casus_af(casus_id: uuid.UUID, afsluiting: CasusAfsluiting, request: Request, gebruiker: Medewerker):
    """Close the casus with its result; every partner that signalled hears that its signal was handled."""
    async with request.app.state.ctx.uows() as uow:
        status = await usecases.sluit_casus_af(
            uow, gebruiker, casus_id, afsluiting.resultaat, datetime.now(UTC), afsluiting.uitzetting_voorkomen
        )
        await uow.commit()
    return AfsluitingAntwoord(casus_id=casus_id, status=status, resultaat=afsluiting.resultaat)


@router.get("/signalen/{signaal_id}/terugkoppeling", response_model=SignaalTerugkoppeling, responses=fouten(404))
async def terugkoppeling(signaal_id: uuid.UUID, request: Request, afzender: Afzender):
    """Only what the partner may know, and only of its own signals (404 for any other)."""
    _, partner = afzender
    async with request.app.state.ctx.uows() as uow:
        return await usecases.lees_terugkoppeling(uow, partner, signaal_id)
