from datetime import date

from services.signalering.domain import (Beoordeling, EerderSignaal, SignaalInvoer, beoordeel, controleer,
                                         is_crisis)
from tests.unit.test_intake_domain import GEMEENTEN


def signaal(**over) -> SignaalInvoer:
    body = {"partner_signaal_id": "x1", "soort": "huurachterstand",
            "betreft": {"bsn": "111222333", "adres": {"postcode": "2264 AB", "huisnummer": 1}},
            "bedrag_achterstand_cent": 50_000, "achterstand_sinds": "2026-09-01"}
    body.update(over)
    return SignaalInvoer.model_validate(body)


def test_herhaalde_melding_alleen_van_dezelfde_partner_met_niet_hoger_bedrag():
    eerder = [EerderSignaal("vidomes", 50_000)]
    assert beoordeel(signaal(), "vidomes", eerder) == Beoordeling.herhaalde_melding
    assert beoordeel(signaal(bedrag_achterstand_cent=60_000), "vidomes", eerder) == Beoordeling.nieuw
    assert beoordeel(signaal(), "eneco", eerder) == Beoordeling.nieuw


def test_einde_levering_is_altijd_crisis():
    assert is_crisis(signaal(soort="einde_levering"))
    assert not is_crisis(signaal())


def test_fouten_met_hun_veld():
    s = signaal(achterstand_sinds="2030-01-01",
                betreft={"bsn": "123456789", "adres": {"postcode": "2711 AA", "huisnummer": 1}})
    fouten = dict(controleer(s, GEMEENTEN["GM1916"], ["energieachterstand"], date(2026, 11, 23)))
    assert set(fouten) == {("soort",), ("betreft", "bsn"), ("betreft", "adres", "postcode"), ("achterstand_sinds",)}
