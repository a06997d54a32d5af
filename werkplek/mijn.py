"""Mijn toegang (`/mijn`): the inwoner's own household, in plain Dutch (B1), on a phone as well as on a
computer. A client of arrangement's and intake's `/v1/mijn/...` APIs with his own token: the services find
his households from his DigiD login, never from anything in a URL or a form, so changing an id reaches
nothing of anyone else (the plan id in a form is checked against his households by arrangement).

He reads his plan, who helps him, when he hears from the gemeente, his meldingen and beschikkingen; he
agrees to the plan or says why not, says how it goes before an evaluation, or asks for contact; and he
sees who looked at his data.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from shared.auth import Rol
from werkplek.afhankelijkheden import Aangemeld, Formulier, diensten_van, tekst
from werkplek.diensten import DienstFout
from werkplek.melden import ZRM_TEKST
from werkplek.sessies import Sessie
from werkplek.weergave import toon

router = APIRouter()

# B1: what each deadline means for him.
WANNEER = {
    "doorverwijzing": "neemt uw hulpverlener contact met u op",
    "wmo-onderzoek": "hoort u wat wij hebben onderzocht (het verslag)",
    "beschikking": "krijgt u ons besluit over uw aanvraag",
    "evaluatie": "bespreken we samen hoe het gaat met uw plan",
    "herindicatie": "kijken we of u de hulp daarna nog nodig heeft",
    "bezwaar": "beslissen we over uw bezwaar",
    "klacht": "hoort u wat wij met uw klacht doen",
}
STATUS = {
    "geregistreerd": "We hebben de melding ontvangen",
    "doorverwezen": "De melding is doorgestuurd naar een team",
    "opgepakt": "Een team helpt u",
    "afgesloten": "Afgerond",
}
REDENEN = {
    "doelen_kloppen_niet": "De doelen passen niet bij mij",
    "te_weinig_hulp": "Ik krijg te weinig hulp",
    "andere_hulp_nodig": "Ik heb andere hulp nodig",
    "niet_besproken": "Dit is niet met mij besproken",
    "anders": "Iets anders",
}
GAAT = {"beter": "Beter", "gelijk": "Hetzelfde", "slechter": "Slechter"}
VOORKEUREN = {
    "telefoon": "Bel mij",
    "huisbezoek": "Kom bij mij thuis",
    "beeldbellen": "Beeldbellen",
    "op_kantoor": "Op kantoor",
}
DAGDELEN = {"ochtend": "'s Ochtends", "middag": "'s Middags", "avond": "'s Avonds"}
ACTIVITEITEN = {
    "huishouden inzien": "bekeek het plan van uw huishouden",
    "eigen huishouden inzien": "u bekeek zelf uw plan",
    "melding inzien": "bekeek een melding over u",
    "eigen meldingen inzien": "u bekeek zelf uw meldingen",
}
ROLLEN = {
    "wijkcoach": "een wijkcoach",
    "consulent": "een consulent",
    "lokale_kamer": "de Lokale Kamer",
    "meldpunt": "het meldpunt",
    "beheer": "een beheerder",
    "inwoner": "u zelf",
}


def _alleen_inwoner(request: Request, sessie: Sessie) -> Response | None:
    if sessie.gebruiker is None or sessie.gebruiker.rol != Rol.inwoner:
        uitleg = "Deze pagina is voor inwoners. Log in met DigiD."
        return toon(request, "fout.html", {"titel": "Geen toegang", "uitleg": uitleg}, status_code=403)
    return None


@router.get("/mijn", response_class=HTMLResponse)
async def mijn(request: Request, sessie: Aangemeld) -> Response:
    if (geweigerd := _alleen_inwoner(request, sessie)) is not None:
        return geweigerd
    assert sessie.token
    diensten = diensten_van(request)
    huishoudens = (await diensten.get("arrangement", "/v1/mijn/huishouden", sessie.token))["huishoudens"]
    meldingen = (await diensten.get("intake", "/v1/mijn/meldingen", sessie.token))["meldingen"]
    gelezen = [
        *(await diensten.get("arrangement", "/v1/mijn/verwerkingen", sessie.token))["verwerkingen"],
        *(await diensten.get("intake", "/v1/mijn/verwerkingen", sessie.token))["verwerkingen"],
    ]
    bericht, sessie.bericht = sessie.bericht, None
    context: dict[str, Any] = {
        "huishoudens": huishoudens,
        "meldingen": meldingen,
        "verwerkingen": sorted(gelezen, key=lambda v: v["tijdstip"], reverse=True)[:50],
        "bericht": bericht,
        "WANNEER": WANNEER,
        "STATUS": STATUS,
        "REDENEN": REDENEN,
        "GAAT": GAAT,
        "VOORKEUREN": VOORKEUREN,
        "DAGDELEN": DAGDELEN,
        "ACTIVITEITEN": ACTIVITEITEN,
        "ROLLEN": ROLLEN,
        "ZRM_TEKST": ZRM_TEKST,
    }
    return toon(request, "mijn.html", context, sessie=sessie)


@router.post("/mijn/reactie", response_class=HTMLResponse)
async def reactie(request: Request, sessie: Aangemeld, form: Formulier) -> Response:
    """His say, sent to arrangement as he gave it; arrangement checks the plan is his."""
    if (geweigerd := _alleen_inwoner(request, sessie)) is not None:
        return geweigerd
    assert sessie.token
    try:
        plan_id = uuid.UUID(tekst(form, "plan_id"))
    except ValueError:
        sessie.bericht = "Dat lukte niet. Probeer het opnieuw."
        return RedirectResponse("/mijn", status_code=303)
    soort = tekst(form, "soort")
    body: dict[str, Any] = {"soort": soort}
    if soort == "instemming":
        body |= {
            "versie": tekst(form, "versie") or None,
            "akkoord": {"ja": True, "nee": False}.get(tekst(form, "akkoord")),
        }
        body |= {"reden": tekst(form, "reden") or None}
    elif soort == "inbreng":
        body["doelen"] = {k.removeprefix("doel."): v for k, v in form.items() if k.startswith("doel.") and v}
    else:
        body |= {"voorkeur": tekst(form, "voorkeur") or None, "dagdeel": tekst(form, "dagdeel") or None}
    try:
        await diensten_van(request).post("arrangement", f"/v1/mijn/plannen/{plan_id}/reacties", sessie.token, body)
    except DienstFout as fout:
        if fout.status not in (404, 409, 422):
            raise
        sessie.bericht = _waarom(fout)
        return RedirectResponse("/mijn#uw-mening", status_code=303)
    sessie.bericht = {
        "instemming": "Bedankt. Uw hulpverlener ziet uw antwoord en neemt contact op als dat nodig is.",
        "inbreng": "Bedankt. Uw hulpverlener gebruikt dit bij het gesprek over uw plan.",
        "contactverzoek": "Bedankt. Uw hulpverlener neemt binnen 2 werkdagen contact met u op.",
    }.get(soort, "Bedankt.")
    return RedirectResponse("/mijn#uw-mening", status_code=303)


def _waarom(fout: DienstFout) -> str:
    velden = fout.veldfouten
    if "reden" in velden:
        return "Kies waarom u het niet eens bent met het plan."
    if "akkoord" in velden:
        return "Kies of u het eens bent met het plan."
    if "voorkeur" in velden:
        return "Kies hoe wij contact met u opnemen."
    if "doelen" in velden or any(v.startswith("doelen.") for v in velden):
        return "Kies bij minstens één doel hoe het gaat."
    if "versie" in velden:
        return "Uw plan is intussen veranderd. Lees het opnieuw en geef dan uw antwoord."
    return "Dat lukte niet. Probeer het opnieuw."
