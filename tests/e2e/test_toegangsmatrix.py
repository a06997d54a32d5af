"""The access matrix (docs/toegangsmatrix.yaml), walked against the running services.

Generated from the written matrix: every endpoint × every role × every scope (own team, another team,
another gemeente), and without a token. A new endpoint in a service's OpenAPI without an entry in the
matrix fails `test_elk_endpoint_staat_in_de_matrix`. Requests carry valid bodies, so that what is
measured is the decision on who may, not input validation.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from shared.gemeenten import laad_gemeenten
from tests.conftest import wacht_tot
from tests.e2e.test_skeleton import huishouden, post_melding
from tests.support.gegevens import geldig_bsn, melding

ROOT = Path(__file__).resolve().parents[2]
MATRIX = yaml.safe_load((ROOT / "docs" / "toegangsmatrix.yaml").read_text(encoding="utf-8"))
ROLLEN: list[str] = MATRIX["rollen"]
SCOPES = ("eigen", "ander_team", "andere_gemeente")
GEMEENTEN = laad_gemeenten(ROOT / "config" / "gemeenten")
PARTNER = {"eigen": "gm1916-vidomes", "ander_team": "gm1916-eneco", "andere_gemeente": "gm0546-portaal"}
ANDER_TEAM = "gm1916-cjg"
OMVANG = {"volume": 4, "eenheid": "uur", "frequentie": "week"}
ADRES = {"postcode": "2264 AB", "huisnummer": 9101}
WIJZIGINGEN = itertools.count()
GEEN_DLQ_SEQ = 999_999_999  # no DLQ entry has it: the matrix measures who may replay, not the replay


def verwachting(entry: dict, scope: str, rol: str) -> str:
    eigen = entry["eigen"]
    basis = eigen.get(rol, eigen.get("*"))
    if scope == "eigen":
        return str(basis)
    afwijking = entry.get(scope) or {}
    return str(afwijking.get(rol, afwijking.get("*", basis)))


def _volgorde(entry: dict) -> tuple:
    # Reads first, then changes, closing last: a closed plan or casus answers changes with 409.
    methode, pad = entry["endpoint"].split(" ", 1)
    return (pad.endswith("/afsluiten"), methode != "GET")


ENTRIES = sorted(MATRIX["endpoints"], key=_volgorde)
CASES = [(e, scope, rol) for e in ENTRIES for scope in SCOPES for rol in ROLLEN]


def case_id(case) -> str:
    e, scope, rol = case
    return f"{e['service']} {e['endpoint']} {scope} {rol}"


@dataclass
class Bronnen:
    melding_id: str
    huishouden_id: str
    plan_id: str
    plan_team: str
    melding_team: str
    casus_id: str
    casus_team: str
    signaal_id: str
    beschikking_id: str
    bsn: str
    bezwaar_id: str
    klacht_id: str
    contact_id: str
    escalatie_id: str


@pytest.fixture(scope="module")
async def bronnen(platform, token) -> Bronnen:
    bsn = geldig_bsn()
    m = await post_melding(platform, token, melding(huisnummer=ADRES["huisnummer"], bsn=bsn))
    h = await wacht_tot(lambda: huishouden(platform, token, m["huishouden_id"]), timeout=15)
    plan_id, plan_team = h["plan"]["plan_id"], h["regisseur"]["team_id"]
    async with httpx.AsyncClient() as http:

        async def melding_team():
            r = await http.get(f"{platform.urls['intake']}/v1/meldingen/{m['melding_id']}", headers=token("beheer"))
            return r.json().get("team_id")

        mteam = await wacht_tot(melding_team)
        signaal = await http.post(
            f"{platform.urls['signalering']}/v1/signalen",
            json=signaal_body("gm1916-vidomes", huisnummer=9102),
            headers=token("partner", gemeente=None, partner_id="gm1916-vidomes"),
        )
        assert signaal.status_code == 202, signaal.text
        casus_id = signaal.json()["casus_id"]

        async def casus_team():
            r = await http.get(f"{platform.urls['signalering']}/v1/casussen/{casus_id}", headers=token("beheer"))
            return r.json().get("team_id")

        cteam = await wacht_tot(casus_team, timeout=15)
        consulent = token("consulent")
        a = await http.post(
            f"{platform.urls['arrangement']}/v1/plannen/{plan_id}/aanvragen",
            json={"voorzieningen": ["begeleiding-individueel"]},
            headers=consulent,
        )
        assert a.status_code == 201, a.text
        b = await http.post(
            f"{platform.urls['arrangement']}/v1/plannen/{plan_id}/beschikkingen",
            json={**beschikking_body(), "aanvraag_id": a.json()["aanvraag_id"]},
            headers=consulent,
        )
        assert b.status_code == 201, b.text
        plan = f"{platform.urls['arrangement']}/v1/plannen/{plan_id}"
        bezwaar = await http.post(
            f"{plan}/beschikkingen/{b.json()['beschikking_id']}/bezwaren",
            json=BEZWAAR,
            headers=consulent,
        )
        klacht = await http.post(f"{plan}/klachten", json=KLACHT, headers=consulent)
        assert bezwaar.status_code == 201 and klacht.status_code == 201, bezwaar.text + klacht.text
        contact = await http.post(f"{platform.urls['intake']}/v1/lichte-contacten", json=CONTACT, headers=consulent)
        escalatie = await http.post(
            f"{plan}/escalaties", json={"reden": "geen_voortgang"}, headers=token("wijkcoach", teams=[plan_team])
        )
        assert contact.status_code == 201 and escalatie.status_code == 201, contact.text + escalatie.text
    return Bronnen(
        m["melding_id"],
        m["huishouden_id"],
        plan_id,
        plan_team,
        mteam,
        casus_id,
        cteam,
        signaal.json()["signaal_id"],
        b.json()["beschikking_id"],
        bsn,
        bezwaar.json()["bezwaar_id"],
        klacht.json()["klacht_id"],
        contact.json()["contact_id"],
        escalatie.json()["escalatie_id"],
    )


BEZWAAR = {"ontvangen_op": str(date.today())}
KLACHT = {"ontvangen_op": str(date.today()), "over": "gemeente", "onderwerpen": ["bejegening"]}
CONTACT = {"gemeente": "GM1916", "kanaal": "balie", "themas": ["financien"], "uitkomst": "beantwoord"}


def signaal_body(partner_id: str, huisnummer: int | None = None) -> dict:
    partner = next(p for g in GEMEENTEN.codes for p in GEMEENTEN[g].partners if p.partner_id == partner_id)
    soort = next(s for s in partner.soorten if s != "einde_levering")
    return {
        "partner_signaal_id": f"matrix-{uuid.uuid4()}",
        "soort": soort,
        "betreft": {"bsn": geldig_bsn(), "adres": {"postcode": "2264 AB", "huisnummer": huisnummer or 9103}},
        "bedrag_achterstand_cent": 90_000,
        "achterstand_sinds": str(date.today() - timedelta(days=120)),
    }


def beschikking_body() -> dict:
    return {
        "ingangsdatum": str(date.today() + timedelta(days=7)),
        "einddatum": str(date.today() + timedelta(days=365)),
        "voorzieningen": [{"code": "begeleiding-individueel", "productcode": "02A01", "omvang": OMVANG}],
    }


def wijziging_body() -> dict:
    # Each change starts after the previous one (a change goes in during the term, after its start).
    return {
        **beschikking_body(),
        "ingangsdatum": str(date.today() + timedelta(days=30 + next(WIJZIGINGEN))),
        "reden_wijziging": "opschaling",
    }


def proef_data() -> dict:
    return dict(
        melding_id=str(uuid.uuid4()),
        gemeente="GM1916",
        ontvangen_op="2026-11-23T10:00:00+01:00",
        kanaal="telefoon",
        soort="hulpvraag",
        melder_type="inwoner_zelf",
        huishouden_id="d" * 64,
        persoon_sleutels=["e" * 64],
        leeftijdscategorie="23-64",
        wijk="damsigt",
        levensgebieden=[],
        zrm={},
        veiligheid={},
        crisis=False,
        spoed=False,
        gevraagde_voorzieningen=[],
        inwoner_op_de_hoogte=True,
    )


def verzoek(entry: dict, b: Bronnen, partner_id: str | None) -> tuple[str, str, dict[str, Any], Any]:
    """Method, path, request arguments, and a test that the answer contains the resource."""
    vandaag = date.today()
    tabel = {
        "POST /v1/meldingen": ({"json": melding(huisnummer=9104)}, None),
        "GET /v1/meldingen/{melding_id}": ({}, None),
        "GET /v1/meldingen/{melding_id}/status": ({}, None),
        "GET /v1/besluiten": ({"params": {"bron_id": b.melding_id}}, lambda j: bool(j["besluiten"])),
        "GET /v1/regels/{gemeente}": ({}, None),
        "POST /v1/regels/{gemeente}/proef": ({"json": proef_data()}, None),
        "POST /v1/signalen": ({"json": signaal_body(partner_id or PARTNER["eigen"])}, None),
        "POST /v1/signalen/batch": ({"json": {"signalen": [signaal_body(partner_id or PARTNER["eigen"])]}}, None),
        "GET /v1/signalen/{signaal_id}/terugkoppeling": ({}, None),
        "GET /v1/casussen/{casus_id}": ({}, None),
        "POST /v1/casussen/{casus_id}/contactpogingen": (
            {"json": {"soort": "telefoon", "bereikt": False, "datum": str(vandaag), "dagdeel": "ochtend"}},
            None,
        ),
        "POST /v1/casussen/{casus_id}/afsluiten": ({"json": {"resultaat": "hulp_gestart"}}, None),
        "GET /v1/huishoudens/{huishouden_id}": ({}, None),
        "GET /v1/werkvoorraad": ({}, lambda j: any(w["plan_id"] == b.plan_id for w in j["werkvoorraad"])),
        "POST /v1/plannen/{plan_id}/versies": (
            {
                "json": {
                    "doelen": [{"levensgebied": "huisvesting", "zrm_nu": 3, "zrm_doel": 4}],
                    "voorzieningen": [{"code": "mantelzorg"}],
                    "evaluatie_op": str(vandaag + timedelta(weeks=10)),
                }
            },
            None,
        ),
        "POST /v1/plannen/{plan_id}/regisseur": (
            {"json": {"regisseur": {"soort": "professional", "team_id": b.plan_team}, "reden": "werkverdeling"}},
            None,
        ),
        "POST /v1/plannen/{plan_id}/aanvragen": ({"json": {"voorzieningen": ["begeleiding-individueel"]}}, None),
        "POST /v1/plannen/{plan_id}/beschikkingen": ({"json": beschikking_body()}, None),
        "POST /v1/plannen/{plan_id}/beschikkingen/{beschikking_id}/wijzigingen": ({"json": wijziging_body}, None),
        "POST /v1/plannen/{plan_id}/gesprekken": (
            {
                "json": {
                    "datum": str(vandaag),
                    "vorm": "thuis",
                    "deelnemers": ["inwoner", "mantelzorger"],
                    "clientondersteuning_gewezen_op": str(vandaag),
                }
            },
            None,
        ),
        "POST /v1/plannen/{plan_id}/verslagen": ({"json": {"verstuurd_op": str(vandaag)}}, None),
        "POST /v1/plannen/{plan_id}/klachten": ({"json": KLACHT}, None),
        "POST /v1/plannen/{plan_id}/klachten/{klacht_id}/verdaging": ({"json": {"reden": "hoorzitting"}}, None),
        "POST /v1/plannen/{plan_id}/klachten/{klacht_id}/afhandeling": (
            {"json": {"uitkomst": "ongegrond", "afgehandeld_op": str(vandaag)}},
            None,
        ),
        "POST /v1/plannen/{plan_id}/beschikkingen/{beschikking_id}/bezwaren": ({"json": BEZWAAR}, None),
        "POST /v1/plannen/{plan_id}/bezwaren/{bezwaar_id}/verdaging": ({"json": {"reden": "hoorzitting"}}, None),
        "POST /v1/plannen/{plan_id}/bezwaren/{bezwaar_id}/beslissing": (
            {"json": {"uitkomst": "ongegrond", "besloten_op": str(vandaag)}},
            None,
        ),
        "POST /v1/plannen/{plan_id}/contactpogingen": (
            {"json": {"soort": "telefoon", "bereikt": False, "datum": str(vandaag), "dagdeel": "middag"}},
            None,
        ),
        "POST /v1/plannen/{plan_id}/doorverwijzingen": (
            {"json": {"voorziening": "schuldhulpverlening", "aanbieder_id": "gm1916-humanitas-thuisadministratie"}},
            None,
        ),
        "POST /v1/plannen/{plan_id}/evaluaties": (
            {
                "json": {
                    "datum": str(vandaag),
                    "uitkomst": "deels_bereikt",
                    "volgende_evaluatie_op": str(vandaag + timedelta(weeks=8)),
                }
            },
            None,
        ),
        "POST /v1/plannen/{plan_id}/afsluiten": ({"json": {"resultaat": "doelen_bereikt"}}, None),
        "POST /v1/lichte-contacten": ({"json": CONTACT}, None),
        "GET /v1/lichte-contacten/{contact_id}": ({}, None),
        "POST /v1/lichte-contacten/{contact_id}/melding": (
            {"json": {k: v for k, v in melding(huisnummer=9105).items() if k not in ("gemeente", "kanaal")}},
            None,
        ),
        "GET /v1/sociale-kaart/{gemeente}": ({"params": {"thema": "financien"}}, None),
        "GET /v1/sociale-kaart/{gemeente}/{aanbieder_id}": ({}, None),
        "GET /v1/escalaties": (
            {"params": {"alle": "true"}},
            lambda j: any(e["escalatie_id"] == b.escalatie_id for e in j),
        ),
        "POST /v1/plannen/{plan_id}/escalaties": ({"json": {"reden": "partners_niet_eens"}}, None),
        "POST /v1/plannen/{plan_id}/escalaties/{escalatie_id}/teruggave": (
            {"json": {"instructie": "plan_bijstellen", "opvolgen_voor": str(vandaag + timedelta(days=14))}},
            None,
        ),
        "POST /v1/plannen/{plan_id}/escalaties/{escalatie_id}/regie": ({"json": {}}, None),
        "GET /v1/stuurinformatie/{gemeente}": ({"params": {"periode": str(vandaag.year)}}, None),
        "GET /v1/stuurinformatie/{gemeente}/export.csv": ({"params": {"periode": str(vandaag.year)}}, None),
        "GET /v1/mijn/meldingen": ({}, lambda j: any(m["melding_id"] == b.melding_id for m in j["meldingen"])),
        "GET /v1/mijn/verwerkingen": ({}, None),
        "GET /v1/mijn/huishouden": ({}, lambda j: any(h["plan"]["plan_id"] == b.plan_id for h in j["huishoudens"])),
        "POST /v1/mijn/plannen/{plan_id}/reacties": (
            {"json": {"soort": "contactverzoek", "voorkeur": "telefoon"}},
            None,
        ),
        "POST /v1/mijn/plannen/{plan_id}/versies": (
            {"json": {"doelen": [{"levensgebied": "huisvesting"}], "evaluatie_op": str(vandaag + timedelta(weeks=8))}},
            None,
        ),
        "POST /v1/verwerkingslog/zoeken": ({"json": {"bsn": b.bsn, "adres": ADRES}}, lambda j: j["aantal"] > 0),
        "GET /v1/beheer/status": ({}, None),
        "GET /v1/beheer/dlq": ({}, None),
        "POST /v1/beheer/dlq/{seq}/replay": ({}, None),
    }
    argumenten, bevat = tabel[entry["endpoint"]]
    if callable(argumenten.get("json")):
        argumenten = {**argumenten, "json": argumenten["json"]()}
    methode, sjabloon = entry["endpoint"].split(" ", 1)
    pad = sjabloon.format(
        melding_id=b.melding_id,
        gemeente="GM1916",
        signaal_id=b.signaal_id,
        casus_id=b.casus_id,
        huishouden_id=b.huishouden_id,
        plan_id=b.plan_id,
        beschikking_id=b.beschikking_id,
        bezwaar_id=b.bezwaar_id,
        klacht_id=b.klacht_id,
        contact_id=b.contact_id,
        escalatie_id=b.escalatie_id,
        aanbieder_id="gm1916-ssp",
        seq=GEEN_DLQ_SEQ,
    )
    return methode, pad, argumenten, bevat


def team_van(entry: dict, b: Bronnen) -> str | None:
    return {"melding": b.melding_team, "plan": b.plan_team, "casus": b.casus_team}.get(entry["bron"])


def token_voor(token, entry: dict, b: Bronnen, scope: str, rol: str) -> tuple[dict, str | None]:
    if rol == "partner":
        partner_id = PARTNER[scope]
        return token("partner", gemeente=None, partner_id=partner_id), partner_id
    gemeente = "GM0546" if scope == "andere_gemeente" else "GM1916"
    if rol == "inwoner":  # the resident the melding is about, logged in with DigiD (his BSN in the token)
        return token(rol, gemeente=gemeente, bsn=b.bsn), None
    eigen_team = team_van(entry, b)
    teams = [ANDER_TEAM] if scope == "ander_team" else ([eigen_team] if eigen_team else [])
    return token(rol, gemeente=gemeente, teams=teams), None


def klopt(verwacht: str, r: httpx.Response, bevat) -> bool:
    if verwacht == "ok":
        return 200 <= r.status_code < 300 or r.status_code == 409
    if verwacht in ("bevat", "leeg"):
        return r.status_code == 200 and bevat is not None and bevat(r.json()) == (verwacht == "bevat")
    return r.status_code == int(verwacht)


PERSOONSGEGEVENS = [e for e in MATRIX["endpoints"] if e.get("persoonsgegevens")]


@pytest.mark.parametrize("entry", PERSOONSGEGEVENS, ids=[f"{e['service']} {e['endpoint']}" for e in PERSOONSGEGEVENS])
async def test_elke_inzage_van_persoonsgegevens_staat_in_het_verwerkingslog(platform, token, bronnen, entry):
    """For every endpoint the matrix marks as a read of personal data: one read, one more log entry, with
    the reader as actor, findable by the operator (beheer) by the resident's BSN and address."""
    basis = platform.urls[entry["service"]]
    zoek = {"json": {"bsn": bronnen.bsn, "adres": ADRES}, "headers": token("beheer")}
    lezer = token("consulent", teams=[team_van(entry, bronnen)])
    async with httpx.AsyncClient(timeout=30) as http:
        voor = (await http.post(f"{basis}/v1/verwerkingslog/zoeken", **zoek)).json()["aantal"]
        methode, pad, argumenten, _ = verzoek(entry, bronnen, None)
        assert (await http.request(methode, basis + pad, headers=lezer, **argumenten)).status_code == 200
        na = (await http.post(f"{basis}/v1/verwerkingslog/zoeken", **zoek)).json()
        geweigerd = await http.request(
            methode, basis + pad, headers=token("consulent", gemeente="GM0546"), **argumenten
        )
        daarna = (await http.post(f"{basis}/v1/verwerkingslog/zoeken", **zoek)).json()["aantal"]
    assert na["aantal"] == voor + 1
    laatste = na["verwerkingen"][-1]
    assert laatste["actor"].startswith("consulent:") and laatste["trace_id"]
    assert geweigerd.status_code == 404 and daarna == na["aantal"]  # a refused read is no read


# Runs after the reads above: the matrix closes the plan and the casus at its end.
@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
async def test_toegangsmatrix(platform, token, bronnen, case):
    entry, scope, rol = case
    verwacht = verwachting(entry, scope, rol)
    kop, partner_id = token_voor(token, entry, bronnen, scope, rol)
    methode, pad, argumenten, bevat = verzoek(entry, bronnen, partner_id)
    async with httpx.AsyncClient(timeout=30) as http:
        r = await http.request(methode, platform.urls[entry["service"]] + pad, headers=kop, **argumenten)
    assert klopt(verwacht, r, bevat), f"verwacht {verwacht}, kreeg {r.status_code}: {r.text[:300]}"


@pytest.mark.parametrize("entry", ENTRIES, ids=[f"{e['service']} {e['endpoint']}" for e in ENTRIES])
async def test_zonder_token(platform, bronnen, entry):
    methode, pad, argumenten, _ = verzoek(entry, bronnen, None)
    async with httpx.AsyncClient(timeout=30) as http:
        r = await http.request(methode, platform.urls[entry["service"]] + pad, **argumenten)
    assert r.status_code == int(entry.get("zonder_token", 401)), r.text[:300]


async def test_elk_endpoint_staat_in_de_matrix(platform):
    in_matrix = {(e["service"], e["endpoint"]) for e in MATRIX["endpoints"]}
    openbaar = set(MATRIX["openbaar"])
    gezien = set()
    async with httpx.AsyncClient() as http:
        for service, basis in platform.urls.items():
            spec = (await http.get(f"{basis}/openapi.json")).json()
            for pad, operaties in spec["paths"].items():
                for methode in operaties:
                    endpoint = f"{methode.upper()} {pad}"
                    gezien.add((service, endpoint))
                    assert (service, endpoint) in in_matrix or endpoint in openbaar, (
                        f"{service} {endpoint} staat niet in docs/toegangsmatrix.yaml"
                    )
            for endpoint in openbaar:  # open to all, without a token
                methode, pad = endpoint.split(" ", 1)
                assert (await http.request(methode, basis + pad)).status_code == 200, f"{service} {endpoint}"
    assert in_matrix <= gezien, f"in de matrix maar niet in de API: {sorted(in_matrix - gezien)}"
    assert len(CASES) == len(MATRIX["endpoints"]) * len(SCOPES) * len(ROLLEN)
