"""Stuurinformatie's pure domain: the period, primary and secondary suppression (also tried to break by
subtraction), shares, medians and the ZRM change, against expectations worked out by hand."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.stuurinformatie import domain
from services.stuurinformatie.domain import Periode


@pytest.mark.parametrize(
    ("naam", "van", "tot"),
    [
        ("2026-11", date(2026, 11, 1), date(2026, 11, 30)),
        ("2028-02", date(2028, 2, 1), date(2028, 2, 29)),
        ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
        ("2027-Q1", date(2027, 1, 1), date(2027, 3, 31)),
        ("2026", date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_een_maand_een_kwartaal_of_een_jaar(naam, van, tot):
    assert domain.periode(None, None, naam) == (Periode(van, tot), [])


def test_van_en_tot_of_een_fout_per_veld():
    assert domain.periode(date(2026, 11, 3), date(2026, 11, 9), None)[0] == Periode(
        date(2026, 11, 3), date(2026, 11, 9)
    )
    assert [p for p, _ in domain.periode(date(2026, 11, 9), date(2026, 11, 3), None)[1]] == [("query", "tot")]
    assert [p for p, _ in domain.periode(None, None, None)[1]] == [("query", "van"), ("query", "tot")]
    assert [p for p, _ in domain.periode(None, None, "2026-13")[1]] == [("query", "periode")]
    assert [p for p, _ in domain.periode(date(2026, 1, 1), None, "2026")[1]] == [("query", "periode")]
    assert [p for p, _ in domain.periode(date(2020, 1, 1), date(2026, 1, 1), None)[1]] == [("query", "tot")]


def _cellen(uit: dict) -> dict:
    return {c["sleutel"]: c["aantal"] for c in uit["cellen"]}


def test_primair_onder_de_5_en_secundair_de_kleinste_zichtbare():
    # 6 by telefoon, 5 at the balie, 1 digitaal (total 12): digitaal is below 5; shown alone, 12 - 6 - 5 would
    # give it away, so the smallest shown cell (balie, 5) goes too. 12 - 6 = 6 is balie + digitaal together.
    uit = domain.verdeling({"telefoon": 6, "balie": 5, "digitaal": 1})
    assert _cellen(uit) == {"telefoon": 6, "balie": None, "digitaal": None}
    assert uit["totaal"] == {"aantal": 12, "onderdrukt": False}
    assert [c["onderdrukt"] for c in uit["cellen"]] == [False, True, True]


def test_twee_kleine_cellen_verraden_elkaar_niet_en_een_klein_totaal_verbergt_alles():
    assert _cellen(domain.verdeling({"a": 9, "b": 3, "c": 2})) == {"a": 9, "b": None, "c": None}
    uit = domain.verdeling({"a": 3, "b": 1})
    assert _cellen(uit) == {"a": None, "b": None} and uit["totaal"]["onderdrukt"]
    assert _cellen(domain.verdeling({"a": 5, "b": 5})) == {"a": 5, "b": 5}


def test_cellen_die_niet_optellen_tot_het_totaal_hoeven_geen_tweede_onderdrukking():
    # A contact about two themes counts in both: the total (contacts) is not the sum of the cells.
    uit = domain.verdeling({"financien": 7, "huisvesting": 2}, totaal=8, telt_op=False)
    assert _cellen(uit) == {"financien": 7, "huisvesting": None}


@given(st.dictionaries(st.sampled_from("abcdefgh"), st.integers(min_value=1, max_value=40), min_size=1))
def test_geen_onderdrukte_cel_is_uit_het_totaal_terug_te_rekenen(tellingen):
    uit = domain.verdeling(tellingen)
    verborgen = [c for c in uit["cellen"] if c["onderdrukt"]]
    if not uit["totaal"]["onderdrukt"]:
        # The attack: total minus what is shown. It gives one cell only when exactly one is hidden.
        rest = uit["totaal"]["aantal"] - sum(c["aantal"] for c in uit["cellen"] if not c["onderdrukt"])
        assert len(verborgen) != 1, (tellingen, rest)
    assert all(c["aantal"] is None or c["aantal"] >= 5 for c in uit["cellen"])
    assert all(c["aantal"] is None for c in verborgen)


def test_een_aandeel_alleen_als_deel_en_rest_allebei_5_of_meer_zijn():
    assert domain.aandeel(10, 20) == {"procent": 50.0, "onderdrukt": False}
    assert domain.aandeel(12, 15)["onderdrukt"]  # the 3 missed would follow from 12 of 15
    assert domain.aandeel(4, 20)["onderdrukt"]
    assert domain.aandeel(7, 12) == {"procent": 58.3, "onderdrukt": False}


def test_mediaan_en_90e_percentiel_vanaf_5():
    assert domain.spreiding([1, 2, 3, 4])["onderdrukt"]
    uit = domain.spreiding([10, 1, 2, 3, 4, 5])
    # Sorted 1 2 3 4 5 10: the median is (3 + 4) / 2; the 90th percentile the ceil(0.9 * 6) = 6th value.
    assert (uit["aantal"], uit["mediaan"], uit["p90"]) == (6, 3.5, 10)
    uit = domain.spreiding([float(i) for i in range(1, 11)])
    assert (uit["mediaan"], uit["p90"]) == (5.5, 9.0)


def test_termijnen_per_grondslag_met_hun_aandeel():
    [rij] = domain.termijnen({"outreach-2-werkdagen": (10, 5)})
    assert rij["gehaald"]["aantal"] == 5 and rij["gemist"]["aantal"] == 5
    assert rij["gehaald_procent"] == {"procent": 50.0, "onderdrukt": False}
    [rij] = domain.termijnen({"wmo-onderzoek-6-weken": (8, 1)})
    assert rij["gemist"] == {"aantal": None, "onderdrukt": True} and rij["gehaald_procent"]["onderdrukt"]


def test_zrm_verandering_pas_vanaf_5_huishoudens():
    [fin, huis] = domain.zrm_verandering({"financien": [1, 2, 0, 1, 1], "huisvesting": [2, 2]})
    assert fin == {
        "sleutel": "financien",
        "huishoudens": {"aantal": 5, "onderdrukt": False},
        "gemiddelde_verandering": 1.0,
    }
    assert huis["huishoudens"]["onderdrukt"] and huis["gemiddelde_verandering"] is None


def test_elke_indicator_zegt_welke_events_hij_telt():
    from shared.events import EVENT_TYPES

    bekend = {et.type.removeprefix("nl.sociaal-domein.") for et in EVENT_TYPES.values()}
    for naam, d in domain.DEFINITIES.items():
        assert d.events and set(d.events) <= bekend, naam
        assert d.definitie.endswith("."), naam


def test_een_trechter_in_zijn_eigen_volgorde_zonder_totaal():
    uit = domain.trechter({"signalen": 8, "casussen": 6, "contact_gelegd": 3})
    assert uit["totaal"] is None
    assert [(c["sleutel"], c["aantal"]) for c in uit["cellen"]] == [
        ("signalen", 8),
        ("casussen", 6),
        ("contact_gelegd", None),
    ]


def test_alleen_stuurinformatie_mag_zijn_eigen_durables_verwijderen_voor_de_herbouw():
    from shared.nats_rechten import service_rechten
    from shared.topology import CONSUMERS, consumers_van

    verwijderen = [s for s in service_rechten("stuurinformatie")["publish"] if ".CONSUMER.DELETE." in s]
    assert sorted(verwijderen) == sorted(
        f"$JS.API.CONSUMER.DELETE.{c.stream}.{c.durable}" for c in consumers_van("stuurinformatie")
    )
    # The others may not delete a durable of the topology (triage's own short-lived rebuild consumer aside).
    durables = {f"$JS.API.CONSUMER.DELETE.{c.stream}.{c.durable}" for c in CONSUMERS}
    for andere in ("intake", "triage", "arrangement", "signalering"):
        assert not durables & set(service_rechten(andere)["publish"]), andere
