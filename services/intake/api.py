"""Intake's HTTP API: register a melding, read it (logged), and its status as the melder may see it; lichte
contacten, and the sociale kaart to refer to."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse

from services.intake import usecases
from services.intake.schemas import LichtContact, LichtContactInvoer, MeldingAntwoord, MeldingInvoer, MeldingUitContact
from shared.auth import MEDEWERKERS, Gebruiker, Rol, optionele_gebruiker, vereist
from shared.gemeenten import Aanbieder
from shared.http import fouten
from shared.service import Context
from shared.verwerkingslog import voor_betrokkene

router = APIRouter(prefix="/v1/meldingen", tags=["meldingen"], responses=fouten(403))

MELDERS = (Rol.inwoner, *MEDEWERKERS)


def _ctx(request: Request) -> Context:
    return request.app.state.ctx


def _geheimen(ctx: Context) -> dict:
    return {
        "gemeenten": ctx.gemeenten,
        "kluis": ctx.extra["kluis"],
        "pseudoniem_sleutel": ctx.extra["pseudoniem_sleutel"],
    }


def _antwoord(registratie: usecases.Registratie):
    """The melding; a repeated Idempotency-Key gets the first answer again, marked as such."""
    if registratie.herhaald:
        return JSONResponse(
            registratie.antwoord.model_dump(mode="json"), status_code=201, headers={"Idempotency-Replayed": "true"}
        )
    return registratie.antwoord


@router.post("", status_code=201, response_model=MeldingAntwoord)
async def registreer_melding(
    invoer: MeldingInvoer,
    request: Request,
    gebruiker: Annotated[Gebruiker, Depends(vereist(*MELDERS))],
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
):
    ctx = _ctx(request)
    registratie = await usecases.registreer_melding(ctx.uows, invoer, gebruiker, idempotency_key, **_geheimen(ctx))
    return _antwoord(registratie)


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


contacten = APIRouter(prefix="/v1/lichte-contacten", tags=["lichte contacten"], responses=fouten(403))


@contacten.post("", status_code=201, response_model=LichtContact)
async def registreer_contact(
    invoer: LichtContactInvoer,
    request: Request,
    gebruiker: Annotated[Gebruiker, Depends(vereist(*MEDEWERKERS))],
):
    """A question answered on the spot, by channel, theme and outcome: no personal data, no dossier."""
    ctx = _ctx(request)
    async with ctx.uows() as uow:
        contact = await usecases.registreer_contact(uow, invoer, gebruiker, ctx.gemeenten)
        await uow.commit()
    return contact


@contacten.get("/{contact_id}", response_model=LichtContact, responses=fouten(404))
async def lees_contact(
    contact_id: uuid.UUID,
    request: Request,
    gebruiker: Annotated[Gebruiker, Depends(vereist(*MEDEWERKERS))],
):
    async with _ctx(request).uows() as uow:
        return await usecases.lees_contact(uow, gebruiker, contact_id)


@contacten.post("/{contact_id}/melding", status_code=201, response_model=MeldingAntwoord, responses=fouten(404, 409))
async def contact_naar_melding(
    contact_id: uuid.UUID,
    invoer: MeldingUitContact,
    request: Request,
    gebruiker: Annotated[Gebruiker, Depends(vereist(*MEDEWERKERS))],
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
):
    """The contact becomes a melding: gemeente, kanaal and themes carry over; the contact is turned once."""
    ctx = _ctx(request)
    registratie = await usecases.contact_naar_melding(
        ctx.uows, contact_id, invoer, gebruiker, idempotency_key, **_geheimen(ctx)
    )
    return _antwoord(registratie)


kaart = APIRouter(prefix="/v1/sociale-kaart", tags=["sociale kaart"], responses=fouten(403))
KAART_LEZERS = (*MEDEWERKERS, Rol.beleid, Rol.inwoner)


@kaart.get("/{gemeente}", response_model=list[Aanbieder], responses=fouten(404, 422))
async def zoek_aanbieders(
    gemeente: str,
    request: Request,
    gebruiker: Annotated[Gebruiker, Depends(vereist(*KAART_LEZERS))],
    thema: Annotated[str | None, Query(max_length=40)] = None,
    wijk: Annotated[str | None, Query(max_length=64)] = None,
):
    """The gemeente's sociale kaart, by theme (levensgebied) and wijk: the wijk's own first."""
    return usecases.zoek_aanbieders(_ctx(request).gemeenten, gebruiker, gemeente, thema, wijk)


@kaart.get("/{gemeente}/{aanbieder_id}", response_model=Aanbieder, responses=fouten(404))
async def lees_aanbieder(
    gemeente: str,
    aanbieder_id: str,
    request: Request,
    gebruiker: Annotated[Gebruiker, Depends(vereist(*KAART_LEZERS))],
):
    return usecases.aanbieder(_ctx(request).gemeenten, gebruiker, gemeente, aanbieder_id)


mijn = APIRouter(prefix="/v1/mijn", tags=["mijn toegang"], responses=fouten(403))
Inwoner = Annotated[Gebruiker, Depends(vereist(Rol.inwoner))]


def _sleutel(request: Request) -> bytes:
    return _ctx(request).extra["pseudoniem_sleutel"]


@mijn.get("/meldingen")
async def mijn_meldingen(request: Request, gebruiker: Inwoner):
    """The meldingen about the inwoner (from his DigiD login) and their status; one that someone else made
    about him shows as "a melding", without who or what. The read is logged."""
    ctx = _ctx(request)
    async with ctx.uows() as uow:
        meldingen = await usecases.mijn_meldingen(uow, gebruiker, _sleutel(request))
        await uow.commit()
    return {"meldingen": meldingen}


@mijn.get("/verwerkingen")
async def mijn_verwerkingen(request: Request, gebruiker: Inwoner):
    """Who read the meldingen about him (AVG art. 15): when, organisation and role, what for."""
    ctx = _ctx(request)
    async with ctx.uows() as uow:
        rijen = await usecases.mijn_verwerkingen(uow, gebruiker, _sleutel(request))
    return {"verwerkingen": [voor_betrokkene(r, ctx.gemeenten) for r in rijen]}
