"""The casus, regels and beheer pages in a real Chromium against the test platform: beleid (policy staff)
lands on the rules, dry-runs a rule and reads the rule and its sentence; beheer replays a DLQ entry with
the button and sees it gone; axe-core finds no serious or critical WCAG 2.2 AA violation on the three
pages (also with a form's errors, and the rules as beleid sees them)."""

from __future__ import annotations

import random
import uuid

import httpx
from playwright.async_api import expect

from tests.browser.axe import beschrijf, scan
from tests.browser.conftest import log_in
from tests.conftest import wacht_tot
from tests.e2e.test_skeleton import post_melding, url
from tests.support.dlq import dlq_van, vermelding_van_toegepast
from tests.support.gegevens import geldig_bsn, melding


async def test_beleid_proeft_een_regel_en_leest_regel_en_zin(pagina):
    await log_in(pagina, "beleid")
    await expect(pagina).to_have_url(f"{pagina.url.split('/regels/')[0]}/regels/GM1916")  # beleid's start page
    await expect(pagina.get_by_role("link", name="Werkvoorraad")).to_have_count(0)
    await expect(pagina.locator("#regeltabel")).to_contain_text("acuut-onveilig")
    await pagina.get_by_label("Soort melding").select_option("zorgmelding")
    await pagina.get_by_label("Wie meldt?").select_option("buur")
    await pagina.get_by_role("button", name="Proef uitvoeren").click()
    await expect(pagina.locator("#uitkomst-regel")).to_contain_text("zorgmelding-ander")
    await expect(pagina.locator("#uitkomst-zin")).to_contain_text("Meldpunt Bezorgd gaat binnen 2 werkdagen langs")
    await expect(pagina.locator("#regel-zorgmelding-ander")).to_have_class("utrecht-table__row werkplek-gekozen")
    await pagina.get_by_label("Is er sprake van huiselijk geweld? Ja.").check()
    await pagina.get_by_role("button", name="Proef uitvoeren").click()
    await expect(pagina.locator("#uitkomst-regel")).to_contain_text("acuut-onveilig")


async def _toegepaste_vermelding(platform, token, nats_url: str) -> int:
    m = await post_melding(platform, token, melding(huisnummer=random.randint(1, 9999), bsn=geldig_bsn()))

    async def besluiten():
        async with httpx.AsyncClient() as http:
            r = await http.get(
                url(platform, "triage", "/v1/besluiten"), params={"bron_id": m["melding_id"]}, headers=token("beheer")
            )
        return r.json()["besluiten"]

    await wacht_tot(besluiten, timeout=15)
    seq, _ = await vermelding_van_toegepast(nats_url, m["melding_id"])
    return seq


async def test_beheer_verwerkt_een_dlq_vermelding_opnieuw_en_ziet_hem_verdwijnen(pagina, platform, token, nats_server):
    seq = await _toegepaste_vermelding(platform, token, nats_server.url)
    await log_in(pagina, "beheer")
    await pagina.get_by_role("link", name="Beheer").click()
    rij = pagina.locator(f"#dlq-triage-{seq}")
    await expect(rij).to_contain_text("TimeoutError (test)")
    async with pagina.expect_navigation():
        await rij.get_by_role("button", name=f"Vermelding {seq} van triage opnieuw verwerken").click()
    await expect(pagina.locator("#bericht")).to_contain_text(f"Vermelding {seq} van de triage is opnieuw verwerkt")
    await expect(pagina.locator(f"#dlq-triage-{seq}")).to_have_count(0)
    assert seq not in [v["seq"] for v in await dlq_van(platform, token, "triage")]


async def test_axe_op_casus_regels_en_beheer(browser, werkplek_url, platform, token):
    signaal = {
        "partner_signaal_id": str(uuid.uuid4()),
        "soort": "huurachterstand",
        "betreft": {"bsn": geldig_bsn(), "adres": {"postcode": "2264 AB", "huisnummer": random.randint(1, 9999)}},
        "bedrag_achterstand_cent": 150_000,
        "achterstand_sinds": "2026-06-01",
    }
    async with httpx.AsyncClient() as http:
        r = await http.post(
            url(platform, "signalering", "/v1/signalen"),
            json=signaal,
            headers=token("partner", None, partner_id="gm1916-vidomes"),
        )
    casus_id = r.json()["casus_id"]
    ctx = await browser.new_context(base_url=werkplek_url, bypass_csp=True, locale="nl-NL")
    p = await ctx.new_page()
    per_pagina: dict[str, list] = {}
    await log_in(p, "beheer")
    await p.goto(f"/casussen/{casus_id}")
    per_pagina["casus"] = await scan(p)
    await p.get_by_role("button", name="Contactpoging vastleggen").click()  # nothing chosen: errors per field
    await expect(p.locator("#soort-fout")).to_be_visible()
    per_pagina["casus met fouten"] = await scan(p)
    await p.goto("/regels/GM1916")
    per_pagina["regels"] = await scan(p)
    await p.get_by_role("button", name="Proef uitvoeren").click()
    await expect(p.locator("#uitkomst")).to_be_visible()
    per_pagina["regels met uitkomst"] = await scan(p)
    await p.goto("/beheer")
    await expect(p.locator("#stroom-triage-meldingen")).to_be_visible()
    trace = p.locator("details.werkplek-trace").first
    await trace.locator("summary").click()  # a waterfall open, by keyboard-operable summary
    await expect(trace.locator("svg.werkplek-waterval")).to_be_visible()
    per_pagina["beheer met een trace open"] = await scan(p)
    await p.get_by_role("button", name="Zoeken").click()  # neither BSN nor address: an error
    await expect(p.locator("#bsn-fout")).to_be_visible()
    per_pagina["beheer met fouten"] = await scan(p)
    await ctx.close()
    ctx = await browser.new_context(base_url=werkplek_url, bypass_csp=True, locale="nl-NL")
    p = await ctx.new_page()
    await log_in(p, "beleid")
    per_pagina["regels voor beleid"] = await scan(p)
    await ctx.close()
    assert not any(per_pagina.values()), beschrijf(per_pagina)
