"""The contract's events: a CloudEvents 1.0 envelope (NL GOV profile) and one model per event type.

Events carry pseudonymous keys and derived facts only: never a BSN, name, birth date, address,
contact detail or free text (CONTRACT.md, "Identity and privacy"). `extra="forbid"` on every data
model keeps a careless field from slipping onto the bus.
"""

from __future__ import annotations

import builtins
import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.ids import nieuw_id

Sleutel = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="HMAC-SHA256, hex")]
GmCode = Annotated[str, Field(pattern=r"^GM\d{4}$")]
Urgentie = Literal["crisis", "spoed", "regulier"]
BronSoort = Literal["melding", "signaalcasus", "plan"]
PlanResultaat = Literal["doelen_bereikt", "geen_hulp_nodig", "niet_bereikt", "elders_geholpen", "verhuisd"]


class Data(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Veiligheid(Data):
    huiselijk_geweld: bool = False
    kindermishandeling: bool = False
    acuut_gevaar: bool = False

    @property
    def onveilig(self) -> bool:
        return self.huiselijk_geweld or self.kindermishandeling or self.acuut_gevaar


class Regisseur(Data):
    soort: Literal["professional", "inwoner", "netwerk"]
    team_id: str | None = None
    medewerker_id: str | None = None


class MeldingGeregistreerd(Data):
    melding_id: uuid.UUID
    gemeente: GmCode
    ontvangen_op: AwareDatetime
    kanaal: str
    soort: Literal["hulpvraag", "zorgmelding", "aanvraag_maatwerk"]
    melder_type: str
    huishouden_id: Sleutel
    persoon_sleutels: list[Sleutel]
    # True when a person was keyed without a BSN (name, birth date, address): a weaker match.
    persoon_sleutels_zwak: bool = False
    leeftijdscategorie: Literal["0-3", "4-17", "18-22", "23-64", "65+"] | None
    wijk: str | None
    levensgebieden: list[str]
    zrm: dict[str, int]
    veiligheid: Veiligheid
    crisis: bool
    spoed: bool
    gevraagde_voorzieningen: list[str]
    inwoner_op_de_hoogte: bool


class SignaalOntvangen(Data):
    signaal_id: uuid.UUID
    gemeente: GmCode
    partner_id: str
    partner_type: str
    soort: str
    huishouden_id: Sleutel
    persoon_sleutel: Sleutel | None
    bedrag_achterstand_cent: int | None
    achterstand_sinds: date | None
    crisis: bool
    ontvangen_op: AwareDatetime
    beoordeling: Literal["nieuw", "herhaalde_melding", "onder_drempel"]
    casus_id: uuid.UUID | None = None


class SignaalInCasus(Data):
    signaal_id: uuid.UUID
    partner_type: str
    soort: str


class SignaalDoorgezet(Data):
    casus_id: uuid.UUID
    gemeente: GmCode
    huishouden_id: Sleutel
    wijk: str | None
    signalen: list[SignaalInCasus] = Field(min_length=1)
    reden: str
    crisis: bool
    ontvangen_op: AwareDatetime


class DoorverwijzingGedaan(Data):
    doorverwijzing_id: uuid.UUID
    gemeente: GmCode
    bron_id: uuid.UUID
    bron_soort: BronSoort
    huishouden_id: Sleutel
    wijk: str | None = None
    route: str
    team_id: str
    urgentie: Urgentie
    termijn_tot: AwareDatetime
    termijn_grondslag: str
    regel_id: str
    toelichting: str
    bestaande_regisseur: Regisseur | None = None
    # When the melding or casus arrived (an addition): the Wmo onderzoek's 6 weeks count from there.
    # Arrangement falls back to the event's time when a publisher leaves it out.
    ontvangen_op: AwareDatetime | None = None


class RegisseurToegewezen(Data):
    plan_id: uuid.UUID
    huishouden_id: Sleutel
    regisseur: Regisseur
    reden: str | None = None


class Doel(Data):
    levensgebied: str
    # Additions: the ZRM score now and the one aimed for (1-5), when the regisseur scored them.
    zrm_nu: int | None = Field(None, ge=1, le=5)
    zrm_doel: int | None = Field(None, ge=1, le=5)


class Omvang(Data):
    volume: float
    eenheid: Literal["minuut", "uur", "dagdeel", "etmaal", "stuks", "euro"]
    frequentie: Literal["dag", "week", "maand", "totaal"]


class PlanVoorziening(Data):
    code: str
    soort: Literal["informeel", "algemeen", "collectief", "maatwerk"]
    wet: str | None = None
    omvang: Omvang | None = None
    # An addition: gepland, actief (maatwerk only with a beschikking) or beeindigd.
    status: Literal["gepland", "actief", "beeindigd"] | None = None


class PlanOpgesteld(Data):
    plan_id: uuid.UUID
    huishouden_id: Sleutel
    versie: int = Field(ge=1)
    regisseur: Regisseur
    doelen: list[Doel]
    voorzieningen: list[PlanVoorziening]
    evaluatie_op: date


class BeschikkingVoorziening(Data):
    code: str
    wet: str
    omvang: Omvang
    # An addition: the iWmo productcode, where the gemeente uses them.
    productcode: str | None = None
    # Additions: zorg in natura or a persoonsgebonden budget; whether the eigen bijdrage (CAK) applies.
    leveringsvorm: Literal["zin", "pgb"] = "zin"
    eigen_bijdrage: bool = False


class BeschikkingAfgegeven(Data):
    beschikking_id: uuid.UUID
    plan_id: uuid.UUID
    huishouden_id: Sleutel
    voorzieningen: list[BeschikkingVoorziening]
    ingangsdatum: date
    einddatum: date | None
    # Additions: a change during the term is a new version of the same beschikking, with its reason.
    versie: int = Field(1, ge=1)
    reden_wijziging: Literal["opschaling", "afschaling", "verlenging", "verkorting", "correctie"] | None = None
    aanvraag_id: uuid.UUID | None = None


class BezwaarGeregistreerd(Data):
    """Addition: a bezwaar against a beschikking, with when its decision is due (Awb 7:10)."""

    bezwaar_id: uuid.UUID
    plan_id: uuid.UUID
    huishouden_id: Sleutel
    beschikking_id: uuid.UUID
    ontvangen_op: date
    tijdig: bool
    adviescommissie: bool
    beslissen_voor: date
    termijn_grondslag: str


class BezwaarBeslist(Data):
    bezwaar_id: uuid.UUID
    plan_id: uuid.UUID
    huishouden_id: Sleutel
    uitkomst: Literal["gegrond", "ongegrond", "niet_ontvankelijk", "ingetrokken"]
    besloten_op: date
    op_tijd: bool
    verdaagd: bool
    # A gegrond bezwaar: the version of the beschikking it led to.
    nieuwe_beschikking_versie: int | None = None


class KlachtGeregistreerd(Data):
    """Addition: a klacht about how the gemeente or an aanbieder treated the inwoner (Awb 9:11)."""

    klacht_id: uuid.UUID
    plan_id: uuid.UUID
    huishouden_id: Sleutel
    ontvangen_op: date
    over: Literal["gemeente", "aanbieder"]
    onderwerpen: list[str]
    klachtadviescommissie: bool
    afhandelen_voor: date
    termijn_grondslag: str


class KlachtAfgehandeld(Data):
    klacht_id: uuid.UUID
    plan_id: uuid.UUID
    huishouden_id: Sleutel
    uitkomst: Literal["gegrond", "deels_gegrond", "ongegrond", "ingetrokken"]
    afgehandeld_op: date
    op_tijd: bool
    verdaagd: bool


class TermijnVerstreken(Data):
    huishouden_id: Sleutel
    bron_id: uuid.UUID
    termijn_grondslag: str
    termijn_tot: AwareDatetime
    # Additions: the plan and the team whose deadline it was.
    plan_id: uuid.UUID | None = None
    team_id: str | None = None


class DoorverwijzingAanvaard(Data):
    """Not in the contract's table (an addition): arrangement took a doorverwijzing into a plan.

    Tells intake and signalering that their melding or casus was picked up, whether it started a new
    plan or joined the household's existing one.
    """

    doorverwijzing_id: uuid.UUID
    bron_id: uuid.UUID
    bron_soort: BronSoort
    plan_id: uuid.UUID
    huishouden_id: Sleutel
    team_id: str | None
    nieuw_plan: bool
    aanvaard_op: AwareDatetime


class PlanAfgesloten(Data):
    """Not in the contract's table (an addition): the household's plan was closed, with its result."""

    plan_id: uuid.UUID
    huishouden_id: Sleutel
    afgesloten_op: AwareDatetime
    resultaat: PlanResultaat
    # An addition: the household stays in view (waakvlam) with a check on this date.
    waakvlam_op: date | None = None


class MeldingOpgepakt(Data):
    melding_id: uuid.UUID
    opgepakt_op: AwareDatetime
    team_id: str | None


class SignaalAfgehandeld(Data):
    signaal_id: uuid.UUID
    partner_id: str
    resultaat: str


# --- additions of issue 18: lichte contacten, 18-/18+ and doorzettingsmacht -----------------------------

LichtContactUitkomst = Literal["beantwoord", "verwezen_voorliggend_veld", "melding_gemaakt"]
Maand = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")]
EscalatieReden = Literal[
    "termijn_verstreken",
    "geen_voortgang",
    "partners_niet_eens",
    "inwoner_niet_bereikbaar",
    "aanbod_ontbreekt",
    "zorgen_over_veiligheid",
]
EscalatieInstructie = Literal[
    "plan_bijstellen",
    "partners_bijeenroepen",
    "opnieuw_contact_zoeken",
    "voorziening_inzetten",
    "opschalen_zorg_en_veiligheid",
    "afsluiten_met_waakvlam",
]


class LichtContactGeregistreerd(Data):
    """Addition: a question answered at the front desk, registered without personal data and without a
    dossier: the facts that are counted (channel, themes, outcome, wijk when given)."""

    contact_id: uuid.UUID
    gemeente: GmCode
    geregistreerd_op: AwareDatetime
    kanaal: str
    wijk: str | None
    themas: list[str]
    uitkomst: LichtContactUitkomst
    # With `verwezen_voorliggend_veld`: the aanbieder of the sociale kaart.
    aanbieder_id: str | None = None
    melding_id: uuid.UUID | None = None


class LichtContactOmgezet(Data):
    """Addition: more was needed; the contact became a melding (its melding-geregistreerd has the rest)."""

    contact_id: uuid.UUID
    melding_id: uuid.UUID
    omgezet_op: AwareDatetime


class JongereWordtAchttien(Data):
    """Addition: a member of a household turns 18 in `achttien_in` (a month, never the birth date);
    published once per person, `jeugd.overgang_maanden_vooraf` months before."""

    huishouden_id: Sleutel
    persoon_sleutel: Sleutel
    achttien_in: Maand


class EscalatieIngediend(Data):
    """Addition: a stuck case goes to whoever holds doorzettingsmacht (the Lokale Kamer or a team lead)."""

    escalatie_id: uuid.UUID
    plan_id: uuid.UUID
    huishouden_id: Sleutel
    reden: EscalatieReden
    # `regisseur`: asked for; `termijnbewaking`: a deadline stayed overdue.
    door: Literal["regisseur", "termijnbewaking"]
    van_team_id: str | None
    naar_team_id: str
    ingediend_op: AwareDatetime
    beslissen_voor: date
    # With `termijnbewaking`: the legal basis of the deadline that stayed overdue.
    termijn_grondslag: str | None = None


class AanvraagGeregistreerd(Data):
    """Addition: an aanvraag for maatwerk; the beschikking is due 2 weeks after `ontvangen_op`."""

    aanvraag_id: uuid.UUID
    plan_id: uuid.UUID
    huishouden_id: Sleutel
    voorzieningen: list[str]
    ontvangen_op: AwareDatetime


class CasusAfgesloten(Data):
    """Addition: a signaalcasus closed with its result (vroegsignalering from signal to help)."""

    casus_id: uuid.UUID
    gemeente: GmCode
    huishouden_id: Sleutel
    wijk: str | None
    resultaat: Literal["hulp_gestart", "geen_hulp_nodig", "niet_bereikt", "al_in_beeld"]
    afgesloten_op: AwareDatetime
    # Whether a contact attempt reached the household, and (where recorded) whether an eviction was prevented.
    contact_gelegd: bool
    uitzetting_voorkomen: bool | None = None


class EscalatieBehandeld(Data):
    escalatie_id: uuid.UUID
    plan_id: uuid.UUID
    huishouden_id: Sleutel
    uitkomst: Literal["regie_genomen", "teruggegeven"]
    instructie: EscalatieInstructie | None = None
    behandeld_op: AwareDatetime
    op_tijd: bool


class EventType(BaseModel):
    """One row of the contract's event table."""

    type: str
    subject_prefix: str
    data: builtins.type[Data]  # `type` is also this model's field
    publisher: str


# The contract's event table: data model, type (after "nl.sociaal-domein."), subject prefix, publisher.
_TABEL: list[tuple[type[Data], str, str, str]] = [
    (MeldingGeregistreerd, "meldingen.melding-geregistreerd", "toegang.meldingen.geregistreerd", "intake"),
    (SignaalOntvangen, "signalen.signaal-ontvangen", "toegang.signalen.ontvangen", "signalering"),
    (SignaalDoorgezet, "signalen.signaal-doorgezet", "toegang.signalen.doorgezet", "signalering"),
    (DoorverwijzingGedaan, "toegang.doorverwijzing-gedaan", "toegang.doorverwijzingen.gedaan", "triage"),
    (RegisseurToegewezen, "plannen.regisseur-toegewezen", "toegang.plannen.regisseur-toegewezen", "arrangement"),
    (PlanOpgesteld, "plannen.plan-opgesteld", "toegang.plannen.opgesteld", "arrangement"),
    (BeschikkingAfgegeven, "plannen.beschikking-afgegeven", "toegang.plannen.beschikking-afgegeven", "arrangement"),
    (TermijnVerstreken, "plannen.termijn-verstreken", "toegang.plannen.termijn-verstreken", "arrangement"),
    (
        DoorverwijzingAanvaard,
        "plannen.doorverwijzing-aanvaard",
        "toegang.plannen.doorverwijzing-aanvaard",
        "arrangement",
    ),
    (PlanAfgesloten, "plannen.plan-afgesloten", "toegang.plannen.afgesloten", "arrangement"),
    (BezwaarGeregistreerd, "plannen.bezwaar-geregistreerd", "toegang.plannen.bezwaar-geregistreerd", "arrangement"),
    (BezwaarBeslist, "plannen.bezwaar-beslist", "toegang.plannen.bezwaar-beslist", "arrangement"),
    (KlachtGeregistreerd, "plannen.klacht-geregistreerd", "toegang.plannen.klacht-geregistreerd", "arrangement"),
    (KlachtAfgehandeld, "plannen.klacht-afgehandeld", "toegang.plannen.klacht-afgehandeld", "arrangement"),
    (MeldingOpgepakt, "meldingen.melding-opgepakt", "toegang.meldingen.opgepakt", "intake"),
    (SignaalAfgehandeld, "signalen.signaal-afgehandeld", "toegang.signalen.afgehandeld", "signalering"),
    (LichtContactGeregistreerd, "meldingen.licht-contact-geregistreerd", "toegang.meldingen.licht-contact", "intake"),
    (LichtContactOmgezet, "meldingen.licht-contact-omgezet", "toegang.meldingen.licht-contact-omgezet", "intake"),
    (JongereWordtAchttien, "meldingen.jongere-wordt-achttien", "toegang.meldingen.wordt-achttien", "intake"),
    (AanvraagGeregistreerd, "plannen.aanvraag-geregistreerd", "toegang.plannen.aanvraag-geregistreerd", "arrangement"),
    (CasusAfgesloten, "signalen.casus-afgesloten", "toegang.signalen.casus-afgesloten", "signalering"),
    (EscalatieIngediend, "plannen.escalatie-ingediend", "toegang.plannen.escalatie-ingediend", "arrangement"),
    (EscalatieBehandeld, "plannen.escalatie-behandeld", "toegang.plannen.escalatie-behandeld", "arrangement"),
]

EVENT_TYPES: dict[type[Data], EventType] = {
    model: EventType(type=f"nl.sociaal-domein.{t}", subject_prefix=s, data=model, publisher=p)
    for model, t, s, p in _TABEL
}
DATA_PER_TYPE: dict[str, type[Data]] = {e.type: model for model, e in EVENT_TYPES.items()}

D = TypeVar("D", bound=Data)


class Event(BaseModel, Generic[D]):
    """CloudEvents 1.0 structured JSON with the NL GOV extension attributes."""

    model_config = ConfigDict(extra="forbid")

    specversion: Literal["1.0"] = "1.0"
    id: uuid.UUID = Field(default_factory=nieuw_id)
    source: str
    type: str
    time: AwareDatetime = Field(default_factory=lambda: datetime.now(UTC))
    subject: str
    datacontenttype: Literal["application/json"] = "application/json"
    dataref: str | None = None
    gemeente: GmCode
    correlatieid: str
    data: D

    @property
    def nats_subject(self) -> str:
        return f"{EVENT_TYPES[type(self.data)].subject_prefix}.{self.gemeente}"


# Parametrised once: Event[Model] looks the class up in pydantic's generic cache, which costs more than
# building the event itself.
EVENT_KLASSE: dict[type[Data], type[Event]] = {model: Event[model] for model in EVENT_TYPES}  # type: ignore[valid-type]


def maak_event(
    data: D, *, service: str, gemeente: str, subject: str, correlatieid: str, dataref: str | None = None
) -> Event[D]:
    """The CloudEvent around `data`, validated like any other model (pydantic's `model_construct`, which
    skips validation, measured slower: it runs in Python, validation in Rust)."""
    return EVENT_KLASSE[type(data)](
        id=nieuw_id(),
        source=f"urn:nld:gemeente:{gemeente}:systeem:{service}",
        type=EVENT_TYPES[type(data)].type,
        time=datetime.now(UTC),
        subject=subject,
        gemeente=gemeente,
        correlatieid=correlatieid,
        dataref=dataref,
        data=data,
    )


class OnbekendEventType(ValueError):
    pass


def lees_event(payload: bytes | str) -> Event[Data]:
    """Parse a structured CloudEvent and validate its data against the model of its type."""
    ruw = Event[dict].model_validate_json(payload)  # type: ignore[type-var]
    model = DATA_PER_TYPE.get(ruw.type)
    if model is None:
        raise OnbekendEventType("onbekend event type")  # not the value: it is input, and may be anything
    return EVENT_KLASSE[model].model_validate_json(payload)
