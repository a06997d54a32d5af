"""Register a melding (`/meldingen/nieuw`): the form posts to intake's POST /v1/meldingen with the
user's own token, so intake checks and refuses exactly as for any other front door.

- The form's field names are the API's, dotted for nested ones (`betreft.adres.postcode`,
  `betreft.personen.0.bsn`; CONTRACT.md "Werkplek"), so a 422's `errors[].veld` names the field it is
  about. The werkplek checks one thing itself: that each veiligheid question was answered (asked first,
  on purpose: the API's default "no" must not stand for a question nobody asked).
- Every rendered form carries an Idempotency-Key, kept in the session. The POSTs of one form are handled
  one at a time (a lock per form): a double click or a retried submit waits for the first, finds its
  answer, and shows the same confirmation; intake answers a repeated key with the same melding anyway.
- The confirmation shows the terugkoppelcode once: it lives in the session until that page is shown
  and is then forgotten. It is never in a URL (the confirmation's URL holds a random id).
- Nothing typed here goes into a URL, a log line or a page title.
"""

from __future__ import annotations

import asyncio
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.auth import MEDEWERKERS
from shared.zrm import ZRM_DOMEINEN
from werkplek.afhankelijkheden import Aangemeld, Formulier, diensten_van, tekst
from werkplek.diensten import DienstFout
from werkplek.sessies import Sessie
from werkplek.weergave import toon

router = APIRouter()

# The API's values (services/intake/schemas.py; tests/werkplek checks they are the same) in words.
KANALEN = {
    "telefoon": "Telefoon",
    "balie": "Balie",
    "digitaal": "Digitaal (website of app)",
    "email": "E-mail",
    "huisbezoek": "Huisbezoek",
    "professional": "Via een professional",
    "meldpunt": "Meldpunt Bezorgd",
}
SOORTEN = {
    "hulpvraag": "Hulpvraag: iemand vraagt zelf om hulp",
    "zorgmelding": "Zorgmelding: iemand maakt zich zorgen om een ander",
    "aanvraag_maatwerk": "Aanvraag van een maatwerkvoorziening",
}
MELDER_TYPES = {
    "inwoner_zelf": "De inwoner zelf",
    "naaste": "Een naaste (familie, vriend)",
    "mantelzorger": "Mantelzorger",
    "buur": "Buurtbewoner",
    "professional": "Professional",
    "anoniem": "Anoniem",
}
VEILIGHEIDSVRAGEN = {
    "acuut_gevaar": "Is iemand nu in acuut gevaar?",
    "huiselijk_geweld": "Is er sprake van huiselijk geweld?",
    "kindermishandeling": "Zijn er zorgen over kindermishandeling?",
}
ZRM_TEKST = {
    "financien": "Financiën",
    "werk_opleiding": "Werk en opleiding",
    "tijdsbesteding": "Tijdsbesteding",
    "huisvesting": "Huisvesting",
    "huiselijke_relaties": "Huiselijke relaties",
    "geestelijke_gezondheid": "Geestelijke gezondheid",
    "lichamelijke_gezondheid": "Lichamelijke gezondheid",
    "middelengebruik": "Middelengebruik",
    "basale_adl": "Basale ADL (wassen, aankleden, eten)",
    "instrumentele_adl": "Instrumentele ADL (huishouden, boodschappen)",
    "sociaal_netwerk": "Sociaal netwerk",
    "maatschappelijke_participatie": "Maatschappelijke participatie",
    "justitie": "Justitie",
}
ZRM_SCORES = {
    "1": "1: acute problematiek",
    "2": "2: niet zelfredzaam",
    "3": "3: beperkt zelfredzaam",
    "4": "4: voldoende zelfredzaam",
    "5": "5: volledig zelfredzaam",
}
STATUS_TEKST = {
    "geregistreerd": "Geregistreerd: de triage bepaalt nu wie het oppakt",
    "doorverwezen": "Doorverwezen naar een team",
    "opgepakt": "Opgepakt door een team",
    "afgesloten": "Afgesloten",
}
LABELS = {
    "gemeente": "Gemeente",
    "kanaal": "Hoe kwam de melding binnen",
    "soort": "Soort melding",
    "melder": "Melder",
    "melder.type": "Wie meldt",
    "melder.naam": "Naam van de melder",
    "melder.organisatie": "Organisatie van de melder",
    "melder.telefoon": "Telefoonnummer van de melder",
    "melder.email": "E-mailadres van de melder",
    "melder.wil_terugkoppeling": "Terugkoppeling",
    "betreft": "Over wie gaat het",
    "betreft.adres": "Adres",
    "betreft.adres.postcode": "Postcode",
    "betreft.adres.huisnummer": "Huisnummer",
    "betreft.adres.toevoeging": "Toevoeging",
    "omschrijving": "Wat is er aan de hand",
    "levensgebieden": "Levensgebieden",
    "crisis": "Crisis",
    "spoed": "Spoed",
    "inwoner_op_de_hoogte": "Inwoner op de hoogte",
    **{f"veiligheid.{v}": vraag for v, vraag in VEILIGHEIDSVRAGEN.items()},
    **{f"zrm.{d}": f"ZRM {t}" for d, t in ZRM_TEKST.items()},
}
VELDEN = {
    "kanaal",
    "soort",
    "melder",
    "betreft",
    "omschrijving",
    "levensgebieden",
    "zrm",
    "veiligheid",
    "crisis",
    "spoed",
    "inwoner_op_de_hoogte",
}
PERSOON_VELDEN = {"bsn": "BSN", "naam": "naam", "geboortedatum": "geboortedatum"}
# pydantic's messages (the API passes them on) in Dutch; the domain's own are Dutch already.
VERTALINGEN = (
    ("Field required", "Vul dit in."),
    ("Input should be a valid integer", "Vul een getal in."),
    ("Input should be a valid date", "Vul een datum in."),
    ("Input should be greater than or equal to", "Dit getal is te klein."),
    ("Input should be less than or equal to", "Dit getal is te groot."),
    ("String should have at most", "Dit is te lang."),
    ("List should have at most", "Dit zijn er te veel."),
    ("Input should be", "Kies een van de mogelijkheden."),
)
PATROON = {
    "melder.telefoon": "Vul een telefoonnummer in: cijfers, eventueel met spaties, +, haakjes of streepjes.",
    "melder.email": "Vul een e-mailadres in, zoals naam@voorbeeld.nl.",
    "betreft.adres.toevoeging": "Gebruik alleen letters, cijfers, spaties of een streepje.",
}
START_PERSONEN, MAX_PERSONEN = 2, 20  # the API takes at most 20 people
MAX_FORMULIEREN = 50  # open forms per session; the oldest goes first


def mag_melden(sessie: Sessie) -> bool:
    return sessie.gebruiker is not None and sessie.gebruiker.rol in MEDEWERKERS


@dataclass
class MeldFormulier:
    """One rendered form: its Idempotency-Key, and once registered the answer (the code until shown)."""

    sleutel: str
    slot: asyncio.Lock = field(default_factory=asyncio.Lock)
    bevestiging_id: str | None = None
    antwoord: dict[str, Any] | None = None
    wil_terugkoppeling: bool = False
    # A licht contact this melding comes from (voordeur.py): kept here, never taken from the posted form.
    contact: dict[str, Any] | None = None


def _nieuw_formulier(sessie: Sessie) -> MeldFormulier:
    while len(sessie.formulieren) >= MAX_FORMULIEREN:
        sessie.formulieren.pop(next(iter(sessie.formulieren)))
    formulier = MeldFormulier(secrets.token_urlsafe(24))
    sessie.formulieren[formulier.sleutel] = formulier
    return formulier


def _geen_toegang(request: Request) -> Response:
    uitleg = "Een melding registreren kan alleen een medewerker van de gemeente."
    return toon(request, "fout.html", {"titel": "Geen toegang", "uitleg": uitleg}, status_code=403)


@router.get("/meldingen/nieuw", response_class=HTMLResponse)
async def nieuw(request: Request, sessie: Aangemeld, contact: str = "") -> Response:
    """`?contact=<id>`: a licht contact becomes this melding; its channel and themes are filled in."""
    if not mag_melden(sessie):
        return _geen_toegang(request)
    formulier, waarden = _nieuw_formulier(sessie), {}
    if contact:
        assert sessie.token
        try:
            contact_id = uuid.UUID(contact)
        except ValueError:
            raise StarletteHTTPException(404) from None
        formulier.contact = await diensten_van(request).get(
            "intake", f"/v1/lichte-contacten/{contact_id}", sessie.token
        )
        waarden = {"kanaal": formulier.contact["kanaal"], "levensgebieden": list(formulier.contact["themas"])}
    return _formulier(request, sessie, formulier, waarden, {}, START_PERSONEN)


def _formulier(
    request: Request,
    sessie: Sessie,
    formulier: MeldFormulier,
    waarden: dict[str, Any],
    fouten: dict[str, list[str]],
    aantal_personen: int,
    status_code: int = 200,
) -> Response:
    context = {
        "sleutel": formulier.sleutel,
        "waarden": waarden,
        "fouten": fouten,
        "overzicht": _overzicht(fouten),
        "aantal_personen": aantal_personen,
        "contact": formulier.contact,
        "KANALEN": KANALEN,
        "SOORTEN": SOORTEN,
        "MELDER_TYPES": MELDER_TYPES,
        "VEILIGHEIDSVRAGEN": VEILIGHEIDSVRAGEN,
        "ZRM_DOMEINEN": ZRM_DOMEINEN,
        "ZRM_TEKST": ZRM_TEKST,
        "ZRM_SCORES": ZRM_SCORES,
    }
    return toon(request, "melding_nieuw.html", context, status_code=status_code, sessie=sessie)


@router.post("/meldingen/nieuw", response_class=HTMLResponse)
async def registreer(request: Request, sessie: Aangemeld, form: Formulier) -> Response:
    if not mag_melden(sessie):
        return _geen_toegang(request)
    assert sessie.token and sessie.gebruiker
    formulier = sessie.formulieren.get(tekst(form, "idempotency_key"))
    waarden, personen = lees(form)
    aantal = min(MAX_PERSONEN, max(START_PERSONEN, _getal(tekst(form, "aantal_personen")), len(personen)))
    if not isinstance(formulier, MeldFormulier):
        # Not a form of this session (the session store forgot it, or it was made elsewhere).
        fouten = {"formulier": ["Dit formulier is verlopen. Controleer de gegevens en verstuur opnieuw."]}
        return _formulier(request, sessie, _nieuw_formulier(sessie), waarden, fouten, aantal, status_code=422)
    if tekst(form, "actie") == "persoon":  # one more row for a household member; nothing is sent
        return _formulier(request, sessie, formulier, waarden, {}, min(MAX_PERSONEN, aantal + 1))
    async with formulier.slot:  # a second click waits for the first and then finds its answer
        if formulier.antwoord is None:
            if fouten := _onbeantwoord(waarden):
                return _formulier(request, sessie, formulier, waarden, fouten, aantal, status_code=422)
            body = melding_body(waarden, personen, sessie.gebruiker.gemeente)
            pad = "/v1/meldingen"
            if formulier.contact is not None:  # the contact holds the gemeente and the channel
                pad = f"/v1/lichte-contacten/{uuid.UUID(str(formulier.contact['contact_id']))}/melding"
                body = {k: v for k, v in body.items() if k not in ("gemeente", "kanaal")}
            try:
                antwoord = await diensten_van(request).post(
                    "intake", pad, sessie.token, body, headers={"Idempotency-Key": formulier.sleutel}
                )
            except DienstFout as fout:
                if fout.status == 409 and formulier.contact is not None:  # someone was quicker with this contact
                    fouten = {"formulier": ["Van dit contact is al een melding gemaakt."]}
                    return _formulier(request, sessie, formulier, waarden, fouten, aantal, status_code=409)
                if fout.status != 422:
                    raise
                fouten = veldfouten(fout.veldfouten, personen)
                return _formulier(request, sessie, formulier, waarden, fouten, aantal, status_code=422)
            formulier.antwoord = antwoord
            formulier.wil_terugkoppeling = bool(body["melder"].get("wil_terugkoppeling"))
            formulier.bevestiging_id = secrets.token_urlsafe(16)
    return RedirectResponse(f"/meldingen/bevestiging/{formulier.bevestiging_id}", status_code=303)


@router.get("/meldingen/bevestiging/{bevestiging_id}", response_class=HTMLResponse)
async def bevestiging(request: Request, bevestiging_id: str, sessie: Aangemeld) -> Response:
    formulier = next(
        (
            f
            for f in sessie.formulieren.values()
            if isinstance(f, MeldFormulier) and f.bevestiging_id and f.bevestiging_id == bevestiging_id
        ),
        None,
    )
    if formulier is None or formulier.antwoord is None:
        uitleg = "Deze bevestiging bestaat niet (meer). Een melding die u registreerde, is wel geregistreerd."
        return toon(request, "fout.html", {"titel": "Niet gevonden", "uitleg": uitleg}, status_code=404)
    antwoord = formulier.antwoord
    # Shown once: from here on the session no longer has the code.
    code = antwoord.pop("terugkoppelcode", None)
    context = {
        "melding": antwoord,
        "status_tekst": STATUS_TEKST.get(str(antwoord.get("status")), antwoord.get("status")),
        "code": code,
        "wil_terugkoppeling": formulier.wil_terugkoppeling,
    }
    return toon(request, "melding_bevestiging.html", context, sessie=sessie)


# --- from the form to the API's body and back ------------------------------------------------------------


def _getal(waarde: str) -> int:
    return int(waarde) if waarde.isdigit() else 0


def lees(form: FormData) -> tuple[dict[str, Any], list[int]]:
    """The form's values by field name (trimmed) and the rows of people filled in (their form index)."""
    waarden: dict[str, Any] = {}
    for veld in form:
        if veld in ("csrf_token", "idempotency_key", "actie", "aantal_personen"):
            continue
        if veld == "levensgebieden":
            waarden[veld] = [v for v in form.getlist(veld) if isinstance(v, str)]
        else:
            waarden[veld] = tekst(form, veld).strip()
    rijen = sorted(
        {
            int(d[2])
            for veld in waarden
            if (d := veld.split("."))[:2] == ["betreft", "personen"] and len(d) == 4 and d[2].isdigit()
        }
    )
    personen = [
        i for i in rijen if i < MAX_PERSONEN and any(waarden.get(f"betreft.personen.{i}.{v}") for v in PERSOON_VELDEN)
    ]
    return waarden, personen


def _onbeantwoord(waarden: dict[str, Any]) -> dict[str, list[str]]:
    return {
        f"veiligheid.{vraag}": ["Beantwoord deze vraag: vraag het de melder."]
        for vraag in VEILIGHEIDSVRAGEN
        if waarden.get(f"veiligheid.{vraag}") not in ("ja", "nee")
    }


def melding_body(waarden: dict[str, Any], personen: list[int], gemeente: str | None) -> dict[str, Any]:
    """The body of POST /v1/meldingen. Empty fields are left out (the API then takes its default or says
    what is missing); numbers travel as typed and the API says when one is not a number."""

    def w(veld: str) -> str:
        waarde = waarden.get(veld, "")
        return waarde if isinstance(waarde, str) else ""

    def zonder_leeg(d: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in d.items() if v not in ("", None)}

    melder = zonder_leeg({v: w(f"melder.{v}") for v in ("type", "naam", "organisatie", "telefoon", "email")})
    melder["wil_terugkoppeling"] = w("melder.wil_terugkoppeling") == "ja"
    adres = zonder_leeg({v: w(f"betreft.adres.{v}") for v in ("postcode", "huisnummer", "toevoeging")})
    betreft: dict[str, Any] = {
        "personen": [zonder_leeg({v: w(f"betreft.personen.{i}.{v}") for v in PERSOON_VELDEN}) for i in personen]
    }
    if adres:
        betreft["adres"] = adres
    body = {
        "gemeente": gemeente,
        "kanaal": w("kanaal"),
        "soort": w("soort"),
        "melder": melder,
        "betreft": betreft,
        "omschrijving": w("omschrijving"),
        "veiligheid": {vraag: w(f"veiligheid.{vraag}") == "ja" for vraag in VEILIGHEIDSVRAGEN},
        "crisis": w("crisis") == "ja",
        "spoed": w("spoed") == "ja",
        "inwoner_op_de_hoogte": w("inwoner_op_de_hoogte") == "ja",
        "levensgebieden": waarden.get("levensgebieden") or [],
        "zrm": {d: w(f"zrm.{d}") for d in ZRM_DOMEINEN if w(f"zrm.{d}")},
    }
    return zonder_leeg(body)


def veldfouten(api: dict[str, list[str]], personen: list[int]) -> dict[str, list[str]]:
    """The API's errors by the form's field: the n-th person sent is the form's row `personen[n]`, and
    one levensgebied's error belongs to the group of checkboxes."""
    fouten: dict[str, list[str]] = {}
    for veld, meldingen in api.items():
        delen = veld.split(".")
        if delen[:2] == ["betreft", "personen"] and len(delen) > 2 and delen[2].isdigit():
            n = int(delen[2])
            delen[2] = str(personen[n] if n < len(personen) else n)
        elif delen[0] == "levensgebieden":
            delen = delen[:1]
        doel = ".".join(delen)
        fouten.setdefault(doel, []).extend(_nl(doel, m) for m in meldingen)
    return fouten


def _nl(veld: str, melding: str) -> str:
    if melding.startswith("String should match pattern"):
        return PATROON.get(veld, "Dit heeft niet de goede vorm.")
    for engels, nederlands in VERTALINGEN:
        if melding.startswith(engels):
            return nederlands
    melding = melding.strip()
    return (melding[:1].upper() + melding[1:]).rstrip(".") + "." if melding else "Dit klopt niet."


def label(veld: str) -> str:
    delen = veld.split(".")
    if delen[:2] == ["betreft", "personen"] and len(delen) > 2 and delen[2].isdigit():
        persoon = f"Persoon {int(delen[2]) + 1}"
        return f"{persoon}: {PERSOON_VELDEN.get(delen[3], delen[3])}" if len(delen) > 3 else persoon
    return LABELS.get(veld, veld)


def anker(veld: str) -> str:
    """The id of the input an error's link in the summary goes to."""
    delen = veld.split(".")
    if delen[:2] == ["betreft", "personen"] and len(delen) == 3:
        veld += ".bsn"
    elif veld in ("betreft", "betreft.adres"):
        veld = "betreft.adres.postcode"
    elif veld == "melder":
        veld = "melder.type"
    elif veld.startswith("veiligheid."):
        veld += ".ja"
    elif veld == "levensgebieden":
        veld = f"levensgebieden.{ZRM_DOMEINEN[0]}"
    elif veld.split(".")[0] not in VELDEN:
        return ""  # not a field of the form (the gemeente comes from the login): no link
    return veld.replace(".", "-")


def _overzicht(fouten: dict[str, list[str]]) -> list[dict[str, str]]:
    return [{"label": label(v), "anker": anker(v), "melding": m} for v, meldingen in fouten.items() for m in meldingen]
