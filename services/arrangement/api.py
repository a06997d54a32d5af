"""Arrangement's HTTP API: the household's plan, regisseur, deadlines and timeline; the werkvoorraad; the
work on a plan (versions, regie, aanvragen, beschikkingen, contactpogingen, warm handovers, evaluations,
closing with or without waakvlam).

Each route parses, narrows the role, calls one use case (usecases.py, where the rules of who may see and
change what are written down) in a unit of work and commits: every change and its events commit together,
under the household's lock. A plan whose status does not allow the work answers 409 naming both states.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Concatenate, ParamSpec, TypeVar

from fastapi import APIRouter, Depends, Query, Request

from services.arrangement import doorzetten as dz
from services.arrangement import schemas, usecases
from services.arrangement.domain import Beschikking
from services.arrangement.rechtsbescherming import Bezwaar, Klacht, bezwaar_uit, klacht_uit, rij_van
from shared.auth import MEDEWERKERS, Gebruiker, Rol, vereist
from shared.db import UnitOfWork
from shared.events import Regisseur
from shared.http import fouten
from shared.verwerkingslog import voor_betrokkene

router = APIRouter(prefix="/v1", tags=["arrangement"], responses=fouten(403))
Medewerker = Annotated[Gebruiker, Depends(vereist(*MEDEWERKERS))]
Consulent = Annotated[Gebruiker, Depends(vereist(Rol.consulent))]
BEWERK_FOUTEN = fouten(404, 409)  # what a change to a plan answers besides 403 (and 422)
P = ParamSpec("P")
T = TypeVar("T")


def _ctx(request: Request):
    return request.app.state.ctx


async def _voer_uit(
    request: Request, usecase: Callable[Concatenate[UnitOfWork, P], Awaitable[T]], *args: P.args, **kwargs: P.kwargs
) -> T:
    """One use case in a unit of work of its own, committed: a change and its events commit together."""
    async with _ctx(request).uows() as uow:
        uitkomst = await usecase(uow, *args, **kwargs)
        await uow.commit()
    return uitkomst


# --- reading -------------------------------------------------------------------------------------------


@router.get("/huishoudens/{huishouden_id}", response_model=schemas.Huishouden, responses=fouten(404))
async def huishouden(huishouden_id: str, request: Request, gebruiker: Medewerker):
    """The active plan (or the last one, closed, while a waakvlam keeps the household in view), the
    regisseur, open deadlines and the timeline. Every read is written to the processing log."""
    o = await _voer_uit(request, usecases.huishouden_lezen, gebruiker, huishouden_id)
    plan, versie = o.plan, o.versie
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
        "open_termijnen": [_termijn(r) for r in o.open_termijnen],
        "aanvragen": [dict(r) for r in o.aanvragen],
        "beschikkingen": [dict(r) for r in o.beschikkingen],
        "tijdlijn": [{k: v for k, v in r.items() if k != "doorverwijzing_id"} for r in o.tijdlijn],
        # Added: every version of the plan, newest first (the first is the one in "plan").
        "versies": [dict(r) for r in o.versies],
        "gesprekken": [dict(r) for r in o.gesprekken],
        "verslagen": [dict(r) for r in o.verslagen],
        "bezwaren": [_bezwaar(bezwaar_uit(r)) | {"door": r["door"]} for r in o.bezwaren],
        "klachten": [_klacht(klacht_uit(r)) | {"door": r["door"]} for r in o.klachten],
        "escalaties": [dict(r) for r in o.escalaties],
    }


def _termijn(r: Mapping) -> dict:
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


@router.get("/werkvoorraad", response_model=schemas.Werkvoorraad)
async def werkvoorraad(
    request: Request,
    gebruiker: Medewerker,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=usecases.WERKVOORRAAD_MAX)] = usecases.WERKVOORRAAD_MAX,
):
    """The caller's open work: open deadlines of his teams or of him as medewerker, soonest first. A
    doorverwijzing that joined a running plan shows as `bij_lopend_plan`: the regisseur's signal.
    At most `limit` (500) rows from `offset` on: a page shorter than `limit` is the last one."""
    async with _ctx(request).uows() as uow:
        rijen = await usecases.werkvoorraad(uow, gebruiker, offset, limit)
    return {"werkvoorraad": [_termijn(r) for r in rijen]}


# --- the plan -------------------------------------------------------------------------------------------


@router.post("/plannen/{plan_id}/versies", status_code=201, responses=BEWERK_FOUTEN)
async def nieuwe_versie(plan_id: uuid.UUID, invoer: schemas.VersieInvoer, request: Request, gebruiker: Medewerker):
    """A new plan version: goals per levensgebied, the arrangement from the catalogue, mantelzorg,
    gebruikelijke zorg and the (required) evaluation date. It replaces the evaluation deadline; with goals
    it ends the Wmo onderzoek; a multi-problem household moves to the regie the gemeente's rule names."""
    versie = await _voer_uit(request, usecases.nieuwe_versie, _ctx(request).gemeenten, gebruiker, plan_id, invoer)
    plan = versie.plan
    return {
        "plan_id": plan_id,
        "versie": plan.versie,
        "regisseur": plan.regisseur,
        "evaluatie_op": plan.evaluatie_op,
        "regie_overgedragen": versie.regie_overgedragen,
    }


@router.post("/plannen/{plan_id}/regisseur", responses=BEWERK_FOUTEN)
async def draag_regie_over(plan_id: uuid.UUID, overdracht: schemas.Overdracht, request: Request, gebruiker: Medewerker):
    """Hand the regie over, with a reason: to a professional (team, medewerker), the inwoner or his netwerk
    (a team stays in the background). The regisseur's open work moves along. A multi-problem household
    that is not self-reliant stays with the route the gemeente's rule names (422 otherwise)."""
    regisseur = await _voer_uit(
        request, usecases.regie_overdragen, _ctx(request).gemeenten, gebruiker, plan_id, overdracht
    )
    return {"plan_id": plan_id, "regisseur": regisseur, "reden": overdracht.reden}


# --- aanvragen and beschikkingen -------------------------------------------------------------------------


@router.post("/plannen/{plan_id}/aanvragen", status_code=201, responses=BEWERK_FOUTEN)
async def registreer_aanvraag(
    plan_id: uuid.UUID, invoer: schemas.AanvraagInvoer, request: Request, gebruiker: Medewerker
):
    """An aanvraag for maatwerk: the beschikking is due 2 weeks after it arrived (Wmo 2015 art. 2.3.5), on
    the Wmo consulenten's werkvoorraad. It ends the Wmo onderzoek."""
    aanvraag = await _voer_uit(
        request, usecases.aanvraag_registreren, _ctx(request).gemeenten, gebruiker, plan_id, invoer
    )
    return {
        "aanvraag_id": aanvraag.aanvraag_id,
        "plan_id": plan_id,
        "ontvangen_op": aanvraag.ontvangen_op,
        "termijn_tot": aanvraag.termijn.termijn_tot,
        "termijn_grondslag": aanvraag.termijn.termijn_grondslag,
        "team_id": aanvraag.termijn.team_id,
    }


def _beschikking(plan_id: uuid.UUID, b: Beschikking) -> dict:
    return {
        "beschikking_id": b.beschikking_id,
        "versie": b.versie,
        "plan_id": plan_id,
        "voorzieningen": b.voorzieningen,
        "ingangsdatum": b.ingangsdatum,
        "einddatum": b.einddatum,
        "verzonden_op": b.verzonden_op,
    }


@router.post("/plannen/{plan_id}/beschikkingen", status_code=201, responses=BEWERK_FOUTEN)
async def geef_beschikking_af(
    plan_id: uuid.UUID, invoer: schemas.BeschikkingInvoer, request: Request, gebruiker: Consulent
):
    """Consulent only (403 for every other role). Meets the deadline of the aanvraag it decides: the one
    named, or else every open aanvraag of the plan whose voorzieningen it all grants."""
    beschikking, aanvragen = await _voer_uit(
        request, usecases.beschikking_afgeven, _ctx(request).gemeenten, gebruiker, plan_id, invoer
    )
    return {**_beschikking(plan_id, beschikking), "aanvragen_beschikt": aanvragen}


@router.post("/plannen/{plan_id}/beschikkingen/{beschikking_id}/wijzigingen", status_code=201, responses=BEWERK_FOUTEN)
async def wijzig_beschikking(
    plan_id: uuid.UUID,
    beschikking_id: uuid.UUID,
    invoer: schemas.WijzigingInvoer,
    request: Request,
    gebruiker: Consulent,
):
    """Scale up or down (or extend, shorten, correct) during the term: a new version of the beschikking
    from its ingangsdatum, with the reason; the previous version runs until the day before."""
    b = await _voer_uit(
        request, usecases.beschikking_wijzigen, _ctx(request).gemeenten, gebruiker, plan_id, beschikking_id, invoer
    )
    return {**_beschikking(plan_id, b), "reden_wijziging": b.reden_wijziging}


# --- the Wmo onderzoek -------------------------------------------------------------------------------------


@router.post("/plannen/{plan_id}/gesprekken", status_code=201, responses=BEWERK_FOUTEN)
async def leg_gesprek_vast(plan_id: uuid.UUID, invoer: schemas.GesprekInvoer, request: Request, gebruiker: Medewerker):
    """The keukentafelgesprek: date, form and who took part; the inwoner must have been told of free
    onafhankelijke cliëntondersteuning before it (the date is required, and not after the gesprek)."""
    gesprek_id = await _voer_uit(request, usecases.gesprek_vastleggen, gebruiker, plan_id, invoer)
    return {"gesprek_id": gesprek_id, "plan_id": plan_id, **invoer.model_dump()}


@router.post("/plannen/{plan_id}/verslagen", status_code=201, responses=BEWERK_FOUTEN)
async def verstuur_verslag(plan_id: uuid.UUID, invoer: schemas.VerslagInvoer, request: Request, gebruiker: Medewerker):
    """The verslag of the onderzoek, sent to the inwoner: it meets the 6-week onderzoek deadline (Wmo 2015
    art. 2.3.2). A gesprek must be recorded on or before that day."""
    verslag_id = await _voer_uit(request, usecases.verslag_versturen, gebruiker, plan_id, invoer)
    return {"verslag_id": verslag_id, "plan_id": plan_id, "verstuurd_op": invoer.verstuurd_op}


# --- bezwaar and klacht ---------------------------------------------------------------------------------------


@router.post("/plannen/{plan_id}/beschikkingen/{beschikking_id}/bezwaren", status_code=201, responses=BEWERK_FOUTEN)
async def registreer_bezwaar(
    plan_id: uuid.UUID,
    beschikking_id: uuid.UUID,
    invoer: schemas.BezwaarInvoer,
    request: Request,
    gebruiker: Medewerker,
):
    """A bezwaar against a beschikking (consulent or beheer), with the day it was received. One received
    after the bezwaartermijn (Awb 6:7, 6:8; by post 6:9) is registered with `tijdig: false`. The decision is
    due 6 weeks after the bezwaartermijn ends, 12 with an adviescommissie (Awb 7:10)."""
    b = await _voer_uit(
        request, usecases.bezwaar_registreren, _ctx(request).gemeenten, gebruiker, plan_id, beschikking_id, invoer
    )
    return _bezwaar(b)


@router.post("/plannen/{plan_id}/bezwaren/{bezwaar_id}/verdaging", responses=BEWERK_FOUTEN)
async def verdaag_bezwaar(
    plan_id: uuid.UUID, bezwaar_id: uuid.UUID, invoer: schemas.Verdaging, request: Request, gebruiker: Medewerker
):
    """Postpone the decision once by 6 weeks, with a reason, before the term runs out (Awb 7:10 lid 3);
    a second time is 409."""
    return _bezwaar(await _voer_uit(request, usecases.bezwaar_verdagen, gebruiker, plan_id, bezwaar_id, invoer))


@router.post("/plannen/{plan_id}/bezwaren/{bezwaar_id}/beslissing", responses=BEWERK_FOUTEN)
async def beslis_op_bezwaar(
    plan_id: uuid.UUID,
    bezwaar_id: uuid.UUID,
    invoer: schemas.BezwaarBeslissing,
    request: Request,
    gebruiker: Medewerker,
):
    """gegrond (with the beschikking as it now reads: a new version, linked), ongegrond, niet_ontvankelijk
    or ingetrokken. Meets the bezwaar's deadline."""
    b = await _voer_uit(
        request, usecases.op_bezwaar_beslissen, _ctx(request).gemeenten, gebruiker, plan_id, bezwaar_id, invoer
    )
    return _bezwaar(b)


@router.post("/plannen/{plan_id}/klachten", status_code=201, responses=BEWERK_FOUTEN)
async def registreer_klacht(plan_id: uuid.UUID, invoer: schemas.KlachtInvoer, request: Request, gebruiker: Medewerker):
    """A klacht about how the gemeente or an aanbieder treated the inwoner, by subject (codes, no free
    text). Handled within 6 weeks, 10 with a klachtadviescommissie (Awb 9:11), by the regisseur's team."""
    k = await _voer_uit(request, usecases.klacht_registreren, _ctx(request).gemeenten, gebruiker, plan_id, invoer)
    return _klacht(k)


@router.post("/plannen/{plan_id}/klachten/{klacht_id}/verdaging", responses=BEWERK_FOUTEN)
async def verdaag_klacht(
    plan_id: uuid.UUID, klacht_id: uuid.UUID, invoer: schemas.Verdaging, request: Request, gebruiker: Medewerker
):
    """Postpone once by 4 weeks, with a reason, before the term runs out (Awb 9:11 lid 2)."""
    return _klacht(await _voer_uit(request, usecases.klacht_verdagen, gebruiker, plan_id, klacht_id, invoer))


@router.post("/plannen/{plan_id}/klachten/{klacht_id}/afhandeling", responses=BEWERK_FOUTEN)
async def handel_klacht_af(
    plan_id: uuid.UUID, klacht_id: uuid.UUID, invoer: schemas.KlachtAfhandeling, request: Request, gebruiker: Medewerker
):
    return _klacht(await _voer_uit(request, usecases.klacht_afhandelen, gebruiker, plan_id, klacht_id, invoer))


def _bezwaar(b: Bezwaar) -> dict:
    return rij_van(b) | {
        "te_laat": not b.tijdig,
        "bezwaartermijn_tot": b.bezwaartermijn_tot,
        "beslissen_voor": b.beslissen_voor,
        "termijn_grondslag": b.termijn_grondslag,
    }


def _klacht(k: Klacht) -> dict:
    return rij_van(k) | {"afhandelen_voor": k.afhandelen_voor, "termijn_grondslag": k.termijn_grondslag}


# --- working the case --------------------------------------------------------------------------------------


@router.post("/plannen/{plan_id}/contactpogingen", status_code=201, responses=BEWERK_FOUTEN)
async def contactpoging(plan_id: uuid.UUID, poging: schemas.Contactpoging, request: Request, gebruiker: Medewerker):
    """A contact attempt (kind, reached or not, date, dagdeel). Reaching the household meets the outreach of
    its doorverwijzingen; on a plan under waakvlam it is the check, which schedules the next one when the
    waakvlam is periodic (and otherwise ends it)."""
    gehaald = await _voer_uit(request, usecases.contactpoging_registreren, gebruiker, plan_id, poging)
    return {"plan_id": plan_id, **poging.model_dump(), "termijnen_gehaald": gehaald}


@router.post("/plannen/{plan_id}/doorverwijzingen", status_code=201, responses=BEWERK_FOUTEN)
async def warme_overdracht(
    plan_id: uuid.UUID, overdracht: schemas.WarmeOverdracht, request: Request, gebruiker: Medewerker
):
    """Warm handover to a provider: `doorverwijzing-gedaan` with bron_soort `plan`. The regie stays here;
    arrangement's own consumer ignores the event when it comes back."""
    gedaan = await _voer_uit(request, usecases.warm_overdragen, _ctx(request).gemeenten, gebruiker, plan_id, overdracht)
    return {
        "doorverwijzing_id": gedaan.doorverwijzing_id,
        "plan_id": plan_id,
        "aanbieder_id": overdracht.aanbieder_id,
        "voorziening": overdracht.voorziening,
        "termijn_tot": gedaan.termijn_tot,
        "termijn_grondslag": overdracht.termijn,
    }


@router.post("/plannen/{plan_id}/evaluaties", status_code=201, responses=BEWERK_FOUTEN)
async def evalueer(plan_id: uuid.UUID, evaluatie: schemas.Evaluatie, request: Request, gebruiker: Medewerker):
    """An evaluation meets the evaluation deadline and sets the next one."""
    await _voer_uit(request, usecases.evaluatie_registreren, gebruiker, plan_id, evaluatie)
    return {"plan_id": plan_id, **evaluatie.model_dump()}


@router.post("/plannen/{plan_id}/afsluiten", responses=BEWERK_FOUTEN)
async def sluit_plan_af(plan_id: uuid.UUID, afsluiting: schemas.Afsluiting, request: Request, gebruiker: Medewerker):
    """Close the household's plan: its open deadlines and aanvragen lapse, its meldingen are afgesloten.
    With a waakvlam (status waakvlam) the household stays in view: a check date on the regisseur's
    werkvoorraad."""
    plan = await _voer_uit(request, usecases.plan_afsluiten, gebruiker, plan_id, afsluiting)
    return {
        "plan_id": plan_id,
        "status": plan.status,
        "afgesloten_op": plan.afgesloten_op,
        "resultaat": plan.resultaat,
        "waakvlam_op": plan.waakvlam_op,
    }


# --- doorzettingsmacht ------------------------------------------------------------------------------------


@router.post(
    "/plannen/{plan_id}/escalaties", status_code=201, response_model=schemas.Escalatie, responses=BEWERK_FOUTEN
)
async def escaleer(plan_id: uuid.UUID, invoer: schemas.EscalatieInvoer, request: Request, gebruiker: Medewerker):
    """The regisseur escalates a stuck case, with a reason, to whoever holds doorzettingsmacht (the Lokale
    Kamer or the gemeente's team lead): their werkvoorraad gets it with a deadline to decide. One at a
    time per plan (409 while one runs)."""
    e = await _voer_uit(request, usecases.escaleren, _ctx(request).gemeenten, gebruiker, plan_id, invoer)
    return dz.rij_van(e)


@router.post(
    "/plannen/{plan_id}/escalaties/{escalatie_id}/regie", response_model=schemas.Escalatie, responses=BEWERK_FOUTEN
)
async def neem_regie(
    plan_id: uuid.UUID, escalatie_id: uuid.UUID, invoer: schemas.RegieNemen, request: Request, gebruiker: Medewerker
):
    """Doorzettingsmacht takes the regie: its team becomes the regisseur, the regisseur's work moves along."""
    e = await _voer_uit(
        request, usecases.escalatie_behandelen, _ctx(request).gemeenten, gebruiker, plan_id, escalatie_id, invoer
    )
    return dz.rij_van(e)


@router.post(
    "/plannen/{plan_id}/escalaties/{escalatie_id}/teruggave", response_model=schemas.Escalatie, responses=BEWERK_FOUTEN
)
async def geef_terug(
    plan_id: uuid.UUID, escalatie_id: uuid.UUID, invoer: schemas.Teruggave, request: Request, gebruiker: Medewerker
):
    """Back to the team that escalated (with the regie, if it was taken), with an instruction (a code) and a
    date by which that team follows it up: a deadline on its werkvoorraad."""
    e = await _voer_uit(
        request, usecases.escalatie_behandelen, _ctx(request).gemeenten, gebruiker, plan_id, escalatie_id, invoer
    )
    return dz.rij_van(e)


@router.get("/escalaties", response_model=list[schemas.Escalatie])
async def escalaties(request: Request, gebruiker: Medewerker, alle: bool = False):
    """The Lokale Kamer (or team lead) sees every running escalation of the gemeente, across teams; anyone
    else those of his own teams. `alle=true` includes the ones decided."""
    return await _voer_uit(request, usecases.escalaties_lezen, _ctx(request).gemeenten, gebruiker, not alle)


# --- Mijn toegang: the inwoner's own household ---------------------------------------------------------------

mijn = APIRouter(prefix="/v1/mijn", tags=["mijn toegang"], responses=fouten(403))
Inwoner = Annotated[Gebruiker, Depends(vereist(Rol.inwoner))]
# What an inwoner reads of his deadlines: when he hears from the gemeente (not the team's own work).
VOOR_INWONER = ("doorverwijzing", "wmo-onderzoek", "beschikking", "evaluatie", "herindicatie", "bezwaar", "klacht")


def _sleutel(request: Request) -> bytes:
    return _ctx(request).instellingen.pseudoniem_sleutel.get_secret_value().encode()


@mijn.get("/huishouden")
async def mijn_huishouden(request: Request, gebruiker: Inwoner):
    """The households he belongs to (from his DigiD login; never another), each with its plan: goals,
    voorzieningen, regisseur (a team, never an employee's name), when he hears from the gemeente,
    beschikkingen, bezwaren and klachten. The read is logged in the processing log."""
    overzichten = await _voer_uit(request, usecases.mijn_huishouden_lezen, gebruiker, _sleutel(request))
    return {"huishoudens": [_voor_inwoner(o) for o in overzichten]}


def _voor_inwoner(o) -> dict:
    plan, versie = o.plan, o.versie
    regisseur = Regisseur.model_validate(plan.regisseur)
    return {
        "plan": {
            "plan_id": plan.plan_id,
            "versie": plan.versie,
            "status": plan.status,
            "evaluatie_op": plan.evaluatie_op,
            "doelen": versie["doelen"],
            "voorzieningen": [{k: v.get(k) for k in ("code", "soort", "status")} for v in versie["voorzieningen"]],
        },
        "regisseur": {"soort": regisseur.soort, "team_id": regisseur.team_id},
        "termijnen": [
            {"soort": r["soort"], "termijn_tot": r["termijn_tot"], "termijn_grondslag": r["termijn_grondslag"]}
            for r in o.open_termijnen
            if r["soort"] in VOOR_INWONER
        ],
        "beschikkingen": [
            {
                k: r[k]
                for k in ("beschikking_id", "versie", "voorzieningen", "ingangsdatum", "einddatum", "verzonden_op")
            }
            for r in o.beschikkingen
        ],
        "bezwaren": [_bezwaar(bezwaar_uit(r)) for r in o.bezwaren],
        "klachten": [_klacht(klacht_uit(r)) for r in o.klachten],
    }


@mijn.post("/plannen/{plan_id}/reacties", status_code=201, responses=fouten(404, 409))
async def mijn_reactie(plan_id: uuid.UUID, invoer: schemas.Reactie, request: Request, gebruiker: Inwoner):
    """He agrees to the plan version he read or says why not, gives his view before an evaluation, or asks
    for contact: the regisseur's team gets it in its werkvoorraad. Only on his own household's plan."""
    reactie_id = await _voer_uit(request, usecases.mijn_reactie, gebruiker, _sleutel(request), plan_id, invoer)
    return {"reactie_id": reactie_id}


@mijn.post("/plannen/{plan_id}/versies", status_code=201, responses=fouten(404, 409))
async def mijn_versie(plan_id: uuid.UUID, invoer: schemas.VersieInvoer, request: Request, gebruiker: Inwoner):
    """When he is his own regisseur (soort `inwoner`): he keeps the goals and the next contact moment."""
    v = await _voer_uit(
        request, usecases.mijn_versie, _ctx(request).gemeenten, gebruiker, _sleutel(request), plan_id, invoer
    )
    return {"plan_id": v.plan.plan_id, "versie": v.plan.versie, "evaluatie_op": v.plan.evaluatie_op}


@mijn.get("/verwerkingen")
async def mijn_verwerkingen(request: Request, gebruiker: Inwoner):
    """Who read his household's data in arrangement (AVG art. 15): when, which organisation and role, what
    for; an employee's own name only where the gemeente configures it."""
    rijen = await _voer_uit(request, usecases.mijn_verwerkingen, gebruiker, _sleutel(request))
    return {"verwerkingen": [voor_betrokkene(r, _ctx(request).gemeenten) for r in rijen]}
