"""Mijn toegang through the running services' APIs, with the test data's BSN in the inwoner's token (so the
run's final privacy scan, tests/e2e/test_skeleton.py, checks that it reached no event, span, log or URL):
his household and not his neighbour's, his say, who read his data and only his."""

from __future__ import annotations

import httpx

from tests.conftest import wacht_tot
from tests.e2e.test_skeleton import huishouden, post_melding, url
from tests.support.gegevens import BSN, geldig_bsn, melding


async def test_zijn_huishouden_zijn_mening_en_wie_keek(platform, token):
    m = await post_melding(platform, token, melding(huisnummer=1401, bsn=BSN))
    await post_melding(platform, token, melding(huisnummer=1402, bsn=(buurman := geldig_bsn())))
    ik = token("inwoner", bsn=BSN)
    async with httpx.AsyncClient(timeout=30) as http:

        async def mijn(kop):
            r = await http.get(url(platform, "arrangement", "/v1/mijn/huishouden"), headers=kop)
            return r.json()["huishoudens"] if r.status_code == 200 else None

        # The test data's BSN is in many meldingen of the run: his household is the one of this melding.
        plan_id = (await wacht_tot(lambda: huishouden(platform, token, m["huishouden_id"]), timeout=20))["plan"][
            "plan_id"
        ]

        async def van_deze_melding():
            return [h for h in await mijn(ik) or [] if h["plan"]["plan_id"] == plan_id]

        [h] = await wacht_tot(van_deze_melding, timeout=20)
        [buren] = await wacht_tot(lambda: mijn(token("inwoner", bsn=buurman)), timeout=20)
        assert h["plan"]["plan_id"] != buren["plan"]["plan_id"]
        assert "'door':" not in str(h) and "medewerker_id" not in str(h)  # no employee in what he reads
        naar_buren = await http.post(
            url(platform, "arrangement", f"/v1/mijn/plannen/{buren['plan']['plan_id']}/reacties"),
            json={"soort": "contactverzoek", "voorkeur": "telefoon"},
            headers=ik,
        )
        assert naar_buren.status_code == 404
        eens = await http.post(
            url(platform, "arrangement", f"/v1/mijn/plannen/{h['plan']['plan_id']}/reacties"),
            json={"soort": "instemming", "versie": h["plan"]["versie"], "akkoord": True},
            headers=ik,
        )
        assert eens.status_code == 201, eens.text
        team = h["regisseur"]["team_id"]
        werk = await http.get(
            url(platform, "arrangement", "/v1/werkvoorraad"), headers=token("wijkcoach", teams=[team])
        )
        assert eens.json()["reactie_id"] in {w["bron_id"] for w in werk.json()["werkvoorraad"]}
        # A consulent reads his melding: he sees it, the neighbour does not.
        gelezen = await http.get(
            url(platform, "intake", f"/v1/meldingen/{m['melding_id']}"), headers=token("consulent")
        )
        assert gelezen.status_code == 200
        zijn = (await http.get(url(platform, "intake", "/v1/mijn/verwerkingen"), headers=ik)).json()["verwerkingen"]
        assert {"rol": "consulent", "activiteit": "melding inzien", "medewerker": None}.items() <= zijn[0].items()
        assert zijn[0]["organisatie"] == "Leidschendam-Voorburg"
        van_buren = await http.get(
            url(platform, "intake", "/v1/mijn/verwerkingen"), headers=token("inwoner", bsn=buurman)
        )
        assert all(v["activiteit"] != "melding inzien" for v in van_buren.json()["verwerkingen"])
        meldingen = (await http.get(url(platform, "intake", "/v1/mijn/meldingen"), headers=ik)).json()["meldingen"]
        mijne = [x for x in meldingen if x["melding_id"] == m["melding_id"]]
        assert mijne and mijne[0]["zelf_gemeld"] is False and mijne[0]["soort"] is None  # a neighbour's zorgmelding
        # A token with a BSN that fails the elfproef, or a BSN for staff, is no token.
        assert (
            await http.get(url(platform, "intake", "/v1/mijn/meldingen"), headers=token("inwoner", bsn="123456789"))
        ).status_code == 401
        assert (
            await http.get(url(platform, "intake", "/v1/mijn/meldingen"), headers=token("wijkcoach", bsn=BSN))
        ).status_code == 401
