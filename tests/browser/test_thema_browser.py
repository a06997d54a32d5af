"""Leiden's own werkplek theme in Chromium: its design tokens are in force for Leiden's staff (the header
is Leiden's colour) and axe-core finds no serious or critical WCAG 2.2 AA violation with it, colour
contrast included; a low-contrast token makes the same scan fail, so the scan does look at the colours."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.axe import beschrijf, scan
from tests.browser.conftest import log_in

LEIDEN_TEAM = "gm0546-wijkteam-noord"
KOP_ACHTERGROND = "rgb(253, 240, 241)"  # --utrecht-page-header-background-color in themas/GM0546.css


async def test_thema_van_leiden_haalt_de_contrastregels(browser, werkplek_url):
    context = await browser.new_context(base_url=werkplek_url, bypass_csp=True, locale="nl-NL")
    per_pagina: dict[str, list] = {}
    try:
        p = await context.new_page()
        await log_in(p, "beheer", gemeente="GM0546", team=LEIDEN_TEAM)
        await expect(p.get_by_role("link", name="Werkplek sociaal domein Leiden")).to_be_visible()
        kop = p.locator("header.utrecht-page-header")
        await expect(kop).to_have_css("background-color", KOP_ACHTERGROND)
        for naam, pad in [
            ("werkvoorraad", "/werkvoorraad"),
            ("melding", "/meldingen/nieuw"),
            ("regels", "/regels/GM0546"),
        ]:
            await p.goto(pad)
            await expect(kop).to_have_css("background-color", KOP_ACHTERGROND)
            per_pagina[naam] = await scan(p)
        await p.goto("/meldingen/nieuw")
        await p.get_by_role("button", name="Melding registreren").click()
        await expect(p.locator("#foutoverzicht")).to_be_visible()
        per_pagina["melding met fouten"] = await scan(p)
        assert not any(per_pagina.values()), beschrijf(per_pagina)

        # Control: the same page with a pale link colour in the theme's place is a contrast violation.
        await p.add_style_tag(content="html.voorbeeld-theme { --utrecht-link-color: #f4c7cc; }")
        assert "color-contrast" in {s["id"] for s in await scan(p)}
    finally:
        await context.close()
