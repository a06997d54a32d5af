"""Signalering through its public API and events: partners, thresholds, repeats, matching, batches."""

from __future__ import annotations

import uuid
from datetime import UTC

import httpx
import pytest

from tests.conftest import wacht_tot
from tests.e2e.test_skeleton import url
from tests.support.gegevens import geldig_bsn
from tests.support.verwerkt import wacht_tot_opgenomen, wacht_tot_uitgestuurd

PARTNERS = {  # partner_id -> (type, a soort it may send)
    "gm1916-vidomes": ("woningcorporatie", "huurachterstand"),
    "gm1916-eneco": ("energieleverancier", "energieachterstand"),
    "gm1916-dunea": ("drinkwaterbedrijf", "waterachterstand"),
    "gm1916-zilveren-kruis": ("zorgverzekeraar", "zorgverzekeringsachterstand"),
    "gm1916-ggd-haaglanden": ("ggd", "zorgmelding"),
}


def signaal(huisnummer: int, soort: str, bsn: str | None = None, **over) -> dict:
    body = {
        "partner_signaal_id": str(uuid.uuid4()),
        "soort": soort,
        "betreft": {"bsn": bsn or geldig_bsn(), "adres": {"postcode": "2264 AB", "huisnummer": huisnummer}},
        "bedrag_achterstand_cent": 150_000,
        "achterstand_sinds": "2026-06-01",
    }
    body.update(over)
    return body


async def stuur(platform, headers: dict, body: dict, pad: str = "/v1/signalen") -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.post(url(platform, "signalering", pad), json=body, headers=headers)


def als_partner(token, partner_id: str) -> dict:
    return token("partner", partner_id=partner_id)


def doorgezet(bus_opname, casus_id: str) -> list[dict]:
    return [e["data"] for e in bus_opname.events("toegang.signalen.doorgezet.") if e["data"]["casus_id"] == casus_id]


@pytest.mark.parametrize("partner_id", list(PARTNERS))
async def test_elk_partnertype_met_zijn_soort_wordt_beoordeeld_en_gepubliceerd(platform, token, bus_opname, partner_id):
    partner_type, soort = PARTNERS[partner_id]
    r = await stuur(platform, als_partner(token, partner_id), signaal(600 + list(PARTNERS).index(partner_id), soort))
    assert r.status_code == 202, r.text
    antwoord = r.json()
    ontvangen = await wacht_tot(
        lambda: [
            e["data"]
            for e in bus_opname.events("toegang.signalen.ontvangen.")
            if e["data"]["signaal_id"] == antwoord["signaal_id"]
        ]
    )
    assert ontvangen[0]["partner_type"] == partner_type and ontvangen[0]["soort"] == soort
    assert ontvangen[0]["beoordeling"] == antwoord["beoordeling"] == "nieuw"


async def test_soort_die_de_partner_niet_mag_sturen_wordt_geweigerd(platform, token):
    r = await stuur(platform, als_partner(token, "gm1916-dunea"), signaal(610, "huurachterstand"))
    assert r.status_code == 422 and {f["veld"] for f in r.json()["errors"]} == {"soort"}


async def test_onder_de_drempel_geen_uitreiking_maar_een_tweede_partner_escaleert(platform, token, bus_opname):
    bsn = geldig_bsn()
    eerste = (
        await stuur(
            platform,
            als_partner(token, "gm1916-vidomes"),
            signaal(611, "huurachterstand", bsn, bedrag_achterstand_cent=10_000),
        )
    ).json()
    assert eerste["beoordeling"] == "onder_drempel" and eerste["casus_id"]
    assert doorgezet(bus_opname, eerste["casus_id"]) == []
    tweede = (
        await stuur(
            platform,
            als_partner(token, "gm1916-eneco"),
            signaal(611, "energieachterstand", bsn, bedrag_achterstand_cent=5_000),
        )
    ).json()
    assert tweede["casus_id"] == eerste["casus_id"]
    escalaties = await wacht_tot(lambda: doorgezet(bus_opname, eerste["casus_id"]))
    assert len(escalaties) == 1 and escalaties[0]["reden"] == "meerdere_partners"
    assert {s["partner_type"] for s in escalaties[0]["signalen"]} == {"woningcorporatie", "energieleverancier"}


async def test_herhaling_zonder_hoger_bedrag_en_derde_partner_geven_geen_nieuwe_escalatie(
    platform, token, bus_opname, database_url, nats_server
):
    bsn = geldig_bsn()
    vidomes = als_partner(token, "gm1916-vidomes")
    eerste = (await stuur(platform, vidomes, signaal(612, "huurachterstand", bsn))).json()
    herhaald = (
        await stuur(platform, vidomes, signaal(612, "huurachterstand", bsn, bedrag_achterstand_cent=140_000))
    ).json()
    hoger = (
        await stuur(platform, vidomes, signaal(612, "huurachterstand", bsn, bedrag_achterstand_cent=200_000))
    ).json()
    ander = (await stuur(platform, als_partner(token, "gm1916-dunea"), signaal(612, "waterachterstand", bsn))).json()
    assert herhaald["beoordeling"] == "herhaalde_melding" and hoger["beoordeling"] == "nieuw"
    assert {herhaald["casus_id"], hoger["casus_id"], ander["casus_id"]} == {eerste["casus_id"]}
    await wacht_tot(lambda: doorgezet(bus_opname, eerste["casus_id"]))
    # The signals were judged in their requests: all signalering committed for them is published and recorded.
    await wacht_tot_uitgestuurd(database_url, "signalering")
    await wacht_tot_opgenomen(nats_server.url, bus_opname)
    assert len(doorgezet(bus_opname, eerste["casus_id"])) == 1  # once per escalation, never per signal
    async with httpx.AsyncClient() as http:
        casus = (
            await http.get(url(platform, "signalering", f"/v1/casussen/{eerste['casus_id']}"), headers=token("beheer"))
        ).json()
    assert casus["reden"] == "meerdere_partners" and len(casus["signalen"]) == 4


async def test_einde_levering_escaleert_direct_als_crisis_ook_op_een_lopende_casus(platform, token, bus_opname):
    bsn = geldig_bsn()
    eerste = (await stuur(platform, als_partner(token, "gm1916-vidomes"), signaal(613, "huurachterstand", bsn))).json()
    crisis = (
        await stuur(
            platform,
            als_partner(token, "gm1916-eneco"),
            signaal(613, "einde_levering", bsn, bedrag_achterstand_cent=1_000),
        )
    ).json()
    assert crisis["casus_id"] == eerste["casus_id"] and crisis["beoordeling"] == "nieuw"
    escalaties = await wacht_tot(
        lambda: (lambda e: e if len(e) == 2 else None)(doorgezet(bus_opname, eerste["casus_id"]))
    )
    assert [e["crisis"] for e in escalaties] == [False, True] and escalaties[1]["reden"] == "crisis"


async def test_api_token_van_de_partner_werkt_en_de_payload_kan_geen_andere_partner_noemen(platform, token):
    api_token = {"Authorization": "Bearer dev-gm1916-vidomes"}  # config holds only its sha256
    assert (await stuur(platform, api_token, signaal(614, "huurachterstand"))).status_code == 202
    assert (
        await stuur(platform, {"Authorization": "Bearer geraden"}, signaal(614, "huurachterstand"))
    ).status_code == 401
    vervalst = signaal(614, "huurachterstand", partner_id="gm1916-eneco")
    r = await stuur(platform, api_token, vervalst)
    assert r.status_code == 422 and "partner_id" in {f["veld"] for f in r.json()["errors"]}
    assert (await stuur(platform, token("wijkcoach"), signaal(614, "huurachterstand"))).status_code == 403
    assert (await stuur(platform, {}, signaal(614, "huurachterstand"))).status_code == 401


async def test_batch_met_goede_en_foute_items_en_413_boven_de_grens(platform, token):
    goed = [signaal(620 + i, "huurachterstand") for i in range(3)]
    fout = [
        signaal(630, "huurachterstand", bsn="123456789"),
        {"soort": "huurachterstand"},
        signaal(631, "geen_soort"),
        signaal(632, "huurachterstand", bedrag_achterstand_cent=-5),
    ]
    r = await stuur(
        platform, als_partner(token, "gm1916-vidomes"), {"signalen": [goed[0], *fout, *goed[1:]]}, "/v1/signalen/batch"
    )
    assert r.status_code == 202, r.text
    resultaten = r.json()["resultaten"]
    assert [x["geaccepteerd"] for x in resultaten] == [True, False, False, False, False, True, True]
    assert {f["veld"] for f in resultaten[1]["errors"]} == {"betreft.bsn"}
    assert "partner_signaal_id" in {f["veld"] for f in resultaten[2]["errors"]}
    assert "123456789" not in r.text
    te_veel = await stuur(
        platform, als_partner(token, "gm1916-vidomes"), {"signalen": [{}] * 10_001}, "/v1/signalen/batch"
    )
    assert te_veel.status_code == 413


async def test_signaal_via_nats_op_het_eigen_subject_en_onzin_naar_de_dlq(platform, token, nats_server, bus_opname):
    import json

    import nats

    bsn_fout = "123456789"
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    dlq = await nc.subscribe("toegang.dlq.signalering")
    goed = signaal(640, "energieachterstand")
    await js.publish("partners.gm1916-eneco.signalen", json.dumps(goed).encode())
    await js.publish("partners.gm1916-eneco.signalen", b"{geen json")
    await js.publish(
        "partners.gm1916-eneco.signalen", json.dumps(signaal(641, "energieachterstand", bsn_fout)).encode()
    )
    try:
        vermeldingen = [json.loads((await dlq.next_msg(timeout=10)).data) for _ in range(2)]
    finally:
        await nc.drain()
    redenen = sorted(v["reden"] for v in vermeldingen)  # in stream order: the bad JSON first, then the BSN
    assert redenen[0].startswith("ongeldig bericht:") and "betreft.bsn" not in redenen[0]
    assert redenen[1].startswith("ongeldig signaal:") and "betreft.bsn" in redenen[1]
    assert all(v["event"] is None and v["stream"] == "PARTNER_SIGNALEN" for v in vermeldingen)
    assert bsn_fout not in json.dumps(vermeldingen)
    from shared.privacy import adres_sleutel

    huishouden = adres_sleutel(platform.omgeving["TOEGANG_PSEUDONIEM_SLEUTEL"].encode(), "2264 AB", 640, None)
    ontvangen = await wacht_tot(
        lambda: [
            e["data"]
            for e in bus_opname.events("toegang.signalen.ontvangen.")
            if e["data"]["huishouden_id"] == huishouden
        ],
        timeout=10,
    )
    # the good one went through, between the bad ones, as the partner its subject names
    assert [(o["partner_id"], o["beoordeling"]) for o in ontvangen] == [("gm1916-eneco", "nieuw")]


async def test_levensloop_terugkoppeling_aan_de_eigen_partner_en_opschonen(platform, token, bus_opname, database_url):
    import asyncio
    from datetime import datetime, timedelta

    from services.signalering import jobs, tables
    from shared.db import UnitOfWorkFactory, maak_engine
    from shared.gemeenten import laad_gemeenten
    from shared.service import Context
    from shared.settings import PROJECT_ROOT

    bsn = geldig_bsn()
    vidomes, eneco = als_partner(token, "gm1916-vidomes"), als_partner(token, "gm1916-eneco")
    s1 = (await stuur(platform, vidomes, signaal(650, "huurachterstand", bsn))).json()
    s2 = (await stuur(platform, eneco, signaal(650, "energieachterstand", bsn))).json()
    herhaald = (await stuur(platform, vidomes, signaal(650, "huurachterstand", bsn))).json()

    async def zie(headers, signaal_id):
        async with httpx.AsyncClient() as http:
            return await http.get(
                url(platform, "signalering", f"/v1/signalen/{signaal_id}/terugkoppeling"), headers=headers
            )

    eigen = await zie(vidomes, s1["signaal_id"])
    assert eigen.status_code == 200 and eigen.json()["status"] == "in_behandeling"
    assert set(eigen.json()) == {"signaal_id", "partner_signaal_id", "ontvangen_op", "beoordeling", "status"}
    assert (await zie(eneco, s1["signaal_id"])).status_code == 404  # another partner's signal
    assert (await zie(token("beheer"), s1["signaal_id"])).status_code == 403
    assert (await zie(vidomes, herhaald["signaal_id"])).json()["status"] == "geen_actie"

    casus_pad = f"/v1/casussen/{s1['casus_id']}"
    async with httpx.AsyncClient() as http:
        poging = await http.post(
            url(platform, "signalering", casus_pad + "/contactpogingen"),
            headers=token("beheer"),
            json={"soort": "huisbezoek", "bereikt": False, "datum": "2026-11-23", "dagdeel": "ochtend"},
        )
        dicht = await http.post(
            url(platform, "signalering", casus_pad + "/afsluiten"),
            headers=token("beheer"),
            json={"resultaat": "niet_bereikt"},
        )
        nogmaals = await http.post(
            url(platform, "signalering", casus_pad + "/afsluiten"),
            headers=token("beheer"),
            json={"resultaat": "hulp_gestart"},
        )
    assert poging.status_code == 201 and dicht.status_code == 200 and nogmaals.status_code == 409
    afgehandeld = await wacht_tot(
        lambda: (lambda e: e if len(e) == 3 else None)(
            [
                e["data"]
                for e in bus_opname.events("toegang.signalen.afgehandeld.")
                if e["data"]["signaal_id"] in {s1["signaal_id"], s2["signaal_id"], herhaald["signaal_id"]}
            ]
        )
    )
    assert {a["resultaat"] for a in afgehandeld} == {"afgehandeld", "geen_actie"}
    assert all(set(a) == {"signaal_id", "partner_id", "resultaat"} for a in afgehandeld)
    assert (await zie(vidomes, s1["signaal_id"])).json()["status"] == "afgehandeld"

    engine = maak_engine(database_url)
    ctx = Context(None, laad_gemeenten(PROJECT_ROOT / "config" / "gemeenten"), UnitOfWorkFactory(engine, tables.outbox))
    try:
        nu = datetime.now(UTC)
        assert await jobs.verwijder_casussen_zonder_resultaat(ctx, nu) == 0  # nothing old enough yet
        assert (await zie(vidomes, s1["signaal_id"])).status_code == 200
        later = nu + timedelta(days=181)
        aantallen = await asyncio.gather(
            jobs.verwijder_casussen_zonder_resultaat(ctx, later),
            jobs.verwijder_casussen_zonder_resultaat(ctx, later),
        )
        assert sum(aantallen) >= 1
    finally:
        await engine.dispose()
    assert (await zie(vidomes, s1["signaal_id"])).status_code == 404  # purged with its casus
