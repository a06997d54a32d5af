"""The actions on the household page against the real platform: every form's 422 lands at its field
(rows of goals and voorzieningen mapped back), a 409 names the plan's status, a wijkcoach of the
regisseur's team records a contactpoging once (a repeated POST changes nothing) and sees it on the
timeline, a wijkcoach gets no beschikking form and his forged one is refused by arrangement itself, and
a consulent registers an aanvraag and issues the beschikking for it."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timedelta

import httpx

from shared.zrm import ZRM_DOMEINEN
from tests.conftest import wacht_tot
from tests.support.gegevens import eigen_huisnummer, melding
from tests.werkplek.conftest import ORIGIN, csrf_van, log_in
from werkplek.acties import ActiePagina
from werkplek.teksten import TZ

CONSULENTEN = "gm1916-wmo-consulenten"


async def _huishouden_met_plan(platform, token) -> tuple[str, str]:
    """A melding through intake; its household's id once arrangement has its plan, and the regisseur's team."""
    async with httpx.AsyncClient() as http:
        r = await http.post(
            platform.urls["intake"] + "/v1/meldingen",
            json=melding(huisnummer=eigen_huisnummer()),
            headers=token("meldpunt"),
        )
        assert r.status_code == 201, r.text
        huishouden_id = r.json()["huishouden_id"]

        async def plan():
            p = await http.get(
                platform.urls["arrangement"] + f"/v1/huishoudens/{huishouden_id}", headers=token("beheer")
            )
            return p.status_code == 200 and p.json()

        h = await wacht_tot(plan, timeout=20)
    return huishouden_id, h["regisseur"]["team_id"]


async def _api_huishouden(platform, token, huishouden_id: str) -> dict:
    async with httpx.AsyncClient() as http:
        r = await http.get(platform.urls["arrangement"] + f"/v1/huishoudens/{huishouden_id}", headers=token("beheer"))
    assert r.status_code == 200, r.text
    return r.json()


def _sleutel(pagina: str) -> str:
    gevonden = re.search(r'name="actie_sleutel" value="([^"]+)"', pagina)
    assert gevonden, "geen actieformulier op de pagina"
    return gevonden.group(1)


def _tijdlijn(pagina: str) -> str:
    return pagina[pagina.index('id="kop-tijdlijn"') :]


async def _stuur(w: httpx.AsyncClient, huishouden_id: str, actie: str, pagina: str, **velden) -> httpx.Response:
    data = {"csrf_token": csrf_van(pagina), "actie_sleutel": _sleutel(pagina), **velden}
    return await w.post(f"/huishoudens/{huishouden_id}/acties/{actie}", data=data, headers={"Origin": ORIGIN})


def _vandaag() -> date:
    return datetime.now(TZ).date()


def _fout_bij(r: httpx.Response, anker: str) -> None:
    """The error is on the page with its id, an input points at it (aria-describedby) and is aria-invalid,
    and the summary links to it."""
    assert f'id="{anker}"' in r.text, (anker, r.text[:3000])
    invoer = re.search(
        rf'<(input|select|textarea)[^>]*aria-describedby="[^"]*\b{re.escape(anker)}\b[^"]*"[^>]*>', r.text
    )
    assert invoer and 'aria-invalid="true"' in invoer.group(0), anker
    assert f'href="#{anker}"' in r.text


async def test_wijkcoach_van_het_team_legt_een_contactpoging_vast_eenmaal_en_ziet_die_op_de_tijdlijn(
    platform, token, werkplek
):
    huishouden_id, team = await _huishouden_met_plan(platform, token)
    async with werkplek() as w:
        await log_in(w, rol="wijkcoach", gemeente="GM1916", team=team)
        pagina = (await w.get(f"/huishoudens/{huishouden_id}")).text
        for actie in ("contactpoging", "versie", "regie", "overdracht", "evaluatie", "aanvraag", "afsluiten"):
            assert f'action="/huishoudens/{huishouden_id}/acties/{actie}"' in pagina, actie
        assert "Contactpoging" not in _tijdlijn(pagina)

        velden = {"soort": "huisbezoek", "bereikt": "ja", "datum": _vandaag().isoformat(), "dagdeel": "middag"}
        r = await _stuur(w, huishouden_id, "contactpoging", pagina, **velden)
        assert r.status_code == 303 and r.headers["location"] == f"/huishoudens/{huishouden_id}#kop-acties"
        # A retried submit of the same page (a double click, a reload of the POST): recorded once.
        nog_eens = await _stuur(w, huishouden_id, "contactpoging", pagina, **velden)
        assert nog_eens.status_code == 303

        na = await w.get(f"/huishoudens/{huishouden_id}")
        assert na.status_code == 200
        assert "De contactpoging is vastgelegd." in na.text and 'role="status"' in na.text
        tijdlijn = _tijdlijn(na.text)
        assert "<strong>Contactpoging</strong>" in tijdlijn and "Bereikt" in tijdlijn
        assert "De contactpoging is vastgelegd." not in (await w.get(f"/huishoudens/{huishouden_id}")).text  # once

    h = await _api_huishouden(platform, token, huishouden_id)
    assert [r["soort"] for r in h["tijdlijn"]].count("contactpoging") == 1


async def test_elke_422_staat_bij_zijn_veld_en_een_409_noemt_de_status(platform, token, werkplek):
    huishouden_id, team = await _huishouden_met_plan(platform, token)
    gisteren, morgen = (_vandaag() - timedelta(days=1)).isoformat(), (_vandaag() + timedelta(days=1)).isoformat()
    rij = 5  # the sixth levensgebied: the API gets it as doelen.0
    gevallen = {
        "contactpoging": (
            {"soort": "telefoon", "bereikt": "nee", "datum": morgen, "dagdeel": "avond"},
            ["contactpoging-datum-fout"],
        ),
        # pydantic's errors: the first goal sent and the first voorziening sent are the form's rows 5 and 1
        "versie": (
            {
                f"doelen.{rij}.levensgebied": ZRM_DOMEINEN[rij],
                f"doelen.{rij}.zrm_nu": "9",
                "aantal_rijen": "2",
                "voorzieningen.1.code": "maatje",
                "voorzieningen.1.omvang.volume": "0",
                "voorzieningen.1.omvang.eenheid": "uur",
                "voorzieningen.1.omvang.frequentie": "week",
                "evaluatie_op": morgen,
            },
            [f"versie-doelen-{rij}-zrm_nu-fout", "versie-voorzieningen-1-omvang-volume-fout"],
        ),
        "regie": (
            {"regisseur.soort": "professional", "reden": "werkverdeling"},
            ["regie-regisseur-team_id-fout"],
        ),
        "overdracht": (
            {"voorziening": "amw", "aanbieder_id": "Geen Code!", "urgentie": "regulier"},
            ["overdracht-aanbieder_id-fout"],
        ),
        "evaluatie": (
            {"datum": _vandaag().isoformat(), "uitkomst": "bijstellen", "volgende_evaluatie_op": gisteren},
            ["evaluatie-volgende_evaluatie_op-fout"],
        ),
        "aanvraag": ({"voorzieningen": "amw"}, ["aanvraag-voorzieningen-fout"]),
        "afsluiten": (
            {"resultaat": "doelen_bereikt", "waakvlam": "ja", "waakvlam.controle_op": gisteren},
            ["afsluiten-waakvlam-controle_op-fout"],
        ),
    }
    async with werkplek() as w:
        await log_in(w, rol="wijkcoach", gemeente="GM1916", team=team)
        pagina = (await w.get(f"/huishoudens/{huishouden_id}")).text
        for actie, (velden, ankers) in gevallen.items():
            r = await _stuur(w, huishouden_id, actie, pagina, **velden)
            assert r.status_code == 422, (actie, r.text[:2000])
            assert re.search(rf'<details[^>]*id="actie-{actie}" open', r.text), actie  # that form is open
            assert "<title>Fout: Huishouden" in r.text
            for anker in ankers:
                _fout_bij(r, anker)
        # The domain's errors (after pydantic's): an unknown catalogue code in row 1, a date in the past.
        r = await _stuur(
            w,
            huishouden_id,
            "versie",
            pagina,
            aantal_rijen="2",
            **{"voorzieningen.1.code": "bestaat-niet", "evaluatie_op": gisteren},
        )
        assert r.status_code == 422
        _fout_bij(r, "versie-voorzieningen-1-code-fout")
        _fout_bij(r, "versie-evaluatie_op-fout")
        # The aanbieder is chosen from the sociale kaart; one that is not on it is refused next to the field,
        # and a choice from the list stays chosen when another field is wrong.
        r = await _stuur(w, huishouden_id, "overdracht", pagina, voorziening="amw", aanbieder_id="niet-op-de-kaart")
        _fout_bij(r, "overdracht-aanbieder_id-fout")
        r = await _stuur(w, huishouden_id, "overdracht", pagina, voorziening="bestaat-niet", aanbieder_id="gm1916-ssp")
        _fout_bij(r, "overdracht-voorziening-fout")
        assert re.search(r'<option value="gm1916-ssp" selected>Sociaal Servicepunt', r.text)

        # Close with a waakvlam through the page; then an evaluation from the old page is a 409 naming the state.
        nieuw = (await w.get(f"/huishoudens/{huishouden_id}")).text
        dicht = await _stuur(
            w,
            huishouden_id,
            "afsluiten",
            nieuw,
            resultaat="doelen_bereikt",
            waakvlam="ja",
            **{"waakvlam.controle_op": morgen},
        )
        assert dicht.status_code == 303
        te_laat = await _stuur(
            w,
            huishouden_id,
            "evaluatie",
            nieuw,
            datum=_vandaag().isoformat(),
            uitkomst="doelen_bereikt",
            volgende_evaluatie_op=morgen,
        )
        assert te_laat.status_code == 409, te_laat.text[:2000]
        assert "afgesloten met een waakvlam (status waakvlam)" in te_laat.text
        assert "moet het actief zijn" in te_laat.text
        # Under waakvlam only the check is work: the page offers the contactpoging, not the plan's changes.
        onder_waakvlam = (await w.get(f"/huishoudens/{huishouden_id}")).text
        assert "/acties/contactpoging" in onder_waakvlam and "/acties/versie" not in onder_waakvlam
    assert (await _api_huishouden(platform, token, huishouden_id))["plan"]["status"] == "waakvlam"


async def test_wijkcoach_ziet_geen_beschikking_en_zijn_vervalste_post_weigert_de_dienst_een_consulent_beschikt(
    platform, token, werkplek
):
    huishouden_id, team = await _huishouden_met_plan(platform, token)
    beschikking = {
        "aantal_rijen": "2",
        "voorzieningen.1.code": "huishoudelijke-ondersteuning",
        "voorzieningen.1.productcode": "02A01",
        "voorzieningen.1.omvang.volume": "3",
        "voorzieningen.1.omvang.eenheid": "uur",
        "voorzieningen.1.omvang.frequentie": "week",
        "ingangsdatum": _vandaag().isoformat(),
    }
    async with werkplek() as w:
        await log_in(w, rol="wijkcoach", gemeente="GM1916", team=team)
        pagina = (await w.get(f"/huishoudens/{huishouden_id}")).text
        assert "/acties/beschikking" not in pagina and "Beschikking afgeven" not in pagina
        vervalst = await _stuur(w, huishouden_id, "beschikking", pagina, **beschikking)
        assert vervalst.status_code == 403
        # The words are arrangement's (its role check, shared.auth.vereist): the werkplek forwarded it and
        # the service refused; the werkplek itself has no such sentence.
        assert "Geen toegang" in vervalst.text and "De rol wijkcoach mag dit niet." in html.unescape(vervalst.text)
        [actiepagina] = [f for f in w.app.state.sessies._sessies.values() if f.aangemeld][0].formulieren.values()
        assert isinstance(actiepagina, ActiePagina) and "beschikking" not in actiepagina.verstuurd
    assert (await _api_huishouden(platform, token, huishouden_id))["beschikkingen"] == []

    async with werkplek() as w:
        await log_in(w, rol="consulent", gemeente="GM1916", team=CONSULENTEN)
        pagina = (await w.get(f"/huishoudens/{huishouden_id}")).text
        assert "/acties/beschikking" in pagina and "/acties/aanvraag" in pagina
        assert "/acties/versie" not in pagina  # not the regisseur's team: no changes to the plan
        r = await _stuur(w, huishouden_id, "aanvraag", pagina, voorzieningen="huishoudelijke-ondersteuning")
        assert r.status_code == 303, r.text[:2000]
        pagina = (await w.get(f"/huishoudens/{huishouden_id}")).text
        [aanvraag_id] = re.findall(r'<option value="([0-9a-f-]{36})"', pagina)  # the open aanvraag to decide on
        fout = await _stuur(
            w, huishouden_id, "beschikking", pagina, **{**beschikking, "voorzieningen.1.productcode": "x"}
        )
        assert fout.status_code == 422
        _fout_bij(fout, "beschikking-voorzieningen-1-productcode-fout")
        r = await _stuur(w, huishouden_id, "beschikking", pagina, aanvraag_id=aanvraag_id, **beschikking)
        assert r.status_code == 303, r.text[:2000]
        na = (await w.get(f"/huishoudens/{huishouden_id}")).text
        assert "De beschikking is afgegeven." in na
        assert "Beschikking versie 1" in na and "<strong>Beschikking afgegeven</strong>" in _tijdlijn(na)

    h = await _api_huishouden(platform, token, huishouden_id)
    [b] = h["beschikkingen"]
    assert b["voorzieningen"][0]["code"] == "huishoudelijke-ondersteuning"
    assert b["voorzieningen"][0]["omvang"] == {"volume": 3.0, "eenheid": "uur", "frequentie": "week"}
    assert [a["status"] for a in h["aanvragen"]] == ["beschikt"]


async def test_een_vervalst_id_van_een_bezwaar_komt_nooit_in_een_url(platform, token, werkplek):
    """The bezwaar's forms name a beschikking or bezwaar in arrangement's path: only an id travels there.
    A forged value (a path, a query) is refused next to its field before any request; a wijkcoach gets no
    bezwaar form at all; a consulent registers one against the beschikking he chose."""
    huishouden_id, team = await _huishouden_met_plan(platform, token)
    async with httpx.AsyncClient() as http:
        plan_id = (await _api_huishouden(platform, token, huishouden_id))["plan"]["plan_id"]
        b = await http.post(
            platform.urls["arrangement"] + f"/v1/plannen/{plan_id}/beschikkingen",
            json={
                "voorzieningen": [
                    {
                        "code": "huishoudelijke-ondersteuning",
                        "omvang": {"volume": 2, "eenheid": "uur", "frequentie": "week"},
                    }
                ],
                "ingangsdatum": _vandaag().isoformat(),
            },
            headers=token("consulent", teams=[CONSULENTEN]),
        )
        assert b.status_code == 201, b.text
    async with werkplek() as w:
        await log_in(w, rol="wijkcoach", gemeente="GM1916", team=team)
        pagina = (await w.get(f"/huishoudens/{huishouden_id}")).text
        # The plan's own team may record a gesprek (as an aanvraag), but a bezwaar is for a consulent or beheer.
        assert "/acties/gesprek" in pagina and "/acties/bezwaar" not in pagina
    async with werkplek() as w:
        await log_in(w, rol="consulent", gemeente="GM1916", team=CONSULENTEN)
        pagina = (await w.get(f"/huishoudens/{huishouden_id}")).text
        assert "/acties/bezwaar" in pagina and "/acties/bezwaar_beslissing" not in pagina  # no open bezwaar yet
        for vervalst in ("../../beheer/dlq/1/replay", f"{b.json()['beschikking_id']}?x=1", ""):
            r = await _stuur(w, huishouden_id, "bezwaar", pagina, beschikking_id=vervalst, ontvangen_op="")
            assert r.status_code == 422, vervalst
            _fout_bij(r, "bezwaar-beschikking_id-fout")
        assert (await _api_huishouden(platform, token, huishouden_id))["bezwaren"] == []
        r = await _stuur(
            w,
            huishouden_id,
            "bezwaar",
            pagina,
            beschikking_id=b.json()["beschikking_id"],
            ontvangen_op=_vandaag().isoformat(),
            adviescommissie="nee",
        )
        assert r.status_code == 303, r.text[:2000]
        na = (await w.get(f"/huishoudens/{huishouden_id}")).text
        assert "Het bezwaar is geregistreerd." in na and "Awb art. 7:10 lid 1" in na
        assert "/acties/bezwaar_beslissing" in na and "/acties/bezwaar_verdaging" in na
    [bezwaar] = (await _api_huishouden(platform, token, huishouden_id))["bezwaren"]
    assert (bezwaar["beschikking_id"], bezwaar["tijdig"], bezwaar["adviescommissie"]) == (
        b.json()["beschikking_id"],
        True,
        False,
    )
