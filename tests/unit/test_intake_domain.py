from datetime import date
from pathlib import Path

from services.intake.domain import MeldingInvoer, Status, controleer, leeftijdscategorie, leid_af, mag_naar
from shared.gemeenten import laad_gemeenten
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


def test_statusovergangen_ook_als_events_door_elkaar_komen():
    assert mag_naar(Status.geregistreerd, Status.doorverwezen)
    assert mag_naar(Status.geregistreerd, Status.opgepakt)  # opgepakt may arrive before doorverwezen
    assert not mag_naar(Status.opgepakt, Status.doorverwezen)  # and a late doorverwezen changes nothing
    assert not mag_naar(Status.opgepakt, Status.opgepakt)  # melding-opgepakt once
    assert not mag_naar(Status.afgesloten, Status.opgepakt)


def test_bekende_voorziening_uit_de_catalogus_wordt_aanvaard():
    body = melding(soort="aanvraag_maatwerk", gevraagde_voorzieningen=["huishoudelijke-ondersteuning"])
    assert controleer(MeldingInvoer.model_validate(body), GEMEENTEN) == []
