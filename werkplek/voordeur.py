"""The front desk's quick screens: a licht contact in seconds (`/contacten/nieuw`) and the sociale kaart
(`/sociale-kaart`), both clients of intake's API with the user's own token.

A licht contact is a few clicks: the channel stays chosen for the next contact (the session remembers it,
a desk works one channel at a time), themes are checkboxes, the outcome a choice, the aanbieder a list from
the sociale kaart. No field takes a name or free text: there is nothing personal to type. After saving, the
form is empty again for the next caller, with one link to turn this contact into a melding when more is
needed (`/meldingen/nieuw?contact=<id>`: the contact's id, a random UUID, is the only thing in the URL).
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from shared.auth import MEDEWERKERS
from shared.zrm import ZRM_DOMEINEN
from werkplek.afhankelijkheden import Aangemeld, Formulier, diensten_van, tekst
from werkplek.diensten import DienstFout
from werkplek.melden import KANALEN, ZRM_TEKST, _nl
from werkplek.sessies import Sessie
from werkplek.weergave import toon

router = APIRouter()

UITKOMSTEN = {
    "beantwoord": "Vraag beantwoord",
    "verwezen_voorliggend_veld": "Verwezen naar een organisatie in de buurt (voorliggend veld)",
}
LABELS = {
    "kanaal": "Kanaal",
    "themas": "Waarover ging de vraag",
    "uitkomst": "Uitkomst",
    "wijk": "Wijk",
    "aanbieder_id": "Verwezen naar",
}


def _mag(sessie: Sessie) -> bool:
    return sessie.gebruiker is not None and sessie.gebruiker.rol in MEDEWERKERS


def _geen_toegang(request: Request) -> Response:
    uitleg = "Contacten registreren kan alleen een medewerker van de gemeente."
    return toon(request, "fout.html", {"titel": "Geen toegang", "uitleg": uitleg}, status_code=403)


async def sociale_kaart(request: Request, sessie: Sessie, thema: str = "", wijk: str = "") -> list[dict[str, Any]]:
    """The gemeente's sociale kaart from intake, by theme and wijk (empty: everything)."""
    assert sessie.gebruiker and sessie.token
    params = {k: v for k, v in (("thema", thema), ("wijk", wijk)) if v}
    pad = f"/v1/sociale-kaart/{sessie.gebruiker.gemeente}"
    return await diensten_van(request).get("intake", pad, sessie.token, params=params)


def _wijken(request: Request, sessie: Sessie) -> dict[str, str]:
    assert sessie.gebruiker
    gemeente = request.app.state.woorden.gemeente(sessie.gebruiker.gemeente)
    return dict(gemeente.wijken)


async def _formulier(
    request: Request,
    sessie: Sessie,
    waarden: dict[str, Any],
    fouten: dict[str, list[str]],
    status_code: int = 200,
    geregistreerd: str | None = None,
) -> Response:
    kaart = await sociale_kaart(request, sessie)
    context = {
        "waarden": waarden,
        "fouten": fouten,
        "overzicht": [
            {"label": LABELS.get(v, "Formulier"), "anker": f"{v}-fout" if v in LABELS else "", "melding": m}
            for v, ms in fouten.items()
            for m in ms
        ],
        "geregistreerd": geregistreerd,
        "KANALEN": KANALEN,
        "UITKOMSTEN": UITKOMSTEN,
        "ZRM_DOMEINEN": ZRM_DOMEINEN,
        "ZRM_TEKST": ZRM_TEKST,
        "wijken": _wijken(request, sessie),
        "aanbieders": {a["id"]: f"{a['naam']}: {a['aanbod']}" for a in kaart},
    }
    return toon(request, "contact_nieuw.html", context, status_code=status_code, sessie=sessie)


@router.get("/contacten/nieuw", response_class=HTMLResponse)
async def nieuw(request: Request, sessie: Aangemeld) -> Response:
    if not _mag(sessie):
        return _geen_toegang(request)
    geregistreerd, sessie.laatste_contact = sessie.laatste_contact, None  # shown once (POST-redirect-GET)
    waarden = {"kanaal": sessie.kanaal or ""}
    return await _formulier(request, sessie, waarden, {}, geregistreerd=geregistreerd)


@router.post("/contacten/nieuw", response_class=HTMLResponse)
async def registreer(request: Request, sessie: Aangemeld, form: Formulier) -> Response:
    if not _mag(sessie):
        return _geen_toegang(request)
    assert sessie.gebruiker and sessie.token
    waarden = _lees(form)
    body = {
        "gemeente": sessie.gebruiker.gemeente,
        "kanaal": waarden["kanaal"],
        "themas": waarden["themas"],
        "uitkomst": waarden["uitkomst"],
        "wijk": waarden["wijk"] or None,
        "aanbieder_id": waarden["aanbieder_id"] or None,
    }
    try:
        antwoord = await diensten_van(request).post("intake", "/v1/lichte-contacten", sessie.token, body)
    except DienstFout as fout:
        if fout.status != 422:
            raise
        fouten: dict[str, list[str]] = {}
        for veld, meldingen in fout.veldfouten.items():
            doel = veld.split(".")[0] if veld.split(".")[0] in LABELS else "formulier"
            fouten.setdefault(doel, []).extend(_nl(doel, m) for m in meldingen)
        return await _formulier(request, sessie, waarden, fouten, status_code=422)
    sessie.kanaal = waarden["kanaal"]  # the next contact at this desk comes in the same way
    sessie.laatste_contact = str(uuid.UUID(str(antwoord["contact_id"])))
    return RedirectResponse("/contacten/nieuw", status_code=303)


def _lees(form: FormData) -> dict[str, Any]:
    return {
        "kanaal": tekst(form, "kanaal").strip(),
        "themas": [t for t in form.getlist("themas") if isinstance(t, str) and t],
        "uitkomst": tekst(form, "uitkomst").strip(),
        "wijk": tekst(form, "wijk").strip(),
        "aanbieder_id": tekst(form, "aanbieder_id").strip(),
    }


@router.get("/sociale-kaart", response_class=HTMLResponse)
async def kaart(request: Request, sessie: Aangemeld, thema: str = "", wijk: str = "") -> Response:
    """Search the voorliggend veld by theme and wijk (codes in the URL, never anything about a person)."""
    if not _mag(sessie):
        return _geen_toegang(request)
    wijken = _wijken(request, sessie)
    thema = thema if thema in ZRM_DOMEINEN else ""
    wijk = wijk if wijk in wijken else ""
    context = {
        "aanbieders": await sociale_kaart(request, sessie, thema, wijk),
        "waarden": {"thema": thema, "wijk": wijk},
        "wijken": wijken,
        "ZRM_TEKST": ZRM_TEKST,
        "THEMAS": {d: ZRM_TEKST[d] for d in ZRM_DOMEINEN},
    }
    return toon(request, "sociale_kaart.html", context, sessie=sessie)
