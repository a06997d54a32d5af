"""Triage's use cases: route every melding and casus, keep the projection of households with a
regisseur, and answer what was decided and what would be.

Each takes an open unit of work and does not commit (the bus or the API route does).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import DateTime, String, Uuid, any_, bindparam, select, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from services.triage import domain, schemas, tables
from shared.auth import Gebruiker, Rol
from shared.db import UnitOfWork
from shared.events import (
    BronSoort,
    DoorverwijzingGedaan,
    Event,
    MeldingGeregistreerd,
    PlanAfgesloten,
    Regisseur,
    RegisseurToegewezen,
    SignaalDoorgezet,
    maak_event,
)
from shared.gemeenten import Gemeente, Gemeenten
from shared.ids import nieuw_id
from shared.regels import Regel
from shared.weigeringen import GeenToegang, NietGevonden, OngeldigeInvoer


async def route_melding(uow: UnitOfWork, gemeenten: Gemeenten, event: Event[MeldingGeregistreerd]) -> None:
    """Decide where the melding goes (the household's regisseur, if it has one) and tell arrangement."""
    m = event.data
    regisseur = await _regisseur_van(uow, m.huishouden_id)
    besluit = domain.besluit(gemeenten[m.gemeente], domain.feiten_van_melding(m, regisseur is not None), regisseur)
    await _leg_besluit_vast(uow, event, m.melding_id, "melding", m.huishouden_id, besluit, m.wijk, m.ontvangen_op)


async def route_casus(uow: UnitOfWork, gemeenten: Gemeenten, event: Event[SignaalDoorgezet]) -> None:
    """The same for a signaalcasus from signalering."""
    c = event.data
    regisseur = await _regisseur_van(uow, c.huishouden_id)
    besluit = domain.besluit(gemeenten[c.gemeente], domain.feiten_van_casus(c, regisseur is not None), regisseur)
    await _leg_besluit_vast(uow, event, c.casus_id, "signaalcasus", c.huishouden_id, besluit, c.wijk, c.ontvangen_op)


REGISSEUR_VAN = select(tables.bekende_huishoudens.c.regisseur).where(
    tables.bekende_huishoudens.c.huishouden_id == bindparam("huishouden_id"),
    tables.bekende_huishoudens.c.afgesloten.is_(False),
)  # built once: constructing a statement per event costs more than running it


REGISSEURS_VAN = select(tables.bekende_huishoudens.c.huishouden_id, tables.bekende_huishoudens.c.regisseur).where(
    tables.bekende_huishoudens.c.huishouden_id == any_(bindparam("huishoudens", type_=ARRAY(String))),
    tables.bekende_huishoudens.c.afgesloten.is_(False),
)
REGISSEURS = "regisseurs"  # in uow.vooraf: household -> its regisseur (JSON) or None, read for the batch


async def regisseurs_voorbereiden(uow: UnitOfWork, huishoudens: list[str]) -> None:
    """For a batch of meldingen or casussen (shared/bundel.py, MetVooraf): the regisseur of every household
    in one read, where each asked for its own."""
    uniek = list(set(huishoudens))
    rijen = await uow.connection.execute(REGISSEURS_VAN, {"huishoudens": uniek})
    uow.vooraf[REGISSEURS] = dict.fromkeys(uniek) | dict(rijen.tuples().all())


async def _regisseur_van(uow: UnitOfWork, huishouden_id: str) -> Regisseur | None:
    """What the batch's preparation read, once per household; otherwise (a second melding of the household,
    a single message) a read of its own."""
    if huishouden_id in (voorbereid := uow.vooraf.get(REGISSEURS, {})):
        regisseur = voorbereid.pop(huishouden_id)
        return Regisseur.model_validate(regisseur) if regisseur is not None else None
    await uow.schrijf_uit(huishouden_id)  # a regisseur of this household that this transaction held back
    rij = (await uow.connection.execute(REGISSEUR_VAN, {"huishouden_id": huishouden_id})).first()
    return Regisseur.model_validate(rij.regisseur) if rij else None


async def _leg_besluit_vast(
    uow: UnitOfWork,
    event: Event,
    bron_id: uuid.UUID,
    bron_soort: BronSoort,
    huishouden_id: str,
    besluit: domain.Besluit,
    wijk: str | None,
    ontvangen_op: datetime,
) -> None:
    """The decision as triage keeps it (GET /v1/besluiten) and as it publishes it: doorverwijzing-gedaan."""
    doorverwijzing_id = nieuw_id()
    # Held back and written with the others of a group commit in one statement (UnitOfWork.voeg_later_toe):
    # nothing in the transaction reads a decision back.
    uow.voeg_later_toe(
        tables.besluiten,
        {
            "doorverwijzing_id": doorverwijzing_id,
            "bron_id": bron_id,
            "bron_soort": bron_soort,
            "gemeente": event.gemeente,
            "huishouden_id": huishouden_id,
            "regel_id": besluit.regel_id,
            "route": besluit.route,
            "team_id": besluit.team_id,
            "urgentie": besluit.urgentie,
            "termijn_tot": besluit.termijn_tot,
            "termijn_grondslag": besluit.termijn_grondslag,
            "toelichting": besluit.toelichting,
            "feiten": besluit.feiten,
        },
        huishouden_id,
    )
    data = DoorverwijzingGedaan(
        doorverwijzing_id=doorverwijzing_id,
        gemeente=event.gemeente,
        bron_id=bron_id,
        bron_soort=bron_soort,
        huishouden_id=huishouden_id,
        wijk=wijk,
        route=besluit.route,
        team_id=besluit.team_id,
        urgentie=besluit.urgentie,
        termijn_tot=besluit.termijn_tot,
        termijn_grondslag=besluit.termijn_grondslag,
        regel_id=besluit.regel_id,
        toelichting=besluit.toelichting,
        bestaande_regisseur=besluit.bestaande_regisseur,
        ontvangen_op=ontvangen_op,  # arrangement counts the Wmo onderzoek from the melding's arrival
    )
    uow.publiceer(
        maak_event(
            data,
            service="triage",
            gemeente=event.gemeente,
            subject=str(doorverwijzing_id),
            correlatieid=event.correlatieid,
            dataref=f"/v1/besluiten?bron_id={bron_id}",
        )
    )


# Written out, not built with postgresql.insert(): SQLAlchemy 2.0 compiles an INSERT ... ON CONFLICT again at
# every execution, and these run once per event (decision 0024).
REGISSEUR_BEKEND = text(
    "INSERT INTO triage.bekende_huishoudens AS b (huishouden_id, plan_id, regisseur, afgesloten, bijgewerkt_op) "
    "VALUES (:huishouden_id, :plan_id, :regisseur, false, :bijgewerkt_op) "
    "ON CONFLICT (huishouden_id) DO UPDATE SET plan_id = excluded.plan_id, regisseur = excluded.regisseur, "
    "afgesloten = false, bijgewerkt_op = excluded.bijgewerkt_op "
    "WHERE NOT (b.plan_id = excluded.plan_id AND (b.afgesloten OR b.bijgewerkt_op > excluded.bijgewerkt_op))"
).bindparams(
    bindparam("plan_id", type_=Uuid),
    bindparam("regisseur", type_=JSONB),
    bindparam("bijgewerkt_op", type_=DateTime(timezone=True)),
)
PLAN_AFGESLOTEN = text(
    "INSERT INTO triage.bekende_huishoudens AS b (huishouden_id, plan_id, regisseur, afgesloten) "
    "VALUES (:huishouden_id, :plan_id, CAST('{}' AS jsonb), true) "
    "ON CONFLICT (huishouden_id) DO UPDATE SET afgesloten = true WHERE b.plan_id = excluded.plan_id"
).bindparams(bindparam("plan_id", type_=Uuid))


async def regisseur_bekend(uow: UnitOfWork, event: Event[RegisseurToegewezen]) -> None:
    """Arrangement gave the household a regisseur: its next melding or casus goes to him."""
    r = event.data
    # Never bring a closed plan back: its plan-afgesloten may have come first. And of two hand-overs of
    # one plan that arrive out of order (two replicas, a redelivery), the newer stays. Held back: a batch's
    # upserts go in one round trip, in the order of the events (_regisseur_van writes them out first).
    uow.voer_later_uit(
        REGISSEUR_BEKEND,
        {
            "huishouden_id": r.huishouden_id,
            "plan_id": r.plan_id,
            "regisseur": r.regisseur.model_dump(mode="json"),
            "bijgewerkt_op": event.time,
        },
        sleutel=r.huishouden_id,
    )


async def plan_afgesloten(uow: UnitOfWork, event: Event[PlanAfgesloten]) -> None:
    """The household's plan closed: it has no regisseur any more."""
    a = event.data
    # Mark, don't delete: a regisseur-toegewezen of this plan that arrives later must not revive it.
    # A row of another (newer) plan of the household is left alone.
    await uow.connection.execute(PLAN_AFGESLOTEN, {"huishouden_id": a.huishouden_id, "plan_id": a.plan_id})


async def besluiten_voor(uow: UnitOfWork, gebruiker: Gebruiker, bron_id: uuid.UUID) -> list[schemas.Besluit]:
    """The decisions on a melding or casus, oldest first, as far as the caller may see them: of his own
    gemeente, and for a wijkcoach only what went to his teams."""
    b = tables.besluiten
    query = select(b).where(b.c.bron_id == bron_id, b.c.gemeente == gebruiker.gemeente)
    if gebruiker.rol == Rol.wijkcoach:
        query = query.where(b.c.team_id.in_(gebruiker.teams))
    rijen = (await uow.connection.execute(query.order_by(b.c.besloten_op))).mappings().all()
    return [schemas.Besluit.model_validate(r) for r in rijen]


def regels_van(gemeenten: Gemeenten, gebruiker: Gebruiker, gemeente: str) -> list[Regel]:
    """The gemeente's rule table, in the order it is applied."""
    return list(_eigen_gemeente(gemeenten, gebruiker, gemeente).regels)


def proef(
    gemeenten: Gemeenten, gebruiker: Gebruiker, gemeente: str, data: dict[str, Any], bekend_huishouden: bool
) -> schemas.Uitkomst:
    """The decision triage would take for this event data (a casus when it has a casus_id, else a
    melding), without storing or publishing anything: it needs no unit of work. `bekend_huishouden`
    stands in for the projection (a dry run has no regisseur to route to)."""
    config = _eigen_gemeente(gemeenten, gebruiker, gemeente)
    try:
        if "casus_id" in data:
            feiten = domain.feiten_van_casus(SignaalDoorgezet.model_validate(data), bekend_huishouden)
        else:
            feiten = domain.feiten_van_melding(MeldingGeregistreerd.model_validate(data), bekend_huishouden)
    except ValidationError as fout:
        raise OngeldigeInvoer([(tuple(e["loc"]), e["msg"]) for e in fout.errors(include_input=False)]) from None
    return schemas.Uitkomst.model_validate(domain.besluit(config, feiten, None), from_attributes=True)


def _eigen_gemeente(gemeenten: Gemeenten, gebruiker: Gebruiker, gemeente: str) -> Gemeente:
    if gebruiker.gemeente != gemeente:
        raise GeenToegang("Alleen de eigen gemeente.")
    config = gemeenten.get(gemeente)
    if config is None:
        raise NietGevonden("Onbekende gemeente.")
    return config
