"""Signalering's pure domain: how a partner signal is checked and assessed, how it joins a casus, and
the casus's life cycle.

No I/O here: schemas.py parses, usecases.py loads and stores, this module decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

from shared.gemeenten import Drempel, Gemeente, geldige_postcode
from shared.invoer import Fouten
from shared.levenscyclus import Levenscyclus, OngeldigeOvergang
from shared.privacy import elfproef

if TYPE_CHECKING:  # the body is only read here; schemas.py imports this module's enums
    from services.signalering.schemas import SignaalInvoer

# Signals that mean a household is about to lose its home, energy, water or insurance (Wgs art. 4a).
CRISIS_SOORTEN = frozenset({"einde_levering"})


def controleer(invoer: SignaalInvoer, gemeente: Gemeente, toegestane_soorten: list[str], vandaag: date) -> Fouten:
    fouten: Fouten = []
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


class CasusStatus(StrEnum):
    open = "open"  # signals joined, no outreach (yet): under the threshold, one partner
    doorgezet = "doorgezet"  # signaal-doorgezet published: triage routes it
    opgepakt = "opgepakt"  # arrangement took the doorverwijzing in, a team has it
    afgesloten = "afgesloten"  # closed with a result, or gone stale without outreach


LEVENSCYCLUS: Levenscyclus[CasusStatus] = Levenscyclus(
    "signaalcasus",
    {
        # open → afgesloten: gone stale (older than the koppelvenster, never outreached), or closed by hand.
        # open → opgepakt: the aanvaarding handler takes a casus in from open as well as from doorgezet.
        CasusStatus.open: frozenset({CasusStatus.doorgezet, CasusStatus.opgepakt, CasusStatus.afgesloten}),
        CasusStatus.doorgezet: frozenset({CasusStatus.opgepakt, CasusStatus.afgesloten}),
        CasusStatus.opgepakt: frozenset({CasusStatus.afgesloten}),
        CasusStatus.afgesloten: frozenset(),
    },
)
# The states in which a casus takes new signals: one such casus per household (tables.CASUS_OPEN).
OPEN_STATUSSEN = tuple(s for s in CasusStatus if not LEVENSCYCLUS.is_eind(s))


def controleer_bewerkbaar(status: CasusStatus) -> None:
    """Work on a casus (a contactpoging) keeps it where it is, which a closed casus no longer may:
    OngeldigeOvergang from afgesloten to afgesloten, answered as a 409 naming both."""
    if LEVENSCYCLUS.is_eind(status):
        raise OngeldigeOvergang(LEVENSCYCLUS.wat, status, status)


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
    if casus.status == CasusStatus.open:
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


def status_na_escalatie(status: CasusStatus) -> CasusStatus:
    """An escalation sends an open casus out (doorgezet); one already out stays where it is (a crisis
    on it is escalated again without changing its state)."""
    return LEVENSCYCLUS.ga_naar(status, CasusStatus.doorgezet) if status == CasusStatus.open else status


Resultaat = Literal["hulp_gestart", "geen_hulp_nodig", "niet_bereikt", "al_in_beeld"]
# A casus with one of these results led to nothing: it is purged after the retention period.
ZONDER_RESULTAAT: tuple[str | None, ...] = (None, "geen_hulp_nodig", "niet_bereikt", "al_in_beeld")

Terugkoppeling = Literal["geen_actie", "ontvangen", "in_behandeling", "afgehandeld"]


def terugkoppeling(beoordeling: str, casus_status: CasusStatus | None) -> Terugkoppeling:
    """What a partner may know of its signal (Wgs: that it was followed up, never how the household fared)."""
    if casus_status is None or beoordeling == Beoordeling.herhaalde_melding:
        return "geen_actie"
    if casus_status == CasusStatus.open:
        return "ontvangen"
    if casus_status in (CasusStatus.doorgezet, CasusStatus.opgepakt):
        return "in_behandeling"
    return "afgehandeld"
