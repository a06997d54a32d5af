"""Stuurinformatie on the running platform: figures built from what the other services published, for
beleid and beheer of the gemeente only (JSON and CSV), and a rebuild from the streams that gives the
same figures."""

from __future__ import annotations

import asyncio
from datetime import date

import httpx

from services.stuurinformatie.herbouw import maak_leeg
from shared.topology import CONSUMERS
from tests.conftest import wacht_tot
from tests.e2e.test_skeleton import post_melding, url
from tests.support.gegevens import GEVOELIG, geldig_bsn, melding
from tests.support.verwerkt import wacht_tot_bijgewerkt, wacht_tot_uitgestuurd

ALLE_DURABLES = tuple(c.durable for c in CONSUMERS if c.cloudevents)
EIGEN = tuple(c.durable for c in CONSUMERS if c.service == "stuurinformatie")
JAAR = {"periode": str(date.today().year)}


async def figuren(platform, token, **params) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30) as http:
        return await http.get(
            url(platform, "stuurinformatie", "/v1/stuurinformatie/GM1916"),
            params=params or JAAR,
            headers=token("beleid"),
        )


async def _stil(platform, nats_server) -> None:
    """Every durable of the platform caught up and every outbox sent, twice (an event handled may publish more)."""
    for _ in range(2):
        await wacht_tot_bijgewerkt(nats_server.url, *ALLE_DURABLES, timeout=30)
        await wacht_tot_uitgestuurd(platform.database_url, "intake", "triage", "arrangement", "signalering", timeout=30)


async def test_de_figuren_komen_uit_de_events_en_zijn_na_herbouw_gelijk(platform, token, nats_server):
    for i in range(5):
        await post_melding(platform, token, melding(huisnummer=800 + i, bsn=geldig_bsn()))

    async def vijf_meer():
        r = await figuren(platform, token)
        return r.status_code == 200 and (r.json()["indicatoren"]["meldingen_per_kanaal"]["totaal"]["aantal"] or 0) >= 5

    await wacht_tot(vijf_meer, timeout=30)
    await _stil(platform, nats_server)
    voor = (await figuren(platform, token)).json()
    assert voor["indicatoren"]["doorlooptijd_melding_plan"]["aantal"]  # melding to plan, counted
    assert not any(g in str(voor) for g in GEVOELIG)  # no personal data, no key in the answer
    assert "huishouden_id" not in str(voor)

    platform.stop_service("stuurinformatie")
    await maak_leeg(platform.database_url)
    await asyncio.to_thread(platform.start_service, "stuurinformatie")
    await asyncio.to_thread(platform.wacht_tot_gezond, 60.0, ["stuurinformatie"])
    await wacht_tot_bijgewerkt(nats_server.url, *EIGEN, timeout=60)
    na = (await figuren(platform, token)).json()
    assert na == voor


async def test_alleen_beleid_en_beheer_van_de_eigen_gemeente_en_een_csv(platform, token):
    async with httpx.AsyncClient(timeout=30) as http:
        basis = url(platform, "stuurinformatie", "/v1/stuurinformatie/GM1916")
        assert (await http.get(basis, params=JAAR, headers=token("beheer"))).status_code == 200
        assert (await http.get(basis, params=JAAR, headers=token("wijkcoach", teams=["gm1916-cjg"]))).status_code == 403
        assert (await http.get(basis, params=JAAR, headers=token("beleid", gemeente="GM0546"))).status_code == 404
        assert (await http.get(basis, params=JAAR)).status_code == 401
        fout = await http.get(basis, params={"periode": "2026-13"}, headers=token("beleid"))
        assert fout.status_code == 422 and fout.json()["errors"][0]["veld"] == "query.periode"
        wijk = await http.get(basis, params={**JAAR, "wijk": "atlantis"}, headers=token("beleid"))
        assert wijk.status_code == 422
        csv = await http.get(f"{basis}/export.csv", params={**JAAR, "wijk": "damsigt"}, headers=token("beleid"))
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert 'filename="stuurinformatie-GM1916-' in csv.headers["content-disposition"]
    assert csv.text.splitlines()[1].startswith("indicator;titel;categorie;maat;waarde;onderdrukt;definitie;telt")
