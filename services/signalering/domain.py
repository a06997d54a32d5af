"""Signalering's pure domain: what a partner signal may contain, how it is assessed, how it joins a casus."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.gemeenten import Drempel, Gemeente, SignaalSoort, geldige_postcode
from shared.privacy import elfproef

Pad = tuple[str | int, ...]
# Signals that mean a household is about to lose its home, energy, water or insurance (Wgs art. 4a).
CRISIS_SOORTEN = frozenset({"einde_levering"})


class Invoer(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Adres(Invoer):
    postcode: str
    huisnummer: Annotated[int, Field(ge=1, le=99999)]
    toevoeging: Annotated[str, Field(max_length=6)] | None = None


class Betreft(Invoer):
    bsn: str | None = None
    naam: Annotated[str, Field(max_length=200)] | None = None
    geboortedatum: date | None = None
    adres: Adres


class SignaalInvoer(Invoer):
    """The body of POST /v1/signalen (CONTRACT.md). The partner comes from the credentials, not from here."""

    partner_signaal_id: Annotated[str, Field(min_length=1, max_length=100)]
    soort: SignaalSoort
    betreft: Betreft
    bedrag_achterstand_cent: Annotated[int, Field(ge=0, le=100_000_000)] | None = None
    achterstand_sinds: date | None = None
    crisis: bool = False


def controleer(
    invoer: SignaalInvoer, gemeente: Gemeente, toegestane_soorten: list[str], vandaag: date
) -> list[tuple[Pad, str]]:
    fouten: list[tuple[Pad, str]] = []
    if invoer.soort not in toegestane_soorten:
        fouten.append((("soort",), "deze partner mag dit soort signaal niet sturen"))
    b = invoer.betreft
    if b.bsn is not None and not elfproef(b.bsn):
        fouten.append((("betreft", "bsn"), "geen geldig BSN (elfproef)"))
    if b.bsn is None and not (b.naam and b.geboortedatum):
        fouten.append((("betreft",), "een BSN, of naam en geboortedatum, is nodig"))
    if not geldige_postcode(b.adres.postcode):
        fouten.append((("betreft", "adres", "postcode"), "postcode moet 4 cijfers en 2 letters zijn (1234 AB)"))
    elif gemeente.wijk_van(b.adres.postcode) is None:
        fouten.append((("betreft", "adres", "postcode"), f"postcode ligt niet in gemeente {gemeente.code}"))
    if invoer.achterstand_sinds is not None and invoer.achterstand_sinds > vandaag:
        fouten.append((("achterstand_sinds",), "datum ligt in de toekomst"))
    return fouten


class Beoordeling(StrEnum):
    nieuw = "nieuw"
    herhaalde_melding = "herhaalde_melding"
    onder_drempel = "onder_drempel"


@dataclass(frozen=True)
class EerderSignaal:
    partner_id: str
    bedrag_achterstand_cent: int | None


def is_crisis(invoer: SignaalInvoer) -> bool:
    return invoer.crisis or invoer.soort in CRISIS_SOORTEN


def beoordeel(
    invoer: SignaalInvoer, partner_id: str, eerdere: list[EerderSignaal], drempel: Drempel | None, vandaag: date
) -> Beoordeling:
    """Crisis always counts; then a repeat of the same partner without a higher amount; then the threshold."""
    if is_crisis(invoer):
        return Beoordeling.nieuw
    bedrag = invoer.bedrag_achterstand_cent or 0
    if any(e.partner_id == partner_id and bedrag <= (e.bedrag_achterstand_cent or 0) for e in eerdere):
        return Beoordeling.herhaalde_melding
    if drempel is not None:
        te_jong = invoer.achterstand_sinds is not None and (vandaag - invoer.achterstand_sinds).days < drempel.dagen
        if bedrag < drempel.bedrag_cent or te_jong:
            return Beoordeling.onder_drempel
    return Beoordeling.nieuw


CasusStatus = Literal["open", "doorgezet", "opgepakt", "afgesloten"]
OPEN_STATUSSEN = ("open", "doorgezet", "opgepakt")


@dataclass(frozen=True)
class OpenCasus:
    casus_id: object
    status: CasusStatus
    crisis: bool
    partners: frozenset[str]


@dataclass(frozen=True)
class Koppeling:
    """What a signal does to its household's casus."""

    nieuwe_casus: bool  # open a casus for this household
    escaleer: bool  # publish signaal-doorgezet: once per escalation, never per signal
    reden: str | None  # nieuw_signaal, crisis, meerdere_partners


def koppel(beoordeling: Beoordeling, crisis: bool, partner_id: str, casus: OpenCasus | None) -> Koppeling:
    """VIR-style matching: one casus per household. A signal under the threshold opens a casus without
    outreach; a second partner about the same household, a new signal above the threshold, or a crisis
    escalates it; a repeat only joins."""
    if casus is None:
        if beoordeling == Beoordeling.nieuw:
            return Koppeling(True, True, "crisis" if crisis else "nieuw_signaal")
        return Koppeling(beoordeling == Beoordeling.onder_drempel, False, None)
    ander_partner = partner_id not in casus.partners
    if casus.status == "open":
        if beoordeling == Beoordeling.nieuw:
            return Koppeling(
                False, True, "crisis" if crisis else ("meerdere_partners" if ander_partner else "nieuw_signaal")
            )
        if ander_partner:
            return Koppeling(False, True, "meerdere_partners")
        return Koppeling(False, False, None)
    if crisis and not casus.crisis:  # already outreached, but now it is urgent: escalate again, as crisis
        return Koppeling(False, True, "crisis")
    return Koppeling(False, False, "meerdere_partners" if ander_partner else None)


Resultaat = Literal["hulp_gestart", "geen_hulp_nodig", "niet_bereikt", "al_in_beeld"]
# A casus with one of these results led to nothing: it is purged after the retention period.
ZONDER_RESULTAAT: tuple[str | None, ...] = (None, "geen_hulp_nodig", "niet_bereikt", "al_in_beeld")


def terugkoppeling(beoordeling: str, casus_status: str | None) -> str:
    """What a partner may know of its signal (Wgs: that it was followed up, never how the household fared)."""
    if casus_status is None or beoordeling == "herhaalde_melding":
        return "geen_actie"
    if casus_status == "open":
        return "ontvangen"
    if casus_status in ("doorgezet", "opgepakt"):
        return "in_behandeling"
    return "afgehandeld"
