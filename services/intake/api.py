"""Intake's HTTP API: register a melding, read it (logged), and its status as the melder may see it."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.intake import domain, tables
from services.intake.domain import MeldingInvoer, Status
from shared.auth import GEMEENTE_ROLLEN, Gebruiker, Rol, optionele_gebruiker, vereist
from shared.events import MeldingGeregistreerd, maak_event
from shared.http import OngeldigeInvoer, fouten
from shared.ids import nieuw_id
from shared.service import Context
from shared.termijnen import TZ
from shared.verwerkingslog import log_verwerking

router = APIRouter(prefix="/v1/meldingen", tags=["meldingen"], responses=fouten(403))

MELDERS = (Rol.inwoner, *GEMEENTE_ROLLEN)


class MeldingAntwoord(BaseModel):
    melding_id: uuid.UUID
    status: Status
    huishouden_id: str
    wijk: str | None
    ontvangen_op: datetime
    terugkoppelcode: str | None = None


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
    if gebruiker.rol != Rol.inwoner and gebruiker.gemeente != invoer.gemeente:
        raise HTTPException(403, "Een medewerker meldt alleen in de eigen gemeente.")
    # A key is the caller's own: the same key from someone else is another request.
    idempotency_key = _sha256(f"{gebruiker.sub}|{idempotency_key}") if idempotency_key else None
    if idempotency_key and (eerder := await _eerder_antwoord(ctx, idempotency_key)) is not None:
        return eerder
    if fouten := domain.controleer(invoer, ctx.gemeenten):
        raise OngeldigeInvoer(fouten)

    gemeente = ctx.gemeenten[invoer.gemeente]
    ontvangen_op = datetime.now(UTC)
    feiten = domain.leid_af(invoer, gemeente, ctx.extra["pseudoniem_sleutel"], ontvangen_op.astimezone(TZ).date())
    melding_id = nieuw_id()
    code = secrets.token_urlsafe(12) if invoer.melder.wil_terugkoppeling else None
    data = MeldingGeregistreerd(
        melding_id=melding_id,
        gemeente=gemeente.code,
        ontvangen_op=ontvangen_op,
        kanaal=invoer.kanaal,
        soort=invoer.soort,
        melder_type=invoer.melder.type,
        huishouden_id=feiten.huishouden_id,
        persoon_sleutels=feiten.persoon_sleutels,
        persoon_sleutels_zwak=feiten.persoon_sleutels_zwak,
        leeftijdscategorie=feiten.leeftijdscategorie,
        wijk=feiten.wijk,
        levensgebieden=invoer.levensgebieden,
        zrm=invoer.zrm,
        veiligheid=invoer.veiligheid,
        crisis=invoer.crisis,
        spoed=invoer.spoed,
        gevraagde_voorzieningen=invoer.gevraagde_voorzieningen,
        inwoner_op_de_hoogte=invoer.inwoner_op_de_hoogte,
    )
    try:
        await _sla_op(ctx, data, invoer, code, idempotency_key)
    except IntegrityError:
        # The same Idempotency-Key arrived twice at once: the other request won; answer as it did.
        if idempotency_key and (eerder := await _eerder_antwoord(ctx, idempotency_key)) is not None:
            return eerder
        raise
    return MeldingAntwoord(
        melding_id=melding_id,
        status=Status.geregistreerd,
        huishouden_id=feiten.huishouden_id,
        wijk=feiten.wijk,
        ontvangen_op=ontvangen_op,
        terugkoppelcode=code,
    )


async def _sla_op(
    ctx: Context, data: MeldingGeregistreerd, invoer: MeldingInvoer, code: str | None, idempotency_key: str | None
) -> None:
    """The melding, its people, its first status and its event: one transaction."""
    persoonsgegevens = invoer.model_dump(mode="json", include={"melder", "betreft", "omschrijving"})
    async with ctx.uows() as uow:
        await uow.session.execute(
            tables.meldingen.insert().values(
                melding_id=data.melding_id,
                gemeente=data.gemeente,
                kanaal=data.kanaal,
                soort=data.soort,
                melder_type=data.melder_type,
                huishouden_id=data.huishouden_id,
                wijk=data.wijk,
                status=Status.geregistreerd,
                ontvangen_op=data.ontvangen_op,
                feiten=data.model_dump(mode="json", exclude={"melding_id", "gemeente", "ontvangen_op"}),
                persoonsgegevens=ctx.extra["kluis"].versleutel(json.dumps(persoonsgegevens)),
                wil_terugkoppeling=invoer.melder.wil_terugkoppeling,
                terugkoppelcode_sha256=_sha256(code) if code else None,
                idempotency_key=idempotency_key,
            )
        )
        if data.persoon_sleutels:
            await uow.session.execute(
                tables.melding_personen.insert(),
                [
                    {"melding_id": data.melding_id, "volgnummer": i, "persoon_sleutel": s}
                    for i, s in enumerate(data.persoon_sleutels)
                ],
            )
        await uow.session.execute(
            tables.statushistorie.insert().values(
                melding_id=data.melding_id, status=Status.geregistreerd, tijdstip=data.ontvangen_op
            )
        )
        uow.publiceer(
            maak_event(
                data,
                service="intake",
                gemeente=data.gemeente,
                subject=str(data.melding_id),
                correlatieid=str(data.melding_id),
                dataref=f"/v1/meldingen/{data.melding_id}",
            )
        )
        await uow.commit()


async def _eerder_antwoord(ctx: Context, sleutel: str) -> JSONResponse | None:
    m = tables.meldingen
    async with ctx.uows() as uow:
        rij = (await uow.session.execute(select(m).where(m.c.idempotency_key == sleutel))).first()
    if rij is None:
        return None
    # The terugkoppelcode is only stored hashed: a retry does not get it again.
    antwoord = MeldingAntwoord(
        melding_id=rij.melding_id,
        status=Status.geregistreerd,
        huishouden_id=rij.huishouden_id,
        wijk=rij.wijk,
        ontvangen_op=rij.ontvangen_op,
    )
    return JSONResponse(antwoord.model_dump(mode="json"), status_code=201, headers={"Idempotency-Replayed": "true"})


def _sha256(tekst: str) -> str:
    return hashlib.sha256(tekst.encode()).hexdigest()


@router.get("/{melding_id}", responses=fouten(404))
async def lees_melding(
    melding_id: uuid.UUID,
    request: Request,
    gebruiker: Annotated[Gebruiker, Depends(vereist(*GEMEENTE_ROLLEN))],
):
    ctx = _ctx(request)
    m = tables.meldingen
    async with ctx.uows() as uow:
        rij = (await uow.session.execute(select(m).where(m.c.melding_id == melding_id))).first()
        if rij is None or not _mag_lezen(gebruiker, rij):
            raise HTTPException(404, "Melding niet gevonden.")
        sleutels = (
            (
                await uow.session.execute(
                    select(tables.melding_personen.c.persoon_sleutel).where(
                        tables.melding_personen.c.melding_id == melding_id
                    )
                )
            )
            .scalars()
            .all()
        )
        await log_verwerking(
            uow.session, tables.verwerkingslog, "melding inzien", list(sleutels) or [rij.huishouden_id], gebruiker
        )
        await uow.commit()
    gegevens = json.loads(ctx.extra["kluis"].ontsleutel(rij.persoonsgegevens))
    return {
        "melding_id": rij.melding_id,
        "gemeente": rij.gemeente,
        "kanaal": rij.kanaal,
        "soort": rij.soort,
        "status": rij.status,
        "team_id": rij.team_id,
        "wijk": rij.wijk,
        "huishouden_id": rij.huishouden_id,
        "ontvangen_op": rij.ontvangen_op,
        **rij.feiten,
        **gegevens,
    }


def _mag_lezen(gebruiker: Gebruiker, rij) -> bool:
    """Gemeente roles of the melding's gemeente; wijkcoaches only when routed to one of their teams."""
    if gebruiker.gemeente != rij.gemeente:
        return False
    if gebruiker.rol in (Rol.beheer, Rol.meldpunt, Rol.lokale_kamer, Rol.consulent):
        return True
    return rij.team_id is not None and rij.team_id in gebruiker.teams


@router.get("/{melding_id}/status", responses=fouten(404))
async def status_voor_melder(
    melding_id: uuid.UUID,
    request: Request,
    gebruiker: Annotated[Gebruiker | None, Depends(optionele_gebruiker)],
    # A header, not a query parameter: URLs end up in spans and proxy logs, and the code is a secret.
    terugkoppelcode: Annotated[str | None, Header(max_length=64)] = None,
):
    """What a melder may see: picked up or not, by which kind of team; never the plan."""
    ctx = _ctx(request)
    m, h = tables.meldingen, tables.statushistorie
    async with ctx.uows() as uow:
        rij = (await uow.session.execute(select(m).where(m.c.melding_id == melding_id))).first()
        if rij is None or not _mag_status_zien(gebruiker, rij, terugkoppelcode):
            raise HTTPException(404, "Melding niet gevonden.")
        historie = (
            await uow.session.execute(
                select(h.c.status, h.c.route, h.c.tijdstip).where(h.c.melding_id == melding_id).order_by(h.c.id)
            )
        ).all()
    return {
        "melding_id": melding_id,
        "status": rij.status,
        "historie": [{"status": s, "soort_team": r, "tijdstip": t} for s, r, t in historie],
    }


def _mag_status_zien(gebruiker: Gebruiker | None, rij, code: str | None) -> bool:
    if code is not None:
        return rij.terugkoppelcode_sha256 is not None and hmac.compare_digest(_sha256(code), rij.terugkoppelcode_sha256)
    return gebruiker is not None and gebruiker.rol in GEMEENTE_ROLLEN and gebruiker.gemeente == rij.gemeente
