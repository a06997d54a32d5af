"""Mijn toegang against PostgreSQL: the inwoner reaches his own household (from his key, never from an id he
sends) and no other; his say reaches the regisseur's werkvoorraad; he keeps his own plan only when he is
regisseur; the processing log shows the reads of his data and only his; a zorgmelding about him does not
reveal the melder; his BSN is nowhere but in his token."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from services.arrangement import handlers as arr_handlers
from services.arrangement import schemas, usecases
from services.intake import usecases as intake
from services.intake.schemas import MeldingInvoer
from shared.auth import Gebruiker, Rol
from shared.events import MeldingGeregistreerd, Regisseur
from shared.levenscyclus import OngeldigeOvergang
from shared.privacy import persoon_sleutel_bsn
from shared.termijnen import TZ
from shared.weigeringen import GeenToegang, NietGevonden, OngeldigeInvoer
from tests.support.gegevens import LEIDSCHENDAM, geldig_bsn, melding, melding_geregistreerd
from tests.usecases.test_arrangement import WIJKCOACH, doe, nieuw_plan, rijen


def inwoner(bsn: str, gemeente: str = "GM1916") -> Gebruiker:
    return Gebruiker(sub=f"dev-inwoner-{uuid.uuid4().hex[:8]}", rol=Rol.inwoner, gemeente=gemeente, bsn=bsn)


@pytest.fixture
def ctx(context):
    return context("arrangement")


def sleutel_van(ctx) -> bytes:
    return ctx.instellingen.pseudoniem_sleutel.get_secret_value().encode()


async def lid_van(ctx, h: str, bsn: str) -> None:
    """melding-geregistreerd about this person in household h, through the handler table."""
    event = melding_geregistreerd(huishouden_id=h)
    data = event.data.model_copy(update={"persoon_sleutels": [persoon_sleutel_bsn(sleutel_van(ctx), bsn)]})
    event = event.model_copy(update={"data": data})
    async with ctx.uows() as uow:
        await arr_handlers.handlers(ctx)[MeldingGeregistreerd](event, uow)
        await uow.commit()


async def test_hij_ziet_zijn_eigen_huishouden_en_niet_dat_van_de_buren(ctx, engine):
    h, plan_id = await nieuw_plan(ctx, engine)
    buren, buren_plan = await nieuw_plan(ctx, engine)
    ik, buurman = geldig_bsn(), geldig_bsn()
    await lid_van(ctx, h, ik)
    await lid_van(ctx, buren, buurman)
    mijn = await doe(ctx, usecases.mijn_huishouden_lezen, inwoner(ik), sleutel_van(ctx))
    assert [o.plan.plan_id for o in mijn] == [plan_id]
    # The neighbour's plan id in a request of his: as if it did not exist.
    contact = schemas.Reactie(soort="contactverzoek", voorkeur="telefoon")
    with pytest.raises(NietGevonden):
        await doe(ctx, usecases.mijn_reactie, inwoner(ik), sleutel_van(ctx), buren_plan, contact)
    # The same BSN logged in at another gemeente reaches nothing here; staff (no BSN) get nothing either.
    assert await doe(ctx, usecases.mijn_huishouden_lezen, inwoner(ik, "GM0546"), sleutel_van(ctx)) == []
    with pytest.raises(GeenToegang):
        await doe(ctx, usecases.mijn_huishoudens, WIJKCOACH, sleutel_van(ctx))


async def test_zijn_mening_komt_in_de_werkvoorraad_van_de_regisseur(ctx, engine):
    h, plan_id = await nieuw_plan(ctx, engine)
    ik = geldig_bsn()
    await lid_van(ctx, h, ik)
    wie = inwoner(ik)
    with pytest.raises(OngeldigeInvoer) as fout:  # not agreeing needs a reason; an old version is not the plan
        await doe(
            ctx,
            usecases.mijn_reactie,
            wie,
            sleutel_van(ctx),
            plan_id,
            schemas.Reactie(soort="instemming", versie=7, akkoord=False),
        )
    assert [p for p, _ in fout.value.fouten] == [("versie",), ("reden",)]
    niet_eens = schemas.Reactie(soort="instemming", versie=1, akkoord=False, reden="te_weinig_hulp")
    reactie_id = await doe(ctx, usecases.mijn_reactie, wie, sleutel_van(ctx), plan_id, niet_eens)
    werk = await doe(ctx, usecases.werkvoorraad, WIJKCOACH, 0, 500)
    [t] = [r for r in werk if r["bron_id"] == reactie_id]
    assert (t["soort"], t["termijn_grondslag"], t["team_id"]) == ("reactie", "reactie-inwoner", LEIDSCHENDAM)
    [rij] = await rijen(engine, "SELECT * FROM arrangement.reacties WHERE reactie_id = :r", r=reactie_id)
    assert (rij["akkoord"], rij["gegevens"]) == (False, {"reden": "te_weinig_hulp", "doelen": {}})
    # A contact with the household answers him: it meets the deadline.
    poging = schemas.Contactpoging(soort="telefoon", bereikt=True, datum=_vandaag(), dagdeel="middag")
    await doe(ctx, usecases.contactpoging_registreren, WIJKCOACH, plan_id, poging)
    assert reactie_id not in {r["bron_id"] for r in await doe(ctx, usecases.werkvoorraad, WIJKCOACH, 0, 500)}


async def test_alleen_als_hij_zelf_regisseur_is_past_hij_zijn_plan_aan(ctx, engine):
    h, plan_id = await nieuw_plan(ctx, engine)
    ik = geldig_bsn()
    await lid_van(ctx, h, ik)
    versie = schemas.VersieInvoer(doelen=[{"levensgebied": "financien"}], evaluatie_op=_over(8))
    with pytest.raises(GeenToegang):
        await doe(ctx, usecases.mijn_versie, ctx.gemeenten, inwoner(ik), sleutel_van(ctx), plan_id, versie)
    overdracht = schemas.Overdracht(regisseur={"soort": "inwoner"}, reden="zelfredzaam")
    await doe(ctx, usecases.regie_overdragen, ctx.gemeenten, WIJKCOACH, plan_id, overdracht)
    v = await doe(ctx, usecases.mijn_versie, ctx.gemeenten, inwoner(ik), sleutel_van(ctx), plan_id, versie)
    assert v.plan.versie == 2 and v.plan.regisseur == Regisseur(soort="inwoner", team_id=LEIDSCHENDAM)
    [rij] = await rijen(
        engine, "SELECT opgesteld_door FROM arrangement.planversies WHERE plan_id = :p AND versie = 2", p=plan_id
    )
    assert rij["opgesteld_door"] == "inwoner"  # no employee, and not his BSN or key
    await doe(ctx, usecases.plan_afsluiten, WIJKCOACH, plan_id, schemas.Afsluiting(resultaat="doelen_bereikt"))
    with pytest.raises(OngeldigeOvergang):  # a closed plan is not changed, also not by him
        await doe(ctx, usecases.mijn_versie, ctx.gemeenten, inwoner(ik), sleutel_van(ctx), plan_id, versie)


async def test_wie_zijn_gegevens_las_en_alleen_de_zijne(ctx, engine):
    h, _ = await nieuw_plan(ctx, engine)
    buren, _ = await nieuw_plan(ctx, engine)
    ik = geldig_bsn()
    await lid_van(ctx, h, ik)
    await doe(ctx, usecases.huishouden_lezen, WIJKCOACH, h)
    await doe(ctx, usecases.huishouden_lezen, WIJKCOACH, buren)
    gelezen = await doe(ctx, usecases.mijn_verwerkingen, inwoner(ik), sleutel_van(ctx))
    assert [(r["verwerkingsactiviteit"], r["actor"]) for r in gelezen] == [("huishouden inzien", WIJKCOACH.actor)]


async def test_een_zorgmelding_over_hem_verraadt_de_melder_niet(context):
    ctx = context("intake")
    ik = geldig_bsn()
    sleutel = ctx.extra["pseudoniem_sleutel"]
    meldpunt = Gebruiker(sub="mp", rol=Rol.meldpunt, gemeente="GM1916")
    buur = melding(huisnummer=950, bsn=ik)  # a neighbour's zorgmelding about him (test data: melder buur)
    zelf = {**melding(huisnummer=950, bsn=ik), "soort": "hulpvraag", "melder": {"type": "inwoner_zelf"}}
    for body in (buur, zelf):
        await intake.registreer_melding(
            ctx.uows,
            MeldingInvoer.model_validate(body),
            meldpunt,
            None,
            gemeenten=ctx.gemeenten,
            kluis=ctx.extra["kluis"],
            pseudoniem_sleutel=sleutel,
        )
    async with ctx.uows() as uow:
        mijn = await intake.mijn_meldingen(uow, inwoner(ik), sleutel)
        await uow.commit()
    assert sorted((m["zelf_gemeld"], m["soort"]) for m in mijn) == [(False, None), (True, "hulpvraag")]
    assert set(mijn[0]) == {"melding_id", "ontvangen_op", "status", "zelf_gemeld", "soort", "soort_team"}
    async with ctx.uows() as uow:
        gelezen = await intake.mijn_verwerkingen(uow, inwoner(ik), sleutel)
    assert [r.verwerkingsactiviteit for r in gelezen] == ["eigen meldingen inzien"]


def test_zijn_bsn_staat_niet_in_de_gebruiker_zoals_die_gelogd_of_bewaard_wordt():
    wie = inwoner("111222333")
    assert "111222333" not in repr(wie) + str(wie.model_dump()) + wie.actor
    assert wie.persoon_sleutel(b"k" * 32) == persoon_sleutel_bsn(b"k" * 32, "111222333")
    assert Gebruiker(sub="w", rol=Rol.wijkcoach, gemeente="GM1916").persoon_sleutel(b"k" * 32) is None


def _vandaag():
    return datetime.now(TZ).date()


def _over(weken: int):
    return _vandaag() + timedelta(weeks=weken)
