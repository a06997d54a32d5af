"""Intake's use cases against PostgreSQL: registering, reading, the melder's view, and the status that
follows triage's and arrangement's events (also when they come late, twice or out of order)."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from opentelemetry import context as otel_context
from sqlalchemy import func, select, text

from services.intake import handlers, jobs, tables, usecases
from services.intake.schemas import MeldingInvoer
from shared.auth import Gebruiker, Rol
from shared.bundel import Bundel, Invoer, MetVooraf
from shared.bus import lees_voor, verwerker
from shared.events import (
    EVENT_TYPES,
    Data,
    DoorverwijzingAanvaard,
    DoorverwijzingGedaan,
    MeldingGeregistreerd,
    MeldingOpgepakt,
    PlanAfgesloten,
    maak_event,
)
from shared.topology import consumer, inbox_bewaartermijn
from shared.weigeringen import GeenToegang, NietGevonden, OngeldigeInvoer
from tests.support.gegevens import MELDER, geldig_bsn, melding

MELDPUNT = Gebruiker(sub="mp-1", rol=Rol.meldpunt, gemeente="GM1916")
HUISHOUDEN = "ab" * 32


@pytest.fixture
def ctx(context):
    return context("intake")


async def registreer(ctx, body: dict | None = None, gebruiker: Gebruiker = MELDPUNT, sleutel: str | None = None):
    body = body or melding(huisnummer=900, bsn=geldig_bsn())
    return await usecases.registreer_melding(
        ctx.uows,
        MeldingInvoer.model_validate(body),
        gebruiker,
        sleutel,
        gemeenten=ctx.gemeenten,
        kluis=ctx.extra["kluis"],
        pseudoniem_sleutel=ctx.extra["pseudoniem_sleutel"],
    )


async def outbox_events(engine, soort: type[Data], **data) -> list[dict]:
    """Intake's outbox events of this data type whose data has these values."""
    event_type = EVENT_TYPES[soort].type
    async with engine.connect() as conn:
        payloads = (await conn.execute(text("SELECT payload FROM intake.outbox ORDER BY id"))).scalars()
        events = [json.loads(p) for p in payloads]
    return [e for e in events if e["type"] == event_type and all(e["data"].get(k) == str(v) for k, v in data.items())]


async def tel(engine, tabel, **waarden) -> int:
    async with engine.connect() as conn:
        query = select(func.count()).select_from(tabel)
        for kolom, waarde in waarden.items():
            query = query.where(tabel.c[kolom] == waarde)
        return (await conn.execute(query)).scalar_one()


async def melding_rij(engine, melding_id):
    async with engine.connect() as conn:
        return (await conn.execute(select(tables.meldingen).where(tables.meldingen.c.melding_id == melding_id))).one()


async def historie(engine, melding_id) -> list[str]:
    h = tables.statushistorie
    async with engine.connect() as conn:
        query = select(h.c.status).where(h.c.melding_id == melding_id).order_by(h.c.id)
        return list((await conn.execute(query)).scalars())


async def pas_toe(ctx, data, gemeente: str = "GM1916", tijd: datetime | None = None):
    """Through the handler table, as the bus would (a fresh event id each time: a redelivery that the
    inbox does not catch); `tijd` is the event's time (the CloudEvent `time`)."""
    event = maak_event(data, service="test", gemeente=gemeente, subject="s", correlatieid="c")
    if tijd is not None:
        event = event.model_copy(update={"time": tijd})
    async with ctx.uows() as uow:
        await handlers.handlers(ctx)[type(data)](event, uow)
        await uow.commit()


async def in_een_bundel(ctx, durable_naam: str, handler, datas) -> None:
    """As the bus applies a fetched batch (shared/bundel.py): one shared transaction with the handler's
    batch preparation (MetVooraf); asserts that it did not fail and fall back to one event at a time."""
    assert isinstance(handler, MetVooraf)
    events = [maak_event(d, service="test", gemeente="GM1916", subject="s", correlatieid="c") for d in datas]
    durable = consumer(durable_naam)
    bundel = Bundel(
        durable, handler, ctx.uows, tables.inbox, None, lees_voor, verwerker(durable, handler, ctx.uows, tables.inbox)
    )
    uitkomsten = await bundel(
        [Invoer(e.nats_subject, e.model_dump_json().encode(), otel_context.get_current()) for e in events]
    )
    assert [u[1] for u in uitkomsten] == [True] * len(events)  # one shared transaction, nothing failed


def doorverwijzing(melding_id, team: str = "gm1916-lokale-kamer") -> DoorverwijzingGedaan:
    return DoorverwijzingGedaan(
        doorverwijzing_id=uuid.uuid4(),
        gemeente="GM1916",
        bron_id=melding_id,
        bron_soort="melding",
        huishouden_id=HUISHOUDEN,
        route="sociale_basis",
        team_id=team,
        urgentie="regulier",
        termijn_tot=datetime.now(UTC) + timedelta(days=5),
        termijn_grondslag="x",
        regel_id="r",
        toelichting="t",
    )


def aanvaarding(melding_id, plan_id, team: str = "gm1916-gebiedsteam-leidschendam") -> DoorverwijzingAanvaard:
    return DoorverwijzingAanvaard(
        doorverwijzing_id=uuid.uuid4(),
        bron_id=melding_id,
        bron_soort="melding",
        plan_id=plan_id,
        huishouden_id=HUISHOUDEN,
        team_id=team,
        nieuw_plan=True,
        aanvaard_op=datetime.now(UTC),
    )


def afsluiting(plan_id) -> PlanAfgesloten:
    return PlanAfgesloten(
        plan_id=plan_id, huishouden_id=HUISHOUDEN, afgesloten_op=datetime.now(UTC), resultaat="doelen_bereikt"
    )


async def test_een_melding_registreren_schrijft_rij_personen_eerste_status_en_een_event(ctx, engine):
    body = melding(huisnummer=901, bsn=geldig_bsn())
    body["betreft"]["personen"].append({"bsn": geldig_bsn(), "naam": "Kind Testkind", "geboortedatum": "2016-05-01"})
    r = await registreer(ctx, body)
    m = r.antwoord
    assert not r.herhaald and m.status == "geregistreerd" and m.terugkoppelcode

    rij = await melding_rij(engine, m.melding_id)
    assert (rij.gemeente, rij.status, rij.huishouden_id, rij.wijk) == (
        "GM1916",
        "geregistreerd",
        m.huishouden_id,
        m.wijk,
    )
    assert MELDER.encode() not in rij.persoonsgegevens  # stored encrypted
    assert rij.terugkoppelcode_sha256 and m.terugkoppelcode not in rij.terugkoppelcode_sha256
    assert await tel(engine, tables.melding_personen, melding_id=m.melding_id) == 2
    assert await historie(engine, m.melding_id) == ["geregistreerd"]
    [event] = await outbox_events(engine, MeldingGeregistreerd, melding_id=m.melding_id)
    assert event["subject"] == str(m.melding_id) and len(event["data"]["persoon_sleutels"]) == 2
    assert MELDER not in json.dumps(event)


async def test_dezelfde_idempotency_key_twee_keer_geeft_een_melding(ctx, engine):
    sleutel = str(uuid.uuid4())
    eerste = await registreer(ctx, sleutel=sleutel)
    tweede = await registreer(ctx, sleutel=sleutel)
    assert tweede.herhaald and not eerste.herhaald
    assert tweede.antwoord.melding_id == eerste.antwoord.melding_id
    assert tweede.antwoord.terugkoppelcode is None  # stored hashed only: a retry does not get it again
    geregistreerd = await outbox_events(engine, MeldingGeregistreerd, melding_id=eerste.antwoord.melding_id)
    assert len(geregistreerd) == 1

    # The key is the caller's own: another caller with the same key makes another melding.
    ander = await registreer(ctx, gebruiker=Gebruiker(sub="mp-2", rol=Rol.meldpunt, gemeente="GM1916"), sleutel=sleutel)
    assert not ander.herhaald and ander.antwoord.melding_id != eerste.antwoord.melding_id


async def test_dezelfde_idempotency_key_twee_keer_tegelijk_geeft_een_melding(ctx, engine):
    sleutel = str(uuid.uuid4())
    a, b = await asyncio.gather(registreer(ctx, sleutel=sleutel), registreer(ctx, sleutel=sleutel))
    assert a.antwoord.melding_id == b.antwoord.melding_id
    assert sorted([a.herhaald, b.herhaald]) == [False, True]
    assert len(await outbox_events(engine, MeldingGeregistreerd, melding_id=a.antwoord.melding_id)) == 1


async def test_een_medewerker_meldt_alleen_in_de_eigen_gemeente_een_inwoner_overal(ctx):
    with pytest.raises(GeenToegang):
        await registreer(ctx, gebruiker=Gebruiker(sub="mp-3", rol=Rol.meldpunt, gemeente="GM0637"))
    inwoner = await registreer(ctx, gebruiker=Gebruiker(sub="inw", rol=Rol.inwoner))
    assert inwoner.antwoord.status == "geregistreerd"


async def test_een_ongeldige_melding_schrijft_niets(ctx, engine):
    voor = await tel(engine, tables.meldingen)
    with pytest.raises(OngeldigeInvoer) as fout:
        await registreer(ctx, melding(huisnummer=902, zrm={"astrologie": 3}))
    assert [p for p, _ in fout.value.fouten] == [("zrm", "astrologie")]
    assert await tel(engine, tables.meldingen) == voor


async def test_lezen_schrijft_het_verwerkingslog_en_een_wijkcoach_ziet_alleen_wat_naar_zijn_team_ging(ctx, engine):
    m = (await registreer(ctx)).antwoord
    wijkcoach = Gebruiker(sub="wc", rol=Rol.wijkcoach, gemeente="GM1916", teams=["gm1916-lokale-kamer"])
    for niet_van_hem in (wijkcoach, Gebruiker(sub="x", rol=Rol.beheer, gemeente="GM0637")):
        async with ctx.uows() as uow:
            with pytest.raises(NietGevonden):
                await usecases.lees_melding(uow, ctx.extra["kluis"], niet_van_hem, m.melding_id)

    await pas_toe(ctx, doorverwijzing(m.melding_id, team="gm1916-lokale-kamer"))
    log_voor = await tel(engine, tables.verwerkingslog, actor=wijkcoach.actor)
    async with ctx.uows() as uow:
        gelezen = await usecases.lees_melding(uow, ctx.extra["kluis"], wijkcoach, m.melding_id)
        await uow.commit()
    assert gelezen["melder"]["naam"] == MELDER and gelezen["team_id"] == "gm1916-lokale-kamer"
    assert await tel(engine, tables.verwerkingslog, actor=wijkcoach.actor) == log_voor + 1  # one person


async def test_de_melder_ziet_de_status_met_zijn_code_en_anders_niets(ctx):
    m = (await registreer(ctx)).antwoord
    async with ctx.uows() as uow:
        status = await usecases.status_voor_melder(uow, None, m.terugkoppelcode, m.melding_id)
        for gebruiker, code in (
            (None, "geraden"),
            (None, None),
            (Gebruiker(sub="b", rol=Rol.beheer, gemeente="GM0637"), None),
        ):
            with pytest.raises(NietGevonden):
                await usecases.status_voor_melder(uow, gebruiker, code, m.melding_id)
    assert status["status"] == "geregistreerd" and [h["status"] for h in status["historie"]] == ["geregistreerd"]


async def test_een_late_doorverwijzing_na_opgepakt_laat_de_status_en_komt_in_de_historie(ctx, engine):
    """Triage's doorverwijzing-gedaan and arrangement's aanvaarding come over two streams: arrangement's may
    arrive first. The status, team and plan stay; the melder's history still shows the routing, at the time
    triage decided (before the aanvaarding), once."""
    m = (await registreer(ctx)).antwoord
    plan_id = uuid.uuid4()
    aanvaard = aanvaarding(m.melding_id, plan_id, team="gm1916-gebiedsteam-leidschendam")
    await pas_toe(ctx, aanvaard)
    ontvangen = (await melding_rij(engine, m.melding_id)).ontvangen_op
    besloten = ontvangen + (aanvaard.aanvaard_op - ontvangen) / 2  # triage decided between the two
    await pas_toe(ctx, doorverwijzing(m.melding_id, team="gm1916-lokale-kamer"), tijd=besloten)
    await pas_toe(ctx, doorverwijzing(m.melding_id, team="gm1916-lokale-kamer"), tijd=besloten)  # a second one
    rij = await melding_rij(engine, m.melding_id)
    assert (rij.status, rij.team_id, rij.plan_id) == ("opgepakt", "gm1916-gebiedsteam-leidschendam", plan_id)
    assert sorted(await historie(engine, m.melding_id)) == ["doorverwezen", "geregistreerd", "opgepakt"]
    async with ctx.uows() as uow:
        status = await usecases.status_voor_melder(uow, None, m.terugkoppelcode, m.melding_id)
    assert [h["status"] for h in status["historie"]] == ["geregistreerd", "doorverwezen", "opgepakt"]
    assert status["status"] == "opgepakt"


async def test_doorverwezen_dan_opgepakt_houdt_de_route_in_de_historie(ctx, engine):
    m = (await registreer(ctx)).antwoord
    await pas_toe(ctx, doorverwijzing(m.melding_id))
    await pas_toe(ctx, aanvaarding(m.melding_id, uuid.uuid4()))
    assert await historie(engine, m.melding_id) == ["geregistreerd", "doorverwezen", "opgepakt"]
    async with ctx.uows() as uow:
        status = await usecases.status_voor_melder(uow, None, m.terugkoppelcode, m.melding_id)
    assert [h["soort_team"] for h in status["historie"]] == [None, "sociale_basis", "sociale_basis"]


async def test_melding_opgepakt_een_keer_bij_een_tweede_aanvaarding_met_een_nieuw_event_id(ctx, engine):
    m = (await registreer(ctx)).antwoord
    data = aanvaarding(m.melding_id, uuid.uuid4())
    await pas_toe(ctx, data)
    await pas_toe(ctx, data)
    [opgepakt] = await outbox_events(engine, MeldingOpgepakt, melding_id=m.melding_id)
    assert opgepakt["data"]["team_id"] == data.team_id and opgepakt["gemeente"] == "GM1916"
    assert await historie(engine, m.melding_id) == ["geregistreerd", "opgepakt"]


async def test_een_batch_aanvaardingen_samen_voorbereid_geeft_wat_een_voor_een_geeft(ctx, engine):
    """As the bus applies a fetched batch (shared/bundel.py, MetVooraf): the meldingen's statuses read and
    locked at once first, the closed plans checked once at the end. The same melding twice in the batch is
    picked up once (the second reads the first's result, not the status read before the batch); a melding
    whose plan had already closed closes after being picked up; a casus and an unknown melding change
    nothing."""
    a, b, c = [(await registreer(ctx)).antwoord for _ in range(3)]
    onbekend, plan_id, dicht = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await pas_toe(ctx, afsluiting(dicht))  # closed before its aanvaarding arrives (two streams)
    datas = [
        aanvaarding(a.melding_id, plan_id),
        aanvaarding(b.melding_id, uuid.uuid4()),
        aanvaarding(a.melding_id, plan_id),
        aanvaarding(c.melding_id, dicht),
        aanvaarding(onbekend, uuid.uuid4()),
        aanvaarding(b.melding_id, uuid.uuid4()).model_copy(update={"bron_soort": "signaalcasus"}),
    ]
    assert (handler := handlers.handlers(ctx)[DoorverwijzingAanvaard]).achteraf is not None
    await in_een_bundel(ctx, "intake-aanvaardingen", handler, datas)
    for m in (a, b, c):
        assert len(await outbox_events(engine, MeldingOpgepakt, melding_id=m.melding_id)) == 1
    assert await historie(engine, a.melding_id) == ["geregistreerd", "opgepakt"]
    assert await historie(engine, c.melding_id) == ["geregistreerd", "opgepakt", "afgesloten"]
    assert [(await melding_rij(engine, m.melding_id)).status for m in (a, b, c)] == [
        "opgepakt",
        "opgepakt",
        "afgesloten",
    ]
    assert (await melding_rij(engine, a.melding_id)).plan_id == plan_id
    assert await outbox_events(engine, MeldingOpgepakt, melding_id=onbekend) == []


async def test_een_batch_doorverwijzingen_ook_late_twee_keer_geeft_elke_route_een_keer(ctx, engine):
    """A fetched batch of doorverwijzingen in one transaction (statuses read and locked first): a melding
    still registered is routed; one picked up before its routing came keeps its status, and its history
    gets the routing once, even when two late doorverwijzingen of it share the transaction (the second
    must see the first's row, which is held back until then)."""
    nieuw, vroeg = [(await registreer(ctx)).antwoord for _ in range(2)]
    await pas_toe(ctx, aanvaarding(vroeg.melding_id, uuid.uuid4()))
    datas = [doorverwijzing(nieuw.melding_id), doorverwijzing(vroeg.melding_id), doorverwijzing(vroeg.melding_id)]
    await in_een_bundel(ctx, "intake-doorverwijzingen", handlers.handlers(ctx)[DoorverwijzingGedaan], datas)
    assert (await melding_rij(engine, nieuw.melding_id)).status == "doorverwezen"
    assert await historie(engine, nieuw.melding_id) == ["geregistreerd", "doorverwezen"]
    assert (await melding_rij(engine, vroeg.melding_id)).status == "opgepakt"
    assert sorted(await historie(engine, vroeg.melding_id)) == ["doorverwezen", "geregistreerd", "opgepakt"]


async def test_een_aanvaarding_van_een_casus_of_een_onbekende_melding_verandert_niets(ctx, engine):
    onbekend = uuid.uuid4()
    await pas_toe(ctx, aanvaarding(onbekend, uuid.uuid4()))
    await pas_toe(ctx, aanvaarding(onbekend, uuid.uuid4()).model_copy(update={"bron_soort": "signaalcasus"}))
    assert await outbox_events(engine, MeldingOpgepakt, melding_id=onbekend) == []


async def test_een_afgesloten_plan_sluit_zijn_opgepakte_meldingen_en_laat_de_rest_open(ctx, engine):
    plan_id = uuid.uuid4()
    opgepakt, onderweg, ander_plan = [(await registreer(ctx)).antwoord for _ in range(3)]
    await pas_toe(ctx, aanvaarding(opgepakt.melding_id, plan_id))
    await pas_toe(ctx, doorverwijzing(onderweg.melding_id))
    await pas_toe(ctx, aanvaarding(ander_plan.melding_id, uuid.uuid4()))

    data = afsluiting(plan_id)
    await pas_toe(ctx, data)
    await pas_toe(ctx, data)  # a second delivery adds no second history row
    gesloten = await melding_rij(engine, opgepakt.melding_id)
    assert gesloten.status == "afgesloten" and gesloten.afgesloten_op == data.afgesloten_op
    assert await historie(engine, opgepakt.melding_id) == ["geregistreerd", "opgepakt", "afgesloten"]
    assert (await melding_rij(engine, onderweg.melding_id)).status == "doorverwezen"
    assert (await melding_rij(engine, ander_plan.melding_id)).status == "opgepakt"


async def test_een_aanvaarding_na_de_afsluiting_van_dat_plan_sluit_de_melding_ook(ctx, engine):
    """plan-afgesloten and doorverwijzing-aanvaard come over two streams: the plan may close before intake
    hears that it took the melding in. The melding still ends afgesloten, at the plan's closing time; a
    melding taken into another plan stays open."""
    plan_id = uuid.uuid4()
    laat, ander = [(await registreer(ctx)).antwoord for _ in range(2)]
    data = afsluiting(plan_id)
    await pas_toe(ctx, data)
    await pas_toe(ctx, data)  # again: the closed plan is known once
    await pas_toe(ctx, aanvaarding(laat.melding_id, plan_id))
    await pas_toe(ctx, aanvaarding(ander.melding_id, uuid.uuid4()))
    rij = await melding_rij(engine, laat.melding_id)
    assert (rij.status, rij.plan_id, rij.afgesloten_op) == ("afgesloten", plan_id, data.afgesloten_op)
    assert await historie(engine, laat.melding_id) == ["geregistreerd", "opgepakt", "afgesloten"]
    assert (await melding_rij(engine, ander.melding_id)).status == "opgepakt"


async def test_een_afgesloten_plan_wordt_vergeten_als_er_geen_late_aanvaarding_meer_kan_komen(ctx, engine):
    oud, recent = afsluiting(uuid.uuid4()), afsluiting(uuid.uuid4())
    oud = oud.model_copy(
        update={"afgesloten_op": datetime.now(UTC) - inbox_bewaartermijn("intake") - timedelta(days=1)}
    )
    await pas_toe(ctx, oud)
    await pas_toe(ctx, recent)
    assert await jobs.vergeet_afgesloten_plannen(ctx) >= 1
    async with engine.connect() as conn:
        over = set((await conn.execute(select(tables.afgesloten_plannen.c.plan_id))).scalars())
    assert recent.plan_id in over and oud.plan_id not in over
