from datetime import date
from itertools import product
from pathlib import Path

import pytest

from services.intake.domain import (
    CONTACT_LEVENSCYCLUS,
    LEVENSCYCLUS,
    Status,
    Uitkomst,
    achttien_in,
    controleer,
    controleer_contact,
    leeftijdscategorie,
    leid_af,
    minderjarig,
    overgang_grens,
)
from services.intake.schemas import MeldingInvoer
from shared.gemeenten import laad_gemeenten
from shared.levenscyclus import OngeldigeOvergang
from tests.support.gegevens import melding

GEMEENTEN = laad_gemeenten(Path(__file__).resolve().parents[2] / "config" / "gemeenten")
SLEUTEL = b"k" * 32


def test_geldige_melding_heeft_geen_fouten_en_geeft_feiten_zonder_persoonsgegevens():
    invoer = MeldingInvoer.model_validate(melding())
    assert controleer(invoer, GEMEENTEN) == []
    feiten = leid_af(invoer, GEMEENTEN["GM1916"], SLEUTEL, date(2026, 11, 23))
    assert feiten.wijk == GEMEENTEN["GM1916"].wijk_van("2264 AB").id
    assert feiten.leeftijdscategorie == "65+"
    assert len(feiten.persoon_sleutels) == 1 and not feiten.persoon_sleutels_zwak
    assert "111222333" not in repr(feiten)


def test_alle_fouten_met_hun_veld():
    body = melding(
        gemeente="GM0637",
        zrm={"financien": 0, "astrologie": 3},
        levensgebieden=["geluk"],
        gevraagde_voorzieningen=["bestaat-niet"],
    )
    body["betreft"]["personen"][0]["bsn"] = "123456789"
    fouten = dict(controleer(MeldingInvoer.model_validate(body), GEMEENTEN))
    assert set(fouten) == {
        ("betreft", "adres", "postcode"),
        ("betreft", "personen", 0, "bsn"),
        ("zrm", "financien"),
        ("zrm", "astrologie"),
        ("levensgebieden", 0),
        ("gevraagde_voorzieningen", 0),
    }


def test_zonder_adres_en_zonder_bsn_weet_niemand_wie_het_betreft():
    body = melding()
    body["betreft"] = {"personen": [{"naam": "Iemand"}]}
    paden = [p for p, _ in controleer(MeldingInvoer.model_validate(body), GEMEENTEN)]
    assert ("betreft",) in paden and ("betreft", "personen", 0) in paden


def test_leeftijdscategorieen_op_de_grenzen():
    op = date(2026, 11, 23)
    assert leeftijdscategorie(date(2022, 11, 24), op) == "0-3"
    assert leeftijdscategorie(date(2022, 11, 23), op) == "4-17"
    assert leeftijdscategorie(date(2008, 11, 24), op) == "4-17"
    assert leeftijdscategorie(date(2008, 11, 23), op) == "18-22"
    assert leeftijdscategorie(date(2003, 11, 23), op) == "23-64"
    assert leeftijdscategorie(date(1961, 11, 23), op) == "65+"


# Every transition a melding may make, written out: events from triage (doorverwezen) and arrangement
# (opgepakt, afgesloten) travel on different streams, so opgepakt may come before doorverwezen; a late
# doorverwezen, a second opgepakt or anything after afgesloten changes nothing.
TOEGESTAAN = {
    (Status.geregistreerd, Status.doorverwezen),
    (Status.geregistreerd, Status.opgepakt),
    (Status.geregistreerd, Status.afgesloten),
    (Status.doorverwezen, Status.opgepakt),
    (Status.doorverwezen, Status.afgesloten),
    (Status.opgepakt, Status.afgesloten),
}


@pytest.mark.parametrize("van,naar", list(product(Status, repeat=2)), ids=lambda s: s.value)
def test_elke_statusovergang_toegestaan_of_geweigerd_zoals_de_tabel_zegt(van, naar):
    verwacht = (van, naar) in TOEGESTAAN
    assert LEVENSCYCLUS.mag(van, naar) is verwacht
    if verwacht:
        assert LEVENSCYCLUS.ga_naar(van, naar) is naar
    else:
        with pytest.raises(OngeldigeOvergang) as fout:
            LEVENSCYCLUS.ga_naar(van, naar)
        assert (fout.value.van, fout.value.naar) == (van, naar)


def test_de_tabel_noemt_elke_status_en_afgesloten_is_het_einde():
    assert set(LEVENSCYCLUS.overgangen) == set(Status)
    assert [s for s in Status if LEVENSCYCLUS.is_eind(s)] == [Status.afgesloten]


def test_bekende_voorziening_uit_de_catalogus_wordt_aanvaard():
    body = melding(soort="aanvraag_maatwerk", gevraagde_voorzieningen=["huishoudelijke-ondersteuning"])
    assert controleer(MeldingInvoer.model_validate(body), GEMEENTEN) == []


# --- from 18- to 18+ ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("geboren", "maand"),
    [
        (date(2009, 6, 15), date(2027, 6, 1)),
        (date(2008, 12, 31), date(2026, 12, 1)),
        (date(2012, 2, 29), date(2030, 2, 1)),
    ],
)
def test_alleen_de_maand_waarin_iemand_18_wordt_blijft_bewaard(geboren: date, maand: date) -> None:
    assert achttien_in(geboren) == maand


def test_minderjarig_tot_de_18e_verjaardag_ook_op_29_februari() -> None:
    assert minderjarig(date(2008, 12, 6), date(2026, 12, 5))
    assert not minderjarig(date(2008, 12, 5), date(2026, 12, 5))
    # Born on 29 February 2008: 18 on 1 March 2026 (no 29 February that year), not on 28 February.
    assert minderjarig(date(2008, 2, 29), date(2026, 2, 28))
    assert not minderjarig(date(2008, 2, 29), date(2026, 3, 1))


@pytest.mark.parametrize(
    ("vandaag", "maanden", "grens"),
    [
        (date(2026, 12, 5), 6, date(2027, 6, 1)),
        (date(2026, 12, 31), 6, date(2027, 6, 1)),
        (date(2027, 1, 1), 6, date(2027, 7, 1)),
        (date(2026, 7, 15), 6, date(2027, 1, 1)),
        (date(2026, 12, 5), 12, date(2027, 12, 1)),
    ],
)
def test_de_overgang_begint_maanden_voor_de_maand_van_de_verjaardag(vandaag, maanden, grens) -> None:
    assert overgang_grens(vandaag, maanden) == grens


def test_leid_af_houdt_de_jongeren_bij_zonder_hun_geboortedatum() -> None:
    invoer = MeldingInvoer.model_validate(
        melding(
            betreft={
                "personen": [
                    {"bsn": "111222333", "geboortedatum": "1980-04-02"},
                    {"bsn": "123456782", "geboortedatum": "2009-06-15"},
                    {"bsn": "999999990"},
                ],
                "adres": {"postcode": "2262 AB", "huisnummer": 1},
            }
        )
    )
    feiten = leid_af(invoer, GEMEENTEN["GM1916"], SLEUTEL, date(2026, 12, 5))
    assert feiten.jongeren == ((feiten.persoon_sleutels[1], date(2027, 6, 1)),)


# --- lichte contacten -----------------------------------------------------------------------------------------


def test_een_licht_contact_bevat_alleen_codes_die_de_gemeente_kent() -> None:
    goed = controleer_contact(
        "GM1916",
        ["financien"],
        "verwezen_voorliggend_veld",
        "damsigt",
        "gm1916-humanitas-thuisadministratie",
        GEMEENTEN,
    )
    assert goed == []
    fouten = controleer_contact(
        "GM1916", ["financien", "geluk"], "verwezen_voorliggend_veld", "atlantis", "gm0546-mee", GEMEENTEN
    )
    assert [p for p, _ in fouten] == [("themas", 1), ("wijk",), ("aanbieder_id",)]
    assert [
        p for p, _ in controleer_contact("GM1916", ["financien"], "verwezen_voorliggend_veld", None, None, GEMEENTEN)
    ] == [("aanbieder_id",)]
    assert [p for p, _ in controleer_contact("GM1916", ["financien"], "beantwoord", None, "gm1916-ssp", GEMEENTEN)] == [
        ("aanbieder_id",)
    ]
    assert [p for p, _ in controleer_contact("GM9999", ["financien"], "beantwoord", None, None, GEMEENTEN)] == [
        ("gemeente",)
    ]


def test_een_licht_contact_wordt_een_keer_een_melding() -> None:
    assert CONTACT_LEVENSCYCLUS.ga_naar(Uitkomst.beantwoord, Uitkomst.melding_gemaakt) is Uitkomst.melding_gemaakt
    with pytest.raises(OngeldigeOvergang):
        CONTACT_LEVENSCYCLUS.ga_naar(Uitkomst.melding_gemaakt, Uitkomst.melding_gemaakt)
