"""Signalering's use cases: taking signals in (set-based), the staff's work on a casus, the partner's
feedback, and the casus being picked up by arrangement.

Each takes an open unit of work and does not commit (the route or the bus does), except taking signals
in: that runs its own transactions, to try again when it collides with another batch.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from pydantic import ValidationError
from sqlalchemy import String, Uuid, any_, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY

from services.signalering import domain, tables
from services.signalering.domain import LEVENSCYCLUS, Beoordeling, CasusStatus
from services.signalering.schemas import Casus as CasusAntwoord
from services.signalering.schemas import ContactpogingVanCasus, SignaalInvoer, SignaalTerugkoppeling, SignaalVanCasus
from shared.auth import Gebruiker, Rol
from shared.bus import OngeldigBericht, reden_van
from shared.db import UnitOfWork, UnitOfWorkFactory, is_botsing, voeg_toe
from shared.events import (
    CasusAfgesloten,
    DoorverwijzingAanvaard,
    SignaalAfgehandeld,
    SignaalDoorgezet,
    SignaalInCasus,
    SignaalOntvangen,
    maak_event,
)
from shared.gemeenten import Gemeente, Gemeenten, Partner
from shared.ids import nieuw_id
from shared.invoer import Contactpoging, Fouten, contactpoging_fouten
from shared.privacy import Kluis, adres_sleutel, persoon_sleutel_bsn, persoon_sleutel_ngp
from shared.termijnen import TZ
from shared.weigeringen import Bezet, NietGevonden, weiger_bij_fouten

if TYPE_CHECKING:
    from shared.service import Context

DEEL = 500  # signals per transaction in a batch: measured best of 250-5,000 (decision 0010)
BOTST = "bleef botsen met gelijktijdige signalen; stuur opnieuw"

Afzender = tuple[Gemeente, Partner]  # the partner that sends, and the gemeente it sends to


@dataclass(frozen=True)
class Middelen:
    """What taking signals in needs besides the database: `gemeenten` names the partner types of earlier
    signals; `kluis` encrypts the personal data at rest; `pseudoniem_sleutel` makes the person and
    household keys."""

    gemeenten: Gemeenten
    kluis: Kluis
    pseudoniem_sleutel: bytes

    @classmethod
    def van(cls, ctx: Context) -> Middelen:
        return cls(ctx.gemeenten, ctx.extra["kluis"], ctx.extra["pseudoniem_sleutel"])


@dataclass
class Antwoord:
    signaal_id: uuid.UUID
    beoordeling: Beoordeling
    casus_id: uuid.UUID | None


@dataclass
class BatchResultaat:
    """One item of a batch: its answer, or why it was not taken (field errors, or a lasting collision)."""

    partner_signaal_id: str | None  # None when the item did not even parse
    antwoord: Antwoord | None = None
    fouten: Fouten = field(default_factory=list)


# --- taking signals in --------------------------------------------------------------------------------


def _fouten(invoer: SignaalInvoer, afzender: Afzender, nu: datetime) -> Fouten:
    gemeente, partner = afzender
    return domain.controleer(invoer, gemeente, list(partner.soorten), nu.astimezone(TZ).date())


async def neem_signaal_op(
    uows: UnitOfWorkFactory, invoer: SignaalInvoer, afzender: Afzender, nu: datetime, middelen: Middelen
) -> Antwoord:
    """One signal (POST /v1/signalen): OngeldigeInvoer per field, Bezet when it kept colliding. Runs its
    own transactions (see neem_op)."""
    weiger_bij_fouten(_fouten(invoer, afzender, nu))
    return await _neem_een_op(uows, invoer, afzender, nu, middelen)


async def neem_batch_op(
    uows: UnitOfWorkFactory, ruwe: list[dict], afzender: Afzender, nu: datetime, middelen: Middelen
) -> list[BatchResultaat]:
    """A result per item, in order; valid items are taken even when others are wrong. Runs its own
    transactions, of at most DEEL signals each (see neem_op)."""
    resultaten: list[BatchResultaat] = []
    geldig: list[tuple[int, SignaalInvoer]] = []
    for ruw in ruwe:
        try:
            invoer = SignaalInvoer.model_validate(ruw)
        except ValidationError as fout:
            resultaten.append(
                BatchResultaat(None, fouten=[(tuple(e["loc"]), e["msg"]) for e in fout.errors(include_input=False)])
            )
            continue
        resultaat = BatchResultaat(invoer.partner_signaal_id, fouten=_fouten(invoer, afzender, nu))
        if not resultaat.fouten:
            geldig.append((len(resultaten), invoer))
        resultaten.append(resultaat)
    for begin in range(0, len(geldig), DEEL):  # bounded transactions
        deel = geldig[begin : begin + DEEL]
        antwoorden = await neem_op(uows, [i for _, i in deel], afzender, nu, middelen)
        for (plek, _), antwoord in zip(deel, antwoorden, strict=True):
            resultaten[plek].antwoord = antwoord
            if antwoord is None:
                resultaten[plek].fouten = [((), BOTST)]
    return resultaten


async def neem_partnerbericht_op(
    uows: UnitOfWorkFactory, partner_id: str, body: bytes, nu: datetime, middelen: Middelen
) -> Antwoord:
    """A signal published on `partners.<partner_id>.signalen`: the partner is the one the subject names
    (nats-server lets only that partner's user publish there; the payload cannot say otherwise).
    OngeldigBericht for a message that will never be taken (to the DLQ), Bezet to try again later.
    Runs its own transactions (see neem_op)."""
    afzender = middelen.gemeenten.partner(partner_id)
    if afzender is None:
        raise OngeldigBericht(f"onbekende partner {partner_id!r}")
    try:
        invoer = SignaalInvoer.model_validate_json(body)
    except ValidationError as fout:
        raise OngeldigBericht(reden_van(fout)) from None
    if fouten := _fouten(invoer, afzender, nu):
        velden = "; ".join(f"{'.'.join(map(str, pad))}: {m}" for pad, m in fouten)
        raise OngeldigBericht(f"ongeldig signaal: {velden}")  # no ids of the partner: they may be personal
    return await _neem_een_op(uows, invoer, afzender, nu, middelen)


async def _neem_een_op(
    uows: UnitOfWorkFactory, invoer: SignaalInvoer, afzender: Afzender, nu: datetime, middelen: Middelen
) -> Antwoord:
    antwoord = (await neem_op(uows, [invoer], afzender, nu, middelen))[0]
    if antwoord is None:
        raise Bezet("Gelijktijdige signalen voor dit huishouden; stuur het opnieuw.")
    return antwoord


@dataclass
class _Casus:
    """A casus as this batch sees it: loaded, or opened by one of its signals."""

    casus_id: uuid.UUID
    status: CasusStatus
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
    uows: UnitOfWorkFactory, invoeren: list[SignaalInvoer], afzender: Afzender, nu: datetime, middelen: Middelen
) -> list[Antwoord | None]:
    """Signals already checked (domain.controleer), set-based: one transaction and a handful of queries
    per batch, not per signal. A single signal is a batch of one, so both paths are the same code. The
    domain decides per signal, in order, on state held here in memory (a repeat or a second partner
    inside the same batch counts too); the rows and events are written together at the end.

    Runs its own transactions, from `uows`, to try again when it collides. An answer per signal, in order;
    None for a signal that kept colliding (send it again later)."""
    # A batch that meets another one for the same household at the same moment finds the unique index in
    # its way, or a deadlock; it tries again and then sees the other's casus. Large batches running side
    # by side may keep meeting: then the batch splits, so that only the few colliding signals go round again.
    for _ in range(2):
        try:
            async with uows() as uow:
                antwoorden = await _neem_op(uow, invoeren, afzender, nu, middelen)
                await uow.commit()
                return antwoorden
        except Exception as fout:
            if not is_botsing(fout):
                raise
    if len(invoeren) == 1:
        return [None]
    midden = len(invoeren) // 2
    eerste = await neem_op(uows, invoeren[:midden], afzender, nu, middelen)
    return eerste + await neem_op(uows, invoeren[midden:], afzender, nu, middelen)


async def _neem_op(
    uow: UnitOfWork, invoeren: list[SignaalInvoer], afzender: Afzender, nu: datetime, middelen: Middelen
) -> list[Antwoord | None]:
    gemeente, partner = afzender
    gemeenten, kluis, sleutel = middelen.gemeenten, middelen.kluis, middelen.pseudoniem_sleutel
    venster = nu - timedelta(days=gemeente.signalering.koppelvenster_dagen)
    vandaag = nu.astimezone(TZ).date()
    sleutels = [_sleutels(sleutel, i) for i in invoeren]
    personen = {p for p, _ in sleutels}
    eerder = await _eerdere_antwoorden(uow, partner.partner_id, [i.partner_signaal_id for i in invoeren])
    eerdere = await _eerdere_signalen(uow, personen, venster)
    per_huishouden, per_persoon = await _open_casussen(uow, gemeenten, {h for _, h in sleutels}, personen, venster)

    antwoorden: list[Antwoord | None] = []
    signaal_rijen = []
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
            casus = _Casus(
                nieuw_id(),
                CasusStatus.doorgezet if koppeling.escaleer else CasusStatus.open,
                crisis,
                koppeling.reden or "onder_drempel",
                huishouden,
                wijk.id if wijk else None,
                nieuw=True,
            )
            per_huishouden[huishouden] = casus
        elif casus is not None and (koppeling.escaleer or koppeling.reden):
            casus.reden, casus.crisis, casus.gewijzigd = koppeling.reden, casus.crisis or crisis, True
            casus.status = domain.status_na_escalatie(casus.status)
        signaal_id = nieuw_id()
        if casus is not None:
            per_persoon[persoon] = casus
            casus.partners.add(partner.partner_id)
            casus.signalen.append(SignaalInCasus(signaal_id=signaal_id, partner_type=partner.type, soort=invoer.soort))
        eerdere.setdefault(persoon, []).append(domain.EerderSignaal(partner.partner_id, invoer.bedrag_achterstand_cent))
        antwoord = Antwoord(signaal_id, beoordeling, casus.casus_id if casus else None)
        eerder[invoer.partner_signaal_id] = antwoord
        antwoorden.append(antwoord)
        rij = _signaal_rij(kluis, invoer, antwoord, gemeente, partner, persoon, huishouden, crisis, nu)
        signaal_rijen.append(rij)
        _publiceer(uow, rij, partner.type, casus if koppeling.escaleer else None)
    casussen = {k.casus_id: k for k in [*per_huishouden.values(), *per_persoon.values()]}
    await _schrijf(uow, gemeente.code, list(casussen.values()), signaal_rijen)
    return antwoorden


def _een_van(waarden, type_=String):
    """`= ANY(:array)`: one parameter for a list of thousands, where IN would compile one per value."""
    return any_(bindparam(None, list(waarden), type_=ARRAY(type_)))


def _sleutels(sleutel: bytes, invoer: SignaalInvoer) -> tuple[str, str]:
    b = invoer.betreft
    if b.bsn:
        persoon = persoon_sleutel_bsn(sleutel, b.bsn)
    else:
        assert b.naam and b.geboortedatum  # domain.controleer refused a signal without either
        persoon = persoon_sleutel_ngp(sleutel, b.naam, b.geboortedatum, b.adres.postcode, b.adres.huisnummer)
    return persoon, adres_sleutel(sleutel, b.adres.postcode, b.adres.huisnummer, b.adres.toevoeging)


async def _eerdere_antwoorden(uow: UnitOfWork, partner_id: str, ids: list[str]) -> dict[str, Antwoord]:
    s = tables.signalen
    rijen = await uow.connection.execute(
        select(s.c.partner_signaal_id, s.c.signaal_id, s.c.beoordeling, s.c.casus_id).where(
            s.c.partner_id == partner_id, s.c.partner_signaal_id == _een_van(ids)
        )
    )
    return {r.partner_signaal_id: Antwoord(r.signaal_id, Beoordeling(r.beoordeling), r.casus_id) for r in rijen}


async def _eerdere_signalen(
    uow: UnitOfWork, personen: set[str], venster: datetime
) -> dict[str, list[domain.EerderSignaal]]:
    s = tables.signalen
    rijen = await uow.connection.execute(
        select(s.c.persoon_sleutel, s.c.partner_id, s.c.bedrag_achterstand_cent).where(
            s.c.persoon_sleutel == _een_van(personen), s.c.ontvangen_op >= venster
        )
    )
    eerdere: dict[str, list[domain.EerderSignaal]] = {}
    for persoon, partner_id, bedrag in rijen:
        eerdere.setdefault(persoon, []).append(domain.EerderSignaal(partner_id, bedrag))
    return eerdere


async def _open_casussen(
    uow: UnitOfWork, gemeenten: Gemeenten, huishoudens: set[str], personen: set[str], venster: datetime
) -> tuple[dict[str, _Casus], dict[str, _Casus]]:
    """The open casussen of these households, or of these people at another address; locked for this
    batch. One that never needed outreach and is older than the window has gone stale: it closes."""
    c, s = tables.casussen, tables.signalen
    # Two index lookups, then one lock by key: a single query with OR over both made PostgreSQL scan.
    kandidaten = (
        select(c.c.casus_id)
        .where(tables.CASUS_OPEN, c.c.huishouden_id == _een_van(huishoudens))
        .union(select(s.c.casus_id).where(s.c.persoon_sleutel == _een_van(personen), s.c.casus_id.is_not(None)))
    )
    ids = (await uow.connection.execute(kandidaten)).scalars().all()
    rijen = (
        (
            await uow.connection.execute(
                select(c.c.casus_id, c.c.status, c.c.crisis, c.c.reden, c.c.huishouden_id, c.c.wijk, c.c.geopend_op)
                .where(c.c.casus_id == _een_van(ids, Uuid), tables.CASUS_OPEN)
                .order_by(c.c.geopend_op)
                .with_for_update(of=c)
            )
        ).all()
        if ids
        else []
    )
    verlopen = [r.casus_id for r in rijen if r.status == CasusStatus.open and r.geopend_op < venster]
    if verlopen:
        await uow.connection.execute(
            update(c)
            .where(c.c.casus_id.in_(verlopen))
            .values(
                status=LEVENSCYCLUS.ga_naar(CasusStatus.open, CasusStatus.afgesloten).value, afgesloten_op=func.now()
            )
        )
    casussen = {
        r.casus_id: _Casus(r.casus_id, CasusStatus(r.status), r.crisis, r.reden, r.huishouden_id, r.wijk)
        for r in rijen
        if r.casus_id not in verlopen
    }
    per_huishouden = {k.huishouden_id: k for k in casussen.values()}
    per_persoon: dict[str, _Casus] = {}
    if casussen:
        signalen = await uow.connection.execute(
            select(s.c.casus_id, s.c.signaal_id, s.c.partner_id, s.c.soort, s.c.persoon_sleutel)
            .where(s.c.casus_id == _een_van(casussen, Uuid))
            .order_by(s.c.ontvangen_op)
        )
        for casus_id, signaal_id, partner_id, soort, persoon in signalen:
            casus = casussen[casus_id]
            casus.partners.add(partner_id)
            gevonden = gemeenten.partner(partner_id)  # None for a partner since removed from the config
            casus.signalen.append(
                SignaalInCasus(
                    signaal_id=signaal_id, soort=soort, partner_type=gevonden[1].type if gevonden else "onbekend"
                )
            )
            if persoon in personen:
                per_persoon[persoon] = casus
    return per_huishouden, per_persoon


def _signaal_rij(
    kluis: Kluis,
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
        "persoonsgegevens": kluis.versleutel(invoer.betreft.model_dump_json()),
    }


# signaal-ontvangen says what the signal's row holds, without the personal data; and the partner's type.
_ONTVANGEN = frozenset(SignaalOntvangen.model_fields) - {"partner_type"}


def _publiceer(uow: UnitOfWork, rij: dict, partner_type: str, escalatie: _Casus | None) -> None:
    def event(data, subject) -> None:
        uow.publiceer(
            maak_event(
                data,
                service="signalering",
                gemeente=rij["gemeente"],
                subject=str(subject),
                correlatieid=str(rij["signaal_id"]),
            )
        )

    event(SignaalOntvangen(partner_type=partner_type, **{k: rij[k] for k in _ONTVANGEN}), rij["signaal_id"])
    if escalatie is not None:  # once per escalation, never per signal
        event(
            SignaalDoorgezet(
                casus_id=escalatie.casus_id,
                gemeente=rij["gemeente"],
                huishouden_id=escalatie.huishouden_id,
                wijk=escalatie.wijk,
                signalen=list(escalatie.signalen),
                reden=escalatie.reden,
                crisis=escalatie.crisis,
                ontvangen_op=rij["ontvangen_op"],
            ),
            escalatie.casus_id,
        )


async def _schrijf(uow: UnitOfWork, gemeente: str, casussen: list[_Casus], signaal_rijen: list[dict]) -> None:
    """Casussen first (signals refer to them), each kind of write as one statement."""
    c = tables.casussen
    nieuw = [
        {
            "casus_id": k.casus_id,
            "gemeente": gemeente,
            "huishouden_id": k.huishouden_id,
            "wijk": k.wijk,
            "status": k.status.value,
            "reden": k.reden,
            "crisis": k.crisis,
        }
        for k in casussen
        if k.nieuw
    ]
    await voeg_toe(uow.connection, c, nieuw)
    gewijzigd = [
        {"id": k.casus_id, "s": k.status.value, "r": k.reden, "k": k.crisis}
        for k in casussen
        if k.gewijzigd and not k.nieuw
    ]
    if gewijzigd:
        await uow.connection.execute(
            update(c)
            .where(c.c.casus_id == bindparam("id"))
            .values(status=bindparam("s"), reden=bindparam("r"), crisis=bindparam("k")),
            gewijzigd,
        )
    await voeg_toe(uow.connection, tables.signalen, signaal_rijen)


# --- the casus: staff reading and working it, arrangement picking it up ----------------------------------


def _mag_casus_zien(gebruiker: Gebruiker, gemeente: str, team_id: str | None) -> bool:
    """Gemeente roles of the casus's gemeente; a wijkcoach only once it went to one of his teams."""
    if gebruiker.gemeente != gemeente:
        return False
    return gebruiker.rol != Rol.wijkcoach or (team_id is not None and team_id in gebruiker.teams)


async def _casus_voor(uow: UnitOfWork, gebruiker: Gebruiker, casus_id: uuid.UUID, *, vergrendel: bool = False):
    """The casus row, if this user may see it; NietGevonden otherwise (its existence is private too)."""
    c = tables.casussen
    vraag = select(c).where(c.c.casus_id == casus_id)
    rij = (await uow.connection.execute(vraag.with_for_update() if vergrendel else vraag)).first()
    if rij is None or not _mag_casus_zien(gebruiker, rij.gemeente, rij.team_id):
        raise NietGevonden("Casus niet gevonden.")
    return rij


async def lees_casus(uow: UnitOfWork, gebruiker: Gebruiker, casus_id: uuid.UUID) -> CasusAntwoord:
    """The casus with its signals and its contact attempts, oldest first."""
    rij = await _casus_voor(uow, gebruiker, casus_id)
    s, p = tables.signalen, tables.contactpogingen
    signalen = await uow.connection.execute(
        select(
            s.c.signaal_id,
            s.c.partner_id,
            s.c.soort,
            s.c.beoordeling,
            s.c.crisis,
            s.c.ontvangen_op,
            s.c.bedrag_achterstand_cent,
            s.c.achterstand_sinds,
        )
        .where(s.c.casus_id == casus_id)
        .order_by(s.c.ontvangen_op)
    )
    pogingen = await uow.connection.execute(
        select(p.c.soort, p.c.bereikt, p.c.datum, p.c.dagdeel, p.c.door)
        .where(p.c.casus_id == casus_id)
        .order_by(p.c.datum, p.c.id)
    )
    return CasusAntwoord(
        **rij._mapping,
        signalen=[SignaalVanCasus.model_validate(dict(r._mapping)) for r in signalen],
        contactpogingen=[ContactpogingVanCasus.model_validate(dict(r._mapping)) for r in pogingen],
    )


async def leg_contactpoging_vast(
    uow: UnitOfWork, gebruiker: Gebruiker, casus_id: uuid.UUID, poging: Contactpoging, vandaag: date
) -> None:
    """OngeldigeOvergang on a closed casus; OngeldigeInvoer for an attempt dated in the future."""
    rij = await _casus_voor(uow, gebruiker, casus_id, vergrendel=True)
    domain.controleer_bewerkbaar(CasusStatus(rij.status))
    weiger_bij_fouten(contactpoging_fouten(poging, vandaag))
    await uow.connection.execute(
        tables.contactpogingen.insert().values(casus_id=casus_id, door=gebruiker.actor, **poging.model_dump())
    )


async def sluit_casus_af(
    uow: UnitOfWork,
    gebruiker: Gebruiker,
    casus_id: uuid.UUID,
    resultaat: domain.Resultaat,
    nu: datetime,
    uitzetting_voorkomen: bool | None = None,
) -> CasusStatus:
    """Close the casus with its result; every partner that signalled hears that its signal was handled
    (signaal-afgehandeld, only what the partner may know), and stuurinformatie the result (casus-afgesloten,
    with whether the household was reached). OngeldigeOvergang when it is closed already."""
    rij = await _casus_voor(uow, gebruiker, casus_id, vergrendel=True)
    status = LEVENSCYCLUS.ga_naar(CasusStatus(rij.status), CasusStatus.afgesloten)
    c, s = tables.casussen, tables.signalen
    await uow.connection.execute(
        update(c).where(c.c.casus_id == casus_id).values(status=status.value, resultaat=resultaat, afgesloten_op=nu)
    )
    signalen = await uow.connection.execute(
        select(s.c.signaal_id, s.c.partner_id, s.c.beoordeling).where(s.c.casus_id == casus_id)
    )
    for signaal in signalen:
        data = SignaalAfgehandeld(
            signaal_id=signaal.signaal_id,
            partner_id=signaal.partner_id,
            resultaat=domain.terugkoppeling(signaal.beoordeling, status),
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
    p = tables.contactpogingen
    bereikt = await uow.connection.execute(select(p.c.id).where(p.c.casus_id == casus_id, p.c.bereikt).limit(1))
    afgesloten = CasusAfgesloten(
        casus_id=casus_id,
        gemeente=rij.gemeente,
        huishouden_id=rij.huishouden_id,
        wijk=rij.wijk,
        resultaat=resultaat,
        afgesloten_op=nu,
        contact_gelegd=bereikt.first() is not None,
        uitzetting_voorkomen=uitzetting_voorkomen,
    )
    uow.publiceer(
        maak_event(
            afgesloten, service="signalering", gemeente=rij.gemeente, subject=str(casus_id), correlatieid=str(casus_id)
        )
    )
    return status


async def lees_terugkoppeling(uow: UnitOfWork, partner: Partner, signaal_id: uuid.UUID) -> SignaalTerugkoppeling:
    """Only what the partner may know, and only of its own signals (NietGevonden for any other)."""
    s, c = tables.signalen, tables.casussen
    rij = (
        await uow.connection.execute(
            select(
                s.c.signaal_id, s.c.partner_signaal_id, s.c.partner_id, s.c.beoordeling, s.c.ontvangen_op, c.c.status
            )
            .select_from(s.outerjoin(c, c.c.casus_id == s.c.casus_id))
            .where(s.c.signaal_id == signaal_id)
        )
    ).first()
    if rij is None or rij.partner_id != partner.partner_id:
        raise NietGevonden("Signaal niet gevonden.")
    return SignaalTerugkoppeling(
        signaal_id=rij.signaal_id,
        partner_signaal_id=rij.partner_signaal_id,
        ontvangen_op=rij.ontvangen_op,
        beoordeling=rij.beoordeling,
        status=domain.terugkoppeling(rij.beoordeling, CasusStatus(rij.status) if rij.status else None),
    )


async def pak_casus_op(uow: UnitOfWork, aanvaarding: DoorverwijzingAanvaard) -> None:
    """Arrangement took the casus's doorverwijzing in: the casus is opgepakt by that team. A late or
    repeated aanvaarding (the casus closed, or picked up already) changes nothing."""
    if aanvaarding.bron_soort != "signaalcasus":
        return
    c = tables.casussen
    status = (
        await uow.connection.execute(select(c.c.status).where(c.c.casus_id == aanvaarding.bron_id).with_for_update())
    ).scalar_one_or_none()
    if status is None or not LEVENSCYCLUS.mag(CasusStatus(status), CasusStatus.opgepakt):
        return
    await uow.connection.execute(
        update(c)
        .where(c.c.casus_id == aanvaarding.bron_id)
        .values(status=CasusStatus.opgepakt.value, team_id=aanvaarding.team_id)
    )
