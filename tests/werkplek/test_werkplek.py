"""The werkplek against the real platform: sessions and form protection, the werkvoorraad and the
household page of a wijkcoach, another team's wijkcoach, productie, and the vendored assets."""

from __future__ import annotations

import hashlib
import html
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import nats
import pytest

from shared.events import DoorverwijzingGedaan, maak_event
from tests.conftest import wacht_tot
from tests.support.gegevens import BSN, NAAM, eigen_huisnummer, melding
from tests.werkplek.conftest import ORIGIN, csrf_van, instellingen, log_in, werkplek_client
from werkplek.app import maak_app
from werkplek.teksten import GRONDSLAGEN, TZ

VENDOR = Path(__file__).resolve().parents[2] / "werkplek" / "static" / "vendor"
LEIDSCHENDAM = "gm1916-gebiedsteam-leidschendam"


async def _beheer_get(platform, token, dienst: str, pad: str, **params) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.get(platform.urls[dienst] + pad, params=params, headers=token("beheer"))


async def _melding_met_plan(platform, token) -> tuple[str, dict]:
    """A melding via the intake API, its plan in arrangement and triage's decision for it."""
    async with httpx.AsyncClient() as http:
        r = await http.post(
            platform.urls["intake"] + "/v1/meldingen",
            json=melding(huisnummer=eigen_huisnummer()),
            headers=token("meldpunt"),
        )
    assert r.status_code == 201, r.text
    m = r.json()

    async def plan():
        r = await _beheer_get(platform, token, "arrangement", f"/v1/huishoudens/{m['huishouden_id']}")
        return r.status_code == 200 and r.json()

    async def besluit():
        r = await _beheer_get(platform, token, "triage", "/v1/besluiten", bron_id=m["melding_id"])
        return r.status_code == 200 and r.json()["besluiten"]

    await wacht_tot(plan, timeout=20)
    [b] = await wacht_tot(besluit, timeout=20)
    return m["huishouden_id"], b


async def _publiceer_doorverwijzing(nats_server, huishouden_id: str, termijn_tot: datetime) -> None:
    data = DoorverwijzingGedaan(
        doorverwijzing_id=uuid.uuid4(),
        gemeente="GM1916",
        bron_id=uuid.uuid4(),
        bron_soort="melding",
        huishouden_id=huishouden_id,
        wijk="damsigt",
        route="wijkteam",
        team_id=LEIDSCHENDAM,
        urgentie="regulier",
        termijn_tot=termijn_tot,
        termijn_grondslag="outreach-2-werkdagen",
        regel_id="test-werkplek",
        toelichting="test",
    )
    event = maak_event(
        data, service="triage", gemeente="GM1916", subject=str(data.doorverwijzing_id), correlatieid=str(data.bron_id)
    )
    nc = await nats.connect(nats_server.url)
    await nc.jetstream().publish(
        event.nats_subject, event.model_dump_json().encode(), headers={"Nats-Msg-Id": str(event.id)}
    )
    await nc.drain()


# --- sessions and form protection ---------------------------------------------------------------------


async def test_inloggen_geeft_een_httponly_cookie_met_alleen_een_sessie_id(werkplek):
    async with werkplek() as w:
        voor = (await w.get("/inloggen")).cookies.get("werkplek_sessie")
        r = await log_in(w, rol="wijkcoach", gemeente="GM1916", team=LEIDSCHENDAM)
        cookie = r.headers["set-cookie"]
        waarde = re.match(r"werkplek_sessie=([^;]+)", cookie).group(1)
        assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
        assert "Secure" not in cookie  # ontwikkeling: plain http on localhost
        assert waarde != voor  # a new session id at login (no session fixation)
        [sessie] = [s for s in w.app.state.sessies._sessies.values() if s.aangemeld]
        assert sessie.token and sessie.token not in cookie and not waarde.startswith("eyJ")
        assert sessie.gebruiker.teams == [LEIDSCHENDAM]
        assert (await w.get("/werkvoorraad")).status_code == 200


async def test_post_zonder_csrf_token_of_van_een_andere_origin_wordt_geweigerd(werkplek):
    async with werkplek() as w:
        await log_in(w, rol="wijkcoach", gemeente="GM1916", team=LEIDSCHENDAM)
        csrf = csrf_van((await w.get("/werkvoorraad")).text)

        zonder_token = await w.post("/uitloggen", data={}, headers={"Origin": ORIGIN})
        fout_token = await w.post("/uitloggen", data={"csrf_token": "x" + csrf}, headers={"Origin": ORIGIN})
        vreemd = await w.post("/uitloggen", data={"csrf_token": csrf}, headers={"Origin": "https://kwaad.example"})
        geen_origin = await w.post("/uitloggen", data={"csrf_token": csrf})
        for r in (zonder_token, fout_token, vreemd, geen_origin):
            assert r.status_code == 403, r.text
            assert r.headers["content-type"].startswith("text/html")
        assert (await w.get("/werkvoorraad")).status_code == 200  # still logged in: nothing happened

        uit = await w.post("/uitloggen", data={"csrf_token": csrf}, headers={"Origin": ORIGIN})
        assert uit.status_code == 303 and uit.headers["location"] == "/inloggen"
        assert not any(s.aangemeld for s in w.app.state.sessies._sessies.values())
        weg = await w.get("/werkvoorraad")
        assert weg.status_code == 303 and weg.headers["location"] == "/inloggen"


async def test_inloggen_met_fouten_toont_ze_bij_het_veld(werkplek):
    async with werkplek() as w:
        pagina = await w.get("/inloggen")
        r = await w.post(
            "/inloggen",
            data={"csrf_token": csrf_van(pagina.text), "rol": "inwoner", "bsn": "123456780"},
            headers={"Origin": ORIGIN},
        )
        assert r.status_code == 422
        assert 'id="bsn-fout"' in r.text and 'aria-describedby="bsn-fout"' in r.text
        assert "123456780" not in r.text  # a BSN never travels back into the page


async def test_productie_weigert_de_ontwikkellogin_en_zet_een_secure_cookie():
    with pytest.raises(SystemExit, match="TOEGANG_JWT_SECRET"):  # as the services: no dev secret in productie
        maak_app(instellingen(TOEGANG_OMGEVING="productie", TOEGANG_JWT_SECRET="dev-geheim"))
    async with werkplek_client(instellingen(TOEGANG_OMGEVING="productie")) as w:
        pagina = await w.get("/inloggen")
        assert pagina.status_code == 200 and "productieomgeving" in pagina.text
        assert 'name="rol"' not in pagina.text
        cookie = pagina.headers["set-cookie"]
        assert cookie.startswith("__Host-werkplek_sessie=") and "Secure" in cookie and "HttpOnly" in cookie
        # The browser would not send a Secure cookie over http; the test client does, so the POST is tried.
        sessie_id = re.match(r"__Host-werkplek_sessie=([^;]+)", cookie).group(1)
        w.cookies.set("__Host-werkplek_sessie", sessie_id)
        r = await w.post(
            "/inloggen",
            data={"csrf_token": csrf_van_sessie(w, sessie_id), "rol": "beheer", "gemeente": "GM1916"},
            headers={"Origin": ORIGIN},
        )
        assert r.status_code == 403 and "productieomgeving" in r.text
        assert not any(s.aangemeld for s in w.app.state.sessies._sessies.values())


async def pagina_met(w, adres: str, tekst: str):
    """The werkvoorraad page (50 rows each, soonest first) that holds `tekst`, following "Volgende pagina":
    on the shared test platform the team has the open work of every other test too."""
    while True:
        r = await w.get(adres)
        if tekst in r.text:
            return r
        volgende = re.search(r'href="([^"]+)" rel="next"', r.text)
        if volgende is None:
            return None
        adres = html.unescape(volgende.group(1))


def csrf_van_sessie(w, sessie_id: str) -> str:
    return w.app.state.sessies._sessies[sessie_id].csrf


# --- the wijkcoach's work ------------------------------------------------------------------------------


async def test_wijkcoach_vindt_de_melding_in_de_werkvoorraad_en_leest_waarom_die_bij_hem_kwam(
    platform, token, werkplek
):
    huishouden_id, besluit = await _melding_met_plan(platform, token)
    team = besluit["team_id"]
    async with werkplek() as w:
        await log_in(w, rol="wijkcoach", gemeente="GM1916", team=team)
        link = f'href="/huishoudens/{huishouden_id}"'

        async def in_werkvoorraad():
            return await pagina_met(w, "/werkvoorraad", link)

        lijst = await wacht_tot(in_werkvoorraad, timeout=20)
        assert lijst.headers["cache-control"] == "no-store"
        assert html.escape(GRONDSLAGEN[besluit["termijn_grondslag"]]) in lijst.text  # the grondslag in words
        # Filters are query parameters: a reload keeps them, and the form shows what was chosen.
        gefilterd = await pagina_met(w, f"/werkvoorraad?team={team}", link)
        assert gefilterd and f'value="{team}" selected' in gefilterd.text
        assert (await w.get("/werkvoorraad", params={"team": "gm1916-ssp"})).status_code == 200
        assert await pagina_met(w, "/werkvoorraad?team=gm1916-ssp", link) is None  # on no page

        pagina = await w.get(f"/huishoudens/{huishouden_id}")
        assert pagina.status_code == 200, pagina.text
        assert pagina.headers["cache-control"] == "no-store"
        assert html.escape(besluit["toelichting"]) in pagina.text  # the rule's sentence, from triage
        assert besluit["regel_id"] in pagina.text
        assert re.search(r"<title>Huishouden – ", pagina.text)
        for persoonsgegeven in (BSN, NAAM):  # arrangement has none; nor may the page
            assert persoonsgegeven not in pagina.text


async def test_te_laat_en_vandaag_vallen_op_in_kleur_en_tekst_en_de_eerste_termijn_staat_bovenaan(
    platform, token, nats_server, werkplek
):
    nu = datetime.now(UTC)
    te_laat, straks = uuid.uuid4().hex * 2, uuid.uuid4().hex * 2
    await _publiceer_doorverwijzing(nats_server, straks, nu + timedelta(minutes=5))
    await _publiceer_doorverwijzing(nats_server, te_laat, nu - timedelta(hours=1))
    zelfde_dag = (nu + timedelta(minutes=5)).astimezone(TZ).date() == nu.astimezone(TZ).date()
    verwacht_straks = "Vandaag" if zelfde_dag else "Binnenkort"
    async with werkplek() as w:
        await log_in(w, rol="wijkcoach", gemeente="GM1916", team=LEIDSCHENDAM)

        async def beide():
            r = await w.get("/werkvoorraad")
            return te_laat in r.text and straks in r.text and r.text

        tekst = await wacht_tot(beide, timeout=20)
        rijen = re.findall(r'<tr class="utrecht-table__row werkplek-rij--(\w+)">(.*?)</tr>', tekst, re.S)
        # A new plan carries more deadlines (its evaluation): the doorverwijzing's is the household's first.
        eerste = {h: next((s, r) for s, r in rijen if h in r) for h in (te_laat, straks)}
        staat, rij = eerste[te_laat]
        assert staat == "verlopen" and "Te laat" in rij and "utrecht-status-badge--danger" in rij, rij
        staat, rij = eerste[straks]
        assert verwacht_straks in rij and staat == verwacht_straks.lower(), rij
        assert tekst.index(te_laat) < tekst.index(straks)  # soonest (here: overdue) first

        alleen_te_laat = await w.get("/werkvoorraad", params={"staat": "verlopen"})
        assert te_laat in alleen_te_laat.text and straks not in alleen_te_laat.text
        assert 'value="verlopen" selected' in alleen_te_laat.text


async def test_wijkcoach_van_een_ander_team_krijgt_niets_van_het_huishouden(platform, token, werkplek):
    huishouden_id, besluit = await _melding_met_plan(platform, token)
    ander_team = "gm1916-gebiedsteam-voorburg-midden"
    assert besluit["team_id"] != ander_team
    async with werkplek() as w:
        await log_in(w, rol="wijkcoach", gemeente="GM1916", team=ander_team)
        pagina = await w.get(f"/huishoudens/{huishouden_id}")
        assert pagina.status_code == 404  # the service's 404 as a page, not the werkplek's 500
        assert pagina.headers["content-type"].startswith("text/html")
        assert "Niet gevonden" in pagina.text
        assert html.escape(besluit["toelichting"]) not in pagina.text and besluit["regel_id"] not in pagina.text
        assert await pagina_met(w, "/werkvoorraad", huishouden_id) is None  # on no page


async def test_wijkcoach_van_een_andere_gemeente_krijgt_niets_van_het_huishouden(platform, token, werkplek):
    huishouden_id, besluit = await _melding_met_plan(platform, token)
    async with werkplek() as w:
        await log_in(w, rol="wijkcoach", gemeente="GM0546", team=besluit["team_id"])  # same team id, other gemeente
        pagina = await w.get(f"/huishoudens/{huishouden_id}")
        assert pagina.status_code == 404 and "Niet gevonden" in pagina.text
        assert html.escape(besluit["toelichting"]) not in pagina.text
        assert await pagina_met(w, "/werkvoorraad", huishouden_id) is None


async def test_niet_aangemeld_gaat_naar_inloggen_en_health_antwoordt(werkplek):
    async with werkplek() as w:
        assert (await w.get("/health")).json() == {"status": "ok"}
        r = await w.get(f"/huishoudens/{'a' * 64}")
        assert r.status_code == 303 and r.headers["location"] == "/inloggen"


# --- the vendored assets ---------------------------------------------------------------------------------


def test_het_manifest_beschrijft_elk_bestand_met_de_juiste_sha256_en_licentie():
    manifest = json.loads((VENDOR / "MANIFEST.json").read_text())
    genoemd = set()
    for pakket in manifest["packages"]:
        assert pakket["version"] and pakket["source"].startswith("https://registry.npmjs.org/")
        assert pakket["licence"] in {"EUPL-1.2", "0BSD"}, pakket
        for bestand in pakket["files"]:
            inhoud = (VENDOR / bestand["path"]).read_bytes()
            assert hashlib.sha256(inhoud).hexdigest() == bestand["sha256"], bestand["path"]
            genoemd.add(bestand["path"])
    aanwezig = {str(p.relative_to(VENDOR)) for p in VENDOR.rglob("*") if p.is_file() and p.name != "MANIFEST.json"}
    assert aanwezig == genoemd  # nothing vendored without its line in the manifest
    assert any(p["package"] == "htmx.org" and p["version"].startswith("2.") for p in manifest["packages"])
