"""Triage end to end: decisions that explain themselves, the rule table, the dry run, the projection."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import nats
from sqlalchemy import text

from shared.db import maak_engine
from shared.events import MeldingGeregistreerd, maak_event
from tests.conftest import wacht_tot
from tests.e2e.test_skeleton import huishouden, post_melding, url
from tests.support.gegevens import melding
from tests.support.verwerkt import wacht_tot_bijgewerkt, wacht_tot_stil, wacht_tot_uitgestuurd, wacht_tot_verwerkt


async def besluiten(platform, token, bron_id, gemeente: str = "GM1916") -> list[dict]:
    async with httpx.AsyncClient() as http:
        r = await http.get(
            url(platform, "triage", "/v1/besluiten"),
            params={"bron_id": str(bron_id)},
            headers=token("beheer", gemeente=gemeente),
        )
    assert r.status_code == 200, r.text
    return r.json()["besluiten"]


async def tel(database_url: str, sql: str) -> int:
    engine = maak_engine(database_url)
    try:
        async with engine.connect() as conn:
            return (await conn.execute(text(sql))).scalar()
    finally:
        await engine.dispose()


async def test_besluit_legt_regel_zin_en_gebruikte_feiten_vast(platform, token):
    m = await post_melding(
        platform,
        token,
        melding(
            huisnummer=8601,
            soort="aanvraag_maatwerk",
            melder={"type": "inwoner_zelf", "wil_terugkoppeling": False},
            zrm={},
            levensgebieden=[],
        ),
    )
    b = (await wacht_tot(lambda: besluiten(platform, token, m["melding_id"])))[0]
    assert (b["regel_id"], b["route"], b["team_id"]) == ("aanvraag-maatwerk", "wmo_consulent", "gm1916-wmo-consulenten")
    assert b["termijn_grondslag"] == "wmo-onderzoek-6-weken"
    assert b["toelichting"] == "Aanvraag maatwerkvoorziening: Wmo-consulent doet het onderzoek binnen 6 weken."
    assert b["feiten"]["soort"] == "aanvraag_maatwerk" and "wijk" in b["feiten"]
    async with httpx.AsyncClient() as http:  # another gemeente does not see it
        ander = await http.get(
            url(platform, "triage", "/v1/besluiten"),
            params={"bron_id": m["melding_id"]},
            headers=token("wijkcoach", gemeente="GM0546"),
        )
    assert ander.status_code == 200 and ander.json()["besluiten"] == []


async def test_regeltabel_van_de_eigen_gemeente_in_volgorde(platform, token):
    async with httpx.AsyncClient() as http:
        eigen = await http.get(url(platform, "triage", "/v1/regels/GM0637"), headers=token("beheer", gemeente="GM0637"))
        ander = await http.get(url(platform, "triage", "/v1/regels/GM0637"), headers=token("beheer"))
        zonder = await http.get(url(platform, "triage", "/v1/regels/GM0637"))
    assert eigen.status_code == 200
    ids = [r["id"] for r in eigen.json()["regels"]]
    assert ids[0] == "acuut-onveilig" and ids[-1] == "standaard" and "jeugd-onder-4" in ids
    assert next(r for r in eigen.json()["regels"] if r["id"] == "jeugd-onder-4")["team"] == "gm0637-meerpunt-jgz"
    assert ander.status_code == 403 and zonder.status_code == 401


def melding_data(gemeente: str = "GM0546", **over) -> dict:
    data = dict(
        melding_id=str(uuid.uuid4()),
        gemeente=gemeente,
        ontvangen_op="2026-11-21T14:00:00+01:00",
        kanaal="telefoon",
        soort="zorgmelding",
        melder_type="buur",
        huishouden_id="d" * 64,
        persoon_sleutels=["e" * 64],
        leeftijdscategorie="23-64",
        wijk="merenwijk",
        levensgebieden=[],
        zrm={},
        veiligheid={},
        crisis=False,
        spoed=False,
        gevraagde_voorzieningen=[],
        inwoner_op_de_hoogte=True,
    )
    return data | over


async def test_proef_geeft_het_besluit_en_verandert_niets(platform, token, database_url, nats_server):
    # Triage idle first: what earlier tests sent it must not count as the dry run's doing.
    await wacht_tot_bijgewerkt(nats_server.url, "triage-meldingen", "triage-casussen")
    await wacht_tot_uitgestuurd(database_url, "triage")
    besluiten_voor = await tel(database_url, "SELECT count(*) FROM triage.besluiten")
    nc = await nats.connect(nats_server.url)
    stream_voor = (await nc.jetstream().stream_info("TOEGANG_DOORVERWIJZINGEN")).state.messages
    async with httpx.AsyncClient() as http:
        r = await http.post(
            url(platform, "triage", "/v1/regels/GM0546/proef"),
            json=melding_data(),
            headers=token("beheer", gemeente="GM0546"),
        )
        kapot = await http.post(
            url(platform, "triage", "/v1/regels/GM0546/proef"),
            json=melding_data(soort="klacht", ontvangen_op="gisteren"),
            headers=token("beheer", gemeente="GM0546"),
        )
        bekend = await http.post(
            url(platform, "triage", "/v1/regels/GM0546/proef"),
            params={"bekend_huishouden": True},
            json=melding_data(),
            headers=token("beheer", gemeente="GM0546"),
        )
    assert r.status_code == 200, r.text
    b = r.json()
    # A zorgmelding by a neighbour on Saturday 14:00: Meldpunt Zorg en Overlast; 2 werkdagen would run to the
    # end of the Wednesday after, but spoed is at most 48 hours: Monday 14:00, and the dry run says so.
    assert (b["regel_id"], b["team_id"], b["urgentie"]) == (
        "zorgmelding-ander",
        "gm0546-meldpunt-zorg-en-overlast",
        "spoed",
    )
    assert (b["termijn_tot"], b["termijn_grondslag"]) == ("2026-11-23T14:00:00+01:00", "spoed-48-uur")
    assert "48 uur" in b["toelichting"] and "outreach-2-werkdagen" in b["toelichting"]
    assert bekend.json()["regel_id"] == "bekend-huishouden"
    assert kapot.status_code == 422
    assert {e["veld"] for e in kapot.json()["errors"]} >= {"soort", "ontvangen_op"}
    await wacht_tot_uitgestuurd(database_url, "triage")  # anything the dry runs committed is in the stream now
    assert await tel(database_url, "SELECT count(*) FROM triage.besluiten") == besluiten_voor
    assert (await nc.jetstream().stream_info("TOEGANG_DOORVERWIJZINGEN")).state.messages == stream_voor
    await nc.close()


async def test_een_tweede_aflevering_van_dezelfde_melding_geeft_een_besluit(
    platform, token, nats_server, bus_opname, database_url
):
    data = MeldingGeregistreerd.model_validate(
        melding_data(
            gemeente="GM0637",
            wijk="seghwaert",
            huishouden_id=uuid.uuid4().hex * 2,
            ontvangen_op=datetime.now(UTC).isoformat(),
        )
    )
    event = maak_event(
        data, service="intake", gemeente="GM0637", subject=str(data.melding_id), correlatieid=str(data.melding_id)
    )
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    for kopie in ("a", "b"):  # two different Nats-Msg-Ids: JetStream keeps both, the inbox applies one
        await js.publish(
            event.nats_subject, event.model_dump_json().encode(), headers={"Nats-Msg-Id": f"{event.id}-{kopie}"}
        )
    await nc.close()
    eerste = await wacht_tot(lambda: besluiten(platform, token, data.melding_id, "GM0637"))
    # Both copies handled, and whatever triage published for them recorded.
    await wacht_tot_stil(database_url, nats_server.url, bus_opname, durables=("triage-meldingen",))
    alle = await besluiten(platform, token, data.melding_id, "GM0637")
    assert len(alle) == 1 and alle == eerste
    assert alle[0]["team_id"] == "gm0637-meldpunt-bezorgd"
    gedaan = [
        e
        for e in bus_opname.events("toegang.doorverwijzingen.gedaan.GM0637")
        if e["data"]["bron_id"] == str(data.melding_id)
    ]
    assert len(gedaan) == 1


async def test_lege_projectie_wordt_uit_de_stream_herbouwd(platform, token, database_url):
    m = await post_melding(platform, token, melding(huisnummer=8602))
    plan = await wacht_tot(lambda: huishouden(platform, token, m["huishouden_id"]))
    team = plan["regisseur"]["team_id"]
    sql_bekend = f"SELECT count(*) FROM triage.bekende_huishoudens WHERE huishouden_id = '{m['huishouden_id']}'"
    await wacht_tot(lambda: tel(database_url, sql_bekend))

    platform.stop_service("triage")
    engine = maak_engine(database_url)
    async with engine.begin() as conn:  # a restored backup without the projection
        await conn.execute(text("DELETE FROM triage.bekende_huishoudens"))
    await engine.dispose()
    platform.start_service("triage")
    platform.wacht_tot_gezond(60, namen=["triage"])

    await wacht_tot(lambda: tel(database_url, sql_bekend), timeout=20)
    assert await tel(database_url, "SELECT count(*) FROM triage.bekende_huishoudens") > 1  # all of them, not one
    tweede = await post_melding(platform, token, melding(huisnummer=8602, soort="hulpvraag", zrm={}))
    b = (await wacht_tot(lambda: besluiten(platform, token, tweede["melding_id"])))[0]
    assert (b["regel_id"], b["route"], b["team_id"]) == ("bekend-huishouden", "regisseur", team)


async def test_van_twee_overdrachten_in_omgekeerde_volgorde_blijft_de_nieuwste(platform, database_url, nats_server):
    from datetime import timedelta

    from shared.events import RegisseurToegewezen

    plan_id, huishouden_id = uuid.uuid4(), uuid.uuid4().hex * 2
    nu = datetime.now(UTC)
    events = []
    for team, tijd in (("gm1916-lokale-kamer", nu), ("gm1916-gebiedsteam-leidschendam", nu - timedelta(seconds=5))):
        e = maak_event(
            RegisseurToegewezen(
                plan_id=plan_id,
                huishouden_id=huishouden_id,
                reden="overdracht",
                regisseur={"soort": "professional", "team_id": team},
            ),
            service="arrangement",
            gemeente="GM1916",
            subject=str(plan_id),
            correlatieid=str(plan_id),
        )
        events.append(e.model_copy(update={"time": tijd}))
    nc = await nats.connect(nats_server.url)
    for e in events:  # the newer hand-over first, the older one after it
        await nc.jetstream().publish(e.nats_subject, e.model_dump_json().encode(), headers={"Nats-Msg-Id": str(e.id)})
    await nc.close()
    sql = f"SELECT regisseur->>'team_id' FROM triage.bekende_huishoudens WHERE huishouden_id = '{huishouden_id}'"
    assert await wacht_tot(lambda: tel(database_url, sql)) == "gm1916-lokale-kamer"
    await wacht_tot_verwerkt(database_url, "triage-regisseurs", events[1].id)  # the older one, handled
    assert await tel(database_url, sql) == "gm1916-lokale-kamer"
