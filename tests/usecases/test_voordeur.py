"""The front door in its whole width, against PostgreSQL: lichte contacten (codes only) and turning one into a
melding; the 18+ transition announced once at the right moment (a clock the test sets) without the birth
date; arrangement's transition deadline; doorzettingsmacht by hand and by itself, once with two replicas."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from services.arrangement import handlers as arr_handlers
from services.arrangement import jobs as arr_jobs
from services.arrangement import schemas as arr_schemas
from services.arrangement import usecases as arr
from services.intake import jobs as intake_jobs
from services.intake import usecases as intake
from services.intake.schemas import LichtContactInvoer, MeldingUitContact
from shared.auth import Gebruiker, Rol
from shared.events import (
    EscalatieIngediend,
    JongereWordtAchttien,
    LichtContactGeregistreerd,
    TermijnVerstreken,
    lees_event,
    maak_event,
)
from shared.levenscyclus import OngeldigeOvergang
from shared.privacy import persoon_sleutel_bsn
from shared.termijnen import TZ
from shared.weigeringen import GeenToegang, OngeldigeInvoer
from tests.support.gegevens import LEIDSCHENDAM, geldig_bsn, melding
from tests.usecases.test_arrangement import doe, nieuw_plan, rijen

MELDPUNT = Gebruiker(sub="mp-1", rol=Rol.meldpunt, gemeente="GM1916")
WIJKCOACH = Gebruiker(sub="w", rol=Rol.wijkcoach, gemeente="GM1916", teams=[LEIDSCHENDAM])
ANDER_TEAM = Gebruiker(sub="v", rol=Rol.wijkcoach, gemeente="GM1916", teams=["gm1916-gebiedsteam-voorburg-midden"])
LOKALE_KAMER = Gebruiker(sub="lk", rol=Rol.lokale_kamer, gemeente="GM1916", teams=["gm1916-lokale-kamer"])


async def outbox(engine, service: str, type_: type) -> list[dict]:
    soort = maak_event.__globals__["EVENT_TYPES"][type_].type
    payloads = [r["payload"] for r in await rijen(engine, f"SELECT payload FROM {service}.outbox ORDER BY id")]
    return [e for e in (json.loads(p) for p in payloads) if e["type"] == soort]


# --- lichte contacten -----------------------------------------------------------------------------------------


async def test_een_licht_contact_zonder_persoonsgegevens_en_zonder_dossier(context, engine):
    ctx = context("intake")
    invoer = LichtContactInvoer(
        gemeente="GM1916",
        kanaal="balie",
        themas=["financien", "financien", "sociaal_netwerk"],
        uitkomst="verwezen_voorliggend_veld",
        wijk="damsigt",
        aanbieder_id="gm1916-humanitas-thuisadministratie",
    )
    contact = await doe(ctx, intake.registreer_contact, invoer, MELDPUNT, ctx.gemeenten)
    assert contact.themas == ["financien", "sociaal_netwerk"]  # once each
    [event] = [
        e for e in await outbox(engine, "intake", LichtContactGeregistreerd) if e["subject"] == str(contact.contact_id)
    ]
    assert set(event["data"]) == set(LichtContactGeregistreerd.model_fields)
    assert event["data"]["aanbieder_id"] == "gm1916-humanitas-thuisadministratie"
    # Nothing of a person: no melding, no household, no key was made for it.
    [rij] = await rijen(engine, "SELECT * FROM intake.lichte_contacten WHERE contact_id = :c", c=contact.contact_id)
    assert rij["melding_id"] is None and "huishouden_id" not in rij


async def test_een_licht_contact_met_een_onbekende_aanbieder_of_van_een_andere_gemeente(context):
    ctx = context("intake")
    onbekend = LichtContactInvoer(
        gemeente="GM1916",
        kanaal="telefoon",
        themas=["financien"],
        uitkomst="verwezen_voorliggend_veld",
        aanbieder_id="gm0546-mee",
    )
    with pytest.raises(OngeldigeInvoer) as fout:
        await doe(ctx, intake.registreer_contact, onbekend, MELDPUNT, ctx.gemeenten)
    assert [p for p, _ in fout.value.fouten] == [("aanbieder_id",)]
    leiden = onbekend.model_copy(update={"gemeente": "GM0546"})
    with pytest.raises(GeenToegang):
        await doe(ctx, intake.registreer_contact, leiden, MELDPUNT, ctx.gemeenten)


async def test_een_licht_contact_wordt_in_een_stap_een_melding_en_maar_een_keer(context, engine):
    ctx = context("intake")
    invoer = LichtContactInvoer(gemeente="GM1916", kanaal="telefoon", themas=["huisvesting"], uitkomst="beantwoord")
    contact = await doe(ctx, intake.registreer_contact, invoer, MELDPUNT, ctx.gemeenten)
    rest = melding(huisnummer=901, bsn=geldig_bsn())
    body = MeldingUitContact.model_validate(
        {k: v for k, v in rest.items() if k not in ("gemeente", "kanaal", "levensgebieden")}
    )

    async def zet_om():
        return await intake.contact_naar_melding(
            ctx.uows,
            contact.contact_id,
            body,
            MELDPUNT,
            None,
            gemeenten=ctx.gemeenten,
            kluis=ctx.extra["kluis"],
            pseudoniem_sleutel=ctx.extra["pseudoniem_sleutel"],
        )

    registratie = await zet_om()
    melding_id = registratie.antwoord.melding_id
    [m] = await rijen(engine, "SELECT kanaal, feiten FROM intake.meldingen WHERE melding_id = :m", m=melding_id)
    assert m["kanaal"] == "telefoon" and m["feiten"]["levensgebieden"] == ["huisvesting"]
    [c] = await rijen(engine, "SELECT * FROM intake.lichte_contacten WHERE contact_id = :c", c=contact.contact_id)
    assert (c["uitkomst"], c["melding_id"]) == ("melding_gemaakt", melding_id)
    omgezet = [
        e
        for e in await outbox(engine, "intake", maak_event.__globals__["LichtContactOmgezet"])
        if e["subject"] == str(contact.contact_id)
    ]
    assert [e["data"]["melding_id"] for e in omgezet] == [str(melding_id)]
    with pytest.raises(OngeldigeOvergang):
        await zet_om()
    assert len(await rijen(engine, "SELECT 1 FROM intake.lichte_contacten WHERE melding_id = :m", m=melding_id)) == 1


# --- from 18- to 18+ ------------------------------------------------------------------------------------------


async def test_de_overgang_naar_18_wordt_een_keer_en_op_tijd_gemeld_zonder_geboortedatum(context, engine):
    ctx = context("intake")
    vandaag = datetime.now(TZ).date()
    # 18 in about 9 months: not yet within the 6 months, in 4 months it is.
    geboren = date(vandaag.year - 18, vandaag.month, 15) + timedelta(days=270)
    bsn = geldig_bsn()
    body = melding(huisnummer=902, bsn=bsn)
    body["betreft"]["personen"] = [{"bsn": bsn, "geboortedatum": geboren.isoformat()}]
    await intake.registreer_melding(
        ctx.uows,
        intake.MeldingInvoer.model_validate(body),
        MELDPUNT,
        None,
        gemeenten=ctx.gemeenten,
        kluis=ctx.extra["kluis"],
        pseudoniem_sleutel=ctx.extra["pseudoniem_sleutel"],
    )
    sleutel = persoon_sleutel_bsn(ctx.extra["pseudoniem_sleutel"], bsn)

    async def gemeld() -> list[dict]:
        return [
            e for e in await outbox(engine, "intake", JongereWordtAchttien) if e["data"]["persoon_sleutel"] == sleutel
        ]

    await intake_jobs.meld_achttien_jaar(ctx, datetime.now(UTC))
    assert await gemeld() == []
    later = datetime.now(UTC) + timedelta(days=125)
    await intake_jobs.meld_achttien_jaar(ctx, later)
    await intake_jobs.meld_achttien_jaar(ctx, later + timedelta(days=30))
    [event] = await gemeld()
    assert event["data"]["achttien_in"] == f"{geboren.year + 18}-{geboren.month:02d}"
    ruw = json.dumps(event)
    assert (
        geboren.isoformat() not in ruw
        and bsn not in ruw
        and set(event["data"]) == {"huishouden_id", "persoon_sleutel", "achttien_in"}
    )


async def test_arrangement_geeft_het_plan_de_overgangstermijn_in_de_werkvoorraad(context, engine):
    ctx = context("arrangement")
    h, plan_id = await nieuw_plan(ctx, engine)
    event = maak_event(
        JongereWordtAchttien(huishouden_id=h, persoon_sleutel="c" * 64, achttien_in="2027-06"),
        service="intake",
        gemeente="GM1916",
        subject=h,
        correlatieid="c" * 64,
    )
    async with ctx.uows() as uow:
        await arr_handlers.handlers(ctx)[JongereWordtAchttien](event, uow)
        await uow.commit()
    werk = await doe(ctx, arr.werkvoorraad, WIJKCOACH, 0, 500)
    [t] = [r for r in werk if r["plan_id"] == plan_id and r["soort"] == "overgang-18"]
    assert t["termijn_grondslag"] == "overgang-18-plus"
    assert t["termijn_tot"].astimezone(TZ) == datetime(2027, 5, 31, 23, 59, 59, tzinfo=TZ)


# --- doorzettingsmacht ------------------------------------------------------------------------------------------


async def test_escaleren_naar_de_lokale_kamer_die_alles_ziet_en_de_wijkcoach_alleen_het_zijne(context, engine):
    ctx = context("arrangement")
    _, plan_id = await nieuw_plan(ctx, engine)
    e = await doe(
        ctx, arr.escaleren, ctx.gemeenten, WIJKCOACH, plan_id, arr_schemas.EscalatieInvoer(reden="geen_voortgang")
    )
    with pytest.raises(OngeldigeOvergang):  # one at a time
        await doe(
            ctx, arr.escaleren, ctx.gemeenten, WIJKCOACH, plan_id, arr_schemas.EscalatieInvoer(reden="geen_voortgang")
        )
    lk_werk = await doe(ctx, arr.werkvoorraad, LOKALE_KAMER, 0, 500)
    assert [r["soort"] for r in lk_werk if r["bron_id"] == e.escalatie_id] == ["escalatie"]
    assert e.escalatie_id in {
        r["escalatie_id"] for r in await doe(ctx, arr.escalaties_lezen, ctx.gemeenten, LOKALE_KAMER)
    }
    assert e.escalatie_id in {r["escalatie_id"] for r in await doe(ctx, arr.escalaties_lezen, ctx.gemeenten, WIJKCOACH)}
    assert e.escalatie_id not in {
        r["escalatie_id"] for r in await doe(ctx, arr.escalaties_lezen, ctx.gemeenten, ANDER_TEAM)
    }
    # Only doorzettingsmacht decides; it takes the regie, then gives the case back with an instruction.
    with pytest.raises(GeenToegang):
        await doe(
            ctx, arr.escalatie_behandelen, ctx.gemeenten, WIJKCOACH, plan_id, e.escalatie_id, arr_schemas.RegieNemen()
        )
    await doe(
        ctx, arr.escalatie_behandelen, ctx.gemeenten, LOKALE_KAMER, plan_id, e.escalatie_id, arr_schemas.RegieNemen()
    )
    [plan] = await rijen(engine, "SELECT regisseur FROM arrangement.plannen WHERE plan_id = :p", p=plan_id)
    assert plan["regisseur"]["team_id"] == "gm1916-lokale-kamer"
    terug = arr_schemas.Teruggave(
        instructie="plan_bijstellen", opvolgen_voor=datetime.now(TZ).date() + timedelta(days=14)
    )
    await doe(ctx, arr.escalatie_behandelen, ctx.gemeenten, LOKALE_KAMER, plan_id, e.escalatie_id, terug)
    [plan] = await rijen(engine, "SELECT regisseur FROM arrangement.plannen WHERE plan_id = :p", p=plan_id)
    assert plan["regisseur"]["team_id"] == LEIDSCHENDAM
    wk_werk = await doe(ctx, arr.werkvoorraad, WIJKCOACH, 0, 500)
    assert [r["soort"] for r in wk_werk if r["bron_id"] == e.escalatie_id] == ["instructie"]
    assert e.escalatie_id not in {r["bron_id"] for r in await doe(ctx, arr.werkvoorraad, LOKALE_KAMER, 0, 500)}


async def test_een_verstreken_termijn_escaleert_een_keer_ook_met_twee_replicas(context, engine):
    ctx, tweede = context("arrangement"), context("arrangement")
    _, plan_id = await nieuw_plan(ctx, engine)
    async with engine.begin() as conn:  # the doorverwijzing's deadline passed yesterday
        await conn.execute(
            text(
                "UPDATE arrangement.termijnen SET termijn_tot = now() - interval '1 day'"
                " WHERE plan_id = :p AND soort = 'doorverwijzing'"
            ),
            {"p": plan_id},
        )
    await arr_jobs.bewaak_termijnen(ctx)
    verstreken = [
        lees_event(json.dumps(e))
        for e in await outbox(engine, "arrangement", TermijnVerstreken)
        if e["data"]["plan_id"] == str(plan_id)
    ]
    assert len(verstreken) == 1
    for _ in range(2):  # the consumer, and a redelivery of the same event: the clock starts once
        async with ctx.uows() as uow:
            await arr_handlers.handlers(ctx)[TermijnVerstreken](verstreken[0], uow)
            await uow.commit()
    [t] = await rijen(
        engine,
        "SELECT escaleren_op FROM arrangement.termijnen WHERE plan_id = :p AND soort = 'doorverwijzing'",
        p=plan_id,
    )
    assert t["escaleren_op"] is not None
    # Not yet: the 5 werkdagen have not passed.
    await arr_jobs.doorzetten(ctx, datetime.now(UTC))
    assert await rijen(engine, "SELECT 1 FROM arrangement.escalaties WHERE plan_id = :p", p=plan_id) == []
    later = t["escaleren_op"] + timedelta(minutes=1)
    await asyncio.gather(arr_jobs.doorzetten(ctx, later), arr_jobs.doorzetten(tweede, later))
    await arr_jobs.doorzetten(ctx, later + timedelta(days=1))
    [esc] = await rijen(engine, "SELECT * FROM arrangement.escalaties WHERE plan_id = :p", p=plan_id)
    assert (esc["door"], esc["reden"], esc["naar_team_id"], esc["termijn_grondslag"]) == (
        "termijnbewaking",
        "termijn_verstreken",
        "gm1916-lokale-kamer",
        "outreach-2-werkdagen",
    )
    ingediend = [
        e for e in await outbox(engine, "arrangement", EscalatieIngediend) if e["data"]["plan_id"] == str(plan_id)
    ]
    assert len(ingediend) == 1


async def test_zonder_doorzettingsmacht_team_geen_escalatie_behandelen(context, engine):
    ctx = context("arrangement")
    _, plan_id = await nieuw_plan(ctx, engine)
    e = await doe(
        ctx, arr.escaleren, ctx.gemeenten, WIJKCOACH, plan_id, arr_schemas.EscalatieInvoer(reden="aanbod_ontbreekt")
    )
    # A Lokale Kamer role of another team (Meldpunt Bezorgd) holds no doorzettingsmacht.
    meldpunt_bezorgd = Gebruiker(
        sub="mb", rol=Rol.lokale_kamer, gemeente="GM1916", teams=["gm1916-lokale-kamer-meldpunt-bezorgd"]
    )
    with pytest.raises(GeenToegang):
        await doe(
            ctx,
            arr.escalatie_behandelen,
            ctx.gemeenten,
            meldpunt_bezorgd,
            plan_id,
            e.escalatie_id,
            arr_schemas.RegieNemen(),
        )
