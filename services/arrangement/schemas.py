"""The request bodies of arrangement's HTTP API, on shared.invoer: unknown fields refused, strings
stripped, codes instead of free text (arrangement holds no personal data, decision 0006); and the answers
of its two reads, which FastAPI then serialises in pydantic's core instead of walking them in Python
(decision 0019)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from services.arrangement.rechtsbescherming import RedenVerdaging
from shared.events import EscalatieInstructie, EscalatieReden, PlanResultaat, Regisseur
from shared.invoer import Code, Contactpoging, Invoer

__all__ = [
    "VerslagInvoer",
    "Verdaging",
    "KlachtInvoer",
    "KlachtAfhandeling",
    "GesprekInvoer",
    "BezwaarInvoer",
    "BezwaarBeslissing",
    "AanvraagInvoer",
    "Afsluiting",
    "BeschikkingInvoer",
    "BeschiktItem",
    "Contactpoging",
    "Doel",
    "Evaluatie",
    "GebruikelijkeZorg",
    "Huishouden",
    "Mantelzorg",
    "OmvangInvoer",
    "Overdracht",
    "RegisseurInvoer",
    "Termijn",
    "VersieInvoer",
    "VoorzieningInvoer",
    "Waakvlam",
    "WarmeOverdracht",
    "Werkvoorraad",
    "WijzigingInvoer",
]

# --- regisseur -----------------------------------------------------------------------------------------

RedenOverdracht = Literal[
    "multiprobleem", "zelfredzaam", "netwerk_neemt_regie", "andere_expertise", "verhuizing", "werkverdeling", "overig"
]


class RegisseurInvoer(Invoer):
    soort: Literal["professional", "inwoner", "netwerk"]
    # For the inwoner or his netwerk: the team that stays in the background (default: the last one).
    team_id: Code | None = None
    medewerker_id: Code | None = None


class Overdracht(Invoer):
    """The body of POST /v1/plannen/{plan_id}/regisseur."""

    regisseur: RegisseurInvoer
    reden: RedenOverdracht


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


# --- aanvragen and beschikkingen -----------------------------------------------------------------------


class AanvraagInvoer(Invoer):
    """The body of POST /v1/plannen/{plan_id}/aanvragen: the maatwerk the inwoner asks for."""

    voorzieningen: Annotated[list[str], Field(min_length=1, max_length=20)]
    # When the gemeente received it (default: now); the 2-week term counts from there.
    ontvangen_op: datetime | None = None


class BeschiktItem(Invoer):
    """One voorziening of a beschikking, after the iWmo toewijzing."""

    code: str
    # iWmo productcode (productcategorie + product, e.g. 02A01), where the gemeente uses them.
    productcode: Annotated[str, Field(pattern=r"^[0-9A-Z]{2,5}$")] | None = None
    omvang: OmvangInvoer
    # Zorg in natura (`zin`) or a persoonsgebonden budget (`pgb`).
    leveringsvorm: Literal["zin", "pgb"] = "zin"
    # Whether the eigen bijdrage (abonnementstarief, CAK) applies; by default it does for the Wmo only.
    eigen_bijdrage: bool | None = None


class BeschikkingInvoer(Invoer):
    """The body of POST /v1/plannen/{plan_id}/beschikkingen."""

    aanvraag_id: uuid.UUID | None = None
    voorzieningen: Annotated[list[BeschiktItem], Field(min_length=1, max_length=20)]
    ingangsdatum: date
    einddatum: date | None = None
    # The day it is sent to the inwoner (default: today): the bezwaartermijn runs from the day after.
    verzonden_op: date | None = None


RedenWijziging = Literal["opschaling", "afschaling", "verlenging", "verkorting", "correctie"]


class WijzigingInvoer(Invoer):
    """A change during the beschikking's term: a new version from `ingangsdatum`, with a reason."""

    voorzieningen: Annotated[list[BeschiktItem], Field(min_length=1, max_length=20)]
    ingangsdatum: date
    einddatum: date | None = None
    # The day it is sent to the inwoner (default: today): the bezwaartermijn runs from the day after.
    verzonden_op: date | None = None
    reden_wijziging: RedenWijziging


# --- working the case ----------------------------------------------------------------------------------


class WarmeOverdracht(Invoer):
    """The body of POST /v1/plannen/{plan_id}/doorverwijzingen: hand part of the plan to a provider."""

    voorziening: str
    aanbieder_id: Code
    urgentie: Literal["crisis", "spoed", "regulier"] = "regulier"
    # A key of the gemeente's termijnen: by when the provider starts.
    termijn: str = "opvolging-10-werkdagen"


class Evaluatie(Invoer):
    datum: date
    uitkomst: Literal["doelen_bereikt", "deels_bereikt", "niet_bereikt", "bijstellen"]
    volgende_evaluatie_op: date


class Waakvlam(Invoer):
    """After closing: the household stays in view, with a check every `interval_weken` from `controle_op`."""

    controle_op: date
    interval_weken: Annotated[int, Field(ge=1, le=52)] | None = None


class Afsluiting(Invoer):
    """The body of POST /v1/plannen/{plan_id}/afsluiten."""

    resultaat: PlanResultaat
    # The household stays in view after closing, with a check on this date (and every n weeks).
    waakvlam: Waakvlam | None = None


# --- the Wmo onderzoek -----------------------------------------------------------------------------------

Deelnemer = Literal["inwoner", "mantelzorger", "netwerk", "clientondersteuner", "vertegenwoordiger"]


class GesprekInvoer(Invoer):
    """The keukentafelgesprek: when, how and with whom; and when the inwoner was told of free
    onafhankelijke cliëntondersteuning (it must be before the gesprek, Wmo 2015 art. 2.3.2 lid 6)."""

    datum: date
    vorm: Literal["thuis", "kantoor", "telefoon", "video"]
    deelnemers: Annotated[list[Deelnemer], Field(min_length=1, max_length=5)]
    clientondersteuning_gewezen_op: date


class VerslagInvoer(Invoer):
    """The verslag of the onderzoek, sent to the inwoner: it ends the onderzoek (Wmo 2015 art. 2.3.2 lid 8)."""

    verstuurd_op: date


# --- bezwaar and klacht (rechtsbescherming.py) ------------------------------------------------------------


class BezwaarInvoer(Invoer):
    ontvangen_op: date
    # Sent by post: the date it was posted (Awb 6:9 lid 2: in time when posted in time and received within a week).
    ter_post_op: date | None = None
    adviescommissie: bool = False


class Verdaging(Invoer):
    reden: RedenVerdaging


class BezwaarBeslissing(Invoer):
    uitkomst: Literal["gegrond", "ongegrond", "niet_ontvankelijk", "ingetrokken"]
    besloten_op: date
    # Gegrond: the beschikking as it now reads (a new version of the contested one).
    beschikking: WijzigingInvoer | None = None


class KlachtInvoer(Invoer):
    ontvangen_op: date
    over: Literal["gemeente", "aanbieder"]
    aanbieder_id: Code | None = None
    onderwerpen: Annotated[
        list[Literal["bejegening", "bereikbaarheid", "communicatie", "besluitvorming", "uitvoering", "overig"]],
        Field(min_length=1, max_length=6),
    ]
    klachtadviescommissie: bool = False


class KlachtAfhandeling(Invoer):
    uitkomst: Literal["gegrond", "deels_gegrond", "ongegrond", "ingetrokken"]
    afgehandeld_op: date


# --- answers of the reads ---------------------------------------------------------------------------------


class Termijn(BaseModel):
    """An open deadline, in the werkvoorraad and on the household's page."""

    termijn_id: int
    soort: str
    huishouden_id: str
    plan_id: uuid.UUID | None
    bron_id: uuid.UUID
    team_id: str | None
    medewerker_id: str | None
    termijn_grondslag: str
    termijn_tot: datetime
    verstreken: bool
    bij_lopend_plan: bool


class Werkvoorraad(BaseModel):
    werkvoorraad: list[Termijn]


class PlanInBeeld(BaseModel):
    """The plan the household has in view, with the contents of its latest version."""

    plan_id: uuid.UUID
    versie: int
    status: str
    wijk: str | None
    evaluatie_op: date
    aangemaakt_op: datetime
    afgesloten_op: datetime | None
    resultaat: str | None
    doelen: list[dict[str, Any]]
    voorzieningen: list[dict[str, Any]]
    mantelzorg: dict[str, Any] | None
    gebruikelijke_zorg: dict[str, Any] | None


class WaakvlamStand(BaseModel):
    controle_op: date
    interval_weken: int | None


class EscalatieInvoer(Invoer):
    """The body of POST /v1/plannen/{plan_id}/escalaties: why the case is stuck (a code)."""

    reden: EscalatieReden


class RegieNemen(Invoer):
    """The body of POST .../escalaties/{id}/regie: doorzettingsmacht takes the regie (nothing to add)."""


class Teruggave(Invoer):
    """The body of POST .../escalaties/{id}/teruggave: back to the regisseur with an instruction and a date."""

    instructie: EscalatieInstructie
    opvolgen_voor: date


class Escalatie(BaseModel):
    escalatie_id: uuid.UUID
    plan_id: uuid.UUID
    huishouden_id: str | None = None
    reden: str
    door: str
    van_team_id: str | None
    naar_team_id: str
    ingediend_op: datetime
    beslissen_voor: date
    status: str
    termijn_grondslag: str | None = None
    instructie: str | None = None
    opvolgen_voor: date | None = None
    behandeld_op: datetime | None = None


class Reactie(Invoer):
    """The body of POST /v1/mijn/plannen/{plan_id}/reacties: the inwoner's say, in codes (no free text)."""

    soort: Literal["instemming", "inbreng", "contactverzoek"]
    # instemming: the version he read, and whether he agrees (if not, why)
    versie: int | None = Field(None, ge=1)
    akkoord: bool | None = None
    reden: Literal["doelen_kloppen_niet", "te_weinig_hulp", "andere_hulp_nodig", "niet_besproken", "anders"] | None = (
        None
    )
    # inbreng before an evaluation: per goal (levensgebied) how it goes
    doelen: dict[str, Literal["beter", "gelijk", "slechter"]] = {}
    # contactverzoek: how and when he would like to be contacted
    voorkeur: Literal["telefoon", "huisbezoek", "beeldbellen", "op_kantoor"] | None = None
    dagdeel: Literal["ochtend", "middag", "avond"] | None = None


class Huishouden(BaseModel):
    """GET /v1/huishoudens/{id}. The rows of aanvragen, beschikkingen, tijdlijn and versies are given as
    the tables hold them (their columns are the contract)."""

    huishouden_id: str
    plan: PlanInBeeld
    regisseur: Regisseur
    waakvlam: WaakvlamStand | None
    open_termijnen: list[Termijn]
    aanvragen: list[dict[str, Any]]
    beschikkingen: list[dict[str, Any]]
    tijdlijn: list[dict[str, Any]]
    versies: list[dict[str, Any]]
    gesprekken: list[dict[str, Any]] = []
    verslagen: list[dict[str, Any]] = []
    # Each with its deadline (beslissen_voor, afhandelen_voor) and grondslag, as rechtsbescherming.py has it.
    bezwaren: list[dict[str, Any]] = []
    klachten: list[dict[str, Any]] = []
    escalaties: list[Escalatie] = []
