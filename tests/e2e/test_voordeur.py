"""The front door in its whole width, through the running platform's APIs and on the bus: a licht contact
with nothing of a person, turned into a melding that gets its plan; the sociale kaart searched and refused
for an unknown aanbieder; a young person's 18th birthday from intake's job over the bus to the plan's
transition deadline; an escalation that reaches the Lokale Kamer's werkvoorraad across teams and a
wijkcoach's view limited to his own."""

from __future__ import annotations

from datetime import timedelta

import httpx

from tests.conftest import wacht_tot
from tests.e2e.test_arrangement import get, plan_voor, post, vandaag, velden
from tests.e2e.test_skeleton import huishouden, url
from tests.support.gegevens import GEVOELIG, LEIDSCHENDAM, geldig_bsn, melding

LOKALE_KAMER = "gm1916-lokale-kamer"


async def intake(platform, methode: str, pad: str, headers: dict, **kw) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.request(methode, url(platform, "intake", pad), headers=headers, **kw)


async def test_een_licht_contact_en_daarna_toch_een_melding(platform, token, bus_opname):
    balie = token("meldpunt")
    contact = {"gemeente": "GM1916", "kanaal": "balie", "themas": ["financien"], "uitkomst": "beantwoord"}
    r = await intake(platform, "POST", "/v1/lichte-contacten", balie, json=contact)
    assert r.status_code == 201, r.text
    contact_id = r.json()["contact_id"]
    [event] = await wacht_tot(
        lambda: [e for e in bus_opname.events("toegang.meldingen.licht-contact.GM1916") if e["subject"] == contact_id]
    )
    assert event["data"]["themas"] == ["financien"] and "huishouden_id" not in event["data"]

    weg = ("gemeente", "kanaal", "levensgebieden")  # what the contact already holds
    rest = {k: v for k, v in melding(huisnummer=9301, bsn=geldig_bsn()).items() if k not in weg}
    m = await intake(platform, "POST", f"/v1/lichte-contacten/{contact_id}/melding", balie, json=rest)
    assert m.status_code == 201, m.text
    h = await wacht_tot(lambda: huishouden(platform, token, m.json()["huishouden_id"]), timeout=15)
    assert h["plan"]["plan_id"]
    gelezen = (await intake(platform, "GET", f"/v1/meldingen/{m.json()['melding_id']}", token("beheer"))).json()
    assert gelezen["kanaal"] == "balie" and gelezen["levensgebieden"] == ["financien"]  # nothing typed again
    nog_eens = await intake(platform, "POST", f"/v1/lichte-contacten/{contact_id}/melding", balie, json=rest)
    assert nog_eens.status_code == 409
    omgezet = await wacht_tot(lambda: bus_opname.events("toegang.meldingen.licht-contact-omgezet.GM1916"))
    assert m.json()["melding_id"] in {e["data"]["melding_id"] for e in omgezet}
    # A contact with a person's details in it is refused, field by field: there is no field for them.
    met_naam = await intake(platform, "POST", "/v1/lichte-contacten", balie, json={**contact, "naam": "Jan"})
    assert met_naam.status_code == 422


async def test_de_sociale_kaart_zoeken_en_een_onbekende_aanbieder(platform, token, nats_server):
    wijkcoach = token("wijkcoach", teams=[LEIDSCHENDAM])
    r = await intake(
        platform, "GET", "/v1/sociale-kaart/GM1916", wijkcoach, params={"thema": "sociaal_netwerk", "wijk": "stompwijk"}
    )
    assert r.status_code == 200
    ids = [a["id"] for a in r.json()]
    assert ids[0] == "gm1916-welzijn-leidschendam" and "gm1916-welzijn-voorburg" not in ids
    assert r.json()[0]["contact"]["telefoon"]
    assert velden(await intake(platform, "GET", "/v1/sociale-kaart/GM1916", wijkcoach, params={"thema": "geluk"})) == {
        "query.thema"
    }
    assert (await intake(platform, "GET", "/v1/sociale-kaart/GM0546", wijkcoach)).status_code == 404
    h = await plan_voor(platform, token, nats_server)
    pad = f"/v1/plannen/{h['plan']['plan_id']}/doorverwijzingen"
    onbekend = {"voorziening": "amw", "aanbieder_id": "niet-op-de-kaart"}
    assert velden(await post(platform, pad, onbekend, wijkcoach)) == {"aanbieder_id"}
    r = await post(platform, pad, {**onbekend, "aanbieder_id": ids[0]}, wijkcoach)
    assert r.status_code == 201, r.text


async def test_achttien_worden_van_intake_via_de_bus_naar_de_werkvoorraad(platform, token, bus_opname):
    bsn = geldig_bsn()
    over_drie_maanden = vandaag() + timedelta(days=90)
    geboren = over_drie_maanden.replace(year=over_drie_maanden.year - 18, day=10)
    body = melding(huisnummer=9302, bsn=bsn)
    body["betreft"]["personen"] = [{"bsn": bsn, "geboortedatum": str(geboren)}]
    m = (await intake(platform, "POST", "/v1/meldingen", token("meldpunt"), json=body)).json()
    hid = m["huishouden_id"]
    [event] = await wacht_tot(
        lambda: [
            e for e in bus_opname.events("toegang.meldingen.wordt-achttien.GM1916") if e["data"]["huishouden_id"] == hid
        ],
        timeout=15,
    )
    assert event["data"]["achttien_in"] == f"{over_drie_maanden.year}-{over_drie_maanden.month:02d}"
    assert str(geboren) not in str(event) and bsn not in str(event)

    async def overgang():
        h = await huishouden(platform, token, hid)
        return [t for t in (h or {}).get("open_termijnen", []) if t["soort"] == "overgang-18"]

    [termijn] = await wacht_tot(overgang, timeout=15)
    assert termijn["termijn_grondslag"] == "overgang-18-plus"


async def test_escalatie_bij_de_lokale_kamer_over_teams_heen(platform, token, nats_server, bus_opname):
    h = await plan_voor(platform, token, nats_server)
    plan_id = h["plan"]["plan_id"]
    wijkcoach = token("wijkcoach", teams=[LEIDSCHENDAM])
    assert velden(await post(platform, f"/v1/plannen/{plan_id}/escalaties", {"reden": "zomaar"}, wijkcoach)) == {
        "reden"
    }
    r = await post(platform, f"/v1/plannen/{plan_id}/escalaties", {"reden": "partners_niet_eens"}, wijkcoach)
    assert r.status_code == 201, r.text
    escalatie = r.json()
    assert (
        await post(platform, f"/v1/plannen/{plan_id}/escalaties", {"reden": "geen_voortgang"}, wijkcoach)
    ).status_code == 409

    lokale_kamer = token("lokale_kamer", teams=[LOKALE_KAMER])
    werk = (await get(platform, "/v1/werkvoorraad", lokale_kamer)).json()["werkvoorraad"]
    assert [w["soort"] for w in werk if w["bron_id"] == escalatie["escalatie_id"]] == ["escalatie"]
    alle = (await get(platform, "/v1/escalaties", lokale_kamer)).json()
    assert escalatie["escalatie_id"] in {e["escalatie_id"] for e in alle}
    ander = (
        await get(platform, "/v1/escalaties", token("wijkcoach", teams=["gm1916-gebiedsteam-voorburg-midden"]))
    ).json()
    assert escalatie["escalatie_id"] not in {e["escalatie_id"] for e in ander}

    pad = f"/v1/plannen/{plan_id}/escalaties/{escalatie['escalatie_id']}"
    assert (await post(platform, f"{pad}/regie", {}, wijkcoach)).status_code == 403
    genomen = await post(platform, f"{pad}/regie", {}, lokale_kamer)
    assert genomen.status_code == 200 and genomen.json()["status"] == "regie_genomen"
    terug = {"instructie": "partners_bijeenroepen", "opvolgen_voor": str(vandaag() + timedelta(days=10))}
    assert (await post(platform, f"{pad}/teruggave", terug, lokale_kamer)).json()["status"] == "teruggegeven"
    eigen = (await get(platform, "/v1/werkvoorraad", wijkcoach)).json()["werkvoorraad"]
    assert [w["soort"] for w in eigen if w["bron_id"] == escalatie["escalatie_id"]] == ["instructie"]
    gebeurd = await wacht_tot(
        lambda: (
            [
                e["data"]["uitkomst"]
                for e in bus_opname.events("toegang.plannen.escalatie-behandeld.")
                if e["data"]["plan_id"] == plan_id
            ]
            if len(
                [
                    1
                    for e in bus_opname.events("toegang.plannen.escalatie-behandeld.")
                    if e["data"]["plan_id"] == plan_id
                ]
            )
            == 2
            else None
        )
    )
    assert gebeurd == ["regie_genomen", "teruggegeven"]
    assert all(g not in str(bus_opname.events("toegang.plannen.escalatie-")) for g in GEVOELIG)
