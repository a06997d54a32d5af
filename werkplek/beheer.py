"""The operator's page (`/beheer`, role beheer): the flow per consumer, lag, outbox, DLQ and overdue
deadlines as the services' /metrics give them (shared/metriekbeeld.py, what `toegang status` prints);
per service its durables (what waits, what is delivered but unacknowledged, redeliveries) and its outbox,
its DLQ entries with a replay button; the last traces of `toegang dev`'s process tree as waterfalls (its
in-memory buffer, toegang/sporen.py, when TOEGANG_SPOREN_URL is set); and the processing-log search by
data subject.

Every service answers its own part (GET /v1/beheer/status, GET /v1/beheer/dlq, POST
/v1/beheer/dlq/{seq}/replay; shared/beheer.py): platform-wide, not per gemeente. A service that is away
is shown as away; the rest of the page still shows. The processing-log search (intake and arrangement,
POST /v1/verwerkingslog/zoeken) sends the BSN or the address in the body; the answer is rendered on the
POST's own response, so the BSN is never in a URL, a redirect or the session."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from shared import metriekbeeld
from shared.auth import Rol
from werkplek.afhankelijkheden import Aangemeld, Formulier, diensten_van, tekst
from werkplek.diensten import DienstFout, DienstOnbereikbaar
from werkplek.melden import _nl
from werkplek.sessies import Sessie
from werkplek.weergave import toon

log = logging.getLogger(__name__)
router = APIRouter()
TRACES = 8  # the newest traces /beheer draws
DIENSTEN = ("intake", "triage", "arrangement", "signalering")
LOGDIENSTEN = ("intake", "arrangement")  # the services that keep a processing log
ZOEKVELDEN = ("bsn", "adres.postcode", "adres.huisnummer", "adres.toevoeging")


def _naam(dienst: str) -> str:
    from werkplek.app import DIENST_NAMEN  # here: werkplek.app includes this module's router

    return DIENST_NAMEN.get(dienst, dienst)


def _geen_toegang(request: Request) -> Response:
    uitleg = "Deze pagina is voor beheer."
    return toon(request, "fout.html", {"titel": "Geen toegang", "uitleg": uitleg}, status_code=403)


def _is_beheer(sessie: Sessie) -> bool:
    return sessie.gebruiker is not None and sessie.gebruiker.rol == Rol.beheer


async def _deel(request: Request, token: str, dienst: str) -> dict[str, Any]:
    diensten = diensten_van(request)
    try:
        status, dlq = await asyncio.gather(
            diensten.get(dienst, "/v1/beheer/status", token), diensten.get(dienst, "/v1/beheer/dlq", token)
        )
    except DienstOnbereikbaar:
        return {"dienst": dienst, "naam": _naam(dienst), "fout": "Niet bereikbaar."}
    except DienstFout as fout:
        if fout.status == 401:
            raise
        return {"dienst": dienst, "naam": _naam(dienst), "fout": f"Antwoordde {fout.status}: {fout.detail}"}
    return {
        "dienst": dienst,
        "naam": _naam(dienst),
        "consumers": status.get("consumers") or [],
        "outbox": status.get("outbox") or {},
        "dlq": dlq.get("vermeldingen") or [],
    }


async def _pagina(
    request: Request,
    sessie: Sessie,
    *,
    waarden: dict[str, str] | None = None,
    fouten: dict[str, list[str]] | None = None,
    zoekresultaat: list[dict[str, Any]] | None = None,
    status_code: int = 200,
) -> Response:
    assert sessie.token
    delen, beeld, traces = await asyncio.gather(
        asyncio.gather(*(_deel(request, sessie.token, d) for d in DIENSTEN)), _beeld(request), _traces(request)
    )
    bericht, sessie.bericht = sessie.bericht, None
    context = {
        "delen": delen,
        "beeld": beeld,
        "traces": traces,
        "waarden": waarden or {},
        "fouten": fouten or {},
        "zoekresultaat": zoekresultaat,
        "bericht": bericht,
        "LOGDIENSTEN": {d: _naam(d) for d in LOGDIENSTEN},
    }
    return toon(request, "beheer.html", context, status_code=status_code, sessie=sessie)


async def _beeld(request: Request) -> metriekbeeld.Beeld:
    """The services' /metrics now, with the flow since this werkplek's previous look (a rate needs two)."""
    nu = await metriekbeeld.beeld(request.app.state.instellingen.dienst_urls)
    vorig = getattr(request.app.state, "vorig_beeld", None)
    request.app.state.vorig_beeld = nu
    return metriekbeeld.stroom(vorig, nu)


async def _traces(request: Request) -> list[dict[str, Any]] | None:
    """The newest traces from `toegang dev`'s buffer; None without one (production has Jaeger)."""
    url = request.app.state.instellingen.sporen_url
    if not url:
        return None
    try:
        async with httpx.AsyncClient(timeout=3.0) as client:
            r = await client.get(url.rstrip("/") + "/v1/sporen", params={"aantal": str(TRACES)})
            r.raise_for_status()
            traces: list[dict[str, Any]] = r.json()["traces"]
            return traces
    except (httpx.HTTPError, ValueError, KeyError) as fout:
        log.warning("tracebuffer niet bereikbaar", extra={"fout": type(fout).__name__})
        return []


@router.get("/beheer", response_class=HTMLResponse)
async def beheer(request: Request, sessie: Aangemeld) -> Response:
    if not _is_beheer(sessie):
        return _geen_toegang(request)
    return await _pagina(request, sessie)


@router.post("/beheer/dlq/{dienst}/{seq}/opnieuw", response_class=HTMLResponse)
async def opnieuw(request: Request, dienst: str, seq: int, sessie: Aangemeld, form: Formulier) -> Response:
    if not _is_beheer(sessie):
        return _geen_toegang(request)
    assert sessie.token
    if dienst not in DIENSTEN:
        raise DienstFout(dienst, 404, {"detail": "Onbekende dienst."})
    try:
        await diensten_van(request).post(dienst, f"/v1/beheer/dlq/{seq}/replay", sessie.token, None)
    except DienstFout as fout:
        if fout.status not in (404, 409):
            raise
        sessie.bericht = f"Vermelding {seq} van {_naam(dienst)} is niet opnieuw verwerkt: {fout.detail}"
    else:
        sessie.bericht = f"Vermelding {seq} van {_naam(dienst)} is opnieuw verwerkt en uit de DLQ."
    return RedirectResponse("/beheer", status_code=303)


def zoekbody(waarden: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if waarden.get("bsn"):
        body["bsn"] = waarden["bsn"]
    adres = {k: waarden[f"adres.{k}"] for k in ("postcode", "huisnummer", "toevoeging") if waarden.get(f"adres.{k}")}
    if adres:
        body["adres"] = adres
    return body


@router.post("/beheer/verwerkingslog", response_class=HTMLResponse)
async def zoek(request: Request, sessie: Aangemeld, form: Formulier) -> Response:
    if not _is_beheer(sessie):
        return _geen_toegang(request)
    assert sessie.token
    waarden = {v: tekst(form, v).strip() for v in ZOEKVELDEN}
    body = zoekbody(waarden)
    resultaat: list[dict[str, Any]] = []
    fouten: dict[str, list[str]] = {}
    for dienst in LOGDIENSTEN:
        try:
            antwoord = await diensten_van(request).post(dienst, "/v1/verwerkingslog/zoeken", sessie.token, body)
        except DienstFout as fout:
            if fout.status != 422:
                raise
            for veld, meldingen in fout.veldfouten.items():
                doel = veld if veld in ZOEKVELDEN else "bsn"  # "a BSN or an address is needed": at the first field
                for m in meldingen:
                    if (tekst_ := _nl(doel, m)) not in fouten.get(doel, []):
                        fouten.setdefault(doel, []).append(tekst_)
            continue
        resultaat += [{**v, "dienst": _naam(dienst)} for v in antwoord.get("verwerkingen") or []]
    waarden.pop("bsn", None)  # never sent back into the page
    if fouten:
        return await _pagina(request, sessie, waarden=waarden, fouten=fouten, status_code=422)
    resultaat.sort(key=lambda v: str(v.get("tijdstip")))
    return await _pagina(request, sessie, waarden=waarden, zoekresultaat=resultaat)
