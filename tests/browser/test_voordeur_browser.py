"""The front desk in a real Chromium: Meldpunt registers a licht contact in a few clicks, sees an error next
to its field, then turns the contact into a melding with its channel and themes already filled in; the
sociale kaart is searched by theme and wijk; the Lokale Kamer finds an escalation in its werkvoorraad. Every
page and state is scanned with axe-core (WCAG 2.2 AA): no serious or critical violation."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import expect

from tests.browser.axe import beschrijf, scan
from tests.browser.conftest import log_in
from tests.werkplek.test_acties import _huishouden_met_plan


async def test_contact_registreren_sociale_kaart_en_escalatie(browser, werkplek_url, platform, token):
    per_pagina: dict[str, list] = {}
    context = await browser.new_context(base_url=werkplek_url, bypass_csp=True, locale="nl-NL")
    p = await context.new_page()
    await log_in(p, "meldpunt")
    await p.get_by_role("link", name="Contact registreren").click()
    await expect(p.get_by_role("heading", name="Contact registreren", level=1)).to_be_visible()
    per_pagina["contact registreren"] = await scan(p)

    await p.get_by_role("group", name="Hoe kwam het contact binnen?").get_by_label("Balie").check()
    await p.get_by_role("group", name="Waarover ging de vraag?").get_by_label("Financiën").check()
    await p.get_by_label("Verwezen naar een organisatie in de buurt (voorliggend veld)").check()
    await p.get_by_role("button", name="Contact registreren").click()
    await expect(p.locator("#aanbieder_id-fout")).to_be_visible()  # a referral names its aanbieder
    await expect(p.get_by_label("Verwezen naar (alleen bij een verwijzing)")).to_have_attribute("aria-invalid", "true")
    per_pagina["contact met fout"] = await scan(p)
    await p.get_by_label("Verwezen naar (alleen bij een verwijzing)").select_option(
        "gm1916-humanitas-thuisadministratie"
    )
    await p.get_by_role("button", name="Contact registreren").click()
    await expect(p.get_by_role("status")).to_contain_text("Het contact is geregistreerd")
    await expect(p.get_by_role("group", name="Hoe kwam het contact binnen?").get_by_label("Balie")).to_be_checked()
    per_pagina["contact geregistreerd"] = await scan(p)

    await p.get_by_role("link", name="Maak van dit contact een melding").click()
    await expect(p.get_by_text("Deze melding komt uit een contact (balie)")).to_be_visible()
    await expect(
        p.get_by_role("group", name="6. Levensgebieden waar het om gaat").get_by_label("Financiën")
    ).to_be_checked()
    assert re.search(r"/meldingen/nieuw\?contact=[0-9a-f-]{36}$", p.url)
    per_pagina["melding uit contact"] = await scan(p)

    await p.get_by_role("link", name="Sociale kaart").click()
    await p.get_by_label("Thema").select_option("sociaal_netwerk")
    await p.get_by_label("Wijk").select_option("voorburg-noord")
    await p.get_by_role("button", name="Zoeken").click()
    await expect(p.get_by_role("heading", level=3).first).to_have_text("Welzijnsorganisatie Voorburg")
    per_pagina["sociale kaart"] = await scan(p)

    huishouden_id, team = await _huishouden_met_plan(platform, token)
    async with httpx.AsyncClient() as http:
        plan_id = (
            await http.get(f"{platform.urls['arrangement']}/v1/huishoudens/{huishouden_id}", headers=token("beheer"))
        ).json()["plan"]["plan_id"]
        r = await http.post(
            f"{platform.urls['arrangement']}/v1/plannen/{plan_id}/escalaties",
            json={"reden": "geen_voortgang"},
            headers=token("wijkcoach", teams=[team]),
        )
        assert r.status_code == 201, r.text
    await context.clear_cookies()
    await log_in(p, "lokale_kamer", team="gm1916-lokale-kamer")
    await p.goto("/werkvoorraad")
    await expect(p.locator(f'a[href="/huishoudens/{huishouden_id}"]').first).to_be_visible()
    per_pagina["werkvoorraad lokale kamer"] = await scan(p)
    await p.goto(f"/huishoudens/{huishouden_id}")
    await expect(p.get_by_role("heading", name="Doorzettingsmacht")).to_be_visible()
    await p.locator("#actie-escalatie_teruggave > summary").click()
    per_pagina["huishouden met escalatie"] = await scan(p)
    await context.close()

    ernstig = {naam: s for naam, s in per_pagina.items() if s}
    assert not ernstig, "axe-core (WCAG 2.2 AA) vond ernstige schendingen:\n" + beschrijf(ernstig)
