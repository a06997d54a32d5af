"""Signalering's HTTP API: partners post signals; gemeente roles read a casus."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ValidationError
from sqlalchemy import select, update

from services.signalering import domain, opname, tables
from services.signalering.domain import Beoordeling, SignaalInvoer
from shared.auth import GEMEENTE_ROLLEN, Gebruiker, Rol, huidige_gebruiker, vereist
from shared.events import SignaalAfgehandeld, maak_event
from shared.gemeenten import Gemeente, Partner
from shared.http import OngeldigeInvoer, fouten, veldfout
from shared.service import Context
from shared.termijnen import TZ

router = APIRouter(prefix="/v1", tags=["signalen"], responses=fouten(403))


class SignaalAntwoord(BaseModel):
    signaal_id: uuid.UUID
    beoordeling: Beoordeling
    casus_id: uuid.UUID | None


class Batch(BaseModel):
    signalen: list[dict[str, Any]]


MAX_BATCH = 10_000
DEEL = 500  # signals per transaction in a batch: measured best of 250-5,000 (decision 0010)
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
        gebruiker = huidige_gebruiker(request, credentials)
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


Afzender = Annotated[tuple[Gemeente, Partner], Depends(partner_van)]


@router.post("/signalen", status_code=202, response_model=SignaalAntwoord, responses=fouten(503))
async def ontvang_signaal(invoer: SignaalInvoer, request: Request, afzender: Afzender):
    ctx: Context = request.app.state.ctx
    gemeente, partner = afzender
    nu = datetime.now(UTC)
    if fouten := domain.controleer(invoer, gemeente, list(partner.soorten), nu.astimezone(TZ).date()):
        raise OngeldigeInvoer(fouten)
    antwoord = (await opname.neem_op(ctx, [invoer], gemeente, partner, nu))[0]
    if antwoord is None:
        raise HTTPException(
            503, "Gelijktijdige signalen voor dit huishouden; stuur het opnieuw.", headers={"Retry-After": "1"}
        )
    return SignaalAntwoord.model_validate(vars(antwoord))


@router.post("/signalen/batch", status_code=202, responses=fouten(413))
async def ontvang_batch(batch: Batch, request: Request, afzender: Afzender):
    """Up to 10,000 signals; a result per item; valid items are accepted even when others are wrong."""
    if len(batch.signalen) > MAX_BATCH:
        raise HTTPException(413, f"Hoogstens {MAX_BATCH} signalen per batch; deze had er {len(batch.signalen)}.")
    ctx: Context = request.app.state.ctx
    gemeente, partner = afzender
    nu = datetime.now(UTC)
    resultaten: list[dict] = []
    geldig: list[tuple[int, SignaalInvoer]] = []
    for ruw in batch.signalen:
        try:
            invoer = SignaalInvoer.model_validate(ruw)
        except ValidationError as fout:
            resultaten.append(
                {
                    "geaccepteerd": False,
                    "errors": [veldfout(tuple(e["loc"]), e["msg"]) for e in fout.errors(include_input=False)],
                }
            )
            continue
        if fouten := domain.controleer(invoer, gemeente, list(partner.soorten), nu.astimezone(TZ).date()):
            resultaten.append(
                {
                    "partner_signaal_id": invoer.partner_signaal_id,
                    "geaccepteerd": False,
                    "errors": [veldfout(p, m) for p, m in fouten],
                }
            )
            continue
        geldig.append((len(resultaten), invoer))
        resultaten.append({})
    for begin in range(0, len(geldig), DEEL):  # bounded transactions
        deel = geldig[begin : begin + DEEL]
        antwoorden = await opname.neem_op(ctx, [i for _, i in deel], gemeente, partner, nu)
        for (plek, invoer), antwoord in zip(deel, antwoorden, strict=False):
            resultaten[plek] = {"partner_signaal_id": invoer.partner_signaal_id, **_resultaat(antwoord)}
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


def _resultaat(antwoord: opname.Antwoord | None) -> dict:
    if antwoord is None:
        return {
            "geaccepteerd": False,
            "errors": [veldfout((), "bleef botsen met gelijktijdige signalen; stuur opnieuw")],
        }
    return {
        "geaccepteerd": True,
        "signaal_id": str(antwoord.signaal_id),
        "beoordeling": antwoord.beoordeling.value,
        "casus_id": str(antwoord.casus_id) if antwoord.casus_id else None,
    }


@router.get("/casussen/{casus_id}", responses=fouten(404))
async def casus(
    casus_id: uuid.UUID, request: Request, gebruiker: Annotated[Gebruiker, Depends(vereist(*GEMEENTE_ROLLEN))]
):
    c, s = tables.casussen, tables.signalen
    async with request.app.state.ctx.uows() as uow:
        rij = (await uow.session.execute(select(c).where(c.c.casus_id == casus_id))).mappings().first()
        if rij is None or not _mag_casus_zien(gebruiker, rij["gemeente"], rij["team_id"]):
            raise HTTPException(404, "Casus niet gevonden.")
        signalen = (
            (
                await uow.session.execute(
                    select(s.c.signaal_id, s.c.partner_id, s.c.soort, s.c.beoordeling, s.c.crisis, s.c.ontvangen_op)
                    .where(s.c.casus_id == casus_id)
                    .order_by(s.c.ontvangen_op)
                )
            )
            .mappings()
            .all()
        )
    return {**rij, "signalen": [dict(r) for r in signalen]}


class Contactpoging(BaseModel):
    soort: Literal["telefoon", "huisbezoek", "brief", "email"]
    bereikt: bool
    datum: date
    dagdeel: Literal["ochtend", "middag", "avond"]


class CasusAfsluiting(BaseModel):
    resultaat: domain.Resultaat


Medewerker = Annotated[Gebruiker, Depends(vereist(*GEMEENTE_ROLLEN))]


async def _casus_voor(uow, casus_id: uuid.UUID, gebruiker: Gebruiker):
    c = tables.casussen
    rij = (await uow.session.execute(select(c).where(c.c.casus_id == casus_id).with_for_update())).first()
    if rij is None or not _mag_casus_zien(gebruiker, rij.gemeente, rij.team_id):
        raise HTTPException(404, "Casus niet gevonden.")
    return rij


def _mag_casus_zien(gebruiker: Gebruiker, gemeente: str, team_id: str | None) -> bool:
    """Gemeente roles of the casus's gemeente; a wijkcoach only once it went to one of his teams."""
    if gebruiker.gemeente != gemeente:
        return False
    return gebruiker.rol != Rol.wijkcoach or (team_id is not None and team_id in gebruiker.teams)


@router.post("/casussen/{casus_id}/contactpogingen", status_code=201, responses=fouten(404, 409))
async def contactpoging(casus_id: uuid.UUID, poging: Contactpoging, request: Request, gebruiker: Medewerker):
    async with request.app.state.ctx.uows() as uow:
        rij = await _casus_voor(uow, casus_id, gebruiker)
        if rij.status == "afgesloten":
            raise HTTPException(409, "Deze casus is afgesloten.")
        await uow.session.execute(
            tables.contactpogingen.insert().values(casus_id=casus_id, door=gebruiker.actor, **poging.model_dump())
        )
        await uow.commit()
    return {"casus_id": casus_id, **poging.model_dump(mode="json")}


@router.post("/casussen/{casus_id}/afsluiten", responses=fouten(404, 409))
async def sluit_casus_af(casus_id: uuid.UUID, afsluiting: CasusAfsluiting, request: Request, gebruiker: Medewerker):
    """Close the casus with its result; every partner that signalled hears that its signal was handled."""
    ctx: Context = request.app.state.ctx
    nu = datetime.now(UTC)
    c, s = tables.casussen, tables.signalen
    async with ctx.uows() as uow:
        rij = await _casus_voor(uow, casus_id, gebruiker)
        if rij.status == "afgesloten":
            raise HTTPException(409, "Deze casus is al afgesloten.")
        await uow.session.execute(
            update(c)
            .where(c.c.casus_id == casus_id)
            .values(status="afgesloten", resultaat=afsluiting.resultaat, afgesloten_op=nu)
        )
        signalen = (
            await uow.session.execute(
                select(s.c.signaal_id, s.c.partner_id, s.c.beoordeling).where(s.c.casus_id == casus_id)
            )
        ).all()
        for signaal in signalen:
            data = SignaalAfgehandeld(
                signaal_id=signaal.signaal_id,
                partner_id=signaal.partner_id,
                resultaat=domain.terugkoppeling(signaal.beoordeling, "afgesloten"),
            )
            uow.publiceer(
                maak_event(
                    data,
                    service="signalering",
                    gemeente=rij.gemeente,
                    subject=str(signaal.signaal_id),
                    correlatieid=str(signaal.signaal_id),
                )
            )
        await uow.commit()
    return {"casus_id": casus_id, "status": "afgesloten", "resultaat": afsluiting.resultaat}


@router.get("/signalen/{signaal_id}/terugkoppeling", responses=fouten(404))
async def terugkoppeling(signaal_id: uuid.UUID, request: Request, afzender: Afzender):
    """Only what the partner may know, and only of its own signals (404 for any other)."""
    _, partner = afzender
    s, c = tables.signalen, tables.casussen
    async with request.app.state.ctx.uows() as uow:
        rij = (
            await uow.session.execute(
                select(
                    s.c.signaal_id,
                    s.c.partner_signaal_id,
                    s.c.partner_id,
                    s.c.beoordeling,
                    s.c.ontvangen_op,
                    c.c.status,
                )
                .select_from(s.outerjoin(c, c.c.casus_id == s.c.casus_id))
                .where(s.c.signaal_id == signaal_id)
            )
        ).first()
    if rij is None or rij.partner_id != partner.partner_id:
        raise HTTPException(404, "Signaal niet gevonden.")
    return {
        "signaal_id": rij.signaal_id,
        "partner_signaal_id": rij.partner_signaal_id,
        "ontvangen_op": rij.ontvangen_op,
        "beoordeling": rij.beoordeling,
        "status": domain.terugkoppeling(rij.beoordeling, rij.status),
    }
