"""The werkplek as a process of the platform (`python -m werkplek`, the `werkplek` fixture): healthy, and a
page view and the service call behind it are one trace, without the page's query string in any span."""

from __future__ import annotations

import json
import re

import httpx

from tests.conftest import wacht_tot

TEAM = "gm1916-lokale-kamer"
# A filter value of the user's own (the werkvoorraad filters in the page, not in the service call): it must
# not reach a span.
MERKTEKEN = "filterwaarde-7f3a9c"


async def log_in(w: httpx.AsyncClient, basis: str) -> None:
    pagina = await w.get("/inloggen")
    assert pagina.status_code == 200, pagina.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', pagina.text)
    assert csrf, "geen CSRF-veld in het inlogformulier"
    velden = {"csrf_token": csrf.group(1), "rol": "wijkcoach", "gemeente": "GM1916", "team": TEAM}
    r = await w.post("/inloggen", data=velden, headers={"Origin": basis})
    assert r.status_code == 303, r.text


async def test_de_werkplek_draait_als_eigen_proces(werkplek, platform):
    assert werkplek.proces.poll() is None
    async with httpx.AsyncClient(base_url=werkplek.url) as w:
        r = await w.get("/health")
        assert r.status_code == 200 and r.json() == {"status": "ok"}
        # Against this platform's services, on its own port (not a service's TOEGANG_PORT).
        assert werkplek.poort not in {s.poort for s in platform.services.values()}
        assert (await w.get("/inloggen")).status_code == 200


async def test_een_paginaweergave_is_een_trace_met_de_service(werkplek, otlp):
    async with httpx.AsyncClient(base_url=werkplek.url, follow_redirects=False) as w:
        await log_in(w, werkplek.url)
        r = await w.get("/werkvoorraad", params={"soort": MERKTEKEN})
        assert r.status_code == 200, r.text

    def trace_van_pagina():
        spans = otlp.spans()
        paginas = [s for s in spans if s["service"] == "toegang-werkplek" and s["name"] == "GET /werkvoorraad"]
        for pagina in paginas:
            in_trace = [s for s in spans if s["trace_id"] == pagina["trace_id"]]
            arrangement = [
                s
                for s in in_trace
                if s["service"] == "toegang-arrangement" and s["name"].startswith("GET /v1/werkvoorraad")
            ]
            aanroep = [s for s in in_trace if s["service"] == "toegang-werkplek" and s["name"] == "GET"]
            if arrangement and aanroep:
                return in_trace
        return None

    in_trace = await wacht_tot(trace_van_pagina, timeout=15)
    assert {s["service"] for s in in_trace} >= {"toegang-werkplek", "toegang-arrangement"}
    # The werkplek's call went to the arrangement service's API, recorded with its URL (no query string).
    aanroep = next(s for s in in_trace if s["service"] == "toegang-werkplek" and s["name"] == "GET")
    assert any(v.strip().endswith('/v1/werkvoorraad"') for v in aanroep["attributes"].values()), aanroep

    werkplek_spans = [s for s in otlp.spans() if s["service"] == "toegang-werkplek"]
    assert werkplek_spans
    for span in werkplek_spans:
        tekst = json.dumps(span)
        assert MERKTEKEN not in tekst, f"de querystring van de pagina in span {span['name']}: {tekst}"
        assert "Bearer" not in tekst and "werkplek_sessie" not in tekst
