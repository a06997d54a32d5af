"""Arrangement against a real JetStream and PostgreSQL: one plan and one regisseur per household under
concurrency, the regie, plan versions, beschikkingen by role, working the case, waakvlam, termijnbewaking
exactly once with two replicas and across restarts, the werkvoorraad and the processing log."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from functools import partial

import httpx
import nats
from sqlalchemy import text

from shared.db import maak_engine
from shared.termijnen import TZ
from tests.conftest import wacht_tot
from tests.e2e.test_skeleton import huishouden, post_melding, url
from tests.support.gegevens import LEIDSCHENDAM, doorverwijzing, geldig_bsn, melding
from tests.support.verwerkt import (
    wacht_tot_opgenomen,
    wacht_tot_opnieuw_verwerkt,
    wacht_tot_stil,
    wacht_tot_uitgestuurd,
    wacht_tot_verwerkt,
)

LOKALE_KAMER = "gm1916-lokale-kamer"
CONSULENTEN = "gm1916-wmo-consulenten"
OMVANG = {"volume": 4, "eenheid": "uur", "frequentie": "week"}


def nieuw_huishouden() -> str:
    return uuid.uuid4().hex * 2


async def publiceer(nats_server, *events, msg_id=None) -> None:
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    for event in events:
        await js.publish(
            event.nats_subject,
            event.model_dump_json().encode(),
            headers={"Nats-Msg-Id": msg_id or str(event.id), "content-type": "application/cloudevents+json"},
        )
    await nc.drain()


async def plan_voor(platform, token, nats_server, **over) -> dict:
    """A household with a fresh plan (regisseur: the Leidschendam gebiedsteam unless `team_id`)."""
    h = nieuw_huishouden()
    await publiceer(nats_server, doorverwijzing(h, **over))
    return await wacht_tot(lambda: huishouden(platform, token, h))


async def post(platform, pad: str, body: dict, headers: dict) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.post(url(platform, "arrangement", pad), json=body, headers=headers)


async def get(platform, pad: str, headers: dict) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.get(url(platform, "arrangement", pad), headers=headers)


def van(bus_opname, subject: str, huishouden_id: str) -> list[dict]:
    return [e["data"] for e in bus_opname.events(subject) if e["data"].get("huishouden_id") == huishouden_id]


def vandaag() -> date:
    return datetime.now(TZ).date()


def velden(r: httpx.Response) -> set[str]:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    return {f["veld"] for f in r.json()["errors"]}


# --- the invariant under concurrency ---------------------------------------------------------------------


async def test_tien_gelijktijdige_doorverwijzingen_geven_een_plan_en_een_regisseur(
    platform, token, nats_server, bus_opname, database_url
):
    h = nieuw_huishouden()
    teams = [LEIDSCHENDAM, "gm1916-schuldhulp", LOKALE_KAMER, CONSULENTEN, "gm1916-ssp"]
    events = [doorverwijzing(h, team_id=teams[i % 5], bron_soort=("melding", "signaalcasus")[i % 2]) for i in range(10)]
    # From five connections at once, two events each.
    await asyncio.gather(*[publiceer(nats_server, *events[i::5]) for i in range(5)])

    aanvaard = await wacht_tot(
        lambda: (
            len(van(bus_opname, "toegang.plannen.doorverwijzing-aanvaard.", h)) == 10
            and van(bus_opname, "toegang.plannen.doorverwijzing-aanvaard.", h)
        ),
        timeout=20,
    )
    assert sum(a["nieuw_plan"] for a in aanvaard) == 1
    assert len({a["plan_id"] for a in aanvaard}) == 1
    toegewezen = van(bus_opname, "toegang.plannen.regisseur-toegewezen.", h)
    assert len(toegewezen) == 1 and len(van(bus_opname, "toegang.plannen.opgesteld.", h)) == 1
    # Every later arrival joined the plan and went to the one regisseur's team, as a signal.
    regisseur_team = toegewezen[0]["regisseur"]["team_id"]
    assert {a["team_id"] for a in aanvaard} == {regisseur_team}
    plan = await huishouden(platform, token, h)
    assert sorted(str(e.bron_id) for e in [e.data for e in events]) == sorted(
        t["bron_id"] for t in plan["tijdlijn"] if t["soort"] == "doorverwijzing"
    )
    signalen = [t for t in plan["open_termijnen"] if t["soort"] == "doorverwijzing"]
    assert len(signalen) == 10 and {t["team_id"] for t in signalen} == {regisseur_team}
    assert sum(t["bij_lopend_plan"] for t in signalen) == 9
    werk = (await get(platform, "/v1/werkvoorraad", token("wijkcoach", teams=[regisseur_team]))).json()["werkvoorraad"]
    assert sum(1 for w in werk if w["huishouden_id"] == h and w["bij_lopend_plan"]) == 9

    # The same event again (past JetStream's de-duplication), and the same doorverwijzing under a new
    # event id: neither changes anything.
    opnieuw = events[3].model_copy(update={"id": uuid.uuid4()})
    eerder = await wacht_tot_verwerkt(database_url, "arrangement-doorverwijzingen", events[3].id)
    await publiceer(nats_server, events[3], msg_id=f"{events[3].id}-opnieuw")
    await publiceer(nats_server, opnieuw)
    # Both handled: the copy went through the inbox again, the new id has its row; all arrangement then
    # published is recorded.
    await wacht_tot_opnieuw_verwerkt(
        database_url, nats_server.url, "arrangement-doorverwijzingen", events[3].id, eerder
    )
    await wacht_tot_verwerkt(database_url, "arrangement-doorverwijzingen", opnieuw.id)
    await wacht_tot_stil(database_url, nats_server.url, bus_opname, durables=("arrangement-doorverwijzingen",))
    engine = maak_engine(database_url)
    try:
        async with engine.connect() as conn:
            actief = (
                await conn.execute(
                    text("SELECT count(*) FROM arrangement.plannen WHERE huishouden_id = :h AND status = 'actief'"),
                    {"h": h},
                )
            ).scalar()
            tijdlijn = (
                await conn.execute(text("SELECT count(*) FROM arrangement.tijdlijn WHERE huishouden_id = :h"), {"h": h})
            ).scalar()
    finally:
        await engine.dispose()
    assert actief == 1 and tijdlijn == 10
    assert len(van(bus_opname, "toegang.plannen.doorverwijzing-aanvaard.", h)) == 10


async def test_melding_en_signaal_tegelijk_voor_een_huishouden_geven_een_plan(platform, token, bus_opname):
    adres = {"postcode": "2264 AB", "huisnummer": 7611}
    signaal = {
        "partner_signaal_id": f"vid-{uuid.uuid4()}",
        "soort": "huurachterstand",
        "betreft": {"bsn": geldig_bsn(), "adres": adres},
        "bedrag_achterstand_cent": 145_000,
        "achterstand_sinds": "2026-08-01",
    }

    async def stuur_signaal():
        async with httpx.AsyncClient() as http:
            r = await http.post(
                url(platform, "signalering", "/v1/signalen"),
                json=signaal,
                headers=token("partner", partner_id="gm1916-vidomes"),
            )
        assert r.status_code == 202, r.text
        return r.json()

    m, s = await asyncio.gather(
        post_melding(platform, token, melding(huisnummer=7611, bsn=geldig_bsn())), stuur_signaal()
    )
    assert s["casus_id"]

    async def beide_binnen():
        plan = await huishouden(platform, token, m["huishouden_id"])
        bronnen = {t["bron_id"] for t in plan["tijdlijn"]} if plan else set()
        return plan if {m["melding_id"], s["casus_id"]} <= bronnen else None

    plan = await wacht_tot(beide_binnen, timeout=20)
    assert {t["bron_soort"] for t in plan["tijdlijn"]} == {"melding", "signaalcasus"}
    assert len(van(bus_opname, "toegang.plannen.regisseur-toegewezen.", m["huishouden_id"])) == 1
    assert len(van(bus_opname, "toegang.plannen.opgesteld.", m["huishouden_id"])) == 1


# --- regisseur ----------------------------------------------------------------------------------------------


async def test_regie_overdragen_met_reden_en_het_werk_gaat_mee(platform, token, nats_server, bus_opname):
    h = await plan_voor(platform, token, nats_server)
    plan_id, hid = h["plan"]["plan_id"], h["huishouden_id"]
    pad = f"/v1/plannen/{plan_id}/regisseur"
    eigen_team = token("wijkcoach", teams=[LEIDSCHENDAM])

    assert (
        await post(
            platform,
            pad,
            {"regisseur": {"soort": "inwoner"}, "reden": "zelfredzaam"},
            token("wijkcoach", teams=["gm1916-ssp"]),
        )
    ).status_code == 404
    assert (
        await post(
            platform,
            pad,
            {"regisseur": {"soort": "inwoner"}, "reden": "zelfredzaam"},
            token("consulent", teams=[CONSULENTEN]),
        )
    ).status_code == 403
    assert velden(
        await post(
            platform,
            pad,
            {"regisseur": {"soort": "professional", "team_id": "bestaat-niet"}, "reden": "werkverdeling"},
            eigen_team,
        )
    ) == {"regisseur.team_id"}
    assert velden(
        await post(platform, pad, {"regisseur": {"soort": "inwoner"}, "reden": "vrije tekst"}, eigen_team)
    ) == {"reden"}

    r = await post(platform, pad, {"regisseur": {"soort": "inwoner"}, "reden": "zelfredzaam"}, eigen_team)
    assert r.status_code == 200, r.text
    assert r.json()["regisseur"] == {"soort": "inwoner", "team_id": LEIDSCHENDAM, "medewerker_id": None}
    r = await post(
        platform,
        pad,
        {
            "regisseur": {"soort": "professional", "team_id": LOKALE_KAMER, "medewerker_id": "an.de.vries"},
            "reden": "andere_expertise",
        },
        eigen_team,
    )
    assert r.status_code == 200, r.text

    toegewezen = await wacht_tot(
        lambda: (
            len(van(bus_opname, "toegang.plannen.regisseur-toegewezen.", hid)) == 3
            and van(bus_opname, "toegang.plannen.regisseur-toegewezen.", hid)
        )
    )
    assert [t["reden"] for t in toegewezen] == ["eerste doorverwijzing", "zelfredzaam", "andere_expertise"]
    assert toegewezen[-1]["regisseur"] == {
        "soort": "professional",
        "team_id": LOKALE_KAMER,
        "medewerker_id": "an.de.vries",
    }
    # The regisseur's open work moved to the Lokale Kamer; the old team no longer sees it, nor edits.
    nieuw = (await get(platform, "/v1/werkvoorraad", token("lokale_kamer", teams=[LOKALE_KAMER]))).json()
    assert {w["soort"] for w in nieuw["werkvoorraad"] if w["huishouden_id"] == hid} == {"doorverwijzing", "evaluatie"}
    oud = (await get(platform, "/v1/werkvoorraad", eigen_team)).json()
    assert not [w for w in oud["werkvoorraad"] if w["huishouden_id"] == hid]
    assert (
        await post(platform, pad, {"regisseur": {"soort": "netwerk"}, "reden": "netwerk_neemt_regie"}, eigen_team)
    ).status_code == 404


async def test_multiprobleemhuishouden_gaat_naar_de_lokale_kamer_en_blijft_daar(
    platform, token, nats_server, bus_opname
):
    h = await plan_voor(platform, token, nats_server)
    plan_id, hid = h["plan"]["plan_id"], h["huishouden_id"]
    doelen = [{"levensgebied": g, "zrm_nu": 2, "zrm_doel": 4} for g in ("financien", "huisvesting", "sociaal_netwerk")]
    r = await post(
        platform,
        f"/v1/plannen/{plan_id}/versies",
        {"doelen": doelen, "evaluatie_op": str(vandaag() + timedelta(weeks=6))},
        token("wijkcoach", teams=[LEIDSCHENDAM]),
    )
    assert r.status_code == 201, r.text
    assert r.json()["regie_overgedragen"] and r.json()["regisseur"]["team_id"] == LOKALE_KAMER
    toegewezen = await wacht_tot(
        lambda: (
            len(van(bus_opname, "toegang.plannen.regisseur-toegewezen.", hid)) == 2
            and van(bus_opname, "toegang.plannen.regisseur-toegewezen.", hid)
        )
    )
    assert toegewezen[-1]["reden"] == "multiprobleem"
    r = await post(
        platform,
        f"/v1/plannen/{plan_id}/regisseur",
        {"regisseur": {"soort": "inwoner"}, "reden": "zelfredzaam"},
        token("lokale_kamer"),
    )
    assert velden(r) == {"regisseur"}


# --- plan versions -----------------------------------------------------------------------------------------


async def test_planversies_uit_de_catalogus_met_evaluatiedatum_en_maatwerk_pas_actief_met_beschikking(
    platform, token, nats_server, bus_opname
):
    h = await plan_voor(platform, token, nats_server)
    plan_id, hid = h["plan"]["plan_id"], h["huishouden_id"]
    pad, team = f"/v1/plannen/{plan_id}/versies", token("wijkcoach", teams=[LEIDSCHENDAM])
    evaluatie = str(vandaag() + timedelta(weeks=10))
    body = {
        "doelen": [{"levensgebied": "lichamelijke_gezondheid", "zrm_nu": 3, "zrm_doel": 4}],
        "voorzieningen": [
            {"code": "mantelzorg"},
            {"code": "maaltijdservice"},
            {"code": "regiotaxi"},
            {"code": "huishoudelijke-ondersteuning", "omvang": OMVANG},
        ],
        "mantelzorg": {"aanwezig": True, "uren_per_week": 8, "belastbaarheid": "beperkt"},
        "gebruikelijke_zorg": {"van_toepassing": True, "uren_per_week": 3},
        "evaluatie_op": evaluatie,
    }

    assert velden(await post(platform, pad, {**body, "evaluatie_op": None}, team)) == {"evaluatie_op"}
    assert velden(await post(platform, pad, {k: v for k, v in body.items() if k != "evaluatie_op"}, team)) == {
        "evaluatie_op"
    }
    assert velden(await post(platform, pad, {**body, "voorzieningen": [{"code": "astrologie"}]}, team)) == {
        "voorzieningen.0.code"
    }
    assert velden(
        await post(
            platform,
            pad,
            {
                **body,
                "voorzieningen": [{"code": "amw", "omvang": {"volume": -1, "eenheid": "jaar", "frequentie": "week"}}],
            },
            team,
        )
    ) == {"voorzieningen.0.omvang.volume", "voorzieningen.0.omvang.eenheid"}
    actief = {**body, "voorzieningen": [{"code": "huishoudelijke-ondersteuning", "omvang": OMVANG, "status": "actief"}]}
    assert velden(await post(platform, pad, actief, team)) == {"voorzieningen.0.status"}

    r = await post(platform, pad, body, team)
    assert r.status_code == 201, r.text
    assert r.json()["versie"] == 2
    opgesteld = await wacht_tot(
        lambda: (
            len(van(bus_opname, "toegang.plannen.opgesteld.", hid)) == 2
            and van(bus_opname, "toegang.plannen.opgesteld.", hid)
        )
    )
    assert opgesteld[-1]["versie"] == 2 and opgesteld[-1]["evaluatie_op"] == evaluatie
    assert [(v["code"], v["soort"], v["wet"]) for v in opgesteld[-1]["voorzieningen"]] == [
        ("mantelzorg", "informeel", None),
        ("maaltijdservice", "algemeen", None),
        ("regiotaxi", "collectief", "wmo"),
        ("huishoudelijke-ondersteuning", "maatwerk", "wmo"),
    ]
    assert opgesteld[-1]["voorzieningen"][3]["omvang"] == {"volume": 4.0, "eenheid": "uur", "frequentie": "week"}
    na = await huishouden(platform, token, hid)
    assert na["plan"]["versie"] == 2 and na["plan"]["mantelzorg"]["belastbaarheid"] == "beperkt"
    assert [t["termijn_tot"][:10] for t in na["open_termijnen"] if t["soort"] == "evaluatie"] == [evaluatie]
    assert [t["details"]["versie"] for t in na["tijdlijn"] if t["soort"] == "plan-opgesteld"] == [2]

    # With a beschikking the maatwerk item may become active.
    b = await post(
        platform,
        f"/v1/plannen/{plan_id}/beschikkingen",
        {"voorzieningen": [{"code": "huishoudelijke-ondersteuning", "omvang": OMVANG}], "ingangsdatum": str(vandaag())},
        token("consulent"),
    )
    assert b.status_code == 201, b.text
    r = await post(platform, pad, actief, team)
    assert r.status_code == 201 and r.json()["versie"] == 3


# --- aanvragen and beschikkingen ---------------------------------------------------------------------------


async def test_beschikking_alleen_door_een_consulent_en_zij_haalt_de_termijn_van_de_aanvraag(
    platform, token, nats_server, bus_opname
):
    h = await plan_voor(platform, token, nats_server)
    plan_id, hid = h["plan"]["plan_id"], h["huishouden_id"]
    ontvangen = datetime(2026, 11, 13, 15, 0, tzinfo=UTC)  # a Friday: due Friday 27 November
    r = await post(
        platform,
        f"/v1/plannen/{plan_id}/aanvragen",
        {"voorzieningen": ["begeleiding-individueel"], "ontvangen_op": ontvangen.isoformat()},
        token("wijkcoach", teams=[LEIDSCHENDAM]),
    )
    assert r.status_code == 201, r.text
    aanvraag = r.json()
    assert aanvraag["termijn_grondslag"] == "wmo-beschikking-2-weken" and aanvraag["team_id"] == CONSULENTEN
    assert aanvraag["termijn_tot"].startswith("2026-11-27T23:59:59")
    werk = (await get(platform, "/v1/werkvoorraad", token("consulent", teams=[CONSULENTEN]))).json()["werkvoorraad"]
    assert [w["soort"] for w in werk if w["bron_id"] == aanvraag["aanvraag_id"]] == ["beschikking"]
    assert velden(
        await post(
            platform, f"/v1/plannen/{plan_id}/aanvragen", {"voorzieningen": ["amw", "geen-code"]}, token("lokale_kamer")
        )
    ) == {"voorzieningen.0", "voorzieningen.1"}

    pad = f"/v1/plannen/{plan_id}/beschikkingen"
    body = {
        "aanvraag_id": aanvraag["aanvraag_id"],
        "ingangsdatum": "2026-12-01",
        "einddatum": "2027-11-30",
        "voorzieningen": [{"code": "begeleiding-individueel", "productcode": "02A01", "omvang": OMVANG}],
    }
    for rol, teams in [
        ("wijkcoach", [LEIDSCHENDAM]),
        ("lokale_kamer", [LOKALE_KAMER]),
        ("beheer", []),
        ("meldpunt", []),
        ("inwoner", []),
    ]:
        assert (await post(platform, pad, body, token(rol, teams=teams))).status_code == 403, rol
    assert (
        await post(platform, pad, body, token("partner", gemeente=None, partner_id="gm1916-vidomes"))
    ).status_code == 403
    assert (await post(platform, pad, body, token("consulent", gemeente="GM0637"))).status_code == 404
    assert velden(
        await post(
            platform,
            pad,
            {**body, "voorzieningen": [{"code": "amw", "omvang": OMVANG}], "einddatum": "2026-01-01"},
            token("consulent"),
        )
    ) == {"voorzieningen.0.code", "einddatum"}

    r = await post(platform, pad, body, token("consulent"))
    assert r.status_code == 201, r.text
    beschikking = r.json()
    assert beschikking["aanvragen_beschikt"] == [aanvraag["aanvraag_id"]]
    na = await huishouden(platform, token, hid)
    assert not [t for t in na["open_termijnen"] if t["soort"] == "beschikking"]  # met
    assert [a["status"] for a in na["aanvragen"]] == ["beschikt"]

    # Scaling up during the term: a new version with its reason; before the start it is refused.
    wijziging = {
        "voorzieningen": [
            {"code": "begeleiding-individueel", "productcode": "02A01", "omvang": {**OMVANG, "volume": 6}}
        ],
        "ingangsdatum": "2027-03-01",
        "einddatum": "2027-11-30",
        "reden_wijziging": "opschaling",
    }
    wpad = f"{pad}/{beschikking['beschikking_id']}/wijzigingen"
    assert (await post(platform, wpad, wijziging, token("wijkcoach", teams=[LEIDSCHENDAM]))).status_code == 403
    assert velden(await post(platform, wpad, {**wijziging, "ingangsdatum": "2026-11-01"}, token("consulent"))) == {
        "ingangsdatum"
    }
    r = await post(platform, wpad, wijziging, token("consulent"))
    assert r.status_code == 201 and r.json()["versie"] == 2

    afgegeven = await wacht_tot(
        lambda: (
            len(van(bus_opname, "toegang.plannen.beschikking-afgegeven.", hid)) == 2
            and van(bus_opname, "toegang.plannen.beschikking-afgegeven.", hid)
        )
    )
    assert [(a["versie"], a["reden_wijziging"]) for a in afgegeven] == [(1, None), (2, "opschaling")]
    assert afgegeven[0]["voorzieningen"] == [
        {
            "code": "begeleiding-individueel",
            "wet": "wmo",
            "productcode": "02A01",
            "omvang": {"volume": 4.0, "eenheid": "uur", "frequentie": "week"},
            "leveringsvorm": "zin",  # by default
            "eigen_bijdrage": True,  # Wmo maatwerk, by default
        }
    ]
    assert afgegeven[1]["voorzieningen"][0]["omvang"]["volume"] == 6.0
    assert (afgegeven[0]["ingangsdatum"], afgegeven[0]["einddatum"]) == ("2026-12-01", "2027-11-30")


# --- working the case, closing, waakvlam ------------------------------------------------------------------


async def test_contact_warme_overdracht_evaluatie_en_afsluiten_met_waakvlam(
    platform, token, nats_server, bus_opname, database_url
):
    h = await plan_voor(platform, token, nats_server)
    plan_id, hid = h["plan"]["plan_id"], h["huishouden_id"]
    team = token("wijkcoach", teams=[LEIDSCHENDAM])
    basis = f"/v1/plannen/{plan_id}"

    niet = await post(
        platform,
        f"{basis}/contactpogingen",
        {"soort": "telefoon", "bereikt": False, "datum": str(vandaag()), "dagdeel": "ochtend"},
        team,
    )
    assert niet.status_code == 201 and niet.json()["termijnen_gehaald"] == 0
    assert velden(
        await post(
            platform,
            f"{basis}/contactpogingen",
            {"soort": "duif", "bereikt": True, "datum": "morgen", "dagdeel": "nacht"},
            team,
        )
    ) == {"soort", "datum", "dagdeel"}
    wel = await post(
        platform,
        f"{basis}/contactpogingen",
        {"soort": "huisbezoek", "bereikt": True, "datum": str(vandaag()), "dagdeel": "middag"},
        team,
    )
    assert wel.status_code == 201 and wel.json()["termijnen_gehaald"] == 1  # the doorverwijzing's outreach

    r = await post(
        platform,
        f"{basis}/doorverwijzingen",
        {"voorziening": "schuldhulpverlening", "aanbieder_id": "gm1916-humanitas-thuisadministratie"},
        team,
    )
    assert r.status_code == 201, r.text
    overdracht = r.json()
    assert velden(
        await post(
            platform, f"{basis}/doorverwijzingen", {"voorziening": "x", "aanbieder_id": "a", "termijn": "nooit"}, team
        )
    ) == {"aanbieder_id", "voorziening", "termijn"}  # "a" is on nobody's sociale kaart
    uit = await wacht_tot(
        lambda: [
            e
            for e in van(bus_opname, "toegang.doorverwijzingen.gedaan.", hid)
            if e["doorverwijzing_id"] == overdracht["doorverwijzing_id"]
        ]
    )
    assert uit[0]["bron_soort"] == "plan" and uit[0]["bron_id"] == plan_id
    assert (
        uit[0]["team_id"] == "gm1916-humanitas-thuisadministratie"
        and uit[0]["bestaande_regisseur"]["team_id"] == LEIDSCHENDAM
    )

    volgende = str(vandaag() + timedelta(weeks=8))
    r = await post(
        platform,
        f"{basis}/evaluaties",
        {"datum": str(vandaag()), "uitkomst": "deels_bereikt", "volgende_evaluatie_op": volgende},
        team,
    )
    assert r.status_code == 201, r.text
    # The handover came back to arrangement's own consumer, and what arrangement published since is recorded.
    [terug] = [
        e["id"]
        for e in bus_opname.events("toegang.doorverwijzingen.gedaan.")
        if e["data"]["doorverwijzing_id"] == overdracht["doorverwijzing_id"]
    ]
    await wacht_tot_verwerkt(database_url, "arrangement-doorverwijzingen", terug)
    await wacht_tot_uitgestuurd(database_url, "arrangement")
    await wacht_tot_opgenomen(nats_server.url, bus_opname)
    na = await huishouden(platform, token, hid)
    assert [t["termijn_tot"][:10] for t in na["open_termijnen"] if t["soort"] == "evaluatie"] == [volgende]
    assert not [t for t in na["open_termijnen"] if t["soort"] == "doorverwijzing"]
    assert [t["soort"] for t in na["tijdlijn"]] == [
        "doorverwijzing",
        "contactpoging",
        "contactpoging",
        "warme-overdracht",
        "evaluatie",
    ]
    assert len(van(bus_opname, "toegang.plannen.doorverwijzing-aanvaard.", hid)) == 1  # not taken in again
    assert not [
        b
        for b in bus_opname.events("toegang.dlq.")
        if b.get("event", {})
        and b["event"].get("id")
        in {e["id"] for e in bus_opname.events("toegang.doorverwijzingen.gedaan.") if e["data"]["huishouden_id"] == hid}
    ]

    controle = vandaag() + timedelta(weeks=4)
    r = await post(
        platform,
        f"{basis}/afsluiten",
        {"resultaat": "doelen_bereikt", "waakvlam": {"controle_op": str(controle), "interval_weken": 12}},
        team,
    )
    assert r.status_code == 200, r.text
    in_beeld = await huishouden(platform, token, hid)
    assert in_beeld["plan"]["status"] == "waakvlam" and in_beeld["waakvlam"]["controle_op"] == str(controle)
    assert [(t["soort"], t["termijn_tot"][:10]) for t in in_beeld["open_termijnen"]] == [("waakvlam", str(controle))]
    assert (await post(platform, f"{basis}/versies", {"evaluatie_op": volgende}, team)).status_code == 409
    # The waakvlam check: reached, so the next one is 12 weeks on.
    r = await post(
        platform,
        f"{basis}/contactpogingen",
        {"soort": "telefoon", "bereikt": True, "datum": str(vandaag()), "dagdeel": "avond"},
        team,
    )
    assert r.status_code == 201, r.text
    werk = (await get(platform, "/v1/werkvoorraad", team)).json()["werkvoorraad"]
    assert [(w["soort"], w["termijn_tot"][:10]) for w in werk if w["huishouden_id"] == hid] == [
        ("waakvlam", str(vandaag() + timedelta(weeks=12)))
    ]
    afgesloten = await wacht_tot(lambda: van(bus_opname, "toegang.plannen.afgesloten.", hid))
    assert afgesloten[0]["waakvlam_op"] == str(controle)


# --- termijnbewaking ---------------------------------------------------------------------------------------

INTERVAL = "TOEGANG_TERMIJNBEWAKING_INTERVAL_S"


async def _herstart(platform, *namen: str) -> None:
    def doe():
        for naam in namen:
            platform.stop_service(naam)
        for naam in namen:
            basis, _, replica = naam.partition("-")
            platform.start_service(basis, int(replica or 0))
        platform.wacht_tot_gezond(60, namen=list(namen))

    await asyncio.to_thread(doe)


async def _herstart_met_eigen_ritme(platform) -> None:
    """Both replicas watch often, each at its own interval: were the intervals equal, the replica that
    happened to start a few ms later would always look just after the other and never find a deadline
    first. With 0.2 and 0.13 s their turns drift against each other, so each gets its beurt."""
    for naam, interval in (("arrangement", "0.2"), ("arrangement-1", "0.13")):
        platform.omgeving[INTERVAL] = interval
        await _herstart(platform, naam)


async def test_termijn_verstreken_precies_eenmaal_met_twee_replicas_en_over_herstarts(
    platform, token, nats_server, bus_opname, database_url
):
    oud = platform.omgeving.get(INTERVAL)
    try:
        await _herstart_met_eigen_ritme(platform)
        nu = datetime.now(UTC)
        events = [doorverwijzing(nieuw_huishouden(), termijn_tot=nu - timedelta(hours=i + 1)) for i in range(6)]
        events += [doorverwijzing(nieuw_huishouden(), termijn_tot=nu + timedelta(seconds=3)) for _ in range(2)]
        await publiceer(nats_server, *events)
        bronnen = {str(e.data.bron_id) for e in events}

        def verstreken() -> list[dict]:
            return [
                e["data"]
                for e in bus_opname.events("toegang.plannen.termijn-verstreken.")
                if e["data"]["bron_id"] in bronnen
            ]

        await wacht_tot(lambda: {v["bron_id"] for v in verstreken()} == bronnen, timeout=20)

        async def beurt_van_beide_replicas() -> None:
            """Deadlines due now, one at a time, until each replica has announced one (its log says so): each
            ran a turn after all before, and a turn that announces twice would have done so then. Then all
            that was announced is recorded."""
            logs = [platform.log_map / f"{naam}.log" for naam in ("arrangement", "arrangement-1")]
            begin = [log.stat().st_size for log in logs]

            def aankondigingen() -> list[int]:  # per replica: its "termijnen verstreken" lines since `begin`
                return [log.read_bytes()[b:].count(b"termijnen verstreken") for log, b in zip(logs, begin, strict=True)]

            def aangekondigd(bron_id: str, aantal: int) -> bool:
                return sum(aankondigingen()) >= aantal and any(
                    e["data"]["bron_id"] == bron_id for e in bus_opname.events("toegang.plannen.termijn-verstreken.")
                )

            for i in range(1, 21):
                baken = doorverwijzing(nieuw_huishouden(), termijn_tot=datetime.now(UTC))
                await publiceer(nats_server, baken)
                await wacht_tot(partial(aangekondigd, str(baken.data.bron_id), i), timeout=20)
                if all(aankondigingen()):
                    break
            else:
                raise AssertionError(f"'termijnen verstreken' per replica in de logs: {aankondigingen()}")
            await wacht_tot_uitgestuurd(database_url, "arrangement")
            await wacht_tot_opgenomen(nats_server.url, bus_opname)

        await beurt_van_beide_replicas()
        assert sorted(v["bron_id"] for v in verstreken()) == sorted(bronnen)
        assert {v["termijn_grondslag"] for v in verstreken()} == {"outreach-2-werkdagen"}
        assert all(v["plan_id"] and v["team_id"] == LEIDSCHENDAM for v in verstreken())

        await _herstart_met_eigen_ritme(platform)
        await beurt_van_beide_replicas()
        assert len(verstreken()) == len(bronnen)
        # Announced, yet still open work: marked verstreken in the household and the werkvoorraad.
        h = await huishouden(platform, token, events[0].data.huishouden_id)
        assert [t["verstreken"] for t in h["open_termijnen"] if t["soort"] == "doorverwijzing"] == [True]
    finally:
        await asyncio.to_thread(platform.stop_service, "arrangement-1")
        platform.services.pop("arrangement-1", None)  # other tests walk platform.urls
        if oud is None:
            platform.omgeving.pop(INTERVAL, None)
        else:
            platform.omgeving[INTERVAL] = oud
        await _herstart(platform, "arrangement")


# --- werkvoorraad and the processing log -----------------------------------------------------------------


async def test_werkvoorraad_eerstvolgende_termijn_eerst_en_alleen_van_de_eigen_teams(platform, token, nats_server):
    team = f"test-team-{uuid.uuid4().hex[:8]}"
    nu = datetime.now(UTC)
    uren = [30, 5, 70, 12]
    events = [doorverwijzing(nieuw_huishouden(), team_id=team, termijn_tot=nu + timedelta(hours=u)) for u in uren]
    await publiceer(nats_server, *events)

    async def werk(headers):
        return [
            w
            for w in (await get(platform, "/v1/werkvoorraad", headers)).json()["werkvoorraad"]
            if w["team_id"] == team and w["soort"] == "doorverwijzing"
        ]

    eigen = await wacht_tot(lambda: _lengte(werk(token("wijkcoach", teams=[team])), 4))
    verwacht = [str(events[i].data.bron_id) for i in sorted(range(4), key=lambda i: uren[i])]
    assert [w["bron_id"] for w in eigen] == verwacht
    alles = await get(platform, "/v1/werkvoorraad", token("wijkcoach", teams=[team]))
    tijden = [w["termijn_tot"] for w in alles.json()["werkvoorraad"]]
    assert tijden == sorted(tijden, key=datetime.fromisoformat)  # the evaluation dates come after
    assert await werk(token("wijkcoach", teams=["gm1916-ssp"])) == []
    assert await werk(token("wijkcoach", gemeente="GM0637", teams=[team])) == []
    assert (
        await get(platform, "/v1/werkvoorraad", token("partner", gemeente=None, partner_id="gm1916-vidomes"))
    ).status_code == 403
    async with httpx.AsyncClient() as http:
        assert (await http.get(url(platform, "arrangement", "/v1/werkvoorraad"))).status_code == 401


async def _lengte(waarde, n):
    lijst = await waarde
    return lijst if len(lijst) == n else None


async def test_elke_inzage_van_een_huishouden_staat_in_het_verwerkingslog(platform, token, nats_server, database_url):
    h = await plan_voor(platform, token, nats_server)
    hid = h["huishouden_id"]
    anders = await get(platform, f"/v1/huishoudens/{hid}", token("wijkcoach", teams=["gm1916-ssp"]))
    elders = await get(platform, f"/v1/huishoudens/{hid}", token("beheer", gemeente="GM0637"))
    assert anders.status_code == 404 and elders.status_code == 404
    for headers in (token("wijkcoach", teams=[LEIDSCHENDAM]), token("consulent")):
        assert (await get(platform, f"/v1/huishoudens/{hid}", headers)).status_code == 200
    engine = maak_engine(database_url)
    try:
        async with engine.connect() as conn:
            rijen = (
                (
                    await conn.execute(
                        text("SELECT * FROM arrangement.verwerkingslog WHERE betrokkene = :h ORDER BY id"), {"h": hid}
                    )
                )
                .mappings()
                .all()
            )
    finally:
        await engine.dispose()
    actoren = [r["actor"].split(":")[0] for r in rijen]
    # The polls of plan_voor (beheer) and the two reads; the refused reads are not reads.
    assert actoren[-2:] == ["wijkcoach", "consulent"] and set(actoren) == {"beheer", "wijkcoach", "consulent"}
    assert all(r["verwerkingsactiviteit"] == "huishouden inzien" for r in rijen)
    assert len(rijen[-1]["trace_id"]) == 32


async def test_onzin_geeft_422_of_404_nooit_500(platform, token):
    team = token("beheer")
    onbekend = uuid.uuid4()
    for pad, body in [
        ("versies", {"evaluatie_op": "gisteren"}),
        ("regisseur", {"regisseur": "jan"}),
        ("evaluaties", {}),
        ("contactpogingen", {"bereikt": "misschien"}),
        ("doorverwijzingen", []),
        ("afsluiten", {"resultaat": "weg"}),
        ("aanvragen", {}),
    ]:
        r = await post(platform, f"/v1/plannen/{onbekend}/{pad}", body, team)
        assert r.status_code == 422, (pad, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    r = await post(
        platform,
        f"/v1/plannen/{onbekend}/evaluaties",
        {"datum": str(vandaag()), "uitkomst": "bijstellen", "volgende_evaluatie_op": str(vandaag())},
        team,
    )
    assert r.status_code == 404
    assert (await post(platform, "/v1/plannen/geen-uuid/versies", {}, team)).status_code == 422
