"""The werkplek's casus, regels and beheer pages in-process against the real platform: a signaalcasus with
its signals in euros, a contactpoging refused next to its field and then recorded, closing it and the 409
of closing it again naming the state; the rule table in words and a dry run showing the rule, its
sentence and the facts used; the operator's DLQ (a real poison entry whose replay fails again and stays,
an applied one whose replay takes it out), the durables, and the processing-log search with the BSN
only in the POST body."""

from __future__ import annotations

import html
import random
import re
import uuid
from datetime import datetime, timedelta

import httpx

from shared.termijnen import TZ
from tests.conftest import wacht_tot
from tests.e2e.test_skeleton import post_melding, url
from tests.support.dlq import dlq_van, publiceer_gif, vermelding_van_toegepast, wacht_op_vermelding
from tests.support.gegevens import geldig_bsn, melding
from tests.werkplek.conftest import ORIGIN, csrf_van, instellingen, log_in, werkplek_client
from tests.werkplek.test_acties import _huishouden_met_plan
from werkplek.casussen import euro
from werkplek.regels import als_in_woorden, voorwaarde

BEHEER = {"rol": "beheer", "gemeente": "GM1916"}
PARTNER = "gm1916-vidomes"


def tekst_van(pagina: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", pagina)))


async def _casus(platform, token, bedrag: int = 150_000) -> str:
    signaal = {
        "partner_signaal_id": str(uuid.uuid4()),
        "soort": "huurachterstand",
        "betreft": {
            "bsn": geldig_bsn(),
            "adres": {"postcode": "2264 AB", "huisnummer": random.randint(1, 9999), "toevoeging": uuid.uuid4().hex[:5]},
        },
        "bedrag_achterstand_cent": bedrag,
        "achterstand_sinds": "2026-06-01",
    }
    async with httpx.AsyncClient() as http:
        r = await http.post(
            url(platform, "signalering", "/v1/signalen"),
            json=signaal,
            headers=token("partner", None, partner_id=PARTNER),
        )
    assert r.status_code == 202, r.text
    return r.json()["casus_id"]


def test_bedragen_en_voorwaarden_in_woorden():
    assert euro(150_000) == "€ 1.500,00" and euro(5) == "€ 0,05" and euro(None) == ""
    assert voorwaarde("zrm_domein", {"financien": 2}) == "ZRM financiën 2 of lager"
    assert voorwaarde("zrm_aantal", {"score": 2, "minstens": 3}) == "minstens 3 ZRM-domeinen 2 of lager"
    assert voorwaarde("soort", ["zorgmelding", "hulpvraag"]) == "soort melding is zorgmelding of hulpvraag"
    assert voorwaarde("spoed", False) == "niet: spoed"
    assert voorwaarde("gevraagde_voorzieningen", True) == "er zijn gevraagde voorzieningen"
    assert als_in_woorden({}) == ["alle andere gevallen"]


async def test_casus_met_signalen_contactpoging_en_afsluiten(platform, token, werkplek):
    casus_id = await _casus(platform, token)
    async with werkplek() as w:
        await log_in(w, **BEHEER)
        pagina = await w.get(f"/casussen/{casus_id}")
        assert pagina.status_code == 200, pagina.text
        assert pagina.headers["cache-control"] == "no-store"
        inhoud = tekst_van(pagina.text)
        assert "Huurachterstand" in inhoud and "€ 1.500,00" in inhoud and "1 juni 2026" in inhoud
        assert "Nog geen contactpogingen" in inhoud
        csrf = csrf_van(pagina.text)

        morgen = str(datetime.now(TZ).date() + timedelta(days=1))
        poging = {"csrf_token": csrf, "soort": "huisbezoek", "bereikt": "nee", "datum": morgen, "dagdeel": "avond"}
        fout = await w.post(f"/casussen/{casus_id}/contactpogingen", data=poging, headers={"Origin": ORIGIN})
        assert fout.status_code == 422
        # signalering's error next to the date field, tied to it, the typed values kept
        assert re.search(r'id="datum-fout">[^<]*nog niet plaatsvond', fout.text)
        assert re.search(r'id="datum"[^>]*aria-describedby="datum-fout"[^>]*aria-invalid="true"', fout.text)
        assert re.search(r'<option value="huisbezoek" selected>', fout.text)

        zonder = {**poging, "datum": str(datetime.now(TZ).date()), "bereikt": ""}
        leeg = await w.post(f"/casussen/{casus_id}/contactpogingen", data=zonder, headers={"Origin": ORIGIN})
        assert leeg.status_code == 422 and 'id="bereikt-fout"' in leeg.text

        goed = await w.post(
            f"/casussen/{casus_id}/contactpogingen", data={**zonder, "bereikt": "ja"}, headers={"Origin": ORIGIN}
        )
        assert goed.status_code == 303 and goed.headers["location"] == f"/casussen/{casus_id}"
        na = tekst_van((await w.get(f"/casussen/{casus_id}")).text)
        assert "De contactpoging is vastgelegd." in na and "avond: Huisbezoek, bereikt" in na

        dicht = await w.post(
            f"/casussen/{casus_id}/afsluiten",
            data={"csrf_token": csrf, "resultaat": "al_in_beeld"},
            headers={"Origin": ORIGIN},
        )
        assert dicht.status_code == 303
        gesloten = await w.get(f"/casussen/{casus_id}")
        assert 'id="casus-status">Afgesloten<' in gesloten.text and "Al in beeld bij een hulpverlener" in gesloten.text
        assert "/afsluiten" not in gesloten.text  # no forms on a closed casus

        # A second tab still had the form: signalering's 409 as a message naming the state.
        weer = await w.post(
            f"/casussen/{casus_id}/afsluiten",
            data={"csrf_token": csrf, "resultaat": "hulp_gestart"},
            headers={"Origin": ORIGIN},
        )
        assert weer.status_code == 409
        assert "de casus is afgesloten" in tekst_van(weer.text)
        laat = await w.post(
            f"/casussen/{casus_id}/contactpogingen",
            data=poging | {"datum": str(datetime.now(TZ).date())},
            headers={"Origin": ORIGIN},
        )
        assert laat.status_code == 409 and "de casus is afgesloten" in tekst_van(laat.text)

        assert (await w.get(f"/casussen/{uuid.uuid4()}")).status_code == 404
        assert (await w.get("/casussen/geen-uuid")).status_code == 404
    async with werkplek() as w:  # a wijkcoach of another team: signalering's 404, as a page
        await log_in(w, rol="wijkcoach", gemeente="GM1916", team="gm1916-cjg")
        assert (await w.get(f"/casussen/{casus_id}")).status_code == 404


async def test_huishouden_linkt_naar_de_signaalcasus(platform, token, werkplek):
    casus_id = await _casus(platform, token)

    async def huishouden_id():
        async with httpx.AsyncClient() as http:
            r = await http.get(url(platform, "signalering", f"/v1/casussen/{casus_id}"), headers=token("beheer"))
        return r.json()["huishouden_id"] if r.json().get("team_id") else None

    hid = await wacht_tot(huishouden_id, timeout=15)
    async with werkplek() as w:
        await log_in(w, **BEHEER)

        async def met_link():
            pagina = await w.get(f"/huishoudens/{hid}")
            return pagina.text if f'href="/casussen/{casus_id}"' in pagina.text else None

        assert await wacht_tot(met_link, timeout=15)


async def test_regels_in_woorden_en_een_proef(platform, werkplek):
    async with werkplek() as w:
        await log_in(w, **BEHEER)
        pagina = await w.get("/regels/GM1916")
        assert pagina.status_code == 200, pagina.text
        inhoud = tekst_van(pagina.text)
        assert "een veiligheidsvraag is met ja beantwoord" in inhoud
        assert (
            "soort melding is zorgmelding en melder is naaste of mantelzorger of buur of professional of anoniem"
            in inhoud
        )
        assert inhoud.index("acuut-onveilig") < inhoud.index("zorgmelding-ander")  # in order
        assert "Crisis: meteen oppakken, dag en nacht" in inhoud  # the termijn with its grondslag
        csrf = csrf_van(pagina.text)

        basis = {
            "csrf_token": csrf,
            "soort": "zorgmelding",
            "kanaal": "telefoon",
            "melder_type": "buur",
            "leeftijdscategorie": "23-64",
        }
        r = await w.post("/regels/GM1916/proef", data=basis, headers={"Origin": ORIGIN})
        assert r.status_code == 200, r.text
        assert re.search(r'id="uitkomst-regel">\d+\. <code class="utrecht-code">zorgmelding-ander</code>', r.text)
        assert "Meldpunt Bezorgd gaat binnen 2 werkdagen langs" in tekst_van(r.text)
        assert "melder_type" in tekst_van(re.search(r'id="uitkomst-feiten">.*?</dl>', r.text, re.S).group(0))

        onveilig = await w.post(
            "/regels/GM1916/proef", data={**basis, "veiligheid.huiselijk_geweld": "ja"}, headers={"Origin": ORIGIN}
        )
        assert "zorgmelding-ander" not in re.search(r'id="uitkomst-regel">.*?</dd>', onveilig.text, re.S).group(0)
        assert ">acuut-onveilig</code>" in onveilig.text and "Veilig Thuis, direct" in tekst_van(onveilig.text)
        assert 'name="veiligheid.huiselijk_geweld" value="ja" checked' in onveilig.text  # the facts stay

        bekend = await w.post(
            "/regels/GM1916/proef", data={**basis, "bekend_huishouden": "ja"}, headers={"Origin": ORIGIN}
        )
        assert ">bekend-huishouden</code>" in bekend.text  # the query parameter reached triage

        fout = await w.post("/regels/GM1916/proef", data={**basis, "zrm.financien": "veel"}, headers={"Origin": ORIGIN})
        assert fout.status_code == 422
        assert 'id="zrm-financien-fout"' in fout.text and 'id="uitkomst"' not in fout.text

        assert (await w.get("/regels/GM0546")).status_code == 403  # triage: own gemeente only
    async with werkplek() as w:
        await log_in(w, rol="inwoner", bsn=geldig_bsn())
        assert (await w.get("/regels/GM1916")).status_code == 403


async def test_beheer_dlq_opnieuw_verwerken_status_en_verwerkingslog(platform, token, werkplek, nats_server):
    gif = await publiceer_gif(nats_server.url)
    vergiftigd = await wacht_op_vermelding(platform, token, "triage", gif)
    assert "onbekende gemeente" in vergiftigd["reden"] and "event" not in vergiftigd

    bsn = geldig_bsn()
    m = await post_melding(platform, token, melding(huisnummer=random.randint(1, 9999), bsn=bsn))

    async def besluiten():
        async with httpx.AsyncClient() as http:
            r = await http.get(
                url(platform, "triage", "/v1/besluiten"), params={"bron_id": m["melding_id"]}, headers=token("beheer")
            )
        return r.json()["besluiten"]

    await wacht_tot(besluiten, timeout=15)
    toegepast, _ = await vermelding_van_toegepast(nats_server.url, m["melding_id"])

    async with werkplek() as w:
        await log_in(w, **BEHEER)
        pagina = await w.get("/beheer")
        assert pagina.status_code == 200, pagina.text
        assert f'id="dlq-triage-{vergiftigd["seq"]}"' in pagina.text and f'id="dlq-triage-{toegepast}"' in pagina.text
        assert "a" * 64 not in pagina.text  # the poison's body (its household key) is not shown
        assert '<code class="utrecht-code">triage-meldingen</code>' in pagina.text  # the durables' table
        assert "Outbox:" in tekst_van(pagina.text)
        csrf = csrf_van(pagina.text)

        # The poison fails again: the entry stays, the page says why.
        r = await w.post(
            f"/beheer/dlq/triage/{vergiftigd['seq']}/opnieuw", data={"csrf_token": csrf}, headers={"Origin": ORIGIN}
        )
        assert r.status_code == 303 and r.headers["location"] == "/beheer"
        na = await w.get("/beheer")
        assert "niet opnieuw verwerkt" in tekst_van(na.text) and "onbekende gemeente" in tekst_van(na.text)
        assert f'id="dlq-triage-{vergiftigd["seq"]}"' in na.text

        # The applied one: triage applies it once more (the inbox: nothing new) and it leaves the DLQ.
        r = await w.post(
            f"/beheer/dlq/triage/{toegepast}/opnieuw", data={"csrf_token": csrf}, headers={"Origin": ORIGIN}
        )
        assert r.status_code == 303
        daarna = await w.get("/beheer")
        assert "is opnieuw verwerkt en uit de DLQ" in tekst_van(daarna.text)
        assert f'id="dlq-triage-{toegepast}"' not in daarna.text
        assert toegepast not in [v["seq"] for v in await dlq_van(platform, token, "triage")]
        assert len(await besluiten()) == 1

        # without the CSRF token: refused, nothing replayed
        zonder = await w.post(f"/beheer/dlq/triage/{vergiftigd['seq']}/opnieuw", data={}, headers={"Origin": ORIGIN})
        assert zonder.status_code == 403

        # the processing log: a read by a consulent, found by the BSN, which is in no URL and not echoed
        async with httpx.AsyncClient() as http:
            lees = await http.get(
                url(platform, "intake", f"/v1/meldingen/{m['melding_id']}"), headers=token("consulent")
            )
        assert lees.status_code == 200
        zoek = await w.post("/beheer/verwerkingslog", data={"csrf_token": csrf, "bsn": bsn}, headers={"Origin": ORIGIN})
        assert zoek.status_code == 200, zoek.text
        assert re.search(r'id="zoekresultaat">[1-9]\d* verwerking', zoek.text)
        assert "consulent:" in zoek.text and bsn not in zoek.text
        onjuist = await w.post(
            "/beheer/verwerkingslog", data={"csrf_token": csrf, "bsn": "123456789"}, headers={"Origin": ORIGIN}
        )
        assert onjuist.status_code == 422 and 'id="bsn-fout"' in onjuist.text and "123456789" not in onjuist.text
    async with werkplek() as w:
        await log_in(w, rol="consulent", gemeente="GM1916")
        assert (await w.get("/beheer")).status_code == 403


async def test_beleid_leest_en_probeert_regels_en_ziet_geen_huishoudens(platform, token, werkplek):
    """Policy staff: to the rules after login, only 'Regels' in the menu, a dry run decides; every case
    page is refused by the service behind it (no personal data for beleid)."""
    huishouden_id, _ = await _huishouden_met_plan(platform, token)
    async with werkplek() as w:
        r = await log_in(w, rol="beleid", gemeente="GM1916")
        start = await w.get(r.headers["location"])
        assert start.status_code == 303 and start.headers["location"] == "/regels/GM1916"
        pagina = await w.get("/regels/GM1916")
        assert pagina.status_code == 200, pagina.text
        menu = re.search(r'<nav class="werkplek-menu".*?</nav>', pagina.text, re.S).group(0)
        assert re.findall(r'href="([^"]+)"', menu) == ["/regels/GM1916", "/stuurinformatie/GM1916"]
        assert "Ingelogd als Beleid" in tekst_van(pagina.text)
        proef = {"soort": "zorgmelding", "kanaal": "telefoon", "melder_type": "buur", "leeftijdscategorie": "23-64"}
        r = await w.post(
            "/regels/GM1916/proef", data={"csrf_token": csrf_van(pagina.text), **proef}, headers={"Origin": ORIGIN}
        )
        assert r.status_code == 200 and ">zorgmelding-ander</code>" in r.text
        assert (await w.get("/werkvoorraad")).status_code == 403
        huishouden = await w.get(f"/huishoudens/{huishouden_id}")
        assert huishouden.status_code == 403 and "Versies van het plan" not in huishouden.text
        assert (await w.get("/meldingen/nieuw")).status_code == 403
        assert (await w.get("/beheer")).status_code == 403
    beleid = token("beleid")
    async with httpx.AsyncClient() as c:  # the services themselves refuse beleid, not only the screens
        regels = await c.get(url(platform, "triage", "/v1/regels/GM1916"), headers=beleid)
        assert regels.status_code == 200 and regels.json()["regels"]
        plan = await c.get(url(platform, "arrangement", f"/v1/huishoudens/{huishouden_id}"), headers=beleid)
        assert plan.status_code == 403


async def test_beheer_ziet_stroom_achterstand_termijnen_en_de_laatste_traces(platform, token, otlp):
    """/beheer without Prometheus: the flow per consumer from the services' /metrics (a rate from the second
    look on), the overdue deadlines, and the newest traces of the trace buffer as waterfalls."""
    huishouden_id, _ = await _huishouden_met_plan(platform, token)
    async with werkplek_client(instellingen(platform, TOEGANG_SPOREN_URL=otlp.endpoint)) as w:
        await log_in(w, **BEHEER)
        eerste = await w.get("/beheer")
        assert eerste.status_code == 200, eerste.text
        rij = re.search(r'<tr class="utrecht-table__row" id="stroom-triage-meldingen">.*?</tr>', eerste.text, re.S)
        cellen = re.findall(r'<td class="utrecht-table__cell[^"]*">(.*?)</td>', rij.group(0), re.S)
        assert cellen[1] == "–" and int(cellen[4]) >= 1  # no rate yet; handled at least the plan's melding
        tweede = await w.get("/beheer")
        rij = re.search(r'id="stroom-triage-meldingen">.*?</tr>', tweede.text, re.S).group(0)
        assert re.search(r'utrecht-table__cell--numeric">\d+\.\d</td>', rij)  # now a rate per second
        assert "database op, nats op" in tekst_van(tweede.text)
        termijnen = tekst_van(tweede.text.split('id="termijnen"')[1].split("Laatste traces")[0])
        assert re.search(r"Leidschendam-Voorburg (\d+) (\d+)", termijnen).group(1) != "0"  # the new plan's deadline
        traces = tweede.text.split('id="kop-traces"')[1]
        assert traces.count('<details class="werkplek-trace"') >= 1
        assert '<rect class="werkplek-waterval__balk' in traces and "toegang-" not in traces.split("<tbody")[0]
        assert re.search(
            r"<td class=\"utrecht-table__cell\">(intake|triage|arrangement|werkplek|signalering)</td>", traces
        )
    async with werkplek_client(instellingen(platform)) as w:  # without a buffer: no traces section
        await log_in(w, **BEHEER)
        assert 'id="kop-traces"' not in (await w.get("/beheer")).text
    assert huishouden_id
