"""Arrangement's pure domain: één huishouden, één plan, één regisseur.

`neem_aan` decides what a doorverwijzing does to a household: start its plan with a regisseur, join the
plan it already has, or nothing (a warm handover out of a plan comes back on the same subject). The
database enforces the same invariant a second time (a unique index on the active plan per household),
for the moments two replicas decide at once.

The rest decides what a plan may hold and which deadlines (termijnen) a household has: plan versions
against the gemeente's catalogue of voorzieningen, the regisseur and the gemeente's rule for
multi-problem households, beschikkingen and their changes, evaluations, waakvlam. No I/O: handlers and
routes load the state, call these functions and store what they return. Checks return (field path,
message) pairs, as intake's domain does; the API turns them into a 422.

Arrangement holds no personal data (decision 0006): every input here is a code, a number, a date or a
pseudonymous key, never free text.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events import DoorverwijzingGedaan, Regisseur
from shared.gemeenten import Gemeente, Route, Team
from shared.ids import nieuw_id
from shared.termijnen import TZ, termijn_tot
from shared.zrm import ZRM_DOMEINEN, multiprobleem

# A first plan is evaluated after this many weeks unless the regisseur sets another date.
EERSTE_EVALUATIE_WEKEN = 13

Pad = tuple[str | int, ...]
Fouten = list[tuple[Pad, str]]

# What a termijn is about; it decides what meets it (see `gehaald_door`).
TermijnSoort = Literal["doorverwijzing", "wmo-onderzoek", "beschikking", "evaluatie", "waakvlam"]
GRONDSLAG_WMO_ONDERZOEK = "wmo-onderzoek-6-weken"
GRONDSLAG_BESCHIKKING = "wmo-beschikking-2-weken"
GRONDSLAG_EVALUATIE = "evaluatie"
GRONDSLAG_WAAKVLAM = "waakvlam"


@dataclass(frozen=True)
class Norm:
    """The statutory norms, for a gemeente whose configuration lacks them (shared.termijnen.Norm)."""

    aantal: int
    eenheid: str
    wettelijk: bool = True


WETTELIJKE_NORMEN = {GRONDSLAG_WMO_ONDERZOEK: Norm(6, "weken"), GRONDSLAG_BESCHIKKING: Norm(2, "weken")}


def norm(gemeente: Gemeente, grondslag: str):
    return gemeente.termijnen.get(grondslag) or WETTELIJKE_NORMEN[grondslag]


def einde_van(dag: date) -> datetime:
    """A date-only deadline (evaluation, waakvlam) is due at the end of that day in Amsterdam."""
    return datetime.combine(dag, time(23, 59, 59), tzinfo=TZ)


# --- the household's one plan -------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    plan_id: uuid.UUID
    huishouden_id: str
    versie: int
    regisseur: Regisseur
    evaluatie_op: date
    wijk: str | None = None
    status: Literal["actief", "afgesloten"] = "actief"


@dataclass(frozen=True)
class NieuwPlan:
    plan: Plan


@dataclass(frozen=True)
class SluitAan:
    """The household has its plan: the doorverwijzing joins its timeline; its regisseur hears of it."""

    plan: Plan


@dataclass(frozen=True)
class Negeer:
    """A warm handover out of a plan (bron_soort `plan`): it leaves the household, it does not arrive."""


def eerste_regisseur(d: DoorverwijzingGedaan) -> Regisseur:
    return Regisseur(soort="professional", team_id=d.team_id)


def neem_aan(d: DoorverwijzingGedaan, actief_plan: Plan | None, nu: datetime) -> NieuwPlan | SluitAan | Negeer:
    if d.bron_soort == "plan":
        return Negeer()
    if actief_plan is not None:
        return SluitAan(actief_plan)
    plan = Plan(
        plan_id=nieuw_id(),
        huishouden_id=d.huishouden_id,
        versie=1,
        regisseur=eerste_regisseur(d),
        evaluatie_op=nu.astimezone(TZ).date() + timedelta(weeks=EERSTE_EVALUATIE_WEKEN),
        wijk=d.wijk,
    )
    return NieuwPlan(plan)


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
    consulenten = next((t for t in gemeente.teams if t.route == Route.wmo_consulent), None)
    team = gemeente.team_voor(Route.wmo_consulent, plan.wijk).id if consulenten else plan.regisseur.team_id
    return NieuweTermijn(
        "beschikking",
        aanvraag_id,
        GRONDSLAG_BESCHIKKING,
        termijn_tot(ontvangen_op, norm(gemeente, GRONDSLAG_BESCHIKKING)),
        team,
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


# The kinds of termijn the regisseur carries; they move with the regie. The Wmo onderzoek and the
# beschikking stay with the consulenten they were given to.
TERMIJNEN_VAN_REGISSEUR: tuple[TermijnSoort, ...] = ("doorverwijzing", "evaluatie", "waakvlam")


# --- regisseur -----------------------------------------------------------------------------------------

RedenOverdracht = Literal[
    "multiprobleem", "zelfredzaam", "netwerk_neemt_regie", "andere_expertise", "verhuizing", "werkverdeling", "overig"
]
Code = Annotated[str, Field(pattern=r"^[a-z0-9_.@-]{1,100}$")]


class Invoer(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RegisseurInvoer(Invoer):
    soort: Literal["professional", "inwoner", "netwerk"]
    # For the inwoner or his netwerk: the team that stays in the background (default: the last one).
    team_id: Code | None = None
    medewerker_id: Code | None = None


class Overdracht(Invoer):
    """The body of POST /v1/plannen/{plan_id}/regisseur."""

    regisseur: RegisseurInvoer
    reden: RedenOverdracht


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


class OmvangInvoer(Invoer):
    """As an iWmo toewijzing carries it: volume, eenheid, frequentie."""

    volume: Annotated[float, Field(gt=0, le=100_000)]
    eenheid: Literal["minuut", "uur", "dagdeel", "etmaal", "stuks", "euro"]
    frequentie: Literal["dag", "week", "maand", "totaal"]


class Doel(Invoer):
    levensgebied: str
    # ZRM score now and the one aimed for: the plan says how self-reliant the household is.
    zrm_nu: Annotated[int, Field(ge=1, le=5)] | None = None
    zrm_doel: Annotated[int, Field(ge=1, le=5)] | None = None


class VoorzieningInvoer(Invoer):
    code: str
    omvang: OmvangInvoer | None = None
    status: Literal["gepland", "actief", "beeindigd"] = "gepland"
    aanbieder_id: Code | None = None


class Mantelzorg(Invoer):
    """The mantelzorger and what he can carry (001 L2701): hours and a belastbaarheid, no names."""

    aanwezig: bool
    uren_per_week: Annotated[float, Field(ge=0, le=168)] | None = None
    belastbaarheid: Literal["niet", "beperkt", "gemiddeld", "goed"] | None = None


class GebruikelijkeZorg(Invoer):
    """What housemates are expected to do themselves (001 L2719); it is not indicated as maatwerk."""

    van_toepassing: bool
    uren_per_week: Annotated[float, Field(ge=0, le=168)] | None = None


class VersieInvoer(Invoer):
    """The body of POST /v1/plannen/{plan_id}/versies."""

    doelen: Annotated[list[Doel], Field(max_length=13)] = []
    voorzieningen: Annotated[list[VoorzieningInvoer], Field(max_length=50)] = []
    mantelzorg: Mantelzorg | None = None
    gebruikelijke_zorg: GebruikelijkeZorg | None = None
    evaluatie_op: date


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


class AanvraagInvoer(Invoer):
    """The body of POST /v1/plannen/{plan_id}/aanvragen: the maatwerk the inwoner asks for."""

    voorzieningen: Annotated[list[str], Field(min_length=1, max_length=20)]
    # When the gemeente received it (default: now); the 2-week term counts from there.
    ontvangen_op: datetime | None = None


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


class BeschiktItem(Invoer):
    """One voorziening of a beschikking, after the iWmo toewijzing."""

    code: str
    # iWmo productcode (productcategorie + product, e.g. 02A01), where the gemeente uses them.
    productcode: Annotated[str, Field(pattern=r"^[0-9A-Z]{2,5}$")] | None = None
    omvang: OmvangInvoer


class BeschikkingInvoer(Invoer):
    """The body of POST /v1/plannen/{plan_id}/beschikkingen."""

    aanvraag_id: uuid.UUID | None = None
    voorzieningen: Annotated[list[BeschiktItem], Field(min_length=1, max_length=20)]
    ingangsdatum: date
    einddatum: date | None = None


RedenWijziging = Literal["opschaling", "afschaling", "verlenging", "verkorting", "correctie"]


class WijzigingInvoer(Invoer):
    """A change during the beschikking's term: a new version from `ingangsdatum`, with a reason."""

    voorzieningen: Annotated[list[BeschiktItem], Field(min_length=1, max_length=20)]
    ingangsdatum: date
    einddatum: date | None = None
    reden_wijziging: RedenWijziging


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
    if einddatum is not None and einddatum < ingangsdatum:
        fouten.append((("einddatum",), "de einddatum ligt voor de ingangsdatum"))
    return fouten


def beschikte_voorzieningen(items: list[BeschiktItem], gemeente: Gemeente) -> list[dict]:
    return [
        {
            "code": i.code,
            "wet": gemeente.voorziening(i.code).wet,
            "productcode": i.productcode,
            "omvang": i.omvang.model_dump(),
        }
        for i in items
    ]


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


class Contactpoging(Invoer):
    soort: Literal["telefoon", "huisbezoek", "brief", "email", "balie", "beeldbellen"]
    bereikt: bool
    datum: date
    dagdeel: Literal["ochtend", "middag", "avond"]


class WarmeOverdracht(Invoer):
    """The body of POST /v1/plannen/{plan_id}/doorverwijzingen: hand part of the plan to a provider."""

    voorziening: str
    aanbieder_id: Code
    urgentie: Literal["crisis", "spoed", "regulier"] = "regulier"
    # A key of the gemeente's termijnen: by when the provider starts.
    termijn: str = "opvolging-10-werkdagen"


def controleer_overdracht(invoer: WarmeOverdracht, gemeente: Gemeente) -> Fouten:
    fouten: Fouten = []
    if gemeente.voorziening(invoer.voorziening) is None:
        fouten.append((("voorziening",), f"onbekende voorziening in de catalogus van {gemeente.code}"))
    if invoer.termijn not in gemeente.termijnen:
        fouten.append((("termijn",), f"onbekende termijn; bekend zijn {', '.join(sorted(gemeente.termijnen))}"))
    return fouten


class Evaluatie(Invoer):
    datum: date
    uitkomst: Literal["doelen_bereikt", "deels_bereikt", "niet_bereikt", "bijstellen"]
    volgende_evaluatie_op: date


def controleer_evaluatie(invoer: Evaluatie, vandaag: date) -> Fouten:
    fouten: Fouten = []
    if invoer.datum > vandaag:
        fouten.append((("datum",), "een evaluatie die nog niet plaatsvond"))
    if invoer.volgende_evaluatie_op <= max(invoer.datum, vandaag - timedelta(days=1)):
        fouten.append((("volgende_evaluatie_op",), "de volgende evaluatie ligt na deze en niet in het verleden"))
    return fouten


class Waakvlam(Invoer):
    """After closing: the household stays in view, with a check every `interval_weken` from `controle_op`."""

    controle_op: date
    interval_weken: Annotated[int, Field(ge=1, le=52)] | None = None


def controleer_waakvlam(w: Waakvlam | None, vandaag: date) -> Fouten:
    if w is not None and w.controle_op < vandaag:
        return [(("waakvlam", "controle_op"), "de controledatum ligt in het verleden")]
    return []


def volgende_controle(w_interval_weken: int | None, datum: date) -> date | None:
    """A reached waakvlam contact schedules the next check, when the waakvlam is periodic."""
    return datum + timedelta(weeks=w_interval_weken) if w_interval_weken else None


def gehaald_door(gebeurtenis: Literal["contact", "aanvraag", "planversie", "evaluatie"]) -> tuple[TermijnSoort, ...]:
    """Which open termijnen an event meets: a reached household meets the doorverwijzing's outreach; the
    onderzoek ends in a plan version with goals or an aanvraag; an evaluation meets the evaluation date.
    (A beschikking meets its aanvraag's termijn, by id.)"""
    return {
        "contact": ("doorverwijzing", "waakvlam"),
        "aanvraag": ("wmo-onderzoek",),
        "planversie": ("wmo-onderzoek",),
        "evaluatie": ("evaluatie",),
    }[gebeurtenis]


# --- the invariant, for the property test and the reader ------------------------------------------------


@dataclass
class Huishoudens:
    """An in-memory model of the store, driven only by the functions above, in the order the handlers
    call them: what the property test checks the invariant on."""

    plannen: dict[uuid.UUID, Plan] = field(default_factory=dict)
    tijdlijn: dict[uuid.UUID, list[uuid.UUID]] = field(default_factory=dict)
    toegewezen: list[tuple[uuid.UUID, Regisseur]] = field(default_factory=list)

    def actief(self, huishouden_id: str) -> Plan | None:
        return next(
            (p for p in self.plannen.values() if p.huishouden_id == huishouden_id and p.status == "actief"), None
        )

    def ontvang(self, d: DoorverwijzingGedaan, nu: datetime) -> NieuwPlan | SluitAan | Negeer:
        uitkomst = neem_aan(d, self.actief(d.huishouden_id), nu)
        if isinstance(uitkomst, NieuwPlan):
            self.plannen[uitkomst.plan.plan_id] = uitkomst.plan
            self.toegewezen.append((uitkomst.plan.plan_id, uitkomst.plan.regisseur))
        if not isinstance(uitkomst, Negeer):
            self.tijdlijn.setdefault(uitkomst.plan.plan_id, []).append(d.doorverwijzing_id)
        return uitkomst

    def draag_over(self, huishouden_id: str, invoer: RegisseurInvoer, gemeente: Gemeente) -> Fouten:
        plan = self.actief(huishouden_id)
        if plan is None:
            return [((), "geen actief plan")]
        regisseur, fouten = nieuwe_regisseur(invoer, plan.regisseur, gemeente, is_multiprobleem([]))
        if regisseur is not None:
            self.plannen[plan.plan_id] = replace(plan, regisseur=regisseur)
            self.toegewezen.append((plan.plan_id, regisseur))
        return fouten

    def sluit_af(self, huishouden_id: str) -> None:
        if (plan := self.actief(huishouden_id)) is not None:
            self.plannen[plan.plan_id] = replace(plan, status="afgesloten")
