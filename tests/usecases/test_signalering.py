"""Signalering's use cases against PostgreSQL: taking signals in (one, a batch, over NATS), matching per
household, the casus's life cycle (picked up, closed, worked on), and what a partner may see of it.

Every test has its own household: an address with a toevoeging of its own, a BSN of its own."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from services.signalering import api, handlers, usecases
from services.signalering.domain import Beoordeling, CasusStatus
from services.signalering.schemas import SignaalInvoer
from shared.auth import Gebruiker, Rol, TokenVerifier, maak_token
from shared.bus import OngeldigBericht
from shared.events import (
    EVENT_TYPES,
    Data,
    DoorverwijzingAanvaard,
    SignaalAfgehandeld,
    SignaalDoorgezet,
    SignaalOntvangen,
    maak_event,
)
from shared.http import installeer_foutafhandeling
from shared.invoer import Contactpoging
from shared.levenscyclus import OngeldigeOvergang
from shared.weigeringen import NietGevonden, OngeldigeInvoer
from tests.support.gegevens import geldig_bsn

BEHEER = Gebruiker(sub="beheer-1", rol=Rol.beheer, gemeente="GM1916")
VIDOMES, ENECO, DUNEA = "gm1916-vidomes", "gm1916-eneco", "gm1916-dunea"
SOORT = {VIDOMES: "huurachterstand", ENECO: "energieachterstand", DUNEA: "waterachterstand"}


@pytest.fixture
def ctx(context):
    return context("signalering")


@pytest.fixture
def huishouden() -> dict:
    """An address no other test uses (the toevoeging), and a person of its own."""
    return {
        "bsn": geldig_bsn(),
        "adres": {"postcode": "2264 AB", "huisnummer": random.randint(1, 99999), "toevoeging": uuid.uuid4().hex[:6]},
    }


def signaal(partner_id: str, betreft: dict, **over) -> dict:
    body = {
        "partner_signaal_id": str(uuid.uuid4()),
        "soort": SOORT[partner_id],
        "betreft": betreft,
        "bedrag_achterstand_cent": 150_000,  # above every threshold
        "achterstand_sinds": "2026-06-01",
    }
    return body | over


async def neem(ctx, partner_id: str, body: dict, nu: datetime | None = None) -> usecases.Antwoord:
    afzender = ctx.gemeenten.partner(partner_id)
    invoer = SignaalInvoer.model_validate(body)
    return await usecases.neem_signaal_op(
        ctx.uows, invoer, afzender, nu or datetime.now(UTC), usecases.Middelen.van(ctx)
    )


async def events(engine, soort: type[Data], **data) -> list[dict]:
    """The data of signalering's outbox events of this type whose data has these values."""
    async with engine.connect() as conn:
        payloads = (await conn.execute(text("SELECT payload FROM signalering.outbox ORDER BY id"))).scalars()
        alle = [json.loads(p) for p in payloads]
    return [
        e["data"]
        for e in alle
        if e["type"] == EVENT_TYPES[soort].type and all(e["data"].get(k) == str(v) for k, v in data.items())
    ]


async def aantallen(engine) -> tuple[int, int]:
    async with engine.connect() as conn:
        outbox = (await conn.execute(text("SELECT count(*) FROM signalering.outbox"))).scalar_one()
        signalen = (await conn.execute(text("SELECT count(*) FROM signalering.signalen"))).scalar_one()
    return outbox, signalen


async def lees(ctx, casus_id, gebruiker: Gebruiker = BEHEER):
    async with ctx.uows() as uow:
        return await usecases.lees_casus(uow, gebruiker, casus_id)


async def sluit_af(ctx, casus_id, resultaat: str = "hulp_gestart") -> CasusStatus:
    async with ctx.uows() as uow:
        status = await usecases.sluit_casus_af(uow, BEHEER, casus_id, resultaat, datetime.now(UTC))
        await uow.commit()
    return status


async def aanvaard(ctx, casus_id, team_id: str, bron_soort: str = "signaalcasus") -> None:
    """Through the handler table, as the bus calls it (the bus commits)."""
    data = DoorverwijzingAanvaard(
        doorverwijzing_id=uuid.uuid4(),
        bron_id=casus_id,
        bron_soort=bron_soort,
        plan_id=uuid.uuid4(),
        huishouden_id="ab" * 32,
        team_id=team_id,
        nieuw_plan=True,
        aanvaard_op=datetime.now(UTC),
    )
    event = maak_event(data, service="arrangement", gemeente="GM1916", subject=str(casus_id), correlatieid="c")
    async with ctx.uows() as uow:
        await handlers.handlers(ctx)[DoorverwijzingAanvaard](event, uow)
        await uow.commit()


async def test_een_signaal_boven_de_drempel_opent_een_doorgezette_casus(ctx, engine, huishouden):
    antwoord = await neem(ctx, VIDOMES, signaal(VIDOMES, huishouden))
    assert antwoord.beoordeling == Beoordeling.nieuw and antwoord.casus_id is not None
    casus = await lees(ctx, antwoord.casus_id)
    assert casus.status == CasusStatus.doorgezet and casus.reden == "nieuw_signaal"
    assert [s.signaal_id for s in casus.signalen] == [antwoord.signaal_id]
    ontvangen = await events(engine, SignaalOntvangen, signaal_id=antwoord.signaal_id)
    assert [(o["beoordeling"], o["casus_id"]) for o in ontvangen] == [("nieuw", str(antwoord.casus_id))]
    doorgezet = await events(engine, SignaalDoorgezet, casus_id=antwoord.casus_id)
    assert len(doorgezet) == 1 and doorgezet[0]["reden"] == "nieuw_signaal"
    assert [s["signaal_id"] for s in doorgezet[0]["signalen"]] == [str(antwoord.signaal_id)]


async def test_een_tweede_partner_escaleert_een_open_casus_eenmaal(ctx, engine, huishouden):
    eerste = await neem(ctx, VIDOMES, signaal(VIDOMES, huishouden, bedrag_achterstand_cent=10_000))
    assert eerste.beoordeling == Beoordeling.onder_drempel
    assert (await lees(ctx, eerste.casus_id)).status == CasusStatus.open
    assert await events(engine, SignaalDoorgezet, casus_id=eerste.casus_id) == []

    tweede = await neem(ctx, ENECO, signaal(ENECO, huishouden, bedrag_achterstand_cent=5_000))
    derde = await neem(ctx, DUNEA, signaal(DUNEA, huishouden))
    assert tweede.casus_id == derde.casus_id == eerste.casus_id
    doorgezet = await events(engine, SignaalDoorgezet, casus_id=eerste.casus_id)
    assert len(doorgezet) == 1 and doorgezet[0]["reden"] == "meerdere_partners"
    assert {s["partner_type"] for s in doorgezet[0]["signalen"]} == {"woningcorporatie", "energieleverancier"}
    casus = await lees(ctx, eerste.casus_id)
    assert casus.status == CasusStatus.doorgezet and len(casus.signalen) == 3


async def test_een_herhaald_partner_signaal_id_geeft_het_eerste_antwoord_en_schrijft_niets(ctx, engine, huishouden):
    body = signaal(VIDOMES, huishouden)
    eerste = await neem(ctx, VIDOMES, body)
    voor = await aantallen(engine)
    herhaald = await neem(ctx, VIDOMES, body | {"bedrag_achterstand_cent": 900_000})
    assert herhaald == eerste
    assert await aantallen(engine) == voor


async def test_een_verlopen_open_casus_sluit_en_een_nieuw_signaal_opent_een_nieuwe(ctx, huishouden):
    eerste = await neem(ctx, VIDOMES, signaal(VIDOMES, huishouden, bedrag_achterstand_cent=10_000))
    later = datetime.now(UTC) + timedelta(days=91)  # past the koppelvenster of 90 days
    tweede = await neem(ctx, VIDOMES, signaal(VIDOMES, huishouden), nu=later)
    assert tweede.casus_id not in (None, eerste.casus_id)
    oud = await lees(ctx, eerste.casus_id)
    assert oud.status == CasusStatus.afgesloten and oud.afgesloten_op is not None
    assert (await lees(ctx, tweede.casus_id)).status == CasusStatus.doorgezet


async def test_aanvaarding_pakt_de_casus_op_en_een_late_verandert_niets(ctx, huishouden):
    antwoord = await neem(ctx, VIDOMES, signaal(VIDOMES, huishouden))
    await aanvaard(ctx, antwoord.casus_id, "team-x", bron_soort="melding")  # not a casus of ours
    assert (await lees(ctx, antwoord.casus_id)).status == CasusStatus.doorgezet

    await aanvaard(ctx, antwoord.casus_id, "team-x")
    casus = await lees(ctx, antwoord.casus_id)
    assert (casus.status, casus.team_id) == (CasusStatus.opgepakt, "team-x")
    wijkcoach = Gebruiker(sub="wc-1", rol=Rol.wijkcoach, gemeente="GM1916", teams=["team-x"])
    assert (await lees(ctx, antwoord.casus_id, wijkcoach)).casus_id == antwoord.casus_id
    with pytest.raises(NietGevonden):  # not his team
        await lees(ctx, antwoord.casus_id, wijkcoach.model_copy(update={"teams": ["team-y"]}))

    await sluit_af(ctx, antwoord.casus_id)
    await aanvaard(ctx, antwoord.casus_id, "team-y")  # late, or once more: the casus is closed
    casus = await lees(ctx, antwoord.casus_id)
    assert (casus.status, casus.team_id) == (CasusStatus.afgesloten, "team-x")


async def test_afsluiten_meldt_elke_partner_en_tweemaal_afsluiten_kan_niet(ctx, engine, huishouden):
    s1 = await neem(ctx, VIDOMES, signaal(VIDOMES, huishouden))
    s2 = await neem(ctx, ENECO, signaal(ENECO, huishouden))
    herhaald = await neem(ctx, VIDOMES, signaal(VIDOMES, huishouden))
    assert herhaald.beoordeling == Beoordeling.herhaalde_melding
    assert await sluit_af(ctx, s1.casus_id, "niet_bereikt") == CasusStatus.afgesloten
    casus = await lees(ctx, s1.casus_id)
    assert (casus.status, casus.resultaat) == (CasusStatus.afgesloten, "niet_bereikt")
    afgehandeld = {
        a["signaal_id"]: a["resultaat"]
        for s in (s1, s2, herhaald)
        for a in await events(engine, SignaalAfgehandeld, signaal_id=s.signaal_id)
    }
    assert afgehandeld == {
        str(s1.signaal_id): "afgehandeld",
        str(s2.signaal_id): "afgehandeld",
        str(herhaald.signaal_id): "geen_actie",
    }

    voor = await aantallen(engine)
    with pytest.raises(OngeldigeOvergang) as fout:
        await sluit_af(ctx, s1.casus_id, "hulp_gestart")
    assert (fout.value.van, fout.value.naar) == (CasusStatus.afgesloten, CasusStatus.afgesloten)
    assert await aantallen(engine) == voor
    assert (await lees(ctx, s1.casus_id)).resultaat == "niet_bereikt"


async def contactpogingen(engine, casus_id) -> int:
    async with engine.connect() as conn:
        return (
            await conn.execute(
                text("SELECT count(*) FROM signalering.contactpogingen WHERE casus_id = :c"), {"c": casus_id}
            )
        ).scalar_one()


async def test_contactpoging_op_een_lopende_casus_niet_in_de_toekomst_en_niet_op_een_gesloten(ctx, engine, huishouden):
    antwoord = await neem(ctx, VIDOMES, signaal(VIDOMES, huishouden))
    vandaag = date.today()

    async def leg_vast(datum: date, soort: str = "balie") -> None:
        poging = Contactpoging(soort=soort, bereikt=False, datum=datum, dagdeel="middag")
        async with ctx.uows() as uow:
            await usecases.leg_contactpoging_vast(uow, BEHEER, antwoord.casus_id, poging, vandaag)
            await uow.commit()

    await leg_vast(vandaag)  # balie: one of the kinds shared with the plan's contact attempts
    with pytest.raises(OngeldigeInvoer) as fout:
        await leg_vast(vandaag + timedelta(days=1))
    assert [pad for pad, _ in fout.value.fouten] == [("datum",)]
    await sluit_af(ctx, antwoord.casus_id)
    with pytest.raises(OngeldigeOvergang) as overgang:
        await leg_vast(vandaag)
    assert overgang.value.van == CasusStatus.afgesloten
    assert await contactpogingen(engine, antwoord.casus_id) == 1
    casus = await lees(ctx, antwoord.casus_id)  # the read shows the attempt, who made it, and the signal's amount
    assert [(p.soort, p.datum, p.dagdeel, p.door) for p in casus.contactpogingen] == [
        ("balie", vandaag, "middag", BEHEER.actor)
    ]
    assert [(s.bedrag_achterstand_cent, str(s.achterstand_sinds)) for s in casus.signalen] == [(150_000, "2026-06-01")]


async def test_een_batch_neemt_de_goede_en_weigert_de_foute_items_in_volgorde(ctx, engine, huishouden):
    eerste = signaal(VIDOMES, huishouden, bedrag_achterstand_cent=10_000)
    items = [
        eerste,
        {"soort": "huurachterstand"},
        signaal(VIDOMES, {**huishouden, "bsn": "123456789"}),
        eerste,  # a repeat inside the same batch
        signaal(VIDOMES, huishouden),  # a higher amount: escalates the casus the first item opened
    ]
    r = await usecases.neem_batch_op(
        ctx.uows, items, ctx.gemeenten.partner(VIDOMES), datetime.now(UTC), usecases.Middelen.van(ctx)
    )
    assert [x.antwoord is not None for x in r] == [True, False, False, True, True]
    assert r[0].antwoord.beoordeling == Beoordeling.onder_drempel
    assert r[1].partner_signaal_id is None and ("partner_signaal_id",) in {p for p, _ in r[1].fouten}
    assert r[2].partner_signaal_id == items[2]["partner_signaal_id"]
    assert {p for p, _ in r[2].fouten} == {("betreft", "bsn")}
    assert r[3].antwoord == r[0].antwoord
    assert r[4].antwoord.beoordeling == Beoordeling.nieuw and r[4].antwoord.casus_id == r[0].antwoord.casus_id
    doorgezet = await events(engine, SignaalDoorgezet, casus_id=r[0].antwoord.casus_id)
    assert [d["reden"] for d in doorgezet] == ["nieuw_signaal"]


async def test_een_partnerbericht_over_nats(ctx, huishouden):
    async def bericht(partner_id: str, body: bytes) -> usecases.Antwoord:
        return await usecases.neem_partnerbericht_op(
            ctx.uows, partner_id, body, datetime.now(UTC), usecases.Middelen.van(ctx)
        )

    goed = signaal(ENECO, huishouden)
    with pytest.raises(OngeldigBericht, match="onbekende partner"):
        await bericht("gm1916-niemand", json.dumps(goed).encode())
    with pytest.raises(OngeldigBericht, match="^ongeldig bericht:"):
        await bericht(ENECO, b"{geen json")
    with pytest.raises(OngeldigBericht, match="^ongeldig signaal: soort:") as fout:
        await bericht(ENECO, json.dumps(signaal(VIDOMES, huishouden)).encode())  # a soort eneco may not send
    assert huishouden["bsn"] not in str(fout.value)
    antwoord = await bericht(ENECO, json.dumps(goed).encode())
    async with ctx.uows() as uow:
        eigen = await usecases.lees_terugkoppeling(uow, ctx.gemeenten.partner(ENECO)[1], antwoord.signaal_id)
        assert eigen.status == "in_behandeling"
        with pytest.raises(NietGevonden):  # another partner's signal
            await usecases.lees_terugkoppeling(uow, ctx.gemeenten.partner(VIDOMES)[1], antwoord.signaal_id)


async def test_over_http_noemt_een_geweigerde_overgang_beide_statussen(ctx, huishouden):
    """The API layer without NATS: the routes, their use cases and shared/http.py's problem+json."""
    geheim = ctx.instellingen.jwt_secret.get_secret_value()
    app = FastAPI()
    app.state.ctx, app.state.tokens = ctx, TokenVerifier(geheim)
    installeer_foutafhandeling(app)
    app.include_router(api.router)

    def als(rol: str, **claims) -> dict:
        return {"Authorization": f"Bearer {maak_token(geheim, rol, 'GM1916', **claims)}"}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://signalering") as http:
        r = await http.post(
            "/v1/signalen", json=signaal(VIDOMES, huishouden), headers=als("partner", partner_id=VIDOMES)
        )
        assert r.status_code == 202, r.text
        casus = f"/v1/casussen/{r.json()['casus_id']}"
        assert (await http.get(casus, headers=als("beheer"))).json()["status"] == "doorgezet"
        dicht = await http.post(casus + "/afsluiten", json={"resultaat": "hulp_gestart"}, headers=als("beheer"))
        assert dicht.status_code == 200 and dicht.json()["status"] == "afgesloten"
        nogmaals = await http.post(casus + "/afsluiten", json={"resultaat": "hulp_gestart"}, headers=als("beheer"))
        poging = await http.post(
            casus + "/contactpogingen",
            json={"soort": "telefoon", "bereikt": True, "datum": str(date.today()), "dagdeel": "ochtend"},
            headers=als("beheer"),
        )
    for antwoord in (nogmaals, poging):
        assert antwoord.status_code == 409 and antwoord.headers["content-type"] == "application/problem+json"
        assert antwoord.json()["huidige_status"] == "afgesloten" and "gevraagde_status" in antwoord.json()
