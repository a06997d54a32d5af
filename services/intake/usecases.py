"""Intake's use cases: register a melding, read it, show its status to the melder, and follow the
melding's status on triage's and arrangement's events.

Each takes an open unit of work and does not commit (the API route or the bus does), except
`registreer_melding`, which runs its own transactions (see there).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Date, DateTime, Row, RowMapping, String, Update, Uuid, any_, bindparam, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError

from services.intake import domain, tables
from services.intake.domain import LEVENSCYCLUS, Status
from services.intake.schemas import LichtContact, LichtContactInvoer, MeldingAntwoord, MeldingInvoer, MeldingUitContact
from shared.auth import MEDEWERKERS, Gebruiker, Rol
from shared.db import UnitOfWork, UnitOfWorkFactory
from shared.events import (
    DoorverwijzingAanvaard,
    DoorverwijzingGedaan,
    Event,
    LichtContactGeregistreerd,
    LichtContactOmgezet,
    MeldingGeregistreerd,
    MeldingOpgepakt,
    PlanAfgesloten,
    maak_event,
)
from shared.gemeenten import Aanbieder, Gemeente, Gemeenten
from shared.ids import nieuw_id
from shared.invoer import Fouten
from shared.levenscyclus import OngeldigeOvergang
from shared.privacy import Kluis
from shared.termijnen import TZ
from shared.verwerkingslog import log_verwerking, verwerkingen_over
from shared.weigeringen import GeenToegang, NietGevonden, weiger_bij_fouten
from shared.zrm import ZRM_DOMEINEN

# The same answer for "does not exist" and "you may not know it exists".
NIET_GEVONDEN = "Melding niet gevonden."


# Written out, not built with postgresql.insert(): SQLAlchemy 2.0 compiles an INSERT ... ON CONFLICT again at
# every execution, and these run per melding or per event (decision 0024).
ACHTTIEN_JAAR = text(
    "INSERT INTO intake.achttien_jaar AS a (persoon_sleutel, gemeente, huishouden_id, achttien_in) "
    "SELECT j.sleutel, :gemeente, :huishouden_id, j.maand "
    "FROM unnest(CAST(:sleutels AS varchar[]), CAST(:maanden AS date[])) AS j(sleutel, maand) "
    "ON CONFLICT (persoon_sleutel) DO UPDATE SET huishouden_id = excluded.huishouden_id "
    "WHERE a.gepubliceerd_op IS NULL"
).bindparams(bindparam("sleutels", type_=ARRAY(String)), bindparam("maanden", type_=ARRAY(Date)))
PLAN_AFGESLOTEN = text(
    "INSERT INTO intake.afgesloten_plannen (plan_id, afgesloten_op) VALUES (:plan_id, :afgesloten_op) "
    "ON CONFLICT DO NOTHING"
).bindparams(bindparam("plan_id", type_=Uuid), bindparam("afgesloten_op", type_=DateTime(timezone=True)))


@dataclass(frozen=True)
class Registratie:
    antwoord: MeldingAntwoord
    # The same Idempotency-Key was seen before: `antwoord` is that earlier melding (without its code).
    herhaald: bool = False


async def registreer_melding(
    uows: UnitOfWorkFactory,
    invoer: MeldingInvoer,
    gebruiker: Gebruiker,
    idempotency_key: str | None,
    *,
    gemeenten: Gemeenten,
    kluis: Kluis,
    pseudoniem_sleutel: bytes,
    ook: Callable[[UnitOfWork, MeldingGeregistreerd], Awaitable[None]] | None = None,
) -> Registratie:
    """Check, pseudonymise and store the melding with its first status and melding-geregistreerd; `ook`
    runs in the same transaction (a licht contact that becomes this melding).

    Takes the UnitOfWorkFactory, not an open unit of work: a request with an Idempotency-Key the
    database already holds is answered with the earlier melding, and when the same key arrives twice
    at once the loser's insert fails on the unique key; its transaction is then gone, and a new one
    reads what the winner stored.
    """
    if gebruiker.rol != Rol.inwoner and gebruiker.gemeente != invoer.gemeente:
        raise GeenToegang("Een medewerker meldt alleen in de eigen gemeente.")
    # A key is the caller's own: the same key from someone else is another request.
    sleutel = _sha256(f"{gebruiker.sub}|{idempotency_key}") if idempotency_key else None
    if sleutel and (eerder := await _eerder_geregistreerd(uows, sleutel)) is not None:
        return eerder
    weiger_bij_fouten(domain.controleer(invoer, gemeenten))

    gemeente = gemeenten[invoer.gemeente]
    ontvangen_op = datetime.now(UTC)
    feiten = domain.leid_af(invoer, gemeente, pseudoniem_sleutel, ontvangen_op.astimezone(TZ).date())
    code = secrets.token_urlsafe(12) if invoer.melder.wil_terugkoppeling else None
    data = MeldingGeregistreerd(
        melding_id=nieuw_id(),
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

    async def werk(uow: UnitOfWork) -> None:
        await _sla_op(uow, kluis, data, invoer, code, sleutel, feiten.jongeren)
        if ook is not None:
            await uow.schrijf_uit()  # `ook` may point at the melding (a contact that became it)
            await ook(uow, data)

    try:
        await uows.samen(werk)  # with the meldingen posted at the same moment: one commit (decision 0025)
    except IntegrityError:
        # The same Idempotency-Key arrived twice at once: the other request won; answer as it did.
        if sleutel and (eerder := await _eerder_geregistreerd(uows, sleutel)) is not None:
            return eerder
        raise
    antwoord = MeldingAntwoord(
        melding_id=data.melding_id,
        status=Status.geregistreerd,
        huishouden_id=data.huishouden_id,
        wijk=data.wijk,
        ontvangen_op=ontvangen_op,
        terugkoppelcode=code,
    )
    return Registratie(antwoord)


async def _sla_op(
    uow: UnitOfWork,
    kluis: Kluis,
    data: MeldingGeregistreerd,
    invoer: MeldingInvoer,
    code: str | None,
    idempotency_key: str | None,
    jongeren: Sequence[tuple[str, date]] = (),
) -> None:
    """The melding, its people, its first status and its event: one transaction. The members under 18 are
    remembered with the month they turn 18 (once per person; a later melding may move him to another
    household, until his transition was announced)."""
    persoonsgegevens = invoer.model_dump(mode="json", include={"melder", "betreft", "omschrijving"})
    # Held back and written per table at the commit: in a group commit one statement for all meldingen.
    melding = str(data.melding_id)  # what a read in this transaction would name (UnitOfWork.schrijf_uit)
    uow.voeg_later_toe(
        tables.meldingen,
        dict(
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
            persoonsgegevens=kluis.versleutel(json.dumps(persoonsgegevens)),
            wil_terugkoppeling=invoer.melder.wil_terugkoppeling,
            terugkoppelcode_sha256=_sha256(code) if code else None,
            idempotency_key=idempotency_key,
        ),
        melding,
    )
    for i, persoon in enumerate(data.persoon_sleutels):
        rij = {"melding_id": data.melding_id, "volgnummer": i, "persoon_sleutel": persoon}
        uow.voeg_later_toe(tables.melding_personen, rij, melding)
    uow.voeg_later_toe(
        tables.statushistorie,
        {"melding_id": data.melding_id, "status": Status.geregistreerd, "tijdstip": data.ontvangen_op},
        melding,
    )
    if jongeren:
        per_sleutel = dict(jongeren)
        await uow.connection.execute(
            ACHTTIEN_JAAR,
            {
                "sleutels": list(per_sleutel),
                "maanden": list(per_sleutel.values()),
                "gemeente": data.gemeente,
                "huishouden_id": data.huishouden_id,
            },
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


async def _eerder_geregistreerd(uows: UnitOfWorkFactory, sleutel: str) -> Registratie | None:
    m = tables.meldingen
    async with uows() as uow:
        rij = (await uow.connection.execute(select(m).where(m.c.idempotency_key == sleutel))).first()
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
    return Registratie(antwoord, herhaald=True)


def _sha256(tekst: str) -> str:
    return hashlib.sha256(tekst.encode()).hexdigest()


async def _melding(uow: UnitOfWork, melding_id: uuid.UUID) -> Row[Any] | None:
    m = tables.meldingen
    return (await uow.connection.execute(select(m).where(m.c.melding_id == melding_id))).first()


STATUSSEN = "statussen"  # in uow.vooraf: melding -> its status row, read and locked for the batch
_m = tables.meldingen
STATUS_VOOR_WIJZIGING = (
    select(_m.c.melding_id, _m.c.status, _m.c.route, _m.c.ontvangen_op)
    .where(_m.c.melding_id == any_(bindparam("melding_ids", type_=ARRAY(Uuid))))
    .order_by(_m.c.melding_id)  # locked in one order: two transactions never wait on each other crosswise
    .with_for_update()
)  # built once (decision 0024)


async def _status_voor_wijziging(uow: UnitOfWork, melding_id: uuid.UUID) -> Row[Any] | None:
    """The melding's status, route and arrival, locked until the commit: what a status change needs, and
    not its facts or its encrypted personal data. What the batch's preparation read is used once; a second
    change of the same melding in the transaction reads the first one's result."""
    if (rij := uow.vooraf.get(STATUSSEN, {}).pop(melding_id, None)) is not None:
        return rij
    await uow.schrijf_uit(str(melding_id))  # a change of this melding held back in this transaction
    return (await uow.connection.execute(STATUS_VOOR_WIJZIGING, {"melding_ids": [melding_id]})).first()


async def statussen_voorbereiden(uow: UnitOfWork, melding_ids: list[uuid.UUID]) -> None:
    """For a batch of status changes (shared/bundel.py, MetVooraf): every melding's status read and locked
    in one statement, where each change asked for its own."""
    if melding_ids:
        rijen = await uow.connection.execute(STATUS_VOOR_WIJZIGING, {"melding_ids": sorted(set(melding_ids))})
        uow.vooraf.setdefault(STATUSSEN, {}).update({r.melding_id: r for r in rijen})


async def lees_melding(uow: UnitOfWork, kluis: Kluis, gebruiker: Gebruiker, melding_id: uuid.UUID) -> dict[str, Any]:
    """The whole melding, personal data decrypted; the read goes into the processing log (the caller
    commits it with the unit of work)."""
    rij = await _melding(uow, melding_id)
    if rij is None or not _mag_lezen(gebruiker, rij):
        raise NietGevonden(NIET_GEVONDEN)
    p = tables.melding_personen
    sleutels = (await uow.connection.execute(select(p.c.persoon_sleutel).where(p.c.melding_id == melding_id))).scalars()
    await log_verwerking(
        uow.connection, tables.verwerkingslog, "melding inzien", list(sleutels) or [rij.huishouden_id], gebruiker
    )
    gegevens = json.loads(kluis.ontsleutel(rij.persoonsgegevens) or "{}")  # the column is NOT NULL
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


def _mag_lezen(gebruiker: Gebruiker, rij: Row[Any]) -> bool:
    """Gemeente roles of the melding's gemeente; wijkcoaches only when routed to one of their teams."""
    if gebruiker.gemeente != rij.gemeente:
        return False
    if gebruiker.rol in (Rol.beheer, Rol.meldpunt, Rol.lokale_kamer, Rol.consulent):
        return True
    return rij.team_id is not None and rij.team_id in gebruiker.teams


async def status_voor_melder(
    uow: UnitOfWork, gebruiker: Gebruiker | None, terugkoppelcode: str | None, melding_id: uuid.UUID
) -> dict[str, Any]:
    """What a melder may see: picked up or not, by which kind of team; never the plan."""
    rij = await _melding(uow, melding_id)
    if rij is None or not _mag_status_zien(gebruiker, rij, terugkoppelcode):
        raise NietGevonden(NIET_GEVONDEN)
    h = tables.statushistorie
    historie = (
        await uow.connection.execute(
            select(h.c.status, h.c.route, h.c.tijdstip)
            .where(h.c.melding_id == melding_id)
            .order_by(h.c.tijdstip, h.c.id)
        )
    ).all()
    return {
        "melding_id": melding_id,
        "status": rij.status,
        "historie": [{"status": s, "soort_team": r, "tijdstip": t} for s, r, t in historie],
    }


def _mag_status_zien(gebruiker: Gebruiker | None, rij: Row[Any], code: str | None) -> bool:
    if code is not None:
        return rij.terugkoppelcode_sha256 is not None and hmac.compare_digest(_sha256(code), rij.terugkoppelcode_sha256)
    return gebruiker is not None and gebruiker.rol in MEDEWERKERS and gebruiker.gemeente == rij.gemeente


async def _ga_naar(
    uow: UnitOfWork, melding_id: uuid.UUID, nieuw: Status, tijdstip: datetime, **velden: Any
) -> Row[Any] | None:
    """Move the melding to `nieuw` if its life cycle allows it; returns the row as it was, or None (an
    unknown melding, or a late or repeated event: it changes nothing)."""
    rij = await _status_voor_wijziging(uow, melding_id)
    if rij is None or not LEVENSCYCLUS.mag(Status(rij.status), nieuw):
        return None
    _wijzig(uow, rij, nieuw, tijdstip, **velden)
    return rij


def _wijzig(uow: UnitOfWork, rij: Row[Any], nieuw: Status, tijdstip: datetime, **velden: Any) -> None:
    """The status change and its history row, both held back until the commit or the next read of this
    melding (_status_voor_wijziging): a batch's status changes cost an executemany per kind, not two round
    trips each."""
    melding_id, sleutel = rij.melding_id, str(rij.melding_id)
    uow.voer_later_uit(
        _statuswijziging(tuple(sorted(velden))),
        {"b_melding_id": melding_id, "b_status": nieuw, **{f"b_{k}": v for k, v in velden.items()}},
        sleutel,
    )
    uow.voeg_later_toe(
        tables.statushistorie,
        {"melding_id": melding_id, "status": nieuw, "route": velden.get("route") or rij.route, "tijdstip": tijdstip},
        sleutel,
    )


@cache
def _statuswijziging(velden: tuple[str, ...]) -> Update:
    """The UPDATE of a melding's status and these columns: built once per set of columns (decision 0024)."""
    m = tables.meldingen
    kolommen = ("status", *velden)
    return (
        update(m)
        .where(m.c.melding_id == bindparam("b_melding_id"))
        .values({m.c[k]: bindparam(f"b_{k}") for k in kolommen})
    )


async def meldingen_voorbereiden(uow: UnitOfWork, events: list[Event]) -> None:
    """A batch of doorverwijzingen or aanvaardingen: the statuses of the meldingen among them, at once."""
    await statussen_voorbereiden(uow, [e.data.bron_id for e in events if e.data.bron_soort == "melding"])


async def doorverwezen(uow: UnitOfWork, event: Event[DoorverwijzingGedaan]) -> None:
    """Triage routed the melding to a team (a casus's routing is not intake's). Triage's event and
    arrangement's doorverwijzing-aanvaard come over two streams: when the melding was picked up first, the
    status stays, but the melder's history still gets the routing, at the time triage decided."""
    d = event.data
    if d.bron_soort != "melding":
        return
    rij = await _status_voor_wijziging(uow, d.bron_id)
    if rij is None:
        return
    if LEVENSCYCLUS.mag(Status(rij.status), Status.doorverwezen):
        _wijzig(uow, rij, Status.doorverwezen, event.time, team_id=d.team_id, route=d.route)
    elif rij.status in (Status.opgepakt, Status.afgesloten):
        await _laat_doorverwezen(uow, d.bron_id, event.time, d.route)


_h = tables.statushistorie
AL_DOORVERWEZEN = (
    select(_h.c.id).where(_h.c.melding_id == bindparam("melding_id"), _h.c.status == Status.doorverwezen).limit(1)
)  # built once (decision 0024)


async def _laat_doorverwezen(uow: UnitOfWork, melding_id: uuid.UUID, tijdstip: datetime, route: str) -> None:
    """The routing in the history of a melding that was picked up before it came, once: a second late
    doorverwijzing (another event) adds nothing. Its row is held back like any history row; a second one
    in the same transaction sees it, because its status read (_status_voor_wijziging) wrote it out."""
    if (await uow.connection.execute(AL_DOORVERWEZEN, {"melding_id": melding_id})).first() is None:
        uow.voeg_later_toe(
            tables.statushistorie,
            {"melding_id": melding_id, "status": Status.doorverwezen, "route": route, "tijdstip": tijdstip},
            str(melding_id),
        )


async def opgepakt(uow: UnitOfWork, event: Event[DoorverwijzingAanvaard]) -> float | None:
    """A team took the melding in: remember its plan, and tell the melder's side with melding-opgepakt.
    Returns the seconds from the melding's arrival to its place in a plan (the chain, end to end), or
    None when nothing changed."""
    d = event.data
    if d.bron_soort != "melding":
        return None
    rij = await _ga_naar(uow, d.bron_id, Status.opgepakt, d.aanvaard_op, team_id=d.team_id, plan_id=d.plan_id)
    if rij is None:  # unknown melding, or already picked up: melding-opgepakt is published once
        return None
    data = MeldingOpgepakt(melding_id=d.bron_id, opgepakt_op=d.aanvaard_op, team_id=d.team_id)
    uow.publiceer(
        maak_event(
            data, service="intake", gemeente=event.gemeente, subject=str(d.bron_id), correlatieid=event.correlatieid
        )
    )
    if (te_toetsen := uow.vooraf.get(OPGEPAKT_BIJ_PLAN)) is not None:
        te_toetsen[d.bron_id] = d.plan_id  # checked for the whole batch at its end (aanvaardingen_afronden)
    else:
        await _sluit_als_plan_al_dicht(uow, {d.bron_id: d.plan_id})
    return (d.aanvaard_op - rij.ontvangen_op).total_seconds()


# In a batch of aanvaardingen (MetVooraf): the meldingen picked up, with their plan, to check at the end.
OPGEPAKT_BIJ_PLAN = "opgepakt_bij_plan"
AFGESLOTEN_OP = select(tables.afgesloten_plannen.c.plan_id, tables.afgesloten_plannen.c.afgesloten_op).where(
    tables.afgesloten_plannen.c.plan_id == any_(bindparam("plan_ids", type_=ARRAY(Uuid)))
)  # built once (decision 0024)


async def aanvaardingen_voorbereiden(uow: UnitOfWork, events: list[Event]) -> None:
    await meldingen_voorbereiden(uow, events)
    uow.vooraf[OPGEPAKT_BIJ_PLAN] = {}


async def aanvaardingen_afronden(uow: UnitOfWork) -> None:
    """After the batch's last aanvaarding, before its commit: one read for all the plans it joined."""
    await _sluit_als_plan_al_dicht(uow, uow.vooraf.pop(OPGEPAKT_BIJ_PLAN, {}))


async def _sluit_als_plan_al_dicht(uow: UnitOfWork, opgepakt: dict[uuid.UUID, uuid.UUID]) -> None:
    """A plan that closed before its aanvaarding arrived (two streams): the melding closes with it."""
    if not opgepakt:
        return
    rijen = await uow.connection.execute(AFGESLOTEN_OP, {"plan_ids": list(set(opgepakt.values()))})
    dicht = dict(rijen.tuples().all())
    for melding_id, plan_id in opgepakt.items():
        if (afgesloten_op := dicht.get(plan_id)) is not None:
            await _ga_naar(uow, melding_id, Status.afgesloten, afgesloten_op, afgesloten_op=afgesloten_op)


async def afgesloten(uow: UnitOfWork, event: Event[PlanAfgesloten]) -> None:
    """The plan closed: the meldingen it took in close with it; their retention period starts. A melding
    of the same household that is still on its way to a (new) plan stays open."""
    d, m = event.data, tables.meldingen
    await uow.schrijf_uit()  # status changes held back in this transaction: the query below must see them
    await uow.connection.execute(PLAN_AFGESLOTEN, {"plan_id": d.plan_id, "afgesloten_op": d.afgesloten_op})
    open_ids = (
        await uow.connection.execute(
            select(m.c.melding_id).where(m.c.plan_id == d.plan_id, m.c.status == Status.opgepakt)
        )
    ).scalars()
    for melding_id in list(open_ids):
        await _ga_naar(uow, melding_id, Status.afgesloten, d.afgesloten_op, afgesloten_op=d.afgesloten_op)


# --- lichte contacten -----------------------------------------------------------------------------------------


async def registreer_contact(
    uow: UnitOfWork, invoer: LichtContactInvoer, gebruiker: Gebruiker, gemeenten: Gemeenten, nu: datetime | None = None
) -> LichtContact:
    """A question answered on the spot: its codes and licht-contact-geregistreerd, nothing more."""
    if gebruiker.gemeente != invoer.gemeente:
        raise GeenToegang("Een medewerker registreert alleen contacten in de eigen gemeente.")
    weiger_bij_fouten(
        domain.controleer_contact(
            invoer.gemeente, invoer.themas, invoer.uitkomst, invoer.wijk, invoer.aanbieder_id, gemeenten
        )
    )
    contact = LichtContact(
        contact_id=nieuw_id(),
        gemeente=invoer.gemeente,
        kanaal=invoer.kanaal,
        wijk=invoer.wijk,
        themas=list(dict.fromkeys(invoer.themas)),
        uitkomst=invoer.uitkomst,
        aanbieder_id=invoer.aanbieder_id,
        melding_id=None,
        geregistreerd_op=nu or datetime.now(UTC),
    )
    await uow.connection.execute(tables.lichte_contacten.insert().values(**contact.model_dump(), door=gebruiker.actor))
    data = LichtContactGeregistreerd(**contact.model_dump())
    uow.publiceer(
        maak_event(
            data,
            service="intake",
            gemeente=contact.gemeente,
            subject=str(contact.contact_id),
            correlatieid=str(contact.contact_id),
        )
    )
    return contact


async def lees_contact(uow: UnitOfWork, gebruiker: Gebruiker, contact_id: uuid.UUID) -> LichtContact:
    c = tables.lichte_contacten
    rij = (await uow.connection.execute(select(c).where(c.c.contact_id == contact_id))).mappings().first()
    if rij is None or rij["gemeente"] != gebruiker.gemeente:
        raise NietGevonden("Contact niet gevonden.")
    return LichtContact.model_validate(dict(rij))


async def contact_naar_melding(
    uows: UnitOfWorkFactory,
    contact_id: uuid.UUID,
    invoer: MeldingUitContact,
    gebruiker: Gebruiker,
    idempotency_key: str | None,
    *,
    gemeenten: Gemeenten,
    kluis: Kluis,
    pseudoniem_sleutel: bytes,
) -> Registratie:
    """More was needed: the contact becomes a melding in one step. Its gemeente, channel and themes carry
    over; the contact and the melding are stored together, and the contact is turned only once."""
    async with uows() as uow:
        contact = await lees_contact(uow, gebruiker, contact_id)
    melding = MeldingInvoer(
        **invoer.model_dump(exclude={"levensgebieden"}),
        gemeente=contact.gemeente,
        kanaal=contact.kanaal,
        levensgebieden=contact.themas if invoer.levensgebieden is None else invoer.levensgebieden,
    )

    async def zet_om(uow: UnitOfWork, data: MeldingGeregistreerd) -> None:
        c = tables.lichte_contacten
        omgezet = await uow.connection.execute(
            update(c)
            .where(c.c.contact_id == contact_id, c.c.melding_id.is_(None))
            .values(uitkomst=domain.Uitkomst.melding_gemaakt, melding_id=data.melding_id, omgezet_op=data.ontvangen_op)
            .returning(c.c.contact_id)
        )
        if omgezet.first() is None:  # turned by someone else meanwhile
            raise OngeldigeOvergang(
                domain.CONTACT_LEVENSCYCLUS.wat, domain.Uitkomst.melding_gemaakt, domain.Uitkomst.melding_gemaakt
            )
        omzetting = LichtContactOmgezet(contact_id=contact_id, melding_id=data.melding_id, omgezet_op=data.ontvangen_op)
        uow.publiceer(
            maak_event(
                omzetting,
                service="intake",
                gemeente=data.gemeente,
                subject=str(contact_id),
                correlatieid=str(data.melding_id),
            )
        )

    if contact.melding_id is None:
        return await registreer_melding(
            uows,
            melding,
            gebruiker,
            idempotency_key,
            gemeenten=gemeenten,
            kluis=kluis,
            pseudoniem_sleutel=pseudoniem_sleutel,
            ook=zet_om,
        )
    if idempotency_key and (eerder := await _eerder_geregistreerd(uows, _sha256(f"{gebruiker.sub}|{idempotency_key}"))):
        return eerder
    raise OngeldigeOvergang(
        domain.CONTACT_LEVENSCYCLUS.wat, domain.Uitkomst(contact.uitkomst), domain.Uitkomst.melding_gemaakt
    )


# --- the sociale kaart ----------------------------------------------------------------------------------------


def _eigen_kaart(gemeenten: Gemeenten, gebruiker: Gebruiker, gemeente: str) -> Gemeente:
    if gebruiker.gemeente != gemeente or gemeente not in gemeenten:
        raise NietGevonden("Geen sociale kaart voor deze gemeente.")
    return gemeenten[gemeente]


def zoek_aanbieders(
    gemeenten: Gemeenten, gebruiker: Gebruiker, gemeente: str, thema: str | None, wijk: str | None
) -> list[Aanbieder]:
    g = _eigen_kaart(gemeenten, gebruiker, gemeente)
    fouten: Fouten = []
    if thema is not None and thema not in ZRM_DOMEINEN:
        fouten.append((("query", "thema"), "onbekend thema (gebruik de ZRM-domeinen)"))
    if wijk is not None and wijk not in {w.id for w in g.wijken}:
        fouten.append((("query", "wijk"), f"onbekende wijk in gemeente {g.code}"))
    weiger_bij_fouten(fouten)
    return g.zoek_aanbieders(thema, wijk)


def aanbieder(gemeenten: Gemeenten, gebruiker: Gebruiker, gemeente: str, aanbieder_id: str) -> Aanbieder:
    if (gevonden := _eigen_kaart(gemeenten, gebruiker, gemeente).aanbieder(aanbieder_id)) is None:
        raise NietGevonden("Aanbieder niet gevonden.")
    return gevonden


# --- Mijn toegang -------------------------------------------------------------------------------------------


def _mijn_sleutel(gebruiker: Gebruiker, pseudoniem_sleutel: bytes) -> str:
    sleutel = gebruiker.persoon_sleutel(pseudoniem_sleutel)
    if sleutel is None:
        raise GeenToegang("Alleen een inwoner, ingelogd met DigiD, ziet zijn eigen meldingen.")
    return sleutel


async def mijn_meldingen(uow: UnitOfWork, gebruiker: Gebruiker, pseudoniem_sleutel: bytes) -> list[dict[str, Any]]:
    """The meldingen about him and their status. One that someone else made about him (a zorgmelding by a
    neighbour) shows as "a melding": not who made it, how, or what it said. The read is logged."""
    sleutel = _mijn_sleutel(gebruiker, pseudoniem_sleutel)
    m, p = tables.meldingen, tables.melding_personen
    rijen = (
        await uow.connection.execute(
            select(m.c.melding_id, m.c.ontvangen_op, m.c.status, m.c.soort, m.c.melder_type, m.c.route)
            .join(p, p.c.melding_id == m.c.melding_id)
            .where(p.c.persoon_sleutel == sleutel, m.c.gemeente == gebruiker.gemeente)
            .order_by(m.c.ontvangen_op.desc())
        )
    ).all()
    if rijen:
        await log_verwerking(uow.connection, tables.verwerkingslog, "eigen meldingen inzien", [sleutel], gebruiker)
    return [
        {
            "melding_id": r.melding_id,
            "ontvangen_op": r.ontvangen_op,
            "status": r.status,
            "zelf_gemeld": r.melder_type == "inwoner_zelf",
            "soort": r.soort if r.melder_type == "inwoner_zelf" else None,
            "soort_team": r.route,
        }
        for r in rijen
    ]


async def mijn_verwerkingen(uow: UnitOfWork, gebruiker: Gebruiker, pseudoniem_sleutel: bytes) -> Sequence[RowMapping]:
    """The processing log's entries about him in intake (AVG art. 15): reads of the meldingen about him."""
    sleutel = _mijn_sleutel(gebruiker, pseudoniem_sleutel)
    return await verwerkingen_over(uow.connection, tables.verwerkingslog, [sleutel])
