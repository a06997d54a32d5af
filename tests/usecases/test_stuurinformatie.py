"""Stuurinformatie's figures against a stream of events made for them, counted by hand: each indicator,
the period and the wijk, suppression where the counts are small, and that a fact is kept once. GM0637 in
March 2025, which no other test writes to."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from services.stuurinformatie import handlers, tables, usecases
from services.stuurinformatie.domain import Periode
from shared.auth import Gebruiker, Rol
from shared.bus import verwerker
from shared.events import (
    AanvraagGeregistreerd,
    BeschikkingAfgegeven,
    BeschikkingVoorziening,
    BezwaarBeslist,
    CasusAfgesloten,
    Doel,
    DoorverwijzingAanvaard,
    DoorverwijzingGedaan,
    KlachtAfgehandeld,
    LichtContactGeregistreerd,
    LichtContactOmgezet,
    MeldingGeregistreerd,
    Omvang,
    PlanAfgesloten,
    PlanOpgesteld,
    Regisseur,
    SignaalDoorgezet,
    SignaalInCasus,
    SignaalOntvangen,
    TermijnVerstreken,
    Veiligheid,
    maak_event,
)
from shared.topology import consumer
from shared.weigeringen import GeenToegang, NietGevonden, OngeldigeInvoer

GM = "GM0637"
MAART = Periode(date(2025, 3, 1), date(2025, 3, 31))
BELEID = Gebruiker(sub="b", rol=Rol.beleid, gemeente=GM)
T0 = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
TEAM = "gm0637-wijkcoaches-stadscentrum"


def sleutel() -> str:
    return uuid.uuid4().hex * 2


@pytest.fixture
def ctx(context):
    return context("stuurinformatie")


async def stuur(ctx, data, tijd: datetime = T0, gemeente: str = GM) -> None:
    event = maak_event(data, service="test", gemeente=gemeente, subject="test", correlatieid="test")
    event = event.model_copy(update={"time": tijd})
    handler = handlers.handlers(ctx)[type(data)]
    async with ctx.uows() as uow:
        await handler(event, uow)
        await uow.commit()


def melding(kanaal="telefoon", soort="hulpvraag", melder="inwoner_zelf", wijk="dorp", op=T0, hid=None, gemeente=GM):
    return MeldingGeregistreerd(
        melding_id=uuid.uuid4(),
        gemeente=gemeente,
        ontvangen_op=op,
        kanaal=kanaal,
        soort=soort,
        melder_type=melder,
        huishouden_id=hid or sleutel(),
        persoon_sleutels=[sleutel()],
        leeftijdscategorie="23-64",
        wijk=wijk,
        levensgebieden=[],
        zrm={},
        veiligheid=Veiligheid(),
        crisis=False,
        spoed=False,
        gevraagde_voorzieningen=[],
        inwoner_op_de_hoogte=True,
    )


def doorverwijzing(m: MeldingGeregistreerd, route: str, termijn_tot: datetime, grondslag="outreach-2-werkdagen"):
    return DoorverwijzingGedaan(
        doorverwijzing_id=uuid.uuid4(),
        gemeente=GM,
        bron_id=m.melding_id,
        bron_soort="melding",
        huishouden_id=m.huishouden_id,
        wijk=m.wijk,
        route=route,
        team_id=TEAM,
        urgentie="regulier",
        termijn_tot=termijn_tot,
        termijn_grondslag=grondslag,
        regel_id="t",
        toelichting="t",
        ontvangen_op=m.ontvangen_op,
    )


def aanvaard(m: MeldingGeregistreerd, na: timedelta):
    return DoorverwijzingAanvaard(
        doorverwijzing_id=uuid.uuid4(),
        bron_id=m.melding_id,
        bron_soort="melding",
        plan_id=uuid.uuid4(),
        huishouden_id=m.huishouden_id,
        team_id=TEAM,
        nieuw_plan=True,
        aanvaard_op=m.ontvangen_op + na,
    )


def cellen(ind: dict) -> dict:
    return {c["sleutel"]: c["aantal"] for c in ind["cellen"]}


async def figuren(ctx, wijk: str | None = None, p: Periode = MAART) -> dict:
    async with ctx.uows() as uow:
        return (await usecases.stuurinformatie(uow, BELEID, ctx.gemeenten, GM, p, wijk))["indicatoren"]


async def test_de_figuren_van_een_maand_met_de_hand_nageteld(ctx):
    # 12 meldingen in March: 6 by phone (dorp), 5 at the balie (palenstein), 1 digital (dorp).
    meldingen = (
        [melding("telefoon", op=T0 + timedelta(days=i)) for i in range(6)]
        + [melding("balie", soort="zorgmelding", melder="buur", wijk="palenstein") for _ in range(5)]
        + [melding("digitaal")]
    )
    for m in meldingen:
        await stuur(ctx, m)
    # Outside the period and of another gemeente: not counted.
    await stuur(ctx, melding(op=datetime(2025, 4, 1, 10, tzinfo=UTC)))
    await stuur(ctx, melding(gemeente="GM0546", wijk=None), gemeente="GM0546")
    # Routes: the 5 balie meldingen to Meldpunt Bezorgd, the 6 by phone to the wijkteam (deadline 12 March).
    for m in meldingen[6:11]:
        await stuur(ctx, doorverwijzing(m, "meldpunt_bezorgd", T0 + timedelta(days=2)))
    for m in meldingen[:6]:
        await stuur(ctx, doorverwijzing(m, "wijkteam", T0 + timedelta(days=2)))
    # Of the 11 deadlines (due 12 March), 5 were missed.
    for m in meldingen[:5]:
        await stuur(
            ctx,
            TermijnVerstreken(
                huishouden_id=m.huishouden_id,
                bron_id=m.melding_id,
                termijn_grondslag="outreach-2-werkdagen",
                termijn_tot=T0 + timedelta(days=2),
            ),
        )
    # Melding to plan: 1, 2, 3, 4, 5 and 10 hours for the first six; the balie ones all into care after 1 hour.
    for m, uren in zip(meldingen[:6], (1, 2, 3, 4, 5, 10), strict=True):
        await stuur(ctx, aanvaard(m, timedelta(hours=uren)))
    for m in meldingen[6:11]:
        await stuur(ctx, aanvaard(m, timedelta(hours=1)))
    f = await figuren(ctx)

    kanaal = f["meldingen_per_kanaal"]
    # digitaal (1) is below 5; balie (5) is suppressed with it, or 12 - 6 - 5 would give the 1 away.
    assert cellen(kanaal) == {"telefoon": 6, "balie": None, "digitaal": None} and kanaal["totaal"]["aantal"] == 12
    assert cellen(f["meldingen_per_soort"]) == {"hulpvraag": 7, "zorgmelding": 5}
    assert cellen(f["meldingen_per_melder"]) == {"inwoner_zelf": 7, "buur": 5}
    assert cellen(f["meldingen_per_route"]) == {"wijkteam": 6, "meldpunt_bezorgd": 5}
    assert f["meldingen_per_week"]["totaal"]["aantal"] == 12
    assert cellen(f["meldingen_per_week"]) == {"2025-03-10": 12}  # all between Monday 10 and Saturday 15 March
    [termijn] = f["termijnen"]["rijen"]
    assert (termijn["gesteld"]["aantal"], termijn["gehaald"]["aantal"], termijn["gemist"]["aantal"]) == (11, 6, 5)
    assert termijn["gehaald_procent"] == {"procent": 54.5, "onderdrukt": False}
    d = f["doorlooptijd_melding_plan"]
    # 1 1 1 1 1 1 2 3 4 5 10 (eleven): the median is the 6th, 1; the 90th percentile the ceil(9.9) = 10th, 5.
    assert (d["aantal"], d["mediaan"], d["p90"]) == (11, 1.0, 5.0)
    assert cellen(f["meldpunt_bezorgd"]) == {"gemeld": 5, "huishoudens_in_zorg": 5}

    # The wijk: the balie meldingen are palenstein's; there, everything is suppressed but the total.
    palenstein = await figuren(ctx, "palenstein")
    assert palenstein["meldingen_per_kanaal"]["totaal"]["aantal"] == 5
    assert cellen(palenstein["meldingen_per_soort"]) == {"zorgmelding": 5}
    assert cellen(palenstein["meldingen_per_route"]) == {"meldpunt_bezorgd": 5}  # the wijk of the doorverwijzing


async def test_wmo_contacten_vroegsignalering_waakvlam_zrm_en_bezwaren(ctx):
    p = Periode(date(2025, 5, 1), date(2025, 5, 31))
    mei = datetime(2025, 5, 6, 10, tzinfo=UTC)
    # Aanvragen: 6 for begeleiding-individueel, 5 also for dagbesteding; beschikkingen for the first 5, 2 as pgb.
    aanvragen = []
    for i in range(6):
        voorzieningen = ["begeleiding-individueel"] + (["dagbesteding"] if i < 5 else [])
        a = AanvraagGeregistreerd(
            aanvraag_id=uuid.uuid4(),
            plan_id=uuid.uuid4(),
            huishouden_id=sleutel(),
            voorzieningen=voorzieningen,
            ontvangen_op=mei,
        )
        aanvragen.append(a)
        await stuur(ctx, a, mei)
    omvang = Omvang(volume=3, eenheid="uur", frequentie="week")
    for i, a in enumerate(aanvragen[:5]):
        vorm = "pgb" if i < 2 else "zin"
        b = BeschikkingAfgegeven(
            beschikking_id=uuid.uuid4(),
            plan_id=a.plan_id,
            huishouden_id=a.huishouden_id,
            ingangsdatum=date(2025, 5, 20),
            einddatum=None,
            aanvraag_id=a.aanvraag_id,
            voorzieningen=[
                BeschikkingVoorziening(code="begeleiding-individueel", wet="wmo", omvang=omvang, leveringsvorm=vorm)
            ],
        )
        await stuur(ctx, b, mei + timedelta(days=4 + i))  # issued after 4, 5, 6, 7 and 8 days
        # A later version (a change) is no second grant.
        await stuur(ctx, b.model_copy(update={"versie": 2, "reden_wijziging": "opschaling"}), mei + timedelta(days=20))
    # Lichte contacten: 7, about financien; 2 also about huisvesting; 6 answered, 1 referred; 1 answered one
    # later became a melding.
    contacten = []
    for i in range(7):
        c = LichtContactGeregistreerd(
            contact_id=uuid.uuid4(),
            gemeente=GM,
            geregistreerd_op=mei,
            kanaal="balie",
            wijk=None,
            themas=["financien"] + (["huisvesting"] if i < 2 else []),
            uitkomst="verwezen_voorliggend_veld" if i == 6 else "beantwoord",
            aanbieder_id="gm0637-humanitas" if i == 6 else None,
        )
        contacten.append(c)
        await stuur(ctx, c, mei)
    await stuur(ctx, LichtContactOmgezet(contact_id=contacten[0].contact_id, melding_id=uuid.uuid4(), omgezet_op=mei))
    # Vroegsignalering: 8 signals (6 nieuw, 2 onder drempel), 6 casussen, 5 closed with contact, 5 help started.
    for i in range(8):
        await stuur(
            ctx,
            SignaalOntvangen(
                signaal_id=uuid.uuid4(),
                gemeente=GM,
                partner_id="gm0637-de-goede-woning",
                partner_type="woningcorporatie",
                soort="huurachterstand",
                huishouden_id=sleutel(),
                persoon_sleutel=None,
                bedrag_achterstand_cent=50_000,
                achterstand_sinds=date(2025, 3, 1),
                crisis=False,
                ontvangen_op=mei,
                beoordeling="nieuw" if i < 6 else "onder_drempel",
            ),
        )
    for i in range(6):
        hid = sleutel()
        casus = SignaalDoorgezet(
            casus_id=uuid.uuid4(),
            gemeente=GM,
            huishouden_id=hid,
            wijk="dorp",
            reden="drempel",
            signalen=[
                SignaalInCasus(signaal_id=uuid.uuid4(), partner_type="woningcorporatie", soort="huurachterstand")
            ],
            crisis=False,
            ontvangen_op=mei,
        )
        await stuur(ctx, casus)
        if i < 5:
            await stuur(
                ctx,
                CasusAfgesloten(
                    casus_id=casus.casus_id,
                    gemeente=GM,
                    huishouden_id=hid,
                    wijk="dorp",
                    resultaat="hulp_gestart",
                    afgesloten_op=mei + timedelta(days=9),
                    contact_gelegd=True,
                    uitzetting_voorkomen=i < 3,
                ),
            )
    # Waakvlam: 5 plans closed with one, 1 without.
    for i in range(6):
        await stuur(
            ctx,
            PlanAfgesloten(
                plan_id=uuid.uuid4(),
                huishouden_id=sleutel(),
                afgesloten_op=mei,
                resultaat="doelen_bereikt",
                waakvlam_op=date(2025, 8, 1) if i < 5 else None,
            ),
        )
    # ZRM: 5 plans whose financien went from 2 to 3 (version 1 in April, version 2 in May), one from 2 to 4.
    for i in range(6):
        plan_id, hid = uuid.uuid4(), sleutel()
        for versie, score, moment in ((1, 2, datetime(2025, 4, 2, tzinfo=UTC)), (2, 4 if i == 5 else 3, mei)):
            await stuur(
                ctx,
                PlanOpgesteld(
                    plan_id=plan_id,
                    huishouden_id=hid,
                    versie=versie,
                    regisseur=Regisseur(soort="professional", team_id=TEAM),
                    doelen=[Doel(levensgebied="financien", zrm_nu=score)],
                    voorzieningen=[],
                    evaluatie_op=date(2025, 9, 1),
                ),
                moment,
            )
    # Bezwaren: 5 ongegrond on time, 1 gegrond late.
    for i in range(6):
        await stuur(
            ctx,
            BezwaarBeslist(
                bezwaar_id=uuid.uuid4(),
                plan_id=uuid.uuid4(),
                huishouden_id=sleutel(),
                uitkomst="gegrond" if i == 5 else "ongegrond",
                besloten_op=date(2025, 5, 12),
                op_tijd=i < 5,
                verdaagd=False,
            ),
        )

    # Klachten: 6 handled, all ongegrond and on time.
    for _ in range(6):
        await stuur(
            ctx,
            KlachtAfgehandeld(
                klacht_id=uuid.uuid4(),
                plan_id=uuid.uuid4(),
                huishouden_id=sleutel(),
                uitkomst="ongegrond",
                afgehandeld_op=date(2025, 5, 14),
                op_tijd=True,
                verdaagd=False,
            ),
        )

    f = await figuren(ctx, p=p)
    assert cellen(f["wmo_gevraagd"]) == {"begeleiding-individueel": 6, "dagbesteding": 5}
    assert cellen(f["wmo_toegekend"]) == {"begeleiding-individueel": 5}
    # 2 pgb and 3 zin: both below 5.
    assert cellen(f["wmo_toegekend_per_leveringsvorm"]) == {"zin": None, "pgb": None}
    d = f["doorlooptijd_aanvraag_beschikking"]
    assert (d["aantal"], d["mediaan"], d["p90"]) == (5, 6.0, 8.0)
    assert cellen(f["lichte_contacten_per_thema"]) == {"financien": 7, "huisvesting": None}
    assert f["lichte_contacten_per_thema"]["totaal"]["aantal"] == 7
    # 5 answered, 1 referred, 1 became a melding: 7 in all, only the 5 may be shown... and then 2 would be the
    # rest of 7: two hidden cells, neither can be recovered.
    assert cellen(f["lichte_contacten_per_uitkomst"]) == {
        "beantwoord": 5,
        "verwezen_voorliggend_veld": None,
        "melding_gemaakt": None,
    }
    assert cellen(f["vroegsignalering"]) == {
        "signalen": 8,
        "casussen": 6,
        "contact_gelegd": 5,
        "hulp_gestart": 5,
        "uitzetting_voorkomen": None,
    }
    assert cellen(f["signalen_per_beoordeling"]) == {"nieuw": None, "onder_drempel": None}  # 6 and 2 of 8
    assert cellen(f["signalen_per_partnertype"]) == {"woningcorporatie": 8}
    assert cellen(f["signalen_per_soort"]) == {"huurachterstand": 8}
    assert cellen(f["klachten_per_uitkomst"]) == {"ongegrond": 6}
    klacht = {r["sleutel"]: r for r in f["termijnen"]["rijen"]}["awb-klacht"]
    assert (klacht["gesteld"]["aantal"], klacht["gemist"]["onderdrukt"]) == (6, True)  # 0 late: below 5
    assert cellen(f["huishoudens_in_waakvlam"]) == {"huishoudens": 5}
    [zrm] = f["zrm_verandering"]["rijen"]
    assert zrm["huishoudens"]["aantal"] == 6 and zrm["gemiddelde_verandering"] == round(7 / 6, 2)
    assert cellen(f["bezwaren_per_uitkomst"]) == {"ongegrond": None, "gegrond": None}  # 5 and 1 of 6
    assert {r["sleutel"]: r["gesteld"]["aantal"] for r in f["termijnen"]["rijen"]}["awb-bezwaar"] == 6


async def test_een_event_twee_keer_telt_een_keer(ctx):
    """Through the bus's apply-once path (the inbox in the fact's own transaction), as a redelivery comes."""
    p = Periode(date(2025, 6, 1), date(2025, 6, 30))
    m = melding(op=datetime(2025, 6, 3, 10, tzinfo=UTC))
    event = maak_event(m, service="test", gemeente=GM, subject="t", correlatieid="t")
    durable = consumer("stuurinformatie-meldingen")
    pas_toe = verwerker(durable, handlers.handlers(ctx)[MeldingGeregistreerd], ctx.uows, tables.inbox)
    uitkomsten = [await pas_toe(event.nats_subject, event.model_dump_json().encode()) for _ in range(2)]
    assert [nieuw for _, nieuw in uitkomsten] == [True, False]
    assert (await figuren(ctx, p=p))["meldingen_per_kanaal"]["totaal"] == {"aantal": None, "onderdrukt": True}
    for _ in range(4):
        await stuur(ctx, melding(op=datetime(2025, 6, 4, 10, tzinfo=UTC)))
    assert (await figuren(ctx, p=p))["meldingen_per_kanaal"]["totaal"]["aantal"] == 5


async def test_alleen_beleid_en_beheer_van_de_eigen_gemeente(ctx):
    async with ctx.uows() as uow:
        with pytest.raises(GeenToegang):
            await usecases.stuurinformatie(
                uow, Gebruiker(sub="w", rol=Rol.wijkcoach, gemeente=GM), ctx.gemeenten, GM, MAART, None
            )
        with pytest.raises(NietGevonden):
            await usecases.stuurinformatie(
                uow, Gebruiker(sub="b", rol=Rol.beleid, gemeente="GM1916"), ctx.gemeenten, GM, MAART, None
            )
        with pytest.raises(OngeldigeInvoer):
            await usecases.stuurinformatie(uow, BELEID, ctx.gemeenten, GM, MAART, "atlantis")
        beheer = Gebruiker(sub="x", rol=Rol.beheer, gemeente=GM)
        assert (await usecases.stuurinformatie(uow, beheer, ctx.gemeenten, GM, MAART, None))["gemeente"] == GM


async def test_de_csv_heeft_dezelfde_figuren_en_onderdrukking(ctx):
    async with ctx.uows() as uow:
        figuren_ = await usecases.stuurinformatie(uow, BELEID, ctx.gemeenten, GM, MAART, None)
    regels = usecases.als_csv(figuren_).splitlines()
    assert regels[1].split(";")[:6] == ["indicator", "titel", "categorie", "maat", "waarde", "onderdrukt"]
    kanaal = {r.split(";")[2]: r.split(";")[4:6] for r in regels if r.startswith("meldingen_per_kanaal;")}
    assert kanaal == {"telefoon": ["6", "nee"], "balie": ["", "ja"], "digitaal": ["", "ja"], "totaal": ["12", "nee"]}
