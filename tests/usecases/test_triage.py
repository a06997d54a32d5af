"""Triage's use cases against PostgreSQL: routing with the projection of known households (also when
arrangement's events come late or out of order), what a caller may see of the decisions, and the dry run."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from opentelemetry import context as otel_context
from sqlalchemy import func, select, text

from services.triage import handlers, tables, usecases
from shared.auth import Gebruiker, Rol
from shared.bundel import Bundel, Invoer, MetVooraf
from shared.bus import lees_voor, verwerker
from shared.events import (
    EVENT_TYPES,
    Data,
    DoorverwijzingGedaan,
    MeldingGeregistreerd,
    PlanAfgesloten,
    RegisseurToegewezen,
    SignaalDoorgezet,
    maak_event,
)
from shared.topology import consumer
from shared.weigeringen import GeenToegang, NietGevonden, OngeldigeInvoer

BEHEER = Gebruiker(sub="b", rol=Rol.beheer, gemeente="GM1916")
REGISSEUR_TEAM = "gm1916-gebiedsteam-leidschendam"


@pytest.fixture
def ctx(context):
    return context("triage")


def huishouden() -> str:
    return uuid.uuid4().hex * 2


def melding_data(huishouden_id: str, **over) -> MeldingGeregistreerd:
    """A zorgmelding by a neighbour: without a regisseur, Meldpunt Bezorgd (rule zorgmelding-ander)."""
    data = dict(
        melding_id=str(uuid.uuid4()),
        gemeente="GM1916",
        ontvangen_op="2026-11-23T10:00:00+01:00",
        kanaal="telefoon",
        soort="zorgmelding",
        melder_type="buur",
        huishouden_id=huishouden_id,
        persoon_sleutels=["e" * 64],
        leeftijdscategorie="65+",
        wijk="damsigt",
        levensgebieden=[],
        zrm={},
        veiligheid={},
        crisis=False,
        spoed=False,
        gevraagde_voorzieningen=[],
        inwoner_op_de_hoogte=True,
    )
    return MeldingGeregistreerd.model_validate(data | over)


def regisseur(plan_id, huishouden_id: str, team: str = REGISSEUR_TEAM) -> RegisseurToegewezen:
    return RegisseurToegewezen(
        plan_id=plan_id, huishouden_id=huishouden_id, regisseur={"soort": "professional", "team_id": team}
    )


def afsluiting(plan_id, huishouden_id: str) -> PlanAfgesloten:
    return PlanAfgesloten(
        plan_id=plan_id, huishouden_id=huishouden_id, afgesloten_op=datetime.now(UTC), resultaat="doelen_bereikt"
    )


async def pas_toe(ctx, data, tijd: datetime | None = None):
    """Through the handler table, as the bus would; `tijd` sets the event's time (the order of hand-overs)."""
    event = maak_event(data, service="test", gemeente="GM1916", subject="s", correlatieid="corr")
    if tijd is not None:
        event = event.model_copy(update={"time": tijd})
    async with ctx.uows() as uow:
        await handlers.handlers(ctx)[type(data)](event, uow)
        await uow.commit()


async def besluiten(ctx, bron_id, gebruiker: Gebruiker = BEHEER) -> list[dict]:
    async with ctx.uows() as uow:
        return [b.model_dump() for b in await usecases.besluiten_voor(uow, gebruiker, bron_id)]


async def doorverwijzingen(engine, bron_id) -> list[dict]:
    """The doorverwijzing-gedaan events in triage's outbox for this melding or casus."""
    async with engine.connect() as conn:
        events = [json.loads(p) for p in (await conn.execute(text("SELECT payload FROM triage.outbox"))).scalars()]
    soort = EVENT_TYPES[DoorverwijzingGedaan].type
    return [e for e in events if e["type"] == soort and e["data"]["bron_id"] == str(bron_id)]


async def tel(engine, tabel) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(tabel))).scalar_one()


async def test_een_melding_zonder_bekende_regisseur_volgt_de_regels_en_wordt_gepubliceerd(ctx, engine):
    m = melding_data(huishouden())
    await pas_toe(ctx, m)
    [b] = await besluiten(ctx, m.melding_id)
    assert (b["regel_id"], b["route"], b["bron_soort"]) == ("zorgmelding-ander", "meldpunt_bezorgd", "melding")
    [event] = await doorverwijzingen(engine, m.melding_id)
    d = event["data"]
    assert d["doorverwijzing_id"] == str(b["doorverwijzing_id"]) and d["team_id"] == b["team_id"]
    assert d["bestaande_regisseur"] is None and event["correlatieid"] == "corr"
    assert datetime.fromisoformat(d["ontvangen_op"]) == m.ontvangen_op


async def test_een_melding_voor_een_huishouden_met_regisseur_gaat_naar_het_team_van_die_regisseur(ctx, engine):
    hh = huishouden()
    await pas_toe(ctx, regisseur(uuid.uuid4(), hh))
    m = melding_data(hh)
    await pas_toe(ctx, m)
    [b] = await besluiten(ctx, m.melding_id)
    assert (b["regel_id"], b["route"], b["team_id"]) == ("bekend-huishouden", "regisseur", REGISSEUR_TEAM)
    [event] = await doorverwijzingen(engine, m.melding_id)
    assert event["data"]["bestaande_regisseur"] == {
        "soort": "professional",
        "team_id": REGISSEUR_TEAM,
        "medewerker_id": None,
    }


async def test_een_casus_voor_een_huishouden_met_regisseur_gaat_ook_naar_die_regisseur(ctx, engine):
    hh = huishouden()
    await pas_toe(ctx, regisseur(uuid.uuid4(), hh))
    casus = SignaalDoorgezet(
        casus_id=uuid.uuid4(),
        gemeente="GM1916",
        huishouden_id=hh,
        wijk="damsigt",
        signalen=[{"signaal_id": uuid.uuid4(), "partner_type": "woningcorporatie", "soort": "huurachterstand"}],
        reden="drempel",
        crisis=False,
        ontvangen_op=datetime.now(UTC),
    )
    await pas_toe(ctx, casus)
    [b] = await besluiten(ctx, casus.casus_id)
    assert (b["bron_soort"], b["regel_id"], b["team_id"]) == ("signaalcasus", "bekend-huishouden", REGISSEUR_TEAM)
    assert len(await doorverwijzingen(engine, casus.casus_id)) == 1


async def test_de_regisseur_van_een_gesloten_plan_is_vergeten_en_komt_met_een_late_toewijzing_niet_terug(ctx):
    hh, plan_id = huishouden(), uuid.uuid4()
    await pas_toe(ctx, regisseur(plan_id, hh))
    await pas_toe(ctx, afsluiting(plan_id, hh))
    await pas_toe(ctx, regisseur(plan_id, hh))  # a late (or redelivered) regisseur-toegewezen of the closed plan
    m = melding_data(hh)
    await pas_toe(ctx, m)
    [b] = await besluiten(ctx, m.melding_id)
    assert b["regel_id"] == "zorgmelding-ander" and b["team_id"] != REGISSEUR_TEAM


async def test_een_afsluiting_die_voor_de_toewijzing_komt_wint_ook(ctx):
    hh, plan_id = huishouden(), uuid.uuid4()
    await pas_toe(ctx, afsluiting(plan_id, hh))  # plan-afgesloten overtook regisseur-toegewezen (another stream)
    await pas_toe(ctx, regisseur(plan_id, hh))
    m = melding_data(hh)
    await pas_toe(ctx, m)
    assert (await besluiten(ctx, m.melding_id))[0]["regel_id"] == "zorgmelding-ander"


async def test_een_nieuw_plan_na_een_gesloten_plan_geeft_weer_een_regisseur(ctx):
    hh, oud, nieuw = huishouden(), uuid.uuid4(), uuid.uuid4()
    await pas_toe(ctx, regisseur(oud, hh))
    await pas_toe(ctx, afsluiting(oud, hh))
    await pas_toe(ctx, regisseur(nieuw, hh, team="gm1916-lokale-kamer"))
    await pas_toe(ctx, afsluiting(oud, hh))  # a redelivered closing of the old plan leaves the new one alone
    m = melding_data(hh)
    await pas_toe(ctx, m)
    [b] = await besluiten(ctx, m.melding_id)
    assert (b["regel_id"], b["team_id"]) == ("bekend-huishouden", "gm1916-lokale-kamer")


async def test_van_twee_overdrachten_in_omgekeerde_volgorde_blijft_de_nieuwste(ctx):
    hh, plan_id, nu = huishouden(), uuid.uuid4(), datetime.now(UTC)
    await pas_toe(ctx, regisseur(plan_id, hh, team="gm1916-lokale-kamer"), tijd=nu)
    await pas_toe(ctx, regisseur(plan_id, hh, team=REGISSEUR_TEAM), tijd=nu - timedelta(seconds=5))
    m = melding_data(hh)
    await pas_toe(ctx, m)
    assert (await besluiten(ctx, m.melding_id))[0]["team_id"] == "gm1916-lokale-kamer"


async def samen_toe(ctx, *stappen: tuple[Data, datetime | None]) -> None:
    """Several events through the handler table in one unit of work, as a fetched batch is applied."""
    async with ctx.uows() as uow:
        for data, tijd in stappen:
            event = maak_event(data, service="test", gemeente="GM1916", subject="s", correlatieid="corr")
            await handlers.handlers(ctx)[type(data)](event.model_copy(update={"time": tijd or event.time}), uow)
        await uow.commit()


async def test_overdrachten_in_een_batch_gelden_in_hun_volgorde_ook_voor_een_melding_erna(ctx):
    """The upserts of a batch are held back and written in one go: the newest hand-over still wins, of two
    in one batch in reverse order as of two in one go; and a melding in the same transaction sees them."""
    hh, ander, plan_id, nu = huishouden(), huishouden(), uuid.uuid4(), datetime.now(UTC)
    m = melding_data(hh)
    await samen_toe(
        ctx,
        (regisseur(plan_id, hh, team="gm1916-lokale-kamer"), nu),
        (regisseur(uuid.uuid4(), ander), nu),
        (regisseur(plan_id, hh, team=REGISSEUR_TEAM), nu - timedelta(seconds=5)),
        (m, None),
    )
    [b] = await besluiten(ctx, m.melding_id)
    assert (b["regel_id"], b["team_id"]) == ("bekend-huishouden", "gm1916-lokale-kamer")
    m2 = melding_data(ander)
    await pas_toe(ctx, m2)
    assert (await besluiten(ctx, m2.melding_id))[0]["team_id"] == REGISSEUR_TEAM


async def test_een_batch_meldingen_leest_de_regisseurs_een_keer_en_besluit_als_een_voor_een(ctx):
    """As the bus applies a fetched batch (shared/bundel.py, MetVooraf): the regisseurs of the batch's
    households read at once first. A household with a regisseur goes to him, twice in one batch too; a
    household without one follows the rules."""
    hh, onbekend = huishouden(), huishouden()
    await pas_toe(ctx, regisseur(uuid.uuid4(), hh, team="gm1916-lokale-kamer"))
    meldingen = [melding_data(hh), melding_data(onbekend), melding_data(hh)]
    events = [maak_event(m, service="test", gemeente="GM1916", subject="s", correlatieid="c") for m in meldingen]
    handler = handlers.handlers(ctx)[MeldingGeregistreerd]
    assert isinstance(handler, MetVooraf)
    durable = consumer("triage-meldingen")
    enkel = verwerker(durable, handler, ctx.uows, tables.inbox)
    bundel = Bundel(durable, handler, ctx.uows, tables.inbox, None, lees_voor, enkel)
    invoer = [Invoer(e.nats_subject, e.model_dump_json().encode(), otel_context.get_current()) for e in events]
    assert [nieuw for _, nieuw in await bundel(invoer)] == [True, True, True]
    besloten = [(await besluiten(ctx, m.melding_id))[0] for m in meldingen]
    assert [(b["regel_id"], b["team_id"]) for b in (besloten[0], besloten[2])] == [
        ("bekend-huishouden", "gm1916-lokale-kamer")
    ] * 2
    assert besloten[1]["regel_id"] != "bekend-huishouden"


async def test_besluiten_alleen_voor_de_eigen_gemeente_en_voor_een_wijkcoach_alleen_van_zijn_teams(ctx):
    m = melding_data(huishouden())
    await pas_toe(ctx, m)
    [b] = await besluiten(ctx, m.melding_id)
    eigen = Gebruiker(sub="wc1", rol=Rol.wijkcoach, gemeente="GM1916", teams=[b["team_id"]])
    ander_team = Gebruiker(sub="wc2", rol=Rol.wijkcoach, gemeente="GM1916", teams=["gm1916-lokale-kamer"])
    assert await besluiten(ctx, m.melding_id, eigen) == [b]
    assert await besluiten(ctx, m.melding_id, ander_team) == []
    assert await besluiten(ctx, m.melding_id, Gebruiker(sub="x", rol=Rol.beheer, gemeente="GM0637")) == []


async def test_proef_geeft_het_besluit_van_de_regels_en_schrijft_niets(ctx, engine):
    voor = (await tel(engine, tables.besluiten), await tel(engine, tables.outbox))
    data = melding_data(huishouden()).model_dump(mode="json")
    proef = usecases.proef(ctx.gemeenten, BEHEER, "GM1916", data, bekend_huishouden=False).model_dump()
    bekend = usecases.proef(ctx.gemeenten, BEHEER, "GM1916", data, bekend_huishouden=True).model_dump()
    assert (proef["regel_id"], proef["route"]) == ("zorgmelding-ander", "meldpunt_bezorgd")
    assert (bekend["regel_id"], bekend["route"]) == ("bekend-huishouden", "sociale_basis")  # no regisseur to go to
    assert (await tel(engine, tables.besluiten), await tel(engine, tables.outbox)) == voor

    # The same decision as the use case that stores it.
    await pas_toe(ctx, MeldingGeregistreerd.model_validate(data))
    [b] = await besluiten(ctx, data["melding_id"])
    assert {k: b[k] for k in ("regel_id", "route", "team_id", "termijn_tot")} == {
        k: proef[k] for k in ("regel_id", "route", "team_id", "termijn_tot")
    }


async def test_proef_weigert_per_veld_een_andere_gemeente_en_een_onbekende(ctx):
    with pytest.raises(OngeldigeInvoer) as fout:
        usecases.proef(ctx.gemeenten, BEHEER, "GM1916", {"gemeente": "GM1916"}, bekend_huishouden=False)
    assert {pad[0] for pad, _ in fout.value.fouten} >= {"soort", "ontvangen_op"}
    with pytest.raises(GeenToegang):
        usecases.proef(ctx.gemeenten, BEHEER, "GM0637", {}, bekend_huishouden=False)
    with pytest.raises(NietGevonden):
        usecases.regels_van(ctx.gemeenten, Gebruiker(sub="x", rol=Rol.beheer, gemeente="GM9999"), "GM9999")
    assert usecases.regels_van(ctx.gemeenten, BEHEER, "GM1916")[-1].als == {}  # the last rule matches all
