"""Arrangement's use cases: one function per command, event or read, each the whole use case in the
caller's unit of work (the route or the bus commits).

A change loads the household's aggregate under its lock (repository.py), checks who may, lets the
aggregate decide (domain.Huishoudplan) and has the repository store what changed with its events.

Who may do what (gemeente roles only; a plan of another gemeente is NietGevonden, as is a plan a
wijkcoach or meldpunt outside the regisseur's team may not see):
- read a household: beheer, lokale_kamer, consulent, meldpunt of the gemeente; others when the plan's
  regisseur is one of their teams (or they are its medewerker);
- change the plan (versions, regie, contactpogingen, warm handovers, evaluations, closing): the
  regisseur's team, lokale_kamer and beheer; anyone else who may read it gets GeenToegang;
- register an aanvraag: those, and any consulent of the gemeente;
- issue or change a beschikking: a consulent of the gemeente, and nobody else.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime

from sqlalchemy import DateTime, RowMapping, String, bindparam, select, text
from sqlalchemy.dialects.postgresql import ARRAY

from services.arrangement import domain, repository, schemas, tables
from services.arrangement import doorzetten as dz
from services.arrangement.rechtsbescherming import Bezwaar, Klacht
from services.arrangement.repository import Overzicht
from shared.auth import Gebruiker, Rol
from shared.db import UnitOfWork
from shared.events import (
    DoorverwijzingGedaan,
    Event,
    JongereWordtAchttien,
    MeldingGeregistreerd,
    Regisseur,
    TermijnVerstreken,
)
from shared.gemeenten import Gemeente, Gemeenten
from shared.termijnen import TZ
from shared.verwerkingslog import log_verwerking, verwerkingen_over
from shared.weigeringen import GeenToegang, NietGevonden

# --- who may ----------------------------------------------------------------------------------------------

LEZERS = (Rol.beheer, Rol.lokale_kamer, Rol.consulent, Rol.meldpunt)
# The most rows of the werkvoorraad one call returns; more come with `offset` (the werkplek pages through).
WERKVOORRAAD_MAX = 500
Mag = Callable[[Gebruiker, domain.Plan], bool]


def mag_zien(gebruiker: Gebruiker, gemeente: str, regisseur: Regisseur) -> bool:
    if gemeente != gebruiker.gemeente:
        return False
    if gebruiker.rol in LEZERS:
        return True
    return regisseur.team_id in gebruiker.teams or regisseur.medewerker_id == gebruiker.sub


def mag_bewerken(gebruiker: Gebruiker, plan: domain.Plan) -> bool:
    """The regisseur's team, the Lokale Kamer and beheer (as closing a plan always was)."""
    return gebruiker.rol in (Rol.beheer, Rol.lokale_kamer) or plan.regisseur.team_id in gebruiker.teams


def mag_aanvragen(gebruiker: Gebruiker, plan: domain.Plan) -> bool:
    return gebruiker.rol == Rol.consulent or mag_bewerken(gebruiker, plan)


def mag_beschikken(gebruiker: Gebruiker, plan: domain.Plan) -> bool:
    return gebruiker.rol == Rol.consulent


def mag_bezwaar(gebruiker: Gebruiker, plan: domain.Plan) -> bool:
    """A bezwaar is handled where beschikkingen are made, or by beheer (juridische zaken has no role here)."""
    return gebruiker.rol in (Rol.consulent, Rol.beheer)


WEIGERING: dict[Mag, str] = {
    mag_bewerken: "Alleen het team van de regisseur, de Lokale Kamer of beheer wijzigt dit plan.",
    mag_aanvragen: "Alleen een consulent, het team van de regisseur, de Lokale Kamer of beheer vraagt aan.",
    mag_beschikken: "Alleen een consulent geeft een beschikking af of wijzigt haar.",
    mag_bezwaar: "Alleen een consulent of beheer behandelt een bezwaar.",
}


async def _bewerk(uow: UnitOfWork, plan_id: uuid.UUID, gebruiker: Gebruiker, mag: Mag) -> domain.Huishoudplan:
    """The plan's household, locked for a change: NietGevonden when the caller may not see the plan,
    GeenToegang when he may not do this. Whether the plan's status allows it, the aggregate decides."""
    hp = await repository.laad_plan(uow, plan_id)
    if hp is None or hp.plan is None or not mag_zien(gebruiker, hp.plan.gemeente, hp.plan.regisseur):
        raise NietGevonden("Plan niet gevonden.")
    if not mag(gebruiker, hp.plan):
        raise GeenToegang(WEIGERING[mag])
    return hp


def _nu(nu: datetime | None) -> datetime:
    return nu or datetime.now(UTC)


def _vandaag(nu: datetime | None) -> date:
    return _nu(nu).astimezone(TZ).date()


@asynccontextmanager
async def _wijziging(
    uow: UnitOfWork, plan_id: uuid.UUID, gebruiker: Gebruiker, mag: Mag
) -> AsyncIterator[tuple[domain.Huishoudplan, domain.Plan]]:
    """A change to a plan: yields its household, locked and checked (_bewerk), and the plan; when the block
    has changed the aggregate without raising, stores what changed with its events."""
    hp = await _bewerk(uow, plan_id, gebruiker, mag)
    assert hp.plan is not None  # _bewerk refuses a household without this plan
    yield hp, hp.plan
    await repository.sla_op(uow, hp)


# --- a doorverwijzing arrives -----------------------------------------------------------------------------


async def doorverwijzingen_voorbereiden(uow: UnitOfWork, events: list[Event[DoorverwijzingGedaan]]) -> None:
    """A batch of doorverwijzingen: their households locked and loaded together (the warm handovers take no
    lock, as below)."""
    huishoudens = [e.data.huishouden_id for e in events if not domain.is_warme_overdracht(e.data)]
    await repository.bereid_doorverwijzingen_voor(uow, huishoudens)


async def doorverwijzing_ontvangen(
    uow: UnitOfWork, gemeenten: Gemeenten, event: Event[DoorverwijzingGedaan], nu: datetime | None = None
) -> domain.NieuwPlan | domain.SluitAan | domain.Negeer:
    """The doorverwijzing lands in the household's one plan: it starts one or joins the running one. A warm
    handover out of a plan comes back here and is ignored without taking the household's lock."""
    d = event.data
    if domain.is_warme_overdracht(d):
        return domain.Negeer("warme-overdracht")
    hp = await repository.laad_huishouden(uow, d.huishouden_id)
    uitkomst = hp.neem_aan(d, gemeenten[event.gemeente], _nu(nu), d.ontvangen_op or event.time)
    await repository.sla_op(uow, hp, event.correlatieid)
    return uitkomst


# --- the plan ---------------------------------------------------------------------------------------------


async def nieuwe_versie(
    uow: UnitOfWork,
    gemeenten: Gemeenten,
    gebruiker: Gebruiker,
    plan_id: uuid.UUID,
    invoer: schemas.VersieInvoer,
    nu: datetime | None = None,
) -> domain.PlanVersie:
    async with _wijziging(uow, plan_id, gebruiker, mag_bewerken) as (hp, plan):
        return hp.stel_versie_op(invoer, gemeenten[plan.gemeente], _vandaag(nu), gebruiker.actor)


async def regie_overdragen(
    uow: UnitOfWork, gemeenten: Gemeenten, gebruiker: Gebruiker, plan_id: uuid.UUID, overdracht: schemas.Overdracht
) -> Regisseur:
    async with _wijziging(uow, plan_id, gebruiker, mag_bewerken) as (hp, plan):
        return hp.draag_regie_over(overdracht, gemeenten[plan.gemeente], gebruiker.actor)


async def aanvraag_registreren(
    uow: UnitOfWork,
    gemeenten: Gemeenten,
    gebruiker: Gebruiker,
    plan_id: uuid.UUID,
    invoer: schemas.AanvraagInvoer,
    nu: datetime | None = None,
) -> domain.Aanvraag:
    async with _wijziging(uow, plan_id, gebruiker, mag_aanvragen) as (hp, plan):
        return hp.registreer_aanvraag(invoer, gemeenten[plan.gemeente], _nu(nu), gebruiker.actor)


async def beschikking_afgeven(
    uow: UnitOfWork, gemeenten: Gemeenten, gebruiker: Gebruiker, plan_id: uuid.UUID, invoer: schemas.BeschikkingInvoer
) -> tuple[domain.Beschikking, list[uuid.UUID]]:
    async with _wijziging(uow, plan_id, gebruiker, mag_beschikken) as (hp, plan):
        return hp.geef_beschikking_af(invoer, gemeenten[plan.gemeente], _vandaag(None), gebruiker.actor)


async def beschikking_wijzigen(
    uow: UnitOfWork,
    gemeenten: Gemeenten,
    gebruiker: Gebruiker,
    plan_id: uuid.UUID,
    beschikking_id: uuid.UUID,
    invoer: schemas.WijzigingInvoer,
) -> domain.Beschikking:
    async with _wijziging(uow, plan_id, gebruiker, mag_beschikken) as (hp, plan):
        return hp.wijzig_beschikking(beschikking_id, invoer, gemeenten[plan.gemeente], _vandaag(None), gebruiker.actor)


# --- the Wmo onderzoek ------------------------------------------------------------------------------------


async def gesprek_vastleggen(
    uow: UnitOfWork, gebruiker: Gebruiker, plan_id: uuid.UUID, invoer: schemas.GesprekInvoer, nu: datetime | None = None
) -> uuid.UUID:
    async with _wijziging(uow, plan_id, gebruiker, mag_aanvragen) as (hp, _):
        return hp.leg_gesprek_vast(invoer, _vandaag(nu), gebruiker.actor)


async def verslag_versturen(
    uow: UnitOfWork, gebruiker: Gebruiker, plan_id: uuid.UUID, invoer: schemas.VerslagInvoer, nu: datetime | None = None
) -> uuid.UUID:
    async with _wijziging(uow, plan_id, gebruiker, mag_aanvragen) as (hp, _):
        gesprekken = await repository.gesprekdata(uow, plan_id)
        return hp.verstuur_verslag(invoer, gesprekken, _vandaag(nu), gebruiker.actor)


# --- bezwaar and klacht -----------------------------------------------------------------------------------


async def bezwaar_registreren(
    uow: UnitOfWork,
    gemeenten: Gemeenten,
    gebruiker: Gebruiker,
    plan_id: uuid.UUID,
    beschikking_id: uuid.UUID,
    invoer: schemas.BezwaarInvoer,
    nu: datetime | None = None,
) -> Bezwaar:
    async with _wijziging(uow, plan_id, gebruiker, mag_bezwaar) as (hp, plan):
        return hp.registreer_bezwaar(beschikking_id, invoer, gemeenten[plan.gemeente], _vandaag(nu), gebruiker.actor)


async def bezwaar_verdagen(
    uow: UnitOfWork,
    gebruiker: Gebruiker,
    plan_id: uuid.UUID,
    bezwaar_id: uuid.UUID,
    invoer: schemas.Verdaging,
    nu: datetime | None = None,
) -> Bezwaar:
    async with _wijziging(uow, plan_id, gebruiker, mag_bezwaar) as (hp, _):
        return hp.verdaag(await _bezwaar(uow, plan_id, bezwaar_id), invoer.reden, _vandaag(nu), gebruiker.actor)


async def op_bezwaar_beslissen(
    uow: UnitOfWork,
    gemeenten: Gemeenten,
    gebruiker: Gebruiker,
    plan_id: uuid.UUID,
    bezwaar_id: uuid.UUID,
    invoer: schemas.BezwaarBeslissing,
    nu: datetime | None = None,
) -> Bezwaar:
    async with _wijziging(uow, plan_id, gebruiker, mag_bezwaar) as (hp, plan):
        b = await _bezwaar(uow, plan_id, bezwaar_id)
        return hp.beslis_op_bezwaar(b, invoer, gemeenten[plan.gemeente], _vandaag(nu), gebruiker.actor)


async def _bezwaar(uow: UnitOfWork, plan_id: uuid.UUID, bezwaar_id: uuid.UUID) -> Bezwaar:
    if (b := await repository.laad_bezwaar(uow, plan_id, bezwaar_id)) is None:
        raise NietGevonden("Bezwaar niet gevonden.")
    return b


async def klacht_registreren(
    uow: UnitOfWork,
    gemeenten: Gemeenten,
    gebruiker: Gebruiker,
    plan_id: uuid.UUID,
    invoer: schemas.KlachtInvoer,
    nu: datetime | None = None,
) -> Klacht:
    async with _wijziging(uow, plan_id, gebruiker, mag_aanvragen) as (hp, plan):
        return hp.registreer_klacht(invoer, gemeenten[plan.gemeente], _vandaag(nu), gebruiker.actor)


async def klacht_verdagen(
    uow: UnitOfWork,
    gebruiker: Gebruiker,
    plan_id: uuid.UUID,
    klacht_id: uuid.UUID,
    invoer: schemas.Verdaging,
    nu: datetime | None = None,
) -> Klacht:
    async with _wijziging(uow, plan_id, gebruiker, mag_aanvragen) as (hp, _):
        return hp.verdaag(await _klacht(uow, plan_id, klacht_id), invoer.reden, _vandaag(nu), gebruiker.actor)


async def klacht_afhandelen(
    uow: UnitOfWork, gebruiker: Gebruiker, plan_id: uuid.UUID, klacht_id: uuid.UUID, invoer: schemas.KlachtAfhandeling
) -> Klacht:
    async with _wijziging(uow, plan_id, gebruiker, mag_aanvragen) as (hp, _):
        return hp.handel_klacht_af(await _klacht(uow, plan_id, klacht_id), invoer, gebruiker.actor)


async def _klacht(uow: UnitOfWork, plan_id: uuid.UUID, klacht_id: uuid.UUID) -> Klacht:
    if (k := await repository.laad_klacht(uow, plan_id, klacht_id)) is None:
        raise NietGevonden("Klacht niet gevonden.")
    return k


# --- working the case -------------------------------------------------------------------------------------


async def contactpoging_registreren(
    uow: UnitOfWork, gebruiker: Gebruiker, plan_id: uuid.UUID, poging: schemas.Contactpoging, nu: datetime | None = None
) -> int:
    """Also on a plan under waakvlam (the check). Returns how many termijnen the contact met (what storing
    the change counts, so this one does not go through _wijziging)."""
    hp = await _bewerk(uow, plan_id, gebruiker, mag_bewerken)
    hp.registreer_contactpoging(poging, _vandaag(nu), gebruiker.actor)
    return await repository.sla_op(uow, hp)


async def warm_overdragen(
    uow: UnitOfWork,
    gemeenten: Gemeenten,
    gebruiker: Gebruiker,
    plan_id: uuid.UUID,
    overdracht: schemas.WarmeOverdracht,
    nu: datetime | None = None,
) -> DoorverwijzingGedaan:
    async with _wijziging(uow, plan_id, gebruiker, mag_bewerken) as (hp, plan):
        return hp.draag_warm_over(overdracht, gemeenten[plan.gemeente], _nu(nu), gebruiker.actor)


async def evaluatie_registreren(
    uow: UnitOfWork, gebruiker: Gebruiker, plan_id: uuid.UUID, evaluatie: schemas.Evaluatie, nu: datetime | None = None
) -> None:
    async with _wijziging(uow, plan_id, gebruiker, mag_bewerken) as (hp, _):
        hp.evalueer(evaluatie, _vandaag(nu), gebruiker.actor)


async def plan_afsluiten(
    uow: UnitOfWork,
    gebruiker: Gebruiker,
    plan_id: uuid.UUID,
    afsluiting: schemas.Afsluiting,
    nu: datetime | None = None,
) -> domain.Plan:
    async with _wijziging(uow, plan_id, gebruiker, mag_bewerken) as (hp, _):
        moment = _nu(nu)
        return hp.sluit_af(afsluiting, moment.astimezone(TZ).date(), moment, gebruiker.actor)


# --- from 18- to 18+ and doorzettingsmacht ----------------------------------------------------------------


async def overgang_starten(uow: UnitOfWork, event: Event[JongereWordtAchttien]) -> bool:
    """A member turns 18 within months: the household's active plan gets the transition deadline."""
    d = event.data
    hp = await repository.laad_huishouden(uow, d.huishouden_id)
    maand = date.fromisoformat(f"{d.achttien_in}-01")
    if gestart := hp.start_overgang(d.persoon_sleutel, maand):
        await repository.sla_op(uow, hp, event.correlatieid)
    return gestart


async def termijn_verstreken(uow: UnitOfWork, gemeenten: Gemeenten, event: Event[TermijnVerstreken]) -> bool:
    """An overdue deadline starts the doorzettingsmacht clock: it escalates by itself when it is still open
    `escaleren_na_werkdagen` werkdagen later (the job `doorzetten`). Returns whether the clock started."""
    d, regels = event.data, gemeenten[event.gemeente].doorzettingsmacht
    if regels is None or d.plan_id is None:
        return False
    op = dz.escaleren_op(d.termijn_tot, regels)
    return await repository.zet_escaleren_op(uow, d.plan_id, d.bron_id, d.termijn_grondslag, op) > 0


def _wie_het_plan_ziet(gebruiker: Gebruiker, plan: domain.Plan) -> bool:
    return True


def mag_doorzetten(gebruiker: Gebruiker, gemeente: Gemeente) -> bool:
    """Beheer, and the Lokale Kamer role of the team that holds doorzettingsmacht."""
    if gebruiker.rol == Rol.beheer:
        return True
    regels = gemeente.doorzettingsmacht
    return gebruiker.rol == Rol.lokale_kamer and regels is not None and regels.team in gebruiker.teams


async def escaleren(
    uow: UnitOfWork,
    gemeenten: Gemeenten,
    gebruiker: Gebruiker,
    plan_id: uuid.UUID,
    invoer: schemas.EscalatieInvoer,
    nu: datetime | None = None,
) -> dz.Escalatie:
    """The regisseur (his team, the Lokale Kamer, beheer) asks for doorzettingsmacht, with a reason."""
    async with _wijziging(uow, plan_id, gebruiker, mag_bewerken) as (hp, plan):
        lopend = await repository.laad_escalatie(uow, plan_id)
        return hp.escaleer(invoer.reden, gemeenten[plan.gemeente], lopend, _nu(nu), gebruiker.actor)


async def escalatie_behandelen(
    uow: UnitOfWork,
    gemeenten: Gemeenten,
    gebruiker: Gebruiker,
    plan_id: uuid.UUID,
    escalatie_id: uuid.UUID,
    besluit: schemas.RegieNemen | schemas.Teruggave,
    nu: datetime | None = None,
) -> dz.Escalatie:
    """Whoever holds doorzettingsmacht takes the regie, or gives the case back with an instruction."""
    hp = await _bewerk(uow, plan_id, gebruiker, _wie_het_plan_ziet)  # who decides needs the gemeente: below
    assert hp.plan is not None
    if not mag_doorzetten(gebruiker, gemeenten[hp.plan.gemeente]):
        raise GeenToegang("Alleen wie doorzettingsmacht heeft (Lokale Kamer of teamleiding) beslist hierover.")
    e = await repository.laad_escalatie(uow, plan_id, escalatie_id)
    if e is None:
        raise NietGevonden("Escalatie niet gevonden.")
    if isinstance(besluit, schemas.Teruggave):
        behandeld = hp.geef_terug(e, besluit.instructie, besluit.opvolgen_voor, _nu(nu), gebruiker.actor)
    else:
        behandeld = hp.neem_regie(e, _nu(nu), gebruiker.actor)
    await repository.sla_op(uow, hp)
    return behandeld


async def escalaties_lezen(
    uow: UnitOfWork, gemeenten: Gemeenten, gebruiker: Gebruiker, alleen_lopend: bool = True
) -> Sequence[RowMapping]:
    """Whoever holds doorzettingsmacht sees every escalation of the gemeente, across teams; anyone else only
    those his own teams raised."""
    gemeente = gemeenten.get(gebruiker.gemeente or "")
    if gemeente is None:
        return []
    teams = None if mag_doorzetten(gebruiker, gemeente) else list(gebruiker.teams)
    return await repository.escalaties(uow, gemeente.code, teams, alleen_lopend, WERKVOORRAAD_MAX)


# --- Mijn toegang: the inwoner and his own household ---------------------------------------------------------


# Written out, not built with postgresql.insert(): SQLAlchemy 2.0 compiles an INSERT ... ON CONFLICT again at
# every execution, and this runs for every melding (decision 0024). unnest: one statement for any number.
LEDEN_TOEVOEGEN = text(
    "INSERT INTO arrangement.leden (persoon_sleutel, huishouden_id, gemeente, sinds) "
    "SELECT s, :huishouden_id, :gemeente, :sinds FROM unnest(CAST(:sleutels AS varchar[])) AS s "
    "ON CONFLICT DO NOTHING"
).bindparams(bindparam("sleutels", type_=ARRAY(String)), bindparam("sinds", type_=DateTime(timezone=True)))


async def lid_geworden(uow: UnitOfWork, event: Event[MeldingGeregistreerd]) -> None:
    """Who belongs to which household: the keys of the people a melding is about (never their BSN)."""
    d = event.data
    if d.persoon_sleutels:  # held back: a batch's members go in one round trip (nothing here reads them back)
        uow.voer_later_uit(
            LEDEN_TOEVOEGEN,
            {
                "sleutels": list(dict.fromkeys(d.persoon_sleutels)),
                "huishouden_id": d.huishouden_id,
                "gemeente": d.gemeente,
                "sinds": d.ontvangen_op,
            },
            sleutel=d.huishouden_id,
        )


async def mijn_huishoudens(uow: UnitOfWork, gebruiker: Gebruiker, pseudoniem_sleutel: bytes) -> list[str]:
    """The households the inwoner is a member of, in his own gemeente only."""
    sleutel = gebruiker.persoon_sleutel(pseudoniem_sleutel)
    if sleutel is None:
        raise GeenToegang("Alleen een inwoner, ingelogd met DigiD, ziet zijn eigen huishouden.")
    leden = tables.leden
    rijen = await uow.connection.execute(
        select(leden.c.huishouden_id).where(leden.c.persoon_sleutel == sleutel, leden.c.gemeente == gebruiker.gemeente)
    )
    return list(rijen.scalars())


async def mijn_huishouden_lezen(uow: UnitOfWork, gebruiker: Gebruiker, pseudoniem_sleutel: bytes) -> list[Overzicht]:
    """His households' plans in view, with what the regisseur's page has; the read is logged like any other."""
    overzichten = []
    for huishouden_id in await mijn_huishoudens(uow, gebruiker, pseudoniem_sleutel):
        if (plan := await repository.plan_in_beeld(uow, huishouden_id)) is not None:
            overzichten.append(await repository.overzicht(uow, plan))
            await log_verwerking(
                uow.connection, tables.verwerkingslog, "eigen huishouden inzien", [huishouden_id], gebruiker
            )
    return overzichten


async def _mijn_plan(
    uow: UnitOfWork, gebruiker: Gebruiker, pseudoniem_sleutel: bytes, plan_id: uuid.UUID
) -> domain.Huishoudplan:
    """The plan's household, locked, if it is one of his own; NietGevonden for any other, also one that exists."""
    hp = await repository.laad_plan(uow, plan_id)
    if (
        hp is None
        or hp.plan is None
        or hp.huishouden_id not in await mijn_huishoudens(uow, gebruiker, pseudoniem_sleutel)
    ):
        raise NietGevonden("Plan niet gevonden.")
    return hp


async def mijn_reactie(
    uow: UnitOfWork,
    gebruiker: Gebruiker,
    pseudoniem_sleutel: bytes,
    plan_id: uuid.UUID,
    invoer: schemas.Reactie,
    nu: datetime | None = None,
) -> uuid.UUID:
    hp = await _mijn_plan(uow, gebruiker, pseudoniem_sleutel, plan_id)
    reactie_id = hp.reageer(invoer, _nu(nu))
    await repository.sla_op(uow, hp)
    return reactie_id


async def mijn_versie(
    uow: UnitOfWork,
    gemeenten: Gemeenten,
    gebruiker: Gebruiker,
    pseudoniem_sleutel: bytes,
    plan_id: uuid.UUID,
    invoer: schemas.VersieInvoer,
    nu: datetime | None = None,
) -> domain.PlanVersie:
    """An inwoner who is his own regisseur keeps his plan's goals and next contact moment himself."""
    hp = await _mijn_plan(uow, gebruiker, pseudoniem_sleutel, plan_id)
    assert hp.plan is not None  # _mijn_plan refuses a household without this plan
    if hp.plan.regisseur.soort != "inwoner":
        raise GeenToegang("U past het plan zelf aan als u zelf de regie heeft; vraag anders uw regisseur.")
    versie = hp.stel_versie_op(invoer, gemeenten[hp.plan.gemeente], _vandaag(nu), "inwoner")
    await repository.sla_op(uow, hp)
    return versie


async def mijn_verwerkingen(uow: UnitOfWork, gebruiker: Gebruiker, pseudoniem_sleutel: bytes) -> Sequence[RowMapping]:
    """The processing log's entries about his households: who (a role, of which gemeente), when, what."""
    huishoudens = await mijn_huishoudens(uow, gebruiker, pseudoniem_sleutel)
    return await verwerkingen_over(uow.connection, tables.verwerkingslog, huishoudens)


# --- reading ----------------------------------------------------------------------------------------------


async def huishouden_lezen(uow: UnitOfWork, gebruiker: Gebruiker, huishouden_id: str) -> Overzicht:
    """The plan in view (the active one, or the last one while a waakvlam runs) with its versions (newest
    first), the household's open termijnen and timeline. Every read is written to the processing log, in
    this unit of work."""
    plan = await repository.plan_in_beeld(uow, huishouden_id)
    if plan is None or not mag_zien(gebruiker, plan.gemeente, Regisseur.model_validate(plan.regisseur)):
        raise NietGevonden("Geen actief plan voor dit huishouden.")
    overzicht = await repository.overzicht(uow, plan)
    await log_verwerking(uow.connection, tables.verwerkingslog, "huishouden inzien", [huishouden_id], gebruiker)
    return overzicht


async def werkvoorraad(
    uow: UnitOfWork, gebruiker: Gebruiker, offset: int = 0, limiet: int = WERKVOORRAAD_MAX
) -> Sequence[RowMapping]:
    """The caller's open work: open termijnen of his teams or of him as medewerker, soonest first; one
    page of at most `limiet` from `offset` on (soonest first, then by id, so the pages do not overlap)."""
    return await repository.open_termijnen_van(
        uow, gebruiker.gemeente, gebruiker.teams, gebruiker.sub, min(limiet, WERKVOORRAAD_MAX), offset
    )
