"""/stuurinformatie/{gemeente} against the real platform: a policy officer reads the indicators of a period
and a wijk as charts with a table under each and downloads them as CSV; other roles and other gemeenten do
not get in."""

from __future__ import annotations

import re

import httpx

from tests.conftest import wacht_tot
from tests.support.gegevens import geldig_bsn, melding
from tests.werkplek.conftest import log_in


async def test_beleid_leest_de_figuren_en_downloadt_ze(platform, token, werkplek):
    async with httpx.AsyncClient() as http:
        for i in range(6):
            r = await http.post(
                platform.urls["intake"] + "/v1/meldingen",
                json=melding(huisnummer=700 + i, bsn=geldig_bsn()),
                headers=token("meldpunt"),
            )
            assert r.status_code == 201, r.text

        async def geteld():
            r = await http.get(
                platform.urls["stuurinformatie"] + "/v1/stuurinformatie/GM1916",
                params={"periode": "2026"},
                headers=token("beleid"),
            )
            totaal = r.json()["indicatoren"]["meldingen_per_kanaal"]["totaal"]
            return totaal["aantal"] is not None and totaal["aantal"] >= 6

        await wacht_tot(geteld, timeout=20)
    async with werkplek() as w:
        await log_in(w, rol="beleid", gemeente="GM1916", team="")
        start = (await w.get("/stuurinformatie/GM1916?periode=2026")).text
        assert 'href="/stuurinformatie/GM1916" aria-current="page"' in start  # in the menu, as the page it is
        assert re.search(
            r'<h2 class="utrecht-heading-2" id="kop-meldingen_per_kanaal">Meldingen per kanaal</h2>', start
        )
        assert "<svg" in start and "Telefoon" in start and "Meldingen per week" in start
        assert 'href="/stuurinformatie/GM1916/export.csv?periode=2026" download' in start
        csv = await w.get("/stuurinformatie/GM1916/export.csv?periode=2026")
        assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
        assert "meldingen_per_kanaal;Meldingen per kanaal;telefoon;aantal;" in csv.text
        # A wijk, and a period that is not a code, fall back to codes the service knows.
        wijk = await w.get("/stuurinformatie/GM1916", params={"periode": "<x>", "wijk": "damsigt"})
        assert wijk.status_code == 200 and "wijk Damsigt" in wijk.text
        assert (await w.get("/stuurinformatie/GM0546")).status_code == 403  # another gemeente's figures
    async with werkplek() as w:
        await log_in(w, rol="wijkcoach", gemeente="GM1916", team="gm1916-cjg")
        assert (await w.get("/stuurinformatie/GM1916")).status_code == 403
        assert "Stuurinformatie" not in (await w.get("/werkvoorraad")).text
