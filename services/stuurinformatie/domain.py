"""Stuurinformatie's pure domain: the period asked for, the indicators' definitions, and the suppression
that keeps every household unrecognisable (decision 0022).

Suppression, in two steps:
- primary: a count below 5 (`ONDERGRENS`) of people or households is not shown: `null` with
  `"onderdrukt": true`;
- secondary: where the cells of a breakdown add up to its total, one suppressed cell alone could be
  recovered as the total minus the cells shown; the smallest shown cell is then suppressed as well. A
  total below 5 suppresses every cell. A share (percentage) is shown only when both its part and the rest
  are 5 or more; a median only over 5 or more.
No I/O here: usecases.py counts in PostgreSQL and hands the counts to these functions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from shared.invoer import Fouten

ONDERGRENS = 5
MAX_DAGEN = 5 * 366


# --- the period ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Periode:
    van: date
    tot: date  # inclusive

    @property
    def dagen(self) -> int:
        return (self.tot - self.van).days + 1


_MAAND = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_KWARTAAL = re.compile(r"^(\d{4})-Q([1-4])$")
_JAAR = re.compile(r"^(\d{4})$")


def periode(van: date | None, tot: date | None, naam: str | None) -> tuple[Periode | None, Fouten]:
    """Any range of dates (`van`, `tot`, both inclusive), or `periode` as a month (2026-11), a quarter
    (2026-Q4) or a year (2026)."""
    if naam is not None:
        if van is not None or tot is not None:
            return None, [(("query", "periode"), "geef een periode, of van en tot, niet allebei")]
        if m := _MAAND.match(naam):
            jaar, maand = int(m[1]), int(m[2])
            return Periode(date(jaar, maand, 1), _eind_van_maand(jaar, maand)), []
        if m := _KWARTAAL.match(naam):
            jaar, kwartaal = int(m[1]), int(m[2])
            return Periode(date(jaar, 3 * kwartaal - 2, 1), _eind_van_maand(jaar, 3 * kwartaal)), []
        if m := _JAAR.match(naam):
            return Periode(date(int(m[1]), 1, 1), date(int(m[1]), 12, 31)), []
        return None, [(("query", "periode"), "een maand (2026-11), een kwartaal (2026-Q4) of een jaar (2026)")]
    fouten: Fouten = []
    if van is None:
        fouten.append((("query", "van"), "geef van en tot, of een periode"))
    if tot is None:
        fouten.append((("query", "tot"), "geef van en tot, of een periode"))
    if van is not None and tot is not None:
        if tot < van:
            fouten.append((("query", "tot"), "tot ligt voor van"))
        elif (tot - van).days >= MAX_DAGEN:
            fouten.append((("query", "tot"), "hooguit 5 jaar"))
    if fouten or van is None or tot is None:
        return None, fouten
    return Periode(van, tot), []


def _eind_van_maand(jaar: int, maand: int) -> date:
    volgende = date(jaar + maand // 12, maand % 12 + 1, 1)
    return volgende - timedelta(days=1)


# --- suppression --------------------------------------------------------------------------------------------


def cel(aantal: int, onderdrukt: bool = False) -> dict[str, Any]:
    onderdrukt = onderdrukt or aantal < ONDERGRENS
    return {"aantal": None if onderdrukt else aantal, "onderdrukt": onderdrukt}


def verdeling(tellingen: Mapping[str, int], totaal: int | None = None, telt_op: bool = True) -> dict[str, Any]:
    """A breakdown: its cells (largest first) and its total, suppressed primary and secondary. `telt_op`:
    the cells add up to the total (one item in one cell); a breakdown where an item may be in several
    cells (the themes of a contact) does not, and gives nothing away by subtraction."""
    totaal = sum(tellingen.values()) if totaal is None else totaal
    verborgen = {k for k, n in tellingen.items() if n < ONDERGRENS}
    if totaal < ONDERGRENS:
        verborgen = set(tellingen)
    elif telt_op and len(verborgen) == 1:
        zichtbaar = sorted((n, k) for k, n in tellingen.items() if k not in verborgen)
        verborgen.add(zichtbaar[0][1])  # another cell exists: the total (5 or more) is more than one cell below 5
    cellen = [
        {"sleutel": k, **cel(n, k in verborgen)} for k, n in sorted(tellingen.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return {"totaal": cel(totaal), "cellen": cellen}


def trechter(stappen: Mapping[str, int]) -> dict[str, Any]:
    """Stages one within the other (signals, casussen, contact, help): in their own order, each suppressed on
    its own count; no total (the stages are no parts of a whole, and one cannot be worked out from others)."""
    return {"totaal": None, "cellen": [{"sleutel": k, **cel(n)} for k, n in stappen.items()]}


def aandeel(deel: int, geheel: int) -> dict[str, Any]:
    """A share in percent, shown only when the part and the rest are both 5 or more (either one could
    otherwise be worked out from the other and the whole)."""
    if deel < ONDERGRENS or geheel - deel < ONDERGRENS:
        return {"procent": None, "onderdrukt": True}
    return {"procent": round(100 * deel / geheel, 1), "onderdrukt": False}


def spreiding(waarden: Sequence[float]) -> dict[str, Any]:
    """Median and 90th percentile (nearest rank) of a doorlooptijd, over 5 or more."""
    if len(waarden) < ONDERGRENS:
        return {"aantal": None, "mediaan": None, "p90": None, "onderdrukt": True}
    geordend = sorted(waarden)
    return {
        "aantal": len(geordend),
        "mediaan": round(_percentiel(geordend, 50), 1),
        "p90": round(_percentiel(geordend, 90), 1),
        "onderdrukt": False,
    }


def _percentiel(geordend: Sequence[float], p: int) -> float:
    if p == 50 and len(geordend) % 2 == 0:  # the median of an even count: the mean of the middle two
        midden = len(geordend) // 2
        return (geordend[midden - 1] + geordend[midden]) / 2
    return geordend[max(0, math.ceil(p / 100 * len(geordend)) - 1)]


def termijnen(per_grondslag: Mapping[str, tuple[int, int]]) -> list[dict[str, Any]]:
    """Per grondslag: deadlines that fell due, how many were met and missed, and the share met."""
    rijen = []
    for grondslag, (gesteld, gemist) in sorted(per_grondslag.items()):
        gehaald = gesteld - gemist
        rijen.append(
            {
                "sleutel": grondslag,
                "gesteld": cel(gesteld),
                "gehaald": cel(gehaald),
                "gemist": cel(gemist),
                "gehaald_procent": aandeel(gehaald, gesteld),
            }
        )
    return rijen


def zrm_verandering(per_domein: Mapping[str, Sequence[int]]) -> list[dict[str, Any]]:
    """Per ZRM domain: the households scored in a first and a later plan version, and the mean change."""
    rijen = []
    for domein, veranderingen in sorted(per_domein.items()):
        n = len(veranderingen)
        gemiddeld = round(sum(veranderingen) / n, 2) if n >= ONDERGRENS else None
        rijen.append({"sleutel": domein, "huishoudens": cel(n), "gemiddelde_verandering": gemiddeld})
    return rijen


# --- what each indicator counts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Definitie:
    titel: str
    definitie: str
    events: tuple[str, ...]  # the event types (after nl.sociaal-domein.) it counts
    eenheid: str
    vorm: str  # verdeling, reeks, doorlooptijd, termijnen, trechter, zrm


M, D, A = "meldingen.melding-geregistreerd", "toegang.doorverwijzing-gedaan", "plannen.doorverwijzing-aanvaard"
DEFINITIES: dict[str, Definitie] = {
    "meldingen_per_kanaal": Definitie(
        "Meldingen per kanaal", "Meldingen ontvangen in de periode, naar het kanaal waarlangs ze binnenkwamen.",
        (M,), "meldingen", "verdeling"),
    "meldingen_per_soort": Definitie(
        "Meldingen per soort", "Meldingen ontvangen in de periode: hulpvraag, zorgmelding of aanvraag maatwerk.",
        (M,), "meldingen", "verdeling"),
    "meldingen_per_melder": Definitie(
        "Meldingen per melder", "Meldingen ontvangen in de periode, naar wie meldde.", (M,), "meldingen", "verdeling"),
    "meldingen_per_route": Definitie(
        "Meldingen per route", "Meldingen ontvangen in de periode, naar de route die de triage koos.",
        (D,), "meldingen", "verdeling"),
    "meldingen_per_week": Definitie(
        "Meldingen per week", "Meldingen ontvangen in de periode, per week (de maandag waarop de week begint).",
        (M,), "meldingen", "reeks"),
    "lichte_contacten_per_thema": Definitie(
        "Lichte contacten per thema",
        "Vragen die meteen werden beantwoord of doorverwezen, per thema; een contact over twee thema's telt bij "
        "allebei.", ("meldingen.licht-contact-geregistreerd",), "contacten", "verdeling"),
    "lichte_contacten_per_uitkomst": Definitie(
        "Lichte contacten per uitkomst",
        "Lichte contacten in de periode: beantwoord, doorverwezen naar het voorliggend veld, of toch een melding.",
        ("meldingen.licht-contact-geregistreerd", "meldingen.licht-contact-omgezet"), "contacten", "verdeling"),
    "wmo_gevraagd": Definitie(
        "Wmo-voorzieningen aangevraagd", "Aanvragen maatwerk in de periode, per gevraagde voorziening.",
        ("plannen.aanvraag-geregistreerd",), "aanvragen", "verdeling"),
    "wmo_toegekend": Definitie(
        "Wmo-voorzieningen toegekend", "Beschikkingen (eerste versie) afgegeven in de periode, per voorziening.",
        ("plannen.beschikking-afgegeven",), "voorzieningen", "verdeling"),
    "wmo_toegekend_per_leveringsvorm": Definitie(
        "Toegekend per leveringsvorm",
        "Toegekende voorzieningen: zorg in natura (zin) of persoonsgebonden budget (pgb).",
        ("plannen.beschikking-afgegeven",), "voorzieningen", "verdeling"),
    "termijnen": Definitie(
        "Termijnen gehaald per grondslag",
        "Termijnen van doorverwijzingen die in de periode afliepen: gemist als er voor die termijn een "
        "termijn-verstreken kwam. Bezwaren en klachten: beslist of afgehandeld in de periode, op tijd of niet.",
        (D, "plannen.termijn-verstreken", "plannen.bezwaar-beslist", "plannen.klacht-afgehandeld"),
        "termijnen", "termijnen"),
    "doorlooptijd_melding_plan": Definitie(
        "Doorlooptijd melding tot plan (uren)",
        "Van ontvangst van de melding tot het plan haar opnam, voor meldingen ontvangen in de periode.",
        (M, A), "uren", "doorlooptijd"),
    "doorlooptijd_aanvraag_beschikking": Definitie(
        "Doorlooptijd aanvraag tot beschikking (dagen)",
        "Van de aanvraag tot de eerste beschikking erop, voor aanvragen in de periode.",
        ("plannen.aanvraag-geregistreerd", "plannen.beschikking-afgegeven"), "dagen", "doorlooptijd"),
    "meldpunt_bezorgd": Definitie(
        "Meldpunt Bezorgd",
        "Meldingen die de triage naar Meldpunt Bezorgd stuurde, en de huishoudens die daarna in zorg kwamen "
        "(hun melding kreeg een plan).", (D, A), "meldingen", "trechter"),
    "vroegsignalering": Definitie(
        "Vroegsignalering: van signaal tot hulp",
        "Signalen van partners, de casussen die ze openden, casussen afgesloten met contact, met hulp gestart en "
        "(waar vastgelegd) met een voorkomen huisuitzetting.",
        ("signalen.signaal-ontvangen", "signalen.signaal-doorgezet", "signalen.casus-afgesloten"),
        "aantal", "trechter"),
    "signalen_per_partnertype": Definitie(
        "Signalen per soort partner", "Signalen ontvangen in de periode, per soort partner.",
        ("signalen.signaal-ontvangen",), "signalen", "verdeling"),
    "signalen_per_soort": Definitie(
        "Signalen per soort", "Signalen ontvangen in de periode, per soort achterstand of zorg.",
        ("signalen.signaal-ontvangen",), "signalen", "verdeling"),
    "signalen_per_beoordeling": Definitie(
        "Signalen per beoordeling", "Nieuw, herhaalde melding of onder de drempel.",
        ("signalen.signaal-ontvangen",), "signalen", "verdeling"),
    "huishoudens_in_waakvlam": Definitie(
        "Huishoudens in waakvlam", "Huishoudens waarvan het plan in de periode werd afgesloten met een waakvlam.",
        ("plannen.plan-afgesloten",), "huishoudens", "trechter"),
    "zrm_verandering": Definitie(
        "Verandering in zelfredzaamheid (ZRM)",
        "Per levensgebied: huishoudens met een ZRM-score in de eerste en in de laatste versie van hun plan (die "
        "laatste in de periode), en de gemiddelde verandering van die score.",
        ("plannen.plan-opgesteld",), "huishoudens", "zrm"),
    "bezwaren_per_uitkomst": Definitie(
        "Bezwaren per uitkomst", "Bezwaren beslist in de periode, per uitkomst.",
        ("plannen.bezwaar-beslist",), "bezwaren", "verdeling"),
    "klachten_per_uitkomst": Definitie(
        "Klachten per uitkomst", "Klachten afgehandeld in de periode, per uitkomst.",
        ("plannen.klacht-afgehandeld",), "klachten", "verdeling"),
}  # fmt: skip


def indicator(naam: str, uitkomst: Mapping[str, Any]) -> dict[str, Any]:
    d = DEFINITIES[naam]
    return {
        "titel": d.titel,
        "definitie": d.definitie,
        "telt": list(d.events),
        "eenheid": d.eenheid,
        "vorm": d.vorm,
        **uitkomst,
    }
