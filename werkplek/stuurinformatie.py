"""Stuurinformatie for policy staff (`/stuurinformatie/{gemeente}`): the indicators of a period and a wijk as
charts, with a table under each (the same numbers, for a screen reader and for copying), and the CSV
download. A client of the stuurinformatie service, with the user's own token: the service decides who may
read (beleid and beheer of the gemeente) and what is suppressed; this page only draws.

The charts are SVG drawn here (bars for a breakdown, a line for a series), with no script: the CSP allows
none inline, and a chart a policy officer reads should not need one. A suppressed value is drawn as an
empty bar marked "minder dan 5" and said so in the table.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from shared.auth import BELEID
from werkplek.afhankelijkheden import Aangemeld, diensten_van
from werkplek.diensten import DienstFout
from werkplek.melden import KANALEN, MELDER_TYPES, SOORTEN, ZRM_TEKST
from werkplek.teksten import GRONDSLAGEN, ROUTES
from werkplek.weergave import toon

router = APIRouter()
_GEMEENTE = re.compile(r"^GM\d{4}$")
_PERIODE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$")
BREEDTE, RIJ = 480, 28  # the bar chart: its width and the height of one bar's row, in SVG units

# Codes in words, per indicator (the rest is shown as its code).
WOORDEN: dict[str, dict[str, str]] = {
    "meldingen_per_kanaal": KANALEN,
    "meldingen_per_soort": SOORTEN,
    "meldingen_per_melder": MELDER_TYPES,
    "meldingen_per_route": ROUTES,
    "lichte_contacten_per_thema": ZRM_TEKST,
    "lichte_contacten_per_uitkomst": {
        "beantwoord": "Beantwoord",
        "verwezen_voorliggend_veld": "Verwezen naar het voorliggend veld",
        "melding_gemaakt": "Toch een melding",
    },
    "wmo_toegekend_per_leveringsvorm": {"zin": "Zorg in natura", "pgb": "Persoonsgebonden budget"},
    "meldpunt_bezorgd": {"gemeld": "Gemeld bij Meldpunt Bezorgd", "huishoudens_in_zorg": "Huishoudens in zorg"},
    "vroegsignalering": {
        "signalen": "Signalen",
        "casussen": "Casussen",
        "contact_gelegd": "Contact gelegd",
        "hulp_gestart": "Hulp gestart",
        "uitzetting_voorkomen": "Uitzetting voorkomen",
    },
    "signalen_per_beoordeling": {
        "nieuw": "Nieuw",
        "herhaalde_melding": "Herhaalde melding",
        "onder_drempel": "Onder de drempel",
    },
    "huishoudens_in_waakvlam": {"huishoudens": "Huishoudens"},
    "termijnen": GRONDSLAGEN | {"awb-bezwaar": "Beslissen op bezwaar", "awb-klacht": "Klacht afhandelen"},
    "zrm_verandering": ZRM_TEKST,
}


def _geen_toegang(request: Request) -> Response:
    uitleg = "Stuurinformatie is voor beleidsmedewerkers en beheer van de gemeente."
    return toon(request, "fout.html", {"titel": "Geen toegang", "uitleg": uitleg}, status_code=403)


def _vraag(periode: str, wijk: str) -> dict[str, str]:
    """Only codes go to the service (and into the page's URLs): a period in its shape, a wijk of the list."""
    vandaag = date.today()
    params = {"periode": periode if _PERIODE.match(periode) else f"{vandaag.year}-{vandaag.month:02d}"}
    if wijk:
        params["wijk"] = wijk
    return params


@router.get("/stuurinformatie/{gemeente}", response_class=HTMLResponse)
async def pagina(request: Request, gemeente: str, sessie: Aangemeld, periode: str = "", wijk: str = "") -> Response:
    assert sessie.gebruiker and sessie.token
    if sessie.gebruiker.rol not in BELEID or not _GEMEENTE.match(gemeente):
        return _geen_toegang(request)
    wijken = request.app.state.woorden.gemeente(gemeente).wijken
    params = _vraag(periode, wijk if wijk in wijken else "")
    try:
        figuren = await diensten_van(request).get(
            "stuurinformatie", f"/v1/stuurinformatie/{gemeente}", sessie.token, params
        )
    except DienstFout as fout:
        if fout.status not in (403, 404):
            raise
        return _geen_toegang(request)
    context = {
        "gemeente": gemeente,
        "figuren": figuren,
        "grafieken": {naam: grafiek(naam, ind) for naam, ind in figuren["indicatoren"].items()},
        "waarden": params,
        "wijken": wijken,
        "perioden": _perioden(),
        "export": "&".join(f"{k}={v}" for k, v in params.items()),
        "WOORDEN": WOORDEN,
    }
    return toon(request, "stuurinformatie.html", context, sessie=sessie)


@router.get("/stuurinformatie/{gemeente}/export.csv")
async def export(request: Request, gemeente: str, sessie: Aangemeld, periode: str = "", wijk: str = "") -> Response:
    """The service's CSV, passed on as it is (same figures, same suppression)."""
    assert sessie.gebruiker and sessie.token
    if sessie.gebruiker.rol not in BELEID or not _GEMEENTE.match(gemeente):
        return _geen_toegang(request)
    wijken = request.app.state.woorden.gemeente(gemeente).wijken
    params = _vraag(periode, wijk if wijk in wijken else "")
    tekst = await diensten_van(request).tekst(
        "stuurinformatie", f"/v1/stuurinformatie/{gemeente}/export.csv", sessie.token, params
    )
    naam = f"stuurinformatie-{gemeente}-{params['periode']}{'-' + params['wijk'] if 'wijk' in params else ''}.csv"
    return Response(
        tekst, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{naam}"'}
    )


def _perioden() -> dict[str, str]:
    """The last 12 months, the last 4 quarters and the last 2 years, newest first."""
    vandaag = date.today()
    maanden = [(vandaag.year * 12 + vandaag.month - 1 - i) for i in range(12)]
    uit = {f"{m // 12}-{m % 12 + 1:02d}": f"{MAANDNAMEN[m % 12]} {m // 12}" for m in maanden}
    kwartaal = (vandaag.month - 1) // 3
    for i in range(4):
        k = vandaag.year * 4 + kwartaal - i
        uit[f"{k // 4}-Q{k % 4 + 1}"] = f"{k % 4 + 1}e kwartaal {k // 4}"
    for jaar in (vandaag.year, vandaag.year - 1):
        uit[str(jaar)] = f"Heel {jaar}"
    return uit


MAANDNAMEN = "januari februari maart april mei juni juli augustus september oktober november december".split()


# --- charts --------------------------------------------------------------------------------------------------


def grafiek(naam: str, ind: dict[str, Any]) -> dict[str, Any] | None:
    """What the template draws for one indicator: bars (a breakdown) or a line (a series over weeks)."""
    woorden = WOORDEN.get(naam, {})
    if ind["vorm"] == "reeks":
        return _lijn(ind)
    if ind["vorm"] in ("verdeling", "trechter"):
        rijen = [(woorden.get(c["sleutel"], c["sleutel"]), c["aantal"]) for c in ind["cellen"]]
    elif ind["vorm"] == "termijnen":
        rijen = [(woorden.get(r["sleutel"], r["sleutel"]), r["gehaald_procent"]["procent"]) for r in ind["rijen"]]
        return _balken(rijen, procent=True)
    else:
        return None
    return _balken(rijen)


def _balken(rijen: list[tuple[str, float | None]], procent: bool = False) -> dict[str, Any] | None:
    if not rijen:
        return None
    hoogste = 100.0 if procent else max((w for _, w in rijen if w is not None), default=0) or 1
    balken = []
    for i, (label, waarde) in enumerate(rijen):
        lengte = 0 if waarde is None else round(BREEDTE * 0.6 * waarde / hoogste, 1)
        tekst = "minder dan 5" if waarde is None else (f"{waarde:g}%" if procent else f"{waarde:g}")
        balken.append({"y": i * RIJ, "label": label, "lengte": lengte, "tekst": tekst, "onderdrukt": waarde is None})
    return {"soort": "balken", "balken": balken, "hoogte": len(rijen) * RIJ, "breedte": BREEDTE}


def _lijn(ind: dict[str, Any]) -> dict[str, Any] | None:
    punten = sorted((c["sleutel"], c["aantal"]) for c in ind["cellen"])
    if len(punten) < 2:
        return _balken([(k, v) for k, v in punten])
    hoogste = max((v for _, v in punten if v is not None), default=0) or 1
    hoogte, stap = 160, BREEDTE / (len(punten) - 1)
    coords = [
        (round(i * stap, 1), None if v is None else round(hoogte - hoogte * v / hoogste, 1))
        for i, (_, v) in enumerate(punten)
    ]
    lijn = " ".join(f"{x},{y}" for x, y in coords if y is not None)
    return {
        "soort": "lijn",
        "lijn": lijn,
        "punten": [{"x": x, "y": y, "label": k} for (x, y), (k, _) in zip(coords, punten, strict=True)],
        "hoogte": hoogte,
        "breedte": BREEDTE,
    }
