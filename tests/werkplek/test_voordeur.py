"""The front desk in the werkplek against the real platform: a licht contact in a few clicks (the channel
stays chosen, errors next to their field), turned into a melding with its channel and themes filled in;
the sociale kaart by theme and wijk; and escalation on the household page up to the Lokale Kamer's
werkvoorraad, where it takes the regie."""

from __future__ import annotations

import re

import httpx

from tests.support.gegevens import geldig_bsn
from tests.werkplek.conftest import ORIGIN, csrf_van, log_in
from tests.werkplek.test_acties import _api_huishouden, _fout_bij, _huishouden_met_plan, _stuur


async def _contact(w: httpx.AsyncClient, **velden) -> httpx.Response:
    pagina = (await w.get("/contacten/nieuw")).text
    data = {"csrf_token": csrf_van(pagina), **velden}
    return await w.post("/contacten/nieuw", data=data, headers={"Origin": ORIGIN})


async def test_een_contact_in_een_paar_klikken_en_toch_een_melding(platform, token, werkplek):
    async with werkplek() as w:
        await log_in(w, rol="meldpunt", gemeente="GM1916", team="")
        menu = (await w.get("/contacten/nieuw")).text
        assert 'href="/contacten/nieuw" aria-current="page"' in menu and "Gm1916" not in menu
        # Nothing chosen: each error next to its group, the summary links to it.
        fout = await _contact(w)
        assert fout.status_code == 422
        for anker in ("kanaal-fout", "themas-fout", "uitkomst-fout"):
            _fout_bij(fout, anker)
        # A referral needs an aanbieder from the sociale kaart.
        zonder = await _contact(w, kanaal="balie", themas="financien", uitkomst="verwezen_voorliggend_veld")
        _fout_bij(zonder, "aanbieder_id-fout")
        r = await _contact(
            w,
            kanaal="balie",
            themas=["financien", "sociaal_netwerk"],
            uitkomst="verwezen_voorliggend_veld",
            aanbieder_id="gm1916-humanitas-thuisadministratie",
            wijk="damsigt",
        )
        assert r.status_code == 303 and r.headers["location"] == "/contacten/nieuw"
        na = (await w.get("/contacten/nieuw")).text
        assert "Het contact is geregistreerd" in na
        assert re.search(r'id="kanaal-balie" name="kanaal" value="balie" checked', na)  # stays chosen
        assert 'value="financien" checked' not in na  # the rest is empty for the next caller
        link = re.search(r'href="/meldingen/nieuw\?contact=([0-9a-f-]{36})"', na)
        assert link
        assert "Het contact is geregistreerd" not in (await w.get("/contacten/nieuw")).text  # shown once

        formulier = (await w.get(f"/meldingen/nieuw?contact={link.group(1)}")).text
        assert "Deze melding komt uit een contact (balie)" in formulier
        assert re.search(r'name="levensgebieden" value="financien" checked', formulier)
        sleutel = re.search(r'name="idempotency_key" value="([^"]+)"', formulier).group(1)
        data = {
            "csrf_token": csrf_van(formulier),
            "idempotency_key": sleutel,
            "soort": "hulpvraag",
            "melder.type": "inwoner_zelf",
            "betreft.adres.postcode": "2262 AB",
            "betreft.adres.huisnummer": "77",
            "betreft.personen.0.bsn": geldig_bsn(),
            "levensgebieden": ["financien", "sociaal_netwerk"],
            **{f"veiligheid.{v}": "nee" for v in ("acuut_gevaar", "huiselijk_geweld", "kindermishandeling")},
        }
        verstuurd = await w.post("/meldingen/nieuw", data=data, headers={"Origin": ORIGIN})
        assert verstuurd.status_code == 303, verstuurd.text[:2000]
        bevestiging = (await w.get(verstuurd.headers["location"])).text
        melding_id = re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", bevestiging).group(0)
        # A second form for the same contact (another tab): the service refuses, the page says why.
        tweede = (await w.get(f"/meldingen/nieuw?contact={link.group(1)}")).text
        sleutel2 = re.search(r'name="idempotency_key" value="([^"]+)"', tweede).group(1)
        nog_eens = await w.post(
            "/meldingen/nieuw",
            data={**data, "csrf_token": csrf_van(tweede), "idempotency_key": sleutel2},
            headers={"Origin": ORIGIN},
        )
        assert nog_eens.status_code == 409 and "Van dit contact is al een melding gemaakt." in nog_eens.text
    async with httpx.AsyncClient() as http:
        contact = await http.get(
            f"{platform.urls['intake']}/v1/lichte-contacten/{link.group(1)}", headers=token("beheer")
        )
        melding = await http.get(f"{platform.urls['intake']}/v1/meldingen/{melding_id}", headers=token("beheer"))
    assert contact.json()["melding_id"] == melding_id and contact.json()["uitkomst"] == "melding_gemaakt"
    assert melding.json()["kanaal"] == "balie"


async def test_de_sociale_kaart_op_thema_en_wijk(werkplek):
    async with werkplek() as w:
        await log_in(w, rol="wijkcoach", gemeente="GM1916", team="gm1916-gebiedsteam-voorburg-midden")
        r = await w.get("/sociale-kaart", params={"thema": "sociaal_netwerk", "wijk": "voorburg-midden"})
        assert r.status_code == 200
        namen = re.findall(r'<h3 class="utrecht-heading-3">([^<]+)</h3>', r.text)
        assert namen[0] == "Welzijnsorganisatie Voorburg" and "Welzijnsorganisatie Leidschendam" not in namen
        assert "Telefoon 070 386 1311" in r.text
        # Anything but a code of the list is ignored: the whole kaart.
        alles = await w.get("/sociale-kaart", params={"thema": "<script>", "wijk": "atlantis"})
        assert len(re.findall(r'<h3 class="utrecht-heading-3">', alles.text)) == 9


async def test_escaleren_tot_in_de_werkvoorraad_van_de_lokale_kamer(platform, token, werkplek):
    huishouden_id, team = await _huishouden_met_plan(platform, token)
    async with werkplek() as w:
        await log_in(w, rol="wijkcoach", gemeente="GM1916", team=team)
        pagina = (await w.get(f"/huishoudens/{huishouden_id}")).text
        assert 'id="actie-escalatie"' in pagina and 'id="actie-escalatie_regie"' not in pagina
        r = await _stuur(w, huishouden_id, "escalatie", pagina, reden="partners_niet_eens")
        assert r.status_code == 303, r.text[:2000]
        na = (await w.get(f"/huishoudens/{huishouden_id}")).text
        assert "Geëscaleerd op" in na and "partners worden het niet eens" in na
        assert 'id="actie-escalatie"' not in na  # one at a time
    async with werkplek() as lk:
        await log_in(lk, rol="lokale_kamer", gemeente="GM1916", team="gm1916-lokale-kamer")
        werk = (await lk.get("/werkvoorraad")).text
        assert f'href="/huishoudens/{huishouden_id}"' in werk and "Vastgelopen zaak" in werk
        pagina = (await lk.get(f"/huishoudens/{huishouden_id}")).text
        escalatie_id = re.search(r'<option value="([0-9a-f-]{36})">Geëscaleerd op', pagina).group(1)
        r = await _stuur(lk, huishouden_id, "escalatie_regie", pagina, escalatie_id=escalatie_id)
        assert r.status_code == 303, r.text[:2000]
    h = await _api_huishouden(platform, token, huishouden_id)
    assert h["regisseur"]["team_id"] == "gm1916-lokale-kamer"
    assert [e["status"] for e in h["escalaties"]] == ["regie_genomen"]
