"""The household page's actions in a real Chromium against the real platform: the wijkcoach of the routed
team records a contactpoging (by keyboard) and hands the regie to another team, after which the household
is no longer his; a consulent issues a beschikking, and walks the Wmo procedure from gesprek to beschikking
and a bezwaar; and axe-core finds no serious or critical WCAG 2.2 AA violation on the page with every
action form open, and with a form's errors shown."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.browser.axe import beschrijf, scan
from tests.browser.conftest import log_in
from tests.werkplek.test_acties import CONSULENTEN, _huishouden_met_plan

ANDER_TEAM = "gm1916-gebiedsteam-voorburg-midden"


async def _open(pagina: Page, actie: str) -> None:
    """Unfold one action with the keyboard: focus its summary, press Enter."""
    samenvatting = pagina.locator(f"#actie-{actie} > summary")
    await samenvatting.focus()
    await pagina.keyboard.press("Enter")
    await expect(pagina.locator(f"#actie-{actie}")).to_have_attribute("open", "")


async def test_wijkcoach_legt_een_contactpoging_vast_en_draagt_de_regie_over(platform, token, pagina):
    huishouden_id, team = await _huishouden_met_plan(platform, token)
    assert team != ANDER_TEAM
    await log_in(pagina, "wijkcoach", team=team)
    await pagina.goto(f"/huishoudens/{huishouden_id}")
    acties = pagina.get_by_role("region", name="Wat u kunt doen")
    await expect(acties).to_be_visible()
    assert await pagina.locator("#actie-beschikking").count() == 0  # a wijkcoach gets no beschikking form
    await expect(pagina.locator("#actie-contactpoging form")).to_be_hidden()  # folded until asked for

    await _open(pagina, "contactpoging")
    form = pagina.locator("#actie-contactpoging form")
    await pagina.keyboard.press("Tab")  # the first field follows the summary
    await expect(form.get_by_label("Hoe probeerde u contact te krijgen?")).to_be_focused()
    await form.get_by_label("Hoe probeerde u contact te krijgen?").select_option("huisbezoek")
    await form.get_by_role("group", name="Heeft u iemand van het huishouden gesproken?").get_by_label("Ja").check()
    await form.get_by_label("Dagdeel").select_option("middag")
    await form.get_by_role("button", name="Contactpoging vastleggen").focus()
    async with pagina.expect_navigation():
        await pagina.keyboard.press("Enter")
    await expect(pagina).to_have_url(re.compile(rf"/huishoudens/{huishouden_id}#kop-acties$"))
    await expect(pagina.get_by_role("status")).to_have_text("De contactpoging is vastgelegd.")
    tijdlijn = pagina.get_by_role("region", name="Tijdlijn")
    await expect(tijdlijn.get_by_text("Contactpoging", exact=True)).to_be_visible()
    await expect(tijdlijn.get_by_text("Bereikt", exact=True)).to_be_visible()

    await _open(pagina, "regie")
    form = pagina.locator("#actie-regie form")
    await form.get_by_label("Wie krijgt de regie?").select_option("professional")
    await form.get_by_label("Team", exact=True).select_option(ANDER_TEAM)
    await form.get_by_label("Reden").select_option("werkverdeling")
    async with pagina.expect_navigation():
        await form.get_by_role("button", name="Regie overdragen").click()
    await expect(pagina).to_have_url(re.compile(rf"/huishoudens/{huishouden_id}/overgedragen$"))
    await expect(pagina.get_by_role("status")).to_contain_text("Een professional, Gebiedsteam Voorburg-Midden")
    # The household is the other team's now: he no longer sees it, let alone its actions.
    antwoord = await pagina.goto(f"/huishoudens/{huishouden_id}")
    assert antwoord is not None and antwoord.status == 404
    assert await pagina.locator("form[action*='/acties/']").count() == 0


async def test_consulent_geeft_een_beschikking_af(platform, token, pagina):
    huishouden_id, _ = await _huishouden_met_plan(platform, token)
    await log_in(pagina, "consulent", team=CONSULENTEN)
    await pagina.goto(f"/huishoudens/{huishouden_id}")
    await _open(pagina, "beschikking")
    form = pagina.locator("#actie-beschikking form")
    rij = form.get_by_role("group", name="Toegekend 1")
    await rij.get_by_label("Voorziening").select_option("huishoudelijke-ondersteuning")
    await rij.get_by_label("iWmo-productcode (niet verplicht)").fill("02A01")
    await rij.get_by_label("Hoeveel").fill("3")
    await rij.get_by_label("Eenheid").select_option("uur")
    await rij.get_by_label("Per", exact=True).select_option("week")
    async with pagina.expect_navigation():
        await form.get_by_role("button", name="Beschikking afgeven").click()
    await expect(pagina.get_by_role("status")).to_have_text("De beschikking is afgegeven.")
    besluiten = pagina.get_by_role("region", name="Aanvragen en beschikkingen")
    await expect(besluiten).to_contain_text("Beschikking versie 1")
    await expect(besluiten).to_contain_text("huishoudelijke-ondersteuning")
    await expect(pagina.get_by_role("region", name="Tijdlijn").get_by_text("Beschikking afgegeven")).to_be_visible()


async def test_axe_op_de_huishoudpagina_met_open_formulieren_en_met_fouten(browser, werkplek_url, platform, token):
    huishouden_id, team = await _huishouden_met_plan(platform, token)
    per_pagina = {}
    for rol, teams, actie in (("wijkcoach", team, "contactpoging"), ("consulent", CONSULENTEN, "beschikking")):
        context = await browser.new_context(base_url=werkplek_url, bypass_csp=True, locale="nl-NL")
        try:
            p = await context.new_page()
            await log_in(p, rol, team=teams)
            await p.goto(f"/huishoudens/{huishouden_id}")
            for samenvatting in await p.locator(".werkplek-actie > summary").all():
                await samenvatting.click()
            assert await p.locator("details.werkplek-actie:not([open])").count() == 0
            per_pagina[f"{rol}: alle formulieren open"] = await scan(p)

            form = p.locator(f"#actie-{actie} form")
            datum = "datum" if actie == "contactpoging" else "ingangsdatum"
            await form.locator(f"input[name='{datum}']").fill("")
            async with p.expect_navigation():
                await form.get_by_role("button", name=re.compile("vastleggen|afgeven")).click()
            overzicht = p.locator(f"#{actie}-foutoverzicht")
            await expect(overzicht).to_be_visible()
            await expect(overzicht).to_be_focused()  # the summary takes the focus, its links go to the fields
            await expect(p).to_have_title(re.compile(r"^Fout: Huishouden"))
            await expect(p.locator(f"#actie-{actie} [aria-invalid='true']").first).to_be_visible()
            assert await overzicht.get_by_role("link").count() >= 2  # several errors, each linked to its place
            per_pagina[f"{rol}: {actie} met fouten"] = await scan(p)
        finally:
            await context.close()
    assert not any(per_pagina.values()), beschrijf(per_pagina)


async def test_consulent_van_gesprek_tot_beschikking_en_een_bezwaar(platform, token, browser, werkplek_url):
    """The Wmo procedure as a consulent walks it on one page: the keukentafelgesprek (first with
    cliëntondersteuning offered too late, which the form says next to the field), the verslag, the
    aanvraag, a beschikking as a pgb with an einddatum (a herindicatie deadline appears with its basis), and
    a bezwaar against it, decided ongegrond."""
    # Its own context: the axe scan at the end injects a script, which the werkplek's CSP would refuse.
    context = await browser.new_context(base_url=werkplek_url, bypass_csp=True, locale="nl-NL")
    try:
        pagina = await context.new_page()
        huishouden_id, _ = await _huishouden_met_plan(platform, token)
        await log_in(pagina, "consulent", team=CONSULENTEN)
        await pagina.goto(f"/huishoudens/{huishouden_id}")

        await _open(pagina, "gesprek")
        form = pagina.locator("#actie-gesprek form")
        await form.get_by_label("Waar of hoe").select_option("thuis")
        await form.get_by_role("group", name="Wie deden mee?").get_by_label("De inwoner").check()
        await form.get_by_role("group", name="Wie deden mee?").get_by_label("Mantelzorger").check()
        gewezen = form.get_by_label("Wanneer wees u de inwoner op gratis onafhankelijke cliëntondersteuning?")
        await gewezen.fill("2099-01-01")
        async with pagina.expect_navigation():
            await form.get_by_role("button", name="Gesprek vastleggen").click()
        fout = pagina.locator("#gesprek-clientondersteuning_gewezen_op-fout")
        await expect(fout).to_contain_text("voor het gesprek")
        await expect(pagina.locator("#gesprek-clientondersteuning_gewezen_op")).to_have_attribute(
            "aria-invalid", "true"
        )
        form = pagina.locator("#actie-gesprek form")
        await form.get_by_label("Wanneer wees u de inwoner op gratis onafhankelijke cliëntondersteuning?").fill(
            "2026-01-05"
        )
        async with pagina.expect_navigation():
            await form.get_by_role("button", name="Gesprek vastleggen").click()
        await expect(pagina.get_by_role("status")).to_have_text("Het gesprek is vastgelegd.")
        onderzoek = pagina.get_by_role("region", name="Het Wmo-onderzoek")
        await expect(onderzoek).to_contain_text("de inwoner, mantelzorger")

        await _open(pagina, "verslag")
        async with pagina.expect_navigation():
            await pagina.locator("#actie-verslag form").get_by_role("button", name="Verslag vastleggen").click()
        await expect(onderzoek).to_contain_text("het onderzoek is klaar")

        await _open(pagina, "aanvraag")
        form = pagina.locator("#actie-aanvraag form")
        await form.get_by_label("Begeleiding individueel", exact=False).first.check()
        async with pagina.expect_navigation():
            await form.get_by_role("button", name="Aanvraag registreren").click()

        await _open(pagina, "beschikking")
        form = pagina.locator("#actie-beschikking form")
        rij = form.get_by_role("group", name="Toegekend 1")
        await rij.get_by_label("Voorziening").select_option("begeleiding-individueel")
        await rij.get_by_label("Hoeveel").fill("2")
        await rij.get_by_label("Eenheid").select_option("uur")
        await rij.get_by_label("Per", exact=True).select_option("week")
        await rij.get_by_label("Leveringsvorm").select_option("pgb")
        await form.get_by_label("Einddatum (niet verplicht)").fill("2027-06-30")
        async with pagina.expect_navigation():
            await form.get_by_role("button", name="Beschikking afgeven").click()
        await expect(pagina.get_by_role("status")).to_have_text("De beschikking is afgegeven.")
        besluiten = pagina.get_by_role("region", name="Aanvragen en beschikkingen")
        await expect(besluiten).to_contain_text(
            "begeleiding-individueel (persoonsgebonden budget (pgb), met eigen bijdrage)"
        )
        termijnen = pagina.get_by_role("region", name="Open termijnen")
        await expect(termijnen).to_contain_text("Herindicatie")
        await expect(termijnen).to_contain_text("4 mei 2027")  # 8 weeks before 30 June is 5 mei (Atw): the day before

        await _open(pagina, "bezwaar")
        form = pagina.locator("#actie-bezwaar form")
        await form.get_by_label("Tegen welke beschikking?").select_option(index=1)
        await form.get_by_role("group", name=re.compile("adviescommissie")).get_by_label("Nee").check()
        async with pagina.expect_navigation():
            await form.get_by_role("button", name="Bezwaar registreren").click()
        await expect(pagina.get_by_role("status")).to_have_text("Het bezwaar is geregistreerd.")
        bezwaren = pagina.get_by_role("region", name="Bezwaren en klachten")
        await expect(bezwaren).to_contain_text("Awb art. 7:10 lid 1")
        await expect(termijnen).to_contain_text("Beslissen op bezwaar")
        # Every form of the procedure open, the bezwaar's included: no serious or critical WCAG 2.2 AA violation.
        dicht = pagina.locator(".werkplek-actie:not([open]) > summary")
        while await dicht.count():
            await dicht.first.click()
        assert await pagina.locator("#actie-bezwaar_beslissing").count() == 1
        gevonden = await scan(pagina)
        assert not gevonden, beschrijf({"consulent: procedure met bezwaar": gevonden})
        await pagina.goto(f"/huishoudens/{huishouden_id}")  # the forms folded again

        await _open(pagina, "bezwaar_beslissing")
        form = pagina.locator("#actie-bezwaar_beslissing form")
        await form.get_by_label("Welk bezwaar?").select_option(index=1)
        await form.get_by_label("Beslissing").select_option("ongegrond")
        async with pagina.expect_navigation():
            await form.get_by_role("button", name="Beslissing vastleggen").click()
        await expect(pagina.get_by_role("status")).to_have_text("De beslissing op het bezwaar is vastgelegd.")
        await expect(bezwaren).to_contain_text("ongegrond")
        await expect(termijnen).not_to_contain_text("Beslissen op bezwaar")
    finally:
        await context.close()
