"""Arrangement's pure domain: één huishouden, één plan, één regisseur.

`Huishoudplan` is the aggregate: one household with the plan it has in view (active, or closed under a
waakvlam), loaded under the household's lock by repository.py. Its methods are the rules: a
doorverwijzing starts a plan, joins the running one or is ignored; versions, the regie, aanvragen,
beschikkingen, contact attempts, evaluations, closing. Each method changes the aggregate and records what
changed (`wijzigingen`, rows to write) and what to announce (`events`); the use case has the repository
store both. The database enforces the invariant a second time (a unique index on the active plan per
household), for the moments two replicas decide at once.

The plan's life cycle is `LEVENSCYCLUS`: an active plan is closed (afgesloten) or closed with a waakvlam
(the household stays in view with periodic checks); the waakvlam ends when a reached check schedules no
next one, or when the household gets a new plan.

No I/O here. Checks return (field path, message) pairs; the aggregate raises them as OngeldigeInvoer
(422 per field). Arrangement holds no personal data (decision 0006): every input here is a code, a
number, a date or a pseudonymous key, never free text.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel

from services.arrangement import doorzetten as dz
from services.arrangement import rechtsbescherming as rb
from shared.events import AanvraagGeregistreerd as AanvraagGeregistreerdEvent
from shared.events import (
    BeschikkingAfgegeven,
    BeschikkingVoorziening,
    BezwaarBeslist,
    BezwaarGeregistreerd,
    Data,
    Doel,
    DoorverwijzingAanvaard,
    DoorverwijzingGedaan,
    EscalatieBehandeld,
    EscalatieIngediend,
    EscalatieInstructie,
    EscalatieReden,
    KlachtAfgehandeld,
    KlachtGeregistreerd,
    PlanAfgesloten,
    PlanOpgesteld,
    PlanVoorziening,
    Regisseur,
    RegisseurToegewezen,
)
from shared.gemeenten import Gemeente, Route, Team
from shared.ids import nieuw_id
from shared.invoer import Contactpoging, Fouten, contactpoging_fouten
from shared.levenscyclus import Levenscyclus, OngeldigeOvergang
from shared.termijnen import TZ, herindicatie_op, plus_werkdagen, termijn_tot
from shared.weigeringen import NietGevonden, OngeldigeInvoer, weiger_bij_fouten
from shared.zrm import ZRM_DOMEINEN, multiprobleem

if TYPE_CHECKING:  # the bodies are only read here; schemas.py defines them
    from services.arrangement.schemas import (
        AanvraagInvoer,
        Afsluiting,
        BeschikkingInvoer,
        BeschiktItem,
        BezwaarBeslissing,
        BezwaarInvoer,
        Evaluatie,
        GesprekInvoer,
        KlachtAfhandeling,
        KlachtInvoer,
        Overdracht,
        Reactie,
        RegisseurInvoer,
        VersieInvoer,
        VerslagInvoer,
        Waakvlam,
        WarmeOverdracht,
        WijzigingInvoer,
    )

# A first plan is evaluated after this many weeks unless the regisseur sets another date.
EERSTE_EVALUATIE_WEKEN = 13

# What a termijn is about; it decides what meets it (see `gehaald_door`).
TermijnSoort = Literal[
    "doorverwijzing",
    "wmo-onderzoek",
    "beschikking",
    "evaluatie",
    "waakvlam",
    "herindicatie",
    "bezwaar",
    "klacht",
    "overgang-18",
    "escalatie",
    "instructie",
    "reactie",
]
GRONDSLAG_WMO_ONDERZOEK = "wmo-onderzoek-6-weken"
GRONDSLAG_BESCHIKKING = "wmo-beschikking-2-weken"
GRONDSLAG_EVALUATIE = "evaluatie"
GRONDSLAG_WAAKVLAM = "waakvlam"
GRONDSLAG_HERINDICATIE = "herindicatie"
GRONDSLAG_OVERGANG_18 = "overgang-18-plus"
# The inwoner's say (Mijn toegang): the regisseur answers within these werkdagen (a contact meets it).
GRONDSLAG_REACTIE = "reactie-inwoner"
GRONDSLAG_CONTACTVERZOEK = "contactverzoek-inwoner"
REACTIE_WERKDAGEN = {GRONDSLAG_REACTIE: 5, GRONDSLAG_CONTACTVERZOEK: 2}


@dataclass  # not frozen: shared.termijnen.Norm is a protocol of plain attributes
class Norm:
    """The statutory norms, for a gemeente whose configuration lacks them (shared.termijnen.Norm)."""

    aantal: int
    eenheid: str
    wettelijk: bool = True


WETTELIJKE_NORMEN = {GRONDSLAG_WMO_ONDERZOEK: Norm(6, "weken"), GRONDSLAG_BESCHIKKING: Norm(2, "weken")}


def norm(gemeente: Gemeente, grondslag: str) -> Norm:
    eigen = gemeente.termijnen.get(grondslag)
    return Norm(eigen.aantal, eigen.eenheid, eigen.wettelijk) if eigen else WETTELIJKE_NORMEN[grondslag]


def einde_van(dag: date) -> datetime:
    """A date-only deadline (evaluation, waakvlam) is due at the end of that day in Amsterdam."""
    return datetime.combine(dag, time(23, 59, 59), tzinfo=TZ)


# --- the plan and its life cycle -----------------------------------------------------------------------


class PlanStatus(StrEnum):
    actief = "actief"
    # Closed, with the household kept in view: a check date on the regisseur's werkvoorraad.
    waakvlam = "waakvlam"
    afgesloten = "afgesloten"


LEVENSCYCLUS: Levenscyclus[PlanStatus] = Levenscyclus(
    "plan",
    {
        PlanStatus.actief: frozenset({PlanStatus.afgesloten, PlanStatus.waakvlam}),
        PlanStatus.waakvlam: frozenset({PlanStatus.afgesloten}),
        PlanStatus.afgesloten: frozenset(),
    },
)
# The plans a household has in view: its active plan, or the last one while a waakvlam runs.
IN_BEELD = (PlanStatus.actief, PlanStatus.waakvlam)


@dataclass(frozen=True)
class Plan:
    plan_id: uuid.UUID
    huishouden_id: str
    gemeente: str
    versie: int
    regisseur: Regisseur
    evaluatie_op: date
    wijk: str | None = None
    status: PlanStatus = PlanStatus.actief
    afgesloten_op: datetime | None = None
    resultaat: str | None = None
    waakvlam_op: date | None = None
    waakvlam_interval_weken: int | None = None


@dataclass(frozen=True)
class Beschikking:
    """The latest version of a beschikking of the plan."""

    beschikking_id: uuid.UUID
    versie: int
    aanvraag_id: uuid.UUID | None
    voorzieningen: list[dict]  # code, wet, productcode, omvang
    ingangsdatum: date
    einddatum: date | None
    reden_wijziging: str | None = None
    verzonden_op: date | None = None  # the day it was sent: the bezwaartermijn runs from the day after


@dataclass(frozen=True)
class NieuwPlan:
    plan: Plan


@dataclass(frozen=True)
class SluitAan:
    """The household has its plan: the doorverwijzing joins its timeline; its regisseur hears of it."""

    plan: Plan


@dataclass(frozen=True)
class Negeer:
    """Nothing arrives: a warm handover out of a plan (bron_soort `plan`: it leaves the household), or a
    doorverwijzing the household already has (the same one under another event id)."""

    reden: Literal["warme-overdracht", "al-ontvangen"]


def is_warme_overdracht(d: DoorverwijzingGedaan) -> bool:
    """Our own handover to a provider, back on the doorverwijzingen subject: it never joins a plan."""
    return d.bron_soort == "plan"


def eerste_regisseur(d: DoorverwijzingGedaan) -> Regisseur:
    return Regisseur(soort="professional", team_id=d.team_id)


# --- deadlines ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NieuweTermijn:
    soort: TermijnSoort
    bron_id: uuid.UUID
    termijn_grondslag: str
    termijn_tot: datetime
    team_id: str | None
    medewerker_id: str | None = None
    # A doorverwijzing that joined a running plan: a signal for the regisseur, not just a deadline.
    bij_lopend_plan: bool = False


def termijnen_van_doorverwijzing(
    d: DoorverwijzingGedaan, plan: Plan, nieuw: bool, gemeente: Gemeente, aankomst: datetime
) -> list[NieuweTermijn]:
    """The doorverwijzing's own deadline, and the Wmo onderzoek (6 weeks after the melding) when the
    route is the Wmo consulent's. On a running plan the deadline goes to the regisseur: one household,
    one regisseur, whoever triage routed it to."""
    r = plan.regisseur
    team, medewerker = (d.team_id, None) if nieuw else (r.team_id or d.team_id, r.medewerker_id)
    onderzoek = d.termijn_grondslag == GRONDSLAG_WMO_ONDERZOEK
    termijnen = [
        NieuweTermijn(
            "wmo-onderzoek" if onderzoek else "doorverwijzing",
            d.bron_id,
            d.termijn_grondslag,
            d.termijn_tot,
            team,
            medewerker,
            bij_lopend_plan=not nieuw,
        )
    ]
    if d.route == Route.wmo_consulent and not onderzoek:
        termijnen.append(
            NieuweTermijn(
                "wmo-onderzoek",
                d.bron_id,
                GRONDSLAG_WMO_ONDERZOEK,
                termijn_tot(aankomst, norm(gemeente, GRONDSLAG_WMO_ONDERZOEK)),
                d.team_id,
            )
        )
    return termijnen


def beschikkingstermijn(
    aanvraag_id: uuid.UUID, ontvangen_op: datetime, gemeente: Gemeente, plan: Plan
) -> NieuweTermijn:
    """Wmo 2015 art. 2.3.5 lid 1: the beschikking within 2 weeks of the aanvraag, for the Wmo consulenten
    (the regisseur's team where the gemeente has none)."""
    return NieuweTermijn(
        "beschikking",
        aanvraag_id,
        GRONDSLAG_BESCHIKKING,
        termijn_tot(ontvangen_op, norm(gemeente, GRONDSLAG_BESCHIKKING)),
        consulententeam(gemeente, plan),
    )


def evaluatietermijn(plan: Plan) -> NieuweTermijn:
    r = plan.regisseur
    return NieuweTermijn(
        "evaluatie", plan.plan_id, GRONDSLAG_EVALUATIE, einde_van(plan.evaluatie_op), r.team_id, r.medewerker_id
    )


def waakvlamtermijn(plan: Plan, controle_op: date) -> NieuweTermijn:
    r = plan.regisseur
    return NieuweTermijn(
        "waakvlam", plan.plan_id, GRONDSLAG_WAAKVLAM, einde_van(controle_op), r.team_id, r.medewerker_id
    )


def consulententeam(gemeente: Gemeente, plan: Plan) -> str | None:
    """The Wmo consulenten of the plan's wijk (the regisseur's team where the gemeente has none)."""
    if any(t.route == Route.wmo_consulent for t in gemeente.teams):
        return gemeente.team_voor(Route.wmo_consulent, plan.wijk).id
    return plan.regisseur.team_id


def herindicatietermijn(b: Beschikking, gemeente: Gemeente, plan: Plan) -> NieuweTermijn | None:
    """A beschikking with an einddatum: the herindicatie is due some weeks before it (per gemeente,
    default 8), on the consulenten's werkvoorraad."""
    if b.einddatum is None:
        return None
    dag = herindicatie_op(b.einddatum, gemeente.wmo.herindicatie_weken_vooraf)
    return NieuweTermijn(
        "herindicatie", b.beschikking_id, GRONDSLAG_HERINDICATIE, einde_van(dag), consulententeam(gemeente, plan)
    )


# The kinds of termijn the regisseur carries; they move with the regie. The Wmo onderzoek and the
# beschikking stay with the consulenten they were given to.
TERMIJNEN_VAN_REGISSEUR: tuple[TermijnSoort, ...] = (
    "doorverwijzing",
    "evaluatie",
    "waakvlam",
    "overgang-18",
    "instructie",
)


# --- regisseur -----------------------------------------------------------------------------------------


def regieroute(gemeente: Gemeente) -> Route:
    """The gemeente's rule: a multi-problem household that is not self-reliant is coordinated from the
    Lokale Kamer where the gemeente has one (GM1916), from the wijkteam elsewhere."""
    return Route.lokale_kamer if any(t.route == Route.lokale_kamer for t in gemeente.teams) else Route.wijkteam


def regieteam(gemeente: Gemeente, wijk: str | None) -> Team:
    return gemeente.team_voor(regieroute(gemeente), wijk)


def nieuwe_regisseur(
    invoer: RegisseurInvoer, huidige: Regisseur, gemeente: Gemeente, is_multiprobleem: bool
) -> tuple[Regisseur | None, Fouten]:
    """The regisseur after a handover, or the reasons it cannot be."""
    fouten: Fouten = []
    team_id = invoer.team_id or (huidige.team_id if invoer.soort != "professional" else None)
    if invoer.soort == "professional" and not invoer.team_id:
        fouten.append((("regisseur", "team_id"), "een professional regisseert vanuit een team"))
    elif team_id is not None and gemeente.team(team_id) is None:
        fouten.append((("regisseur", "team_id"), f"onbekend team in gemeente {gemeente.code}"))
    if invoer.soort != "professional" and invoer.medewerker_id:
        fouten.append((("regisseur", "medewerker_id"), "alleen een professional is een medewerker"))
    if is_multiprobleem and not fouten:
        route = regieroute(gemeente)
        team = gemeente.team(team_id) if team_id else None
        if invoer.soort != "professional" or team is None or team.route != route:
            fouten.append(
                (
                    ("regisseur",),
                    f"een multiprobleemhuishouden dat niet zelfredzaam is, regisseert een "
                    f"professional van de route {route.value}",
                )
            )
    if fouten:
        return None, fouten
    return Regisseur(soort=invoer.soort, team_id=team_id, medewerker_id=invoer.medewerker_id), []


def past_bij_regel(regisseur: Regisseur, gemeente: Gemeente) -> bool:
    team = gemeente.team(regisseur.team_id) if regisseur.team_id else None
    return regisseur.soort == "professional" and team is not None and team.route == regieroute(gemeente)


# --- plan versions -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanVersie:
    plan: Plan  # with the new version number, regisseur and evaluation date
    doelen: list[dict]
    voorzieningen: list[dict]  # code, naam, soort, wet, omvang, status, aanbieder_id
    mantelzorg: dict | None
    gebruikelijke_zorg: dict | None
    regie_overgedragen: bool = False


def is_multiprobleem(doelen: list[dict]) -> bool:
    """Not self-reliant on several levensgebieden, after the ZRM scores of the plan's goals."""
    return multiprobleem({d["levensgebied"]: d["zrm_nu"] for d in doelen if d.get("zrm_nu") is not None})


def stel_versie_op(
    plan: Plan, invoer: VersieInvoer, gemeente: Gemeente, beschikte_codes: set[str], vandaag: date
) -> tuple[PlanVersie | None, Fouten]:
    """The next version of the plan, checked against the catalogue. A maatwerk item becomes active only
    with a current beschikking for it. A version that shows a multi-problem household moves the regie to
    the team the gemeente's rule names, unless it is there already."""
    fouten: Fouten = []
    if invoer.evaluatie_op < vandaag:
        fouten.append((("evaluatie_op",), "de evaluatiedatum ligt in het verleden"))
    gebieden = [d.levensgebied for d in invoer.doelen]
    for i, gebied in enumerate(gebieden):
        if gebied not in ZRM_DOMEINEN:
            fouten.append((("doelen", i, "levensgebied"), "onbekend levensgebied (gebruik de ZRM-domeinen)"))
        elif gebieden.index(gebied) != i:
            fouten.append((("doelen", i, "levensgebied"), "een doel per levensgebied"))
    voorzieningen = []
    for i, v in enumerate(invoer.voorzieningen):
        item = gemeente.voorziening(v.code)
        if item is None:
            fouten.append((("voorzieningen", i, "code"), f"onbekende voorziening in de catalogus van {gemeente.code}"))
            continue
        if item.soort == "maatwerk" and v.status == "actief" and v.code not in beschikte_codes:
            fouten.append((("voorzieningen", i, "status"), "maatwerk wordt pas actief met een beschikking"))
        voorzieningen.append(
            {
                "code": item.code,
                "naam": item.naam,
                "soort": item.soort,
                "wet": item.wet,
                "omvang": v.omvang.model_dump() if v.omvang else None,
                "status": v.status,
                "aanbieder_id": v.aanbieder_id,
            }
        )
    if fouten:
        return None, fouten
    doelen = [d.model_dump() for d in invoer.doelen]
    regisseur, overgedragen = plan.regisseur, False
    if is_multiprobleem(doelen) and not past_bij_regel(plan.regisseur, gemeente):
        regisseur, overgedragen = Regisseur(soort="professional", team_id=regieteam(gemeente, plan.wijk).id), True
    nieuw = replace(plan, versie=plan.versie + 1, regisseur=regisseur, evaluatie_op=invoer.evaluatie_op)
    return PlanVersie(
        nieuw, doelen, voorzieningen, _of_none(invoer.mantelzorg), _of_none(invoer.gebruikelijke_zorg), overgedragen
    ), []


def _of_none(model: BaseModel | None) -> dict | None:
    return model.model_dump() if model is not None else None


# --- aanvragen and beschikkingen -----------------------------------------------------------------------


def controleer_aanvraag(invoer: AanvraagInvoer, gemeente: Gemeente, nu: datetime) -> Fouten:
    fouten: Fouten = []
    for i, code in enumerate(invoer.voorzieningen):
        item = gemeente.voorziening(code)
        if item is None:
            fouten.append((("voorzieningen", i), f"onbekende voorziening in de catalogus van {gemeente.code}"))
        elif item.soort != "maatwerk":
            fouten.append((("voorzieningen", i), f"{item.soort} vraagt geen aanvraag; alleen maatwerk"))
    if invoer.ontvangen_op is not None and invoer.ontvangen_op.tzinfo is None:
        fouten.append((("ontvangen_op",), "een tijdstip met tijdzone"))
    elif invoer.ontvangen_op is not None and invoer.ontvangen_op > nu + timedelta(minutes=5):
        fouten.append((("ontvangen_op",), "ligt in de toekomst"))
    return fouten


def controleer_beschikking(
    items: list[BeschiktItem], ingangsdatum: date, einddatum: date | None, gemeente: Gemeente
) -> Fouten:
    fouten: Fouten = []
    for i, item in enumerate(items):
        v = gemeente.voorziening(item.code)
        if v is None:
            fouten.append((("voorzieningen", i, "code"), f"onbekende voorziening in de catalogus van {gemeente.code}"))
        elif v.soort != "maatwerk" or v.wet is None:
            fouten.append((("voorzieningen", i, "code"), "alleen maatwerk met een wet wordt beschikt"))
        elif item.eigen_bijdrage and v.wet != "wmo":
            fouten.append((("voorzieningen", i, "eigen_bijdrage"), "een eigen bijdrage geldt alleen bij de Wmo"))
    if einddatum is not None and einddatum < ingangsdatum:
        fouten.append((("einddatum",), "de einddatum ligt voor de ingangsdatum"))
    return fouten


def beschikte_voorzieningen(items: list[BeschiktItem], gemeente: Gemeente) -> list[dict]:
    """After `controleer_beschikking`: every code is maatwerk of the catalogue, with its wet."""
    return [
        {
            "code": i.code,
            "wet": getattr(gemeente.voorziening(i.code), "wet", None),
            "productcode": i.productcode,
            "omvang": i.omvang.model_dump(),
            "leveringsvorm": i.leveringsvorm,
            "eigen_bijdrage": _eigen_bijdrage(i, gemeente),
        }
        for i in items
    ]


def _eigen_bijdrage(item: BeschiktItem, gemeente: Gemeente) -> bool:
    """As given; by default it applies to Wmo maatwerk (abonnementstarief) and to nothing else."""
    if item.eigen_bijdrage is not None:
        return item.eigen_bijdrage
    return getattr(gemeente.voorziening(item.code), "wet", None) == "wmo"


def controleer_verzending(verzonden_op: date | None, vandaag: date) -> Fouten:
    if verzonden_op is not None and verzonden_op > vandaag:
        return [(("verzonden_op",), "ligt in de toekomst")]
    return []


def controleer_wijziging(
    invoer: WijzigingInvoer, ingangsdatum: date, einddatum: date | None, gemeente: Gemeente
) -> Fouten:
    """A change starts during the current version's term and after its start."""
    fouten = controleer_beschikking(invoer.voorzieningen, invoer.ingangsdatum, invoer.einddatum, gemeente)
    if invoer.ingangsdatum <= ingangsdatum or (einddatum is not None and invoer.ingangsdatum > einddatum):
        fouten.append(
            (("ingangsdatum",), "een wijziging gaat in tijdens de looptijd van de beschikking, na haar ingangsdatum")
        )
    return fouten


# --- working the case ----------------------------------------------------------------------------------


def controleer_overdracht(invoer: WarmeOverdracht, gemeente: Gemeente) -> Fouten:
    """The aanbieder comes from the gemeente's sociale kaart, or it is the gemeente's own Wmo consulenten
    team (the warm handover of a young person who turns 18)."""
    fouten: Fouten = []
    if gemeente.aanbieder(invoer.aanbieder_id) is None and not _is_consulententeam(gemeente, invoer.aanbieder_id):
        fouten.append((("aanbieder_id",), f"onbekende aanbieder: kies er een uit de sociale kaart van {gemeente.code}"))
    if gemeente.voorziening(invoer.voorziening) is None:
        fouten.append((("voorziening",), f"onbekende voorziening in de catalogus van {gemeente.code}"))
    if invoer.termijn not in gemeente.termijnen:
        fouten.append((("termijn",), f"onbekende termijn; bekend zijn {', '.join(sorted(gemeente.termijnen))}"))
    return fouten


def _is_consulententeam(gemeente: Gemeente, team_id: str) -> bool:
    team = gemeente.team(team_id)
    return team is not None and team.route == Route.wmo_consulent


def overgangstermijn(plan: Plan, achttien_in: date) -> NieuweTermijn:
    """Before the month in which the young person turns 18, the transition is arranged: the end of the day
    before it, on the regisseur's werkvoorraad (001 L2647-2649)."""
    r = plan.regisseur
    return NieuweTermijn(
        "overgang-18",
        plan.plan_id,
        GRONDSLAG_OVERGANG_18,
        einde_van(achttien_in - timedelta(days=1)),
        r.team_id,
        r.medewerker_id,
    )


def controleer_evaluatie(invoer: Evaluatie, vandaag: date) -> Fouten:
    fouten: Fouten = []
    if invoer.datum > vandaag:
        fouten.append((("datum",), "een evaluatie die nog niet plaatsvond"))
    if invoer.volgende_evaluatie_op <= max(invoer.datum, vandaag - timedelta(days=1)):
        fouten.append((("volgende_evaluatie_op",), "de volgende evaluatie ligt na deze en niet in het verleden"))
    return fouten


def controleer_waakvlam(w: Waakvlam | None, vandaag: date) -> Fouten:
    if w is not None and w.controle_op < vandaag:
        return [(("waakvlam", "controle_op"), "de controledatum ligt in het verleden")]
    return []


def volgende_controle(w_interval_weken: int | None, datum: date) -> date | None:
    """A reached waakvlam contact schedules the next check, when the waakvlam is periodic."""
    return datum + timedelta(weeks=w_interval_weken) if w_interval_weken else None


def gehaald_door(gebeurtenis: Literal["contact", "verslag", "evaluatie", "overdracht"]) -> tuple[TermijnSoort, ...]:
    """Which open termijnen an event meets: a reached household meets the doorverwijzing's outreach; the
    verslag sent to the inwoner meets the Wmo onderzoek (not a plan version: Wmo 2015 art. 2.3.2 lid 8); an
    evaluation meets the evaluation date. (A beschikking meets its aanvraag's termijn, by id; an aanvraag
    that comes before the verslag replaces the onderzoek's deadline by the beschikking's.)"""
    return GEHAALD_DOOR[gebeurtenis]


GEHAALD_DOOR: dict[str, tuple[TermijnSoort, ...]] = {
    "contact": ("doorverwijzing", "waakvlam", "reactie"),
    "verslag": ("wmo-onderzoek",),
    "evaluatie": ("evaluatie",),
    # A young person about to turn 18: a warm handover (to the Wmo consulent or an aanbieder) is the step.
    "overdracht": ("overgang-18",),
}


# --- what changed: the rows the repository writes ------------------------------------------------------


@dataclass(frozen=True)
class PlanAangemaakt:
    """A new plan with its first (empty) version."""

    plan: Plan


@dataclass(frozen=True)
class PlanGewijzigd:
    """The plan's row as it is now (version, regisseur, evaluation date, status, waakvlam)."""

    plan: Plan


@dataclass(frozen=True)
class VersieVastgelegd:
    plan: Plan
    versie: PlanVersie
    door: str


@dataclass(frozen=True)
class TermijnenGesteld:
    plan: Plan
    termijnen: tuple[NieuweTermijn, ...]


@dataclass(frozen=True)
class TermijnenGesloten:
    """The plan's open termijnen of these kinds (of one source, when `bron_id`) are met or replaced."""

    plan_id: uuid.UUID
    soorten: tuple[TermijnSoort, ...]
    status: Literal["gehaald", "vervangen"] = "gehaald"
    bron_id: uuid.UUID | None = None


@dataclass(frozen=True)
class PlanTermijnenVervallen:
    """Closing the plan: every open termijn of it lapses, and so does every open aanvraag."""

    plan_id: uuid.UUID


@dataclass(frozen=True)
class WaakvlamTermijnenVervallen:
    """The household is back with a plan: its waakvlam checks have done their work."""

    huishouden_id: str


@dataclass(frozen=True)
class TermijnenVerhuisd:
    """The regisseur's open work moves with the regie (TERMIJNEN_VAN_REGISSEUR)."""

    plan_id: uuid.UUID
    regisseur: Regisseur


@dataclass(frozen=True)
class OpTijdlijn:
    plan: Plan
    soort: str
    details: dict
    bron_id: uuid.UUID | None = None
    bron_soort: str | None = None
    doorverwijzing_id: uuid.UUID | None = None


@dataclass(frozen=True)
class AanvraagGeregistreerd:
    plan: Plan
    aanvraag_id: uuid.UUID
    voorzieningen: tuple[str, ...]
    ontvangen_op: datetime
    door: str


@dataclass(frozen=True)
class AanvraagBeschikt:
    aanvraag_id: uuid.UUID


@dataclass(frozen=True)
class BeschikkingVastgelegd:
    plan: Plan
    beschikking: Beschikking
    door: str


@dataclass(frozen=True)
class GesprekVastgelegd:
    plan: Plan
    gesprek: dict
    door: str


@dataclass(frozen=True)
class VerslagVastgelegd:
    plan: Plan
    verslag_id: uuid.UUID
    verstuurd_op: date
    door: str


@dataclass(frozen=True)
class ZaakVastgelegd:
    """A new bezwaar or klacht (`nieuw`), or its new state."""

    plan: Plan
    zaak: rb.Zaak
    door: str
    nieuw: bool


@dataclass(frozen=True)
class EscalatieVastgelegd:
    """A new escalation (`nieuw`), or its new state."""

    plan: Plan
    escalatie: dz.Escalatie
    door: str
    nieuw: bool


@dataclass(frozen=True)
class ReactieVastgelegd:
    plan: Plan
    rij: dict


@dataclass(frozen=True)
class TermijnVerschoven:
    """A postponed decision: the open termijn of this kind and bron gets its new end and grondslag."""

    plan_id: uuid.UUID
    soort: TermijnSoort
    bron_id: uuid.UUID
    termijn_tot: datetime
    termijn_grondslag: str


@dataclass(frozen=True)
class ContactpogingVastgelegd:
    plan_id: uuid.UUID
    poging: dict
    door: str


@dataclass(frozen=True)
class EvaluatieVastgelegd:
    plan_id: uuid.UUID
    evaluatie: dict
    door: str


Wijziging = (
    PlanAangemaakt
    | PlanGewijzigd
    | VersieVastgelegd
    | TermijnenGesteld
    | TermijnenGesloten
    | PlanTermijnenVervallen
    | WaakvlamTermijnenVervallen
    | TermijnenVerhuisd
    | OpTijdlijn
    | AanvraagGeregistreerd
    | AanvraagBeschikt
    | BeschikkingVastgelegd
    | ContactpogingVastgelegd
    | EvaluatieVastgelegd
    | GesprekVastgelegd
    | VerslagVastgelegd
    | ZaakVastgelegd
    | TermijnVerschoven
    | EscalatieVastgelegd
    | ReactieVastgelegd
)


@dataclass(frozen=True)
class Aanvraag:
    aanvraag_id: uuid.UUID
    ontvangen_op: datetime
    termijn: NieuweTermijn


# --- the aggregate ---------------------------------------------------------------------------------------


@dataclass
class Huishoudplan:
    """One household and the plan it has in view (None: no plan, or only closed ones), with what the
    rules need of it: the goals of the current version, the open aanvragen, the beschikkingen (latest
    version of each) and the doorverwijzingen the household already received.

    Every method checks, changes the aggregate and appends to `wijzigingen` and `events`; a refusal
    (OngeldigeInvoer, OngeldigeOvergang, NietGevonden) leaves both untouched."""

    huishouden_id: str
    plan: Plan | None = None
    doelen: list[dict] = field(default_factory=list)
    open_aanvragen: dict[uuid.UUID, tuple[str, ...]] = field(default_factory=dict)
    beschikkingen: dict[uuid.UUID, Beschikking] = field(default_factory=dict)
    ontvangen: set[uuid.UUID] = field(default_factory=set)
    wijzigingen: list[Wijziging] = field(default_factory=list)
    events: list[Data] = field(default_factory=list)

    # --- state -------------------------------------------------------------------------------------

    @property
    def status(self) -> PlanStatus | None:
        return self.plan.status if self.plan is not None else None

    def _huidig(self) -> Plan:
        if self.plan is None:
            raise NietGevonden("Geen plan voor dit huishouden.")
        return self.plan

    def _vereis(self, *toegestaan: PlanStatus, naar: PlanStatus = PlanStatus.actief) -> Plan:
        """The plan, when its status allows the work: otherwise OngeldigeOvergang (409), naming the state
        it is in and the one the work needs (`naar`)."""
        plan = self._huidig()
        if plan.status not in (toegestaan or (PlanStatus.actief,)):
            raise OngeldigeOvergang(LEVENSCYCLUS.wat, plan.status, naar)
        return plan

    def _wijzig(self, plan: Plan) -> Plan:
        self.plan = plan
        self.wijzigingen.append(PlanGewijzigd(plan))
        return plan

    def beschikte_codes(self, vandaag: date) -> set[str]:
        """Maatwerk codes with a running beschikking on this plan (the latest version of each)."""
        return {
            v["code"]
            for b in self.beschikkingen.values()
            if b.einddatum is None or b.einddatum >= vandaag
            for v in b.voorzieningen
        }

    # --- a doorverwijzing arrives ----------------------------------------------------------------------

    def neem_aan(
        self, d: DoorverwijzingGedaan, gemeente: Gemeente, nu: datetime, aankomst: datetime
    ) -> NieuwPlan | SluitAan | Negeer:
        """Start the household's plan with the doorverwijzing's team as regisseur, or join the plan it
        has (its deadline goes to the regisseur, as a signal), or nothing."""
        if is_warme_overdracht(d):
            return Negeer("warme-overdracht")
        if d.doorverwijzing_id in self.ontvangen:
            return Negeer("al-ontvangen")
        self.ontvangen.add(d.doorverwijzing_id)
        if self.plan is not None and self.plan.status is PlanStatus.actief:
            uitkomst: NieuwPlan | SluitAan = SluitAan(self.plan)
        else:
            uitkomst = NieuwPlan(self._begin_plan(d, nu))
        plan, nieuw = uitkomst.plan, isinstance(uitkomst, NieuwPlan)
        self.wijzigingen.append(
            OpTijdlijn(
                plan,
                "doorverwijzing",
                {
                    "doorverwijzing_id": str(d.doorverwijzing_id),
                    "route": d.route,
                    "team_id": d.team_id,
                    "urgentie": d.urgentie,
                    "regel_id": d.regel_id,
                    "bij_lopend_plan": not nieuw,
                },
                bron_id=d.bron_id,
                bron_soort=d.bron_soort,
                doorverwijzing_id=d.doorverwijzing_id,
            )
        )
        self.wijzigingen.append(
            TermijnenGesteld(plan, tuple(termijnen_van_doorverwijzing(d, plan, nieuw, gemeente, aankomst)))
        )
        self.events.append(
            DoorverwijzingAanvaard(
                doorverwijzing_id=d.doorverwijzing_id,
                bron_id=d.bron_id,
                bron_soort=d.bron_soort,
                plan_id=plan.plan_id,
                huishouden_id=d.huishouden_id,
                team_id=plan.regisseur.team_id,
                nieuw_plan=nieuw,
                aanvaard_op=nu,
            )
        )
        return uitkomst

    def _begin_plan(self, d: DoorverwijzingGedaan, nu: datetime) -> Plan:
        if self.plan is not None and self.plan.status is PlanStatus.waakvlam:
            # Only a waakvlam plan has waakvlam checks open (sluit_af sets them; a last check or this
            # ends them): a household without a plan in view has nothing to lapse, and no statement for it.
            self._beeindig_waakvlam()
            self.wijzigingen.append(WaakvlamTermijnenVervallen(self.huishouden_id))
        plan = Plan(
            plan_id=nieuw_id(),
            huishouden_id=d.huishouden_id,
            gemeente=d.gemeente,
            versie=1,
            regisseur=eerste_regisseur(d),
            evaluatie_op=nu.astimezone(TZ).date() + timedelta(weeks=EERSTE_EVALUATIE_WEKEN),
            wijk=d.wijk,
        )
        self.plan, self.doelen, self.open_aanvragen, self.beschikkingen = plan, [], {}, {}
        self.wijzigingen.append(PlanAangemaakt(plan))
        self.wijzigingen.append(TermijnenGesteld(plan, (evaluatietermijn(plan),)))
        self.events.append(
            RegisseurToegewezen(
                plan_id=plan.plan_id,
                huishouden_id=plan.huishouden_id,
                regisseur=plan.regisseur,
                reden="eerste doorverwijzing",
            )
        )
        self.events.append(
            PlanOpgesteld(
                plan_id=plan.plan_id,
                huishouden_id=plan.huishouden_id,
                versie=1,
                regisseur=plan.regisseur,
                doelen=[],
                voorzieningen=[],
                evaluatie_op=plan.evaluatie_op,
            )
        )
        return plan

    def _beeindig_waakvlam(self) -> None:
        plan = self._huidig()
        self._wijzig(replace(plan, status=LEVENSCYCLUS.ga_naar(plan.status, PlanStatus.afgesloten), waakvlam_op=None))

    # --- the plan --------------------------------------------------------------------------------------

    def stel_versie_op(self, invoer: VersieInvoer, gemeente: Gemeente, vandaag: date, door: str) -> PlanVersie:
        """A new version: it replaces the evaluation deadline; a multi-problem household moves to the regie
        the gemeente's rule names. (It does not end the Wmo onderzoek: the verslag does.)"""
        huidig = self._vereis()
        versie, fouten = stel_versie_op(huidig, invoer, gemeente, self.beschikte_codes(vandaag), vandaag)
        weiger_bij_fouten(fouten)
        assert versie is not None
        plan = self._wijzig(versie.plan)
        self.doelen = versie.doelen
        self.wijzigingen += [
            VersieVastgelegd(plan, versie, door),
            TermijnenGesloten(plan.plan_id, ("evaluatie",), status="vervangen"),
            TermijnenGesteld(plan, (evaluatietermijn(plan),)),
        ]
        if versie.regie_overgedragen:
            self._regie_naar(plan.regisseur, "multiprobleem", door)
        self.wijzigingen.append(OpTijdlijn(plan, "plan-opgesteld", {"versie": plan.versie, "door": door}))
        self.events.append(
            PlanOpgesteld(
                plan_id=plan.plan_id,
                huishouden_id=plan.huishouden_id,
                versie=plan.versie,
                regisseur=plan.regisseur,
                doelen=[
                    Doel(levensgebied=d["levensgebied"], zrm_nu=d.get("zrm_nu"), zrm_doel=d.get("zrm_doel"))
                    for d in versie.doelen
                ],
                voorzieningen=[
                    PlanVoorziening(
                        code=v["code"], soort=v["soort"], wet=v["wet"], omvang=v["omvang"], status=v["status"]
                    )
                    for v in versie.voorzieningen
                ],
                evaluatie_op=plan.evaluatie_op,
            )
        )
        return versie

    def draag_regie_over(self, overdracht: Overdracht, gemeente: Gemeente, door: str) -> Regisseur:
        """To a professional, the inwoner or his netwerk, with a reason. A multi-problem household (after
        the goals of the plan's current version) stays with the route the gemeente's rule names."""
        plan = self._vereis()
        regisseur, fouten = nieuwe_regisseur(
            overdracht.regisseur, plan.regisseur, gemeente, is_multiprobleem(self.doelen)
        )
        weiger_bij_fouten(fouten)
        assert regisseur is not None
        if regisseur != plan.regisseur:
            self._wijzig(replace(plan, regisseur=regisseur))
            self._regie_naar(regisseur, overdracht.reden, door)
        return regisseur

    def _regie_naar(self, regisseur: Regisseur, reden: str, door: str) -> None:
        plan = self._huidig()
        self.wijzigingen.append(TermijnenVerhuisd(plan.plan_id, regisseur))
        self.wijzigingen.append(
            OpTijdlijn(
                plan,
                "regisseur-toegewezen",
                {"regisseur": regisseur.model_dump(mode="json"), "reden": reden, "door": door},
            )
        )
        self.events.append(
            RegisseurToegewezen(
                plan_id=plan.plan_id, huishouden_id=plan.huishouden_id, regisseur=regisseur, reden=reden
            )
        )

    # --- aanvragen and beschikkingen -----------------------------------------------------------------

    def registreer_aanvraag(self, invoer: AanvraagInvoer, gemeente: Gemeente, nu: datetime, door: str) -> Aanvraag:
        """The beschikking is due 2 weeks after the aanvraag arrived (Wmo 2015 art. 2.3.5), on the Wmo
        consulenten's werkvoorraad. An aanvraag before the verslag (it may come directly) replaces the
        onderzoek's deadline by this one."""
        plan = self._vereis()
        weiger_bij_fouten(controleer_aanvraag(invoer, gemeente, nu))
        aanvraag_id, ontvangen_op = nieuw_id(), invoer.ontvangen_op or nu
        aanvraag = Aanvraag(aanvraag_id, ontvangen_op, beschikkingstermijn(aanvraag_id, ontvangen_op, gemeente, plan))
        voorzieningen = tuple(invoer.voorzieningen)
        self.open_aanvragen[aanvraag.aanvraag_id] = voorzieningen
        self.wijzigingen += [
            AanvraagGeregistreerd(plan, aanvraag.aanvraag_id, voorzieningen, aanvraag.ontvangen_op, door),
            TermijnenGesteld(plan, (aanvraag.termijn,)),
            TermijnenGesloten(plan.plan_id, ("wmo-onderzoek",), status="vervangen"),
            OpTijdlijn(
                plan, "aanvraag", {"voorzieningen": list(voorzieningen), "door": door}, bron_id=aanvraag.aanvraag_id
            ),
        ]
        self.events.append(
            AanvraagGeregistreerdEvent(
                aanvraag_id=aanvraag.aanvraag_id,
                plan_id=plan.plan_id,
                huishouden_id=plan.huishouden_id,
                voorzieningen=list(voorzieningen),
                ontvangen_op=aanvraag.ontvangen_op,
            )
        )
        return aanvraag

    def geef_beschikking_af(
        self, invoer: BeschikkingInvoer, gemeente: Gemeente, vandaag: date, door: str
    ) -> tuple[Beschikking, list[uuid.UUID]]:
        """Meets the deadline of the aanvraag it decides: the one named, or else every open aanvraag of
        the plan whose voorzieningen it all grants; and the herindicatie of a running beschikking of the
        same voorziening that it continues. Returns the beschikking and those aanvragen."""
        plan = self._vereis()
        weiger_bij_fouten(
            controleer_beschikking(invoer.voorzieningen, invoer.ingangsdatum, invoer.einddatum, gemeente)
            + controleer_verzending(invoer.verzonden_op, vandaag)
        )
        aanvragen = self._beschikte_aanvragen(invoer)
        beschikking = Beschikking(
            nieuw_id(),
            1,
            invoer.aanvraag_id,
            beschikte_voorzieningen(invoer.voorzieningen, gemeente),
            invoer.ingangsdatum,
            invoer.einddatum,
            verzonden_op=invoer.verzonden_op or vandaag,
        )
        for vorige in self._voortgezet_door(beschikking):
            self.wijzigingen.append(TermijnenGesloten(plan.plan_id, ("herindicatie",), bron_id=vorige))
        self.beschikkingen[beschikking.beschikking_id] = beschikking
        self.wijzigingen.append(BeschikkingVastgelegd(plan, beschikking, door))
        for aanvraag_id in aanvragen:
            del self.open_aanvragen[aanvraag_id]
            self.wijzigingen.append(AanvraagBeschikt(aanvraag_id))
            self.wijzigingen.append(TermijnenGesloten(plan.plan_id, ("beschikking",), bron_id=aanvraag_id))
        self._beschikking_afgegeven(beschikking, gemeente)
        self.wijzigingen.append(
            OpTijdlijn(
                plan,
                "beschikking-afgegeven",
                {
                    "beschikking_id": str(beschikking.beschikking_id),
                    "versie": 1,
                    "codes": [v["code"] for v in beschikking.voorzieningen],
                    "door": door,
                },
                bron_id=invoer.aanvraag_id,
            )
        )
        return beschikking, aanvragen

    def _voortgezet_door(self, nieuw: Beschikking) -> list[uuid.UUID]:
        """The beschikkingen with an einddatum that `nieuw` continues: a code of theirs, starting no later
        than the day after they end. Their herindicatie is done."""
        codes = {v["code"] for v in nieuw.voorzieningen}
        return [
            b.beschikking_id
            for b in self.beschikkingen.values()
            if b.einddatum is not None
            and nieuw.ingangsdatum <= b.einddatum + timedelta(days=1)
            and codes & {v["code"] for v in b.voorzieningen}
        ]

    def _beschikte_aanvragen(self, invoer: BeschikkingInvoer) -> list[uuid.UUID]:
        if invoer.aanvraag_id is not None:
            if invoer.aanvraag_id not in self.open_aanvragen:
                weiger_bij_fouten([(("aanvraag_id",), "geen open aanvraag van dit plan")])
            return [invoer.aanvraag_id]
        codes = {v.code for v in invoer.voorzieningen}
        return [a for a, voorzieningen in self.open_aanvragen.items() if set(voorzieningen) <= codes]

    def wijzig_beschikking(
        self, beschikking_id: uuid.UUID, invoer: WijzigingInvoer, gemeente: Gemeente, vandaag: date, door: str
    ) -> Beschikking:
        """Scale up or down (or extend, shorten, correct) during the term: a new version of the
        beschikking from its ingangsdatum, with the reason; the previous version runs until the day before."""
        plan = self._vereis()
        huidig = self.beschikkingen.get(beschikking_id)
        if huidig is None:
            raise NietGevonden("Beschikking niet gevonden.")
        weiger_bij_fouten(
            controleer_wijziging(invoer, huidig.ingangsdatum, huidig.einddatum, gemeente)
            + controleer_verzending(invoer.verzonden_op, vandaag)
        )
        nieuw = Beschikking(
            beschikking_id,
            huidig.versie + 1,
            huidig.aanvraag_id,
            beschikte_voorzieningen(invoer.voorzieningen, gemeente),
            invoer.ingangsdatum,
            invoer.einddatum,
            invoer.reden_wijziging,
            invoer.verzonden_op or vandaag,
        )
        self.wijzigingen.append(
            TermijnenGesloten(plan.plan_id, ("herindicatie",), status="vervangen", bron_id=beschikking_id)
        )
        self.beschikkingen[beschikking_id] = nieuw
        self.wijzigingen.append(BeschikkingVastgelegd(plan, nieuw, door))
        self._beschikking_afgegeven(nieuw, gemeente)
        self.wijzigingen.append(
            OpTijdlijn(
                plan,
                "beschikking-gewijzigd",
                {
                    "beschikking_id": str(beschikking_id),
                    "versie": nieuw.versie,
                    "reden_wijziging": invoer.reden_wijziging,
                    "door": door,
                },
            )
        )
        return nieuw

    def _beschikking_afgegeven(self, b: Beschikking, gemeente: Gemeente) -> None:
        plan = self._huidig()
        if (herindicatie := herindicatietermijn(b, gemeente, plan)) is not None:
            self.wijzigingen.append(TermijnenGesteld(plan, (herindicatie,)))
        self.events.append(
            BeschikkingAfgegeven(
                beschikking_id=b.beschikking_id,
                plan_id=plan.plan_id,
                huishouden_id=plan.huishouden_id,
                voorzieningen=[
                    BeschikkingVoorziening(
                        code=v["code"],
                        wet=v["wet"],
                        omvang=v["omvang"],
                        productcode=v["productcode"],
                        leveringsvorm=v.get("leveringsvorm", "zin"),
                        eigen_bijdrage=v.get("eigen_bijdrage", False),
                    )
                    for v in b.voorzieningen
                ],
                ingangsdatum=b.ingangsdatum,
                einddatum=b.einddatum,
                versie=b.versie,
                reden_wijziging=b.reden_wijziging,
                aanvraag_id=b.aanvraag_id,
            )
        )

    # --- the Wmo onderzoek -----------------------------------------------------------------------------

    def leg_gesprek_vast(self, invoer: GesprekInvoer, vandaag: date, door: str) -> uuid.UUID:
        """The keukentafelgesprek, after the inwoner was told of free cliëntondersteuning."""
        plan = self._vereis()
        fouten: Fouten = []
        if invoer.datum > vandaag:
            fouten.append((("datum",), "een gesprek dat nog niet plaatsvond"))
        if invoer.clientondersteuning_gewezen_op > invoer.datum:
            fouten.append(
                (("clientondersteuning_gewezen_op",), "wijs de inwoner voor het gesprek op gratis cliëntondersteuning")
            )
        weiger_bij_fouten(fouten)
        gesprek_id = nieuw_id()
        gesprek = {"gesprek_id": gesprek_id, **invoer.model_dump()}
        self.wijzigingen += [
            GesprekVastgelegd(plan, gesprek, door),
            OpTijdlijn(
                plan,
                "gesprek",
                {"datum": str(invoer.datum), "vorm": invoer.vorm, "deelnemers": invoer.deelnemers, "door": door},
                bron_id=gesprek_id,
            ),
        ]
        return gesprek_id

    def verstuur_verslag(
        self, invoer: VerslagInvoer, gesprekken: Sequence[date], vandaag: date, door: str
    ) -> uuid.UUID:
        """The verslag to the inwoner ends the onderzoek: it meets the 6-week deadline. It reports a
        gesprek, so one must be recorded on or before the day it is sent."""
        plan = self._vereis()
        fouten: Fouten = []
        if invoer.verstuurd_op > vandaag:
            fouten.append((("verstuurd_op",), "ligt in de toekomst"))
        if not any(g <= invoer.verstuurd_op for g in gesprekken):
            fouten.append((("verstuurd_op",), "leg eerst het gesprek vast waarvan dit het verslag is"))
        weiger_bij_fouten(fouten)
        verslag_id = nieuw_id()
        self.wijzigingen += [
            VerslagVastgelegd(plan, verslag_id, invoer.verstuurd_op, door),
            TermijnenGesloten(plan.plan_id, gehaald_door("verslag")),
            OpTijdlijn(plan, "verslag", {"verstuurd_op": str(invoer.verstuurd_op), "door": door}, bron_id=verslag_id),
        ]
        return verslag_id

    # --- bezwaar and klacht (rechtsbescherming.py) -----------------------------------------------------

    def registreer_bezwaar(
        self, beschikking_id: uuid.UUID, invoer: BezwaarInvoer, gemeente: Gemeente, vandaag: date, door: str
    ) -> rb.Bezwaar:
        """Against a beschikking of this plan, also after the plan closed; a late one is registered too."""
        plan = self._vereis(*PlanStatus)
        beschikking = self.beschikkingen.get(beschikking_id)
        if beschikking is None:
            raise NietGevonden("Beschikking niet gevonden.")
        verzonden = beschikking.verzonden_op or beschikking.ingangsdatum
        b = rb.registreer_bezwaar(
            plan.plan_id,
            beschikking_id,
            verzonden,
            invoer.ontvangen_op,
            invoer.ter_post_op,
            invoer.adviescommissie,
            vandaag,
        )
        termijn = NieuweTermijn(
            "bezwaar", b.bezwaar_id, b.termijn_grondslag, einde_van(b.beslissen_voor), consulententeam(gemeente, plan)
        )
        details = {"beschikking_id": str(beschikking_id), "tijdig": b.tijdig, "door": door}
        self.wijzigingen += [
            ZaakVastgelegd(plan, b, door, nieuw=True),
            TermijnenGesteld(plan, (termijn,)),
            OpTijdlijn(plan, "bezwaar", details, bron_id=b.bezwaar_id),
        ]
        self.events.append(
            BezwaarGeregistreerd(
                bezwaar_id=b.bezwaar_id,
                plan_id=plan.plan_id,
                huishouden_id=plan.huishouden_id,
                beschikking_id=beschikking_id,
                ontvangen_op=b.ontvangen_op,
                tijdig=b.tijdig,
                adviescommissie=b.adviescommissie,
                beslissen_voor=b.beslissen_voor,
                termijn_grondslag=b.termijn_grondslag,
            )
        )
        return b

    def verdaag(self, zaak: rb.Z, reden: rb.RedenVerdaging, vandaag: date, door: str) -> rb.Z:
        """A bezwaar's decision by 6 weeks, a klacht's handling by 4: once, with a reason, before the term
        runs out (Awb 7:10 lid 3, 9:11 lid 2). The open termijn moves with it."""
        plan = self._vereis(*PlanStatus)
        verdaagd = rb.verdaag(zaak, reden)  # once: a second time is not in the table (409)
        if vandaag > zaak.termijn_op:
            weiger_bij_fouten([(("reden",), "de termijn is al verstreken; verdagen kan alleen daarvoor")])
        tot = einde_van(verdaagd.termijn_op)
        soort: TermijnSoort = "bezwaar" if isinstance(zaak, rb.Bezwaar) else "klacht"
        self.wijzigingen += [
            TermijnVerschoven(plan.plan_id, soort, zaak.zaak_id, tot, verdaagd.termijn_grondslag),
            ZaakVastgelegd(plan, verdaagd, door, nieuw=False),
            OpTijdlijn(plan, f"{soort}-verdaagd", {"reden": reden, "door": door}, bron_id=zaak.zaak_id),
        ]
        return verdaagd

    def beslis_op_bezwaar(
        self, b: rb.Bezwaar, invoer: BezwaarBeslissing, gemeente: Gemeente, vandaag: date, door: str
    ) -> rb.Bezwaar:
        """The decision; a gegrond bezwaar changes the beschikking (a new version, linked to it)."""
        plan = self._vereis(*PlanStatus)
        beslist = rb.beslis_op_bezwaar(b, invoer.uitkomst, invoer.besloten_op, invoer.beschikking is not None)
        nieuwe_versie = None
        if invoer.beschikking is not None:  # gegrond: the beschikking as it now reads
            nieuwe_versie = self.wijzig_beschikking(
                b.beschikking_id, invoer.beschikking, gemeente, vandaag, door
            ).versie
            beslist = replace(beslist, nieuwe_beschikking_versie=nieuwe_versie)
        self.wijzigingen += [
            ZaakVastgelegd(plan, beslist, door, nieuw=False),
            TermijnenGesloten(plan.plan_id, ("bezwaar",), bron_id=b.bezwaar_id),
            OpTijdlijn(plan, "bezwaar-beslist", {"uitkomst": invoer.uitkomst, "door": door}, bron_id=b.bezwaar_id),
        ]
        self.events.append(
            BezwaarBeslist(
                bezwaar_id=b.bezwaar_id,
                plan_id=plan.plan_id,
                huishouden_id=plan.huishouden_id,
                uitkomst=invoer.uitkomst,
                besloten_op=invoer.besloten_op,
                op_tijd=invoer.besloten_op <= b.beslissen_voor,
                verdaagd=b.verdaagd,
                nieuwe_beschikking_versie=nieuwe_versie,
            )
        )
        return beslist

    def registreer_klacht(self, invoer: KlachtInvoer, gemeente: Gemeente, vandaag: date, door: str) -> rb.Klacht:
        """About how the gemeente or an aanbieder treated the inwoner; handled by the regisseur's team."""
        plan = self._vereis(*PlanStatus)
        k = rb.registreer_klacht(
            plan.plan_id,
            invoer.ontvangen_op,
            invoer.over,
            invoer.aanbieder_id,
            tuple(invoer.onderwerpen),
            invoer.klachtadviescommissie,
            vandaag,
        )
        termijn = NieuweTermijn(
            "klacht", k.klacht_id, k.termijn_grondslag, einde_van(k.afhandelen_voor), plan.regisseur.team_id
        )
        self.wijzigingen += [
            ZaakVastgelegd(plan, k, door, nieuw=True),
            TermijnenGesteld(plan, (termijn,)),
            OpTijdlijn(
                plan, "klacht", {"over": k.over, "onderwerpen": list(k.onderwerpen), "door": door}, bron_id=k.klacht_id
            ),
        ]
        self.events.append(
            KlachtGeregistreerd(
                klacht_id=k.klacht_id,
                plan_id=plan.plan_id,
                huishouden_id=plan.huishouden_id,
                ontvangen_op=k.ontvangen_op,
                over=k.over,
                onderwerpen=list(k.onderwerpen),
                klachtadviescommissie=k.klachtadviescommissie,
                afhandelen_voor=k.afhandelen_voor,
                termijn_grondslag=k.termijn_grondslag,
            )
        )
        return k

    def handel_klacht_af(self, k: rb.Klacht, invoer: KlachtAfhandeling, door: str) -> rb.Klacht:
        plan = self._vereis(*PlanStatus)
        af = rb.handel_klacht_af(k, invoer.uitkomst, invoer.afgehandeld_op)
        self.wijzigingen += [
            ZaakVastgelegd(plan, af, door, nieuw=False),
            TermijnenGesloten(plan.plan_id, ("klacht",), bron_id=k.klacht_id),
            OpTijdlijn(plan, "klacht-afgehandeld", {"uitkomst": invoer.uitkomst, "door": door}, bron_id=k.klacht_id),
        ]
        self.events.append(
            KlachtAfgehandeld(
                klacht_id=k.klacht_id,
                plan_id=plan.plan_id,
                huishouden_id=plan.huishouden_id,
                uitkomst=invoer.uitkomst,
                afgehandeld_op=invoer.afgehandeld_op,
                op_tijd=invoer.afgehandeld_op <= k.afhandelen_voor,
                verdaagd=k.verdaagd,
            )
        )
        return af

    # --- working the case ------------------------------------------------------------------------------

    def registreer_contactpoging(self, poging: Contactpoging, vandaag: date, door: str) -> None:
        """Reaching the household meets the outreach of its doorverwijzingen; under a waakvlam it is the
        check, which schedules the next one when the waakvlam is periodic and otherwise ends it."""
        plan = self._vereis(PlanStatus.actief, PlanStatus.waakvlam)
        weiger_bij_fouten(contactpoging_fouten(poging, vandaag))
        self.wijzigingen.append(ContactpogingVastgelegd(plan.plan_id, poging.model_dump(), door))
        if poging.bereikt:
            self.wijzigingen.append(TermijnenGesloten(plan.plan_id, gehaald_door("contact")))
            if plan.status is PlanStatus.waakvlam:
                self._volgende_waakvlam(poging.datum)
        self.wijzigingen.append(
            OpTijdlijn(self._huidig(), "contactpoging", {**poging.model_dump(mode="json"), "door": door})
        )

    def _volgende_waakvlam(self, datum: date) -> None:
        plan = self._huidig()
        volgende = volgende_controle(plan.waakvlam_interval_weken, datum)
        if volgende is None:
            self._beeindig_waakvlam()
            return
        plan = self._wijzig(replace(plan, waakvlam_op=volgende))
        self.wijzigingen.append(TermijnenGesteld(plan, (waakvlamtermijn(plan, volgende),)))

    def draag_warm_over(
        self, overdracht: WarmeOverdracht, gemeente: Gemeente, nu: datetime, door: str
    ) -> DoorverwijzingGedaan:
        """Warm handover to a provider: `doorverwijzing-gedaan` with bron_soort `plan`. The regie stays
        here; `neem_aan` ignores the event when it comes back."""
        plan = self._vereis()
        weiger_bij_fouten(controleer_overdracht(overdracht, gemeente))
        voorziening = gemeente.voorziening(overdracht.voorziening)
        assert voorziening is not None
        naar_consulent = _is_consulententeam(gemeente, overdracht.aanbieder_id)
        gedaan = DoorverwijzingGedaan(
            doorverwijzing_id=nieuw_id(),
            gemeente=plan.gemeente,
            bron_id=plan.plan_id,
            bron_soort="plan",
            huishouden_id=plan.huishouden_id,
            wijk=plan.wijk,
            route=Route.wmo_consulent if naar_consulent else "aanbieder",
            team_id=overdracht.aanbieder_id,
            urgentie=overdracht.urgentie,
            termijn_tot=termijn_tot(nu, norm(gemeente, overdracht.termijn)),
            termijn_grondslag=overdracht.termijn,
            regel_id="warme-overdracht",
            toelichting=f"Warme overdracht vanuit het plan: {voorziening.naam}.",
            bestaande_regisseur=plan.regisseur,
            ontvangen_op=nu,
        )
        self.events.append(gedaan)
        self.wijzigingen.append(TermijnenGesloten(plan.plan_id, gehaald_door("overdracht")))
        if naar_consulent:  # the Wmo consulenten start their onderzoek (Wmo 2015 art. 2.3.2): 6 weeks
            onderzoek = termijn_tot(nu, norm(gemeente, GRONDSLAG_WMO_ONDERZOEK))
            self.wijzigingen.append(
                TermijnenGesteld(
                    plan,
                    (
                        NieuweTermijn(
                            "wmo-onderzoek",
                            gedaan.doorverwijzing_id,
                            GRONDSLAG_WMO_ONDERZOEK,
                            onderzoek,
                            overdracht.aanbieder_id,
                        ),
                    ),
                )
            )
        self.wijzigingen.append(
            OpTijdlijn(
                plan,
                "warme-overdracht",
                {
                    "doorverwijzing_id": str(gedaan.doorverwijzing_id),
                    "voorziening": voorziening.code,
                    "aanbieder_id": overdracht.aanbieder_id,
                    "urgentie": overdracht.urgentie,
                    "door": door,
                },
                bron_id=plan.plan_id,
                bron_soort="plan",
            )
        )
        return gedaan

    def evalueer(self, evaluatie: Evaluatie, vandaag: date, door: str) -> None:
        """An evaluation meets the evaluation deadline and sets the next one."""
        plan = self._vereis()
        weiger_bij_fouten(controleer_evaluatie(evaluatie, vandaag))
        self.wijzigingen.append(EvaluatieVastgelegd(plan.plan_id, evaluatie.model_dump(), door))
        self.wijzigingen.append(TermijnenGesloten(plan.plan_id, gehaald_door("evaluatie")))
        plan = self._wijzig(replace(plan, evaluatie_op=evaluatie.volgende_evaluatie_op))
        self.wijzigingen.append(TermijnenGesteld(plan, (evaluatietermijn(plan),)))
        self.wijzigingen.append(OpTijdlijn(plan, "evaluatie", {**evaluatie.model_dump(mode="json"), "door": door}))

    def sluit_af(self, afsluiting: Afsluiting, vandaag: date, nu: datetime, door: str) -> Plan:
        """Its open deadlines and aanvragen lapse; its meldingen are afgesloten (PlanAfgesloten). With a
        waakvlam the household stays in view: a check date on the regisseur's werkvoorraad. Only an active
        plan is closed by hand; a waakvlam ends by itself (a last check, or a new plan)."""
        w = afsluiting.waakvlam
        naar = PlanStatus.waakvlam if w is not None else PlanStatus.afgesloten
        plan = self._vereis(naar=naar)
        status = LEVENSCYCLUS.ga_naar(plan.status, naar)
        weiger_bij_fouten(controleer_waakvlam(w, vandaag))
        plan = self._wijzig(
            replace(
                plan,
                status=status,
                afgesloten_op=nu,
                resultaat=afsluiting.resultaat,
                waakvlam_op=w.controle_op if w else None,
                waakvlam_interval_weken=w.interval_weken if w else None,
            )
        )
        self.open_aanvragen = {}
        self.wijzigingen.append(PlanTermijnenVervallen(plan.plan_id))
        if w is not None:
            self.wijzigingen.append(TermijnenGesteld(plan, (waakvlamtermijn(plan, w.controle_op),)))
        self.wijzigingen.append(
            OpTijdlijn(
                plan,
                "plan-afgesloten",
                {
                    "resultaat": afsluiting.resultaat,
                    "door": door,
                    "waakvlam_op": w.controle_op.isoformat() if w else None,
                },
            )
        )
        self.events.append(
            PlanAfgesloten(
                plan_id=plan.plan_id,
                huishouden_id=plan.huishouden_id,
                afgesloten_op=nu,
                resultaat=afsluiting.resultaat,
                waakvlam_op=plan.waakvlam_op,
            )
        )
        return plan

    # --- from 18- to 18+ -------------------------------------------------------------------------------

    def start_overgang(self, persoon_sleutel: str, achttien_in: date) -> bool:
        """A member turns 18 in the month `achttien_in`: the plan gets the transition deadline, with a warm
        handover as its step. Without an active plan there is no regisseur to act: nothing (False)."""
        if self.plan is None or self.plan.status is not PlanStatus.actief:
            return False
        plan = self.plan
        self.wijzigingen += [
            TermijnenGesteld(plan, (overgangstermijn(plan, achttien_in),)),
            OpTijdlijn(plan, "overgang-18", {"achttien_in": achttien_in.strftime("%Y-%m")}, bron_id=plan.plan_id),
        ]
        return True

    # --- doorzettingsmacht (doorzetten.py) ---------------------------------------------------------------

    def escaleer(
        self,
        reden: EscalatieReden,
        gemeente: Gemeente,
        lopend: dz.Escalatie | None,
        nu: datetime,
        door: str,
        bron: Literal["regisseur", "termijnbewaking"] = "regisseur",
        termijn_grondslag: str | None = None,
    ) -> dz.Escalatie:
        """The case goes to whoever holds doorzettingsmacht, with a deadline for them to decide. One at a
        time: while one runs (`lopend`), another is refused (409)."""
        plan = self._vereis()
        if gemeente.doorzettingsmacht is None:
            raise OngeldigeInvoer([(("reden",), f"gemeente {gemeente.code} heeft geen doorzettingsmacht ingericht")])
        if lopend is not None:
            raise OngeldigeOvergang(dz.LEVENSCYCLUS_ESCALATIE.wat, lopend.status, dz.EscalatieStatus.open)
        e = dz.dien_in(
            plan.plan_id, reden, bron, plan.regisseur.team_id, gemeente.doorzettingsmacht, nu, termijn_grondslag
        )
        termijn = NieuweTermijn(
            "escalatie", e.escalatie_id, dz.GRONDSLAG_ESCALATIE, einde_van(e.beslissen_voor), e.naar_team_id
        )
        self.wijzigingen += [
            EscalatieVastgelegd(plan, e, door, nieuw=True),
            TermijnenGesteld(plan, (termijn,)),
            OpTijdlijn(plan, "escalatie", {"reden": reden, "door": door, "bron": bron}, bron_id=e.escalatie_id),
        ]
        self.events.append(
            EscalatieIngediend(
                escalatie_id=e.escalatie_id,
                plan_id=plan.plan_id,
                huishouden_id=plan.huishouden_id,
                reden=reden,
                door=bron,
                van_team_id=e.van_team_id,
                naar_team_id=e.naar_team_id,
                ingediend_op=nu,
                beslissen_voor=e.beslissen_voor,
                termijn_grondslag=termijn_grondslag,
            )
        )
        return e

    def neem_regie(self, e: dz.Escalatie, nu: datetime, door: str) -> dz.Escalatie:
        """Doorzettingsmacht: the escalation team becomes the regisseur; the regisseur's work moves with it."""
        plan = self._vereis()
        genomen = dz.neem_regie(e, nu)
        regisseur = Regisseur(soort="professional", team_id=e.naar_team_id)
        if regisseur != plan.regisseur:
            self._wijzig(replace(plan, regisseur=regisseur))
            self._regie_naar(regisseur, "doorzettingsmacht", door)
        self._escalatie_behandeld(genomen, door, "regie-genomen")
        return genomen

    def geef_terug(
        self, e: dz.Escalatie, instructie: EscalatieInstructie, opvolgen_voor: date, nu: datetime, door: str
    ) -> dz.Escalatie:
        """Back to the team that escalated (also after the regie was taken), with an instruction and a date by
        which it follows it up: a deadline on that team's werkvoorraad."""
        plan = self._vereis()
        if opvolgen_voor < nu.astimezone(TZ).date():
            weiger_bij_fouten([(("opvolgen_voor",), "ligt in het verleden")])
        terug = dz.geef_terug(e, instructie, opvolgen_voor, nu)
        if e.status is dz.EscalatieStatus.regie_genomen and e.van_team_id is not None:
            regisseur = Regisseur(soort="professional", team_id=e.van_team_id)
            self._wijzig(replace(plan, regisseur=regisseur))
            self._regie_naar(regisseur, "doorzettingsmacht-teruggegeven", door)
        opvolging = NieuweTermijn(
            "instructie",
            e.escalatie_id,
            dz.GRONDSLAG_INSTRUCTIE,
            einde_van(opvolgen_voor),
            e.van_team_id or self._huidig().regisseur.team_id,
        )
        self.wijzigingen.append(TermijnenGesteld(self._huidig(), (opvolging,)))
        self._escalatie_behandeld(terug, door, "teruggegeven", {"instructie": instructie})
        return terug

    def _escalatie_behandeld(self, e: dz.Escalatie, door: str, soort: str, extra: dict | None = None) -> None:
        plan = self._huidig()
        assert e.behandeld_op is not None
        self.wijzigingen += [
            EscalatieVastgelegd(plan, e, door, nieuw=False),
            TermijnenGesloten(plan.plan_id, ("escalatie",), bron_id=e.escalatie_id),
            OpTijdlijn(plan, f"escalatie-{soort}", {"door": door, **(extra or {})}, bron_id=e.escalatie_id),
        ]
        self.events.append(
            EscalatieBehandeld(
                escalatie_id=e.escalatie_id,
                plan_id=plan.plan_id,
                huishouden_id=plan.huishouden_id,
                uitkomst=e.status.value,
                instructie=e.instructie,
                behandeld_op=e.behandeld_op,
                op_tijd=dz.op_tijd(e, e.behandeld_op),
            )
        )

    # --- the inwoner's say (Mijn toegang) ------------------------------------------------------------------

    def reageer(self, invoer: Reactie, nu: datetime) -> uuid.UUID:
        """He agrees to a plan version or says why not, gives his view before an evaluation, or asks for
        contact. Each is work for the regisseur's team: a deadline that a contact with the household meets."""
        plan = self._vereis()
        weiger_bij_fouten(controleer_reactie(invoer, plan, self.doelen))
        reactie_id = nieuw_id()
        grondslag = GRONDSLAG_CONTACTVERZOEK if invoer.soort == "contactverzoek" else GRONDSLAG_REACTIE
        r = plan.regisseur
        termijn = NieuweTermijn(
            "reactie",
            reactie_id,
            grondslag,
            plus_werkdagen(nu, REACTIE_WERKDAGEN[grondslag]),
            r.team_id,
            r.medewerker_id if r.soort == "professional" else None,
        )
        gegevens = invoer.model_dump(exclude={"soort", "versie", "akkoord"}, exclude_none=True)
        rij = {
            "reactie_id": reactie_id,
            "plan_id": plan.plan_id,
            "soort": invoer.soort,
            "versie": invoer.versie,
            "akkoord": invoer.akkoord,
            "gegevens": gegevens,
            "ingediend_op": nu,
        }
        details = {"soort": invoer.soort, "akkoord": invoer.akkoord, **gegevens, "door": "inwoner"}
        self.wijzigingen += [
            ReactieVastgelegd(plan, rij),
            TermijnenGesteld(plan, (termijn,)),
            OpTijdlijn(plan, "reactie-inwoner", details, bron_id=reactie_id),
        ]
        return reactie_id


def controleer_reactie(invoer: Reactie, plan: Plan, doelen: list[dict]) -> Fouten:
    fouten: Fouten = []
    if invoer.soort == "instemming":
        if invoer.versie != plan.versie:
            fouten.append((("versie",), f"het plan is nu versie {plan.versie}: lees die eerst"))
        if invoer.akkoord is None:
            fouten.append((("akkoord",), "zeg of u het eens bent met het plan"))
        elif not invoer.akkoord and invoer.reden is None:
            fouten.append((("reden",), "zeg waarom u het niet eens bent"))
    elif invoer.soort == "inbreng":
        gebieden = {d["levensgebied"] for d in doelen}
        if not invoer.doelen:
            fouten.append((("doelen",), "zeg bij minstens een doel hoe het gaat"))
        for gebied in invoer.doelen:
            if gebied not in gebieden:
                fouten.append((("doelen", gebied), "dit is geen doel van uw plan"))
    elif invoer.voorkeur is None:
        fouten.append((("voorkeur",), "zeg hoe we contact met u opnemen"))
    return fouten
