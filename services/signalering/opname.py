"""Taking signals in, set-based: one transaction and a handful of queries per batch, not per signal.

A single POST is a batch of one, so both paths are the same code. The domain decides per signal, in
order, on state held here in memory (a repeat or a second partner inside the same batch counts too);
the rows and events are written together at the end.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import String, Uuid, any_, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY

from services.signalering import domain, tables
from services.signalering.domain import Beoordeling, SignaalInvoer
from shared.db import is_botsing, voeg_toe
from shared.events import SignaalDoorgezet, SignaalInCasus, SignaalOntvangen, maak_event
from shared.gemeenten import Gemeente, Partner
from shared.ids import nieuw_id
from shared.privacy import adres_sleutel, persoon_sleutel_bsn, persoon_sleutel_ngp
from shared.service import Context
from shared.termijnen import TZ


@dataclass
class Antwoord:
    signaal_id: uuid.UUID
    beoordeling: Beoordeling
    casus_id: uuid.UUID | None


@dataclass
class Casus:
    """A casus as this batch sees it: loaded, or opened by one of its signals."""

    casus_id: uuid.UUID
    status: str
    crisis: bool
    reden: str | None
    huishouden_id: str
    wijk: str | None
    partners: set[str] = field(default_factory=set)
    signalen: list[SignaalInCasus] = field(default_factory=list)
    nieuw: bool = False
    gewijzigd: bool = False

    def als_open_casus(self) -> domain.OpenCasus:
        return domain.OpenCasus(self.casus_id, self.status, self.crisis, frozenset(self.partners))


async def neem_op(
    ctx: Context, invoeren: list[SignaalInvoer], gemeente: Gemeente, partner: Partner, nu: datetime
) -> list[Antwoord | None]:
    """An answer per signal, in order; None for a signal that kept colliding (send it again later)."""
    # A batch that meets another one for the same household at the same moment finds the unique index in
    # its way, or a deadlock; it tries again and then sees the other's casus. Large batches running side
    # by side may keep meeting: then the batch splits, so that only the few colliding signals go round again.
    for _ in range(2):
        try:
            async with ctx.uows() as uow:
                antwoorden = await _neem_op(ctx, uow, invoeren, gemeente, partner, nu)
                await uow.commit()
                return antwoorden
        except Exception as fout:
            if not is_botsing(fout):
                raise
    if len(invoeren) == 1:
        return [None]
    midden = len(invoeren) // 2
    return await neem_op(ctx, invoeren[:midden], gemeente, partner, nu) + await neem_op(
        ctx, invoeren[midden:], gemeente, partner, nu
    )


async def _neem_op(
    ctx: Context, uow, invoeren: list[SignaalInvoer], gemeente: Gemeente, partner: Partner, nu: datetime
) -> list[Antwoord]:
    sleutel = ctx.extra["pseudoniem_sleutel"]
    venster = nu - timedelta(days=gemeente.signalering.koppelvenster_dagen)
    vandaag = nu.astimezone(TZ).date()
    sleutels = [_sleutels(sleutel, i) for i in invoeren]
    personen = {p for p, _ in sleutels}
    eerder = await _eerdere_antwoorden(uow, partner.partner_id, [i.partner_signaal_id for i in invoeren])
    eerdere = await _eerdere_signalen(uow, personen, venster)
    per_huishouden, per_persoon = await _open_casussen(uow, ctx, {h for _, h in sleutels}, personen, venster)

    antwoorden, signaal_rijen = [], []
    for invoer, (persoon, huishouden) in zip(invoeren, sleutels, strict=False):
        if (herhaald := eerder.get(invoer.partner_signaal_id)) is not None:
            antwoorden.append(herhaald)  # a repeated partner_signaal_id returns the first result
            continue
        crisis = domain.is_crisis(invoer)
        beoordeling = domain.beoordeel(
            invoer,
            partner.partner_id,
            eerdere.get(persoon, []),
            gemeente.signalering.drempels.get(invoer.soort),
            vandaag,
        )
        casus = per_huishouden.get(huishouden) or per_persoon.get(persoon)
        koppeling = domain.koppel(beoordeling, crisis, partner.partner_id, casus.als_open_casus() if casus else None)
        if koppeling.nieuwe_casus:
            wijk = gemeente.wijk_van(invoer.betreft.adres.postcode)
            casus = Casus(
                nieuw_id(),
                "doorgezet" if koppeling.escaleer else "open",
                crisis,
                koppeling.reden or "onder_drempel",
                huishouden,
                wijk.id if wijk else None,
                nieuw=True,
            )
            per_huishouden[huishouden] = casus
        elif casus is not None and (koppeling.escaleer or koppeling.reden):
            casus.reden, casus.crisis, casus.gewijzigd = koppeling.reden, casus.crisis or crisis, True
            casus.status = "doorgezet" if casus.status == "open" else casus.status
        signaal_id = nieuw_id()
        if casus is not None:
            per_persoon[persoon] = casus
            casus.partners.add(partner.partner_id)
            casus.signalen.append(SignaalInCasus(signaal_id=signaal_id, partner_type=partner.type, soort=invoer.soort))
        eerdere.setdefault(persoon, []).append(domain.EerderSignaal(partner.partner_id, invoer.bedrag_achterstand_cent))
        antwoord = Antwoord(signaal_id, beoordeling, casus.casus_id if casus else None)
        eerder[invoer.partner_signaal_id] = antwoord
        antwoorden.append(antwoord)
        signaal_rijen.append(_signaal_rij(ctx, invoer, antwoord, gemeente, partner, persoon, huishouden, crisis, nu))
        _publiceer(
            uow,
            gemeente,
            partner,
            invoer,
            antwoord,
            persoon,
            huishouden,
            crisis,
            nu,
            casus if koppeling.escaleer else None,
        )
    casussen = {k.casus_id: k for k in [*per_huishouden.values(), *per_persoon.values()]}
    await _schrijf(uow, gemeente.code, list(casussen.values()), signaal_rijen)
    return antwoorden


def _een_van(waarden, type_=String):
    """`= ANY(:array)`: one parameter for a list of thousands, where IN would compile one per value."""
    return any_(bindparam(None, list(waarden), type_=ARRAY(type_)))


def _sleutels(sleutel: bytes, invoer: SignaalInvoer) -> tuple[str, str]:
    b = invoer.betreft
    persoon = (
        persoon_sleutel_bsn(sleutel, b.bsn)
        if b.bsn
        else persoon_sleutel_ngp(sleutel, b.naam, b.geboortedatum, b.adres.postcode, b.adres.huisnummer)
    )
    return persoon, adres_sleutel(sleutel, b.adres.postcode, b.adres.huisnummer, b.adres.toevoeging)


async def _eerdere_antwoorden(uow, partner_id: str, ids: list[str]) -> dict[str, Antwoord]:
    s = tables.signalen
    rijen = await uow.session.execute(
        select(s.c.partner_signaal_id, s.c.signaal_id, s.c.beoordeling, s.c.casus_id).where(
            s.c.partner_id == partner_id, s.c.partner_signaal_id == _een_van(ids)
        )
    )
    return {r.partner_signaal_id: Antwoord(r.signaal_id, Beoordeling(r.beoordeling), r.casus_id) for r in rijen}


async def _eerdere_signalen(uow, personen: set[str], venster: datetime) -> dict[str, list[domain.EerderSignaal]]:
    s = tables.signalen
    rijen = await uow.session.execute(
        select(s.c.persoon_sleutel, s.c.partner_id, s.c.bedrag_achterstand_cent).where(
            s.c.persoon_sleutel == _een_van(personen), s.c.ontvangen_op >= venster
        )
    )
    eerdere: dict[str, list[domain.EerderSignaal]] = {}
    for persoon, partner_id, bedrag in rijen:
        eerdere.setdefault(persoon, []).append(domain.EerderSignaal(partner_id, bedrag))
    return eerdere


async def _open_casussen(
    uow, ctx: Context, huishoudens: set[str], personen: set[str], venster: datetime
) -> tuple[dict[str, Casus], dict[str, Casus]]:
    """The open casussen of these households, or of these people at another address; locked for this
    batch. One that never needed outreach and is older than the window has gone stale: it closes."""
    c, s = tables.casussen, tables.signalen
    # Two index lookups, then one lock by key: a single query with OR over both made PostgreSQL scan.
    kandidaten = (
        select(c.c.casus_id)
        .where(tables.CASUS_OPEN, c.c.huishouden_id == _een_van(huishoudens))
        .union(select(s.c.casus_id).where(s.c.persoon_sleutel == _een_van(personen), s.c.casus_id.is_not(None)))
    )
    ids = (await uow.session.execute(kandidaten)).scalars().all()
    rijen = (
        (
            await uow.session.execute(
                select(c.c.casus_id, c.c.status, c.c.crisis, c.c.reden, c.c.huishouden_id, c.c.wijk, c.c.geopend_op)
                .where(c.c.casus_id == _een_van(ids, Uuid), tables.CASUS_OPEN)
                .order_by(c.c.geopend_op)
                .with_for_update(of=c)
            )
        ).all()
        if ids
        else []
    )
    verlopen = [r.casus_id for r in rijen if r.status == "open" and r.geopend_op < venster]
    if verlopen:
        await uow.session.execute(
            update(c).where(c.c.casus_id.in_(verlopen)).values(status="afgesloten", afgesloten_op=func.now())
        )
    casussen = {
        r.casus_id: Casus(r.casus_id, r.status, r.crisis, r.reden, r.huishouden_id, r.wijk)
        for r in rijen
        if r.casus_id not in verlopen
    }
    per_huishouden = {k.huishouden_id: k for k in casussen.values()}
    per_persoon: dict[str, Casus] = {}
    if casussen:
        signalen = await uow.session.execute(
            select(s.c.casus_id, s.c.signaal_id, s.c.partner_id, s.c.soort, s.c.persoon_sleutel)
            .where(s.c.casus_id == _een_van(casussen, Uuid))
            .order_by(s.c.ontvangen_op)
        )
        for casus_id, signaal_id, partner_id, soort, persoon in signalen:
            casus = casussen[casus_id]
            casus.partners.add(partner_id)
            gevonden = ctx.gemeenten.partner(partner_id)  # None for a partner since removed from the config
            casus.signalen.append(
                SignaalInCasus(
                    signaal_id=signaal_id, soort=soort, partner_type=gevonden[1].type if gevonden else "onbekend"
                )
            )
            if persoon in personen:
                per_persoon[persoon] = casus
    return per_huishouden, per_persoon


def _signaal_rij(
    ctx: Context,
    invoer: SignaalInvoer,
    antwoord: Antwoord,
    gemeente: Gemeente,
    partner: Partner,
    persoon: str,
    huishouden: str,
    crisis: bool,
    nu: datetime,
) -> dict:
    return {
        "signaal_id": antwoord.signaal_id,
        "partner_id": partner.partner_id,
        "partner_signaal_id": invoer.partner_signaal_id,
        "gemeente": gemeente.code,
        "soort": invoer.soort,
        "huishouden_id": huishouden,
        "persoon_sleutel": persoon,
        "crisis": crisis,
        "bedrag_achterstand_cent": invoer.bedrag_achterstand_cent,
        "achterstand_sinds": invoer.achterstand_sinds,
        "beoordeling": antwoord.beoordeling.value,
        "casus_id": antwoord.casus_id,
        "ontvangen_op": nu,
        "persoonsgegevens": ctx.extra["kluis"].versleutel(invoer.betreft.model_dump_json()),
    }


def _publiceer(
    uow,
    gemeente: Gemeente,
    partner: Partner,
    invoer: SignaalInvoer,
    antwoord: Antwoord,
    persoon: str,
    huishouden: str,
    crisis: bool,
    nu: datetime,
    escalatie: Casus | None,
) -> None:
    def event(data, subject) -> None:
        uow.publiceer(
            maak_event(
                data,
                service="signalering",
                gemeente=gemeente.code,
                subject=str(subject),
                correlatieid=str(antwoord.signaal_id),
            )
        )

    event(
        SignaalOntvangen(
            signaal_id=antwoord.signaal_id,
            gemeente=gemeente.code,
            partner_id=partner.partner_id,
            partner_type=partner.type,
            soort=invoer.soort,
            huishouden_id=huishouden,
            persoon_sleutel=persoon,
            bedrag_achterstand_cent=invoer.bedrag_achterstand_cent,
            achterstand_sinds=invoer.achterstand_sinds,
            crisis=crisis,
            ontvangen_op=nu,
            beoordeling=antwoord.beoordeling,
            casus_id=antwoord.casus_id,
        ),
        antwoord.signaal_id,
    )
    if escalatie is not None:  # once per escalation, never per signal
        event(
            SignaalDoorgezet(
                casus_id=escalatie.casus_id,
                gemeente=gemeente.code,
                huishouden_id=escalatie.huishouden_id,
                wijk=escalatie.wijk,
                signalen=list(escalatie.signalen),
                reden=escalatie.reden,
                crisis=escalatie.crisis,
                ontvangen_op=nu,
            ),
            escalatie.casus_id,
        )


async def _schrijf(uow, gemeente: str, casussen: list[Casus], signaal_rijen: list[dict]) -> None:
    """Casussen first (signals refer to them), each kind of write as one statement."""
    c = tables.casussen
    nieuw = [
        {
            "casus_id": k.casus_id,
            "gemeente": gemeente,
            "huishouden_id": k.huishouden_id,
            "wijk": k.wijk,
            "status": k.status,
            "reden": k.reden,
            "crisis": k.crisis,
        }
        for k in casussen
        if k.nieuw
    ]
    await voeg_toe(uow.session, c, nieuw)
    gewijzigd = [
        {"id": k.casus_id, "s": k.status, "r": k.reden, "k": k.crisis} for k in casussen if k.gewijzigd and not k.nieuw
    ]
    if gewijzigd:
        await uow.session.execute(
            update(c)
            .where(c.c.casus_id == bindparam("id"))
            .values(status=bindparam("s"), reden=bindparam("r"), crisis=bindparam("k")),
            gewijzigd,
        )
    await voeg_toe(uow.session, tables.signalen, signaal_rijen)
