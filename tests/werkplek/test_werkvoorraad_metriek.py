"""The werkvoorraad's whose-work filter, order and pages (against a stand-in arrangement that pages as
the real one does: `offset`/`limit`, at most 500), and /metrics after a household page: route templates,
status classes and service-call latency, never a household key. The API's offset against the real
arrangement is in test_werkvoorraad_api below."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
import nats

from shared.auth import maak_token
from shared.events import DoorverwijzingGedaan, maak_event
from tests.conftest import wacht_tot
from tests.werkplek.conftest import ORIGIN, instellingen, log_in
from werkplek.app import maak_app

TEAM = "gm1916-gebiedsteam-leidschendam"
MIJ = f"dev-wijkcoach-GM1916-{TEAM}"  # the dev login's sub for this role, gemeente and team
NU = datetime.now(UTC)


def _rij(i: int, medewerker: str | None = None, soort: str = "outreach") -> dict:
    return {
        "termijn_id": str(uuid.UUID(int=i)),
        "soort": soort,
        "huishouden_id": hashlib.sha256(f"h{i}".encode()).hexdigest(),
        "plan_id": str(uuid.uuid4()),
        "bron_id": str(uuid.uuid4()),
        "team_id": TEAM,
        "medewerker_id": medewerker,
        "termijn_grondslag": "outreach-2-werkdagen",
        "termijn_tot": (NU + timedelta(hours=i)).isoformat(),
        "verstreken": False,
        "bij_lopend_plan": False,
    }


@asynccontextmanager
async def _werkplek(rijen: list[dict]) -> AsyncIterator[tuple[httpx.AsyncClient, list[httpx.Request]]]:
    gezien: list[httpx.Request] = []

    def dienst(request: httpx.Request) -> httpx.Response:
        gezien.append(request)
        if request.url.path == "/v1/werkvoorraad":
            offset, limit = int(request.url.params.get("offset", 0)), int(request.url.params.get("limit", 500))
            return httpx.Response(200, json={"werkvoorraad": rijen[offset : offset + min(limit, 500)]})
        if request.url.path.startswith("/v1/huishoudens/"):
            return httpx.Response(200, json={"huishouden_id": request.url.path.rsplit("/", 1)[1], "tijdlijn": []})
        return httpx.Response(404, json={"detail": "niet hier"})

    app = maak_app(instellingen(TOEGANG_JWT_SECRET="dev-test-geheim-" * 3), transport=httpx.MockTransport(dienst))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=ORIGIN) as w:
            await log_in(w, rol="wijkcoach", gemeente="GM1916", team=TEAM)
            yield w, gezien


def _huishoudens(html: str) -> list[str]:
    return re.findall(r'href="/huishoudens/([0-9a-f]{64})"', html)


async def test_mijn_werk_of_dat_van_het_team_gekozen_met_een_queryparameter_die_een_herlaadbeurt_overleeft():
    rijen = [_rij(1), _rij(2, medewerker=MIJ), _rij(3, medewerker="iemand-anders"), _rij(4, medewerker=MIJ)]
    h = [r["huishouden_id"] for r in rijen]
    async with _werkplek(rijen) as (w, _):
        assert _huishoudens((await w.get("/werkvoorraad")).text) == h
        mijn = await w.get("/werkvoorraad", params={"wie": "mij"})
        assert _huishoudens(mijn.text) == [h[1], h[3]]
        assert 'value="mij" selected' in mijn.text
        # The poll asks with the same choice, and swaps the list alone.
        assert 'hx-get="/werkvoorraad?wie=mij"' in mijn.text and 'hx-select="#werkvoorraad-lijst"' in mijn.text
        team = await w.get("/werkvoorraad", params={"wie": "team"})
        assert _huishoudens(team.text) == [h[0], h[2]]
        assert _huishoudens((await w.get("/werkvoorraad", params={"wie": "onzin"})).text) == h  # old link: all


async def test_sorteren_op_huishouden_en_soort_met_de_termijn_daarbinnen():
    rijen = [_rij(1, soort="wmo_melding"), _rij(2, soort="outreach"), _rij(3, soort="wmo_melding")]
    async with _werkplek(rijen) as (w, _):
        per_soort = await w.get("/werkvoorraad", params={"sorteer": "soort"})
        assert _huishoudens(per_soort.text) == [rijen[i]["huishouden_id"] for i in (1, 0, 2)]
        assert 'value="soort" selected' in per_soort.text and 'hx-get="/werkvoorraad?sorteer=soort"' in per_soort.text
        per_huishouden = await w.get("/werkvoorraad", params={"sorteer": "huishouden"})
        assert _huishoudens(per_huishouden.text) == sorted(r["huishouden_id"] for r in rijen)


async def test_een_werkvoorraad_van_1200_wordt_helemaal_opgehaald_en_in_paginas_getoond():
    rijen = [_rij(i, medewerker=MIJ if i % 3 == 0 else None) for i in range(1200)]
    async with _werkplek(rijen) as (w, gezien):
        eerste = await w.get("/werkvoorraad", params={"wie": "mij"})
        offsets = [r.url.params["offset"] for r in gezien if r.url.path == "/v1/werkvoorraad"]
        assert offsets == ["0", "500", "1000"]  # the werkplek pages through arrangement's 500 a call
        assert "400 open termijnen (van de 1200)" in eerste.text  # the filter over all 1,200, not the first 500
        assert len(_huishoudens(eerste.text)) == 50 and "Pagina 1 van 8" in eerste.text
        assert 'href="/werkvoorraad?wie=mij&amp;pagina=2"' in eerste.text
        laatste = await w.get("/werkvoorraad", params={"wie": "mij", "pagina": "8"})
        mijn = [r["huishouden_id"] for r in rijen if r["medewerker_id"] == MIJ]
        assert _huishoudens(laatste.text) == mijn[350:]
        assert 'hx-get="/werkvoorraad?wie=mij&amp;pagina=8"' in laatste.text  # the poll keeps the page
        voorbij = await w.get("/werkvoorraad", params={"pagina": "99"})
        assert "Pagina 24 van 24" in voorbij.text


async def test_metrics_telt_routesjablonen_en_dienstaanroepen_zonder_een_huishoudsleutel():
    rijen = [_rij(1)]
    huishouden_id = rijen[0]["huishouden_id"]
    async with _werkplek(rijen) as (w, _):
        assert (await w.get(f"/huishoudens/{huishouden_id}")).status_code == 200
        assert (await w.get(f"/huishoudens/{'b' * 200}")).status_code == 404  # no key
        await w.get("/werkvoorraad")
        r = await w.get("/metrics")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
        tekst = r.text
        assert huishouden_id not in tekst and "b" * 32 not in tekst and MIJ not in tekst
        assert 'werkplek_paginas_total{methode="GET",route="/huishoudens/{huishouden_id}",status="2xx"} 1.0' in tekst
        assert 'werkplek_paginas_total{methode="GET",route="/huishoudens/{huishouden_id}",status="4xx"} 1.0' in tekst
        assert 'werkplek_paginas_total{methode="POST",route="/inloggen",status="3xx"} 1.0' in tekst
        dienst = r'werkplek_dienst_seconden_count\{dienst="arrangement",methode="GET",status="2xx"\} 2\.0'
        assert re.search(dienst, tekst)  # the household and the werkvoorraad; the 404 asked nothing
        for regel in tekst.splitlines():  # every label value is a known, id-free word
            for waarde in re.findall(r'="([^"]*)"', regel):
                assert len(waarde) < 40 and not re.search(r"[0-9a-f]{16}", waarde), regel


async def test_werkvoorraad_api_pagineert_met_offset(platform, nats_server):
    """Arrangement itself: `offset` and `limit` give disjoint pages in the same order as one call."""
    team = f"gm1916-test-{uuid.uuid4().hex[:8]}"
    nc = await nats.connect(nats_server.url)
    for i in range(3):
        data = DoorverwijzingGedaan(
            doorverwijzing_id=uuid.uuid4(),
            gemeente="GM1916",
            bron_id=uuid.uuid4(),
            bron_soort="melding",
            huishouden_id=uuid.uuid4().hex * 2,
            wijk="damsigt",
            route="wijkteam",
            team_id=team,
            urgentie="regulier",
            termijn_tot=NU + timedelta(hours=i),
            termijn_grondslag="outreach-2-werkdagen",
            regel_id="test-werkplek",
            toelichting="test",
        )
        event = maak_event(
            data, service="triage", gemeente="GM1916", subject=str(data.doorverwijzing_id), correlatieid=str(i)
        )
        await nc.jetstream().publish(event.nats_subject, event.model_dump_json().encode())
    await nc.drain()
    kop = {"Authorization": "Bearer " + maak_token(platform.jwt_secret, "wijkcoach", "GM1916", [team])}
    async with httpx.AsyncClient(base_url=platform.urls["arrangement"]) as api:

        async def alle():
            r = await api.get("/v1/werkvoorraad", headers=kop)
            rijen = r.json()["werkvoorraad"] if r.status_code == 200 else []
            return len({t["huishouden_id"] for t in rijen}) == 3 and rijen

        geheel = [t["termijn_id"] for t in await wacht_tot(alle, timeout=20)]
        stukken = []
        for offset in range(0, len(geheel) + 2, 2):
            r = await api.get("/v1/werkvoorraad", params={"offset": offset, "limit": 2}, headers=kop)
            assert r.status_code == 200 and len(r.json()["werkvoorraad"]) <= 2
            stukken.extend(t["termijn_id"] for t in r.json()["werkvoorraad"])
        assert stukken == geheel  # disjoint, complete, in order
        assert (await api.get("/v1/werkvoorraad", params={"limit": 501}, headers=kop)).status_code == 422
        assert (await api.get("/v1/werkvoorraad", params={"offset": -1}, headers=kop)).status_code == 422
