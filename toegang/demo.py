"""`toegang demo`: realistic meldingen and signalen sent to a running platform, and what became of each.

Reads `<data dir>/dev.json` (the service URLs of a running `toegang dev`) and `<data dir>/geheimen.json`
(the development JWT secret), mints development tokens, sends a set of cases over the three gemeenten,
and prints per case the route, team, urgency, deadline, regisseur and plan.

Every run makes up fresh addresses and BSNs (valid by the elfproef) and fresh partner_signaal_ids, so a
second run shows new households rather than the repeats of the first. Personal data are sent (that is
what intake and signalering are for) but never printed.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from shared.auth import maak_token

TZ = ZoneInfo("Europe/Amsterdam")
WACHTTIJD = 10.0  # seconds per case before it counts as "not completed in time"
POLL = 0.25
GEMEENTE_NAMEN = {"GM1916": "Leidschendam-Voorburg", "GM0546": "Leiden", "GM0637": "Zoetermeer"}
DAGEN = ("ma", "di", "wo", "do", "vr", "za", "zo")
MAANDEN = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
# Letters that occur in real postcodes (SA, SD and SS are never issued; keep to a safe set).
POSTCODE_LETTERS = "ABCEGHJKLMNPRTVWXZ"


class DemoFout(Exception):
    """The platform cannot be used for the demo; the message says why and what to do."""


# ---------------------------------------------------------------------------------------------------
# Made-up people and addresses, fresh every run


def maak_bsn(rng: random.Random) -> str:
    """A random 9-digit number that passes the elfproef: sum(d_i * (9..2)) - d_9 is a multiple of 11."""
    while True:
        cijfers = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(7)]
        controle = sum(c * w for c, w in zip(cijfers, range(9, 1, -1), strict=False)) % 11
        if controle < 10:
            return "".join(map(str, cijfers)) + str(controle)


def maak_adres(rng: random.Random, pc4: str) -> dict[str, Any]:
    letters = rng.choice(POSTCODE_LETTERS) + rng.choice(POSTCODE_LETTERS)
    return {"postcode": f"{pc4} {letters}", "huisnummer": rng.randint(1, 240)}


def jaren_geleden(jaren: int, dagen: int = 0) -> str:
    vandaag = date.today()
    try:
        d = vandaag.replace(year=vandaag.year - jaren)
    except ValueError:  # 29 February
        d = vandaag.replace(year=vandaag.year - jaren, day=28)
    return (d - timedelta(days=dagen)).isoformat()


# ---------------------------------------------------------------------------------------------------
# The cases


@dataclass
class Casus:
    titel: str
    gemeente: str
    soort: str  # "melding" or "signaal"
    body: dict[str, Any]
    partner_id: str | None = None
    rol: str = "meldpunt"
    verwacht: str = ""  # what the rules should make of it, for the reader
    zelfde_huishouden_als: int | None = None  # index of an earlier case (its plan must exist first)
    # filled in while running
    bron_id: str | None = None
    huishouden_id: str | None = None
    antwoord: dict[str, Any] = field(default_factory=dict)
    opmerkingen: list[str] = field(default_factory=list)
    klaar_op: float | None = None


def maak_casussen(rng: random.Random, catalogus: Callable[[str, str], str | None]) -> list[Casus]:
    bsn = lambda: maak_bsn(rng)  # noqa: E731
    # The multi-problem household in Leidschendam-Voorburg gets a second melding later on.
    adres_multiprobleem = maak_adres(rng, "2273")
    bsn_moeder, bsn_kind = bsn(), bsn()
    hh_code = catalogus("GM0546", "huishoudelijk") or "huishoudelijke_ondersteuning"

    return [
        Casus(
            titel="Buurvrouw hoort 's nachts geschreeuw en slaan bij de buren",
            gemeente="GM1916",
            soort="melding",
            verwacht="Veilig Thuis, direct",
            body={
                "gemeente": "GM1916",
                "kanaal": "telefoon",
                "soort": "zorgmelding",
                "melder": {
                    "type": "buur",
                    "naam": "E. Verbeek",
                    "telefoon": "070 555 0142",
                    "wil_terugkoppeling": True,
                },
                "betreft": {"personen": [{"bsn": bsn()}], "adres": maak_adres(rng, "2271")},
                "omschrijving": "Buurvrouw hoort al weken bijna elke nacht geschreeuw en gestommel; vannacht "
                "hoorde ze slaan en een vrouw om hulp roepen. Er wonen ook twee jonge kinderen.",
                "levensgebieden": ["huiselijke_relaties"],
                "veiligheid": {"huiselijk_geweld": True, "kindermishandeling": False, "acuut_gevaar": False},
            },
        ),
        Casus(
            titel="Dochter (mantelzorger) vraagt huishoudelijke hulp voor haar moeder van 86",
            gemeente="GM0546",
            soort="melding",
            verwacht="Wmo-consulent, onderzoek binnen 6 weken",
            body={
                "gemeente": "GM0546",
                "kanaal": "digitaal",
                "soort": "aanvraag_maatwerk",
                "melder": {
                    "type": "mantelzorger",
                    "naam": "A. Bakker",
                    "email": "a.bakker@example.nl",
                    "wil_terugkoppeling": True,
                },
                "betreft": {
                    "personen": [{"bsn": bsn(), "naam": "M. Bakker-de Graaf", "geboortedatum": jaren_geleden(86, 40)}],
                    "adres": maak_adres(rng, "2314"),
                },
                "omschrijving": "Mijn moeder woont alleen en kan na haar heupoperatie het huis niet meer "
                "schoonhouden. Ik doe de boodschappen en de was, maar werk zelf 32 uur en "
                "houd het zo niet vol. We vragen huishoudelijke ondersteuning.",
                "levensgebieden": ["instrumentele_adl", "lichamelijke_gezondheid"],
                "zrm": {"instrumentele_adl": 2, "lichamelijke_gezondheid": 3, "sociaal_netwerk": 3},
                "gevraagde_voorzieningen": [hh_code],
                "inwoner_op_de_hoogte": True,
            },
        ),
        Casus(
            titel="Wijkverpleegkundige meldt (met toestemming) gezin met schulden, verslaving en dreigende uitval",
            gemeente="GM1916",
            soort="melding",
            verwacht="Lokale Kamer neemt de regie, binnen 2 werkdagen",
            body={
                "gemeente": "GM1916",
                "kanaal": "professional",
                "soort": "hulpvraag",
                "melder": {
                    "type": "professional",
                    "naam": "S. Yilmaz",
                    "organisatie": "Wijkverpleging Florence",
                    "telefoon": "070 555 0199",
                    "wil_terugkoppeling": True,
                },
                "betreft": {"personen": [{"bsn": bsn_moeder}, {"bsn": bsn_kind}], "adres": adres_multiprobleem},
                "omschrijving": "Alleenstaande moeder met een zoon van 14. Grote schulden, post blijft "
                "ongeopend, alcoholgebruik neemt toe, zoon gaat niet meer naar school. "
                "ZRM samen met mevrouw ingevuld; zij wil hulp.",
                "levensgebieden": ["financien", "middelengebruik", "geestelijke_gezondheid", "huiselijke_relaties"],
                "zrm": {
                    "financien": 1,
                    "middelengebruik": 2,
                    "geestelijke_gezondheid": 2,
                    "huisvesting": 3,
                    "huiselijke_relaties": 2,
                    "sociaal_netwerk": 3,
                },
                "inwoner_op_de_hoogte": True,
            },
        ),
        Casus(
            titel="Buurman ziet vervuiling en stank bij een oudere man die niemand meer binnenlaat",
            gemeente="GM0637",
            soort="melding",
            verwacht="Meldpunt Bezorgd (GGD), binnen 2 werkdagen",
            body={
                "gemeente": "GM0637",
                "kanaal": "telefoon",
                "soort": "zorgmelding",
                "melder": {
                    "type": "buur",
                    "naam": "R. Hoogendoorn",
                    "telefoon": "079 555 0123",
                    "wil_terugkoppeling": True,
                },
                "betreft": {"personen": [{"bsn": bsn()}], "adres": maak_adres(rng, "2724")},
                "omschrijving": "Uit de woning komt een sterke stank, de ramen zijn dichtgeplakt, de tuin ligt "
                "vol vuilniszakken. De bewoner (ca. 70) doet niet meer open en lijkt erg "
                "vermagerd. Zorg om vervuiling en zelfverwaarlozing.",
                "levensgebieden": ["huisvesting", "lichamelijke_gezondheid", "sociaal_netwerk"],
            },
        ),
        Casus(
            titel="Jonge ouders vragen hulp: baby van 9 maanden huilt en slaapt nauwelijks",
            gemeente="GM0637",
            soort="melding",
            verwacht="Meerpunt, jeugdverpleegkundige (onder 4 jaar)",
            body={
                "gemeente": "GM0637",
                "kanaal": "digitaal",
                "soort": "hulpvraag",
                "melder": {
                    "type": "inwoner_zelf",
                    "naam": "L. de Wit",
                    "email": "l.dewit@example.nl",
                    "wil_terugkoppeling": True,
                },
                "betreft": {
                    "personen": [
                        {"bsn": bsn(), "geboortedatum": jaren_geleden(0, 270)},
                        {"bsn": bsn(), "geboortedatum": jaren_geleden(27, 100)},
                    ],
                    "adres": maak_adres(rng, "2725"),
                },
                "omschrijving": "Onze dochter van 9 maanden huilt veel en slaapt 's nachts hooguit twee uur "
                "achter elkaar. We zijn uitgeput en weten niet meer wat we moeten doen.",
                "levensgebieden": ["huiselijke_relaties"],
                "inwoner_op_de_hoogte": True,
            },
        ),
        Casus(
            titel="Peuter van 3 in Leiden: ouder vraagt opvoedadvies bij driftbuien",
            gemeente="GM0546",
            soort="melding",
            verwacht="CJG in de wijk",
            body={
                "gemeente": "GM0546",
                "kanaal": "balie",
                "soort": "hulpvraag",
                "melder": {"type": "inwoner_zelf", "naam": "K. Jansen", "wil_terugkoppeling": False},
                "betreft": {
                    "personen": [{"bsn": bsn(), "geboortedatum": jaren_geleden(3, 60)}],
                    "adres": maak_adres(rng, "2331"),
                },
                "omschrijving": "Onze zoon van 3 heeft dagelijks heftige driftbuien, ook op de peuterspeelzaal. "
                "We willen graag advies over opvoeden.",
            },
        ),
        Casus(
            titel="School meldt verzuim van de zoon uit het gezin dat al bij de Lokale Kamer bekend is",
            gemeente="GM1916",
            soort="melding",
            zelfde_huishouden_als=2,
            verwacht="naar de bestaande regisseur, geen tweede plan",
            body={
                "gemeente": "GM1916",
                "kanaal": "professional",
                "soort": "zorgmelding",
                "melder": {
                    "type": "professional",
                    "naam": "J. van Dam",
                    "organisatie": "Huygens College",
                    "email": "zorgcoordinator@example.nl",
                    "wil_terugkoppeling": True,
                },
                "betreft": {"personen": [{"bsn": bsn_kind}], "adres": adres_multiprobleem},
                "omschrijving": "Leerling (14) is de afgelopen drie weken elf dagen afwezig geweest; moeder "
                "reageert niet op berichten. Leerplicht is ingelicht.",
                "levensgebieden": ["werk_opleiding", "huiselijke_relaties"],
            },
        ),
        Casus(
            titel="Vidomes: huurachterstand bij het gezin dat al bij de Lokale Kamer bekend is",
            gemeente="GM1916",
            soort="signaal",
            partner_id="gm1916-vidomes",
            rol="partner",
            zelfde_huishouden_als=2,
            verwacht="naar de bestaande regisseur: één plan, één regisseur",
            body={
                "partner_signaal_id": f"vidomes-{uuid.uuid4()}",
                "soort": "huurachterstand",
                "betreft": {"bsn": bsn_moeder, "adres": adres_multiprobleem},
                "bedrag_achterstand_cent": 1_140_00,
                "achterstand_sinds": (date.today() - timedelta(days=75)).isoformat(),
            },
        ),
        Casus(
            titel="GGD Hollands Midden: buren klagen over stank en vervuiling uit een woning",
            gemeente="GM0546",
            soort="signaal",
            partner_id="gm0546-ggd-hollands-midden",
            rol="partner",
            verwacht="Meldpunt Zorg en Overlast, binnen 2 werkdagen",
            body={
                "partner_signaal_id": f"ggd-hm-{uuid.uuid4()}",
                "soort": "overlast",
                "betreft": {"bsn": bsn(), "adres": maak_adres(rng, "2324")},
            },
        ),
        Casus(
            titel="Woningcorporatie Portaal: huurachterstand van drie maanden",
            gemeente="GM0546",
            soort="signaal",
            partner_id="gm0546-portaal",
            rol="partner",
            verwacht="schuldhulp, eerste gesprek binnen 4 weken",
            body={
                "partner_signaal_id": f"portaal-{uuid.uuid4()}",
                "soort": "huurachterstand",
                "betreft": {"bsn": bsn(), "adres": maak_adres(rng, "2316")},
                "bedrag_achterstand_cent": 2_187_00,
                "achterstand_sinds": (date.today() - timedelta(days=92)).isoformat(),
            },
        ),
        Casus(
            titel="Eneco: afsluiting van gas en stroom aangekondigd (einde levering)",
            gemeente="GM1916",
            soort="signaal",
            partner_id="gm1916-eneco",
            rol="partner",
            verwacht="schuldhulp, crisis: gesprek binnen 3 werkdagen",
            body={
                "partner_signaal_id": f"eneco-{uuid.uuid4()}",
                "soort": "einde_levering",
                "betreft": {"bsn": bsn(), "adres": maak_adres(rng, "2262")},
                "bedrag_achterstand_cent": 1_264_50,
                "achterstand_sinds": (date.today() - timedelta(days=150)).isoformat(),
                "crisis": True,
            },
        ),
    ]


# ---------------------------------------------------------------------------------------------------
# Gemeente configuration, for team names and the text of the legal bases (optional)


class Config:
    def __init__(self) -> None:
        self.gemeenten = None
        try:
            from shared.gemeenten import laad_gemeenten

            lokaal = Path("config/gemeenten")
            standaard = lokaal if lokaal.is_dir() else Path(__file__).resolve().parents[1] / "config" / "gemeenten"
            self.gemeenten = laad_gemeenten(Path(os.environ.get("TOEGANG_CONFIG_DIR") or standaard))
        except Exception:
            self.gemeenten = None

    def _gemeente(self, code: str):
        return self.gemeenten.get(code) if self.gemeenten else None

    def team(self, gemeente: str, team_id: str | None) -> str:
        if not team_id:
            return "-"
        g = self._gemeente(gemeente)
        team = g.team(team_id) if g else None
        return f"{team.naam} [{team_id}]" if team else team_id

    def grondslag(self, gemeente: str, sleutel: str | None) -> str:
        g = self._gemeente(gemeente)
        norm = g.termijnen.get(sleutel) if g and sleutel else None
        return f"{sleutel}: {norm.bron}" if norm else (sleutel or "-")

    def partner(self, gemeente: str, partner_id: str | None) -> str:
        g = self._gemeente(gemeente)
        p = g.partner(partner_id) if g and partner_id else None
        return f"{p.naam} ({p.type.value})" if p else (partner_id or "-")

    def voorziening(self, gemeente: str, zoek: str) -> str | None:
        g = self._gemeente(gemeente)
        if not g:
            return None
        zoek = zoek.lower()
        return next((v.code for v in g.voorzieningen if zoek in v.code.lower() or zoek in v.naam.lower()), None)


# ---------------------------------------------------------------------------------------------------
# The platform


class Platform:
    def __init__(self, map_: Path):
        dev = map_ / "dev.json"
        if not dev.exists():
            raise DemoFout(
                f"Het platform draait niet: {dev} bestaat niet.\n"
                f"Start het eerst in een ander venster: TOEGANG_DATA_DIR={map_} toegang dev"
            )
        try:
            self.services: dict[str, str] = json.loads(dev.read_text())["services"]
        except (ValueError, KeyError) as fout:
            raise DemoFout(f"{dev} is onleesbaar ({fout}); start `toegang dev` opnieuw.") from None
        ontbreekt = {"intake", "triage", "arrangement", "signalering"} - set(self.services)
        if ontbreekt:
            raise DemoFout(f"{dev} noemt {', '.join(sorted(ontbreekt))} niet; start `toegang dev` opnieuw.")
        geheimen = map_ / "geheimen.json"
        secret = None
        if geheimen.exists():
            secret = json.loads(geheimen.read_text()).get("TOEGANG_JWT_SECRET")
        secret = secret or os.environ.get("TOEGANG_JWT_SECRET")
        if not secret:
            raise DemoFout(f"Geen TOEGANG_JWT_SECRET: {geheimen} ontbreekt en de omgeving heeft er geen.")
        self.secret = secret
        self.http = httpx.Client(timeout=5.0)
        self._tokens: dict[tuple, str] = {}

    def controleer_gezondheid(self) -> None:
        ziek = []
        for naam, url in self.services.items():
            try:
                status = self.http.get(f"{url}/health", timeout=2.0).status_code
                if status != 200:
                    ziek.append(f"{naam} ({url}) antwoordt {status}")
            except httpx.HTTPError as fout:
                ziek.append(f"{naam} ({url}) is niet bereikbaar ({type(fout).__name__})")
        if ziek:
            raise DemoFout(
                "Het platform draait niet (goed):\n  "
                + "\n  ".join(ziek)
                + "\nStart het met `toegang dev` en probeer het opnieuw."
            )

    def token(self, rol: str, gemeente: str, partner_id: str | None = None) -> str:
        sleutel = (rol, gemeente, partner_id)
        if sleutel not in self._tokens:
            self._tokens[sleutel] = maak_token(self.secret, rol, gemeente, [], partner_id, sub=f"demo-{rol}")
        return self._tokens[sleutel]

    def kop(self, rol: str, gemeente: str, partner_id: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(rol, gemeente, partner_id)}"}

    def url(self, service: str, pad: str) -> str:
        return f"{self.services[service].rstrip('/')}{pad}"


def _probleem(antwoord: httpx.Response) -> str:
    try:
        body = antwoord.json()
    except ValueError:
        return f"HTTP {antwoord.status_code}"
    tekst = f"HTTP {antwoord.status_code}: {body.get('detail') or body.get('title') or ''}".strip()
    velden = [f"{e.get('veld')}: {e.get('detail')}" for e in body.get("errors", []) if isinstance(e, dict)]
    return tekst + (" (" + "; ".join(velden) + ")" if velden else "")


def _alleen_voorzieningfouten(antwoord: httpx.Response) -> bool:
    try:
        fouten = antwoord.json().get("errors") or []
    except ValueError:
        return False
    return bool(fouten) and all(str(e.get("veld", "")).startswith("gevraagde_voorzieningen") for e in fouten)


# ---------------------------------------------------------------------------------------------------
# Sending and following one case


@dataclass
class Uitkomst:
    besluit: dict[str, Any] | None = None
    huishouden: dict[str, Any] | None = None
    in_plan: bool = False
    fout: str | None = None


def verstuur(platform: Platform, casus: Casus) -> str | None:
    """Send the case; returns an error text, or None when the platform accepted it."""
    if casus.soort == "melding":
        kop = platform.kop(casus.rol, casus.gemeente) | {"Idempotency-Key": f"demo-{uuid.uuid4()}"}
        antwoord = platform.http.post(platform.url("intake", "/v1/meldingen"), json=casus.body, headers=kop)
        if (
            antwoord.status_code == 422
            and casus.body.get("gevraagde_voorzieningen")
            and _alleen_voorzieningfouten(antwoord)
        ):
            # This gemeente's catalogue does not know the code: ask without it (aanvraag_maatwerk still
            # routes to the Wmo-consulent).
            casus.opmerkingen.append(
                "voorzieningcode onbekend in de catalogus; verstuurd zonder gevraagde_voorzieningen"
            )
            casus.body = {**casus.body, "gevraagde_voorzieningen": []}
            kop["Idempotency-Key"] = f"demo-{uuid.uuid4()}"
            antwoord = platform.http.post(platform.url("intake", "/v1/meldingen"), json=casus.body, headers=kop)
        if antwoord.status_code != 201:
            return f"melding geweigerd: {_probleem(antwoord)}"
        casus.antwoord = antwoord.json()
        casus.bron_id = casus.antwoord["melding_id"]
        casus.huishouden_id = casus.antwoord.get("huishouden_id")
        return None
    kop = platform.kop("partner", casus.gemeente, casus.partner_id)
    antwoord = platform.http.post(platform.url("signalering", "/v1/signalen"), json=casus.body, headers=kop)
    if antwoord.status_code != 202:
        return f"signaal geweigerd: {_probleem(antwoord)}"
    casus.antwoord = antwoord.json()
    if not casus.antwoord.get("casus_id"):
        return f"signaal beoordeeld als {casus.antwoord.get('beoordeling')}: geen casus, dus geen doorverwijzing"
    casus.bron_id = casus.antwoord["casus_id"]
    return None


def volg(platform: Platform, casus: Casus, wachttijd: float = WACHTTIJD) -> Uitkomst:
    """Poll triage and arrangement until the case's doorverwijzing has landed in the household's plan."""
    uitkomst = Uitkomst()
    kop = platform.kop("beheer", casus.gemeente)
    einde = time.monotonic() + wachttijd
    while True:
        try:
            if uitkomst.besluit is None:
                r = platform.http.get(
                    platform.url("triage", "/v1/besluiten"), params={"bron_id": casus.bron_id}, headers=kop
                )
                if r.status_code == 200 and r.json().get("besluiten"):
                    uitkomst.besluit = r.json()["besluiten"][-1]
                    casus.huishouden_id = casus.huishouden_id or uitkomst.besluit.get("huishouden_id")
                elif r.status_code != 200:
                    uitkomst.fout = f"triage: {_probleem(r)}"
            if uitkomst.besluit is not None and casus.huishouden_id:
                r = platform.http.get(
                    platform.url("arrangement", f"/v1/huishoudens/{casus.huishouden_id}"), headers=kop
                )
                if r.status_code == 200:
                    uitkomst.huishouden = r.json()
                    uitkomst.in_plan = any(
                        str(t.get("bron_id")) == str(casus.bron_id) for t in uitkomst.huishouden.get("tijdlijn", [])
                    )
                    if uitkomst.in_plan:
                        uitkomst.fout = None
                        return uitkomst
                elif r.status_code != 404:
                    uitkomst.fout = f"arrangement: {_probleem(r)}"
        except httpx.HTTPError as fout:
            uitkomst.fout = f"{type(fout).__name__}: {fout}"
        if time.monotonic() >= einde:
            return uitkomst
        time.sleep(POLL)


# ---------------------------------------------------------------------------------------------------
# Printing


def leesbaar(moment: str | None) -> str:
    if not moment:
        return "-"
    try:
        t = datetime.fromisoformat(moment.replace("Z", "+00:00")).astimezone(TZ)
    except ValueError:
        return moment
    return f"{DAGEN[t.weekday()]} {t.day} {MAANDEN[t.month - 1]} {t.year} {t:%H:%M} ({t.tzname()})"


def leesbare_datum(dag: str) -> str:
    try:
        d = date.fromisoformat(dag[:10])
    except ValueError:
        return dag
    return f"{DAGEN[d.weekday()]} {d.day} {MAANDEN[d.month - 1]} {d.year}"


def toon(nr: int, totaal: int, casus: Casus, uitkomst: Uitkomst | None, fout: str | None, config: Config) -> None:
    g = casus.gemeente
    kopregel = f"[{nr}/{totaal}] {GEMEENTE_NAMEN.get(g, g)} ({g}) - {casus.titel}"
    regels = [kopregel, "-" * min(len(kopregel), 100)]

    def regel(label: str, waarde: str) -> None:
        regels.append(f"  {label:<14}{waarde}")

    if casus.soort == "melding":
        b = casus.body
        regel("ingang", f"{b['soort']} via {b['kanaal']} (melder: {b['melder']['type']})")
    else:
        regel("ingang", f"signaal {casus.body['soort']} van {config.partner(g, casus.partner_id)}")
        if casus.antwoord:
            regel("beoordeling", f"{casus.antwoord.get('beoordeling')}, casus {casus.antwoord.get('casus_id')}")
    regel("verwacht", casus.verwacht)
    for opmerking in casus.opmerkingen:
        regel("let op", opmerking)
    if fout:
        regel("NIET VERWERKT", fout)
        print("\n".join(regels) + "\n", flush=True)
        return

    besluit = uitkomst.besluit if uitkomst else None
    if besluit is None:
        regel(
            "NIET AF",
            f"geen triagebesluit binnen {WACHTTIJD:.0f} s (bron_id {casus.bron_id})"
            + (f"; laatste fout: {uitkomst.fout}" if uitkomst and uitkomst.fout else ""),
        )
        print("\n".join(regels) + "\n", flush=True)
        return
    regel("route", f"{besluit.get('route')} -> {config.team(g, besluit.get('team_id'))}")
    regel("urgentie", str(besluit.get("urgentie")))
    regel("termijn tot", leesbaar(besluit.get("termijn_tot")))
    regel("grondslag", config.grondslag(g, besluit.get("termijn_grondslag")))
    regel("regel", str(besluit.get("regel_id")))
    regel("toelichting", str(besluit.get("toelichting")))

    hh = uitkomst.huishouden if uitkomst else None
    if not (uitkomst and uitkomst.in_plan and hh):
        regel(
            "NIET AF",
            f"besluit genomen, maar nog geen plan met deze doorverwijzing binnen {WACHTTIJD:.0f} s"
            + (f"; laatste fout: {uitkomst.fout}" if uitkomst and uitkomst.fout else ""),
        )
        print("\n".join(regels) + "\n", flush=True)
        return
    r = hh.get("regisseur") or {}
    wie = (
        r.get("soort", "?")
        + (f": {config.team(g, r.get('team_id'))}" if r.get("team_id") else "")
        + (f", medewerker {r['medewerker_id']}" if r.get("medewerker_id") else "")
    )
    regel("regisseur", wie)
    plan = hh.get("plan") or {}
    doorverwijzingen = [t for t in hh.get("tijdlijn", []) if t.get("soort") == "doorverwijzing"]
    eerste = str(doorverwijzingen[0].get("bron_id")) if doorverwijzingen else None
    bestaand = eerste is not None and eerste != str(casus.bron_id)
    aard = (
        f"bestaand plan: aangesloten, geen tweede plan ({len(doorverwijzingen)} doorverwijzingen in de tijdlijn)"
        if bestaand
        else "nieuw plan, regisseur toegewezen"
    )
    regel("plan", f"{plan.get('plan_id')} versie {plan.get('versie')} - {aard}")
    if plan.get("evaluatie_op"):
        regel("evaluatie op", leesbare_datum(str(plan["evaluatie_op"])))
    print("\n".join(regels) + "\n", flush=True)


# ---------------------------------------------------------------------------------------------------


def draai(data: str | None) -> None:
    from toegang.omgeving import data_dir

    map_ = Path(data).resolve() if data else data_dir()
    try:
        platform = Platform(map_)
    except DemoFout as fout:
        print(f"toegang demo: {fout}", file=sys.stderr)
        raise SystemExit(1) from None
    try:
        platform.controleer_gezondheid()
        _draai(platform, map_)
    except DemoFout as fout:
        print(f"toegang demo: {fout}", file=sys.stderr)
        raise SystemExit(1) from None
    finally:
        platform.http.close()


def _draai(platform: Platform, map_: Path) -> None:
    config = Config()
    rng = random.Random()
    casussen = maak_casussen(rng, config.voorziening)
    print(
        f"Integrale toegang demo: {len(casussen)} casussen naar het platform in {map_}\n"
        f"(per casus maximaal {WACHTTIJD:.0f} s wachten op triage en arrangement; tijden in Europe/Amsterdam)\n",
        flush=True,
    )

    afgerond = 0
    for nr, casus in enumerate(casussen, start=1):
        eerder = casussen[casus.zelfde_huishouden_als] if casus.zelfde_huishouden_als is not None else None
        if eerder is not None:
            if eerder.klaar_op is None:
                casus.opmerkingen.append("het eerdere plan van dit huishouden was niet af; de uitkomst kan afwijken")
            else:
                # Triage learns of the new regisseur from arrangement's event: give it a moment.
                time.sleep(max(0.0, eerder.klaar_op + 1.5 - time.monotonic()))
        uitkomst, fout = None, None
        try:
            fout = verstuur(platform, casus)
            if fout is None:
                uitkomst = volg(platform, casus)
                if uitkomst.in_plan:
                    casus.klaar_op = time.monotonic()
                    afgerond += 1
        except httpx.HTTPError as e:
            fout = f"platform onbereikbaar ({type(e).__name__}: {e})"
        toon(nr, len(casussen), casus, uitkomst, fout, config)

    print(
        f"{afgerond} van {len(casussen)} casussen afgerond: besluit genomen en in het plan van het huishouden.",
        flush=True,
    )
    if afgerond < len(casussen):
        print("Niet afgeronde casussen: kijk in de logs van de services (logs/ in de datamap).", flush=True)
