"""Arrangement's use cases against a real PostgreSQL (no NATS, no HTTP): the household-plan aggregate
loaded and saved by the repository, the events in the outbox, the access rules."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from services.arrangement import handlers, jobs, schemas, usecases
from services.arrangement.domain import PlanStatus
from shared.auth import Gebruiker, Rol
from shared.bundel import MetVooraf
from shared.events import DoorverwijzingGedaan
from shared.levenscyclus import OngeldigeOvergang
from shared.termijnen import TZ
from shared.weigeringen import GeenToegang, NietGevonden, OngeldigeInvoer
from tests.support.gegevens import LEIDSCHENDAM, doorverwijzing
from tests.usecases.conftest import outbox_van

LOKALE_KAMER = "gm1916-lokale-kamer"
WIJKCOACH = Gebruiker(sub="w", rol=Rol.wijkcoach, gemeente="GM1916", teams=[LEIDSCHENDAM])
CONSULENT = Gebruiker(sub="c", rol=Rol.consulent, gemeente="GM1916", teams=["gm1916-wmo-consulenten"])
OMVANG = {"volume": 4, "eenheid": "uur", "frequentie": "week"}


def vandaag():
    return datetime.now(TZ).date()


@pytest.fixture
def ctx(context):
    return context("arrangement")


async def ontvang(ctx, event) -> None:
    """Through the handler table, as the bus calls it."""
    handler = handlers.handlers(ctx)[DoorverwijzingGedaan]
    async with ctx.uows() as uow:
        await handler(event, uow)
        await uow.commit()


async def rijen(engine, sql: str, **params) -> list:
    async with engine.connect() as conn:
        return list((await conn.execute(text(sql), params)).mappings())


async def subjects_van(engine, plan_id) -> list[str]:
    return [
        r["subject"]
        for r in await rijen(
            engine,
            "SELECT subject FROM arrangement.outbox"
            " WHERE convert_from(payload, 'UTF8')::jsonb->>'subject' = :p ORDER BY id",
            p=str(plan_id),
        )
    ]


async def nieuw_plan(ctx, engine, **over) -> tuple[str, uuid.UUID]:
    h = uuid.uuid4().hex * 2
    await ontvang(ctx, doorverwijzing(h, **over))
    (plan,) = await rijen(engine, "SELECT plan_id FROM arrangement.plannen WHERE huishouden_id = :h", h=h)
    return h, plan["plan_id"]


async def doe(ctx, usecase, *args, **kwargs):
    async with ctx.uows() as uow:
        uitkomst = await usecase(uow, *args, **kwargs)
        await uow.commit()
    return uitkomst


async def test_eerste_doorverwijzing_schrijft_plan_versie_termijnen_en_kondigt_aan(ctx, engine):
    h, plan_id = await nieuw_plan(ctx, engine)
    (plan,) = await rijen(engine, "SELECT * FROM arrangement.plannen WHERE plan_id = :p", p=plan_id)
    assert (plan["status"], plan["versie"], plan["regisseur"]["team_id"]) == ("actief", 1, LEIDSCHENDAM)
    versies = await rijen(engine, "SELECT versie FROM arrangement.planversies WHERE plan_id = :p", p=plan_id)
    assert [v["versie"] for v in versies] == [1]
    termijnen = await rijen(
        engine, "SELECT soort, team_id FROM arrangement.termijnen WHERE huishouden_id = :h ORDER BY id", h=h
    )
    assert [(t["soort"], t["team_id"]) for t in termijnen] == [
        ("evaluatie", LEIDSCHENDAM),
        ("doorverwijzing", LEIDSCHENDAM),
    ]
    assert await subjects_van(engine, plan_id) == [
        "toegang.plannen.regisseur-toegewezen.GM1916",
        "toegang.plannen.opgesteld.GM1916",
        "toegang.plannen.doorverwijzing-aanvaard.GM1916",
    ]


async def test_tweede_doorverwijzing_sluit_aan_en_dezelfde_onder_een_nieuw_event_id_landt_eenmaal(ctx, engine):
    h, plan_id = await nieuw_plan(ctx, engine)
    tweede = doorverwijzing(h, team_id="gm1916-schuldhulp")
    await ontvang(ctx, tweede)
    await ontvang(ctx, tweede.model_copy(update={"id": uuid.uuid4()}))
    plannen = await rijen(engine, "SELECT plan_id FROM arrangement.plannen WHERE huishouden_id = :h", h=h)
    assert [p["plan_id"] for p in plannen] == [plan_id]
    signaal = await rijen(
        engine,
        "SELECT team_id, bij_lopend_plan FROM arrangement.termijnen WHERE bron_id = :b",
        b=tweede.data.bron_id,
    )
    assert [(t["team_id"], t["bij_lopend_plan"]) for t in signaal] == [(LEIDSCHENDAM, True)]  # the regisseur's
    tijdlijn = await rijen(
        engine,
        "SELECT count(*) AS n FROM arrangement.tijdlijn WHERE doorverwijzing_id = :d",
        d=tweede.data.doorverwijzing_id,
    )
    assert tijdlijn[0]["n"] == 1
    assert (await subjects_van(engine, plan_id)).count("toegang.plannen.doorverwijzing-aanvaard.GM1916") == 2
    assert (await subjects_van(engine, plan_id)).count("toegang.plannen.regisseur-toegewezen.GM1916") == 1


@pytest.mark.parametrize("voorbereid", [False, True], ids=["elk-apart-geladen", "batch-vooraf-geladen"])
async def test_in_een_gedeelde_transactie_ziet_de_tweede_doorverwijzing_wat_de_eerste_nog_niet_schreef(
    ctx, engine, voorbereid
):
    """As a group commit runs them (shared/bundel.py): one unit of work for several doorverwijzingen, whose
    inserts are held back, with or without the batch's households locked and loaded first (MetVooraf). The
    second of the household must find the plan the first made (not the plan-less household loaded before
    the batch), the repeat must land once, another household's rows must not be written early or lost, and
    a household with a running plan joins it."""
    h, ander = uuid.uuid4().hex * 2, uuid.uuid4().hex * 2
    lopend, lopend_plan = await nieuw_plan(ctx, engine)
    eerste, tweede = doorverwijzing(h), doorverwijzing(h, team_id="gm1916-schuldhulp")
    bij_lopend = doorverwijzing(lopend, team_id="gm1916-schuldhulp")
    batch = [eerste, doorverwijzing(ander), tweede, tweede.model_copy(update={"id": uuid.uuid4()}), bij_lopend]
    handler = handlers.handlers(ctx)[DoorverwijzingGedaan]
    assert isinstance(handler, MetVooraf)
    async with ctx.uows() as uow:
        if voorbereid:
            await handler.vooraf(batch, uow)
        for event in batch:
            await handler(event, uow)
        await uow.commit()
    (gevoegd,) = await rijen(
        engine,
        "SELECT plan_id, bij_lopend_plan FROM arrangement.termijnen WHERE bron_id = :b",
        b=bij_lopend.data.bron_id,
    )
    assert (gevoegd["plan_id"], gevoegd["bij_lopend_plan"]) == (lopend_plan, True)
    plannen = await rijen(
        engine, "SELECT huishouden_id FROM arrangement.plannen WHERE huishouden_id IN (:h, :a)", h=h, a=ander
    )
    assert sorted(r["huishouden_id"] for r in plannen) == sorted([h, ander])
    tijdlijn = await rijen(
        engine, "SELECT doorverwijzing_id FROM arrangement.tijdlijn WHERE huishouden_id = :h ORDER BY id", h=h
    )
    doorverwijzingen = [r["doorverwijzing_id"] for r in tijdlijn if r["doorverwijzing_id"]]
    assert doorverwijzingen == [eerste.data.doorverwijzing_id, tweede.data.doorverwijzing_id]
    signaal = await rijen(
        engine, "SELECT bij_lopend_plan FROM arrangement.termijnen WHERE bron_id = :b", b=tweede.data.bron_id
    )
    assert [t["bij_lopend_plan"] for t in signaal] == [True]


async def test_regie_overdragen_eenmaal_aangekondigd_en_het_werk_van_de_regisseur_gaat_mee(ctx, engine):
    h, plan_id = await nieuw_plan(ctx, engine)
    overdracht = schemas.Overdracht(
        regisseur={"soort": "professional", "team_id": LOKALE_KAMER, "medewerker_id": "an"}, reden="andere_expertise"
    )
    await doe(ctx, usecases.regie_overdragen, ctx.gemeenten, WIJKCOACH, plan_id, overdracht)
    # The same handover again changes nothing; the old team no longer sees the plan.
    lk = Gebruiker(sub="l", rol=Rol.lokale_kamer, gemeente="GM1916", teams=[LOKALE_KAMER])
    await doe(ctx, usecases.regie_overdragen, ctx.gemeenten, lk, plan_id, overdracht)
    with pytest.raises(NietGevonden):
        await doe(ctx, usecases.regie_overdragen, ctx.gemeenten, WIJKCOACH, plan_id, overdracht)
    assert (await subjects_van(engine, plan_id)).count("toegang.plannen.regisseur-toegewezen.GM1916") == 2
    termijnen = await rijen(
        engine, "SELECT soort, team_id, medewerker_id FROM arrangement.termijnen WHERE huishouden_id = :h", h=h
    )
    assert {(t["soort"], t["team_id"], t["medewerker_id"]) for t in termijnen} == {
        ("evaluatie", LOKALE_KAMER, "an"),
        ("doorverwijzing", LOKALE_KAMER, "an"),
    }


async def test_multiprobleem_na_de_doelen_van_het_plan_houdt_de_regie_bij_de_lokale_kamer(ctx, engine):
    from shared.weigeringen import OngeldigeInvoer

    _, plan_id = await nieuw_plan(ctx, engine)
    doelen = [{"levensgebied": g, "zrm_nu": 2} for g in ("financien", "huisvesting", "sociaal_netwerk")]
    versie = await doe(
        ctx,
        usecases.nieuwe_versie,
        ctx.gemeenten,
        WIJKCOACH,
        plan_id,
        schemas.VersieInvoer(doelen=doelen, evaluatie_op=vandaag() + timedelta(weeks=6)),
    )
    assert versie.regie_overgedragen and versie.plan.regisseur.team_id == LOKALE_KAMER
    lk = Gebruiker(sub="l", rol=Rol.lokale_kamer, gemeente="GM1916", teams=[LOKALE_KAMER])
    with pytest.raises(OngeldigeInvoer):  # the goals are the stored version's, loaded with the aggregate
        await doe(
            ctx,
            usecases.regie_overdragen,
            ctx.gemeenten,
            lk,
            plan_id,
            schemas.Overdracht(regisseur={"soort": "inwoner"}, reden="zelfredzaam"),
        )


async def test_afsluiten_met_waakvlam_dan_een_bereikte_laatste_controle_sluit_echt_af(ctx, engine):
    h, plan_id = await nieuw_plan(ctx, engine)
    afsluiting = schemas.Afsluiting(resultaat="doelen_bereikt", waakvlam={"controle_op": vandaag()})
    plan = await doe(ctx, usecases.plan_afsluiten, WIJKCOACH, plan_id, afsluiting)
    assert plan.status is PlanStatus.waakvlam
    gezien = await doe(ctx, usecases.huishouden_lezen, WIJKCOACH, h)
    assert gezien.plan.status == "waakvlam"
    assert [t["soort"] for t in gezien.open_termijnen] == ["waakvlam"]
    with pytest.raises(OngeldigeOvergang) as fout:  # a version on a waakvlam plan
        await doe(
            ctx, usecases.nieuwe_versie, ctx.gemeenten, WIJKCOACH, plan_id, schemas.VersieInvoer(evaluatie_op=vandaag())
        )
    assert (fout.value.van, fout.value.naar) == ("waakvlam", "actief")

    poging = schemas.Contactpoging(soort="telefoon", bereikt=True, datum=vandaag(), dagdeel="ochtend")
    assert await doe(ctx, usecases.contactpoging_registreren, WIJKCOACH, plan_id, poging) == 1  # the check, met
    (rij,) = await rijen(engine, "SELECT status, waakvlam_op FROM arrangement.plannen WHERE plan_id = :p", p=plan_id)
    assert (rij["status"], rij["waakvlam_op"]) == ("afgesloten", None)
    with pytest.raises(NietGevonden):  # out of view
        await doe(ctx, usecases.huishouden_lezen, WIJKCOACH, h)
    with pytest.raises(OngeldigeOvergang) as fout:  # closing a closed plan
        await doe(ctx, usecases.plan_afsluiten, WIJKCOACH, plan_id, schemas.Afsluiting(resultaat="doelen_bereikt"))
    assert (fout.value.van, fout.value.naar) == ("afgesloten", "afgesloten")


async def test_een_nieuwe_doorverwijzing_beeindigt_de_waakvlam_en_start_een_nieuw_plan(ctx, engine):
    h, oud = await nieuw_plan(ctx, engine)
    afsluiting = schemas.Afsluiting(
        resultaat="doelen_bereikt", waakvlam={"controle_op": vandaag(), "interval_weken": 4}
    )
    await doe(ctx, usecases.plan_afsluiten, WIJKCOACH, oud, afsluiting)
    await ontvang(ctx, doorverwijzing(h))
    plannen = await rijen(
        engine, "SELECT plan_id, status FROM arrangement.plannen WHERE huishouden_id = :h ORDER BY aangemaakt_op", h=h
    )
    assert [p["status"] for p in plannen] == ["afgesloten", "actief"] and plannen[0]["plan_id"] == oud
    waakvlam = await rijen(
        engine, "SELECT status FROM arrangement.termijnen WHERE huishouden_id = :h AND soort = 'waakvlam'", h=h
    )
    assert [t["status"] for t in waakvlam] == ["vervallen"]


async def test_beschikking_alleen_door_een_consulent_en_zij_haalt_de_termijn_van_de_aanvraag(ctx, engine):
    _, plan_id = await nieuw_plan(ctx, engine)
    aanvraag = await doe(
        ctx,
        usecases.aanvraag_registreren,
        ctx.gemeenten,
        WIJKCOACH,
        plan_id,
        schemas.AanvraagInvoer(voorzieningen=["begeleiding-individueel"]),
    )
    invoer = schemas.BeschikkingInvoer(
        aanvraag_id=aanvraag.aanvraag_id,
        voorzieningen=[{"code": "begeleiding-individueel", "omvang": OMVANG}],
        ingangsdatum=vandaag(),
    )
    for gebruiker in (WIJKCOACH, Gebruiker(sub="b", rol=Rol.beheer, gemeente="GM1916")):
        with pytest.raises(GeenToegang):
            await doe(ctx, usecases.beschikking_afgeven, ctx.gemeenten, gebruiker, plan_id, invoer)
    with pytest.raises(NietGevonden):  # a consulent of another gemeente does not see the plan
        await doe(
            ctx,
            usecases.beschikking_afgeven,
            ctx.gemeenten,
            CONSULENT.model_copy(update={"gemeente": "GM0637"}),
            plan_id,
            invoer,
        )
    beschikking, beschikt = await doe(ctx, usecases.beschikking_afgeven, ctx.gemeenten, CONSULENT, plan_id, invoer)
    assert beschikt == [aanvraag.aanvraag_id] and beschikking.versie == 1
    (termijn,) = await rijen(
        engine, "SELECT status FROM arrangement.termijnen WHERE bron_id = :b", b=aanvraag.aanvraag_id
    )
    assert termijn["status"] == "gehaald"
    assert "toegang.plannen.beschikking-afgegeven.GM1916" in await subjects_van(engine, plan_id)
    wijziging = schemas.WijzigingInvoer(
        voorzieningen=[{"code": "begeleiding-individueel", "omvang": {**OMVANG, "volume": 6}}],
        ingangsdatum=vandaag() + timedelta(days=30),
        reden_wijziging="opschaling",
    )
    nieuw = await doe(
        ctx, usecases.beschikking_wijzigen, ctx.gemeenten, CONSULENT, plan_id, beschikking.beschikking_id, wijziging
    )
    assert nieuw.versie == 2 and nieuw.aanvraag_id == aanvraag.aanvraag_id


async def test_een_verlopen_beslistermijn_op_bezwaar_wordt_precies_eenmaal_gemeld(ctx, engine):
    """The bezwaar's deadline is an ordinary termijn: termijnbewaking announces it once, and it stays open
    work until the decision. Sent 20 weeks ago: the bezwaartermijn and 6 weeks after it have passed."""
    _, plan_id = await nieuw_plan(ctx, engine)
    verzonden = vandaag() - timedelta(weeks=20)
    invoer = schemas.BeschikkingInvoer(
        voorzieningen=[{"code": "begeleiding-individueel", "omvang": OMVANG}],
        ingangsdatum=verzonden,
        verzonden_op=verzonden,
    )
    beschikking, _ = await doe(ctx, usecases.beschikking_afgeven, ctx.gemeenten, CONSULENT, plan_id, invoer)
    bezwaar = await doe(
        ctx,
        usecases.bezwaar_registreren,
        ctx.gemeenten,
        CONSULENT,
        plan_id,
        beschikking.beschikking_id,
        schemas.BezwaarInvoer(ontvangen_op=verzonden + timedelta(weeks=2)),
    )
    assert bezwaar.tijdig and bezwaar.beslissen_voor < vandaag()
    assert await jobs.bewaak_termijnen(ctx) >= 1
    await jobs.bewaak_termijnen(ctx)
    gemeld = await rijen(
        engine,
        "SELECT count(*) AS n FROM arrangement.outbox WHERE subject LIKE 'toegang.plannen.termijn-verstreken.%'"
        " AND convert_from(payload, 'UTF8')::jsonb->'data'->>'bron_id' = :b",
        b=str(bezwaar.bezwaar_id),
    )
    assert gemeld[0]["n"] == 1
    with pytest.raises(OngeldigeInvoer):  # too late to postpone: the term has passed
        await doe(
            ctx, usecases.bezwaar_verdagen, CONSULENT, plan_id, bezwaar.bezwaar_id, schemas.Verdaging(reden="overig")
        )
    beslist = await doe(
        ctx,
        usecases.op_bezwaar_beslissen,
        ctx.gemeenten,
        CONSULENT,
        plan_id,
        bezwaar.bezwaar_id,
        schemas.BezwaarBeslissing(uitkomst="ongegrond", besloten_op=vandaag()),
    )
    assert beslist.status.value == "beslist"
    (termijn,) = await rijen(
        engine, "SELECT status, verstreken_op FROM arrangement.termijnen WHERE bron_id = :b", b=bezwaar.bezwaar_id
    )
    assert termijn["status"] == "gehaald" and termijn["verstreken_op"] is not None  # met, but late


async def test_een_aansluitende_beschikking_haalt_de_herindicatie(ctx, engine):
    _, plan_id = await nieuw_plan(ctx, engine)
    eerste = schemas.BeschikkingInvoer(
        voorzieningen=[{"code": "begeleiding-individueel", "omvang": OMVANG}],
        ingangsdatum=vandaag(),
        einddatum=vandaag() + timedelta(weeks=26),
    )
    b, _ = await doe(ctx, usecases.beschikking_afgeven, ctx.gemeenten, CONSULENT, plan_id, eerste)
    herindicatie = "SELECT status FROM arrangement.termijnen WHERE bron_id = :b AND soort = 'herindicatie'"
    assert [r["status"] for r in await rijen(engine, herindicatie, b=b.beschikking_id)] == ["open"]
    # Another voorziening does not continue it; the same one from the day after it ends does.
    ander = schemas.BeschikkingInvoer(
        voorzieningen=[{"code": "huishoudelijke-ondersteuning", "omvang": OMVANG}], ingangsdatum=vandaag()
    )
    await doe(ctx, usecases.beschikking_afgeven, ctx.gemeenten, CONSULENT, plan_id, ander)
    assert [r["status"] for r in await rijen(engine, herindicatie, b=b.beschikking_id)] == ["open"]
    vervolg = eerste.model_copy(update={"ingangsdatum": eerste.einddatum + timedelta(days=1), "einddatum": None})
    await doe(ctx, usecases.beschikking_afgeven, ctx.gemeenten, CONSULENT, plan_id, vervolg)
    assert [r["status"] for r in await rijen(engine, herindicatie, b=b.beschikking_id)] == ["gehaald"]


async def test_werkvoorraad_en_inzage_in_het_verwerkingslog(ctx, engine):
    h, _ = await nieuw_plan(ctx, engine)
    werk = await doe(ctx, usecases.werkvoorraad, WIJKCOACH)
    assert {w["soort"] for w in werk if w["huishouden_id"] == h} == {"doorverwijzing", "evaluatie"}
    anders = Gebruiker(sub="x", rol=Rol.wijkcoach, gemeente="GM1916", teams=["gm1916-ssp"])
    with pytest.raises(NietGevonden):
        await doe(ctx, usecases.huishouden_lezen, anders, h)
    await doe(ctx, usecases.huishouden_lezen, CONSULENT, h)
    log = await rijen(engine, "SELECT * FROM arrangement.verwerkingslog WHERE betrokkene = :h", h=h)
    assert len(log) == 1
    assert await outbox_van(engine, "arrangement")


async def test_het_overzicht_noemt_elke_versie_van_het_plan_nieuwste_eerst(ctx, engine):
    h, plan_id = await nieuw_plan(ctx, engine)
    evaluatie = vandaag() + timedelta(weeks=8)
    invoer = schemas.VersieInvoer(
        doelen=[{"levensgebied": "financien", "zrm_nu": 2, "zrm_doel": 4}, {"levensgebied": "huisvesting"}],
        voorzieningen=[{"code": "begeleiding-individueel", "omvang": OMVANG}],
        evaluatie_op=evaluatie,
    )
    await doe(ctx, usecases.nieuwe_versie, ctx.gemeenten, WIJKCOACH, plan_id, invoer)
    o = await doe(ctx, usecases.huishouden_lezen, WIJKCOACH, h)
    assert [v["versie"] for v in o.versies] == [2, 1]
    tweede, eerste = o.versies
    assert (tweede["aantal_doelen"], tweede["aantal_voorzieningen"]) == (2, 1)
    assert (eerste["aantal_doelen"], eerste["aantal_voorzieningen"]) == (0, 0)
    # Who wrote it, as the other records name a medewerker (role:sub); the first came from a doorverwijzing.
    assert tweede["opgesteld_door"] == f"wijkcoach:{WIJKCOACH.sub}" and eerste["opgesteld_door"] is None
    assert tweede["evaluatie_op"] == evaluatie and eerste["evaluatie_op"] != evaluatie
    assert tweede["regisseur"]["team_id"] == LEIDSCHENDAM
    assert tweede["opgesteld_op"] >= eerste["opgesteld_op"]
    assert o.versie["versie"] == tweede["versie"]  # the one shown in full is the newest
