"""Mijn toegang in a real Chromium on a phone-sized screen: the inwoner logs in, reads his plan, says he does
not agree (with why), and the page says it reached his hulpverlener; axe-core (WCAG 2.2 AA) finds no serious
or critical violation, before and after."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.axe import beschrijf, scan
from tests.browser.conftest import log_in
from tests.support.gegevens import geldig_bsn
from tests.werkplek.test_mijn import _plan_voor


async def test_inwoner_op_zijn_telefoon(browser, werkplek_url, platform, token):
    ik = geldig_bsn()
    await _plan_voor(platform, token, ik, 1301)
    context = await browser.new_context(
        base_url=werkplek_url, bypass_csp=True, locale="nl-NL", viewport={"width": 390, "height": 844}, is_mobile=True
    )
    p = await context.new_page()
    await log_in(p, "inwoner", bsn=ik)
    await expect(p.get_by_role("heading", name="Mijn toegang", level=1)).to_be_visible()
    await expect(p.get_by_role("heading", name="Wanneer hoort u van ons?")).to_be_visible()
    breedte = await p.evaluate("document.documentElement.scrollWidth")
    assert breedte <= 390, f"de pagina is breder dan het scherm: {breedte}px"  # no sideways scrolling on a phone
    per_pagina = {"mijn": await scan(p)}

    mening = p.get_by_role("region", name="Uw mening")
    await mening.get_by_role("group", name="Bent u het eens met dit plan?").get_by_label("Nee").check()
    await mening.get_by_label("Niet eens? Waarom niet?").select_option("andere_hulp_nodig")
    await mening.get_by_role("button", name="Stuur mijn antwoord").click()
    await expect(p.get_by_role("status")).to_contain_text("Uw hulpverlener ziet uw antwoord")
    per_pagina["mijn na antwoord"] = await scan(p)
    await context.close()

    ernstig = {naam: s for naam, s in per_pagina.items() if s}
    assert not ernstig, "axe-core (WCAG 2.2 AA) vond ernstige schendingen:\n" + beschrijf(ernstig)
