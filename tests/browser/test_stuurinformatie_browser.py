"""The stuurinformatie page in a real Chromium: a policy officer chooses a period and a wijk, reads the
charts and their tables, and downloads the CSV; axe-core (WCAG 2.2 AA) finds no serious or critical
violation."""

from __future__ import annotations

from datetime import date

import httpx
from playwright.async_api import expect

from tests.browser.axe import beschrijf, scan
from tests.browser.conftest import log_in
from tests.conftest import wacht_tot
from tests.support.gegevens import geldig_bsn, melding


async def test_beleid_leest_grafieken_kiest_een_wijk_en_downloadt(browser, werkplek_url, platform, token):
    async with httpx.AsyncClient() as http:  # meldingen in leidschendam-zuid (2264 AB), enough to show
        for i in range(6):
            r = await http.post(
                platform.urls["intake"] + "/v1/meldingen",
                json=melding(huisnummer=1100 + i, bsn=geldig_bsn()),
                headers=token("meldpunt"),
            )
            assert r.status_code == 201, r.text

        async def geteld():
            r = await http.get(
                platform.urls["stuurinformatie"] + "/v1/stuurinformatie/GM1916",
                params={"periode": str(date.today().year), "wijk": "leidschendam-zuid"},
                headers=token("beleid"),
            )
            return (r.json()["indicatoren"]["meldingen_per_kanaal"]["totaal"]["aantal"] or 0) >= 6

        await wacht_tot(geteld, timeout=30)
    context = await browser.new_context(base_url=werkplek_url, bypass_csp=True, locale="nl-NL", accept_downloads=True)
    p = await context.new_page()
    await log_in(p, "beleid")
    await p.get_by_role("link", name="Stuurinformatie").click()
    await expect(p.get_by_role("heading", name="Stuurinformatie Leidschendam-Voorburg", level=1)).to_be_visible()
    per_pagina = {"stuurinformatie": await scan(p)}

    await p.get_by_label("Periode").select_option(str(date.today().year))
    await p.get_by_label("Wijk").select_option("leidschendam-zuid")
    await p.get_by_role("button", name="Toon").click()
    await expect(p.get_by_text("wijk Leidschendam-Zuid", exact=False)).to_be_visible()
    kanaal = p.get_by_role("region", name="Meldingen per kanaal")
    await expect(kanaal.get_by_role("img", name="Meldingen per kanaal")).to_be_visible()
    await expect(kanaal.get_by_role("table")).to_be_visible()
    per_pagina["stuurinformatie per wijk"] = await scan(p)

    async with p.expect_download() as wacht:
        await p.get_by_role("link", name="Download als CSV (met de definities)").click()
    download = await wacht.value
    assert download.suggested_filename.startswith("stuurinformatie-GM1916-")
    inhoud = open(await download.path(), encoding="utf-8").read()
    assert "meldingen_per_kanaal;Meldingen per kanaal" in inhoud
    await context.close()

    ernstig = {naam: s for naam, s in per_pagina.items() if s}
    assert not ernstig, "axe-core (WCAG 2.2 AA) vond ernstige schendingen:\n" + beschrijf(ernstig)
