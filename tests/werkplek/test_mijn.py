"""/mijn against the real platform: an inwoner logs in (development login with his BSN, as DigiD gives it),
reads his plan in plain Dutch, says he does not agree and asks for contact, both reaching the regisseur's
werkvoorraad; a neighbour sees nothing of it, also not by sending the plan's id; staff do not get the page;
who read his data is listed, in words."""

from __future__ import annotations

import re

import httpx

from tests.conftest import wacht_tot
from tests.support.gegevens import geldig_bsn, melding
from tests.werkplek.conftest import ORIGIN, csrf_van, log_in


async def _plan_voor(platform, token, bsn: str, huisnummer: int) -> tuple[dict, str]:
    async with httpx.AsyncClient() as http:
        r = await http.post(
            platform.urls["intake"] + "/v1/meldingen",
            json=melding(huisnummer=huisnummer, bsn=bsn),
            headers=token("meldpunt"),
        )
        assert r.status_code == 201, r.text

        async def mijn():
            antwoord = await http.get(
                platform.urls["arrangement"] + "/v1/mijn/huishouden", headers=token("inwoner", bsn=bsn)
            )
            return antwoord.json()["huishoudens"] if antwoord.status_code == 200 else None

        [h] = await wacht_tot(mijn, timeout=20)
    return h, r.json()["huishouden_id"]


async def test_de_inwoner_leest_zijn_plan_zegt_zijn_mening_en_ziet_wie_keek(platform, token, werkplek):
    ik, buurman = geldig_bsn(), geldig_bsn()
    h, huishouden_id = await _plan_voor(platform, token, ik, 1201)
    await _plan_voor(platform, token, buurman, 1202)
    team = h["regisseur"]["team_id"]
    async with httpx.AsyncClient() as http:  # his regisseur reads the household: that is logged
        gelezen = await http.get(
            platform.urls["arrangement"] + f"/v1/huishoudens/{huishouden_id}", headers=token("wijkcoach", teams=[team])
        )
        assert gelezen.status_code == 200
    async with werkplek() as w:
        await log_in(w, rol="inwoner", gemeente="GM1916", bsn=ik)
        start = await w.get("/", follow_redirects=False)
        assert start.headers["location"] == "/mijn"
        pagina = (await w.get("/mijn")).text
        assert ik not in pagina and "Uw plan" in pagina and "Wanneer hoort u van ons?" in pagina
        assert "Een melding van" in pagina  # a neighbour's zorgmelding: not who, not what (test data: melder buur)
        plan_id = re.search(r'name="plan_id" value="([0-9a-f-]{36})"', pagina).group(1)
        assert plan_id == str(h["plan"]["plan_id"])
        csrf = csrf_van(pagina)
        zonder = await w.post(
            "/mijn/reactie",
            data={"csrf_token": csrf, "plan_id": plan_id, "soort": "instemming", "versie": "1", "akkoord": "nee"},
            headers={"Origin": ORIGIN},
        )
        assert zonder.status_code == 303
        assert "Kies waarom u het niet eens bent met het plan." in (await w.get("/mijn")).text
        for data in (
            {"soort": "instemming", "versie": "1", "akkoord": "nee", "reden": "te_weinig_hulp"},
            {"soort": "contactverzoek", "voorkeur": "telefoon", "dagdeel": "ochtend"},
        ):
            r = await w.post(
                "/mijn/reactie", data={"csrf_token": csrf, "plan_id": plan_id, **data}, headers={"Origin": ORIGIN}
            )
            assert r.status_code == 303
        assert "binnen 2 werkdagen contact" in (await w.get("/mijn")).text
        gezien = (await w.get("/mijn")).text
        assert "u bekeek zelf uw plan" in gezien
        assert "een wijkcoach van Leidschendam-Voorburg bekeek het plan van uw huishouden" in gezien
    async with httpx.AsyncClient() as http:
        werk = (
            await http.get(platform.urls["arrangement"] + "/v1/werkvoorraad", headers=token("wijkcoach", teams=[team]))
        ).json()
    reacties = [t for t in werk["werkvoorraad"] if t["plan_id"] == plan_id and t["soort"] == "reactie"]
    assert sorted(t["termijn_grondslag"] for t in reacties) == ["contactverzoek-inwoner", "reactie-inwoner"]

    async with werkplek() as w:  # the neighbour: his own page, and nothing of the other household
        await log_in(w, rol="inwoner", gemeente="GM1916", bsn=buurman)
        pagina = (await w.get("/mijn")).text
        assert plan_id not in pagina
        r = await w.post(
            "/mijn/reactie",
            data={
                "csrf_token": csrf_van(pagina),
                "plan_id": plan_id,
                "soort": "contactverzoek",
                "voorkeur": "telefoon",
            },
            headers={"Origin": ORIGIN},
        )
        assert r.status_code == 303 and "Dat lukte niet" in (await w.get("/mijn")).text
    async with werkplek() as w:
        await log_in(w, rol="wijkcoach", gemeente="GM1916", team=team)
        assert (await w.get("/mijn")).status_code == 403
