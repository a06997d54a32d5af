from datetime import date
from itertools import product
from pathlib import Path

import pytest

from services.signalering import tables
from services.signalering.domain import (
    LEVENSCYCLUS,
    OPEN_STATUSSEN,
    Beoordeling,
    CasusStatus,
    EerderSignaal,
    Koppeling,
    OpenCasus,
    beoordeel,
    controleer,
    controleer_bewerkbaar,
    is_crisis,
    koppel,
    status_na_escalatie,
    terugkoppeling,
)
from services.signalering.schemas import SignaalInvoer
from shared.gemeenten import Drempel
from shared.levenscyclus import OngeldigeOvergang
from tests.unit.test_intake_domain import GEMEENTEN


def signaal(**over) -> SignaalInvoer:
    body = {
        "partner_signaal_id": "x1",
        "soort": "huurachterstand",
        "betreft": {"bsn": "111222333", "adres": {"postcode": "2264 AB", "huisnummer": 1}},
        "bedrag_achterstand_cent": 50_000,
        "achterstand_sinds": "2026-09-01",
    }
    body.update(over)
    return SignaalInvoer.model_validate(body)


VANDAAG = date(2026, 11, 23)
DREMPEL = Drempel(bedrag_cent=30_000, dagen=30)


def test_herhaalde_melding_alleen_van_dezelfde_partner_met_niet_hoger_bedrag():
    eerder = [EerderSignaal("vidomes", 50_000)]
    assert beoordeel(signaal(), "vidomes", eerder, DREMPEL, VANDAAG) == Beoordeling.herhaalde_melding
    assert beoordeel(signaal(bedrag_achterstand_cent=60_000), "vidomes", eerder, DREMPEL, VANDAAG) == Beoordeling.nieuw
    assert beoordeel(signaal(), "eneco", eerder, DREMPEL, VANDAAG) == Beoordeling.nieuw


def test_drempel_op_bedrag_en_op_ouderdom_maar_crisis_telt_altijd():
    assert beoordeel(signaal(bedrag_achterstand_cent=29_999), "v", [], DREMPEL, VANDAAG) == Beoordeling.onder_drempel
    assert beoordeel(signaal(achterstand_sinds="2026-11-01"), "v", [], DREMPEL, VANDAAG) == Beoordeling.onder_drempel
    assert beoordeel(signaal(achterstand_sinds="2026-10-24"), "v", [], DREMPEL, VANDAAG) == Beoordeling.nieuw
    assert (
        beoordeel(signaal(soort="einde_levering", bedrag_achterstand_cent=100), "v", [], DREMPEL, VANDAAG)
        == Beoordeling.nieuw
    )
    assert beoordeel(signaal(bedrag_achterstand_cent=100), "v", [], None, VANDAAG) == Beoordeling.nieuw


def casus(status=CasusStatus.open, partners=("vidomes",), crisis=False) -> OpenCasus:
    return OpenCasus("c1", status, crisis, frozenset(partners))


def test_koppeling_een_casus_per_huishouden_en_een_escalatie_per_keer():
    N, O, H = Beoordeling.nieuw, Beoordeling.onder_drempel, Beoordeling.herhaalde_melding  # noqa: E741 - the table below reads better with letters
    assert koppel(N, False, "vidomes", None) == Koppeling(True, True, "nieuw_signaal")
    assert koppel(N, True, "eneco", None) == Koppeling(True, True, "crisis")
    assert koppel(O, False, "vidomes", None) == Koppeling(True, False, None)  # open casus, no outreach yet
    assert koppel(H, False, "vidomes", None) == Koppeling(False, False, None)
    # a second partner about an open casus escalates it, even under its own threshold
    assert koppel(O, False, "eneco", casus()) == Koppeling(False, True, "meerdere_partners")
    assert koppel(O, False, "vidomes", casus()) == Koppeling(False, False, None)
    # once doorgezet: later signals join, recorded as meerdere_partners, without a second escalation
    assert koppel(N, False, "eneco", casus(CasusStatus.doorgezet)) == Koppeling(False, False, "meerdere_partners")
    assert koppel(N, False, "vidomes", casus(CasusStatus.doorgezet)) == Koppeling(False, False, None)
    # except a crisis on a casus that was not one: that is a new escalation
    assert koppel(N, True, "eneco", casus(CasusStatus.doorgezet)) == Koppeling(False, True, "crisis")
    assert koppel(N, True, "eneco", casus(CasusStatus.doorgezet, crisis=True)) == Koppeling(
        False, False, "meerdere_partners"
    )


def test_einde_levering_is_altijd_crisis():
    assert is_crisis(signaal(soort="einde_levering"))
    assert not is_crisis(signaal())


def test_fouten_met_hun_veld():
    s = signaal(
        achterstand_sinds="2030-01-01", betreft={"bsn": "123456789", "adres": {"postcode": "2711 AA", "huisnummer": 1}}
    )
    fouten = dict(controleer(s, GEMEENTEN["GM1916"], ["energieachterstand"], date(2026, 11, 23)))
    assert set(fouten) == {("soort",), ("betreft", "bsn"), ("betreft", "adres", "postcode"), ("achterstand_sinds",)}


OPEN, DOOR, OPGEPAKT, DICHT = CasusStatus.open, CasusStatus.doorgezet, CasusStatus.opgepakt, CasusStatus.afgesloten
# Every transition the code makes: escalation, stale or closed by hand, picked up by arrangement, closed.
TOEGESTAAN = {(OPEN, DOOR), (OPEN, DICHT), (OPEN, OPGEPAKT), (DOOR, OPGEPAKT), (DOOR, DICHT), (OPGEPAKT, DICHT)}


@pytest.mark.parametrize("van,naar", list(product(CasusStatus, repeat=2)), ids=lambda s: s.value)
def test_levenscyclus_van_de_casus_elk_paar(van, naar):
    verwacht = (van, naar) in TOEGESTAAN
    assert LEVENSCYCLUS.mag(van, naar) is verwacht
    if verwacht:
        assert LEVENSCYCLUS.ga_naar(van, naar) == naar
    else:
        with pytest.raises(OngeldigeOvergang) as fout:
            LEVENSCYCLUS.ga_naar(van, naar)
        assert (fout.value.van, fout.value.naar) == (van, naar)


def test_afgesloten_is_het_einde_en_de_andere_statussen_zijn_open():
    assert [s for s in CasusStatus if LEVENSCYCLUS.is_eind(s)] == [DICHT]
    assert OPEN_STATUSSEN == (OPEN, DOOR, OPGEPAKT)


def test_het_partiele_index_predicaat_blijft_letterlijk_en_gelijk_aan_de_migratie():
    # Only a literal predicate lets PostgreSQL use the partial index een_open_casus_per_huishouden.
    predicaat = "status IN ('open', 'doorgezet', 'opgepakt')"
    assert tables.CASUS_OPEN.text == predicaat
    migratie = Path(tables.__file__).parent / "migrations/versions/signalering_0001_signalering_eerste_schema.py"
    assert f'sa.text("{predicaat}")' in migratie.read_text()


def test_escalatie_zet_alleen_een_open_casus_door():
    assert status_na_escalatie(OPEN) == DOOR
    assert status_na_escalatie(DOOR) == DOOR and status_na_escalatie(OPGEPAKT) == OPGEPAKT


def test_op_een_afgesloten_casus_geen_werk_meer():
    for status in (OPEN, DOOR, OPGEPAKT):
        controleer_bewerkbaar(status)
    with pytest.raises(OngeldigeOvergang) as fout:
        controleer_bewerkbaar(DICHT)
    assert (fout.value.van, fout.value.naar) == (DICHT, DICHT)


def test_terugkoppeling_aan_de_partner():
    assert terugkoppeling("nieuw", None) == "geen_actie"
    assert terugkoppeling("herhaalde_melding", DOOR) == "geen_actie"
    assert terugkoppeling("onder_drempel", OPEN) == "ontvangen"
    assert terugkoppeling("nieuw", DOOR) == terugkoppeling("nieuw", OPGEPAKT) == "in_behandeling"
    assert terugkoppeling("nieuw", DICHT) == "afgehandeld"


def test_betreft_adres_is_het_gedeelde_adres_met_zijn_toevoeging():
    with pytest.raises(ValueError, match="toevoeging"):
        signaal(betreft={"bsn": "111222333", "adres": {"postcode": "2264 AB", "huisnummer": 1, "toevoeging": "<b>"}})
