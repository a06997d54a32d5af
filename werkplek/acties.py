"""The actions on the household page (`/huishoudens/{huishouden_id}`): each a form that posts to the
werkplek, which sends the body to arrangement's API (POST /v1/plannen/{plan_id}/...) with the user's own
token, and then redirects back to the page with a short message (POST-redirect-GET).

- Which forms a page shows follows arrangement's rules (services/arrangement/usecases.py): changing the
  plan is for the regisseur's team, the Lokale Kamer and beheer; an aanvraag also for any consulent; a
  beschikking ONLY for a consulent. That choice is for reading comfort only: the werkplek forwards every
  POST it gets, and the service decides. A forged beschikking POST by a wijkcoach reaches arrangement and
  comes back as its 403.
- Field names are the API's, dotted (`voorzieningen.0.omvang.volume`, `regisseur.team_id`), so a 422's
  `errors[].veld` names the field; the rows of goals and voorzieningen sent are mapped back to the form's
  rows. A 409 (the plan's status does not allow the work) is shown as a sentence naming the status.
- Every rendered page carries one token (kept in the session) for its forms; each action of that page is
  sent at most once, one POST at a time (a lock per action): a double click or a retried submit waits
  for the first and then finds it done, so a contactpoging, a warm handover or a beschikking is never
  recorded twice. The token grants nothing: it only guards against repeating.
- The select lists (catalogue of voorzieningen, teams, termijnen) come from the gemeente configuration
  the werkplek reads anyway (TOEGANG_CONFIG_DIR); nothing is invented here.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.auth import Gebruiker, Rol
from shared.gemeenten import ConfigFout, Gemeente, laad_gemeente
from shared.zrm import ZRM_DOMEINEN
from werkplek import teksten
from werkplek.afhankelijkheden import Aangemeld, Formulier, diensten_van, tekst
from werkplek.diensten import DienstFout
from werkplek.melden import VERTALINGEN, ZRM_SCORES, ZRM_TEKST
from werkplek.sessies import Sessie
from werkplek.weergave import toon

log = logging.getLogger(__name__)
router = APIRouter()
_HUISHOUDEN_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
MAX_PAGINAS = 20  # household pages with open forms per session; the oldest goes first
START_RIJEN, MAX_RIJEN = 2, 20  # rows of voorzieningen in a plan version or a beschikking


@dataclass(frozen=True)
class Actie:
    titel: str
    pad: str  # after /v1/plannen/{plan_id}/
    knop: str
    gelukt: str
    wie: str  # bewerken, aanvragen, beschikken or bezwaar: arrangement's rule, for which forms to show
    velden: re.Pattern[str]  # the fields (and groups) the form shows an error at
    # Fields chosen in the form that name the thing in the path (`bezwaren/{bezwaar_id}/...`), not the body.
    sleutels: tuple[str, ...] = ()
    # Also on a plan that is no longer active (a bezwaar or klacht can come after it closed).
    na_afsluiten: bool = False


def _velden(patroon: str) -> re.Pattern[str]:
    return re.compile(patroon)


_OMVANG = r"omvang(\.(volume|eenheid|frequentie))?"
ACTIES: dict[str, Actie] = {
    "contactpoging": Actie(
        "Contactpoging vastleggen",
        "contactpogingen",
        "Contactpoging vastleggen",
        "De contactpoging is vastgelegd.",
        "bewerken",
        _velden(r"soort|bereikt|datum|dagdeel"),
    ),
    "versie": Actie(
        "Nieuwe versie van het plan",
        "versies",
        "Nieuwe versie vastleggen",
        "De nieuwe versie van het plan is vastgelegd.",
        "bewerken",
        _velden(
            r"evaluatie_op|doelen|doelen\.\d+(\.(levensgebied|zrm_nu|zrm_doel))?|voorzieningen"
            rf"|voorzieningen\.\d+(\.(code|status|aanbieder_id|{_OMVANG}))?"
            r"|mantelzorg(\.(aanwezig|uren_per_week|belastbaarheid))?|gebruikelijke_zorg(\.(van_toepassing|uren_per_week))?"
        ),
    ),
    "evaluatie": Actie(
        "Evaluatie vastleggen",
        "evaluaties",
        "Evaluatie vastleggen",
        "De evaluatie is vastgelegd.",
        "bewerken",
        _velden(r"datum|uitkomst|volgende_evaluatie_op"),
    ),
    "overdracht": Actie(
        "Warme overdracht naar een aanbieder",
        "doorverwijzingen",
        "Warm overdragen",
        "De warme overdracht is vastgelegd.",
        "bewerken",
        _velden(r"voorziening|aanbieder_id|urgentie|termijn"),
    ),
    "regie": Actie(
        "Regie overdragen",
        "regisseur",
        "Regie overdragen",
        "De regie is overgedragen.",
        "bewerken",
        _velden(r"regisseur(\.(soort|team_id|medewerker_id))?|reden"),
    ),
    "aanvraag": Actie(
        "Aanvraag maatwerk registreren",
        "aanvragen",
        "Aanvraag registreren",
        "De aanvraag is geregistreerd. De beschikking moet binnen 2 weken.",
        "aanvragen",
        _velden(r"voorzieningen|ontvangen_op"),
    ),
    "beschikking": Actie(
        "Beschikking afgeven",
        "beschikkingen",
        "Beschikking afgeven",
        "De beschikking is afgegeven.",
        "beschikken",
        _velden(
            r"aanvraag_id|ingangsdatum|einddatum|verzonden_op|voorzieningen"
            rf"|voorzieningen\.\d+(\.(code|productcode|leveringsvorm|eigen_bijdrage|{_OMVANG}))?"
        ),
    ),
    "gesprek": Actie(
        "Keukentafelgesprek vastleggen",
        "gesprekken",
        "Gesprek vastleggen",
        "Het gesprek is vastgelegd.",
        "aanvragen",
        _velden(r"datum|vorm|deelnemers|clientondersteuning_gewezen_op"),
    ),
    "verslag": Actie(
        "Verslag van het onderzoek versturen",
        "verslagen",
        "Verslag vastleggen",
        "Het verslag is vastgelegd. Daarmee is het Wmo-onderzoek op tijd afgerond als dat binnen 6 weken was.",
        "aanvragen",
        _velden(r"verstuurd_op"),
    ),
    "bezwaar": Actie(
        "Bezwaar registreren",
        "beschikkingen/{beschikking_id}/bezwaren",
        "Bezwaar registreren",
        "Het bezwaar is geregistreerd.",
        "bezwaar",
        _velden(r"beschikking_id|ontvangen_op|ter_post_op|adviescommissie"),
        sleutels=("beschikking_id",),
        na_afsluiten=True,
    ),
    "bezwaar_verdaging": Actie(
        "Beslissing op bezwaar verdagen",
        "bezwaren/{bezwaar_id}/verdaging",
        "Verdagen",
        "De beslissing op het bezwaar is met 6 weken verdaagd.",
        "bezwaar",
        _velden(r"bezwaar_id|reden"),
        sleutels=("bezwaar_id",),
        na_afsluiten=True,
    ),
    "bezwaar_beslissing": Actie(
        "Beslissen op bezwaar",
        "bezwaren/{bezwaar_id}/beslissing",
        "Beslissing vastleggen",
        "De beslissing op het bezwaar is vastgelegd.",
        "bezwaar",
        _velden(
            rf"bezwaar_id|uitkomst|besloten_op|beschikking(\.(ingangsdatum|einddatum|reden_wijziging|voorzieningen))?"
            rf"|beschikking\.voorzieningen\.0(\.(code|{_OMVANG}))?"
        ),
        sleutels=("bezwaar_id",),
        na_afsluiten=True,
    ),
    "klacht": Actie(
        "Klacht registreren",
        "klachten",
        "Klacht registreren",
        "De klacht is geregistreerd.",
        "aanvragen",
        _velden(r"ontvangen_op|over|aanbieder_id|onderwerpen|klachtadviescommissie"),
        na_afsluiten=True,
    ),
    "klacht_verdaging": Actie(
        "Afhandeling van een klacht verdagen",
        "klachten/{klacht_id}/verdaging",
        "Verdagen",
        "De afhandeling van de klacht is met 4 weken verdaagd.",
        "aanvragen",
        _velden(r"klacht_id|reden"),
        sleutels=("klacht_id",),
        na_afsluiten=True,
    ),
    "klacht_afhandeling": Actie(
        "Klacht afhandelen",
        "klachten/{klacht_id}/afhandeling",
        "Afhandeling vastleggen",
        "De afhandeling van de klacht is vastgelegd.",
        "aanvragen",
        _velden(r"klacht_id|uitkomst|afgehandeld_op"),
        sleutels=("klacht_id",),
        na_afsluiten=True,
    ),
    "escalatie": Actie(
        "Zaak escaleren: de zaak zit vast",
        "escalaties",
        "Escaleren",
        "De zaak is geëscaleerd. De Lokale Kamer of teamleiding beslist erover.",
        "bewerken",
        _velden(r"reden"),
    ),
    "escalatie_regie": Actie(
        "Regie nemen (doorzettingsmacht)",
        "escalaties/{escalatie_id}/regie",
        "Regie nemen",
        "U heeft de regie genomen. Het werk van de regisseur staat nu in uw werkvoorraad.",
        "doorzetten",
        _velden(r"escalatie_id"),
        sleutels=("escalatie_id",),
    ),
    "escalatie_teruggave": Actie(
        "Zaak teruggeven met een opdracht",
        "escalaties/{escalatie_id}/teruggave",
        "Teruggeven",
        "De zaak is teruggegeven met een opdracht en een datum.",
        "doorzetten",
        _velden(r"escalatie_id|instructie|opvolgen_voor"),
        sleutels=("escalatie_id",),
    ),
    "afsluiten": Actie(
        "Plan afsluiten",
        "afsluiten",
        "Plan afsluiten",
        "Het plan is afgesloten.",
        "bewerken",
        _velden(r"resultaat|waakvlam(\.(controle_op|interval_weken))?"),
    ),
}

# The API's values (services/arrangement/schemas.py, shared/invoer.py) in words.
CONTACT_SOORTEN = {
    "telefoon": "Telefoon",
    "huisbezoek": "Huisbezoek",
    "brief": "Brief",
    "email": "E-mail",
    "balie": "Aan de balie",
    "beeldbellen": "Beeldbellen",
}
DAGDELEN = {"ochtend": "Ochtend", "middag": "Middag", "avond": "Avond"}
REDENEN = {
    "multiprobleem": "Problemen op meer levensgebieden",
    "zelfredzaam": "Het huishouden is weer zelfredzaam",
    "netwerk_neemt_regie": "Het netwerk neemt de regie",
    "andere_expertise": "Andere deskundigheid nodig",
    "verhuizing": "Verhuizing",
    "werkverdeling": "Werkverdeling in of tussen teams",
    "overig": "Anders",
}
UITKOMSTEN = {
    "doelen_bereikt": "Doelen bereikt",
    "deels_bereikt": "Doelen deels bereikt",
    "niet_bereikt": "Doelen niet bereikt",
    "bijstellen": "Plan bijstellen",
}
RESULTATEN = {
    "doelen_bereikt": "Doelen bereikt",
    "geen_hulp_nodig": "Geen hulp nodig",
    "niet_bereikt": "Huishouden niet bereikt",
    "elders_geholpen": "Elders geholpen",
    "verhuisd": "Verhuisd",
}
GESPREKSVORMEN = {
    "thuis": "Bij de inwoner thuis",
    "kantoor": "Op kantoor",
    "telefoon": "Telefonisch",
    "video": "Beeldbellen",
}
DEELNEMERS = {
    "inwoner": "De inwoner",
    "mantelzorger": "Mantelzorger",
    "netwerk": "Iemand uit het netwerk",
    "clientondersteuner": "Onafhankelijke cliëntondersteuner",
    "vertegenwoordiger": "Wettelijk vertegenwoordiger",
}
LEVERINGSVORMEN = {"zin": "Zorg in natura", "pgb": "Persoonsgebonden budget (pgb)"}
EIGEN_BIJDRAGE = {"ja": "Ja", "nee": "Nee"}
BEZWAAR_UITKOMSTEN = {
    "gegrond": "Gegrond: de beschikking wordt aangepast",
    "ongegrond": "Ongegrond",
    "niet_ontvankelijk": "Niet-ontvankelijk",
    "ingetrokken": "Ingetrokken",
}
KLACHT_UITKOMSTEN = {
    "gegrond": "Gegrond",
    "deels_gegrond": "Deels gegrond",
    "ongegrond": "Ongegrond",
    "ingetrokken": "Ingetrokken",
}
KLACHT_OVER = {"gemeente": "De gemeente", "aanbieder": "Een aanbieder"}
KLACHT_ONDERWERPEN = {
    "bejegening": "Bejegening",
    "bereikbaarheid": "Bereikbaarheid",
    "communicatie": "Communicatie en informatie",
    "besluitvorming": "Besluitvorming",
    "uitvoering": "Uitvoering van de zorg",
    "overig": "Iets anders",
}
REDENEN_VERDAGING = {
    "advies_nodig": "Advies nodig",
    "hoorzitting": "Hoorzitting",
    "aanvullende_stukken": "Aanvullende stukken nodig",
    "complexiteit": "Ingewikkelde zaak",
    "overig": "Anders",
}
REDENEN_WIJZIGING = {
    "opschaling": "Meer ondersteuning",
    "afschaling": "Minder ondersteuning",
    "verlenging": "Verlenging",
    "verkorting": "Verkorting",
    "correctie": "Correctie",
}
VOORZIENING_STATUS = {"gepland": "Gepland", "actief": "Actief", "beeindigd": "Beëindigd"}
EENHEDEN = {
    "minuut": "minuten",
    "uur": "uren",
    "dagdeel": "dagdelen",
    "etmaal": "etmalen",
    "stuks": "stuks",
    "euro": "euro",
}
FREQUENTIES = {"dag": "per dag", "week": "per week", "maand": "per maand", "totaal": "in totaal"}
BELASTBAARHEID = {"niet": "Niet belastbaar", "beperkt": "Beperkt", "gemiddeld": "Gemiddeld", "goed": "Goed"}
PLAN_STATUS = {"actief": "actief", "waakvlam": "afgesloten met een waakvlam", "afgesloten": "afgesloten"}
LEZERS = (Rol.beheer, Rol.lokale_kamer, Rol.consulent, Rol.meldpunt)

VELD_NAMEN = {
    "soort": "Soort",
    "bereikt": "Bereikt",
    "datum": "Datum",
    "dagdeel": "Dagdeel",
    "evaluatie_op": "Evaluatiedatum",
    "doelen": "Doelen",
    "levensgebied": "levensgebied",
    "zrm_nu": "ZRM nu",
    "zrm_doel": "ZRM doel",
    "voorzieningen": "Voorzieningen",
    "code": "voorziening",
    "status": "status",
    "aanbieder_id": "aanbieder",
    "productcode": "productcode",
    "omvang": "omvang",
    "volume": "hoeveel",
    "eenheid": "eenheid",
    "frequentie": "per",
    "mantelzorg": "Mantelzorg",
    "aanwezig": "aanwezig",
    "uren_per_week": "uren per week",
    "belastbaarheid": "belastbaarheid",
    "gebruikelijke_zorg": "Gebruikelijke zorg",
    "van_toepassing": "van toepassing",
    "uitkomst": "Uitkomst",
    "volgende_evaluatie_op": "Volgende evaluatie",
    "voorziening": "Voorziening",
    "urgentie": "Urgentie",
    "termijn": "Termijn",
    "regisseur": "Nieuwe regisseur",
    "team_id": "team",
    "medewerker_id": "medewerker",
    "reden": "Reden",
    "ontvangen_op": "Ontvangen op",
    "aanvraag_id": "Aanvraag",
    "ingangsdatum": "Ingangsdatum",
    "einddatum": "Einddatum",
    "resultaat": "Resultaat",
    "waakvlam": "Waakvlam",
    "controle_op": "controledatum",
    "interval_weken": "elke zoveel weken",
    "formulier": "Formulier",
    "vorm": "Vorm",
    "deelnemers": "Wie deden mee",
    "clientondersteuning_gewezen_op": "Gewezen op cliëntondersteuning",
    "verstuurd_op": "Verstuurd op",
    "verzonden_op": "Verzonden op",
    "leveringsvorm": "leveringsvorm",
    "eigen_bijdrage": "eigen bijdrage",
    "beschikking_id": "Beschikking",
    "ter_post_op": "Op de post gedaan",
    "adviescommissie": "Adviescommissie",
    "bezwaar_id": "Bezwaar",
    "besloten_op": "Besloten op",
    "beschikking": "Nieuwe beschikking",
    "reden_wijziging": "reden",
    "klacht_id": "Klacht",
    "over": "Over wie",
    "onderwerpen": "Waarover",
    "klachtadviescommissie": "Klachtadviescommissie",
    "afgehandeld_op": "Afgehandeld op",
    "escalatie_id": "Escalatie",
    "instructie": "Opdracht",
    "opvolgen_voor": "Uitvoeren voor",
}
PATRONEN = {
    "productcode": "Een iWmo-productcode: 2 tot 5 cijfers of hoofdletters, zoals 02A01.",
}
EXTRA_VERTALINGEN = (
    ("Input should be greater than or equal to", "Dit getal is te klein."),
    ("Input should be greater than", "Dit getal is te klein."),
    ("Input should be a valid number", "Vul een getal in."),
    ("Input should be a valid datetime", "Vul een datum en tijd in."),
    ("Input should be a valid boolean", "Kies ja of nee."),
    ("Input should be a valid UUID", "Kies een van de mogelijkheden."),
    ("List should have at least", "Kies er minstens een."),
    ("Extra inputs are not permitted", "Dit hoort niet bij dit formulier."),
)


# --- the session's forms ----------------------------------------------------------------------------------


@dataclass
class ActiePagina:
    """One rendered household page: its token, the plan its forms are about (from the service's answer,
    never from the form), and which of its actions were sent."""

    sleutel: str
    huishouden_id: str
    plan_id: str
    sloten: dict[str, asyncio.Lock] = field(default_factory=dict)
    verstuurd: set[str] = field(default_factory=set)


@dataclass
class Ingevuld:
    """An action form sent back to the page: what was typed, the errors by the form's field, the rows."""

    actie: str
    waarden: dict[str, Any]
    fouten: dict[str, list[str]]
    rijen: int = START_RIJEN


def _nieuwe_pagina(sessie: Sessie, huishouden_id: str, plan_id: str) -> ActiePagina:
    eigen = [k for k, v in sessie.formulieren.items() if isinstance(v, ActiePagina)]
    for sleutel in eigen[: max(0, len(eigen) - MAX_PAGINAS + 1)]:
        del sessie.formulieren[sleutel]
    pagina = ActiePagina(secrets.token_urlsafe(24), huishouden_id, plan_id)
    sessie.formulieren[pagina.sleutel] = pagina
    return pagina


# --- who sees which form (the service decides; this only keeps the page readable) -------------------------


def toegestaan(
    gebruiker: Gebruiker,
    plan: dict[str, Any],
    regisseur: dict[str, Any],
    h: dict[str, Any] | None = None,
    doorzettingsteam: str | None = None,
) -> list[str]:
    h = h or {}
    bewerken = gebruiker.rol in (Rol.beheer, Rol.lokale_kamer) or regisseur.get("team_id") in gebruiker.teams
    mag = {
        "bewerken": bewerken,
        "aanvragen": bewerken or gebruiker.rol == Rol.consulent,
        "beschikken": gebruiker.rol == Rol.consulent,
        "bezwaar": gebruiker.rol in (Rol.consulent, Rol.beheer),
        # Doorzettingsmacht: beheer, and the Lokale Kamer role of the team that holds it.
        "doorzetten": gebruiker.rol == Rol.beheer
        or (gebruiker.rol == Rol.lokale_kamer and doorzettingsteam is not None and doorzettingsteam in gebruiker.teams),
    }
    acties = [naam for naam, a in ACTIES.items() if mag[a.wie] and _past(naam, h)]
    if plan.get("status") != "actief":  # after closing: the check (a contactpoging), bezwaar and klacht
        acties = [a for a in acties if a == "contactpoging" or ACTIES[a].na_afsluiten]
    return acties


def _past(naam: str, h: dict[str, Any]) -> bool:
    """A form about a beschikking, bezwaar or klacht only where the household has one to choose."""
    nodig = {
        "bezwaar": h.get("beschikkingen"),
        "bezwaar_verdaging": _open_zaken(h, "bezwaren"),
        "bezwaar_beslissing": _open_zaken(h, "bezwaren"),
        "klacht_verdaging": _open_zaken(h, "klachten"),
        "klacht_afhandeling": _open_zaken(h, "klachten"),
        "escalatie": not _lopende_escalaties(h),
        "escalatie_regie": [e for e in _lopende_escalaties(h) if e.get("status") == "open"],
        "escalatie_teruggave": _lopende_escalaties(h),
    }
    return bool(nodig.get(naam, True))


def _lopende_escalaties(h: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in h.get("escalaties") or [] if e.get("status") in ("open", "regie_genomen")]


def _open_zaken(h: dict[str, Any], soort: str) -> list[dict[str, Any]]:
    return [z for z in h.get(soort) or [] if z.get("status") != "beslist"]


def ziet_nog(gebruiker: Gebruiker, regisseur: dict[str, Any]) -> bool:
    """Whether the caller still reads the household after handing the regie over (where to go next)."""
    return (
        gebruiker.rol in LEZERS
        or regisseur.get("team_id") in gebruiker.teams
        or (regisseur.get("medewerker_id") is not None and regisseur.get("medewerker_id") == gebruiker.sub)
    )


# --- the select lists, from the gemeente configuration -----------------------------------------------------


@cache
def _gemeente(map_: Path, code: str) -> Gemeente | None:
    try:
        return laad_gemeente(map_ / f"{code}.yaml")
    except (OSError, ConfigFout) as fout:
        log.warning("gemeentebestand niet te lezen", extra={"gemeente": code, "fout": type(fout).__name__})
        return None


def doorzettingsteam(config_dir: Path, gemeente_code: str | None) -> str | None:
    g = _gemeente(config_dir, gemeente_code) if gemeente_code and gemeente_code.isalnum() else None
    return g.doorzettingsmacht.team if g and g.doorzettingsmacht else None


def _aanbieders(g: Gemeente | None, wijk: str | None) -> dict[str, str]:
    """Where a warm handover can go: the Wmo consulenten, then the sociale kaart (the wijk's own first)."""
    if g is None:
        return {}
    consulenten = {t.id: f"Wmo-consulent: {t.naam}" for t in g.teams if t.route == "wmo_consulent"}
    kaart = {a.id: f"{a.naam}: {a.aanbod}" for a in g.zoek_aanbieders(None, wijk)}
    return {**consulenten, **kaart}


def keuzes(config_dir: Path, gemeente_code: str | None, h: dict[str, Any]) -> dict[str, dict[str, str]]:
    g = _gemeente(config_dir, gemeente_code) if gemeente_code and gemeente_code.isalnum() else None
    catalogus = g.voorzieningen if g else []

    def tekst_van(v: Any) -> str:
        soort = f"{v.soort}, {v.wet.upper()}" if v.wet else v.soort
        return f"{v.naam} ({soort})"

    open_aanvragen = {
        str(a["aanvraag_id"]): (
            f"Aanvraag van {teksten.datum_tekst(a.get('ontvangen_op'))}: {', '.join(a.get('voorzieningen') or [])}"
        )
        for a in h.get("aanvragen") or []
        if a.get("status") == "open" and a.get("aanvraag_id")
    }
    return {
        "voorzieningen": {v.code: tekst_van(v) for v in catalogus},
        "maatwerk": {v.code: tekst_van(v) for v in catalogus if v.soort == "maatwerk"},
        "beschikbaar": {v.code: tekst_van(v) for v in catalogus if v.soort == "maatwerk" and v.wet},
        "teams": {t.id: t.naam for t in g.teams} if g else {},
        "termijnen": {k: teksten.GRONDSLAGEN.get(k, k) for k in (g.termijnen if g else {})},
        "aanvragen": open_aanvragen,
        "beschikkingen": {
            str(b["beschikking_id"]): f"Beschikking van {teksten.datum_tekst(b.get('ingangsdatum'))}: "
            + ", ".join(v.get("code", "") for v in b.get("voorzieningen") or [])
            for b in h.get("beschikkingen") or []
            if b.get("beschikking_id")
        },
        "bezwaren": {
            str(z["bezwaar_id"]): f"Bezwaar ontvangen {teksten.datum_tekst(z.get('ontvangen_op'))}, beslissen voor "
            f"{teksten.datum_tekst(z.get('beslissen_voor'))}"
            for z in _open_zaken(h, "bezwaren")
        },
        "aanbieders": _aanbieders(g, (h.get("plan") or {}).get("wijk")),
        "escalaties": {
            str(e["escalatie_id"]): f"Geëscaleerd op {teksten.datum_tekst(e.get('ingediend_op'))}: "
            f"{teksten.ESCALATIE_REDENEN.get(e.get('reden', ''), e.get('reden', ''))}"
            for e in _lopende_escalaties(h)
        },
        "klachten": {
            str(z["klacht_id"]): f"Klacht ontvangen {teksten.datum_tekst(z.get('ontvangen_op'))}, afhandelen voor "
            f"{teksten.datum_tekst(z.get('afhandelen_voor'))}"
            for z in _open_zaken(h, "klachten")
        },
    }


# --- the page's context ----------------------------------------------------------------------------------


def context(
    request: Request, sessie: Sessie, huishouden_id: str, h: dict[str, Any], ingevuld: Ingevuld | None = None
) -> dict[str, Any]:
    """What huishouden.html needs for the action forms (paginas.huishoudpagina adds it)."""
    assert sessie.gebruiker
    plan, regisseur = h.get("plan") or {}, h.get("regisseur") or {}
    bericht, sessie.bericht = sessie.bericht, None
    config_dir = request.app.state.instellingen.config_dir
    team = doorzettingsteam(config_dir, sessie.gebruiker.gemeente)
    acties = toegestaan(sessie.gebruiker, plan, regisseur, h, team) if plan.get("plan_id") else []
    if ingevuld is not None and ingevuld.actie in ACTIES and ingevuld.actie not in acties:
        acties.append(ingevuld.actie)  # a form that was sent (even forged) shows what came back
    pagina = _nieuwe_pagina(sessie, huishouden_id, str(plan.get("plan_id"))) if acties else None
    vandaag = datetime.now(teksten.TZ).date().isoformat()
    standaard = {
        "contactpoging": {"datum": vandaag},
        "evaluatie": {"datum": vandaag},
        "versie": _uit_plan(plan),
        "overdracht": {"urgentie": "regulier", "termijn": "opvolging-10-werkdagen"},
        "regie": {"regisseur.soort": "professional"},
        "beschikking": {"ingangsdatum": vandaag},
        "gesprek": {"datum": vandaag},
        "verslag": {"verstuurd_op": vandaag},
        "bezwaar": {"ontvangen_op": vandaag},
        "bezwaar_beslissing": {"besloten_op": vandaag, "beschikking.ingangsdatum": vandaag},
        "klacht": {"ontvangen_op": vandaag},
        "klacht_afhandeling": {"afgehandeld_op": vandaag},
        "escalatie_teruggave": {"opvolgen_voor": (datetime.now(teksten.TZ).date() + timedelta(days=14)).isoformat()},
    }
    formulieren = {}
    for naam in acties:
        eigen = ingevuld is not None and ingevuld.actie == naam
        fouten = ingevuld.fouten if ingevuld is not None and eigen else {}
        rijen = ingevuld.rijen if ingevuld is not None and eigen else _rijen_uit(standaard.get(naam, {}))
        formulieren[naam] = {
            "actie": ACTIES[naam],
            "waarden": ingevuld.waarden if ingevuld is not None and eigen else standaard.get(naam, {}),
            "fouten": fouten,
            "overzicht": [
                {"anker": f"{naam}-{_id(v)}-fout" if v != "formulier" else "", "label": label(v), "melding": m}
                for v, meldingen in fouten.items()
                for m in meldingen
            ],
            "open": eigen,
            "rijen": rijen,
        }
    return {
        "actie_bericht": bericht,
        "actie_sleutel": pagina.sleutel if pagina else "",
        "formulieren": formulieren,
        "keuzes": keuzes(config_dir, sessie.gebruiker.gemeente, h),
        "ingevuld": ingevuld,
        "ZRM_DOMEINEN": ZRM_DOMEINEN,
        "ZRM_TEKST": ZRM_TEKST,
        "ZRM_SCORES": ZRM_SCORES,
        "CONTACT_SOORTEN": CONTACT_SOORTEN,
        "DAGDELEN": DAGDELEN,
        "REDENEN": REDENEN,
        "UITKOMSTEN": UITKOMSTEN,
        "RESULTATEN": RESULTATEN,
        "VOORZIENING_STATUS": VOORZIENING_STATUS,
        "EENHEDEN": EENHEDEN,
        "FREQUENTIES": FREQUENTIES,
        "BELASTBAARHEID": BELASTBAARHEID,
        "MAX_RIJEN": MAX_RIJEN,
        "GESPREKSVORMEN": GESPREKSVORMEN,
        "DEELNEMERS": DEELNEMERS,
        "LEVERINGSVORMEN": LEVERINGSVORMEN,
        "EIGEN_BIJDRAGE": EIGEN_BIJDRAGE,
        "BEZWAAR_UITKOMSTEN": BEZWAAR_UITKOMSTEN,
        "KLACHT_UITKOMSTEN": KLACHT_UITKOMSTEN,
        "KLACHT_OVER": KLACHT_OVER,
        "KLACHT_ONDERWERPEN": KLACHT_ONDERWERPEN,
        "REDENEN_VERDAGING": REDENEN_VERDAGING,
        "REDENEN_WIJZIGING": REDENEN_WIJZIGING,
        # Asked for by hand: every reason but the one the termijnbewaking gives itself.
        "ESCALATIE_KEUZES": {k: v for k, v in teksten.ESCALATIE_REDENEN.items() if k != "termijn_verstreken"},
    }


def _uit_plan(plan: dict[str, Any]) -> dict[str, Any]:
    """A new version starts as the current one: its goals, voorzieningen, mantelzorg and gebruikelijke zorg."""
    w: dict[str, Any] = {}
    for d in plan.get("doelen") or []:
        if d.get("levensgebied") in ZRM_DOMEINEN:
            i = ZRM_DOMEINEN.index(d["levensgebied"])
            w[f"doelen.{i}.levensgebied"] = d["levensgebied"]
            for score in ("zrm_nu", "zrm_doel"):
                if d.get(score) is not None:
                    w[f"doelen.{i}.{score}"] = str(d[score])
    for i, v in enumerate((plan.get("voorzieningen") or [])[:MAX_RIJEN]):
        p = f"voorzieningen.{i}"
        w[f"{p}.code"], w[f"{p}.status"] = v.get("code") or "", v.get("status") or "gepland"
        w[f"{p}.aanbieder_id"] = v.get("aanbieder_id") or ""
        for k, waarde in (v.get("omvang") or {}).items():
            w[f"{p}.omvang.{k}"] = _getaltekst(waarde)
    for groep, ja in (("mantelzorg", "aanwezig"), ("gebruikelijke_zorg", "van_toepassing")):
        if g := plan.get(groep):
            w[f"{groep}.{ja}"] = "ja" if g.get(ja) else "nee"
            for k in ("uren_per_week", "belastbaarheid"):
                if g.get(k) is not None:
                    w[f"{groep}.{k}"] = _getaltekst(g[k])
    if plan.get("evaluatie_op"):
        w["evaluatie_op"] = str(plan["evaluatie_op"])
    return w


def _getaltekst(waarde: Any) -> str:
    if isinstance(waarde, float) and waarde.is_integer():
        return str(int(waarde))
    return str(waarde)


def _rijen_uit(waarden: dict[str, Any]) -> int:
    gebruikt = [int(d[1]) for v in waarden if (d := v.split("."))[0] == "voorzieningen" and len(d) > 2]
    return min(MAX_RIJEN, max(START_RIJEN, max(gebruikt, default=-1) + 2))


# --- posting an action -------------------------------------------------------------------------------------


def _toon_opnieuw(request: Request, sessie: Sessie, huishouden_id: str, ingevuld: Ingevuld, status_code: int) -> Any:
    # paginas.py includes this module's router, so its page function is imported when first needed.
    from werkplek.paginas import huishoudpagina

    return huishoudpagina(request, sessie, huishouden_id, ingevuld, status_code)


@router.post("/huishoudens/{huishouden_id}/acties/{naam}", response_class=HTMLResponse)
async def voer_uit(request: Request, huishouden_id: str, naam: str, sessie: Aangemeld, form: Formulier) -> Response:
    assert sessie.token and sessie.gebruiker
    actie = ACTIES.get(naam)
    if actie is None or not _HUISHOUDEN_ID.match(huishouden_id):
        raise StarletteHTTPException(404)
    waarden, rijen = lees(form)
    pagina = sessie.formulieren.get(tekst(form, "actie_sleutel"))
    if not isinstance(pagina, ActiePagina) or pagina.huishouden_id != huishouden_id:
        fouten = {"formulier": ["Dit formulier is verlopen. Controleer de gegevens en verstuur opnieuw."]}
        return await _toon_opnieuw(request, sessie, huishouden_id, Ingevuld(naam, waarden, fouten, rijen), 422)
    if tekst(form, "stap") == "rij":  # one more row of voorzieningen; nothing is sent
        rijen = min(MAX_RIJEN, rijen + 1)
        return await _toon_opnieuw(request, sessie, huishouden_id, Ingevuld(naam, waarden, {}, rijen), 200)
    async with pagina.sloten.setdefault(naam, asyncio.Lock()):  # a second click waits for the first
        if naam not in pagina.verstuurd:
            body, rijmap = BODIES[naam](waarden, rijen)
            try:  # an id in the path must be an id: nothing else travels into a URL
                ids = {k: str(uuid.UUID(_w(waarden, k))) for k in actie.sleutels}
            except ValueError:
                fouten = {k: ["Kies een van de mogelijkheden."] for k in actie.sleutels}
                return await _toon_opnieuw(request, sessie, huishouden_id, Ingevuld(naam, waarden, fouten, rijen), 422)
            pad = f"/v1/plannen/{pagina.plan_id}/{actie.pad.format(**ids)}"
            try:
                antwoord = await diensten_van(request).post("arrangement", pad, sessie.token, body)
            except DienstFout as fout:
                if fout.status == 422:
                    fouten = veldfouten(naam, fout.veldfouten, rijmap)
                elif fout.status == 409:
                    fouten = {"formulier": [overgang_tekst(fout.probleem)]}
                else:
                    raise  # 403, 404: the service's refusal, as the app shows it
                ingevuld = Ingevuld(naam, waarden, fouten, rijen)
                return await _toon_opnieuw(request, sessie, huishouden_id, ingevuld, fout.status)
            pagina.verstuurd.add(naam)
            sessie.bericht = _bericht(naam, antwoord, request, sessie)
            if naam == "regie" and not ziet_nog(sessie.gebruiker, (antwoord or {}).get("regisseur") or {}):
                return RedirectResponse(f"/huishoudens/{huishouden_id}/overgedragen", status_code=303)
    return RedirectResponse(f"/huishoudens/{huishouden_id}#kop-acties", status_code=303)


def _bericht(naam: str, antwoord: Any, request: Request, sessie: Sessie) -> str:
    bericht = ACTIES[naam].gelukt
    if naam == "regie" and isinstance(antwoord, dict):
        r = antwoord.get("regisseur") or {}
        soort = str(r.get("soort") or "")
        wie = teksten.REGISSEUR_SOORTEN.get(soort, soort)
        team = request.app.state.woorden.team(sessie.gebruiker.gemeente if sessie.gebruiker else None, r.get("team_id"))
        bericht = f"De regie is overgedragen aan: {wie}{', ' + team if team else ''}."
    if naam == "versie" and isinstance(antwoord, dict) and antwoord.get("regie_overgedragen"):
        bericht += " Het huishouden heeft problemen op meer levensgebieden: de regie ging daarom naar een ander team."
    return bericht


@router.get("/huishoudens/{huishouden_id}/overgedragen", response_class=HTMLResponse)
async def overgedragen(request: Request, huishouden_id: str, sessie: Aangemeld) -> Response:
    """After handing the regie to a team the caller is not in: he no longer sees the household."""
    bericht, sessie.bericht = sessie.bericht, None
    context = {"bericht": bericht or "De regie is overgedragen."}
    return toon(request, "regie_overgedragen.html", context, sessie=sessie)


def overgang_tekst(probleem: dict[str, Any]) -> str:
    huidig = str(probleem.get("huidige_status") or "")
    gevraagd = str(probleem.get("gevraagde_status") or "")
    if not huidig:
        return "Dit kan nu niet meer: het plan is intussen gewijzigd. Laad de pagina opnieuw."
    zin = f"Dit kan niet meer: het plan is {PLAN_STATUS.get(huidig, huidig)} (status {huidig})"
    if gevraagd:
        zin += f"; hiervoor moet het {PLAN_STATUS.get(gevraagd, gevraagd)} zijn (status {gevraagd})"
    return zin + "."


# --- from the form to the API's body and back ------------------------------------------------------------

Waarden = dict[str, Any]
Rijmap = dict[str, list[int]]


def lees(form: FormData) -> tuple[Waarden, int]:
    waarden: Waarden = {}
    for veld in form:
        if veld in ("csrf_token", "actie_sleutel", "stap", "aantal_rijen"):
            continue
        if veld in ("voorzieningen", "deelnemers", "onderwerpen"):  # groups of checkboxes
            waarden[veld] = [v.strip() for v in form.getlist(veld) if isinstance(v, str)]
        else:
            waarden[veld] = tekst(form, veld).strip()
    aantal = tekst(form, "aantal_rijen")
    rijen = min(MAX_RIJEN, max(START_RIJEN, int(aantal) if aantal.isdigit() else 0))
    return waarden, rijen


def _w(waarden: Waarden, veld: str) -> str:
    waarde = waarden.get(veld, "")
    return waarde if isinstance(waarde, str) else ""


def _zonder_leeg(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v not in ("", None)}


def _getal(waarde: str) -> str:
    """Numbers travel as typed (the API says when one is not a number); a Dutch decimal comma is a point."""
    return waarde.replace(",", ".")


def _ja_nee(waarde: str) -> bool | str | None:
    return {"ja": True, "nee": False, "": None}.get(waarde, waarde)


def _omvang(waarden: Waarden, p: str) -> dict[str, Any]:
    return _zonder_leeg(
        {
            "volume": _getal(_w(waarden, f"{p}.omvang.volume")),
            "eenheid": _w(waarden, f"{p}.omvang.eenheid"),
            "frequentie": _w(waarden, f"{p}.omvang.frequentie"),
        }
    )


def body_versie(waarden: Waarden, rijen: int) -> tuple[dict[str, Any], Rijmap]:
    doelen, doel_rijen = [], []
    for i, gebied in enumerate(ZRM_DOMEINEN):
        p = f"doelen.{i}"
        gekozen, nu, doel = _w(waarden, f"{p}.levensgebied"), _w(waarden, f"{p}.zrm_nu"), _w(waarden, f"{p}.zrm_doel")
        if gekozen or nu or doel:
            doelen.append(_zonder_leeg({"levensgebied": gekozen or gebied, "zrm_nu": nu, "zrm_doel": doel}))
            doel_rijen.append(i)
    voorzieningen, voorziening_rijen = [], []
    for i in range(rijen):
        p = f"voorzieningen.{i}"
        if not _w(waarden, f"{p}.code"):
            continue
        item: dict[str, Any] = _zonder_leeg(
            {
                "code": _w(waarden, f"{p}.code"),
                "status": _w(waarden, f"{p}.status"),
                "aanbieder_id": _w(waarden, f"{p}.aanbieder_id"),
            }
        )
        if omvang := _omvang(waarden, p):
            item["omvang"] = omvang
        voorzieningen.append(item)
        voorziening_rijen.append(i)
    body: dict[str, Any] = {"doelen": doelen, "voorzieningen": voorzieningen}
    mantelzorg = _zonder_leeg(
        {
            "aanwezig": _ja_nee(_w(waarden, "mantelzorg.aanwezig")),
            "uren_per_week": _getal(_w(waarden, "mantelzorg.uren_per_week")),
            "belastbaarheid": _w(waarden, "mantelzorg.belastbaarheid"),
        }
    )
    zorg = _zonder_leeg(
        {
            "van_toepassing": _ja_nee(_w(waarden, "gebruikelijke_zorg.van_toepassing")),
            "uren_per_week": _getal(_w(waarden, "gebruikelijke_zorg.uren_per_week")),
        }
    )
    if mantelzorg:
        body["mantelzorg"] = mantelzorg
    if zorg:
        body["gebruikelijke_zorg"] = zorg
    if evaluatie := _w(waarden, "evaluatie_op"):
        body["evaluatie_op"] = evaluatie
    return body, {"doelen": doel_rijen, "voorzieningen": voorziening_rijen}


def body_regie(waarden: Waarden, rijen: int) -> tuple[dict[str, Any], Rijmap]:
    regisseur = _zonder_leeg({v: _w(waarden, f"regisseur.{v}") for v in ("soort", "team_id", "medewerker_id")})
    return _zonder_leeg({"regisseur": regisseur, "reden": _w(waarden, "reden")}), {}


def body_contactpoging(waarden: Waarden, rijen: int) -> tuple[dict[str, Any], Rijmap]:
    body = {v: _w(waarden, v) for v in ("soort", "datum", "dagdeel")}
    return _zonder_leeg({**body, "bereikt": _ja_nee(_w(waarden, "bereikt"))}), {}


def _platte(*velden: str) -> Callable[[Waarden, int], tuple[dict[str, Any], Rijmap]]:
    def body(waarden: Waarden, rijen: int) -> tuple[dict[str, Any], Rijmap]:
        return _zonder_leeg({v: _w(waarden, v) for v in velden}), {}

    return body


def body_aanvraag(waarden: Waarden, rijen: int) -> tuple[dict[str, Any], Rijmap]:
    body: dict[str, Any] = {"voorzieningen": [v for v in waarden.get("voorzieningen") or [] if v]}
    if ontvangen := _w(waarden, "ontvangen_op"):
        body["ontvangen_op"] = _met_tijdzone(ontvangen)
    return body, {}


def _met_tijdzone(waarde: str) -> str:
    """A datetime-local value is Amsterdam time; the API wants the offset. Anything else goes as typed."""
    try:
        moment = datetime.fromisoformat(waarde)
    except ValueError:
        return waarde
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=teksten.TZ)
    return moment.isoformat()


def body_beschikking(waarden: Waarden, rijen: int) -> tuple[dict[str, Any], Rijmap]:
    voorzieningen, gebruikte = [], []
    for i in range(rijen):
        p = f"voorzieningen.{i}"
        if not _w(waarden, f"{p}.code"):
            continue
        item = _zonder_leeg(
            {
                "code": _w(waarden, f"{p}.code"),
                "productcode": _w(waarden, f"{p}.productcode"),
                "leveringsvorm": _w(waarden, f"{p}.leveringsvorm"),
                "eigen_bijdrage": _ja_nee(_w(waarden, f"{p}.eigen_bijdrage")),
            }
        )
        voorzieningen.append({**item, "omvang": _omvang(waarden, p)})  # required: the API names what is missing
        gebruikte.append(i)
    body = _zonder_leeg({v: _w(waarden, v) for v in ("aanvraag_id", "ingangsdatum", "einddatum", "verzonden_op")})
    return {**body, "voorzieningen": voorzieningen}, {"voorzieningen": gebruikte}


def body_gesprek(waarden: Waarden, rijen: int) -> tuple[dict[str, Any], Rijmap]:
    body = _zonder_leeg({v: _w(waarden, v) for v in ("datum", "vorm", "clientondersteuning_gewezen_op")})
    return {**body, "deelnemers": [d for d in waarden.get("deelnemers") or [] if d]}, {}


def body_bezwaar(waarden: Waarden, rijen: int) -> tuple[dict[str, Any], Rijmap]:
    body = _zonder_leeg({v: _w(waarden, v) for v in ("ontvangen_op", "ter_post_op")})
    return _zonder_leeg({**body, "adviescommissie": _ja_nee(_w(waarden, "adviescommissie"))}), {}


def body_beslissing(waarden: Waarden, rijen: int) -> tuple[dict[str, Any], Rijmap]:
    """Gegrond: the beschikking as it now reads (one voorziening; more by a wijziging afterwards)."""
    body: dict[str, Any] = _zonder_leeg({v: _w(waarden, v) for v in ("uitkomst", "besloten_op")})
    if _w(waarden, "uitkomst") == "gegrond":
        p = "beschikking.voorzieningen.0"
        beschikking = _zonder_leeg(
            {v: _w(waarden, f"beschikking.{v}") for v in ("ingangsdatum", "einddatum", "reden_wijziging")}
        )
        body["beschikking"] = {
            **beschikking,
            "voorzieningen": [_zonder_leeg({"code": _w(waarden, f"{p}.code"), "omvang": _omvang(waarden, p)})],
        }
    return body, {}


def body_klacht(waarden: Waarden, rijen: int) -> tuple[dict[str, Any], Rijmap]:
    body = _zonder_leeg({v: _w(waarden, v) for v in ("ontvangen_op", "over", "aanbieder_id")})
    body["onderwerpen"] = [o for o in waarden.get("onderwerpen") or [] if o]
    return _zonder_leeg({**body, "klachtadviescommissie": _ja_nee(_w(waarden, "klachtadviescommissie"))}), {}


def body_afsluiten(waarden: Waarden, rijen: int) -> tuple[dict[str, Any], Rijmap]:
    body: dict[str, Any] = _zonder_leeg({"resultaat": _w(waarden, "resultaat")})
    waakvlam = _zonder_leeg(
        {"controle_op": _w(waarden, "waakvlam.controle_op"), "interval_weken": _w(waarden, "waakvlam.interval_weken")}
    )
    if _w(waarden, "waakvlam") == "ja" or waakvlam:
        body["waakvlam"] = waakvlam
    return body, {}


BODIES: dict[str, Callable[[Waarden, int], tuple[dict[str, Any], Rijmap]]] = {
    "versie": body_versie,
    "regie": body_regie,
    "contactpoging": body_contactpoging,
    "overdracht": _platte("voorziening", "aanbieder_id", "urgentie", "termijn"),
    "evaluatie": _platte("datum", "uitkomst", "volgende_evaluatie_op"),
    "aanvraag": body_aanvraag,
    "beschikking": body_beschikking,
    "afsluiten": body_afsluiten,
    "gesprek": body_gesprek,
    "verslag": _platte("verstuurd_op"),
    "bezwaar": body_bezwaar,
    "bezwaar_verdaging": _platte("reden"),
    "bezwaar_beslissing": body_beslissing,
    "klacht": body_klacht,
    "klacht_verdaging": _platte("reden"),
    "klacht_afhandeling": _platte("uitkomst", "afgehandeld_op"),
    "escalatie": _platte("reden"),
    "escalatie_regie": _platte(),
    "escalatie_teruggave": _platte("instructie", "opvolgen_voor"),
}


def veldfouten(naam: str, api: dict[str, list[str]], rijmap: Rijmap) -> dict[str, list[str]]:
    """The API's errors by the form's field: the n-th row sent is the form's row `rijmap[lijst][n]`; an
    aanvraag's one code belongs to its group of checkboxes; a field the form does not have (a forged one)
    is named at the top of the form."""
    fouten: dict[str, list[str]] = {}
    for veld, meldingen in api.items():
        delen = veld.split(".")
        if (naam, delen[0]) in (("aanvraag", "voorzieningen"), ("gesprek", "deelnemers"), ("klacht", "onderwerpen")):
            delen = delen[:1]  # one group of checkboxes
        elif len(delen) > 1 and delen[0] in rijmap and delen[1].isdigit():
            n, rijen = int(delen[1]), rijmap[delen[0]]
            delen[1] = str(rijen[n] if n < len(rijen) else n)
        doel = ".".join(delen)
        teksten_ = [_nl(delen[-1], m) for m in meldingen]
        if not ACTIES[naam].velden.fullmatch(doel):
            doel, teksten_ = "formulier", [f"{label(veld)}: {t}" for t in teksten_]
        fouten.setdefault(doel, []).extend(teksten_)
    return fouten


def _nl(veld: str, melding: str) -> str:
    if melding.startswith("String should match pattern"):
        return PATRONEN.get(veld, "Gebruik een code: kleine letters, cijfers, een punt, streepje of @.")
    for engels, nederlands in (*EXTRA_VERTALINGEN, *VERTALINGEN):
        if melding.startswith(engels):
            return nederlands
    melding = melding.strip()
    return (melding[:1].upper() + melding[1:]).rstrip(".") + "." if melding else "Dit klopt niet."


def label(veld: str) -> str:
    """'Voorziening 2: omvang, hoeveel' for voorzieningen.1.omvang.volume."""
    delen = veld.split(".")
    if len(delen) > 1 and delen[1].isdigit():
        rij = {"doelen": "Doel", "voorzieningen": "Voorziening"}.get(delen[0], delen[0])
        if delen[0] == "doelen" and int(delen[1]) < len(ZRM_DOMEINEN):
            kop = f"Doel {ZRM_TEKST.get(ZRM_DOMEINEN[int(delen[1])], '')}"
        else:
            kop = f"{rij} {int(delen[1]) + 1}"
        rest = [VELD_NAMEN.get(d, d) for d in delen[2:]]
        return f"{kop}: {', '.join(rest)}" if rest else kop
    namen = [VELD_NAMEN.get(d, d) for d in delen]
    return namen[0] + (": " + ", ".join(namen[1:]) if len(namen) > 1 else "")


def _id(veld: str) -> str:
    return veld.replace(".", "-")
