"""A plan closes: the household's meldingen close, triage forgets the regisseur; after the retention
period the melder's contact details are erased, exactly once even with two replicas at work."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import func, select

from services.intake import jobs, tables
from shared.db import UnitOfWorkFactory, maak_engine
from shared.gemeenten import laad_gemeenten
from shared.privacy import Kluis
from shared.service import Context
from shared.settings import PROJECT_ROOT
from tests.conftest import wacht_tot
from tests.e2e.test_skeleton import huishouden, post_melding, url
from tests.support.gegevens import EMAIL, TELEFOON, geldig_bsn, melding
from tests.support.verwerkt import wacht_tot_verwerkt


async def sluit_af(platform, token, plan_id: str, resultaat: str = "doelen_bereikt") -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.post(
            url(platform, "arrangement", f"/v1/plannen/{plan_id}/afsluiten"),
            json={"resultaat": resultaat},
            headers=token("lokale_kamer"),
        )


async def melder_status(platform, m) -> str:
    async with httpx.AsyncClient() as http:
        r = await http.get(
            url(platform, "intake", f"/v1/meldingen/{m['melding_id']}/status"),
            headers={"Terugkoppelcode": m["terugkoppelcode"]},
        )
    return r.json()["status"]


async def test_afgesloten_plan_sluit_de_melding_en_een_nieuwe_melding_krijgt_een_nieuw_plan(
    platform, token, bus_opname, database_url
):
    m = await post_melding(platform, token, melding(huisnummer=500, bsn=geldig_bsn()))
    h = await wacht_tot(lambda: huishouden(platform, token, m["huishouden_id"]))
    await wacht_tot(lambda: _is(melder_status(platform, m), "opgepakt"))

    r = await sluit_af(platform, token, h["plan"]["plan_id"])
    assert r.status_code == 200, r.text
    assert (await sluit_af(platform, token, h["plan"]["plan_id"])).status_code == 409
    await wacht_tot(lambda: _is(melder_status(platform, m), "afgesloten"))
    assert await huishouden(platform, token, m["huishouden_id"]) is None  # no active plan any more

    # Triage's projection follows the plan-afgesloten event: it has forgotten the regisseur once it handled it.
    [afgesloten] = await wacht_tot(
        lambda: [
            e["id"]
            for e in bus_opname.events("toegang.plannen.afgesloten.")
            if e["data"]["plan_id"] == h["plan"]["plan_id"]
        ]
    )
    await wacht_tot_verwerkt(database_url, "triage-afsluitingen", afgesloten)
    weer = await post_melding(
        platform,
        token,
        melding(huisnummer=500, bsn=geldig_bsn(), soort="hulpvraag", zrm={}, melder={"type": "inwoner_zelf"}),
    )
    nieuw = await wacht_tot(lambda: huishouden(platform, token, m["huishouden_id"]))
    assert nieuw["plan"]["plan_id"] != h["plan"]["plan_id"]
    besluit = [
        e["data"]
        for e in bus_opname.events("toegang.doorverwijzingen.gedaan.")
        if e["data"]["bron_id"] == weer["melding_id"]
    ][0]
    assert besluit["regel_id"] != "bekend-huishouden" and besluit["bestaande_regisseur"] is None


async def _is(waarde, verwacht):
    return (await waarde) == verwacht


async def test_bewaartermijn_wist_contactgegevens_van_de_melder_eenmaal_ook_met_twee_replicas(
    platform, token, database_url
):
    m = await post_melding(platform, token, melding(huisnummer=501, bsn=geldig_bsn()))
    h = await wacht_tot(lambda: huishouden(platform, token, m["huishouden_id"]))
    assert (await sluit_af(platform, token, h["plan"]["plan_id"], "geen_hulp_nodig")).status_code == 200
    await wacht_tot(lambda: _is(melder_status(platform, m), "afgesloten"))

    engine = maak_engine(database_url)
    ctx = Context(
        None,
        laad_gemeenten(PROJECT_ROOT / "config" / "gemeenten"),
        UnitOfWorkFactory(engine, tables.outbox),
        {"kluis": Kluis(platform.omgeving["TOEGANG_GEGEVENS_SLEUTEL"])},
    )
    mt = tables.meldingen
    async with engine.connect() as conn:
        kandidaten = (
            await conn.execute(
                select(func.count()).where(mt.c.afgesloten_op.is_not(None), mt.c.melder_gewist_op.is_(None))
            )
        ).scalar()
    try:
        # Before the retention period: nothing happens.
        assert await jobs.wis_melder_contactgegevens(ctx, datetime.now(UTC)) == 0
        later = datetime.now(UTC) + timedelta(days=366)
        gewist = await asyncio.gather(
            jobs.wis_melder_contactgegevens(ctx, later), jobs.wis_melder_contactgegevens(ctx, later)
        )
        assert sum(gewist) == kandidaten >= 1
        assert await jobs.wis_melder_contactgegevens(ctx, later) == 0
    finally:
        await engine.dispose()

    async with httpx.AsyncClient() as http:
        r = await http.get(url(platform, "intake", f"/v1/meldingen/{m['melding_id']}"), headers=token("beheer"))
    gegevens = r.json()
    assert set(gegevens["melder"]) == {"type", "wil_terugkoppeling"}
    assert TELEFOON not in r.text and EMAIL not in r.text
    assert gegevens["betreft"]["personen"][0]["bsn"]  # only the melder's contact details go


async def test_plan_afgesloten_voor_regisseur_toegewezen_laat_geen_bekend_huishouden_achter(
    platform, token, nats_server, bus_opname, database_url
):
    """The two events travel on one stream but reach triage through two consumers: either order must work."""
    import uuid

    import nats

    from shared.events import PlanAfgesloten, Regisseur, RegisseurToegewezen, maak_event
    from shared.privacy import adres_sleutel

    huishouden = adres_sleutel(platform.omgeving["TOEGANG_PSEUDONIEM_SLEUTEL"].encode(), "2264 AB", 502, None)
    plan_id = uuid.uuid4()
    nu = datetime.now(UTC)
    afgesloten = maak_event(
        PlanAfgesloten(plan_id=plan_id, huishouden_id=huishouden, afgesloten_op=nu, resultaat="doelen_bereikt"),
        service="arrangement",
        gemeente="GM1916",
        subject=str(plan_id),
        correlatieid="t",
    )
    toegewezen = maak_event(
        RegisseurToegewezen(
            plan_id=plan_id,
            huishouden_id=huishouden,
            regisseur=Regisseur(soort="professional", team_id="gm1916-lokale-kamer"),
        ),
        service="arrangement",
        gemeente="GM1916",
        subject=str(plan_id),
        correlatieid="t",
    )
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    for event in (afgesloten, toegewezen):  # the wrong order
        await js.publish(event.nats_subject, event.model_dump_json().encode(), headers={"Nats-Msg-Id": str(event.id)})
    await nc.drain()
    # Both consumers have had their turn.
    await wacht_tot_verwerkt(database_url, "triage-afsluitingen", afgesloten.id)
    await wacht_tot_verwerkt(database_url, "triage-regisseurs", toegewezen.id)

    m = await post_melding(
        platform,
        token,
        melding(huisnummer=502, bsn=geldig_bsn(), soort="hulpvraag", zrm={}, melder={"type": "inwoner_zelf"}),
    )
    besluit = (
        await wacht_tot(
            lambda: [
                e["data"]
                for e in bus_opname.events("toegang.doorverwijzingen.gedaan.")
                if e["data"]["bron_id"] == m["melding_id"]
            ]
        )
    )[0]
    assert besluit["regel_id"] != "bekend-huishouden" and besluit["bestaande_regisseur"] is None


async def test_alleen_het_team_van_de_regisseur_sluit_een_plan_af(platform, token):
    m = await post_melding(platform, token, melding(huisnummer=503, bsn=geldig_bsn()))
    h = await wacht_tot(lambda: huishouden(platform, token, m["huishouden_id"]))
    pad = url(platform, "arrangement", f"/v1/plannen/{h['plan']['plan_id']}/afsluiten")
    async with httpx.AsyncClient() as http:
        ander_team = await http.post(
            pad, json={"resultaat": "doelen_bereikt"}, headers=token("consulent", teams=["gm1916-ander-team"])
        )
        eigen_team = await http.post(
            pad, json={"resultaat": "doelen_bereikt"}, headers=token("wijkcoach", teams=[h["regisseur"]["team_id"]])
        )
    assert ander_team.status_code == 403 and eigen_team.status_code == 200
