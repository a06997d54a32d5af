"""Arrangement's pure domain: the household-plan aggregate and its invariant (one plan, one regisseur per
household), the plan's life cycle, the regisseur and the gemeente's rule, plan versions against the
catalogue, beschikkingen, deadlines."""

import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.arrangement import domain
from services.arrangement.domain import Huishoudplan, PlanStatus
from services.arrangement.schemas import (
    AanvraagInvoer,
    Afsluiting,
    BeschiktItem,
    Contactpoging,
    Evaluatie,
    Overdracht,
    RegisseurInvoer,
    VersieInvoer,
    WijzigingInvoer,
)
from shared.events import DoorverwijzingAanvaard, DoorverwijzingGedaan, Regisseur, RegisseurToegewezen
from shared.gemeenten import laad_gemeenten
from shared.levenscyclus import OngeldigeOvergang
from shared.termijnen import TZ
from shared.weigeringen import NietGevonden, OngeldigeInvoer

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
        gemeente="GM1916",
    )
    velden.update(over)
    return domain.Plan(**velden)


# --- the plan's life cycle ------------------------------------------------------------------------------

TOEGESTAAN = {
    (PlanStatus.actief, PlanStatus.afgesloten),
    (PlanStatus.actief, PlanStatus.waakvlam),
    (PlanStatus.waakvlam, PlanStatus.afgesloten),
}


@pytest.mark.parametrize("van", list(PlanStatus))
@pytest.mark.parametrize("naar", list(PlanStatus))
def test_elke_overgang_van_het_plan_is_toegestaan_of_geweigerd_zoals_bedoeld(van, naar):
    assert domain.LEVENSCYCLUS.mag(van, naar) == ((van, naar) in TOEGESTAAN)
    if (van, naar) in TOEGESTAAN:
        assert domain.LEVENSCYCLUS.ga_naar(van, naar) is naar
    else:
        with pytest.raises(OngeldigeOvergang) as fout:
            domain.LEVENSCYCLUS.ga_naar(van, naar)
        assert (fout.value.van, fout.value.naar) == (van, naar)
    assert domain.LEVENSCYCLUS.is_eind(van) == (van is PlanStatus.afgesloten)


def huishoudplan(**over) -> Huishoudplan:
    return Huishoudplan("a" * 64, plan=plan(**over))


SLUIT = Afsluiting(resultaat="doelen_bereikt")
WAAKVLAM = Afsluiting(resultaat="doelen_bereikt", waakvlam={"controle_op": VANDAAG + timedelta(weeks=4)})
BEREIKT = Contactpoging(soort="telefoon", bereikt=True, datum=VANDAAG, dagdeel="ochtend")


def test_afsluiten_met_waakvlam_en_een_laatste_bereikte_controle_sluit_het_plan_echt_af():
    hp = huishoudplan()
    assert hp.sluit_af(WAAKVLAM, VANDAAG, NU, "t").status is PlanStatus.waakvlam
    hp.registreer_contactpoging(BEREIKT, VANDAAG, "t")  # no interval: no next check
    assert hp.plan.status is PlanStatus.afgesloten and hp.plan.waakvlam_op is None
    periodiek = huishoudplan()
    periodiek.sluit_af(
        Afsluiting(resultaat="doelen_bereikt", waakvlam={"controle_op": VANDAAG, "interval_weken": 4}), VANDAAG, NU, "t"
    )
    periodiek.registreer_contactpoging(BEREIKT, VANDAAG, "t")
    assert periodiek.plan.status is PlanStatus.waakvlam and periodiek.plan.waakvlam_op == VANDAAG + timedelta(weeks=4)
    gesteld = [w for w in periodiek.wijzigingen if isinstance(w, domain.TermijnenGesteld)]
    assert [t.soort for t in gesteld[-1].termijnen] == ["waakvlam"]


def test_een_nieuw_plan_beeindigt_de_waakvlam_van_het_vorige():
    hp = huishoudplan()
    oud = hp.sluit_af(WAAKVLAM, VANDAAG, NU, "t")
    uitkomst = hp.neem_aan(doorverwijzing(), LV, NU, NU)
    assert isinstance(uitkomst, domain.NieuwPlan) and uitkomst.plan.plan_id != oud.plan_id
    gewijzigd = [w.plan for w in hp.wijzigingen if isinstance(w, domain.PlanGewijzigd)]
    assert (gewijzigd[-1].plan_id, gewijzigd[-1].status) == (oud.plan_id, PlanStatus.afgesloten)
    assert domain.WaakvlamTermijnenVervallen(hp.huishouden_id) in hp.wijzigingen


@pytest.mark.parametrize(
    ("status", "werk", "huidig", "gevraagd"),
    [
        (PlanStatus.afgesloten, lambda hp: hp.sluit_af(SLUIT, VANDAAG, NU, "t"), "afgesloten", "afgesloten"),
        (PlanStatus.waakvlam, lambda hp: hp.sluit_af(SLUIT, VANDAAG, NU, "t"), "waakvlam", "afgesloten"),
        (PlanStatus.waakvlam, lambda hp: hp.sluit_af(WAAKVLAM, VANDAAG, NU, "t"), "waakvlam", "waakvlam"),
        (
            PlanStatus.waakvlam,
            lambda hp: hp.stel_versie_op(versie(), LV, VANDAAG, "t"),
            "waakvlam",
            "actief",
        ),
        (
            PlanStatus.afgesloten,
            lambda hp: hp.registreer_contactpoging(BEREIKT, VANDAAG, "t"),
            "afgesloten",
            "actief",
        ),
    ],
)
def test_werk_dat_de_status_niet_toelaat_wordt_geweigerd_met_beide_statussen(status, werk, huidig, gevraagd):
    hp = huishoudplan(status=status)
    with pytest.raises(OngeldigeOvergang) as fout:
        werk(hp)
    assert (fout.value.van, fout.value.naar) == (huidig, gevraagd)
    assert hp.wijzigingen == [] and hp.events == [] and hp.plan.status is status


def test_een_contactpoging_mag_onder_waakvlam_een_versie_niet():
    hp = huishoudplan(status=PlanStatus.waakvlam, waakvlam_op=VANDAAG)
    hp.registreer_contactpoging(BEREIKT.model_copy(update={"bereikt": False}), VANDAAG, "t")
    assert any(isinstance(w, domain.ContactpogingVastgelegd) for w in hp.wijzigingen)


# --- the invariant ------------------------------------------------------------------------------------


def test_eerste_doorverwijzing_start_een_plan_met_het_team_als_regisseur_en_een_evaluatiedatum():
    d = doorverwijzing()
    hp = Huishoudplan(d.huishouden_id)
    uitkomst = hp.neem_aan(d, LV, NU, NU)
    assert isinstance(uitkomst, domain.NieuwPlan)
    assert uitkomst.plan.regisseur == Regisseur(soort="professional", team_id=d.team_id)
    assert uitkomst.plan.evaluatie_op == VANDAAG + timedelta(weeks=13) and uitkomst.plan.wijk == "damsigt"
    # Only inserts, which a group commit writes together: no household-wide update without a waakvlam.
    assert not [w for w in hp.wijzigingen if isinstance(w, domain.WaakvlamTermijnenVervallen | domain.PlanGewijzigd)]


def test_latere_doorverwijzing_sluit_aan_en_een_warme_overdracht_of_herhaling_wordt_genegeerd():
    hp = huishoudplan()
    bestaand = hp.plan
    d = doorverwijzing(team_id="gm1916-schuldhulp")
    assert hp.neem_aan(d, LV, NU, NU) == domain.SluitAan(bestaand)
    assert hp.neem_aan(d, LV, NU, NU) == domain.Negeer("al-ontvangen")
    assert hp.neem_aan(doorverwijzing(bron_soort="plan"), LV, NU, NU) == domain.Negeer("warme-overdracht")
    assert Huishoudplan("a" * 64).neem_aan(doorverwijzing(bron_soort="plan"), LV, NU, NU) == domain.Negeer(
        "warme-overdracht"
    )


HUISHOUDENS = ["a" * 64, "b" * 64, "c" * 64]
TEAMS = ["gm1916-gebiedsteam-leidschendam", "gm1916-schuldhulp", "gm1916-lokale-kamer", "gm1916-wmo-consulenten"]
MULTI = [{"levensgebied": g, "zrm_nu": 2} for g in ("financien", "huisvesting", "sociaal_netwerk")]
stap = st.one_of(
    st.tuples(
        st.sampled_from(["melding", "signaalcasus", "plan"]), st.sampled_from(HUISHOUDENS), st.sampled_from(TEAMS)
    ),
    st.tuples(st.just("herhaal"), st.sampled_from(HUISHOUDENS), st.integers(0, 100)),
    st.tuples(
        st.just("overdracht"),
        st.sampled_from(HUISHOUDENS),
        st.sampled_from([*TEAMS, "inwoner", "netwerk", "onbekend-team"]),
    ),
    st.tuples(st.just("versie"), st.sampled_from(HUISHOUDENS), st.booleans()),
    st.tuples(st.just("afsluiten"), st.sampled_from(HUISHOUDENS), st.sampled_from([None, 0, 4])),
    st.tuples(st.just("contact"), st.sampled_from(HUISHOUDENS), st.none()),
)


class Opslag:
    """What the repository would write, reduced to what the invariant is about: the plan rows, the
    timeline's doorverwijzingen and the events. Fed only with the production aggregate's changes."""

    def __init__(self):
        self.plannen: dict[uuid.UUID, domain.Plan] = {}
        self.tijdlijn: list[tuple[uuid.UUID, uuid.UUID]] = []  # (plan_id, doorverwijzing_id)
        self.regisseurs: dict[uuid.UUID, list[Regisseur]] = {}  # per plan, every regisseur it had
        self.events: list = []

    def sla_op(self, hp: Huishoudplan) -> None:
        for w in hp.wijzigingen:
            if isinstance(w, domain.PlanAangemaakt | domain.PlanGewijzigd):
                assert isinstance(w, domain.PlanGewijzigd) == (w.plan.plan_id in self.plannen)
                self.plannen[w.plan.plan_id] = w.plan
                gehad = self.regisseurs.setdefault(w.plan.plan_id, [])
                if not gehad or gehad[-1] != w.plan.regisseur:
                    gehad.append(w.plan.regisseur)
            elif isinstance(w, domain.OpTijdlijn) and w.doorverwijzing_id is not None:
                self.tijdlijn.append((w.plan.plan_id, w.doorverwijzing_id))
        self.events += hp.events
        hp.wijzigingen, hp.events = [], []


@settings(max_examples=300, deadline=None)
@given(st.lists(stap, max_size=40))
def test_elke_reeks_gebeurtenissen_laat_hoogstens_een_plan_en_een_regisseur_per_huishouden(stappen):
    opslag = Opslag()
    aggregaten = {h: Huishoudplan(h) for h in HUISHOUDENS}
    gezonden: list[DoorverwijzingGedaan] = []
    aanvaard: set[uuid.UUID] = set()
    multi = dict.fromkeys(HUISHOUDENS, False)  # the current version shows a multi-problem household
    for soort, huishouden, arg in stappen:
        hp = aggregaten[huishouden]
        voor = hp.plan
        actief = voor is not None and voor.status is PlanStatus.actief
        if soort in ("melding", "signaalcasus", "plan", "herhaal"):
            if soort == "herhaal" and not gezonden:
                continue
            d = (
                gezonden[arg % len(gezonden)]
                if soort == "herhaal"
                else doorverwijzing(huishouden, bron_soort=soort, team_id=arg)
            )
            hp = aggregaten[d.huishouden_id]
            voor = hp.plan
            actief = voor is not None and voor.status is PlanStatus.actief
            gezonden.append(d)
            uitkomst = hp.neem_aan(d, LV, NU, NU)
            if d.bron_soort == "plan" or d.doorverwijzing_id in aanvaard:  # never starts or joins a plan twice
                assert isinstance(uitkomst, domain.Negeer) and hp.plan == voor and not hp.wijzigingen
            elif actief:  # a later arrival joins the plan and leaves its regisseur alone
                assert uitkomst == domain.SluitAan(voor) and hp.plan == voor
            else:
                assert isinstance(uitkomst, domain.NieuwPlan) and hp.plan.regisseur.team_id == arg
                multi[d.huishouden_id] = False
            if not isinstance(uitkomst, domain.Negeer):
                aanvaard.add(d.doorverwijzing_id)
        elif soort == "overdracht":
            invoer = (
                RegisseurInvoer(soort=arg)
                if arg in ("inwoner", "netwerk")
                else RegisseurInvoer(soort="professional", team_id=arg)
            )
            verwacht = (
                NietGevonden
                if voor is None
                else OngeldigeOvergang
                if not actief
                else OngeldigeInvoer
                if arg == "onbekend-team" or (multi[huishouden] and arg != "gm1916-lokale-kamer")
                else None
            )
            if verwacht is None:
                assert hp.draag_regie_over(Overdracht(regisseur=invoer, reden="overig"), LV, "t").team_id is not None
            else:
                with pytest.raises(verwacht):
                    hp.draag_regie_over(Overdracht(regisseur=invoer, reden="overig"), LV, "t")
        elif soort == "versie":
            if not actief:
                continue
            doelen = MULTI if arg else [{"levensgebied": "financien", "zrm_nu": 4}]
            hp.stel_versie_op(versie(doelen=doelen, voorzieningen=[]), LV, VANDAAG, "t")
            multi[huishouden] = arg
            if arg:
                assert hp.plan.regisseur.team_id == "gm1916-lokale-kamer"
        elif soort == "afsluiten":
            if not actief:
                continue
            w = None if arg is None else {"controle_op": VANDAAG, "interval_weken": arg or None}
            hp.sluit_af(Afsluiting(resultaat="doelen_bereikt", waakvlam=w), VANDAAG, NU, "t")
        elif voor is not None and voor.status is not PlanStatus.afgesloten:
            hp.registreer_contactpoging(BEREIKT, VANDAAG, "t")
        opslag.sla_op(hp)
        # The invariant, after every step, on what was stored.
        for hh in HUISHOUDENS:
            van_hh = [p for p in opslag.plannen.values() if p.huishouden_id == hh]
            assert sum(p.status is PlanStatus.actief for p in van_hh) <= 1
            in_beeld = [p for p in van_hh if p.status in domain.IN_BEELD]
            assert len(in_beeld) <= 1  # a new plan ends the waakvlam of the last one
            assert in_beeld == ([aggregaten[hh].plan] if aggregaten[hh].plan in in_beeld else [])
            assert all(p.regisseur.team_id is not None for p in in_beeld)  # someone always holds the regie
    # Every accepted doorverwijzing is in exactly one plan's timeline; ignored ones in none.
    per_doorverwijzing: dict[uuid.UUID, list[uuid.UUID]] = {}
    for plan_id, d_id in opslag.tijdlijn:
        per_doorverwijzing.setdefault(d_id, []).append(plan_id)
    assert set(per_doorverwijzing) == aanvaard and all(len(p) == 1 for p in per_doorverwijzing.values())
    assert sorted(e.doorverwijzing_id for e in opslag.events if isinstance(e, DoorverwijzingAanvaard)) == sorted(
        aanvaard
    )
    # Every regisseur a plan had was announced, in order, once.
    aangekondigd: dict[uuid.UUID, list[Regisseur]] = {}
    for e in opslag.events:
        if isinstance(e, RegisseurToegewezen):
            aangekondigd.setdefault(e.plan_id, []).append(e.regisseur)
    assert aangekondigd == opslag.regisseurs


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
    assert domain.gehaald_door("contact") == ("doorverwijzing", "waakvlam", "reactie")  # also the inwoner's say
    # The verslag meets the onderzoek, and nothing else does (Wmo 2015 art. 2.3.2): not a plan version.
    assert domain.gehaald_door("verslag") == ("wmo-onderzoek",)
    assert domain.gehaald_door("overdracht") == ("overgang-18",)
    assert set(domain.GEHAALD_DOOR) == {"contact", "verslag", "evaluatie", "overdracht"}
    assert domain.volgende_controle(4, date(2026, 11, 23)) == date(2026, 12, 21)
    assert domain.volgende_controle(None, date(2026, 11, 23)) is None
    t = domain.waakvlamtermijn(plan(), date(2027, 2, 1))
    assert (t.soort, t.termijn_tot) == ("waakvlam", datetime(2027, 2, 1, 23, 59, 59, tzinfo=TZ))
