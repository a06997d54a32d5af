"""The walking skeleton, end to end: four service processes, a real JetStream, a real PostgreSQL."""

from __future__ import annotations

import json
import uuid
from datetime import UTC

import httpx
import nats
import pytest

from shared.events import DoorverwijzingGedaan, maak_event
from tests.conftest import wacht_tot
from tests.support.gegevens import GEVOELIG, geldig_bsn, melding
from tests.support.verwerkt import wacht_tot_opgenomen, wacht_tot_stil, wacht_tot_uitgestuurd


def url(platform, service: str, pad: str) -> str:
    return platform.urls[service] + pad


async def post_melding(platform, token, body: dict, **headers) -> dict:
    async with httpx.AsyncClient() as http:
        r = await http.post(
            url(platform, "intake", "/v1/meldingen"), json=body, headers={**token("meldpunt"), **headers}
        )
    assert r.status_code == 201, r.text
    return r.json()


async def huishouden(platform, token, huishouden_id: str) -> dict | None:
    async with httpx.AsyncClient() as http:
        r = await http.get(url(platform, "arrangement", f"/v1/huishoudens/{huishouden_id}"), headers=token("beheer"))
    return r.json() if r.status_code == 200 else None


async def test_melding_krijgt_plan_en_melder_hoort_dat_hij_is_opgepakt(platform, token, bus_opname):
    m = await post_melding(platform, token, melding(huisnummer=101))
    assert m["status"] == "geregistreerd" and m["terugkoppelcode"]

    plan = await wacht_tot(lambda: huishouden(platform, token, m["huishouden_id"]), timeout=10)
    assert plan["regisseur"]["soort"] == "professional"
    assert plan["plan"]["versie"] == 1
    assert [t["bron_id"] for t in plan["tijdlijn"]] == [m["melding_id"]]

    async def status():
        async with httpx.AsyncClient() as http:
            r = await http.get(
                url(platform, "intake", f"/v1/meldingen/{m['melding_id']}/status"),
                headers={"Terugkoppelcode": m["terugkoppelcode"]},
            )
        return r.json() if r.json().get("status") == "opgepakt" else None

    zichtbaar = await wacht_tot(status)
    assert [h["status"] for h in zichtbaar["historie"]][0] == "geregistreerd"
    assert "plan" not in json.dumps(zichtbaar)  # a melder never sees the plan
    opgepakt = [
        e for e in bus_opname.events("toegang.meldingen.opgepakt.") if e["data"]["melding_id"] == m["melding_id"]
    ]
    assert len(opgepakt) == 1
    assert opgepakt[0]["data"]["team_id"] == plan["regisseur"]["team_id"]


async def test_tweede_melding_voor_zelfde_huishouden_gaat_naar_bestaande_regisseur(
    platform, token, bus_opname, database_url
):
    from sqlalchemy import text

    from shared.db import maak_engine

    eerste = await post_melding(platform, token, melding(huisnummer=102))
    await wacht_tot(lambda: huishouden(platform, token, eerste["huishouden_id"]))
    # Triage learns of the regisseur from arrangement's event, a moment after the plan exists (eventual
    # consistency: a melding in between is routed by the rules, and arrangement still joins it to the plan).
    engine = maak_engine(database_url)

    async def triage_kent_de_regisseur():
        async with engine.connect() as conn:
            return (
                await conn.execute(
                    text("SELECT count(*) FROM triage.bekende_huishoudens WHERE huishouden_id = :h"),
                    {"h": eerste["huishouden_id"]},
                )
            ).scalar()

    await wacht_tot(triage_kent_de_regisseur)
    await engine.dispose()
    tweede = await post_melding(
        platform, token, melding(huisnummer=102, soort="hulpvraag", zrm={}, melder={"type": "inwoner_zelf"})
    )
    assert tweede["huishouden_id"] == eerste["huishouden_id"]

    async def twee_in_tijdlijn():
        h = await huishouden(platform, token, eerste["huishouden_id"])
        return h if h and len(h["tijdlijn"]) == 2 else None

    h = await wacht_tot(twee_in_tijdlijn)
    besluiten = [
        e["data"]
        for e in bus_opname.events("toegang.doorverwijzingen.gedaan.")
        if e["data"]["bron_id"] == tweede["melding_id"]
    ]
    assert besluiten[0]["regel_id"] == "bekend-huishouden"
    assert besluiten[0]["team_id"] == h["regisseur"]["team_id"]
    plannen = [
        e
        for e in bus_opname.events("toegang.plannen.opgesteld.")
        if e["data"]["huishouden_id"] == eerste["huishouden_id"]
    ]
    assert len(plannen) == 1


async def test_signaal_wordt_casus_die_triage_routeert_en_arrangement_oppakt(platform, token, bus_opname):
    partner = token("partner", partner_id="gm1916-vidomes")
    body = {
        "partner_signaal_id": f"vid-{uuid.uuid4()}",
        "soort": "huurachterstand",
        "betreft": {"bsn": geldig_bsn(), "adres": {"postcode": "2264 AB", "huisnummer": 201}},
        "bedrag_achterstand_cent": 145_000,
        "achterstand_sinds": "2026-08-01",
    }
    async with httpx.AsyncClient() as http:
        r = await http.post(url(platform, "signalering", "/v1/signalen"), json=body, headers=partner)
        assert r.status_code == 202, r.text
        signaal = r.json()
        herhaald = await http.post(url(platform, "signalering", "/v1/signalen"), json=body, headers=partner)
    assert signaal["beoordeling"] == "nieuw" and signaal["casus_id"]
    assert herhaald.json() == signaal  # a repeated partner_signaal_id returns the first result

    async def besluit():
        async with httpx.AsyncClient() as http:
            r = await http.get(
                url(platform, "triage", "/v1/besluiten"),
                params={"bron_id": signaal["casus_id"]},
                headers=token("beheer"),
            )
        return r.json()["besluiten"]

    besluiten = await wacht_tot(besluit)
    assert besluiten[0]["route"] == "schuldhulp"

    async def casus_opgepakt():
        async with httpx.AsyncClient() as http:
            r = await http.get(
                url(platform, "signalering", f"/v1/casussen/{signaal['casus_id']}"), headers=token("beheer")
            )
        return r.json() if r.json()["status"] == "opgepakt" else None

    casus = await wacht_tot(casus_opgepakt)
    assert casus["team_id"] == besluiten[0]["team_id"]
    doorgezet = [
        e for e in bus_opname.events("toegang.signalen.doorgezet.") if e["data"]["casus_id"] == signaal["casus_id"]
    ]
    assert len(doorgezet) == 1


async def test_dubbel_afgeleverd_event_geeft_een_plan(platform, token, nats_server, bus_opname, database_url):
    huishouden_id = uuid.uuid4().hex * 2
    from datetime import datetime, timedelta

    data = DoorverwijzingGedaan(
        doorverwijzing_id=uuid.uuid4(),
        gemeente="GM1916",
        bron_id=uuid.uuid4(),
        bron_soort="melding",
        huishouden_id=huishouden_id,
        route="wijkteam",
        team_id="gm1916-gebiedsteam-leidschendam",
        urgentie="regulier",
        termijn_tot=datetime.now(UTC) + timedelta(days=3),
        termijn_grondslag="outreach-2-werkdagen",
        regel_id="test",
        toelichting="test",
    )
    event = maak_event(data, service="triage", gemeente="GM1916", subject="t", correlatieid="t")
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    payload = event.model_dump_json().encode()
    # Twice with the same Nats-Msg-Id (JetStream drops the second) and once more with another, as a
    # relay that lost its marks after the duplicate window would: only the inbox stands in the way.
    await js.publish(event.nats_subject, payload, headers={"Nats-Msg-Id": str(event.id)})
    tweede = await js.publish(event.nats_subject, payload, headers={"Nats-Msg-Id": str(event.id)})
    assert tweede.duplicate
    await js.publish(event.nats_subject, payload, headers={"Nats-Msg-Id": f"{event.id}-opnieuw"})
    await nc.drain()

    h = await wacht_tot(lambda: huishouden(platform, token, huishouden_id))

    def aanvaardingen():
        return [
            e
            for e in bus_opname.events("toegang.plannen.doorverwijzing-aanvaard.")
            if e["data"]["huishouden_id"] == huishouden_id
        ]

    await wacht_tot(aanvaardingen)
    # Both copies in the stream handled, and what arrangement published for them recorded: a wrongly
    # applied second delivery shows now.
    await wacht_tot_stil(database_url, nats_server.url, bus_opname, durables=("arrangement-doorverwijzingen",))
    h = await huishouden(platform, token, huishouden_id)
    assert len(h["tijdlijn"]) == 1
    assert len(aanvaardingen()) == 1
    assert (
        len([e for e in bus_opname.events("toegang.plannen.opgesteld.") if e["data"]["huishouden_id"] == huishouden_id])
        == 1
    )


async def test_ongeldige_melding_geeft_422_per_veld_en_slaat_niets_op(
    platform, token, bus_opname, database_url, nats_server
):
    aantal_voor = len(bus_opname.events("toegang.meldingen.geregistreerd."))
    body = melding(huisnummer=103, zrm={"financien": 7, "astrologie": 2})
    body["betreft"]["personen"][0]["bsn"] = "123456789"
    body["betreft"]["adres"]["postcode"] = "9999 ZZ"
    async with httpx.AsyncClient() as http:
        r = await http.post(url(platform, "intake", "/v1/meldingen"), json=body, headers=token("meldpunt"))
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    velden = {f["veld"] for f in r.json()["errors"]}
    assert velden == {"betreft.personen.0.bsn", "betreft.adres.postcode", "zrm.financien", "zrm.astrologie"}
    assert "123456789" not in r.text
    # Whatever intake committed before its answer has been published and recorded.
    await wacht_tot_uitgestuurd(database_url, "intake")
    await wacht_tot_opgenomen(nats_server.url, bus_opname)
    assert len(bus_opname.events("toegang.meldingen.geregistreerd.")) == aantal_voor


async def test_idempotency_key_geeft_eerste_resultaat(platform, token):
    sleutel = str(uuid.uuid4())
    eerste = await post_melding(platform, token, melding(huisnummer=104), **{"Idempotency-Key": sleutel})
    tweede = await post_melding(platform, token, melding(huisnummer=104), **{"Idempotency-Key": sleutel})
    assert tweede["melding_id"] == eerste["melding_id"]


async def test_zonder_token_401_en_buiten_rol_403(platform, token):
    async with httpx.AsyncClient() as http:
        zonder = await http.post(url(platform, "intake", "/v1/meldingen"), json=melding())
        partner = await http.post(
            url(platform, "intake", "/v1/meldingen"),
            json=melding(),
            headers=token("partner", partner_id="gm1916-vidomes"),
        )
    assert zonder.status_code == 401
    assert partner.status_code == 403


async def test_health_docs_en_asyncapi_op_elke_service(platform):
    async with httpx.AsyncClient() as http:
        for naam, basis in platform.urls.items():
            assert (await http.get(basis + "/health")).status_code == 200
            assert (await http.get(basis + "/docs")).status_code == 200
            asyncapi = (await http.get(basis + "/asyncapi")).json()
            assert asyncapi["asyncapi"].startswith("3.")
            assert asyncapi["channels"], naam


async def test_een_melding_is_een_trace_over_de_services(platform, token, otlp):
    m = await post_melding(platform, token, melding(huisnummer=105))
    await wacht_tot(lambda: huishouden(platform, token, m["huishouden_id"]))

    def trace_van_melding():
        spans = otlp.spans()
        post = [s for s in spans if s["service"] == "toegang-intake" and s["name"].startswith("POST /v1/meldingen")]
        for p in post:
            services = {s["service"] for s in spans if s["trace_id"] == p["trace_id"]}
            if {"toegang-intake", "toegang-triage", "toegang-arrangement"} <= services:
                return services
        return None

    services = await wacht_tot(trace_van_melding, timeout=10)
    assert {"toegang-intake", "toegang-triage", "toegang-arrangement"} <= services


@pytest.mark.laatste
async def test_geen_persoonsgegevens_op_de_bus_in_spans_of_in_logs(platform, token, bus_opname, otlp):
    m = await post_melding(platform, token, melding(huisnummer=106))
    await wacht_tot(lambda: huishouden(platform, token, m["huishouden_id"]))

    def leesspans():
        return [
            s for s in otlp.spans() if s["service"] == "toegang-intake" and s["name"].startswith("GET /v1/meldingen/")
        ]

    voor = len(leesspans())
    async with httpx.AsyncClient() as http:  # a logged read, with the personal data in the answer
        gelezen = await http.get(url(platform, "intake", f"/v1/meldingen/{m['melding_id']}"), headers=token("beheer"))
    assert gelezen.status_code == 200 and gelezen.json()["betreft"]["personen"][0]["naam"]
    await wacht_tot(lambda: len(leesspans()) > voor)  # the span exporters flushed up to the read
    assert bus_opname.berichten and otlp.spans()
    for subject, headers, body in bus_opname.berichten:
        if subject.startswith("partners."):
            continue  # a partner's own input, as an HTTP body is; what the platform makes of it is scanned
        tekst = subject + json.dumps(headers) + body.decode("utf-8", "replace")
        for gevoelig in GEVOELIG:
            assert gevoelig not in tekst, f"{gevoelig!r} in bericht op {subject}"
    for span in otlp.spans():
        tekst = json.dumps(span)
        for gevoelig in GEVOELIG:
            assert gevoelig not in tekst, f"{gevoelig!r} in span {span['name']} van {span['service']}"
    logs = "".join(p.read_text(errors="replace") for p in (platform.log_map).glob("*.log"))
    for gevoelig in GEVOELIG:
        assert gevoelig not in logs, f"{gevoelig!r} in de logs"


@pytest.mark.laatste
def test_elk_gepubliceerd_event_van_de_hele_testrun_voldoet_aan_het_contract(bus_opname):
    """Events are built without validating the envelope again (maak_event); this reads back everything the
    services published during the run, over every test, through the contract's models."""
    from shared.events import lees_event

    # What the relays published (tests that publish broken messages on purpose do not set this header).
    events = {
        (s, b)
        for s, h, b in bus_opname.berichten
        if s.startswith("toegang.") and h.get("content-type") == "application/cloudevents+json"
    }
    assert len(events) > 50
    for subject, body in events:
        event = lees_event(body)
        assert subject == event.nats_subject, f"{event.type} op {subject}"


async def test_inzage_van_persoonsgegevens_staat_in_het_verwerkingslog(platform, token, database_url):
    from sqlalchemy import text

    from shared.db import maak_engine

    m = await post_melding(platform, token, melding(huisnummer=107, bsn=geldig_bsn()))
    async with httpx.AsyncClient() as http:
        ander_team = await http.get(
            url(platform, "intake", f"/v1/meldingen/{m['melding_id']}"),
            headers=token("wijkcoach", teams=["gm1916-ander-team"]),
        )
        andere_gemeente = await http.get(
            url(platform, "intake", f"/v1/meldingen/{m['melding_id']}"), headers=token("beheer", gemeente="GM0637")
        )
        gelezen = await http.get(
            url(platform, "intake", f"/v1/meldingen/{m['melding_id']}"), headers=token("consulent")
        )
    assert ander_team.status_code == 404 and andere_gemeente.status_code == 404
    assert gelezen.status_code == 200
    engine = maak_engine(database_url)
    async with engine.connect() as conn:
        rijen = (
            (
                await conn.execute(
                    text(
                        "SELECT l.* FROM intake.verwerkingslog l JOIN intake.melding_personen p "
                        "ON p.persoon_sleutel = l.betrokkene "
                        "WHERE p.melding_id = :id"
                    ),
                    {"id": m["melding_id"]},
                )
            )
            .mappings()
            .all()
        )
    await engine.dispose()
    assert len(rijen) == 1  # the refused reads were not reads of personal data
    assert rijen[0]["verwerkingsactiviteit"] == "melding inzien"
    assert rijen[0]["actor"].startswith("consulent:")
    assert len(rijen[0]["trace_id"]) == 32 and len(rijen[0]["operation_id"]) == 16


async def test_gelijktijdige_signalen_voor_een_huishouden_geven_een_casus(platform, token):
    import asyncio

    adres = {"postcode": "2264 AB", "huisnummer": 202}

    async def stuur(partner_id: str, soort: str):
        body = {
            "partner_signaal_id": f"{partner_id}-{uuid.uuid4()}",
            "soort": soort,
            "betreft": {"bsn": geldig_bsn(), "adres": adres},
            "bedrag_achterstand_cent": 90_000,
        }
        async with httpx.AsyncClient() as http:
            return await http.post(
                url(platform, "signalering", "/v1/signalen"), json=body, headers=token("partner", partner_id=partner_id)
            )

    antwoorden = await asyncio.gather(
        *[
            stuur("gm1916-vidomes", "huurachterstand"),
            stuur("gm1916-eneco", "energieachterstand"),
            stuur("gm1916-dunea", "waterachterstand"),
        ]
        * 2
    )
    assert [r.status_code for r in antwoorden] == [202] * 6, [r.text for r in antwoorden]
    assert len({r.json()["casus_id"] for r in antwoorden}) == 1


async def test_gelijktijdige_posts_met_dezelfde_idempotency_key_geven_een_melding(platform, token):
    import asyncio

    sleutel = str(uuid.uuid4())
    body = melding(huisnummer=108, bsn=geldig_bsn())
    antwoorden = await asyncio.gather(
        *[post_melding(platform, token, body, **{"Idempotency-Key": sleutel}) for _ in range(5)]
    )
    assert len({a["melding_id"] for a in antwoorden}) == 1


async def test_idempotency_key_is_van_de_aanroeper(platform, token):
    sleutel = str(uuid.uuid4())
    body = melding(huisnummer=109, bsn=geldig_bsn())
    eerste = await post_melding(platform, token, body, **{"Idempotency-Key": sleutel})
    async with httpx.AsyncClient() as http:  # another caller with the same key gets no one else's melding
        r = await http.post(
            url(platform, "intake", "/v1/meldingen"),
            json=body,
            headers={**token("meldpunt", teams=["ander"]), "Idempotency-Key": sleutel},
        )
    assert r.status_code == 201 and r.json()["melding_id"] != eerste["melding_id"]
