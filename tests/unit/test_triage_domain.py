import uuid
from datetime import UTC, datetime
from pathlib import Path

from services.triage.domain import besluit, feiten_van_casus, feiten_van_melding
from shared.events import MeldingGeregistreerd, Regisseur, SignaalDoorgezet
from shared.gemeenten import laad_gemeenten

GEMEENTEN = laad_gemeenten(Path(__file__).resolve().parents[2] / "config" / "gemeenten")
MAANDAG = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def melding(**over) -> MeldingGeregistreerd:
    velden = dict(
        melding_id=uuid.uuid4(),
        gemeente="GM1916",
        ontvangen_op=MAANDAG,
        kanaal="telefoon",
        soort="hulpvraag",
        melder_type="inwoner_zelf",
        huishouden_id="a" * 64,
        persoon_sleutels=["b" * 64],
        leeftijdscategorie="23-64",
        wijk=GEMEENTEN["GM1916"].wijken[0].id,
        levensgebieden=[],
        zrm={},
        veiligheid={},
        crisis=False,
        spoed=False,
        gevraagde_voorzieningen=[],
        inwoner_op_de_hoogte=True,
    )
    velden.update(over)
    return MeldingGeregistreerd(**velden)


def test_acuut_onveilig_gaat_voor_alles_ook_voor_een_bestaande_regisseur():
    b = besluit(
        GEMEENTEN["GM1916"],
        feiten_van_melding(melding(veiligheid={"huiselijk_geweld": True}), True),
        Regisseur(soort="professional", team_id="gm1916-lokale-kamer"),
    )
    assert (b.route, b.urgentie, b.termijn_grondslag) == ("veilig_thuis", "crisis", "crisis-direct")
    assert b.termijn_tot == MAANDAG


def test_bekend_huishouden_gaat_naar_het_team_van_de_regisseur():
    regisseur = Regisseur(soort="professional", team_id="gm1916-lokale-kamer")
    b = besluit(GEMEENTEN["GM1916"], feiten_van_melding(melding(), True), regisseur)
    assert b.regel_id == "bekend-huishouden" and b.team_id == "gm1916-lokale-kamer"
    assert b.bestaande_regisseur == regisseur
    assert b.feiten["bekend_huishouden"] is True


def test_multiprobleem_lokale_kamer_in_gm1916_en_wijkteam_elders():
    zrm = {"financien": 1}
    lv = besluit(GEMEENTEN["GM1916"], feiten_van_melding(melding(zrm=zrm), False), None)
    zm_wijk = GEMEENTEN["GM0637"].wijken[0].id
    zm = besluit(
        GEMEENTEN["GM0637"], feiten_van_melding(melding(gemeente="GM0637", wijk=zm_wijk, zrm=zrm), False), None
    )
    assert lv.route == "lokale_kamer" and zm.route == "wijkteam"
    assert zm.team_id == GEMEENTEN["GM0637"].team_voor("wijkteam", zm_wijk).id
    # Monday 09:00 UTC + 2 werkdagen: end of Wednesday, Amsterdam time.
    assert lv.termijn_tot.isoformat() == "2026-11-25T23:59:59+01:00"


def test_zonder_bijzonderheden_de_sociale_basis():
    b = besluit(GEMEENTEN["GM0546"], feiten_van_melding(melding(gemeente="GM0546", wijk=None), False), None)
    assert b.route == "sociale_basis" and b.urgentie == "regulier"


def test_crisis_signaal_naar_schuldhulp_binnen_drie_werkdagen():
    casus = SignaalDoorgezet(
        casus_id=uuid.uuid4(),
        gemeente="GM0546",
        huishouden_id="c" * 64,
        wijk=None,
        signalen=[{"signaal_id": uuid.uuid4(), "partner_type": "energieleverancier", "soort": "einde_levering"}],
        reden="crisis",
        crisis=True,
        ontvangen_op=MAANDAG,
    )
    b = besluit(GEMEENTEN["GM0546"], feiten_van_casus(casus, False), None)
    assert (b.route, b.termijn_grondslag) == ("schuldhulp", "wgs-crisis-3-werkdagen")
    assert b.termijn_tot.isoformat() == "2026-11-26T23:59:59+01:00"
