"""Words for what the APIs say in codes: the legal basis of a deadline, kinds of work, team names,
dates and deadline states, in Dutch at B1 level.

The team names and each termijn's source come from the gemeente files (`TOEGANG_CONFIG_DIR`), read
here for their words only: the werkplek decides nothing from them. A code without words is shown as
the code itself, so nothing silently disappears.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

log = logging.getLogger(__name__)
TZ = ZoneInfo("Europe/Amsterdam")

# What each termijn_grondslag means, in words; the gemeente file adds its source (article, policy line).
GRONDSLAGEN = {
    "crisis-direct": "Crisis: meteen oppakken, dag en nacht",
    "spoed-48-uur": "Spoed: binnen 48 uur een tijdelijke voorziening regelen",
    "outreach-2-werkdagen": "Binnen 2 werkdagen langsgaan na een zorgelijk signaal",
    "wmo-onderzoek-6-weken": "Wmo-onderzoek binnen 6 weken na de melding",
    "wmo-beschikking-2-weken": "Besluit (beschikking) binnen 2 weken na de aanvraag",
    "wgs-eerste-gesprek-4-weken": "Schuldhulp: eerste gesprek binnen 4 weken",
    "wgs-crisis-3-werkdagen": "Schuldhulp: eerste gesprek binnen 3 werkdagen (uitzetting of afsluiting dreigt)",
    "jeugdwet-8-weken": "Jeugdhulp: besluit binnen 8 weken",
    "opvolging-10-werkdagen": "Binnen 10 werkdagen terugbellen: gaat het goed?",
    "evaluatie": "Het plan evalueren op de afgesproken datum",
    "waakvlam": "Waakvlam: op de afgesproken datum nagaan hoe het gaat",
    "herindicatie": "Herindicatie: opnieuw onderzoeken voor de beschikking afloopt",
    "awb-bezwaar-6-weken": "Beslissen op bezwaar binnen 6 weken na de bezwaartermijn",
    "awb-bezwaar-12-weken": "Beslissen op bezwaar binnen 12 weken na de bezwaartermijn (met adviescommissie)",
    "awb-bezwaar-verdaagd": "Beslissen op bezwaar, verdaagd met 6 weken",
    "awb-klacht-6-weken": "Klacht afhandelen binnen 6 weken na ontvangst",
    "awb-klacht-10-weken": "Klacht afhandelen binnen 10 weken na ontvangst (met klachtadviescommissie)",
    "awb-klacht-verdaagd": "Klacht afhandelen, verdaagd met 4 weken",
    "overgang-18-plus": "Voor de 18e verjaardag de overgang naar 18+ regelen (Wmo of andere hulp)",
    "doorzettingsmacht": "Beslissen over een vastgelopen zaak: regie nemen of teruggeven met een opdracht",
    "doorzettingsmacht-instructie": "De opdracht van de Lokale Kamer of teamleiding uitvoeren",
}
WETTELIJKE_BRONNEN = {
    "wmo-onderzoek-6-weken": "Wmo 2015 art. 2.3.2 lid 1",
    "wmo-beschikking-2-weken": "Wmo 2015 art. 2.3.5 lid 1",
    "spoed-48-uur": "Wmo 2015 art. 2.3.3",
    "wgs-eerste-gesprek-4-weken": "Wgs art. 4a",
    "wgs-crisis-3-werkdagen": "Wgs art. 4a",
    "jeugdwet-8-weken": "Awb art. 4:13",
    "awb-bezwaar-6-weken": "Awb art. 7:10 lid 1",
    "awb-bezwaar-12-weken": "Awb art. 7:10 lid 1",
    "awb-bezwaar-verdaagd": "Awb art. 7:10 lid 3",
    "awb-klacht-6-weken": "Awb art. 9:11 lid 1",
    "awb-klacht-10-weken": "Awb art. 9:11 lid 1",
    "awb-klacht-verdaagd": "Awb art. 9:11 lid 2",
}
TERMIJN_SOORTEN = {
    "doorverwijzing": "Nieuwe doorverwijzing oppakken",
    "wmo-onderzoek": "Wmo-onderzoek",
    "beschikking": "Beschikking afgeven",
    "evaluatie": "Plan evalueren",
    "waakvlam": "Waakvlam-controle",
    "herindicatie": "Herindicatie",
    "bezwaar": "Beslissen op bezwaar",
    "klacht": "Klacht afhandelen",
    "overgang-18": "Overgang naar 18+: warme overdracht regelen",
    "escalatie": "Vastgelopen zaak: regie nemen of teruggeven",
    "instructie": "Opdracht van de Lokale Kamer of teamleiding uitvoeren",
}
TIJDLIJN_SOORTEN = {
    "doorverwijzing": "Doorverwijzing",
    "regisseur-toegewezen": "Regisseur toegewezen",
    "regisseur": "Regie overgedragen",
    "plan-opgesteld": "Nieuwe versie van het plan",
    "aanvraag": "Aanvraag",
    "beschikking-afgegeven": "Beschikking afgegeven",
    "gesprek": "Keukentafelgesprek",
    "verslag": "Verslag van het onderzoek verstuurd",
    "bezwaar": "Bezwaar ontvangen",
    "bezwaar-verdaagd": "Beslissing op bezwaar verdaagd",
    "bezwaar-beslist": "Beslist op bezwaar",
    "klacht": "Klacht ontvangen",
    "klacht-verdaagd": "Afhandeling van de klacht verdaagd",
    "klacht-afgehandeld": "Klacht afgehandeld",
    "beschikking-gewijzigd": "Beschikking gewijzigd",
    "contactpoging": "Contactpoging",
    "warme-overdracht": "Warme overdracht",
    "evaluatie": "Evaluatie",
    "plan-afgesloten": "Plan afgesloten",
    "overgang-18": "Een jongere wordt binnenkort 18",
    "escalatie": "Zaak geëscaleerd (doorzettingsmacht)",
    "escalatie-regie-genomen": "Lokale Kamer of teamleiding nam de regie",
    "escalatie-teruggegeven": "Zaak teruggegeven met een opdracht",
}
ESCALATIE_REDENEN = {
    "termijn_verstreken": "Een termijn bleef verstreken",
    "geen_voortgang": "Er is geen voortgang",
    "partners_niet_eens": "Partners worden het niet eens",
    "inwoner_niet_bereikbaar": "Het huishouden is niet te bereiken",
    "aanbod_ontbreekt": "Passende hulp ontbreekt",
    "zorgen_over_veiligheid": "Zorgen over veiligheid",
}
ESCALATIE_INSTRUCTIES = {
    "plan_bijstellen": "Stel het plan bij",
    "partners_bijeenroepen": "Roep de partners bij elkaar",
    "opnieuw_contact_zoeken": "Zoek opnieuw contact met het huishouden",
    "voorziening_inzetten": "Zet de voorziening in",
    "opschalen_zorg_en_veiligheid": "Schaal op naar Zorg- en Veiligheidshuis",
    "afsluiten_met_waakvlam": "Sluit af met een waakvlam",
}
ESCALATIE_STATUS = {
    "open": "Wacht op een besluit",
    "regie_genomen": "Regie genomen door de Lokale Kamer of teamleiding",
    "teruggegeven": "Teruggegeven met een opdracht",
}
ROUTES = {
    "veilig_thuis": "Veilig Thuis",
    "crisisdienst": "Crisisdienst",
    "regisseur": "De bestaande regisseur",
    "meldpunt_bezorgd": "Meldpunt Bezorgd",
    "lokale_kamer": "Lokale Kamer",
    "wijkteam": "Wijkteam",
    "schuldhulp": "Schuldhulp",
    "wmo_consulent": "Wmo-consulent",
    "jeugd": "Jeugd",
    "teamleiding": "Teamleiding",
    "sociale_basis": "Sociale basis",
    "aanbieder": "Aanbieder",
}
URGENTIES = {"crisis": "Crisis", "spoed": "Spoed", "regulier": "Gewoon"}
REGISSEUR_SOORTEN = {"professional": "Een professional", "inwoner": "De inwoner zelf", "netwerk": "Het netwerk"}
MAANDEN = "januari februari maart april mei juni juli augustus september oktober november december".split()


class Staat(StrEnum):
    """A deadline's state as the werkvoorraad shows and filters it."""

    verlopen = "verlopen"
    vandaag = "vandaag"
    binnenkort = "binnenkort"  # within the next 3 days
    later = "later"


STAAT_TEKST = {
    Staat.verlopen: "Te laat",
    Staat.vandaag: "Vandaag",
    Staat.binnenkort: "Binnenkort",
    Staat.later: "Op tijd",
}


def staat(termijn_tot: datetime, verstreken: bool, nu: datetime) -> Staat:
    if verstreken or termijn_tot <= nu:
        return Staat.verlopen
    dag, vandaag = termijn_tot.astimezone(TZ).date(), nu.astimezone(TZ).date()
    if dag == vandaag:
        return Staat.vandaag
    return Staat.binnenkort if dag <= vandaag + timedelta(days=3) else Staat.later


def tijdstip(waarde: Any) -> datetime | None:
    if isinstance(waarde, datetime):
        return waarde
    if isinstance(waarde, str) and waarde:
        try:
            return datetime.fromisoformat(waarde)
        except ValueError:
            return None
    return None


def datum_tekst(waarde: Any) -> str:
    """'3 december 2025' for a date, '3 december 2025, 14:05' for a moment (Amsterdam time)."""
    if isinstance(waarde, str) and len(waarde) == 10:
        try:
            waarde = date.fromisoformat(waarde)
        except ValueError:
            return waarde
    if isinstance(waarde, date) and not isinstance(waarde, datetime):
        return f"{waarde.day} {MAANDEN[waarde.month - 1]} {waarde.year}"
    moment = tijdstip(waarde)
    if moment is None:
        return "" if waarde is None else str(waarde)
    lokaal = moment.astimezone(TZ)
    return f"{lokaal.day} {MAANDEN[lokaal.month - 1]} {lokaal.year}, {lokaal:%H:%M}"


@dataclass(frozen=True)
class Gemeentewoorden:
    naam: str | None
    teams: dict[str, str]
    bronnen: dict[str, str]
    wijken: dict[str, str] = field(default_factory=dict)


class Woorden:
    """Words per gemeente, from its file in the configuration directory (read once)."""

    def __init__(self, config_dir: Path):
        self._map = config_dir

    @cache  # noqa: B019 - one instance per app, a handful of gemeenten
    def gemeente(self, code: str | None) -> Gemeentewoorden:
        leeg = Gemeentewoorden(None, {}, {}, {})
        if not code or not code.isalnum():
            return leeg
        pad = self._map / f"{code}.yaml"
        try:
            data = yaml.safe_load(pad.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as fout:
            log.warning("gemeentebestand niet te lezen", extra={"gemeente": code, "fout": type(fout).__name__})
            return leeg
        teams = {str(t["id"]): str(t.get("naam", t["id"])) for t in data.get("teams") or [] if "id" in t}
        bronnen = {str(k): str(v.get("bron", "")) for k, v in (data.get("termijnen") or {}).items() if v}
        wijken = {str(w["id"]): str(w.get("naam", w["id"])) for w in data.get("wijken") or [] if "id" in w}
        return Gemeentewoorden(data.get("naam"), teams, bronnen, wijken)

    def gemeenten(self) -> list[str]:
        try:
            return sorted(p.stem for p in self._map.glob("*.yaml"))
        except OSError:
            return []

    def team(self, gemeente: str | None, team_id: str | None) -> str:
        if not team_id:
            return ""
        return self.gemeente(gemeente).teams.get(team_id, team_id)

    def grondslag(self, gemeente: str | None, code: str | None) -> str:
        """The legal basis in words, with its source: 'Wmo-onderzoek binnen 6 weken (Wmo 2015 art. 2.3.2 lid 1)'."""
        if not code:
            return "Geen grondslag bekend"
        tekst = GRONDSLAGEN.get(code, f"Termijn {code}")
        return f"{tekst} ({self._bron(gemeente, code)})"

    def _bron(self, gemeente: str | None, code: str) -> str:
        # A statutory source is named as its article; the gemeente file's references to its policy
        # documents (seed line numbers) mean nothing to a wijkcoach: those are the gemeente's own rule.
        bron = self.gemeente(gemeente).bronnen.get(code, "").split(";")[0].strip()
        if "art." in bron:
            return bron
        return WETTELIJKE_BRONNEN.get(code, "afspraak van de gemeente")
