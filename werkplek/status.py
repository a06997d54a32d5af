"""/status: a melder WITHOUT an account follows his melding with its number and terugkoppelcode.

What he sees is what intake's `GET /v1/meldingen/{id}/status` gives a melder (picked up or not, by which
kind of team; never the plan), in plain Dutch (B1). The code goes to intake in the `Terugkoppelcode`
header, never in a URL (URLs end up in logs and spans), and without a bearer token, also when someone
happens to be logged in: the code is the only credential. A wrong code and an unknown number give the
same neutral message, so the form cannot be used to find out which numbers exist.

The form is protected like every other: the visitor gets an anonymous session (sessies.py, short-lived)
for its CSRF token, and the middleware checks the Origin.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from werkplek.afhankelijkheden import Formulier, diensten_van, sessies_van, tekst
from werkplek.diensten import DienstFout
from werkplek.sessies import Sessie
from werkplek.teksten import ROUTES
from werkplek.weergave import toon

router = APIRouter()

# B1 Dutch per status of intake's life cycle of a melding.
STATUS_TEKST = {
    "geregistreerd": "Uw melding is ontvangen",
    "doorverwezen": "Uw melding is doorgestuurd naar een team",
    "opgepakt": "Een team is met uw melding bezig",
    "afgesloten": "Wij zijn klaar met uw melding",
}
NIET_GEVONDEN = (
    "Wij kunnen met dit nummer en deze code geen melding laten zien. Kijk of u het nummer en de code goed "
    "heeft overgenomen en probeer het opnieuw."
)
# Intake takes at most 64 characters in the header; a longer code cannot be right.
MAX_CODE = 64


@router.get("/status", response_class=HTMLResponse)
async def status_formulier(request: Request) -> Response:
    sessie = sessies_van(request).van_of_nieuw(request)
    antwoord = _pagina(request, sessie, {})
    sessies_van(request).zet_cookie(antwoord, sessie)
    return antwoord


@router.post("/status", response_class=HTMLResponse)
async def status_opvragen(request: Request, form: Formulier) -> Response:
    sessie = sessies_van(request).van_of_nieuw(request)  # exists: the CSRF check found it
    nummer, code = tekst(form, "melding_id").strip(), tekst(form, "terugkoppelcode").strip()
    waarden = {"melding_id": nummer}  # the code is a secret: never back into the page
    fouten: dict[str, list[str]] = {}
    try:
        melding_id = uuid.UUID(nummer)
    except ValueError:
        fouten["melding_id"] = ["Dit is geen nummer van een melding. Neem het nummer precies over, met de streepjes."]
    if not code:
        fouten["terugkoppelcode"] = ["Vul de code in die u bij uw melding kreeg."]
    if fouten:
        return _pagina(request, sessie, {"waarden": waarden, "fouten": fouten}, status_code=422)
    if len(code) > MAX_CODE:
        return _niet_gevonden(request, sessie, waarden)
    try:
        status = await diensten_van(request).get(
            "intake", f"/v1/meldingen/{melding_id}/status", None, headers={"Terugkoppelcode": code}
        )
    except DienstFout as fout:
        if fout.status in (401, 403, 404, 422):  # all mean "not with this number and code"
            return _niet_gevonden(request, sessie, waarden)
        raise
    return _pagina(request, sessie, {"waarden": waarden, "status": _weergave(status)})


def _niet_gevonden(request: Request, sessie: Sessie, waarden: dict[str, str]) -> Response:
    return _pagina(request, sessie, {"waarden": waarden, "niet_gevonden": NIET_GEVONDEN})


def _weergave(status: dict[str, Any]) -> dict[str, Any]:
    """Only what a melder may see, in words: the status and its history (never an id of a team or plan)."""
    return {
        "tekst": _tekst_van(status.get("status")),
        "historie": [
            {
                "tekst": _tekst_van(stap.get("status")),
                "soort_team": ROUTES.get(stap.get("soort_team") or "", "")
                if stap.get("status") != "geregistreerd"
                else "",
                "tijdstip": stap.get("tijdstip"),
            }
            for stap in status.get("historie") or []
        ],
    }


def _tekst_van(status: Any) -> str:
    return STATUS_TEKST.get(str(status), "Uw melding is in behandeling")


def _pagina(request: Request, sessie: Sessie, context: dict[str, Any], status_code: int = 200) -> Response:
    inhoud = {"waarden": {}, "fouten": {}, "status": None, "niet_gevonden": None, **context}
    return toon(request, "status.html", inhoud, status_code=status_code, sessie=sessie)
