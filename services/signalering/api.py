"""Signalering's HTTP API: partners post signals; gemeente roles read a casus."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.signalering import domain, tables
from services.signalering.domain import Beoordeling, SignaalInvoer
from shared.auth import GEMEENTE_ROLLEN, Gebruiker, Rol, vereist
from shared.events import SignaalDoorgezet, SignaalInCasus, SignaalOntvangen, maak_event
from shared.gemeenten import Gemeente, Partner
from shared.http import OngeldigeInvoer
from shared.privacy import adres_sleutel, persoon_sleutel_bsn, persoon_sleutel_ngp
from shared.service import Context

router = APIRouter(prefix="/v1", tags=["signalen"])


class SignaalAntwoord(BaseModel):
    signaal_id: uuid.UUID
    beoordeling: Beoordeling
    casus_id: uuid.UUID | None


def _partner(ctx: Context, gebruiker: Gebruiker) -> tuple[Gemeente, Partner]:
    """The partner is who its credentials say, never what the payload says."""
    gevonden = ctx.gemeenten.partner(gebruiker.partner_id or "")
    if gevonden is None or (gebruiker.gemeente and gevonden[0].code != gebruiker.gemeente):
        raise HTTPException(403, "Onbekende partner.")
    return gevonden


@router.post("/signalen", status_code=202, response_model=SignaalAntwoord)
async def ontvang_signaal(invoer: SignaalInvoer, request: Request,
                          gebruiker: Annotated[Gebruiker, Depends(vereist(Rol.partner))]):
    ctx: Context = request.app.state.ctx
    gemeente, partner = _partner(ctx, gebruiker)
    nu = datetime.now(timezone.utc)
    if fouten := domain.controleer(invoer, gemeente, list(partner.soorten), nu.date()):
        raise OngeldigeInvoer(fouten)
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
    s, c = tables.signalen, tables.casussen
    eerdere = (await uow.session.execute(select(s.c.partner_id, s.c.bedrag_achterstand_cent).where(
        s.c.persoon_sleutel == persoon))).all()
    beoordeling = domain.beoordeel(invoer, partner.partner_id, [domain.EerderSignaal(*r) for r in eerdere])
    crisis = domain.is_crisis(invoer)
    signaal_id, casus_id = uuid.uuid4(), None
    publiceer = lambda data, subject: uow.publiceer(maak_event(  # noqa: E731
        data, service="signalering", gemeente=gemeente.code, subject=subject, correlatieid=str(signaal_id)))
    nieuwe_casus = False
    if beoordeling == Beoordeling.nieuw:
        open_casus = (await uow.session.execute(select(c.c.casus_id).where(
            c.c.huishouden_id == huishouden, c.c.status.in_(["open", "doorgezet", "opgepakt"])))).first()
        if open_casus is not None:
            casus_id = open_casus.casus_id
        else:
            casus_id, nieuwe_casus = uuid.uuid4(), True
            await uow.session.execute(c.insert().values(
                casus_id=casus_id, gemeente=gemeente.code, huishouden_id=huishouden, wijk=wijk.id if wijk else None,
                status="doorgezet", reden="crisis" if crisis else "nieuw_signaal", crisis=crisis))
    await uow.session.execute(s.insert().values(
        signaal_id=signaal_id, partner_id=partner.partner_id, partner_signaal_id=invoer.partner_signaal_id,
        gemeente=gemeente.code, soort=invoer.soort, huishouden_id=huishouden, persoon_sleutel=persoon,
        bedrag_achterstand_cent=invoer.bedrag_achterstand_cent, achterstand_sinds=invoer.achterstand_sinds,
        crisis=crisis, beoordeling=beoordeling, casus_id=casus_id, ontvangen_op=nu,
        persoonsgegevens=ctx.extra["kluis"].versleutel(json.dumps(b.model_dump(mode="json")))))
    publiceer(SignaalOntvangen(
        signaal_id=signaal_id, gemeente=gemeente.code, partner_id=partner.partner_id, partner_type=partner.type,
        soort=invoer.soort, huishouden_id=huishouden, persoon_sleutel=persoon,
        bedrag_achterstand_cent=invoer.bedrag_achterstand_cent, achterstand_sinds=invoer.achterstand_sinds,
        crisis=crisis, ontvangen_op=nu, beoordeling=beoordeling, casus_id=casus_id), str(signaal_id))
    if nieuwe_casus:
        publiceer(SignaalDoorgezet(
            casus_id=casus_id, gemeente=gemeente.code, huishouden_id=huishouden, wijk=wijk.id if wijk else None,
            signalen=[SignaalInCasus(signaal_id=signaal_id, partner_type=partner.type, soort=invoer.soort)],
            reden="crisis" if crisis else "nieuw_signaal", crisis=crisis, ontvangen_op=nu), str(casus_id))
    return SignaalAntwoord(signaal_id=signaal_id, beoordeling=beoordeling, casus_id=casus_id)


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
