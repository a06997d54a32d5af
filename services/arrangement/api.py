"""Arrangement's HTTP API: the household's plan, regisseur, deadlines and timeline; the werkvoorraad; the
work on a plan (versions, regie, aanvragen, beschikkingen, contactpogingen, warm handovers, evaluations,
closing with or without waakvlam).

Who may do what (gemeente roles only; a plan of another gemeente is 404, as is a plan a wijkcoach or
meldpunt outside the regisseur's team may not see):
- read a household: beheer, lokale_kamer, consulent, meldpunt of the gemeente; others when the plan's
  regisseur is one of their teams (or they are its medewerker);
- change the plan (versions, regie, contactpogingen, warm handovers, evaluations, closing): the
  regisseur's team, lokale_kamer and beheer; anyone else who may read it gets 403;
- register an aanvraag: those, and any consulent of the gemeente;
- issue or change a beschikking: a consulent of the gemeente, and nobody else (403 for every other role).
Every change and its events commit in one unit of work, under the household's lock.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel
from sqlalchemy import func, or_, select, update

from services.arrangement import domain, opslag, tables
from shared.auth import GEMEENTE_ROLLEN, Gebruiker, Rol, vereist
from shared.db import UnitOfWork
from shared.events import (
    BeschikkingAfgegeven,
    BeschikkingVoorziening,
    Doel,
    DoorverwijzingGedaan,
    PlanAfgesloten,
    PlanOpgesteld,
    PlanResultaat,
    PlanVoorziening,
    RegisseurToegewezen,
)
from shared.gemeenten import Gemeente
from shared.http import OngeldigeInvoer, fouten
from shared.ids import nieuw_id
from shared.termijnen import TZ, termijn_tot
from shared.verwerkingslog import log_verwerking

router = APIRouter(prefix="/v1", tags=["arrangement"], responses=fouten(403))
Medewerker = Annotated[Gebruiker, Depends(vereist(*GEMEENTE_ROLLEN))]
Consulent = Annotated[Gebruiker, Depends(vereist(Rol.consulent))]
BEWERK_FOUTEN = fouten(404, 409)  # what `_bewerk` answers besides 403


def _mag_zien(gebruiker: Gebruiker, plan) -> bool:
    if plan.gemeente != gebruiker.gemeente:
        return False
    if gebruiker.rol in (Rol.beheer, Rol.lokale_kamer, Rol.consulent, Rol.meldpunt):
        return True
    return plan.regisseur.get("team_id") in gebruiker.teams or plan.regisseur.get("medewerker_id") == gebruiker.sub


def _mag_bewerken(gebruiker: Gebruiker, plan) -> bool:
    """The regisseur's team, the Lokale Kamer and beheer (as closing a plan always was)."""
    return gebruiker.rol in (Rol.beheer, Rol.lokale_kamer) or plan.regisseur.get("team_id") in gebruiker.teams


def _mag_aanvragen(gebruiker: Gebruiker, plan) -> bool:
    return gebruiker.rol == Rol.consulent or _mag_bewerken(gebruiker, plan)


def _iedereen_die_ziet(gebruiker: Gebruiker, plan) -> bool:
    # For the beschikking routes: the role is already narrowed to consulent by their dependency.
    return True


def _fouten(fouten: domain.Fouten) -> None:
    if fouten:
        raise OngeldigeInvoer(fouten)


@dataclass
class Bewerking:
    uow: UnitOfWork
    rij: object
    plan: domain.Plan
    gemeente: Gemeente
    nu: datetime

    @property
    def vandaag(self):
        return self.nu.astimezone(TZ).date()

    def publiceer(self, data) -> None:
        opslag.publiceer(self.uow, data, self.rij.gemeente, self.plan, str(self.plan.plan_id))


@asynccontextmanager
async def _bewerk(
    request: Request,
    plan_id: uuid.UUID,
    gebruiker: Gebruiker,
    mag: Callable[[Gebruiker, object], bool] = _mag_bewerken,
    ook_waakvlam: bool = False,
) -> AsyncIterator[Bewerking]:
    """The plan, locked for a change: 404 when the caller may not see it, 403 when he may not change it,
    409 when it is closed (unless a waakvlam keeps it in view and `ook_waakvlam`). The caller commits."""
    ctx, p = request.app.state.ctx, tables.plannen
    async with ctx.uows() as uow:
        rij = (await uow.session.execute(select(p).where(p.c.plan_id == plan_id))).first()
        if rij is None or not _mag_zien(gebruiker, rij):
            raise HTTPException(404, "Plan niet gevonden.")
        if not mag(gebruiker, rij):
            raise HTTPException(403, "Alleen het team van de regisseur, de Lokale Kamer of beheer wijzigt dit plan.")
        # The household's lock first, as a doorverwijzing takes it; then the row as it is now.
        await opslag.vergrendel_huishouden(uow, rij.huishouden_id)
        rij = (await uow.session.execute(select(p).where(p.c.plan_id == plan_id).with_for_update())).first()
        if rij.status != "actief" and not (ook_waakvlam and rij.waakvlam_op is not None):
            raise HTTPException(409, "Dit plan is afgesloten.")
        yield Bewerking(uow, rij, opslag.als_plan(rij), ctx.gemeenten[rij.gemeente], datetime.now(UTC))


# --- reading -------------------------------------------------------------------------------------------


@router.get("/huishoudens/{huishouden_id}", responses=fouten(404))
async def huishouden(huishouden_id: str, request: Request, gebruiker: Medewerker):
    """The active plan (or the last one, closed, while a waakvlam keeps the household in view), the
    regisseur, open deadlines and the timeline. Every read is written to the processing log."""
    p, t, tl = tables.plannen, tables.termijnen, tables.tijdlijn
    async with request.app.state.ctx.uows() as uow:
        s = uow.session
        plan = (
            await s.execute(
                select(p)
                .where(p.c.huishouden_id == huishouden_id, or_(p.c.status == "actief", p.c.waakvlam_op.is_not(None)))
                .order_by((p.c.status == "actief").desc(), p.c.aangemaakt_op.desc())
                .limit(1)
            )
        ).first()
        if plan is None or not _mag_zien(gebruiker, plan):
            raise HTTPException(404, "Geen actief plan voor dit huishouden.")
        versie = (
            (
                await s.execute(
                    select(tables.planversies)
                    .where(tables.planversies.c.plan_id == plan.plan_id)
                    .order_by(tables.planversies.c.versie.desc())
                    .limit(1)
                )
            )
            .mappings()
            .first()
        )
        termijnen = (
            (
                await s.execute(
                    select(t)
                    .where(t.c.huishouden_id == huishouden_id, t.c.status == "open")
                    .order_by(t.c.termijn_tot, t.c.id)
                )
            )
            .mappings()
            .all()
        )
        tijdlijn = (
            (await s.execute(select(tl).where(tl.c.huishouden_id == huishouden_id).order_by(tl.c.tijdstip, tl.c.id)))
            .mappings()
            .all()
        )
        aanvragen = (
            (
                await s.execute(
                    select(tables.aanvragen)
                    .where(tables.aanvragen.c.plan_id == plan.plan_id)
                    .order_by(tables.aanvragen.c.ontvangen_op)
                )
            )
            .mappings()
            .all()
        )
        beschikkingen = (
            (
                await s.execute(
                    select(tables.beschikkingen)
                    .where(tables.beschikkingen.c.plan_id == plan.plan_id)
                    .order_by(tables.beschikkingen.c.afgegeven_op, tables.beschikkingen.c.versie)
                )
            )
            .mappings()
            .all()
        )
        await log_verwerking(s, tables.verwerkingslog, "huishouden inzien", [huishouden_id], gebruiker)
        await uow.commit()
    return {
        "huishouden_id": huishouden_id,
        "plan": {
            "plan_id": plan.plan_id,
            "versie": plan.versie,
            "status": plan.status,
            "wijk": plan.wijk,
            "evaluatie_op": plan.evaluatie_op,
            "aangemaakt_op": plan.aangemaakt_op,
            "afgesloten_op": plan.afgesloten_op,
            "resultaat": plan.resultaat,
            "doelen": versie["doelen"],
            "voorzieningen": versie["voorzieningen"],
            "mantelzorg": versie["mantelzorg"],
            "gebruikelijke_zorg": versie["gebruikelijke_zorg"],
        },
        "regisseur": plan.regisseur,
        "waakvlam": (
            {"controle_op": plan.waakvlam_op, "interval_weken": plan.waakvlam_interval_weken}
            if plan.waakvlam_op
            else None
        ),
        "open_termijnen": [_termijn(r) for r in termijnen],
        "aanvragen": [dict(r) for r in aanvragen],
        "beschikkingen": [dict(r) for r in beschikkingen],
        "tijdlijn": [{k: v for k, v in r.items() if k != "doorverwijzing_id"} for r in tijdlijn],
    }


def _termijn(r) -> dict:
    return {
        "termijn_id": r["id"],
        "soort": r["soort"],
        "huishouden_id": r["huishouden_id"],
        "plan_id": r["plan_id"],
        "bron_id": r["bron_id"],
        "team_id": r["team_id"],
        "medewerker_id": r["medewerker_id"],
        "termijn_grondslag": r["termijn_grondslag"],
        "termijn_tot": r["termijn_tot"],
        "verstreken": r["verstreken_op"] is not None,
        "bij_lopend_plan": r["bij_lopend_plan"],
    }


@router.get("/werkvoorraad")
async def werkvoorraad(request: Request, gebruiker: Medewerker):
    """The caller's open work: open deadlines of his teams or of him as medewerker, soonest first. A
    doorverwijzing that joined a running plan shows as `bij_lopend_plan`: the regisseur's signal."""
    t = tables.termijnen
    async with request.app.state.ctx.uows() as uow:
        rijen = (
            (
                await uow.session.execute(
                    select(t)
                    .where(
                        t.c.status == "open",
                        t.c.gemeente == gebruiker.gemeente,
                        or_(t.c.team_id.in_(gebruiker.teams), t.c.medewerker_id == gebruiker.sub),
                    )
                    .order_by(t.c.termijn_tot, t.c.id)
                    .limit(500)
                )
            )
            .mappings()
            .all()
        )
    return {"werkvoorraad": [_termijn(r) for r in rijen]}


# --- the plan -------------------------------------------------------------------------------------------


async def _beschikte_codes(b: Bewerking) -> set[str]:
    """Maatwerk codes with a running beschikking on this plan (the latest version of each)."""
    bt = tables.beschikkingen
    laatste = (
        select(bt.c.beschikking_id, func.max(bt.c.versie).label("versie"))
        .where(bt.c.plan_id == b.plan.plan_id)
        .group_by(bt.c.beschikking_id)
        .subquery()
    )
    rijen = (
        (
            await b.uow.session.execute(
                select(bt.c.voorzieningen)
                .join(laatste, (bt.c.beschikking_id == laatste.c.beschikking_id) & (bt.c.versie == laatste.c.versie))
                .where(or_(bt.c.einddatum.is_(None), bt.c.einddatum >= b.vandaag))
            )
        )
        .scalars()
        .all()
    )
    return {v["code"] for voorzieningen in rijen for v in voorzieningen}


async def _doelen(b: Bewerking) -> list[dict]:
    pv = tables.planversies
    return (
        await b.uow.session.execute(
            select(pv.c.doelen).where(pv.c.plan_id == b.plan.plan_id, pv.c.versie == b.plan.versie)
        )
    ).scalar_one()


@router.post("/plannen/{plan_id}/versies", status_code=201, responses=BEWERK_FOUTEN)
async def nieuwe_versie(plan_id: uuid.UUID, invoer: domain.VersieInvoer, request: Request, gebruiker: Medewerker):
    """A new plan version: goals per levensgebied, the arrangement from the catalogue, mantelzorg,
    gebruikelijke zorg and the (required) evaluation date. It replaces the evaluation deadline; with goals
    it ends the Wmo onderzoek; a multi-problem household moves to the regie the gemeente's rule names."""
    async with _bewerk(request, plan_id, gebruiker) as b:
        versie, fouten = domain.stel_versie_op(b.plan, invoer, b.gemeente, await _beschikte_codes(b), b.vandaag)
        _fouten(fouten)
        plan, s = versie.plan, b.uow.session
        regisseur = plan.regisseur.model_dump(mode="json")
        await s.execute(
            update(tables.plannen)
            .where(tables.plannen.c.plan_id == plan_id)
            .values(versie=plan.versie, regisseur=regisseur, evaluatie_op=plan.evaluatie_op)
        )
        await s.execute(
            tables.planversies.insert().values(
                plan_id=plan_id,
                versie=plan.versie,
                regisseur=regisseur,
                doelen=versie.doelen,
                voorzieningen=versie.voorzieningen,
                evaluatie_op=plan.evaluatie_op,
                mantelzorg=versie.mantelzorg,
                gebruikelijke_zorg=versie.gebruikelijke_zorg,
                opgesteld_door=gebruiker.actor,
            )
        )
        b.plan = plan
        await opslag.sluit_termijnen(b.uow, plan_id, ["evaluatie"], b.nu, status="vervangen")
        await opslag.voeg_termijnen_toe(b.uow, b.rij.gemeente, plan, [domain.evaluatietermijn(plan)])
        if versie.doelen:
            await opslag.sluit_termijnen(b.uow, plan_id, domain.gehaald_door("planversie"), b.nu)
        if versie.regie_overgedragen:
            await _regie_naar(b, plan.regisseur, "multiprobleem", gebruiker)
        await opslag.op_tijdlijn(b.uow, plan, "plan-opgesteld", {"versie": plan.versie, "door": gebruiker.actor})
        b.publiceer(
            PlanOpgesteld(
                plan_id=plan_id,
                huishouden_id=plan.huishouden_id,
                versie=plan.versie,
                regisseur=plan.regisseur,
                doelen=[Doel(levensgebied=d["levensgebied"]) for d in versie.doelen],
                voorzieningen=[
                    PlanVoorziening(
                        code=v["code"], soort=v["soort"], wet=v["wet"], omvang=v["omvang"], status=v["status"]
                    )
                    for v in versie.voorzieningen
                ],
                evaluatie_op=plan.evaluatie_op,
            )
        )
        await b.uow.commit()
    return {
        "plan_id": plan_id,
        "versie": plan.versie,
        "regisseur": plan.regisseur,
        "evaluatie_op": plan.evaluatie_op,
        "regie_overgedragen": versie.regie_overgedragen,
    }


async def _regie_naar(b: Bewerking, regisseur, reden: str, gebruiker: Gebruiker) -> None:
    await b.uow.session.execute(
        update(tables.plannen)
        .where(tables.plannen.c.plan_id == b.plan.plan_id)
        .values(regisseur=regisseur.model_dump(mode="json"))
    )
    await opslag.draag_termijnen_over(b.uow, b.plan.plan_id, regisseur)
    await opslag.op_tijdlijn(
        b.uow,
        b.plan,
        "regisseur-toegewezen",
        {"regisseur": regisseur.model_dump(mode="json"), "reden": reden, "door": gebruiker.actor},
    )
    b.publiceer(
        RegisseurToegewezen(
            plan_id=b.plan.plan_id, huishouden_id=b.plan.huishouden_id, regisseur=regisseur, reden=reden
        )
    )


@router.post("/plannen/{plan_id}/regisseur", responses=BEWERK_FOUTEN)
async def draag_regie_over(plan_id: uuid.UUID, overdracht: domain.Overdracht, request: Request, gebruiker: Medewerker):
    """Hand the regie over, with a reason: to a professional (team, medewerker), the inwoner or his netwerk
    (a team stays in the background). The regisseur's open work moves along. A multi-problem household
    that is not self-reliant stays with the route the gemeente's rule names (422 otherwise)."""
    async with _bewerk(request, plan_id, gebruiker) as b:
        regisseur, fouten = domain.nieuwe_regisseur(
            overdracht.regisseur, b.plan.regisseur, b.gemeente, domain.is_multiprobleem(await _doelen(b))
        )
        _fouten(fouten)
        if regisseur != b.plan.regisseur:
            await _regie_naar(b, regisseur, overdracht.reden, gebruiker)
            await b.uow.commit()
    return {"plan_id": plan_id, "regisseur": regisseur, "reden": overdracht.reden}


# --- aanvragen and beschikkingen -------------------------------------------------------------------------


@router.post("/plannen/{plan_id}/aanvragen", status_code=201, responses=BEWERK_FOUTEN)
async def registreer_aanvraag(
    plan_id: uuid.UUID, invoer: domain.AanvraagInvoer, request: Request, gebruiker: Medewerker
):
    """An aanvraag for maatwerk: the beschikking is due 2 weeks after it arrived (Wmo 2015 art. 2.3.5), on
    the Wmo consulenten's werkvoorraad. It ends the Wmo onderzoek."""
    async with _bewerk(request, plan_id, gebruiker, mag=_mag_aanvragen) as b:
        _fouten(domain.controleer_aanvraag(invoer, b.gemeente, b.nu))
        aanvraag_id, ontvangen_op = nieuw_id(), invoer.ontvangen_op or b.nu
        termijn = domain.beschikkingstermijn(aanvraag_id, ontvangen_op, b.gemeente, b.plan)
        await b.uow.session.execute(
            tables.aanvragen.insert().values(
                aanvraag_id=aanvraag_id,
                plan_id=plan_id,
                huishouden_id=b.plan.huishouden_id,
                voorzieningen=invoer.voorzieningen,
                ontvangen_op=ontvangen_op,
                status="open",
                door=gebruiker.actor,
            )
        )
        await opslag.voeg_termijnen_toe(b.uow, b.rij.gemeente, b.plan, [termijn])
        await opslag.sluit_termijnen(b.uow, plan_id, domain.gehaald_door("aanvraag"), b.nu)
        await opslag.op_tijdlijn(
            b.uow,
            b.plan,
            "aanvraag",
            {"voorzieningen": invoer.voorzieningen, "door": gebruiker.actor},
            bron_id=aanvraag_id,
        )
        await b.uow.commit()
    return {
        "aanvraag_id": aanvraag_id,
        "plan_id": plan_id,
        "ontvangen_op": ontvangen_op,
        "termijn_tot": termijn.termijn_tot,
        "termijn_grondslag": termijn.termijn_grondslag,
        "team_id": termijn.team_id,
    }


@router.post("/plannen/{plan_id}/beschikkingen", status_code=201, responses=BEWERK_FOUTEN)
async def geef_beschikking_af(
    plan_id: uuid.UUID, invoer: domain.BeschikkingInvoer, request: Request, gebruiker: Consulent
):
    """Consulent only (403 for every other role). Meets the deadline of the aanvraag it decides: the one
    named, or else every open aanvraag of the plan whose voorzieningen it all grants."""
    async with _bewerk(request, plan_id, gebruiker, mag=_iedereen_die_ziet) as b:
        _fouten(domain.controleer_beschikking(invoer.voorzieningen, invoer.ingangsdatum, invoer.einddatum, b.gemeente))
        aanvragen = await _beschikte_aanvragen(b, invoer)
        beschikking_id = nieuw_id()
        voorzieningen = domain.beschikte_voorzieningen(invoer.voorzieningen, b.gemeente)
        await b.uow.session.execute(
            tables.beschikkingen.insert().values(
                beschikking_id=beschikking_id,
                versie=1,
                plan_id=plan_id,
                huishouden_id=b.plan.huishouden_id,
                aanvraag_id=invoer.aanvraag_id,
                voorzieningen=voorzieningen,
                ingangsdatum=invoer.ingangsdatum,
                einddatum=invoer.einddatum,
                afgegeven_door=gebruiker.actor,
            )
        )
        for aanvraag_id in aanvragen:
            await b.uow.session.execute(
                update(tables.aanvragen).where(tables.aanvragen.c.aanvraag_id == aanvraag_id).values(status="beschikt")
            )
            await opslag.sluit_termijnen(b.uow, plan_id, ["beschikking"], b.nu, bron_id=aanvraag_id)
        _beschikking_gepubliceerd(
            b, beschikking_id, 1, voorzieningen, invoer.ingangsdatum, invoer.einddatum, None, invoer.aanvraag_id
        )
        await opslag.op_tijdlijn(
            b.uow,
            b.plan,
            "beschikking-afgegeven",
            {
                "beschikking_id": str(beschikking_id),
                "versie": 1,
                "codes": [v["code"] for v in voorzieningen],
                "door": gebruiker.actor,
            },
            bron_id=invoer.aanvraag_id,
        )
        await b.uow.commit()
    return {
        "beschikking_id": beschikking_id,
        "versie": 1,
        "plan_id": plan_id,
        "voorzieningen": voorzieningen,
        "ingangsdatum": invoer.ingangsdatum,
        "einddatum": invoer.einddatum,
        "aanvragen_beschikt": aanvragen,
    }


async def _beschikte_aanvragen(b: Bewerking, invoer: domain.BeschikkingInvoer) -> list[uuid.UUID]:
    a = tables.aanvragen
    open_ = (await b.uow.session.execute(select(a).where(a.c.plan_id == b.plan.plan_id, a.c.status == "open"))).all()
    if invoer.aanvraag_id is not None:
        if invoer.aanvraag_id not in {r.aanvraag_id for r in open_}:
            raise OngeldigeInvoer([(("aanvraag_id",), "geen open aanvraag van dit plan")])
        return [invoer.aanvraag_id]
    codes = {v.code for v in invoer.voorzieningen}
    return [r.aanvraag_id for r in open_ if set(r.voorzieningen) <= codes]


def _beschikking_gepubliceerd(
    b: Bewerking, beschikking_id, versie: int, voorzieningen: list[dict], ingangsdatum, einddatum, reden, aanvraag_id
) -> None:
    b.publiceer(
        BeschikkingAfgegeven(
            beschikking_id=beschikking_id,
            plan_id=b.plan.plan_id,
            huishouden_id=b.plan.huishouden_id,
            voorzieningen=[
                BeschikkingVoorziening(code=v["code"], wet=v["wet"], omvang=v["omvang"], productcode=v["productcode"])
                for v in voorzieningen
            ],
            ingangsdatum=ingangsdatum,
            einddatum=einddatum,
            versie=versie,
            reden_wijziging=reden,
            aanvraag_id=aanvraag_id,
        )
    )


@router.post("/plannen/{plan_id}/beschikkingen/{beschikking_id}/wijzigingen", status_code=201, responses=BEWERK_FOUTEN)
async def wijzig_beschikking(
    plan_id: uuid.UUID,
    beschikking_id: uuid.UUID,
    invoer: domain.WijzigingInvoer,
    request: Request,
    gebruiker: Consulent,
):
    """Scale up or down (or extend, shorten, correct) during the term: a new version of the beschikking
    from its ingangsdatum, with the reason; the previous version runs until the day before."""
    bt = tables.beschikkingen
    async with _bewerk(request, plan_id, gebruiker, mag=_iedereen_die_ziet) as b:
        huidig = (
            await b.uow.session.execute(
                select(bt)
                .where(bt.c.beschikking_id == beschikking_id, bt.c.plan_id == plan_id)
                .order_by(bt.c.versie.desc())
                .limit(1)
            )
        ).first()
        if huidig is None:
            raise HTTPException(404, "Beschikking niet gevonden.")
        _fouten(domain.controleer_wijziging(invoer, huidig.ingangsdatum, huidig.einddatum, b.gemeente))
        versie = huidig.versie + 1
        voorzieningen = domain.beschikte_voorzieningen(invoer.voorzieningen, b.gemeente)
        await b.uow.session.execute(
            bt.insert().values(
                beschikking_id=beschikking_id,
                versie=versie,
                plan_id=plan_id,
                huishouden_id=b.plan.huishouden_id,
                aanvraag_id=huidig.aanvraag_id,
                voorzieningen=voorzieningen,
                ingangsdatum=invoer.ingangsdatum,
                einddatum=invoer.einddatum,
                reden_wijziging=invoer.reden_wijziging,
                afgegeven_door=gebruiker.actor,
            )
        )
        _beschikking_gepubliceerd(
            b,
            beschikking_id,
            versie,
            voorzieningen,
            invoer.ingangsdatum,
            invoer.einddatum,
            invoer.reden_wijziging,
            huidig.aanvraag_id,
        )
        await opslag.op_tijdlijn(
            b.uow,
            b.plan,
            "beschikking-gewijzigd",
            {
                "beschikking_id": str(beschikking_id),
                "versie": versie,
                "reden_wijziging": invoer.reden_wijziging,
                "door": gebruiker.actor,
            },
        )
        await b.uow.commit()
    return {
        "beschikking_id": beschikking_id,
        "versie": versie,
        "plan_id": plan_id,
        "voorzieningen": voorzieningen,
        "ingangsdatum": invoer.ingangsdatum,
        "einddatum": invoer.einddatum,
        "reden_wijziging": invoer.reden_wijziging,
    }


# --- working the case --------------------------------------------------------------------------------------


@router.post("/plannen/{plan_id}/contactpogingen", status_code=201, responses=BEWERK_FOUTEN)
async def contactpoging(plan_id: uuid.UUID, poging: domain.Contactpoging, request: Request, gebruiker: Medewerker):
    """A contact attempt (kind, reached or not, date, dagdeel). Reaching the household meets the outreach of
    its doorverwijzingen; on a closed plan kept in view it is the waakvlam check, which schedules the next
    one when the waakvlam is periodic."""
    async with _bewerk(request, plan_id, gebruiker, ook_waakvlam=True) as b:
        if poging.datum > b.vandaag:
            raise OngeldigeInvoer([(("datum",), "een contactpoging die nog niet plaatsvond")])
        s = b.uow.session
        await s.execute(
            tables.contactpogingen.insert().values(plan_id=plan_id, door=gebruiker.actor, **poging.model_dump())
        )
        gehaald = 0
        if poging.bereikt:
            gehaald = await opslag.sluit_termijnen(b.uow, plan_id, domain.gehaald_door("contact"), b.nu)
            if b.rij.status == "afgesloten":
                await _volgende_waakvlam(b, poging.datum)
        await opslag.op_tijdlijn(
            b.uow, b.plan, "contactpoging", {**poging.model_dump(mode="json"), "door": gebruiker.actor}
        )
        await b.uow.commit()
    return {"plan_id": plan_id, **poging.model_dump(), "termijnen_gehaald": gehaald}


async def _volgende_waakvlam(b: Bewerking, datum) -> None:
    volgende = domain.volgende_controle(b.rij.waakvlam_interval_weken, datum)
    await b.uow.session.execute(
        update(tables.plannen).where(tables.plannen.c.plan_id == b.plan.plan_id).values(waakvlam_op=volgende)
    )
    if volgende is not None:
        await opslag.voeg_termijnen_toe(b.uow, b.rij.gemeente, b.plan, [domain.waakvlamtermijn(b.plan, volgende)])


@router.post("/plannen/{plan_id}/doorverwijzingen", status_code=201, responses=BEWERK_FOUTEN)
async def warme_overdracht(
    plan_id: uuid.UUID, overdracht: domain.WarmeOverdracht, request: Request, gebruiker: Medewerker
):
    """Warm handover to a provider: `doorverwijzing-gedaan` with bron_soort `plan`. The regie stays here;
    arrangement's own consumer ignores the event when it comes back."""
    async with _bewerk(request, plan_id, gebruiker) as b:
        _fouten(domain.controleer_overdracht(overdracht, b.gemeente))
        voorziening = b.gemeente.voorziening(overdracht.voorziening)
        doorverwijzing_id = nieuw_id()
        tot = termijn_tot(b.nu, b.gemeente.termijnen[overdracht.termijn])
        b.publiceer(
            DoorverwijzingGedaan(
                doorverwijzing_id=doorverwijzing_id,
                gemeente=b.rij.gemeente,
                bron_id=plan_id,
                bron_soort="plan",
                huishouden_id=b.plan.huishouden_id,
                wijk=b.plan.wijk,
                route="aanbieder",
                team_id=overdracht.aanbieder_id,
                urgentie=overdracht.urgentie,
                termijn_tot=tot,
                termijn_grondslag=overdracht.termijn,
                regel_id="warme-overdracht",
                toelichting=f"Warme overdracht vanuit het plan: {voorziening.naam}.",
                bestaande_regisseur=b.plan.regisseur,
                ontvangen_op=b.nu,
            )
        )
        await opslag.op_tijdlijn(
            b.uow,
            b.plan,
            "warme-overdracht",
            {
                "doorverwijzing_id": str(doorverwijzing_id),
                "voorziening": voorziening.code,
                "aanbieder_id": overdracht.aanbieder_id,
                "urgentie": overdracht.urgentie,
                "door": gebruiker.actor,
            },
            bron_id=plan_id,
            bron_soort="plan",
        )
        await b.uow.commit()
    return {
        "doorverwijzing_id": doorverwijzing_id,
        "plan_id": plan_id,
        "aanbieder_id": overdracht.aanbieder_id,
        "voorziening": voorziening.code,
        "termijn_tot": tot,
        "termijn_grondslag": overdracht.termijn,
    }


@router.post("/plannen/{plan_id}/evaluaties", status_code=201, responses=BEWERK_FOUTEN)
async def evalueer(plan_id: uuid.UUID, evaluatie: domain.Evaluatie, request: Request, gebruiker: Medewerker):
    """An evaluation meets the evaluation deadline and sets the next one."""
    async with _bewerk(request, plan_id, gebruiker) as b:
        _fouten(domain.controleer_evaluatie(evaluatie, b.vandaag))
        await b.uow.session.execute(
            tables.evaluaties.insert().values(plan_id=plan_id, door=gebruiker.actor, **evaluatie.model_dump())
        )
        await opslag.sluit_termijnen(b.uow, plan_id, domain.gehaald_door("evaluatie"), b.nu)
        await b.uow.session.execute(
            update(tables.plannen)
            .where(tables.plannen.c.plan_id == plan_id)
            .values(evaluatie_op=evaluatie.volgende_evaluatie_op)
        )
        b.plan = replace(b.plan, evaluatie_op=evaluatie.volgende_evaluatie_op)
        await opslag.voeg_termijnen_toe(b.uow, b.rij.gemeente, b.plan, [domain.evaluatietermijn(b.plan)])
        await opslag.op_tijdlijn(
            b.uow, b.plan, "evaluatie", {**evaluatie.model_dump(mode="json"), "door": gebruiker.actor}
        )
        await b.uow.commit()
    return {"plan_id": plan_id, **evaluatie.model_dump()}


class Afsluiting(BaseModel):
    resultaat: PlanResultaat
    # The household stays in view after closing, with a check on this date (and every n weeks).
    waakvlam: domain.Waakvlam | None = None


@router.post("/plannen/{plan_id}/afsluiten", responses=BEWERK_FOUTEN)
async def sluit_plan_af(plan_id: uuid.UUID, afsluiting: Afsluiting, request: Request, gebruiker: Medewerker):
    """Close the household's plan: its open deadlines and aanvragen lapse, its meldingen are afgesloten.
    With a waakvlam the household stays in view: a check date on the regisseur's werkvoorraad."""
    async with _bewerk(request, plan_id, gebruiker) as b:
        _fouten(domain.controleer_waakvlam(afsluiting.waakvlam, b.vandaag))
        w, s, p = afsluiting.waakvlam, b.uow.session, tables.plannen
        await s.execute(
            update(p)
            .where(p.c.plan_id == plan_id)
            .values(
                status="afgesloten",
                afgesloten_op=b.nu,
                resultaat=afsluiting.resultaat,
                waakvlam_op=w.controle_op if w else None,
                waakvlam_interval_weken=w.interval_weken if w else None,
            )
        )
        await s.execute(
            update(tables.termijnen)
            .where(tables.termijnen.c.plan_id == plan_id, tables.termijnen.c.status == "open")
            .values(status="vervallen", gesloten_op=b.nu)
        )
        await s.execute(
            update(tables.aanvragen)
            .where(tables.aanvragen.c.plan_id == plan_id, tables.aanvragen.c.status == "open")
            .values(status="vervallen")
        )
        if w is not None:
            await opslag.voeg_termijnen_toe(
                b.uow, b.rij.gemeente, b.plan, [domain.waakvlamtermijn(b.plan, w.controle_op)]
            )
        await opslag.op_tijdlijn(
            b.uow,
            b.plan,
            "plan-afgesloten",
            {
                "resultaat": afsluiting.resultaat,
                "door": gebruiker.actor,
                "waakvlam_op": w.controle_op.isoformat() if w else None,
            },
        )
        b.publiceer(
            PlanAfgesloten(
                plan_id=plan_id,
                huishouden_id=b.plan.huishouden_id,
                afgesloten_op=b.nu,
                resultaat=afsluiting.resultaat,
                waakvlam_op=w.controle_op if w else None,
            )
        )
        await b.uow.commit()
    return {
        "plan_id": plan_id,
        "status": "afgesloten",
        "afgesloten_op": b.nu,
        "resultaat": afsluiting.resultaat,
        "waakvlam_op": w.controle_op if w else None,
    }
