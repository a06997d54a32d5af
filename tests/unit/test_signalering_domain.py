from datetime import date

from services.signalering.domain import (
    Beoordeling,
    EerderSignaal,
    Koppeling,
    OpenCasus,
    SignaalInvoer,
    beoordeel,
    controleer,
    is_crisis,
    koppel,
)
from shared.gemeenten import Drempel
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


def casus(status="open", partners=("vidomes",), crisis=False) -> OpenCasus:
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
    assert koppel(N, False, "eneco", casus("doorgezet")) == Koppeling(False, False, "meerdere_partners")
    assert koppel(N, False, "vidomes", casus("doorgezet")) == Koppeling(False, False, None)
    # except a crisis on a casus that was not one: that is a new escalation
    assert koppel(N, True, "eneco", casus("doorgezet")) == Koppeling(False, True, "crisis")
    assert koppel(N, True, "eneco", casus("doorgezet", crisis=True)) == Koppeling(False, False, "meerdere_partners")


def test_einde_levering_is_altijd_crisis():
    assert is_crisis(signaal(soort="einde_levering"))
    assert not is_crisis(signaal())


def test_fouten_met_hun_veld():
    s = signaal(
        achterstand_sinds="2030-01-01", betreft={"bsn": "123456789", "adres": {"postcode": "2711 AA", "huisnummer": 1}}
    )
    fouten = dict(controleer(s, GEMEENTEN["GM1916"], ["energieachterstand"], date(2026, 11, 23)))
    assert set(fouten) == {("soort",), ("betreft", "bsn"), ("betreft", "adres", "postcode"), ("achterstand_sinds",)}
