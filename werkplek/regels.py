"""A gemeente's routing rules (`/regels/{gemeente}`): triage's ordered rule table in words, and a dry run
(POST /v1/regels/{gemeente}/proef) with the facts of a melding, showing the decision, the rule that
decided, its sentence and the facts triage used. Nothing is stored or published.

CONTRACT.md names the roles beleid and beheer for this page; it is in their menu. The rule table holds no
personal data, so triage also lets the other staff roles read it (a wijkcoach may want to know why work
came to him): every gemeente role (shared.auth.GEMEENTE_ROLLEN), and triage decides: its own gemeente
only. The gemeente code is no personal data."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from shared.auth import GEMEENTE_ROLLEN
from shared.zrm import ZRM_DOMEINEN
from werkplek.afhankelijkheden import Aangemeld, Formulier, diensten_van, tekst
from werkplek.diensten import DienstFout
from werkplek.melden import KANALEN, MELDER_TYPES, SOORTEN, VEILIGHEIDSVRAGEN, ZRM_SCORES, ZRM_TEKST, _nl
from werkplek.sessies import Sessie
from werkplek.teksten import ROUTES, URGENTIES
from werkplek.weergave import toon

router = APIRouter()
_GEMEENTE = re.compile(r"^GM\d{4}$")
LEEFTIJDEN = {
    "0-3": "0 tot 4 jaar",
    "4-17": "4 tot 18 jaar",
    "18-22": "18 tot 23 jaar",
    "23-64": "23 tot 65 jaar",
    "65+": "65 jaar of ouder",
}
# What a rule may test (shared/regels.FEITEN), as the condition reads in words.
FEIT_WOORDEN = {
    "bron_soort": "bron",
    "soort": "soort melding",
    "kanaal": "kanaal",
    "melder_type": "melder",
    "leeftijdscategorie": "leeftijd",
    "wijk": "wijk",
    "veiligheid": "een veiligheidsvraag is met ja beantwoord",
    "huiselijk_geweld": "huiselijk geweld",
    "kindermishandeling": "kindermishandeling",
    "acuut_gevaar": "acuut gevaar",
    "crisis": "crisis",
    "spoed": "spoed",
    "bekend_huishouden": "het huishouden heeft al een regisseur",
    "zrm_multiprobleem": "problemen op meerdere ZRM-domeinen",
    "levensgebieden": "levensgebieden",
    "gevraagde_voorzieningen": "gevraagde voorzieningen",
    "signaal_soorten": "soort signaal",
    "partner_types": "soort partner",
}


def _waarde(w: Any) -> str:
    return str(ZRM_TEKST.get(str(w), w)).replace("_", " ")


def voorwaarde(feit: str, verwacht: Any) -> str:
    """One condition of a rule in words: 'crisis', 'niet spoed', 'soort melding is zorgmelding of hulpvraag',
    'ZRM financiën 2 of lager', 'minstens 3 ZRM-domeinen 2 of lager'."""
    naam = FEIT_WOORDEN.get(feit, feit.replace("_", " "))
    if isinstance(verwacht, bool):
        if feit in ("levensgebieden", "gevraagde_voorzieningen", "signaal_soorten", "partner_types"):
            return f"er zijn {naam}" if verwacht else f"geen {naam}"
        return naam if verwacht else f"niet: {naam}"
    if feit == "zrm_domein" and isinstance(verwacht, dict):
        return " en ".join(f"ZRM {_waarde(d).lower()} {s} of lager" for d, s in verwacht.items())
    if feit == "zrm_aantal" and isinstance(verwacht, dict):
        return f"minstens {verwacht.get('minstens')} ZRM-domeinen {verwacht.get('score')} of lager"
    waarden = verwacht if isinstance(verwacht, list) else [verwacht]
    tekst_ = " of ".join(_waarde(w) for w in waarden)
    return (
        f"{naam} is {tekst_}"
        if feit not in ("levensgebieden", "signaal_soorten", "partner_types")
        else f"{naam}: {tekst_}"
    )


def als_in_woorden(als: dict[str, Any]) -> list[str]:
    return [voorwaarde(f, v) for f, v in als.items()] or ["alle andere gevallen"]


@cache
def _wijken(config_dir: Path, gemeente: str) -> dict[str, str]:
    try:
        data = yaml.safe_load((config_dir / f"{gemeente}.yaml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return {}
    return {str(w["id"]): str(w.get("naam", w["id"])) for w in data.get("wijken") or [] if "id" in w}


def _gemeente(gemeente: str) -> str:
    if not _GEMEENTE.match(gemeente):
        raise DienstFout("triage", 404, {"detail": "Onbekende gemeente."})
    return gemeente


def _mag(sessie: Sessie) -> bool:
    return sessie.gebruiker is not None and sessie.gebruiker.rol in GEMEENTE_ROLLEN


def _geen_toegang(request: Request) -> Response:
    uitleg = "De regels en de proef zijn voor medewerkers van de gemeente (beleid en beheer)."
    return toon(request, "fout.html", {"titel": "Geen toegang", "uitleg": uitleg}, status_code=403)


@router.get("/regels/{gemeente}", response_class=HTMLResponse)
async def regels(request: Request, gemeente: str, sessie: Aangemeld) -> Response:
    if not _mag(sessie):
        return _geen_toegang(request)
    return await _pagina(
        request,
        sessie,
        _gemeente(gemeente),
        {"soort": "hulpvraag", "kanaal": "telefoon", "melder_type": "inwoner_zelf", "leeftijdscategorie": "23-64"},
        {},
    )


async def _pagina(
    request: Request,
    sessie: Sessie,
    gemeente: str,
    waarden: dict[str, Any],
    fouten: dict[str, list[str]],
    uitkomst: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    assert sessie.token
    tabel = await diensten_van(request).get("triage", f"/v1/regels/{gemeente}", sessie.token)
    woorden = request.app.state.woorden
    rijen = [
        {
            **r,
            "nummer": i,
            "als_woorden": als_in_woorden(r.get("als") or {}),
            "grondslag": woorden.grondslag(gemeente, r.get("termijn")),
            "team_naam": woorden.team(gemeente, r.get("team")),
        }
        for i, r in enumerate(tabel.get("regels") or [], start=1)
    ]
    gekozen = next((r for r in rijen if uitkomst and r.get("id") == uitkomst.get("regel_id")), None)
    context = {
        "gemeente": gemeente,
        "gemeente_naam": woorden.gemeente(gemeente).naam or gemeente,
        "rijen": rijen,
        "waarden": waarden,
        "fouten": fouten,
        "uitkomst": uitkomst,
        "gekozen": gekozen,
        "grondslag_uitkomst": woorden.grondslag(gemeente, uitkomst.get("termijn_grondslag")) if uitkomst else None,
        "team_uitkomst": woorden.team(gemeente, uitkomst.get("team_id")) if uitkomst else None,
        "KANALEN": KANALEN,
        "SOORTEN": {k: v.split(":")[0] for k, v in SOORTEN.items()},
        "MELDER_TYPES": MELDER_TYPES,
        "VEILIGHEIDSVRAGEN": VEILIGHEIDSVRAGEN,
        "ZRM_DOMEINEN": ZRM_DOMEINEN,
        "ZRM_TEKST": ZRM_TEKST,
        "ZRM_SCORES": ZRM_SCORES,
        "LEEFTIJDEN": LEEFTIJDEN,
        "WIJKEN": _wijken(request.app.state.instellingen.config_dir, gemeente),
        "ROUTES": ROUTES,
        "URGENTIES": URGENTIES,
    }
    return toon(request, "regels.html", context, status_code=status_code, sessie=sessie)


def proef_data(waarden: dict[str, Any], gemeente: str) -> dict[str, Any]:
    """The `data` of a melding-geregistreerd as the dry run takes it: the facts from the form, the rest
    stand-ins (a random melding id, placeholder keys: a dry run is about no one)."""

    def w(veld: str) -> str:
        waarde = waarden.get(veld, "")
        return waarde if isinstance(waarde, str) else ""

    return {
        "melding_id": str(uuid.uuid4()),
        "gemeente": gemeente,
        "ontvangen_op": datetime.now(UTC).isoformat(),
        "kanaal": w("kanaal"),
        "soort": w("soort"),
        "melder_type": w("melder_type"),
        "huishouden_id": "0" * 64,
        "persoon_sleutels": [],
        "leeftijdscategorie": w("leeftijdscategorie") or None,
        "wijk": w("wijk") or None,
        "levensgebieden": waarden.get("levensgebieden") or [],
        "zrm": {
            d: int(w(f"zrm.{d}")) if w(f"zrm.{d}").isdigit() else w(f"zrm.{d}") for d in ZRM_DOMEINEN if w(f"zrm.{d}")
        },
        "veiligheid": {v: w(f"veiligheid.{v}") == "ja" for v in VEILIGHEIDSVRAGEN},
        "crisis": w("crisis") == "ja",
        "spoed": w("spoed") == "ja",
        "gevraagde_voorzieningen": [],
        "inwoner_op_de_hoogte": True,
    }


@router.post("/regels/{gemeente}/proef", response_class=HTMLResponse)
async def proef(request: Request, gemeente: str, sessie: Aangemeld, form: Formulier) -> Response:
    if not _mag(sessie):
        return _geen_toegang(request)
    gemeente = _gemeente(gemeente)
    assert sessie.token
    waarden: dict[str, Any] = {v: tekst(form, v).strip() for v in form if v not in ("csrf_token", "levensgebieden")}
    waarden["levensgebieden"] = [v for v in form.getlist("levensgebieden") if isinstance(v, str)]
    bekend = "true" if waarden.get("bekend_huishouden") == "ja" else "false"
    try:
        uitkomst = await diensten_van(request).post(
            "triage",
            f"/v1/regels/{gemeente}/proef?bekend_huishouden={bekend}",
            sessie.token,
            proef_data(waarden, gemeente),
        )
    except DienstFout as fout:
        if fout.status != 422:
            raise
        fouten: dict[str, list[str]] = {}
        for veld, meldingen in fout.veldfouten.items():
            doel = "levensgebieden" if veld.startswith("levensgebieden") else veld
            fouten.setdefault(doel, []).extend(_nl(doel, m) for m in meldingen)
        return await _pagina(request, sessie, gemeente, waarden, fouten, status_code=422)
    return await _pagina(request, sessie, gemeente, waarden, {}, uitkomst)
