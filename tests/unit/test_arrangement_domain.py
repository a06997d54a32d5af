"""Arrangement's pure domain: the invariant (one plan, one regisseur per household), the regisseur and the
gemeente's rule, plan versions against the catalogue, beschikkingen, deadlines."""

import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from services.arrangement import domain
from services.arrangement.domain import (
    AanvraagInvoer,
    BeschiktItem,
    Evaluatie,
    Huishoudens,
    Overdracht,
    RegisseurInvoer,
    VersieInvoer,
    WijzigingInvoer,
)
from shared.events import DoorverwijzingGedaan, Regisseur
from shared.gemeenten import laad_gemeenten
from shared.termijnen import TZ

GEMEENTEN = laad_gemeenten(Path(__file__).resolve().parents[2] / "config" / "gemeenten")
LV, ZM = GEMEENTEN["GM1916"], GEMEENTEN["GM0637"]
NU = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday
VANDAAG = NU.astimezone(TZ).date()
OMVANG = {"volume": 3, "eenheid": "uur", "frequentie": "week"}


def doorverwijzing(huishouden: str = "a" * 64, **over) -> DoorverwijzingGedaan:
    velden = dict(
        doorverwijzing_id=uuid.uuid4(),
        gemeente="GM1916",
        bron_id=uuid.uuid4(),
        bron_soort="melding",
        huishouden_id=huishouden,
        wijk="damsigt",
        route="wijkteam",
        team_id="gm1916-gebiedsteam-leidschendam",
        urgentie="regulier",
        termijn_tot=NU + timedelta(days=3),
        termijn_grondslag="outreach-2-werkdagen",
        regel_id="test",
        toelichting="test",
    )
    velden.update(over)
    return DoorverwijzingGedaan(**velden)


def plan(**over) -> domain.Plan:
    velden = dict(
        plan_id=uuid.uuid4(),
        huishouden_id="a" * 64,
        versie=1,
        regisseur=Regisseur(soort="professional", team_id="gm1916-gebiedsteam-leidschendam"),
        evaluatie_op=VANDAAG + timedelta(weeks=13),
        wijk="damsigt",
    )
    velden.update(over)
    return domain.Plan(**velden)


# --- the invariant ------------------------------------------------------------------------------------


def test_eerste_doorverwijzing_start_een_plan_met_het_team_als_regisseur_en_een_evaluatiedatum():
    d = doorverwijzing()
    uitkomst = domain.neem_aan(d, None, NU)
    assert isinstance(uitkomst, domain.NieuwPlan)
    assert uitkomst.plan.regisseur == Regisseur(soort="professional", team_id=d.team_id)
    assert uitkomst.plan.evaluatie_op == VANDAAG + timedelta(weeks=13) and uitkomst.plan.wijk == "damsigt"


def test_latere_doorverwijzing_sluit_aan_en_een_warme_overdracht_wordt_genegeerd():
    bestaand = plan()
    assert domain.neem_aan(doorverwijzing(team_id="gm1916-schuldhulp"), bestaand, NU) == domain.SluitAan(bestaand)
    assert isinstance(domain.neem_aan(doorverwijzing(bron_soort="plan"), None, NU), domain.Negeer)
    assert isinstance(domain.neem_aan(doorverwijzing(bron_soort="plan"), bestaand, NU), domain.Negeer)


HUISHOUDENS = ["a" * 64, "b" * 64, "c" * 64]
TEAMS = ["gm1916-gebiedsteam-leidschendam", "gm1916-schuldhulp", "gm1916-lokale-kamer", "gm1916-wmo-consulenten"]
stap = st.one_of(
    st.tuples(st.just("melding"), st.sampled_from(HUISHOUDENS), st.sampled_from(TEAMS)),
    st.tuples(st.just("signaalcasus"), st.sampled_from(HUISHOUDENS), st.sampled_from(TEAMS)),
    st.tuples(st.just("plan"), st.sampled_from(HUISHOUDENS), st.sampled_from(TEAMS)),  # warm handover, back
    st.tuples(
        st.just("overdracht"),
        st.sampled_from(HUISHOUDENS),
        st.sampled_from([*TEAMS, "inwoner", "netwerk", "onbekend-team"]),
    ),
    st.tuples(st.just("afsluiten"), st.sampled_from(HUISHOUDENS), st.none()),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(stap, max_size=40))
def test_elke_reeks_gebeurtenissen_laat_hoogstens_een_plan_en_een_regisseur_per_huishouden(stappen):
    h = Huishoudens()
    actief_sinds: dict[str, uuid.UUID] = {}
    for soort, huishouden, arg in stappen:
        voor = h.actief(huishouden)
        if soort in ("melding", "signaalcasus", "plan"):
            d = doorverwijzing(huishouden, bron_soort=soort, team_id=arg)
            uitkomst = h.ontvang(d, NU)
            if soort == "plan":  # a handover out never starts or joins a plan
                assert isinstance(uitkomst, domain.Negeer) and h.actief(huishouden) == voor
            elif voor is not None:  # a later arrival joins the plan and leaves its regisseur alone
                assert uitkomst.plan.plan_id == voor.plan_id and h.actief(huishouden).regisseur == voor.regisseur
                assert h.tijdlijn[voor.plan_id][-1] == d.doorverwijzing_id
            else:
                actief_sinds[huishouden] = uitkomst.plan.plan_id
        elif soort == "overdracht":
            invoer = (
                RegisseurInvoer(soort=arg)
                if arg in ("inwoner", "netwerk")
                else RegisseurInvoer(soort="professional", team_id=arg)
            )
            fouten = h.draag_over(huishouden, invoer, LV)
            assert bool(fouten) == (voor is None or arg == "onbekend-team")
        else:
            h.sluit_af(huishouden)
            actief_sinds.pop(huishouden, None)
        # The invariant, after every step.
        for hh in HUISHOUDENS:
            actief = [p for p in h.plannen.values() if p.huishouden_id == hh and p.status == "actief"]
            assert len(actief) <= 1
            if actief:
                assert actief[0].plan_id == actief_sinds[hh]
                assert actief[0].regisseur.team_id is not None  # someone always holds the regie
    # One first regisseur per plan: every plan was started exactly once.
    eerste = [plan_id for plan_id, _ in h.toegewezen]
    assert set(eerste) == set(h.plannen) and len(h.plannen) == len({p for p in eerste})


# --- regisseur ------------------------------------------------------------------------------------------


def test_overdracht_aan_inwoner_houdt_het_team_op_de_achtergrond_en_een_professional_heeft_een_team_nodig():
    huidig = Regisseur(soort="professional", team_id="gm1916-gebiedsteam-leidschendam", medewerker_id="jan")
    inwoner, fouten = domain.nieuwe_regisseur(RegisseurInvoer(soort="inwoner"), huidig, LV, False)
    assert not fouten and inwoner == Regisseur(soort="inwoner", team_id="gm1916-gebiedsteam-leidschendam")
    _, fouten = domain.nieuwe_regisseur(RegisseurInvoer(soort="professional"), huidig, LV, False)
    assert [p for p, _ in fouten] == [("regisseur", "team_id")]
    _, fouten = domain.nieuwe_regisseur(RegisseurInvoer(soort="netwerk", medewerker_id="piet"), huidig, LV, False)
    assert [p for p, _ in fouten] == [("regisseur", "medewerker_id")]
    _, fouten = domain.nieuwe_regisseur(RegisseurInvoer(soort="professional", team_id="gm0637-iets"), huidig, LV, False)
    assert [p for p, _ in fouten] == [("regisseur", "team_id")]


def test_multiprobleem_blijft_bij_de_lokale_kamer_in_gm1916_en_bij_het_wijkteam_elders():
    assert domain.regieroute(LV) == "lokale_kamer" and domain.regieroute(ZM) == "wijkteam"
    huidig = Regisseur(soort="professional", team_id="gm1916-lokale-kamer")
    for invoer in (
        RegisseurInvoer(soort="inwoner"),
        RegisseurInvoer(soort="professional", team_id="gm1916-gebiedsteam-leidschendam"),
    ):
        _, fouten = domain.nieuwe_regisseur(invoer, huidig, LV, is_multiprobleem=True)
        assert [p for p, _ in fouten] == [("regisseur",)]
    r, fouten = domain.nieuwe_regisseur(
        RegisseurInvoer(soort="professional", team_id="gm1916-lokale-kamer", medewerker_id="an"), huidig, LV, True
    )
    assert not fouten and r.medewerker_id == "an"
    wijkteam = next(t for t in ZM.teams if t.route == "wijkteam")
    _, fouten = domain.nieuwe_regisseur(
        RegisseurInvoer(soort="professional", team_id=wijkteam.id),
        Regisseur(soort="professional", team_id=wijkteam.id),
        ZM,
        True,
    )
    assert not fouten


def test_overdracht_kent_alleen_redenen_als_code():
    import pytest
    from pydantic import ValidationError

    assert Overdracht(regisseur={"soort": "inwoner"}, reden="zelfredzaam").reden == "zelfredzaam"
    with pytest.raises(ValidationError):
        Overdracht(regisseur={"soort": "inwoner"}, reden="mevrouw Jansen wil het zelf")  # no free text


# --- plan versions ----------------------------------------------------------------------------------------


def versie(**over) -> VersieInvoer:
    velden = dict(
        doelen=[{"levensgebied": "financien", "zrm_nu": 2, "zrm_doel": 4}],
        voorzieningen=[
            {"code": "mantelzorg"},
            {"code": "amw"},
            {"code": "huishoudelijke-ondersteuning", "omvang": OMVANG},
        ],
        mantelzorg={"aanwezig": True, "uren_per_week": 6, "belastbaarheid": "beperkt"},
        gebruikelijke_zorg={"van_toepassing": True, "uren_per_week": 2},
        evaluatie_op=VANDAAG + timedelta(weeks=8),
    )
    velden.update(over)
    return VersieInvoer(**velden)


def test_planversie_neemt_soort_en_wet_uit_de_catalogus_en_telt_op():
    v, fouten = domain.stel_versie_op(plan(), versie(), LV, set(), VANDAAG)
    assert not fouten and v.plan.versie == 2 and v.plan.evaluatie_op == VANDAAG + timedelta(weeks=8)
    assert [(i["code"], i["soort"], i["wet"]) for i in v.voorzieningen] == [
        ("mantelzorg", "informeel", None),
        ("amw", "algemeen", None),
        ("huishoudelijke-ondersteuning", "maatwerk", "wmo"),
    ]
    assert v.voorzieningen[2]["omvang"] == {"volume": 3.0, "eenheid": "uur", "frequentie": "week"}
    assert v.mantelzorg["belastbaarheid"] == "beperkt" and v.gebruikelijke_zorg["van_toepassing"] is True
    assert not v.regie_overgedragen


def test_planversie_weigert_onbekende_code_dubbel_levensgebied_en_evaluatie_in_het_verleden():
    _, fouten = domain.stel_versie_op(
        plan(),
        versie(
            voorzieningen=[{"code": "amw"}, {"code": "astrologie"}],
            doelen=[{"levensgebied": "financien"}, {"levensgebied": "financien"}, {"levensgebied": "geluk"}],
            evaluatie_op=VANDAAG - timedelta(days=1),
        ),
        LV,
        set(),
        VANDAAG,
    )
    assert {p for p, _ in fouten} == {
        ("voorzieningen", 1, "code"),
        ("doelen", 1, "levensgebied"),
        ("doelen", 2, "levensgebied"),
        ("evaluatie_op",),
    }


def test_evaluatiedatum_is_verplicht():
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as fout:
        VersieInvoer(doelen=[], voorzieningen=[])
    assert fout.value.errors()[0]["loc"] == ("evaluatie_op",)


def test_maatwerk_wordt_pas_actief_met_een_beschikking_informeel_wel_zonder():
    actief = [
        {"code": "huishoudelijke-ondersteuning", "omvang": OMVANG, "status": "actief"},
        {"code": "mantelzorg", "status": "actief"},
    ]
    _, fouten = domain.stel_versie_op(plan(), versie(voorzieningen=actief), LV, set(), VANDAAG)
    assert [p for p, _ in fouten] == [("voorzieningen", 0, "status")]
    v, fouten = domain.stel_versie_op(
        plan(), versie(voorzieningen=actief), LV, {"huishoudelijke-ondersteuning"}, VANDAAG
    )
    assert not fouten and [i["status"] for i in v.voorzieningen] == ["actief", "actief"]


def test_versie_die_een_multiprobleemhuishouden_toont_brengt_de_regie_naar_de_lokale_kamer():
    doelen = [{"levensgebied": g, "zrm_nu": 2} for g in ("financien", "huisvesting", "sociaal_netwerk")]
    v, _ = domain.stel_versie_op(plan(), versie(doelen=doelen), LV, set(), VANDAAG)
    assert v.regie_overgedragen and v.plan.regisseur == Regisseur(soort="professional", team_id="gm1916-lokale-kamer")
    # Already with the Lokale Kamer: no handover.
    bij_lk = plan(regisseur=Regisseur(soort="professional", team_id="gm1916-lokale-kamer", medewerker_id="an"))
    v, _ = domain.stel_versie_op(bij_lk, versie(doelen=doelen), LV, set(), VANDAAG)
    assert not v.regie_overgedragen and v.plan.regisseur.medewerker_id == "an"
    # Elsewhere: the wijkteam of the household's wijk.
    wijk = ZM.wijken[0].id
    v, _ = domain.stel_versie_op(
        plan(wijk=wijk, regisseur=Regisseur(soort="inwoner", team_id=None)),
        versie(doelen=doelen, voorzieningen=[]),
        ZM,
        set(),
        VANDAAG,
    )
    assert v.plan.regisseur.team_id == ZM.team_voor("wijkteam", wijk).id


# --- aanvragen, beschikkingen, deadlines -------------------------------------------------------------


def test_aanvraag_alleen_voor_maatwerk_uit_de_catalogus():
    fouten = domain.controleer_aanvraag(AanvraagInvoer(voorzieningen=["dagbesteding", "amw", "onzin"]), LV, NU)
    assert [p for p, _ in fouten] == [("voorzieningen", 1), ("voorzieningen", 2)]


def test_beschikkingstermijn_twee_weken_bij_de_wmo_consulenten_en_doorlopend_na_het_weekend():
    vrijdag = datetime(2026, 11, 13, 15, 0, tzinfo=UTC)  # + 14 days = Friday 27 November
    t = domain.beschikkingstermijn(uuid.uuid4(), vrijdag, LV, plan())
    assert (t.soort, t.termijn_grondslag, t.team_id) == (
        "beschikking",
        "wmo-beschikking-2-weken",
        "gm1916-wmo-consulenten",
    )
    assert t.termijn_tot == datetime(2026, 11, 27, 23, 59, 59, tzinfo=TZ)
    zaterdag_eind = datetime(2026, 11, 14, 10, 0, tzinfo=UTC)  # + 14 = Saturday: runs to Monday
    assert domain.beschikkingstermijn(uuid.uuid4(), zaterdag_eind, LV, plan()).termijn_tot.date() == date(2026, 11, 30)


def test_termijnen_van_een_doorverwijzing_bij_de_wmo_consulent_en_bij_een_lopend_plan():
    d = doorverwijzing(
        route="wmo_consulent", team_id="gm1916-wmo-consulenten", termijn_grondslag="spoed-48-uur", ontvangen_op=NU
    )
    nieuw = domain.termijnen_van_doorverwijzing(
        d, plan(regisseur=Regisseur(soort="professional", team_id=d.team_id)), True, LV, NU
    )
    assert [(t.soort, t.termijn_grondslag) for t in nieuw] == [
        ("doorverwijzing", "spoed-48-uur"),
        ("wmo-onderzoek", "wmo-onderzoek-6-weken"),
    ]
    assert nieuw[1].termijn_tot == datetime(2027, 1, 4, 23, 59, 59, tzinfo=TZ)  # 4 Jan: 6 weeks after 23 Nov
    # Already the onderzoek's own deadline: not twice.
    enkel = domain.termijnen_van_doorverwijzing(
        doorverwijzing(termijn_grondslag="wmo-onderzoek-6-weken", route="wmo_consulent"), plan(), True, LV, NU
    )
    assert [t.soort for t in enkel] == ["wmo-onderzoek"]
    # Joining a running plan: the regisseur's deadline, flagged as a signal for him.
    regisseur = Regisseur(soort="professional", team_id="gm1916-lokale-kamer", medewerker_id="an")
    lopend = domain.termijnen_van_doorverwijzing(
        doorverwijzing(team_id="gm1916-schuldhulp"), plan(regisseur=regisseur), False, LV, NU
    )
    assert [(t.team_id, t.medewerker_id, t.bij_lopend_plan) for t in lopend] == [("gm1916-lokale-kamer", "an", True)]


def test_wijziging_van_een_beschikking_gaat_in_tijdens_haar_looptijd():
    items = [BeschiktItem(code="begeleiding-individueel", productcode="02A01", omvang=OMVANG)]
    begin, eind = date(2026, 12, 1), date(2027, 11, 30)
    goed = WijzigingInvoer(voorzieningen=items, ingangsdatum=date(2027, 3, 1), reden_wijziging="opschaling")
    assert domain.controleer_wijziging(goed, begin, eind, LV) == []
    te_laat = goed.model_copy(update={"ingangsdatum": date(2027, 12, 1)})
    te_vroeg = goed.model_copy(update={"ingangsdatum": begin})
    assert [p for p, _ in domain.controleer_wijziging(te_laat, begin, eind, LV)] == [("ingangsdatum",)]
    assert [p for p, _ in domain.controleer_wijziging(te_vroeg, begin, eind, LV)] == [("ingangsdatum",)]


def test_beschikking_alleen_maatwerk_en_einde_na_begin():
    items = [BeschiktItem(code="amw", omvang=OMVANG), BeschiktItem(code="dagbesteding", omvang=OMVANG)]
    fouten = domain.controleer_beschikking(items, date(2026, 12, 1), date(2026, 11, 1), LV)
    assert [p for p, _ in fouten] == [("voorzieningen", 0, "code"), ("einddatum",)]
    assert domain.beschikte_voorzieningen(items[1:], LV)[0]["wet"] == "wmo"


def test_evaluatie_zet_een_volgende_datum_na_vandaag():
    goed = Evaluatie(datum=VANDAAG, uitkomst="deels_bereikt", volgende_evaluatie_op=VANDAAG + timedelta(weeks=6))
    assert domain.controleer_evaluatie(goed, VANDAAG) == []
    fout = goed.model_copy(update={"volgende_evaluatie_op": VANDAAG - timedelta(days=2)})
    assert [p for p, _ in domain.controleer_evaluatie(fout, VANDAAG)] == [("volgende_evaluatie_op",)]


def test_wat_een_gebeurtenis_haalt_en_de_waakvlam_die_periodiek_terugkomt():
    assert domain.gehaald_door("contact") == ("doorverwijzing", "waakvlam")
    assert "beschikking" not in domain.gehaald_door("aanvraag") + domain.gehaald_door("planversie")
    assert domain.volgende_controle(4, date(2026, 11, 23)) == date(2026, 12, 21)
    assert domain.volgende_controle(None, date(2026, 11, 23)) is None
    t = domain.waakvlamtermijn(plan(), date(2027, 2, 1))
    assert (t.soort, t.termijn_tot) == ("waakvlam", datetime(2027, 2, 1, 23, 59, 59, tzinfo=TZ))
