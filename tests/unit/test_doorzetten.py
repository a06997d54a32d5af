"""Doorzettingsmacht and the 18+ transition in arrangement's pure domain: the escalation's life cycle, its
deadlines in werkdagen, and what the aggregate records and announces."""

import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from services.arrangement import domain
from services.arrangement import doorzetten as dz
from services.arrangement.domain import Huishoudplan
from services.arrangement.schemas import WarmeOverdracht
from shared.events import EscalatieBehandeld, EscalatieIngediend, Regisseur
from shared.gemeenten import laad_gemeenten
from shared.levenscyclus import OngeldigeOvergang
from shared.termijnen import TZ
from shared.weigeringen import OngeldigeInvoer

GEMEENTEN = laad_gemeenten(Path(__file__).resolve().parents[2] / "config" / "gemeenten")
LV, LEIDEN = GEMEENTEN["GM1916"], GEMEENTEN["GM0546"]
# Thursday 24 December 2026, 10:00: Christmas and a weekend follow.
NU = datetime(2026, 12, 24, 10, 0, tzinfo=TZ)
GEBIEDSTEAM = "gm1916-gebiedsteam-leidschendam"


def huishoudplan() -> Huishoudplan:
    plan = domain.Plan(
        plan_id=uuid.uuid4(),
        huishouden_id="a" * 64,
        versie=1,
        regisseur=Regisseur(soort="professional", team_id=GEBIEDSTEAM),
        evaluatie_op=date(2027, 3, 1),
        wijk="damsigt",
        gemeente="GM1916",
    )
    return Huishoudplan(plan.huishouden_id, plan=plan)


def termijnen(hp: Huishoudplan, soort: str) -> list[domain.NieuweTermijn]:
    return [
        t for w in hp.wijzigingen if isinstance(w, domain.TermijnenGesteld) for t in w.termijnen if t.soort == soort
    ]


def test_de_beslistermijn_telt_werkdagen_over_kerst_en_weekend_heen() -> None:
    # 5 werkdagen from Thursday 24-12-2026: 25 and 26 December and the weekend do not count: 28, 29, 30, 31
    # December and Friday 1 January (Nieuwjaarsdag) neither, so Monday 4 January is the fifth.
    e = dz.dien_in(uuid.uuid4(), "geen_voortgang", "regisseur", GEBIEDSTEAM, LV.doorzettingsmacht, NU)
    assert e.beslissen_voor == date(2027, 1, 4)
    assert e.naar_team_id == "gm1916-lokale-kamer"


def test_een_verstreken_termijn_escaleert_na_vijf_werkdagen_of_meteen() -> None:
    verstreken = datetime(2026, 12, 24, 23, 59, 59, tzinfo=TZ)
    assert dz.escaleren_op(verstreken, LV.doorzettingsmacht) == datetime(2027, 1, 4, 23, 59, 59, tzinfo=TZ)
    meteen = LV.doorzettingsmacht.model_copy(update={"escaleren_na_werkdagen": 0})
    assert dz.escaleren_op(verstreken, meteen) == verstreken


def test_de_levenscyclus_van_een_escalatie() -> None:
    e = dz.dien_in(uuid.uuid4(), "geen_voortgang", "regisseur", GEBIEDSTEAM, LV.doorzettingsmacht, NU)
    genomen = dz.neem_regie(e, NU)
    terug = dz.geef_terug(genomen, "plan_bijstellen", date(2027, 1, 15), NU + timedelta(days=20))
    assert (genomen.status, terug.status) == (dz.EscalatieStatus.regie_genomen, dz.EscalatieStatus.teruggegeven)
    with pytest.raises(OngeldigeOvergang):
        dz.neem_regie(terug, NU)
    with pytest.raises(OngeldigeOvergang):
        dz.geef_terug(terug, "plan_bijstellen", date(2027, 1, 15), NU)
    assert dz.op_tijd(e, datetime(2027, 1, 4, 23, 0, tzinfo=TZ)) and not dz.op_tijd(e, datetime(2027, 1, 5, tzinfo=TZ))


def test_escaleren_geeft_de_lokale_kamer_een_termijn_en_kan_niet_twee_keer() -> None:
    hp = huishoudplan()
    e = hp.escaleer("partners_niet_eens", LV, None, NU, "wijkcoach:w1")
    [termijn] = termijnen(hp, "escalatie")
    assert (termijn.team_id, termijn.termijn_grondslag, termijn.bron_id) == (
        "gm1916-lokale-kamer",
        "doorzettingsmacht",
        e.escalatie_id,
    )
    [event] = hp.events
    assert isinstance(event, EscalatieIngediend) and event.van_team_id == GEBIEDSTEAM and event.door == "regisseur"
    with pytest.raises(OngeldigeOvergang):
        hp.escaleer("geen_voortgang", LV, e, NU, "wijkcoach:w1")


def test_zonder_ingerichte_doorzettingsmacht_is_escaleren_een_fout_per_veld() -> None:
    zonder = LV.model_copy(update={"doorzettingsmacht": None})
    with pytest.raises(OngeldigeInvoer):
        huishoudplan().escaleer("geen_voortgang", zonder, None, NU, "wijkcoach:w1")


def test_regie_nemen_en_teruggeven_met_een_instructie() -> None:
    hp = huishoudplan()
    e = hp.escaleer("geen_voortgang", LV, None, NU, "wijkcoach:w1")
    genomen = hp.neem_regie(e, NU + timedelta(days=1), "lokale_kamer:lk1")
    assert hp.plan is not None and hp.plan.regisseur.team_id == "gm1916-lokale-kamer"
    terug = hp.geef_terug(
        genomen, "partners_bijeenroepen", date(2027, 2, 1), NU + timedelta(days=30), "lokale_kamer:lk1"
    )
    # The regie goes back to the team that escalated, with the instruction as a deadline of its own.
    assert hp.plan.regisseur.team_id == GEBIEDSTEAM
    [opvolging] = termijnen(hp, "instructie")
    assert (opvolging.team_id, opvolging.termijn_tot.date()) == (GEBIEDSTEAM, date(2027, 2, 1))
    behandeld = [ev for ev in hp.events if isinstance(ev, EscalatieBehandeld)]
    assert [(b.uitkomst, b.op_tijd) for b in behandeld] == [("regie_genomen", True), ("teruggegeven", False)]
    assert behandeld[1].instructie == "partners_bijeenroepen" and terug.instructie == "partners_bijeenroepen"


def test_teruggeven_met_een_datum_in_het_verleden_is_een_fout() -> None:
    hp = huishoudplan()
    e = hp.escaleer("geen_voortgang", LV, None, NU, "wijkcoach:w1")
    with pytest.raises(OngeldigeInvoer):
        hp.geef_terug(e, "plan_bijstellen", date(2026, 12, 1), NU, "lokale_kamer:lk1")


def test_de_overgang_naar_18_is_een_termijn_voor_de_regisseur_en_een_warme_overdracht_haalt_hem() -> None:
    hp = huishoudplan()
    assert hp.start_overgang("b" * 64, date(2027, 6, 1))
    [t] = termijnen(hp, "overgang-18")
    assert (t.team_id, t.termijn_grondslag, t.termijn_tot) == (
        GEBIEDSTEAM,
        "overgang-18-plus",
        datetime(2027, 5, 31, 23, 59, 59, tzinfo=TZ),
    )
    naar_consulent = WarmeOverdracht(voorziening="begeleiding-individueel", aanbieder_id="gm1916-wmo-consulenten")
    gedaan = hp.draag_warm_over(naar_consulent, LV, NU, "wijkcoach:w1")
    assert gedaan.route == "wmo_consulent"
    gesloten = [w for w in hp.wijzigingen if isinstance(w, domain.TermijnenGesloten)]
    assert ("overgang-18",) in [w.soorten for w in gesloten]
    [onderzoek] = termijnen(hp, "wmo-onderzoek")
    assert onderzoek.team_id == "gm1916-wmo-consulenten"


def test_zonder_actief_plan_start_er_geen_overgang() -> None:
    assert not Huishoudplan("a" * 64).start_overgang("b" * 64, date(2027, 6, 1))


def test_een_warme_overdracht_naar_een_onbekende_aanbieder_is_een_fout_bij_het_veld() -> None:
    onbekend = WarmeOverdracht(voorziening="amw", aanbieder_id="zomaar-iemand")
    with pytest.raises(OngeldigeInvoer) as fout:
        huishoudplan().draag_warm_over(onbekend, LV, NU, "wijkcoach:w1")
    assert [p for p, _ in fout.value.fouten] == [("aanbieder_id",)]
    # Another gemeente's aanbieder is just as unknown here.
    with pytest.raises(OngeldigeInvoer):
        huishoudplan().draag_warm_over(WarmeOverdracht(voorziening="amw", aanbieder_id="gm0546-mee"), LV, NU, "w")
