"""Registering a melding in the werkplek, in-process against the real platform: the API's 422 next to the
field it is about (also for the second person when the first row is empty), the veiligheid questions
that must be answered, one melding for a double submit, and the terugkoppelcode shown once."""

from __future__ import annotations

import asyncio
import hashlib
import html
import re
import uuid
from datetime import UTC, datetime
from typing import get_args

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from services.intake import schemas
from tests.support.gegevens import BSN, NAAM, geldig_bsn
from tests.werkplek.conftest import ORIGIN, csrf_van, log_in
from werkplek import melden

MELDPUNT = {"rol": "meldpunt", "gemeente": "GM1916"}
SUB = "dev-meldpunt-GM1916"  # aanmelden.ontwikkeltoken: the same login, the same sub


def _gevonden(patroon: str, tekst: str, groep: int = 1) -> str:
    gevonden = re.search(patroon, tekst)
    assert gevonden, f"niet in de pagina: {patroon}"
    return gevonden.group(groep)


def _sleutel_van(pagina: str) -> str:
    return _gevonden(r'name="idempotency_key" value="([^"]+)"', pagina)


async def _formulier(w: httpx.AsyncClient) -> dict[str, str]:
    pagina = await w.get("/meldingen/nieuw")
    assert pagina.status_code == 200, pagina.text
    assert pagina.headers["cache-control"] == "no-store"
    return {"csrf_token": csrf_van(pagina.text), "idempotency_key": _sleutel_van(pagina.text)}


def _goed(huisnummer: int, **over: str) -> dict[str, str]:
    velden = {
        "veiligheid.acuut_gevaar": "nee",
        "veiligheid.huiselijk_geweld": "nee",
        "veiligheid.kindermishandeling": "nee",
        "kanaal": "telefoon",
        "soort": "zorgmelding",
        "omschrijving": "De buurvrouw ziet mevrouw al dagen niet buiten komen.",
        "melder.type": "buur",
        "melder.naam": "Buurvrouw Testmelder",
        "melder.wil_terugkoppeling": "ja",
        "betreft.adres.postcode": "2264 AB",
        "betreft.adres.huisnummer": str(huisnummer),
        "betreft.personen.0.bsn": geldig_bsn(),
        "betreft.personen.0.naam": NAAM,
        "zrm.huisvesting": "2",
    }
    velden.update(over)
    return velden


async def _post(w: httpx.AsyncClient, velden: dict[str, str]) -> httpx.Response:
    return await w.post("/meldingen/nieuw", data=velden, headers={"Origin": ORIGIN})


def test_de_keuzes_van_het_formulier_zijn_die_van_de_api():
    assert set(melden.KANALEN) == set(get_args(schemas.Kanaal))
    assert set(melden.SOORTEN) == set(get_args(schemas.Soort))
    assert set(melden.MELDER_TYPES) == set(get_args(schemas.MelderType))
    assert set(melden.VEILIGHEIDSVRAGEN) == set(schemas.Veiligheid.model_fields)


async def test_de_fouten_van_de_api_staan_bij_het_veld_en_in_een_overzicht(werkplek):
    async with werkplek() as w:
        await log_in(w, **MELDPUNT)
        velden = {
            **await _formulier(w),
            # Row 0 left empty: the API's person 0 is the form's row 1, and its error belongs there.
            **_goed(1, **{"betreft.personen.0.bsn": "", "betreft.personen.0.naam": ""}),
            "betreft.personen.1.bsn": "123456780",  # fails the elfproef
            "betreft.adres.postcode": "1012 AB",  # Amsterdam, not GM1916
        }
        r = await _post(w, velden)
        assert r.status_code == 422, r.text
        assert r.headers["cache-control"] == "no-store"
        pagina = r.text
        for veld in ("betreft-personen-1-bsn", "betreft-adres-postcode"):
            invoer = _gevonden(rf'<input[^>]* id="{veld}"[^>]*>', pagina, 0)
            assert f'aria-describedby="{veld}-fout' in invoer and 'aria-invalid="true"' in invoer, invoer
            assert f'id="{veld}-fout"' in pagina
            assert f'href="#{veld}"' in pagina  # the summary links to the field
        assert 'id="betreft-personen-0-bsn-fout"' not in pagina
        assert "Geen geldig BSN" in pagina and "Postcode ligt niet in gemeente GM1916" in pagina
        assert re.search(r"<title>Fout: Melding registreren – ", pagina)
        # What was typed comes back into the form (to correct it), never into the title.
        assert 'value="123456780"' in pagina and "123456780" not in pagina.split("</title>")[0]
        # The same form (the same key) stays, so the corrected submit is still this one melding.
        assert _sleutel_van(pagina) == velden["idempotency_key"]

        pydantic = await _post(w, {**velden, **_goed(1, **{"betreft.adres.huisnummer": "twaalf"})})
        assert pydantic.status_code == 422
        assert 'id="betreft-adres-huisnummer-fout"' in pydantic.text and "Vul een getal in." in pydantic.text


async def test_zonder_antwoord_op_de_veiligheidsvragen_gaat_er_niets_naar_de_intake(werkplek, database_url):
    async with werkplek() as w:
        await log_in(w, **MELDPUNT)
        velden = {**await _formulier(w), **_goed(2)}
        del velden["veiligheid.kindermishandeling"]
        r = await _post(w, velden)
        assert r.status_code == 422
        assert (
            'id="veiligheid-kindermishandeling-fout"' in r.text and 'href="#veiligheid-kindermishandeling-ja"' in r.text
        )
        assert await _aantal(database_url, SUB, velden["idempotency_key"]) == 0


async def test_dubbel_versturen_geeft_een_melding_en_de_code_staat_er_een_keer(werkplek, database_url):
    begin = datetime.now(UTC)
    async with werkplek() as w:
        await log_in(w, **MELDPUNT)
        velden = {**await _formulier(w), **_goed(400 + uuid.uuid4().int % 500)}
        eerste, tweede = await asyncio.gather(_post(w, velden), _post(w, velden))  # a double click
        assert eerste.status_code == tweede.status_code == 303, eerste.text
        assert eerste.headers["location"] == tweede.headers["location"]
        assert eerste.headers["location"].startswith("/meldingen/bevestiging/")
        for persoonsgegeven in (velden["betreft.personen.0.bsn"], BSN, "2264"):
            assert persoonsgegeven not in eerste.headers["location"]
        assert await _aantal(database_url, SUB, velden["idempotency_key"]) == 1
        assert await _sinds(database_url, begin) == 1

        bevestiging = await w.get(eerste.headers["location"])
        assert bevestiging.status_code == 200 and bevestiging.headers["cache-control"] == "no-store"
        code = _gevonden(r'id="terugkoppelcode">([^<]+)<', bevestiging.text)
        melding_id = _gevonden(r'id="melding-id">([^<]+)<', bevestiging.text)
        assert html.escape(melden.STATUS_TEKST["geregistreerd"]) in bevestiging.text
        opnieuw = await w.get(eerste.headers["location"])
        assert code not in opnieuw.text and "al getoond" in opnieuw.text  # once

        # A retried submit (back, send again) is the same melding, without the code.
        nogmaals = await _post(w, velden)
        assert nogmaals.status_code == 303 and nogmaals.headers["location"] == eerste.headers["location"]
        assert await _sinds(database_url, begin) == 1

    # The code is the real one: the melder sees the status with it.
    async with httpx.AsyncClient(base_url=w.app.state.instellingen.intake_url) as intake:
        status = await intake.get(f"/v1/meldingen/{melding_id}/status", headers={"terugkoppelcode": code})
    assert status.status_code == 200, status.text


async def test_een_inwoner_krijgt_het_formulier_niet(werkplek):
    async with werkplek() as w:
        await log_in(w, rol="inwoner", bsn=BSN)
        r = await w.get("/meldingen/nieuw")
        assert r.status_code == 403 and "idempotency_key" not in r.text


async def _aantal(database_url: str, sub: str, sleutel: str) -> int:
    # intake keys the Idempotency-Key to the caller (services/intake/usecases.py)
    opgeslagen = hashlib.sha256(f"{sub}|{sleutel}".encode()).hexdigest()
    return await _tel(database_url, "idempotency_key = :k", k=opgeslagen)


async def _sinds(database_url: str, begin: datetime) -> int:
    return await _tel(database_url, "ontvangen_op >= :b", b=begin)


async def _tel(database_url: str, waar: str, **params) -> int:
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            return (
                await conn.execute(text(f"SELECT count(*) FROM intake.meldingen WHERE {waar}"), params)
            ).scalar_one()
    finally:
        await engine.dispose()
