"""The pages: thin routes that ask the services (with the user's own token) and render the answer.

No personal data in a URL or a page title: filters are codes (team, kind of work, deadline state), the
household is its pseudonymous key. The werkplek decides no rights: what a service refuses, the page
shows as refused (a 404 as "niet gevonden", not as an error of the werkplek).
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from shared.auth import MEDEWERKERS, Rol
from werkplek import (
    aanmelden,
    acties,
    beheer,
    casussen,
    melden,
    mijn,
    oidc,
    regels,
    status,
    stuurinformatie,
    teksten,
    voordeur,
)
from werkplek import werkvoorraad as wv
from werkplek.afhankelijkheden import (
    Aangemeld,
    Formulier,
    NietAangemeld,
    diensten_van,
    sessies_van,
    tekst,
)
from werkplek.diensten import Diensten, DienstFout, DienstOnbereikbaar
from werkplek.sessies import Sessie
from werkplek.weergave import toon

router = APIRouter()
router.include_router(melden.router)
router.include_router(voordeur.router)
router.include_router(status.router)
router.include_router(casussen.router)
router.include_router(regels.router)
router.include_router(stuurinformatie.router)
router.include_router(mijn.router)
router.include_router(beheer.router)
router.include_router(acties.router)
router.include_router(oidc.router)
_HUISHOUDEN_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_sessies, _diensten, _tekst = sessies_van, diensten_van, tekst
__all__ = ["NietAangemeld", "router"]


# --- health, start ---------------------------------------------------------------------------------------


@router.get("/health", include_in_schema=False)
async def health() -> JSONResponse:
    # The werkplek keeps no connections of its own that could be down: it is up when it answers.
    return JSONResponse({"status": "ok"})


@router.get("/", response_class=HTMLResponse)
async def start(request: Request) -> Response:
    sessie = _sessies(request).van(request)
    if sessie is None or not sessie.aangemeld:
        return RedirectResponse("/inloggen", status_code=303)
    if sessie.gebruiker and sessie.gebruiker.rol == Rol.meldpunt:  # Meldpunt's work is taking meldingen
        return RedirectResponse("/meldingen/nieuw", status_code=303)
    if sessie.gebruiker and sessie.gebruiker.rol in MEDEWERKERS:
        return RedirectResponse("/werkvoorraad", status_code=303)
    if sessie.gebruiker and sessie.gebruiker.rol == Rol.beleid:  # policy staff read rules (and figures)
        return RedirectResponse(f"/regels/{sessie.gebruiker.gemeente}", status_code=303)
    if sessie.gebruiker and sessie.gebruiker.rol == Rol.inwoner:  # his own household
        return RedirectResponse("/mijn", status_code=303)
    return toon(request, "start.html", sessie=sessie)


# --- logging in and out ----------------------------------------------------------------------------------


@router.get("/inloggen", response_class=HTMLResponse)
async def inloggen(request: Request) -> Response:
    sessie = _sessies(request).van_of_nieuw(request)
    if oidc.van(request) is not None and not sessie.bericht:  # productie: straight to the identity provider
        return await oidc.start(request, sessie)
    antwoord = _inlogpagina(request, sessie, {}, {})
    _sessies(request).zet_cookie(antwoord, sessie)
    return antwoord


def _inlogpagina(
    request: Request, sessie: Sessie, waarden: dict[str, str], fouten: dict[str, list[str]], status_code: int = 200
) -> Response:
    instellingen = request.app.state.instellingen
    context = {
        "waarden": waarden,
        "fouten": fouten,
        "gemeenten": request.app.state.woorden.gemeenten(),
        "ontwikkellogin": not instellingen.productie and instellingen.jwt_secret is not None,
        "oidc": oidc.van(request) is not None,
        "bericht": sessie.bericht,
    }
    sessie.bericht = None
    return toon(request, "inloggen.html", context, status_code=status_code, sessie=sessie)


@router.post("/inloggen", response_class=HTMLResponse)
async def log_in(request: Request, form: Formulier) -> Response:
    instellingen = request.app.state.instellingen
    sessie = _sessies(request).van_of_nieuw(request)
    if instellingen.productie or instellingen.jwt_secret is None:
        return _inlogpagina(request, sessie, {}, {}, status_code=403)
    waarden, fouten = aanmelden.controleer({veld: _tekst(form, veld) for veld in form})
    aanmeldingen = request.app.state.metriek.aanmeldingen
    if fouten:
        aanmeldingen.labels("ontwikkeling", "geweigerd").inc()
        waarden.pop("bsn", None)  # never sent back into the page
        return _inlogpagina(request, sessie, waarden, fouten, status_code=422)
    aanmeldingen.labels("ontwikkeling", "gelukt").inc()
    aanmelding = aanmelden.ontwikkeltoken(instellingen.jwt_secret.get_secret_value(), waarden)
    nieuw = _sessies(request).meld_aan(sessie, aanmelding.token, aanmelding.gebruiker, aanmelding.verloopt_op)
    antwoord = RedirectResponse("/", status_code=303)
    _sessies(request).zet_cookie(antwoord, nieuw)
    return antwoord


@router.post("/uitloggen")
async def log_uit(request: Request, form: Formulier) -> Response:
    sessies = _sessies(request)
    sessie = sessies.van(request)
    if sessie is not None:
        sessies.beeindig(sessie)
    nieuw = sessies.van_of_nieuw(request)
    nieuw.bericht = "U bent uitgelogd."
    antwoord = RedirectResponse("/inloggen", status_code=303)
    sessies.zet_cookie(antwoord, nieuw)
    return antwoord


# --- werkvoorraad -----------------------------------------------------------------------------------------


@router.get("/werkvoorraad", response_class=HTMLResponse)
async def werkvoorraad(
    request: Request,
    sessie: Aangemeld,
    wie: str = "",
    team: str = "",
    soort: str = "",
    staat: str = "",
    sorteer: str = "",
    pagina: str = "",
) -> Response:
    assert sessie.token and sessie.gebruiker
    keuze = wv.Keuze.uit(wie, team, soort, staat, sorteer, pagina)
    woorden: teksten.Woorden = request.app.state.woorden
    gemeente, nu = sessie.gebruiker.gemeente, datetime.now(UTC)
    alle = [_termijn(t, gemeente, woorden, nu) for t in await wv.alle_termijnen(_diensten(request), sessie.token)]
    rijen = wv.kies(alle, keuze, sessie.gebruiker.sub)
    getoond = wv.blad(rijen, keuze.pagina)
    teams = sorted({*sessie.gebruiker.teams, *(t["team"] for t in alle if t["team"])})
    context = {
        "rijen": getoond.rijen,
        "blad": getoond,
        "aantal": len(rijen),
        "totaal": len(alle),
        "keuze": keuze,
        "gekozen": keuze.filters(),
        "teams": [(t, woorden.team(gemeente, t)) for t in teams],
        "soorten": sorted({*teksten.TERMIJN_SOORTEN, *(t["soort"] for t in alle)}),
        "staten": list(teksten.Staat),
        "wie_keuzes": wv.WIE_TEKST,
        "volgordes": wv.VOLGORDE_TEKST,
        "aantal_verlopen": sum(t["staat"] == teksten.Staat.verlopen for t in rijen),
        "aantal_vandaag": sum(t["staat"] == teksten.Staat.vandaag for t in rijen),
        "querystring": keuze.query(),
    }
    return toon(request, "werkvoorraad.html", context, sessie=sessie)


def _termijn(t: dict[str, Any], gemeente: str | None, woorden: teksten.Woorden, nu: datetime) -> dict[str, Any]:
    tot = teksten.tijdstip(t.get("termijn_tot"))
    return {
        **t,
        "tot": tot,
        "staat": teksten.staat(tot, bool(t.get("verstreken")), nu) if tot else teksten.Staat.later,
        "team": t.get("team_id") or "",
        "team_naam": woorden.team(gemeente, t.get("team_id")),
        "soort": t.get("soort") or "",
        "grondslag": woorden.grondslag(gemeente, t.get("termijn_grondslag")),
    }


# --- one household ----------------------------------------------------------------------------------------


@router.get("/huishoudens/{huishouden_id}", response_class=HTMLResponse)
async def huishouden(request: Request, huishouden_id: str, sessie: Aangemeld) -> Response:
    return await huishoudpagina(request, sessie, huishouden_id)


async def huishoudpagina(
    request: Request,
    sessie: Sessie,
    huishouden_id: str,
    ingevuld: acties.Ingevuld | None = None,
    status_code: int = 200,
) -> Response:
    """The household page; `ingevuld` is an action form sent back with the service's errors (acties.py)."""
    assert sessie.token and sessie.gebruiker
    if not _HUISHOUDEN_ID.match(huishouden_id):
        raise DienstFout("arrangement", 404, {"detail": "Geen huishouden met deze sleutel."})
    diensten, token = _diensten(request), sessie.token
    h = await diensten.get("arrangement", f"/v1/huishoudens/{huishouden_id}", token)
    woorden: teksten.Woorden = request.app.state.woorden
    gemeente, nu = sessie.gebruiker.gemeente, datetime.now(UTC)
    tijdlijn = h.get("tijdlijn") or []
    doorverwijzingen = [r for r in tijdlijn if r.get("soort") == "doorverwijzing"]
    besluiten = await _besluiten(diensten, token, doorverwijzingen)
    context = {
        "h": h,
        "plan": h.get("plan") or {},
        "regisseur": h.get("regisseur") or {},
        "termijnen": [_termijn(t, gemeente, woorden, nu) for t in h.get("open_termijnen") or []],
        "tijdlijn": tijdlijn,
        "waarom": [_waarom(r, besluiten, gemeente, woorden) for r in doorverwijzingen],
        "gemeente": gemeente,
        **acties.context(request, sessie, huishouden_id, h, ingevuld),
    }
    return toon(request, "huishouden.html", context, status_code=status_code, sessie=sessie)


async def _besluiten(
    diensten: Diensten, token: str, doorverwijzingen: list[dict[str, Any]]
) -> dict[str, dict[str, Any] | str]:
    """Triage's decisions per doorverwijzing id, asked once per bron (melding or casus), all at once.
    A bron triage will not show (another team's, or a warm handover from the plan, which triage never
    decided) gives a reason instead of a decision: the rest of the page still shows."""
    bronnen = sorted(
        {str(r["bron_id"]) for r in doorverwijzingen if r.get("bron_id") and r.get("bron_soort") != "plan"}
    )

    async def vraag(bron_id: str) -> list[dict[str, Any]] | str:
        try:
            antwoord = await diensten.get("triage", "/v1/besluiten", token, params={"bron_id": bron_id})
        except DienstFout as fout:
            return "U mag deze beslissing niet zien." if fout.status in (403, 404) else "Niet op te halen."
        except DienstOnbereikbaar:
            return "De triage is nu niet bereikbaar."
        return antwoord.get("besluiten", [])

    uitkomsten = await asyncio.gather(*(vraag(b) for b in bronnen))
    per_doorverwijzing: dict[str, dict[str, Any] | str] = {}
    for bron_id, uitkomst in zip(bronnen, uitkomsten, strict=True):
        if isinstance(uitkomst, str):
            per_doorverwijzing[f"bron:{bron_id}"] = uitkomst
            continue
        for besluit in uitkomst:
            per_doorverwijzing[str(besluit.get("doorverwijzing_id"))] = besluit
    return per_doorverwijzing


def _waarom(
    r: dict[str, Any], besluiten: dict[str, dict[str, Any] | str], gemeente: str | None, woorden: teksten.Woorden
) -> dict[str, Any]:
    details = r.get("details") or {}
    besluit = besluiten.get(str(details.get("doorverwijzing_id")))
    if besluit is None:
        besluit = besluiten.get(f"bron:{r.get('bron_id')}")
    if r.get("bron_soort") == "plan":
        besluit = "Warme overdracht vanuit het plan: geen beslissing van de triage."
    gevonden = besluit if isinstance(besluit, dict) else None
    return {
        "tijdstip": r.get("tijdstip"),
        "bron_soort": r.get("bron_soort"),
        "route": details.get("route"),
        "team_naam": woorden.team(gemeente, details.get("team_id")),
        "urgentie": details.get("urgentie"),
        "regel_id": (gevonden or {}).get("regel_id") or details.get("regel_id"),
        "toelichting": (gevonden or {}).get("toelichting"),
        "grondslag": woorden.grondslag(gemeente, gevonden.get("termijn_grondslag")) if gevonden else None,
        "termijn_tot": (gevonden or {}).get("termijn_tot"),
        "reden_onbekend": besluit if isinstance(besluit, str) else (None if gevonden else "Geen beslissing gevonden."),
        "bij_lopend_plan": details.get("bij_lopend_plan"),
    }
