"""A signaalcasus (`/casussen/{casus_id}`, staff): signalering's GET /v1/casussen/{id} in words, and its
two forms: a contactpoging (POST /v1/casussen/{id}/contactpogingen) and closing it with a result
(POST /v1/casussen/{id}/afsluiten). Signalering decides who may see and change the casus (a wijkcoach
only once it went to one of his teams); a 422 is shown next to the field, a 409 (the casus is closed) as
a message that names its state. The casus id is a random UUID: no personal data in the URL."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from shared.termijnen import TZ
from werkplek.afhankelijkheden import Aangemeld, Formulier, diensten_van, tekst
from werkplek.diensten import DienstFout
from werkplek.melden import _nl
from werkplek.sessies import Sessie
from werkplek.weergave import toon

router = APIRouter()

# signalering's values (services/signalering/domain.py, shared/invoer.py) in words
STATUSSEN = {
    "open": "Open: signalen verzameld, nog niet doorgezet",
    "doorgezet": "Doorgezet: de triage zoekt een team",
    "opgepakt": "Opgepakt door een team",
    "afgesloten": "Afgesloten",
}
REDENEN = {
    "nieuw_signaal": "Een signaal boven de drempel",
    "crisis": "Crisis: afsluiting of uitzetting dreigt",
    "meerdere_partners": "Signalen van meer dan één partner",
}
BEOORDELINGEN = {
    "nieuw": "Nieuw signaal",
    "herhaalde_melding": "Herhaling van een eerder signaal",
    "onder_drempel": "Onder de drempel",
}
SIGNAAL_SOORTEN = {
    "huurachterstand": "Huurachterstand",
    "energieachterstand": "Energieachterstand",
    "waterachterstand": "Waterachterstand",
    "zorgverzekeringsachterstand": "Achterstand zorgverzekering",
    "einde_levering": "Afsluiting dreigt (einde levering)",
    "overlast": "Overlast",
    "zorgmelding": "Zorgmelding",
}
RESULTATEN = {
    "hulp_gestart": "Hulp gestart",
    "geen_hulp_nodig": "Geen hulp nodig",
    "niet_bereikt": "Huishouden niet bereikt",
    "al_in_beeld": "Al in beeld bij een hulpverlener",
}
CONTACT_SOORTEN = {
    "telefoon": "Telefoon",
    "huisbezoek": "Huisbezoek",
    "brief": "Brief",
    "email": "E-mail",
    "balie": "Balie",
    "beeldbellen": "Beeldbellen",
}
DAGDELEN = {"ochtend": "Ochtend", "middag": "Middag", "avond": "Avond"}


def euro(cent: Any) -> str:
    """'€ 1.234,56' for 123456 cents; '' when there is no amount."""
    if not isinstance(cent, int) or isinstance(cent, bool):
        return ""
    euros, rest = divmod(abs(cent), 100)
    return f"{'-' if cent < 0 else ''}€ {euros:,}".replace(",", ".") + f",{rest:02d}"


def _casus_id(casus_id: str) -> str:
    try:
        return str(uuid.UUID(casus_id))
    except ValueError:
        raise DienstFout("signalering", 404, {"detail": "Geen casus met dit nummer."}) from None


@router.get("/casussen/{casus_id}", response_class=HTMLResponse)
async def casus(request: Request, casus_id: str, sessie: Aangemeld) -> Response:
    return await _pagina(request, sessie, _casus_id(casus_id))


async def _pagina(
    request: Request,
    sessie: Sessie,
    casus_id: str,
    *,
    waarden: dict[str, str] | None = None,
    fouten: dict[str, list[str]] | None = None,
    conflict: str | None = None,
    status_code: int = 200,
) -> Response:
    assert sessie.token
    c = await diensten_van(request).get("signalering", f"/v1/casussen/{casus_id}", sessie.token)
    bericht, sessie.bericht = sessie.bericht, None
    context = {
        "c": c,
        "gemeente": c.get("gemeente"),
        "signalen": [{**s, "bedrag": euro(s.get("bedrag_achterstand_cent"))} for s in c.get("signalen") or []],
        "pogingen": c.get("contactpogingen") or [],
        "open": c.get("status") != "afgesloten",
        "waarden": waarden or {"datum": datetime.now(TZ).date().isoformat()},  # the gemeente's day
        "fouten": fouten or {},
        "conflict": conflict,
        "bericht": bericht,
        "STATUSSEN": STATUSSEN,
        "REDENEN": REDENEN,
        "BEOORDELINGEN": BEOORDELINGEN,
        "SIGNAAL_SOORTEN": SIGNAAL_SOORTEN,
        "RESULTATEN": RESULTATEN,
        "CONTACT_SOORTEN": CONTACT_SOORTEN,
        "DAGDELEN": DAGDELEN,
    }
    return toon(request, "casus.html", context, status_code=status_code, sessie=sessie)


def _conflict(fout: DienstFout) -> str:
    huidig = str(fout.probleem.get("huidige_status") or "")
    staat = STATUSSEN.get(huidig, huidig) or "gewijzigd"
    return f"Dit kan niet meer: de casus is {staat.split(':')[0].lower()}. Ververs de pagina om de stand te zien."


async def _verstuur(
    request: Request,
    sessie: Sessie,
    casus_id: str,
    pad: str,
    body: dict[str, Any],
    waarden: dict[str, str],
    gelukt: str,
) -> Response:
    assert sessie.token
    try:
        await diensten_van(request).post("signalering", f"/v1/casussen/{casus_id}/{pad}", sessie.token, body)
    except DienstFout as fout:
        if fout.status == 422:
            fouten = {veld: [_nl(veld, m) for m in ms] for veld, ms in fout.veldfouten.items()}
            return await _pagina(request, sessie, casus_id, waarden=waarden, fouten=fouten, status_code=422)
        if fout.status == 409:
            return await _pagina(request, sessie, casus_id, waarden=waarden, conflict=_conflict(fout), status_code=409)
        raise
    sessie.bericht = gelukt
    return RedirectResponse(f"/casussen/{casus_id}", status_code=303)


@router.post("/casussen/{casus_id}/contactpogingen", response_class=HTMLResponse)
async def contactpoging(request: Request, casus_id: str, sessie: Aangemeld, form: Formulier) -> Response:
    casus_id = _casus_id(casus_id)
    waarden = {v: tekst(form, v).strip() for v in ("soort", "bereikt", "datum", "dagdeel")}
    body: dict[str, Any] = {k: v for k, v in waarden.items() if v and k != "bereikt"}
    if waarden["bereikt"] in ("ja", "nee"):
        body["bereikt"] = waarden["bereikt"] == "ja"
    return await _verstuur(
        request, sessie, casus_id, "contactpogingen", body, waarden, "De contactpoging is vastgelegd."
    )


@router.post("/casussen/{casus_id}/afsluiten", response_class=HTMLResponse)
async def afsluiten(request: Request, casus_id: str, sessie: Aangemeld, form: Formulier) -> Response:
    casus_id = _casus_id(casus_id)
    waarden = {"resultaat": tekst(form, "resultaat").strip()}
    body = {k: v for k, v in waarden.items() if v}
    return await _verstuur(request, sessie, casus_id, "afsluiten", body, waarden, "De casus is afgesloten.")
