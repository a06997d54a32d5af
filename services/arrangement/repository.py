"""Loading and saving the household-plan aggregate (domain.Huishoudplan), and the reads around it.

A household changes one transaction at a time, across replicas too: `laad_huishouden` and `laad_plan`
take the household's advisory lock before they read (doorverwijzingen, handovers, versions, closing all
go through here, so the plan row needs no row lock of its own). The unique index on the active plan stays
as the last line of defence. `sla_op` writes what the aggregate recorded and puts its events in the
outbox, in the caller's unit of work; nothing here commits. Its inserts are held back in the unit of work
(`UnitOfWork.voeg_later_toe`, keyed on the household) and written together before the commit or before
the next read of that household; any other statement first writes them out, so order is kept.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Row,
    RowMapping,
    Select,
    String,
    Table,
    bindparam,
    func,
    literal_column,
    or_,
    select,
    text,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY

from services.arrangement import domain, tables
from services.arrangement import doorzetten as dz
from services.arrangement import rechtsbescherming as rb
from services.arrangement.domain import PlanStatus
from shared.db import UnitOfWork
from shared.events import Data, Regisseur, maak_event
from shared.termijnen import TZ

p, pv, t, tl = tables.plannen, tables.planversies, tables.termijnen, tables.tijdlijn
a, bt = tables.aanvragen, tables.beschikkingen


VERGRENDEL = text("SELECT pg_advisory_xact_lock(hashtext(:h))")
# Many households at once, always in the same order: two transactions never wait on each other crosswise.
VERGRENDEL_ALLE = text(
    "SELECT count(pg_advisory_xact_lock(hashtext(h))) "
    "FROM (SELECT DISTINCT unnest(CAST(:huishoudens AS varchar[])) AS h ORDER BY 1) AS te_vergrendelen"
).bindparams(bindparam("huishoudens", type_=ARRAY(String)))


# In uow.vooraf: the households this transaction holds the lock of, and those a batch loaded (MetVooraf).
VERGRENDELD, HUISHOUDENS = "vergrendeld", "huishoudens"


def _vergrendeld(uow: UnitOfWork) -> set[str]:
    """The households this transaction holds the lock of."""
    return uow.vooraf.setdefault(VERGRENDELD, set())


async def vergrendel_huishouden(uow: UnitOfWork, huishouden_id: str) -> None:
    """Held until the transaction ends; once per transaction."""
    if huishouden_id not in (vergrendeld := _vergrendeld(uow)):
        await uow.connection.execute(VERGRENDEL, {"h": huishouden_id})
        vergrendeld.add(huishouden_id)


# --- loading ---------------------------------------------------------------------------------------------


def _in_beeld(huishouden_id: str | ColumnElement) -> Select:
    """The plan the household has in view: the active one before a waakvlam one (there is at most one of
    each), the newest first."""
    return (
        select(p)
        .where(p.c.huishouden_id == huishouden_id, p.c.status.in_([s.value for s in domain.IN_BEELD]))
        .order_by((p.c.status == PlanStatus.actief.value).desc(), p.c.aangemaakt_op.desc())
        .limit(1)
    )


def _huishouden_met_plan() -> Select:
    """The plan in view (if any) and the doorverwijzingen the household already received, in one row.
    Built once: constructing a statement costs more CPU than PostgreSQL takes to run this one."""
    h: BindParameter[str] = bindparam("huishouden_id")
    in_beeld = _in_beeld(h).subquery()
    ontvangen = (
        select(func.array_agg(tl.c.doorverwijzing_id))
        .where(tl.c.huishouden_id == h, tl.c.doorverwijzing_id.is_not(None))
        .scalar_subquery()
    )
    # One row also without a plan. A VALUES list would do, but SQLAlchemy 2.0 cannot cache a statement with
    # one and would compile this again for every doorverwijzing (decision 0024).
    een = select(literal_column("1").label("een")).subquery("een")
    return select(ontvangen.label("ontvangen"), in_beeld).select_from(een.outerjoin(in_beeld, true()))


HUISHOUDEN_MET_PLAN = _huishouden_met_plan()


def _huishoudens_met_plan() -> Select:
    """HUISHOUDEN_MET_PLAN for many households at once: a row per household (`sleutel`)."""
    h = func.unnest(bindparam("huishoudens", type_=ARRAY(String))).table_valued("huishouden_id").render_derived("h")
    in_beeld = _in_beeld(h.c.huishouden_id).lateral("in_beeld")
    ontvangen = (
        select(func.array_agg(tl.c.doorverwijzing_id))
        .where(tl.c.huishouden_id == h.c.huishouden_id, tl.c.doorverwijzing_id.is_not(None))
        .scalar_subquery()
    )
    return select(h.c.huishouden_id.label("sleutel"), ontvangen.label("ontvangen"), in_beeld).select_from(
        h.outerjoin(in_beeld, true())
    )


HUISHOUDENS_MET_PLAN = _huishoudens_met_plan()


async def bereid_doorverwijzingen_voor(uow: UnitOfWork, huishoudens: list[str]) -> None:
    """For a batch of doorverwijzingen (MetVooraf): the lock of every household in one statement, then the
    plan each has in view and what it received in one more, where each doorverwijzing asked for both."""
    uniek = sorted(set(huishoudens) - _vergrendeld(uow))
    if not uniek:
        return
    await uow.connection.execute(VERGRENDEL_ALLE, {"huishoudens": uniek})
    _vergrendeld(uow).update(uniek)
    rijen = await uow.connection.execute(HUISHOUDENS_MET_PLAN, {"huishoudens": uniek})
    uow.vooraf.setdefault(HUISHOUDENS, {}).update({r.sleutel: r for r in rijen})


async def laad_huishouden(uow: UnitOfWork, huishouden_id: str) -> domain.Huishoudplan:
    """The household with the plan it has in view, under its lock (for a doorverwijzing): one statement
    after the lock, for the plan and the doorverwijzingen the household already received; or what the
    batch's preparation loaded, once (a second doorverwijzing of the household reads what the first wrote)."""
    await vergrendel_huishouden(uow, huishouden_id)
    rij = uow.vooraf.get(HUISHOUDENS, {}).pop(huishouden_id, None)
    if rij is None:
        await uow.schrijf_uit(huishouden_id)  # what an earlier doorverwijzing of this transaction held back
        rij = (await uow.connection.execute(HUISHOUDEN_MET_PLAN, {"huishouden_id": huishouden_id})).one()
    plan = rij if rij.plan_id is not None else None
    return await _bouw(uow, huishouden_id, plan, set(rij.ontvangen or ()))


async def laad_plan(uow: UnitOfWork, plan_id: uuid.UUID) -> domain.Huishoudplan | None:
    """The household of this plan with this plan, whatever its status, under the household's lock."""
    huishouden_id = (await uow.connection.execute(select(p.c.huishouden_id).where(p.c.plan_id == plan_id))).scalar()
    if huishouden_id is None:
        return None
    await vergrendel_huishouden(uow, huishouden_id)
    await uow.schrijf_uit()
    rij = (await uow.connection.execute(select(p).where(p.c.plan_id == plan_id))).first()
    return await _bouw(uow, huishouden_id, rij, await _ontvangen(uow, huishouden_id))


def als_plan(rij: Row) -> domain.Plan:
    return domain.Plan(
        plan_id=rij.plan_id,
        huishouden_id=rij.huishouden_id,
        gemeente=rij.gemeente,
        versie=rij.versie,
        regisseur=Regisseur.model_validate(rij.regisseur),
        evaluatie_op=rij.evaluatie_op,
        wijk=rij.wijk,
        status=PlanStatus(rij.status),
        afgesloten_op=rij.afgesloten_op,
        resultaat=rij.resultaat,
        waakvlam_op=rij.waakvlam_op,
        waakvlam_interval_weken=rij.waakvlam_interval_weken,
    )


async def _ontvangen(uow: UnitOfWork, huishouden_id: str) -> set[uuid.UUID]:
    vraag = select(tl.c.doorverwijzing_id).where(
        tl.c.huishouden_id == huishouden_id, tl.c.doorverwijzing_id.is_not(None)
    )
    return set((await uow.connection.execute(vraag)).scalars())


async def _bouw(uow: UnitOfWork, huishouden_id: str, rij: Row | None, ontvangen: set[uuid.UUID]) -> domain.Huishoudplan:
    s = uow.connection
    hp = domain.Huishoudplan(huishouden_id, ontvangen=ontvangen)
    if rij is None:
        return hp
    hp.plan = plan = als_plan(rij)
    hp.doelen = (
        await s.execute(select(pv.c.doelen).where(pv.c.plan_id == plan.plan_id, pv.c.versie == plan.versie))
    ).scalar_one()
    open_ = await s.execute(
        select(a.c.aanvraag_id, a.c.voorzieningen)
        .where(a.c.plan_id == plan.plan_id, a.c.status == "open")
        .order_by(a.c.ontvangen_op, a.c.aanvraag_id)
    )
    hp.open_aanvragen = {r.aanvraag_id: tuple(r.voorzieningen) for r in open_}
    laatste = (
        select(bt.c.beschikking_id, func.max(bt.c.versie).label("versie"))
        .where(bt.c.plan_id == plan.plan_id)
        .group_by(bt.c.beschikking_id)
        .subquery()
    )
    beschikkingen = await s.execute(
        select(bt).join(laatste, (bt.c.beschikking_id == laatste.c.beschikking_id) & (bt.c.versie == laatste.c.versie))
    )
    hp.beschikkingen = {
        r.beschikking_id: domain.Beschikking(
            r.beschikking_id,
            r.versie,
            r.aanvraag_id,
            r.voorzieningen,
            r.ingangsdatum,
            r.einddatum,
            r.reden_wijziging,
            r.verzonden_op or r.afgegeven_op.astimezone(TZ).date(),
        )
        for r in beschikkingen
    }
    return hp


# --- saving ----------------------------------------------------------------------------------------------


async def sla_op(uow: UnitOfWork, hp: domain.Huishoudplan, correlatieid: str | None = None) -> int:
    """Write what the aggregate recorded, in order, and publish its events (subject: the plan). Returns how
    many open termijnen the changes met (status gehaald)."""
    laatste_stand = {w.plan.plan_id: w for w in hp.wijzigingen if isinstance(w, domain.PlanGewijzigd)}
    gehaald = 0
    for w in hp.wijzigingen:
        if isinstance(w, domain.PlanGewijzigd) and laatste_stand[w.plan.plan_id] is not w:
            continue  # only the plan's last state is written
        gehaald += await _schrijf(uow, w)
    if hp.events:
        plan = hp.plan
        assert plan is not None
        for data in hp.events:
            publiceer(uow, data, plan.gemeente, plan.plan_id, plan.huishouden_id, correlatieid or str(plan.plan_id))
    hp.wijzigingen, hp.events = [], []
    return gehaald


def publiceer(
    uow: UnitOfWork, data: Data, gemeente: str, plan_id: uuid.UUID, huishouden_id: str, correlatieid: str
) -> None:
    """An arrangement event into the outbox: the plan is its subject, the household's page its dataref."""
    uow.publiceer(
        maak_event(
            data,
            service="arrangement",
            gemeente=gemeente,
            subject=str(plan_id),
            correlatieid=correlatieid,
            dataref=f"/v1/huishoudens/{huishouden_id}",
        )
    )


def _planrij(plan: domain.Plan) -> dict[str, Any]:
    return {
        "versie": plan.versie,
        "regisseur": plan.regisseur.model_dump(mode="json"),
        "evaluatie_op": plan.evaluatie_op,
        "status": plan.status.value,
        "afgesloten_op": plan.afgesloten_op,
        "resultaat": plan.resultaat,
        "waakvlam_op": plan.waakvlam_op,
        "waakvlam_interval_weken": plan.waakvlam_interval_weken,
    }


def _versierij(plan: domain.Plan, doelen: list, voorzieningen: list) -> dict[str, Any]:
    """A version of the plan as it is now (its number, regisseur and evaluation date) with these contents."""
    return {
        "plan_id": plan.plan_id,
        "versie": plan.versie,
        "regisseur": plan.regisseur.model_dump(mode="json"),
        "doelen": doelen,
        "voorzieningen": voorzieningen,
        "evaluatie_op": plan.evaluatie_op,
    }


# What `sla_op` may hold back until the household is read again or the transaction commits: inserts. Any
# other statement first writes those out (UnitOfWork.schrijf_uit), so everything lands in the order given.
LATER = (
    domain.ReactieVastgelegd,
    domain.GesprekVastgelegd,
    domain.VerslagVastgelegd,
    domain.PlanAangemaakt,
    domain.VersieVastgelegd,
    domain.TermijnenGesteld,
    domain.OpTijdlijn,
    domain.AanvraagGeregistreerd,
    domain.BeschikkingVastgelegd,
)


async def _schrijf(uow: UnitOfWork, w: domain.Wijziging) -> int:
    s = uow.connection
    if not isinstance(w, LATER):
        await uow.schrijf_uit()
    match w:
        case domain.PlanAangemaakt(plan):
            later = _later(uow, plan)
            later(
                p,
                {
                    "plan_id": plan.plan_id,
                    "gemeente": plan.gemeente,
                    "huishouden_id": plan.huishouden_id,
                    "wijk": plan.wijk,
                    **_planrij(plan),
                },
            )
            later(pv, _versierij(plan, doelen=[], voorzieningen=[]))
        case domain.PlanGewijzigd(plan):
            await s.execute(update(p).where(p.c.plan_id == plan.plan_id).values(**_planrij(plan)))
        case domain.VersieVastgelegd(plan, versie, door):
            _later(uow, plan)(
                pv,
                {
                    **_versierij(plan, doelen=versie.doelen, voorzieningen=versie.voorzieningen),
                    "mantelzorg": versie.mantelzorg,
                    "gebruikelijke_zorg": versie.gebruikelijke_zorg,
                    "opgesteld_door": door,
                },
            )
        case domain.TermijnenGesteld(plan, termijnen):
            _voeg_termijnen_toe(uow, plan, termijnen)
        case domain.TermijnenGesloten(plan_id, soorten, status, bron_id):
            voorwaarde = [t.c.plan_id == plan_id, t.c.status == "open", t.c.soort.in_(soorten)]
            if bron_id is not None:
                voorwaarde.append(t.c.bron_id == bron_id)
            r = await s.execute(update(t).where(*voorwaarde).values(status=status, gesloten_op=func.now()))
            return r.rowcount if status == "gehaald" else 0
        case domain.PlanTermijnenVervallen(plan_id):
            await s.execute(
                update(t)
                .where(t.c.plan_id == plan_id, t.c.status == "open")
                .values(status="vervallen", gesloten_op=func.now())
            )
            await s.execute(update(a).where(a.c.plan_id == plan_id, a.c.status == "open").values(status="vervallen"))
        case domain.WaakvlamTermijnenVervallen(huishouden_id):
            await s.execute(
                update(t)
                .where(t.c.huishouden_id == huishouden_id, t.c.soort == "waakvlam", t.c.status == "open")
                .values(status="vervallen", gesloten_op=func.now())
            )
        case domain.TermijnenVerhuisd(plan_id, regisseur):
            await s.execute(
                update(t)
                .where(t.c.plan_id == plan_id, t.c.status == "open", t.c.soort.in_(domain.TERMIJNEN_VAN_REGISSEUR))
                .values(team_id=regisseur.team_id, medewerker_id=regisseur.medewerker_id)
            )
        case domain.OpTijdlijn(plan, soort, details, bron_id, bron_soort, doorverwijzing_id):
            _later(uow, plan)(
                tl,
                {
                    "huishouden_id": plan.huishouden_id,
                    "plan_id": plan.plan_id,
                    "soort": soort,
                    "bron_id": bron_id,
                    "bron_soort": bron_soort,
                    "details": details,
                    "doorverwijzing_id": doorverwijzing_id,
                },
            )
        case domain.AanvraagGeregistreerd(plan, aanvraag_id, voorzieningen, ontvangen_op, door):
            _later(uow, plan)(
                a,
                {
                    "aanvraag_id": aanvraag_id,
                    "plan_id": plan.plan_id,
                    "huishouden_id": plan.huishouden_id,
                    "voorzieningen": list(voorzieningen),
                    "ontvangen_op": ontvangen_op,
                    "status": "open",
                    "door": door,
                },
            )
        case domain.AanvraagBeschikt(aanvraag_id):
            await s.execute(update(a).where(a.c.aanvraag_id == aanvraag_id).values(status="beschikt"))
        case domain.BeschikkingVastgelegd(plan, b, door):
            _later(uow, plan)(
                bt,
                {
                    "beschikking_id": b.beschikking_id,
                    "versie": b.versie,
                    "plan_id": plan.plan_id,
                    "huishouden_id": plan.huishouden_id,
                    "aanvraag_id": b.aanvraag_id,
                    "voorzieningen": b.voorzieningen,
                    "ingangsdatum": b.ingangsdatum,
                    "einddatum": b.einddatum,
                    "reden_wijziging": b.reden_wijziging,
                    "verzonden_op": b.verzonden_op,
                    "afgegeven_door": door,
                },
            )
        case domain.GesprekVastgelegd(plan, gesprek, door):
            _later(uow, plan)(tables.gesprekken, {"plan_id": plan.plan_id, "door": door, **gesprek})
        case domain.VerslagVastgelegd(plan, verslag_id, verstuurd_op, door):
            _later(uow, plan)(
                tables.verslagen,
                {"verslag_id": verslag_id, "plan_id": plan.plan_id, "verstuurd_op": verstuurd_op, "door": door},
            )
        case domain.ZaakVastgelegd(plan, zaak, door, nieuw):
            await _zaak(s, zaak, door, nieuw)
        case domain.TermijnVerschoven(plan_id, soort, bron_id, tot, grondslag):
            await s.execute(
                update(t)
                .where(t.c.plan_id == plan_id, t.c.soort == soort, t.c.bron_id == bron_id, t.c.status == "open")
                .values(termijn_tot=tot, termijn_grondslag=grondslag)
            )
        case domain.ReactieVastgelegd(plan, rij):
            _later(uow, plan)(tables.reacties, rij)
        case domain.EscalatieVastgelegd(plan, escalatie, door, nieuw):
            e, rij = tables.escalaties, dz.rij_van(escalatie)
            if nieuw:
                extra = {"huishouden_id": plan.huishouden_id, "gemeente": plan.gemeente, "ingediend_door": door}
                await s.execute(e.insert().values(**rij, **extra))
            else:
                await s.execute(
                    update(e).where(e.c.escalatie_id == escalatie.escalatie_id).values(**rij, behandeld_door=door)
                )
        case domain.ContactpogingVastgelegd(plan_id, poging, door):
            await s.execute(tables.contactpogingen.insert().values(plan_id=plan_id, door=door, **poging))
        case domain.EvaluatieVastgelegd(plan_id, evaluatie, door):
            await s.execute(tables.evaluaties.insert().values(plan_id=plan_id, door=door, **evaluatie))
    return 0


ZAKEN = {"bezwaar": (tables.bezwaren, "bezwaar_id"), "klacht": (tables.klachten, "klacht_id")}


async def _zaak(s, zaak: rb.Zaak, door: str, nieuw: bool) -> None:
    tabel, sleutel = ZAKEN[zaak.soort]
    rij = rb.rij_van(zaak)
    if nieuw:
        await s.execute(tabel.insert().values(**rij, door=door))
    else:
        await s.execute(update(tabel).where(tabel.c[sleutel] == rij[sleutel]).values(**rij))


async def laad_bezwaar(uow: UnitOfWork, plan_id: uuid.UUID, bezwaar_id: uuid.UUID) -> rb.Bezwaar | None:
    b = tables.bezwaren
    rij = (await uow.connection.execute(select(b).where(b.c.plan_id == plan_id, b.c.bezwaar_id == bezwaar_id))).first()
    return rb.bezwaar_uit(rij._mapping) if rij is not None else None


async def laad_klacht(uow: UnitOfWork, plan_id: uuid.UUID, klacht_id: uuid.UUID) -> rb.Klacht | None:
    k = tables.klachten
    rij = (await uow.connection.execute(select(k).where(k.c.plan_id == plan_id, k.c.klacht_id == klacht_id))).first()
    return rb.klacht_uit(rij._mapping) if rij is not None else None


async def laad_escalatie(
    uow: UnitOfWork, plan_id: uuid.UUID, escalatie_id: uuid.UUID | None = None
) -> dz.Escalatie | None:
    """The plan's escalation with this id, or (without an id) the one that is running, if any."""
    e = tables.escalaties
    query = select(e).where(e.c.plan_id == plan_id)
    if escalatie_id is not None:
        query = query.where(e.c.escalatie_id == escalatie_id)
    else:
        query = query.where(e.c.status.in_(dz.LOPEND))
    rij = (await uow.connection.execute(query)).mappings().first()
    return dz.uit_rij(rij) if rij is not None else None


async def escalaties(
    uow: UnitOfWork, gemeente: str | None, teams: Sequence[str] | None, alleen_lopend: bool, limiet: int
) -> Sequence[RowMapping]:
    """The gemeente's escalations, newest first; with `teams`, only those raised from those teams."""
    e = tables.escalaties
    query = select(e).where(e.c.gemeente == gemeente)
    if teams is not None:
        query = query.where(e.c.van_team_id.in_(teams))
    if alleen_lopend:
        query = query.where(e.c.status.in_(dz.LOPEND))
    return (await uow.connection.execute(query.order_by(e.c.ingediend_op.desc()).limit(limiet))).mappings().all()


async def plan_escalaties(uow: UnitOfWork, plan_id: uuid.UUID) -> Sequence[RowMapping]:
    e = tables.escalaties
    return (
        (await uow.connection.execute(select(e).where(e.c.plan_id == plan_id).order_by(e.c.ingediend_op)))
        .mappings()
        .all()
    )


async def zet_escaleren_op(
    uow: UnitOfWork, plan_id: uuid.UUID, bron_id: uuid.UUID, grondslag: str, op: datetime
) -> int:
    """The overdue deadline (still open, announced) escalates by itself at `op`; returns how many rows."""
    r = await uow.connection.execute(
        update(t)
        .where(
            t.c.plan_id == plan_id,
            t.c.bron_id == bron_id,
            t.c.termijn_grondslag == grondslag,
            t.c.status == "open",
            t.c.verstreken_op.is_not(None),
            t.c.escaleren_op.is_(None),
            t.c.soort != "escalatie",  # the team holding doorzettingsmacht does not escalate to itself
        )
        .values(escaleren_op=op)
        .returning(t.c.id)
    )
    return len(r.all())


async def te_escaleren(uow: UnitOfWork, nu: datetime, limiet: int) -> Sequence[Row]:
    """Overdue deadlines whose moment to escalate has come (no lock: the job locks the household first)."""
    return (
        await uow.connection.execute(
            select(t.c.id, t.c.huishouden_id)
            .where(t.c.status == "open", t.c.escaleren_op <= nu, t.c.geescaleerd_op.is_(None))
            .order_by(t.c.escaleren_op)
            .limit(limiet)
        )
    ).all()


async def neem_te_escaleren(uow: UnitOfWork, termijn_id: int, nu: datetime) -> Row | None:
    """Under the household's lock: the deadline if it still has to escalate, marked as escalated."""
    rij = (
        await uow.connection.execute(
            update(t)
            .where(t.c.id == termijn_id, t.c.status == "open", t.c.geescaleerd_op.is_(None), t.c.escaleren_op <= nu)
            .values(geescaleerd_op=nu)
            .returning(t.c.plan_id, t.c.termijn_grondslag)
        )
    ).first()
    return rij


async def gesprekdata(uow: UnitOfWork, plan_id: uuid.UUID) -> list[date]:
    g = tables.gesprekken
    return list((await uow.connection.execute(select(g.c.datum).where(g.c.plan_id == plan_id))).scalars())


def _later(uow: UnitOfWork, plan: domain.Plan) -> Callable[[Table, dict[str, Any]], None]:
    return lambda tabel, rij: uow.voeg_later_toe(tabel, rij, plan.huishouden_id)


def _voeg_termijnen_toe(uow: UnitOfWork, plan: domain.Plan, termijnen: Sequence[domain.NieuweTermijn]) -> None:
    later = _later(uow, plan)
    for n in termijnen:
        later(
            t,
            {
                "huishouden_id": plan.huishouden_id,
                "plan_id": plan.plan_id,
                "gemeente": plan.gemeente,
                "soort": n.soort,
                "bron_id": n.bron_id,
                "team_id": n.team_id,
                "medewerker_id": n.medewerker_id,
                "termijn_grondslag": n.termijn_grondslag,
                "termijn_tot": n.termijn_tot,
                "bij_lopend_plan": n.bij_lopend_plan,
            },
        )


# --- reading ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Overzicht:
    """What GET /v1/huishoudens/{id} shows: the plan in view, its latest version, the household's open
    termijnen and timeline, the plan's aanvragen and beschikkingen."""

    plan: Row
    versie: RowMapping
    open_termijnen: Sequence[RowMapping]
    tijdlijn: Sequence[RowMapping]
    aanvragen: Sequence[RowMapping]
    beschikkingen: Sequence[RowMapping]
    # Every version of the plan in view, newest first (the first is `versie`): its number, when and by
    # whom, evaluation date, regisseur and how many goals and voorzieningen; not the contents themselves.
    versies: Sequence[RowMapping]
    # The Wmo onderzoek and the inwoner's legal protection, oldest first.
    gesprekken: Sequence[RowMapping] = ()
    verslagen: Sequence[RowMapping] = ()
    bezwaren: Sequence[RowMapping] = ()
    klachten: Sequence[RowMapping] = ()
    escalaties: Sequence[RowMapping] = ()


async def plan_in_beeld(uow: UnitOfWork, huishouden_id: str) -> Row | None:
    return (await uow.connection.execute(_in_beeld(huishouden_id))).first()


async def overzicht(uow: UnitOfWork, plan: Row) -> Overzicht:
    s, h = uow.connection, plan.huishouden_id

    async def rijen(query) -> Sequence[RowMapping]:
        return (await s.execute(query)).mappings().all()

    versie = (
        (await s.execute(select(pv).where(pv.c.plan_id == plan.plan_id).order_by(pv.c.versie.desc()).limit(1)))
        .mappings()
        .one()
    )
    return Overzicht(
        plan=plan,
        versie=versie,
        open_termijnen=await rijen(
            select(t).where(t.c.huishouden_id == h, t.c.status == "open").order_by(t.c.termijn_tot, t.c.id)
        ),
        tijdlijn=await rijen(select(tl).where(tl.c.huishouden_id == h).order_by(tl.c.tijdstip, tl.c.id)),
        aanvragen=await rijen(select(a).where(a.c.plan_id == plan.plan_id).order_by(a.c.ontvangen_op)),
        beschikkingen=await rijen(
            select(bt).where(bt.c.plan_id == plan.plan_id).order_by(bt.c.afgegeven_op, bt.c.versie)
        ),
        versies=await rijen(_versies(plan.plan_id)),
        gesprekken=await rijen(_van_plan(tables.gesprekken, plan.plan_id, "datum")),
        verslagen=await rijen(_van_plan(tables.verslagen, plan.plan_id, "verstuurd_op")),
        bezwaren=await rijen(_van_plan(tables.bezwaren, plan.plan_id, "ontvangen_op")),
        klachten=await rijen(_van_plan(tables.klachten, plan.plan_id, "ontvangen_op")),
        escalaties=await plan_escalaties(uow, plan.plan_id),
    )


def _van_plan(tabel: Table, plan_id: uuid.UUID, op: str) -> Select:
    return select(tabel).where(tabel.c.plan_id == plan_id).order_by(tabel.c[op], tabel.c.vastgelegd_op)


def _versies(plan_id: uuid.UUID) -> Select:
    """The plan's versions, newest first: a page reads the current one first, the history below it."""
    return (
        select(
            pv.c.versie,
            pv.c.opgesteld_op,
            pv.c.opgesteld_door,
            pv.c.evaluatie_op,
            pv.c.regisseur,
            func.jsonb_array_length(pv.c.doelen).label("aantal_doelen"),
            func.jsonb_array_length(pv.c.voorzieningen).label("aantal_voorzieningen"),
        )
        .where(pv.c.plan_id == plan_id)
        .order_by(pv.c.versie.desc())
    )


async def open_termijnen_van(
    uow: UnitOfWork, gemeente: str | None, teams: Sequence[str], medewerker_id: str, limiet: int = 500, offset: int = 0
) -> Sequence[RowMapping]:
    """The open termijnen of these teams or this medewerker in the gemeente, soonest first."""
    return (
        (
            await uow.connection.execute(
                select(t)
                .where(
                    t.c.status == "open",
                    t.c.gemeente == gemeente,
                    or_(t.c.team_id.in_(teams), t.c.medewerker_id == medewerker_id),
                )
                .order_by(t.c.termijn_tot, t.c.id)
                .offset(offset)
                .limit(limiet)
            )
        )
        .mappings()
        .all()
    )


# --- termijnbewaking -------------------------------------------------------------------------------------


async def verstrijk_termijnen(uow: UnitOfWork, nu: datetime, limiet: int) -> Sequence[Row]:
    """Due termijnen not yet announced, locked with SKIP LOCKED (another replica skips them) and marked
    verstreken in this transaction; after commit they no longer match. Returns them."""
    rijen = (
        await uow.connection.execute(
            select(t)
            .where(t.c.status == "open", t.c.verstreken_op.is_(None), t.c.termijn_tot <= nu)
            .order_by(t.c.termijn_tot)
            .limit(limiet)
            .with_for_update(skip_locked=True)
        )
    ).all()
    if rijen:
        await uow.connection.execute(update(t).where(t.c.id.in_([r.id for r in rijen])).values(verstreken_op=nu))
    return rijen


async def open_termijnen_per_grondslag(uow: UnitOfWork, nu: datetime) -> Sequence[Row]:
    """Per gemeente and grondslag: open deadlines, and of those the overdue ones (for the metrics)."""
    return (
        await uow.connection.execute(
            select(
                t.c.gemeente,
                t.c.termijn_grondslag,
                func.count().label("open"),
                func.count().filter(t.c.termijn_tot < nu).label("verlopen"),
            )
            .where(t.c.status == "open")
            .group_by(t.c.gemeente, t.c.termijn_grondslag)
        )
    ).all()
