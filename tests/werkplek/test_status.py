"""/status: a melder without an account follows his melding with its number and terugkoppelcode."""

from __future__ import annotations

import uuid

import httpx

from tests.support.gegevens import BSN, MELDER, NAAM, eigen_huisnummer, melding
from tests.werkplek.conftest import ORIGIN, csrf_van
from werkplek.status import NIET_GEVONDEN, STATUS_TEKST


async def _melding(platform, token) -> dict:
    body = melding(huisnummer=eigen_huisnummer())
    assert body["melder"]["wil_terugkoppeling"] is True
    async with httpx.AsyncClient() as http:
        r = await http.post(platform.urls["intake"] + "/v1/meldingen", json=body, headers=token("meldpunt"))
    assert r.status_code == 201, r.text
    m = r.json()
    assert m["terugkoppelcode"]
    return m


async def _vraag(w: httpx.AsyncClient, melding_id: str, code: str) -> httpx.Response:
    formulier = await w.get("/status")
    assert formulier.status_code == 200 and formulier.headers["cache-control"] == "no-store"
    data = {"csrf_token": csrf_van(formulier.text), "melding_id": melding_id, "terugkoppelcode": code}
    return await w.post("/status", data=data, headers={"Origin": ORIGIN})


def _ingevuld(pagina: str) -> str:
    return pagina.split('name="melding_id" value="')[1].split('"')[0]


def _zonder(pagina: str, nummer: str) -> str:
    return pagina.replace(nummer, "").replace(csrf_van(pagina), "")


async def test_de_juiste_code_toont_de_status_en_nooit_persoonsgegevens(werkplek, platform, token):
    m = await _melding(platform, token)
    async with werkplek() as w:  # never logged in
        r = await _vraag(w, m["melding_id"], m["terugkoppelcode"])
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    assert "Uw melding is ontvangen" in r.text  # geregistreerd (or later: still in the history)
    assert NIET_GEVONDEN not in r.text
    for geheim in (m["terugkoppelcode"], BSN, NAAM, MELDER, m["huishouden_id"]):
        assert geheim not in r.text


async def test_een_verkeerde_code_en_een_onbekend_nummer_geven_dezelfde_neutrale_melding(werkplek, platform, token):
    m = await _melding(platform, token)
    async with werkplek() as w:
        fout = await _vraag(w, m["melding_id"], "x" + m["terugkoppelcode"])
        onbekend = await _vraag(w, str(uuid.uuid4()), m["terugkoppelcode"])
    for r in (fout, onbekend):
        assert r.status_code == 200, r.text
        assert NIET_GEVONDEN in r.text
        assert not any(tekst in r.text for tekst in STATUS_TEKST.values())
        assert 'name="terugkoppelcode"' in r.text  # the form again
    # The same page, but for the number typed in and the form's CSRF token: nothing tells them apart.
    assert _zonder(fout.text, m["melding_id"]) == _zonder(onbekend.text, _ingevuld(onbekend.text))


async def test_een_misvormd_nummer_is_een_fout_bij_het_veld(werkplek):
    async with werkplek() as w:
        r = await _vraag(w, "niet-een-nummer", "abc")
    assert r.status_code == 422
    assert 'id="melding_id-fout"' in r.text and 'aria-invalid="true"' in r.text
    assert NIET_GEVONDEN not in r.text


async def test_een_post_zonder_csrf_token_of_van_elders_wordt_geweigerd(werkplek, platform, token):
    m = await _melding(platform, token)
    velden = {"melding_id": m["melding_id"], "terugkoppelcode": m["terugkoppelcode"]}
    async with werkplek() as w:
        csrf = csrf_van((await w.get("/status")).text)
        zonder = await w.post("/status", data=velden, headers={"Origin": ORIGIN})
        vreemd = await w.post(
            "/status", data={"csrf_token": csrf, **velden}, headers={"Origin": "https://kwaad.example"}
        )
    for r in (zonder, vreemd):
        assert r.status_code == 403, r.text
        assert "Uw melding is ontvangen" not in r.text


async def test_de_inlogpagina_linkt_naar_status(werkplek):
    async with werkplek() as w:
        r = await w.get("/inloggen")
    assert 'href="/status"' in r.text and "Een melding volgen" in r.text
