"""The werkplek in a real Chromium against the real platform: a wijkcoach finds a routed melding and
reads why it came to his team; Meldpunt registers a melding, sees the errors next to the fields,
corrects them, and a double click gives one melding; the keyboard's first stop is the skip link; and an
axe-core scan of every page the werkplek has finds no serious or critical WCAG 2.2 AA violation."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import re
import uuid
from datetime import UTC, datetime

import httpx
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page, Route, expect
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from tests.browser.axe import beschrijf, scan
from tests.browser.conftest import VENDOR, log_in
from tests.conftest import wacht_tot
from tests.support.gegevens import BSN, NAAM, eigen_huisnummer, geldig_bsn, melding

LEIDSCHENDAM_POSTCODE = "2264 AB"


async def _gerouteerde_melding(platform, token) -> tuple[str, dict]:
    """A melding through the intake API, and triage's decision for it once its plan exists."""
    async with httpx.AsyncClient() as http:
        r = await http.post(
            platform.urls["intake"] + "/v1/meldingen",
            json=melding(huisnummer=eigen_huisnummer()),
            headers=token("meldpunt"),
        )
        assert r.status_code == 201, r.text
        m = r.json()

        async def besluit():
            b = await http.get(
                platform.urls["triage"] + "/v1/besluiten", params={"bron_id": m["melding_id"]}, headers=token("beheer")
            )
            return b.status_code == 200 and b.json()["besluiten"]

        async def plan():
            p = await http.get(
                platform.urls["arrangement"] + f"/v1/huishoudens/{m['huishouden_id']}", headers=token("beheer")
            )
            return p.status_code == 200

        [b] = await wacht_tot(besluit, timeout=20)
        await wacht_tot(plan, timeout=20)
    return m["huishouden_id"], b


async def _in_werkvoorraad(pagina: Page, huishouden_id: str) -> None:
    """Until the household is on one of the werkvoorraad's pages (50 rows each; on the shared test platform
    the team has every other test's work too), following "Volgende pagina" as a user would."""
    link = pagina.locator(f'a[href="/huishoudens/{huishouden_id}"]')
    volgende = pagina.locator('a[rel="next"]')

    async def zichtbaar():
        await pagina.goto("/werkvoorraad")
        while await link.count() == 0:
            if await volgende.count() == 0:
                return False
            await volgende.first.click()
            await pagina.wait_for_load_state()
        return True

    await wacht_tot(zichtbaar, timeout=20, interval=0.5)


# --- the wijkcoach ---------------------------------------------------------------------------------------


async def test_wijkcoach_vindt_de_melding_en_leest_waarom_die_bij_zijn_team_kwam(platform, token, pagina):
    huishouden_id, besluit = await _gerouteerde_melding(platform, token)
    await log_in(pagina, "wijkcoach", team=besluit["team_id"])
    await expect(pagina).to_have_url(re.compile(r"/werkvoorraad$"))

    await _in_werkvoorraad(pagina, huishouden_id)
    await pagina.locator(f'a[href="/huishoudens/{huishouden_id}"]').first.click()
    await expect(pagina).to_have_url(re.compile(rf"/huishoudens/{huishouden_id}$"))
    await expect(pagina).to_have_title(re.compile(r"^Huishouden – "))

    waarom = pagina.get_by_role("region", name="Waarom hier: de doorverwijzingen")
    await expect(waarom.get_by_text(besluit["toelichting"], exact=True)).to_be_visible()
    await expect(waarom.get_by_text(besluit["regel_id"], exact=True)).to_be_visible()
    inhoud = await pagina.locator("main").inner_text()
    assert BSN not in inhoud and NAAM not in inhoud


# --- Meldpunt --------------------------------------------------------------------------------------------


async def _vul_melding_in(pagina: Page, bsn: str, postcode: str, huisnummer: int) -> None:
    for vraag in ("Is iemand nu in acuut gevaar?", "Is er sprake van huiselijk geweld?"):
        await pagina.get_by_role("group", name=vraag).get_by_label("Nee").check()
    # The third veiligheid question is left open on purpose; the page must ask for it.
    await pagina.get_by_label("Hoe kwam de melding binnen?").select_option("telefoon")
    await pagina.get_by_label("Soort melding").select_option("zorgmelding")
    await pagina.get_by_label("Wat is er aan de hand?").fill("Mevrouw komt al dagen niet buiten.")
    await pagina.get_by_label("Wie meldt?").select_option("buur")
    await pagina.get_by_role("group", name="3. De melder").get_by_label("Naam", exact=True).fill("Buurvrouw Testmelder")
    await pagina.get_by_label("De melder wil horen of de melding is opgepakt").check()
    await pagina.get_by_label("Postcode").fill(postcode)
    await pagina.get_by_label("Huisnummer").fill(str(huisnummer))
    persoon = pagina.get_by_role("group", name="Persoon 1")
    await persoon.get_by_label("Burgerservicenummer").fill(bsn)
    await persoon.get_by_label("Naam").fill(NAAM)
    await pagina.get_by_role("group", name="5. Zelfredzaamheid (ZRM)").get_by_label("Huisvesting").select_option("2")
    await pagina.get_by_role("group", name="6. Levensgebieden waar het om gaat").get_by_label("Huisvesting").check()


async def _dubbelklik(pagina: Page, knop: Locator) -> list[str]:
    """Two clicks on a submit button, the second while the first POST is still on its way (as a person
    does when the page seems slow): the browser then drops the first navigation and sends the form again.
    Chromium ignores a second click that comes before the first request left, so the first POST is held
    until the second is sent; then both go to the werkplek at once."""
    posts: list[str] = []
    eerste, tweede = asyncio.Event(), asyncio.Event()

    async def houd_vast(route: Route) -> None:
        if route.request.method != "POST":
            await route.continue_()
            return
        posts.append(route.request.url)
        if not eerste.is_set():
            eerste.set()
            await tweede.wait()
            antwoord = await route.fetch(max_redirects=0)
            with contextlib.suppress(PlaywrightError):  # the browser no longer waits for this one
                await route.fulfill(response=antwoord)
        else:
            tweede.set()
            await route.continue_()

    await pagina.route("**/meldingen/nieuw", houd_vast)
    await knop.scroll_into_view_if_needed()
    vak = await knop.bounding_box()
    assert vak is not None
    midden = (vak["x"] + vak["width"] / 2, vak["y"] + vak["height"] / 2)
    # The mouse itself: a locator's click would wait for the first navigation to finish.
    await pagina.mouse.click(*midden)
    await eerste.wait()
    await pagina.mouse.click(*midden)
    return posts


async def _aantal_sinds(database_url: str, begin: datetime) -> int:
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            sql = text("SELECT count(*) FROM intake.meldingen WHERE ontvangen_op >= :b")
            return (await conn.execute(sql, {"b": begin})).scalar_one()
    finally:
        await engine.dispose()


async def test_meldpunt_registreert_een_melding_ziet_fouten_bij_de_velden_en_een_dubbele_klik_is_een_melding(
    pagina, database_url
):
    await log_in(pagina, "meldpunt")
    await expect(pagina).to_have_url(re.compile(r"/meldingen/nieuw$"))  # Meldpunt's own work
    await _vul_melding_in(pagina, "123456780", "1012 AB", 400 + uuid.uuid4().int % 500)

    # 1. The veiligheid question nobody answered: the werkplek asks before anything is sent.
    await pagina.get_by_role("button", name="Melding registreren").click()
    await expect(pagina).to_have_title(re.compile(r"^Fout: Melding registreren"))
    kindermishandeling = pagina.get_by_role("group", name="Zijn er zorgen over kindermishandeling?")
    await expect(kindermishandeling.get_by_text("Beantwoord deze vraag")).to_be_visible()
    await kindermishandeling.get_by_label("Nee").check()

    # 2. The API's errors: a BSN failing the elfproef, a postcode outside the gemeente.
    await pagina.get_by_role("button", name="Melding registreren").click()
    await expect(pagina.locator("#foutoverzicht")).to_be_visible()
    bsn = pagina.get_by_role("group", name="Persoon 1").get_by_label("Burgerservicenummer")
    postcode = pagina.get_by_label("Postcode")
    await expect(bsn).to_have_attribute("aria-invalid", "true")
    await expect(bsn).to_have_accessible_description(re.compile("Geen geldig BSN"))
    await expect(postcode).to_have_attribute("aria-invalid", "true")
    await expect(postcode).to_have_accessible_description(re.compile("ligt niet in gemeente GM1916"))
    # Next to the field: the message is inside the field's own block, and the summary links to the field.
    veld = pagina.locator(".utrecht-form-field", has=pagina.locator("#betreft-personen-0-bsn"))
    await expect(veld.get_by_text("Geen geldig BSN")).to_be_visible()
    overzicht = pagina.locator("#foutoverzicht")
    await expect(overzicht.locator('a[href="#betreft-personen-0-bsn"]')).to_contain_text("Persoon 1: BSN")
    await expect(overzicht.locator('a[href="#betreft-adres-postcode"]')).to_contain_text("Postcode")
    assert "123456780" not in await pagina.title()

    # 3. Corrected, then sent with a double click: one melding, one confirmation with the code.
    await bsn.fill(geldig_bsn())
    await postcode.fill(LEIDSCHENDAM_POSTCODE)
    begin = datetime.now(UTC)
    posts = await _dubbelklik(pagina, pagina.get_by_role("button", name="Melding registreren"))
    await expect(pagina.get_by_role("heading", name="Melding geregistreerd", level=1)).to_be_visible()
    assert len(posts) == 2, posts  # the browser did send the form twice
    await expect(pagina.locator("#melding-status")).to_contain_text("Geregistreerd")
    code = (await pagina.locator("#terugkoppelcode").inner_text()).strip()
    assert len(code) >= 12
    assert code not in pagina.url and "/meldingen/bevestiging/" in pagina.url
    assert await _aantal_sinds(database_url, begin) == 1

    await pagina.reload()  # the code is shown once
    await expect(pagina.get_by_text("al getoond")).to_be_visible()
    assert code not in await pagina.content()


# --- keyboard --------------------------------------------------------------------------------------------


async def _eerste_tab_is_de_skiplink(pagina: Page) -> None:
    await pagina.keyboard.press("Tab")
    skiplink = pagina.get_by_role("link", name="Direct naar de inhoud")
    await expect(skiplink).to_be_focused()
    await expect(skiplink).to_be_visible()  # visible when it has focus
    await pagina.keyboard.press("Enter")
    await expect(pagina.locator("main")).to_be_focused()


async def test_de_skiplink_is_de_eerste_tabstop_en_zet_de_focus_op_main(pagina):
    await pagina.goto("/inloggen")
    await _eerste_tab_is_de_skiplink(pagina)
    await log_in(pagina, "meldpunt")
    await _eerste_tab_is_de_skiplink(pagina)
    # From <main> the next Tab goes into the content, not back to the header.
    await pagina.keyboard.press("Tab")
    in_main = await pagina.evaluate("document.activeElement.closest('main') !== null")
    assert in_main


# --- accessibility ---------------------------------------------------------------------------------------


async def test_axe_vindt_op_geen_enkele_pagina_een_ernstige_schending(browser, werkplek_url, platform, token):
    huishouden_id, besluit = await _gerouteerde_melding(platform, token)
    per_pagina: dict[str, list] = {}

    async def profiel():
        return await browser.new_context(base_url=werkplek_url, bypass_csp=True, locale="nl-NL")

    async def bekijk(pagina: Page, naam: str) -> None:
        per_pagina[naam] = await scan(pagina)

    anoniem = await profiel()
    p = await anoniem.new_page()
    # The scan can fail: an input without a label is a critical violation to axe.
    await p.set_content('<!doctype html><html lang="nl"><title>t</title><main><input type="text"></main></html>')
    assert "label" in {s["id"] for s in await scan(p)}
    await p.goto("/inloggen")
    await bekijk(p, "inloggen")
    await p.get_by_label("Rol").select_option("inwoner")
    await p.get_by_label("Burgerservicenummer").fill("123")
    await p.get_by_role("button", name="Inloggen").click()
    await expect(p.locator("#bsn-fout")).to_be_visible()
    await bekijk(p, "inloggen met fouten")
    await p.goto("/bestaat-niet")
    await bekijk(p, "pagina niet gevonden")
    await anoniem.close()

    wijkcoach = await profiel()
    p = await wijkcoach.new_page()
    await log_in(p, "wijkcoach", team=besluit["team_id"])
    await _in_werkvoorraad(p, huishouden_id)
    await bekijk(p, "werkvoorraad")
    await p.goto("/werkvoorraad?staat=verlopen&soort=evaluatie")
    await bekijk(p, "werkvoorraad gefilterd")
    await p.goto(f"/huishoudens/{huishouden_id}")
    await expect(p.get_by_text(besluit["toelichting"], exact=True)).to_be_visible()
    await bekijk(p, "huishouden")
    await p.goto(f"/huishoudens/{'0' * 64}")
    await bekijk(p, "huishouden niet gevonden")
    await wijkcoach.close()

    meldpunt = await profiel()
    p = await meldpunt.new_page()
    await log_in(p, "meldpunt")
    await bekijk(p, "melding registreren")
    await _vul_melding_in(p, "123456780", "1012 AB", 400 + uuid.uuid4().int % 500)
    await p.get_by_role("group", name="Zijn er zorgen over kindermishandeling?").get_by_label("Nee").check()
    await p.get_by_role("button", name="Melding registreren").click()
    await expect(p.locator("#foutoverzicht")).to_be_visible()
    await bekijk(p, "melding registreren met fouten")
    await p.get_by_role("button", name="Nog een persoon toevoegen").click()
    await expect(p.get_by_role("group", name="Persoon 3")).to_be_visible()
    await p.get_by_role("group", name="Persoon 1").get_by_label("Burgerservicenummer").fill(geldig_bsn())
    await p.get_by_label("Postcode").fill(LEIDSCHENDAM_POSTCODE)
    await p.get_by_role("button", name="Melding registreren").click()
    await expect(p.get_by_role("heading", name="Melding geregistreerd", level=1)).to_be_visible()
    await bekijk(p, "melding geregistreerd")
    await meldpunt.close()

    inwoner = await profiel()
    p = await inwoner.new_page()
    await log_in(p, "inwoner", bsn=BSN)
    await bekijk(p, "start (inwoner)")
    await p.goto("/meldingen/nieuw")
    await bekijk(p, "geen toegang")
    await inwoner.close()

    assert len(per_pagina) == 12
    ernstig = {naam: s for naam, s in per_pagina.items() if s}
    assert not ernstig, "axe-core (WCAG 2.2 AA) vond ernstige schendingen:\n" + beschrijf(ernstig)


def test_axe_core_is_gevendord_met_licentie_en_de_juiste_sha256():
    manifest = json.loads((VENDOR / "MANIFEST.json").read_text())
    [pakket] = manifest["packages"]
    assert pakket["package"] == "axe-core" and pakket["licence"] == "MPL-2.0"
    for bestand in pakket["files"]:
        inhoud = (VENDOR / bestand["path"]).read_bytes()
        assert hashlib.sha256(inhoud).hexdigest() == bestand["sha256"], bestand["path"]
    assert (VENDOR / "axe-core" / "axe.min.js").read_text()[:200].startswith(f"/*! axe v{pakket['version']}")


# --- the melder without an account -----------------------------------------------------------------------


async def test_melder_volgt_zijn_melding_met_de_code_zonder_account(browser, werkplek_url, platform, token):
    """Through the link on the login page; a wrong code first (a neutral warning), then the right one. The code
    never reaches a URL, and every state of the page passes axe."""
    async with httpx.AsyncClient() as http:
        body = melding(huisnummer=eigen_huisnummer())
        r = await http.post(platform.urls["intake"] + "/v1/meldingen", json=body, headers=token("meldpunt"))
    assert r.status_code == 201, r.text
    m = r.json()
    context = await browser.new_context(base_url=werkplek_url, bypass_csp=True, locale="nl-NL")
    p = await context.new_page()
    urls: list[str] = []
    p.on("request", lambda verzoek: urls.append(verzoek.url))
    await p.goto("/inloggen")
    await p.get_by_role("link", name="Een melding volgen").click()
    await expect(p.get_by_role("heading", name="Een melding volgen", level=1)).to_be_visible()
    schendingen = {"formulier": await scan(p)}
    await p.get_by_label("Nummer van uw melding").fill(m["melding_id"])
    await p.get_by_label("Uw code").fill("fout" + m["terugkoppelcode"])
    await p.get_by_role("button", name="Bekijk de status").click()
    await expect(p.get_by_role("alert")).to_be_visible()
    await expect(p.get_by_text("Uw melding is ontvangen")).to_have_count(0)
    schendingen["niet gevonden"] = await scan(p)
    await p.get_by_label("Nummer van uw melding").fill(m["melding_id"])
    await p.get_by_label("Uw code").fill(m["terugkoppelcode"])
    await p.get_by_role("button", name="Bekijk de status").click()
    await expect(p.get_by_role("status")).to_be_visible()
    schendingen["status"] = await scan(p)
    await context.close()
    assert not any(m["terugkoppelcode"] in url for url in urls), "de code hoort nooit in een URL"
    ernstig = {naam: s for naam, s in schendingen.items() if s}
    assert not ernstig, "axe-core (WCAG 2.2 AA) vond ernstige schendingen:\n" + beschrijf(ernstig)
