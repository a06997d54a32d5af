"""Signalering's HTTP API: partners post signals; gemeente roles read a casus."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ValidationError
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from services.signalering import domain, tables
from services.signalering.domain import Beoordeling, SignaalInvoer
from shared.auth import GEMEENTE_ROLLEN, Gebruiker, Rol, huidige_gebruiker, vereist
from shared.events import SignaalAfgehandeld, SignaalDoorgezet, SignaalInCasus, SignaalOntvangen, maak_event
from shared.gemeenten import Gemeente, Partner
from shared.http import OngeldigeInvoer, veldfout
from shared.privacy import adres_sleutel, persoon_sleutel_bsn, persoon_sleutel_ngp
from shared.service import Context
from shared.termijnen import TZ

router = APIRouter(prefix="/v1", tags=["signalen"])


class SignaalAntwoord(BaseModel):
    signaal_id: uuid.UUID
    beoordeling: Beoordeling
    casus_id: uuid.UUID | None


class Batch(BaseModel):
    signalen: list[dict[str, Any]]


MAX_BATCH = 10_000
_bearer = HTTPBearer(auto_error=False)


def partner_van(request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
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


@router.post("/signalen", status_code=202, response_model=SignaalAntwoord)
async def ontvang_signaal(invoer: SignaalInvoer, request: Request, afzender: Afzender):
    ctx: Context = request.app.state.ctx
    gemeente, partner = afzender
    nu = datetime.now(timezone.utc)
    if fouten := domain.controleer(invoer, gemeente, list(partner.soorten), nu.astimezone(TZ).date()):
        raise OngeldigeInvoer(fouten)
    return await neem_op(ctx, invoer, gemeente, partner, nu)


@router.post("/signalen/batch", status_code=202)
async def ontvang_batch(batch: Batch, request: Request, afzender: Afzender):
    """Up to 10,000 signals; a result per item; valid items are accepted even when others are wrong."""
    if len(batch.signalen) > MAX_BATCH:
        raise HTTPException(413, f"Hoogstens {MAX_BATCH} signalen per batch; deze had er {len(batch.signalen)}.")
    ctx: Context = request.app.state.ctx
    gemeente, partner = afzender
    nu = datetime.now(timezone.utc)
    resultaten = []
    for ruw in batch.signalen:
        try:
            invoer = SignaalInvoer.model_validate(ruw)
        except ValidationError as fout:
            resultaten.append({"geaccepteerd": False, "errors": [
                veldfout(tuple(e["loc"]), e["msg"]) for e in fout.errors(include_input=False)]})
            continue
        if fouten := domain.controleer(invoer, gemeente, list(partner.soorten), nu.astimezone(TZ).date()):
            resultaten.append({"partner_signaal_id": invoer.partner_signaal_id, "geaccepteerd": False,
                               "errors": [veldfout(p, m) for p, m in fouten]})
            continue
        try:
            antwoord = await neem_op(ctx, invoer, gemeente, partner, nu)
        except IntegrityError:
            resultaten.append({"partner_signaal_id": invoer.partner_signaal_id, "geaccepteerd": False, "errors": [
                veldfout((), "bleef botsen met gelijktijdige signalen voor dit huishouden; stuur het opnieuw")]})
            continue
        resultaten.append({"partner_signaal_id": invoer.partner_signaal_id, "geaccepteerd": True,
                           **antwoord.model_dump(mode="json")})
    return {"aantal": len(resultaten), "geaccepteerd": sum(r["geaccepteerd"] for r in resultaten),
            "resultaten": resultaten}


async def neem_op(ctx: Context, invoer: SignaalInvoer, gemeente: Gemeente, partner: Partner,
                  nu: datetime) -> SignaalAntwoord:
    # Two signals for one household at the same moment: one opens the casus, the other finds the unique
    # index in its way and tries again, and then joins the casus (or finds its own repeat).
    for poging in range(3):
        try:
            async with ctx.uows() as uow:
                s = tables.signalen
                eerder = (await uow.session.execute(select(s.c.signaal_id, s.c.beoordeling, s.c.casus_id).where(
                    s.c.partner_id == partner.partner_id, s.c.partner_signaal_id == invoer.partner_signaal_id))).first()
                if eerder is not None:  # a repeated partner_signaal_id returns the first result
                    return SignaalAntwoord(signaal_id=eerder.signaal_id, beoordeling=eerder.beoordeling,
                                           casus_id=eerder.casus_id)
                antwoord = await _registreer(ctx, uow, invoer, gemeente, partner, nu)
                await uow.commit()
                return antwoord
        except IntegrityError:
            if poging == 2:
                raise
    raise AssertionError("onbereikbaar")


async def _registreer(ctx: Context, uow, invoer: SignaalInvoer, gemeente: Gemeente, partner: Partner,
                      nu: datetime) -> SignaalAntwoord:
    sleutel = ctx.extra["pseudoniem_sleutel"]
    b = invoer.betreft
    persoon = (persoon_sleutel_bsn(sleutel, b.bsn) if b.bsn else
               persoon_sleutel_ngp(sleutel, b.naam, b.geboortedatum, b.adres.postcode, b.adres.huisnummer))
    huishouden = adres_sleutel(sleutel, b.adres.postcode, b.adres.huisnummer, b.adres.toevoeging)
    wijk = gemeente.wijk_van(b.adres.postcode)
    venster = nu - timedelta(days=gemeente.signalering.koppelvenster_dagen)
    s = tables.signalen
    eerdere = (await uow.session.execute(select(s.c.partner_id, s.c.bedrag_achterstand_cent).where(
        s.c.persoon_sleutel == persoon, s.c.ontvangen_op >= venster))).all()
    crisis = domain.is_crisis(invoer)
    beoordeling = domain.beoordeel(invoer, partner.partner_id, [domain.EerderSignaal(*r) for r in eerdere],
                                   gemeente.signalering.drempels.get(invoer.soort), nu.astimezone(TZ).date())
    casus = await _open_casus(uow, huishouden, persoon, venster)
    koppeling = domain.koppel(beoordeling, crisis, partner.partner_id, casus)
    signaal_id = uuid.uuid4()
    casus_id = casus.casus_id if casus else (uuid.uuid4() if koppeling.nieuwe_casus else None)
    c = tables.casussen
    if koppeling.nieuwe_casus:
        await uow.session.execute(c.insert().values(
            casus_id=casus_id, gemeente=gemeente.code, huishouden_id=huishouden, wijk=wijk.id if wijk else None,
            status="doorgezet" if koppeling.escaleer else "open", reden=koppeling.reden or "onder_drempel",
            crisis=crisis))
    elif casus is not None and (koppeling.escaleer or koppeling.reden):
        await uow.session.execute(update(c).where(c.c.casus_id == casus_id).values(
            reden=koppeling.reden, crisis=casus.crisis or crisis,
            **({"status": "doorgezet"} if casus.status == "open" else {})))
    await uow.session.execute(s.insert().values(
        signaal_id=signaal_id, partner_id=partner.partner_id, partner_signaal_id=invoer.partner_signaal_id,
        gemeente=gemeente.code, soort=invoer.soort, huishouden_id=huishouden, persoon_sleutel=persoon,
        bedrag_achterstand_cent=invoer.bedrag_achterstand_cent, achterstand_sinds=invoer.achterstand_sinds,
        crisis=crisis, beoordeling=beoordeling, casus_id=casus_id, ontvangen_op=nu,
        persoonsgegevens=ctx.extra["kluis"].versleutel(json.dumps(b.model_dump(mode="json")))))

    def publiceer(data, subject: str) -> None:
        uow.publiceer(maak_event(data, service="signalering", gemeente=gemeente.code, subject=subject,
                                 correlatieid=str(signaal_id)))

    publiceer(SignaalOntvangen(
        signaal_id=signaal_id, gemeente=gemeente.code, partner_id=partner.partner_id, partner_type=partner.type,
        soort=invoer.soort, huishouden_id=huishouden, persoon_sleutel=persoon,
        bedrag_achterstand_cent=invoer.bedrag_achterstand_cent, achterstand_sinds=invoer.achterstand_sinds,
        crisis=crisis, ontvangen_op=nu, beoordeling=beoordeling, casus_id=casus_id), str(signaal_id))
    if koppeling.escaleer:
        signalen = await _signalen_van(uow, casus_id, ctx)
        publiceer(SignaalDoorgezet(
            casus_id=casus_id, gemeente=gemeente.code, huishouden_id=huishouden, wijk=wijk.id if wijk else None,
            signalen=signalen, reden=koppeling.reden, crisis=crisis or bool(casus and casus.crisis),
            ontvangen_op=nu), str(casus_id))
    return SignaalAntwoord(signaal_id=signaal_id, beoordeling=beoordeling, casus_id=casus_id)


async def _open_casus(uow, huishouden: str, persoon: str, venster: datetime) -> domain.OpenCasus | None:
    """The household's open casus, or the one of this person at another address; locked for this signal.
    A casus that never needed outreach and is older than the window has gone stale: it closes, and the
    retention job purges it."""
    c, s = tables.casussen, tables.signalen
    van_persoon = select(s.c.casus_id).where(s.c.persoon_sleutel == persoon, s.c.casus_id.is_not(None))
    rij = (await uow.session.execute(
        select(c.c.casus_id, c.c.status, c.c.crisis, c.c.geopend_op)
        .where(c.c.status.in_(domain.OPEN_STATUSSEN), or_(c.c.huishouden_id == huishouden, c.c.casus_id.in_(van_persoon)))
        .order_by(c.c.geopend_op.desc()).limit(1).with_for_update(of=c))).first()
    if rij is None:
        return None
    if rij.status == "open" and rij.geopend_op < venster:
        await uow.session.execute(update(c).where(c.c.casus_id == rij.casus_id).values(
            status="afgesloten", afgesloten_op=func.now()))
        return None
    partners = (await uow.session.execute(select(s.c.partner_id).where(s.c.casus_id == rij.casus_id)
                                          .distinct())).scalars().all()
    return domain.OpenCasus(rij.casus_id, rij.status, rij.crisis, frozenset(partners))


async def _signalen_van(uow, casus_id, ctx: Context) -> list[SignaalInCasus]:
    s = tables.signalen
    rijen = (await uow.session.execute(select(s.c.signaal_id, s.c.partner_id, s.c.soort)
                                       .where(s.c.casus_id == casus_id).order_by(s.c.ontvangen_op))).all()
    def partner_type(partner_id: str) -> str:  # a partner removed from the configuration since
        gevonden = ctx.gemeenten.partner(partner_id)
        return gevonden[1].type if gevonden else "onbekend"

    return [SignaalInCasus(signaal_id=r.signaal_id, partner_type=partner_type(r.partner_id), soort=r.soort)
            for r in rijen]


@router.get("/casussen/{casus_id}")
async def casus(casus_id: uuid.UUID, request: Request,
                gebruiker: Annotated[Gebruiker, Depends(vereist(*GEMEENTE_ROLLEN))]):
    c, s = tables.casussen, tables.signalen
    async with request.app.state.ctx.uows() as uow:
        rij = (await uow.session.execute(select(c).where(c.c.casus_id == casus_id))).mappings().first()
        if rij is None or rij["gemeente"] != gebruiker.gemeente:
            raise HTTPException(404, "Casus niet gevonden.")
        signalen = (await uow.session.execute(
            select(s.c.signaal_id, s.c.partner_id, s.c.soort, s.c.beoordeling, s.c.crisis, s.c.ontvangen_op)
            .where(s.c.casus_id == casus_id).order_by(s.c.ontvangen_op))).mappings().all()
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
    if rij is None or rij.gemeente != gebruiker.gemeente:
        raise HTTPException(404, "Casus niet gevonden.")
    return rij


@router.post("/casussen/{casus_id}/contactpogingen", status_code=201)
async def contactpoging(casus_id: uuid.UUID, poging: Contactpoging, request: Request, gebruiker: Medewerker):
    async with request.app.state.ctx.uows() as uow:
        rij = await _casus_voor(uow, casus_id, gebruiker)
        if rij.status == "afgesloten":
            raise HTTPException(409, "Deze casus is afgesloten.")
        await uow.session.execute(tables.contactpogingen.insert().values(
            casus_id=casus_id, door=gebruiker.actor, **poging.model_dump()))
        await uow.commit()
    return {"casus_id": casus_id, **poging.model_dump(mode="json")}


@router.post("/casussen/{casus_id}/afsluiten")
async def sluit_casus_af(casus_id: uuid.UUID, afsluiting: CasusAfsluiting, request: Request, gebruiker: Medewerker):
    """Close the casus with its result; every partner that signalled hears that its signal was handled."""
    ctx: Context = request.app.state.ctx
    nu = datetime.now(timezone.utc)
    c, s = tables.casussen, tables.signalen
    async with ctx.uows() as uow:
        rij = await _casus_voor(uow, casus_id, gebruiker)
        if rij.status == "afgesloten":
            raise HTTPException(409, "Deze casus is al afgesloten.")
        await uow.session.execute(update(c).where(c.c.casus_id == casus_id).values(
            status="afgesloten", resultaat=afsluiting.resultaat, afgesloten_op=nu))
        signalen = (await uow.session.execute(select(s.c.signaal_id, s.c.partner_id, s.c.beoordeling)
                                              .where(s.c.casus_id == casus_id))).all()
        for signaal in signalen:
            data = SignaalAfgehandeld(signaal_id=signaal.signaal_id, partner_id=signaal.partner_id,
                                      resultaat=domain.terugkoppeling(signaal.beoordeling, "afgesloten"))
            uow.publiceer(maak_event(data, service="signalering", gemeente=rij.gemeente,
                                     subject=str(signaal.signaal_id), correlatieid=str(signaal.signaal_id)))
        await uow.commit()
    return {"casus_id": casus_id, "status": "afgesloten", "resultaat": afsluiting.resultaat}


@router.get("/signalen/{signaal_id}/terugkoppeling")
async def terugkoppeling(signaal_id: uuid.UUID, request: Request, afzender: Afzender):
    """Only what the partner may know, and only of its own signals (404 for any other)."""
    _, partner = afzender
    s, c = tables.signalen, tables.casussen
    async with request.app.state.ctx.uows() as uow:
        rij = (await uow.session.execute(
            select(s.c.signaal_id, s.c.partner_signaal_id, s.c.partner_id, s.c.beoordeling, s.c.ontvangen_op,
                   c.c.status).select_from(s.outerjoin(c, c.c.casus_id == s.c.casus_id))
            .where(s.c.signaal_id == signaal_id))).first()
    if rij is None or rij.partner_id != partner.partner_id:
        raise HTTPException(404, "Signaal niet gevonden.")
    return {"signaal_id": rij.signaal_id, "partner_signaal_id": rij.partner_signaal_id,
            "ontvangen_op": rij.ontvangen_op, "beoordeling": rij.beoordeling,
            "status": domain.terugkoppeling(rij.beoordeling, rij.status)}
