"""Intake through its public API and events: every front door, every validation error, the feedback rules."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import wacht_tot
from tests.e2e.test_skeleton import huishouden, post_melding, url
from tests.support.gegevens import geldig_bsn, melding

KANALEN = ["telefoon", "balie", "digitaal", "huisbezoek", "email", "professional", "meldpunt"]
SOORTEN = ["hulpvraag", "zorgmelding", "aanvraag_maatwerk"]
MELDERS = ["inwoner_zelf", "naaste", "mantelzorger", "buur", "professional", "anoniem"]


@pytest.mark.parametrize(
    "kanaal,soort,melder",
    [
        *[(k, SOORTEN[i % 3], MELDERS[i % 6]) for i, k in enumerate(KANALEN)],
        *[("digitaal", s, "inwoner_zelf") for s in SOORTEN],
        *[("telefoon", "zorgmelding", m) for m in MELDERS],
    ],
)
async def test_elk_kanaal_soort_en_melder_komt_tot_een_geregistreerde_melding_op_de_bus(
    platform, token, bus_opname, kanaal, soort, melder
):
    body = melding(
        huisnummer=400 + KANALEN.index(kanaal), bsn=geldig_bsn(), kanaal=kanaal, soort=soort, melder={"type": melder}
    )
    m = await post_melding(platform, token, body)

    def gepubliceerd():
        return [
            e
            for e in bus_opname.events("toegang.meldingen.geregistreerd.GM1916")
            if e["data"]["melding_id"] == m["melding_id"]
        ]

    event = (await wacht_tot(gepubliceerd))[0]
    assert (event["data"]["kanaal"], event["data"]["soort"], event["data"]["melder_type"]) == (kanaal, soort, melder)
    assert event["data"]["huishouden_id"] == m["huishouden_id"]
    assert event["source"] == "urn:nld:gemeente:GM1916:systeem:intake"


async def test_meerdere_gezinsleden_en_een_zrm_van_een_professional(platform, token, bus_opname):
    body = melding(
        huisnummer=410,
        bsn=geldig_bsn(),
        melder={"type": "professional", "organisatie": "Huisarts"},
        zrm={"financien": 2, "huisvesting": 2, "geestelijke_gezondheid": 2, "justitie": 5},
    )
    body["betreft"]["personen"].append({"bsn": geldig_bsn(), "naam": "Kind Testkind", "geboortedatum": "2016-05-01"})
    body["betreft"]["personen"].append({"naam": "Oma Zonder Bsn", "geboortedatum": "1940-01-01"})
    m = await post_melding(platform, token, body)
    event = (
        await wacht_tot(
            lambda: [
                e
                for e in bus_opname.events("toegang.meldingen.geregistreerd.")
                if e["data"]["melding_id"] == m["melding_id"]
            ]
        )
    )[0]["data"]
    assert len(event["persoon_sleutels"]) == 3 and len(set(event["persoon_sleutels"])) == 3
    assert event["persoon_sleutels_zwak"] is True
    assert event["zrm"]["financien"] == 2 and event["leeftijdscategorie"] == "65+"


ONGELDIG = [
    ({"kanaal": "fax"}, "kanaal"),
    ({"soort": "klacht"}, "soort"),
    ({"melder": {"type": "collega"}}, "melder.type"),
    ({"melder": {"type": "buur", "email": "geen-adres"}}, "melder.email"),
    ({"gemeente": "GM9999"}, "gemeente"),
    ({"omschrijving": "x" * 4001}, "omschrijving"),
    ({"zrm": {"financien": 6}}, "zrm.financien"),
    ({"zrm": {"geluk": 3}}, "zrm.geluk"),
    ({"levensgebieden": ["geluk"]}, "levensgebieden.0"),
    ({"gevraagde_voorzieningen": ["jacuzzi"]}, "gevraagde_voorzieningen.0"),
    ({"onbekend_veld": 1}, "onbekend_veld"),
]


@pytest.mark.parametrize("wijziging,veld", ONGELDIG, ids=[v for _, v in ONGELDIG])
async def test_elke_validatiefout_noemt_zijn_veld(platform, token, wijziging, veld):
    body = {**melding(huisnummer=420), **wijziging}
    async with httpx.AsyncClient() as http:  # an inwoner may report in any gemeente, so even GM9999 gets a 422
        r = await http.post(url(platform, "intake", "/v1/meldingen"), json=body, headers=token("inwoner", None))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert veld in {f["veld"] for f in r.json()["errors"]}


@pytest.mark.parametrize(
    "adres,veld",
    [
        ({"postcode": "22641AB", "huisnummer": 1}, "betreft.adres.postcode"),
        ({"postcode": "2264 AB", "huisnummer": 0}, "betreft.adres.huisnummer"),
        ({"postcode": "2264 AB", "huisnummer": "twaalf"}, "betreft.adres.huisnummer"),
        ({"postcode": "2711 AA", "huisnummer": 1}, "betreft.adres.postcode"),  # Zoetermeer, not in GM1916
    ],
)
async def test_adresfouten(platform, token, adres, veld):
    body = melding(huisnummer=1)
    body["betreft"]["adres"] = adres
    async with httpx.AsyncClient() as http:
        r = await http.post(url(platform, "intake", "/v1/meldingen"), json=body, headers=token("meldpunt"))
    assert r.status_code == 422 and veld in {f["veld"] for f in r.json()["errors"]}


async def test_zonder_wens_tot_terugkoppeling_geen_code_en_geen_status(platform, token):
    body = melding(huisnummer=430, bsn=geldig_bsn(), melder={"type": "buur", "wil_terugkoppeling": False})
    m = await post_melding(platform, token, body)
    assert m["terugkoppelcode"] is None
    async with httpx.AsyncClient() as http:
        zonder = await http.get(url(platform, "intake", f"/v1/meldingen/{m['melding_id']}/status"))
        geraden = await http.get(
            url(platform, "intake", f"/v1/meldingen/{m['melding_id']}/status"), headers={"Terugkoppelcode": "geraden"}
        )
        medewerker = await http.get(
            url(platform, "intake", f"/v1/meldingen/{m['melding_id']}/status"), headers=token("meldpunt")
        )
    assert zonder.status_code == 404 and geraden.status_code == 404
    assert medewerker.status_code == 200


async def test_melder_ziet_soort_team_maar_geen_team_plan_of_persoonsgegevens(platform, token):
    m = await post_melding(platform, token, melding(huisnummer=431, bsn=geldig_bsn()))
    await wacht_tot(lambda: huishouden(platform, token, m["huishouden_id"]))

    async def opgepakt():
        async with httpx.AsyncClient() as http:
            r = await http.get(
                url(platform, "intake", f"/v1/meldingen/{m['melding_id']}/status"),
                headers={"Terugkoppelcode": m["terugkoppelcode"]},
            )
        # doorverwezen (triage's event) and opgepakt (arrangement's) come over two streams, in either order
        klaar = r.json()["status"] == "opgepakt" and len(r.json()["historie"]) == 3
        return r.json() if klaar else None

    status = await wacht_tot(opgepakt)
    assert set(status) == {"melding_id", "status", "historie"}
    assert {h["status"] for h in status["historie"]} == {"geregistreerd", "doorverwezen", "opgepakt"}
    assert all(set(h) == {"status", "soort_team", "tijdstip"} for h in status["historie"])
    assert status["historie"][-1]["soort_team"]
