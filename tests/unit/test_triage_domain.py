import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from services.triage.domain import besluit, feiten_van_casus, feiten_van_melding, termijn_van
from shared.events import MeldingGeregistreerd, Regisseur, SignaalDoorgezet
from shared.gemeenten import laad_gemeenten
from shared.termijnen import termijn_tot

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
    # Monday 09:00 UTC is 10:00 in Amsterdam; spoed: 48 hours later, before 2 werkdagen would end.
    assert lv.termijn_tot.isoformat() == "2026-11-25T10:00:00+01:00"
    assert lv.termijn_grondslag == "spoed-48-uur"


def test_zonder_bijzonderheden_de_sociale_basis():
    b = besluit(GEMEENTEN["GM0546"], feiten_van_melding(melding(gemeente="GM0546", wijk=None), False), None)
    assert b.route == "sociale_basis" and b.urgentie == "regulier"


def test_crisis_signaal_naar_schuldhulp_binnen_48_uur_niet_drie_werkdagen():
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
    assert (b.route, b.termijn_grondslag) == ("schuldhulp", "spoed-48-uur")
    assert b.termijn_tot.isoformat() == "2026-11-25T10:00:00+01:00"
    # The sentence says what was cut off: Wgs 4a's 3 werkdagen would run to the end of Thursday.
    assert b.toelichting.endswith(
        "Spoed: uiterlijk 48 uur na binnenkomst, op 25-11-2026 om 10:00 (de norm wgs-crisis-3-werkdagen zou lopen"
        " tot 26-11-2026)."
    )


SPOEDREGELS = [(gm, r) for gm in GEMEENTEN.codes for r in GEMEENTEN[gm].regels if r.urgentie == "spoed"]


def test_spoed_is_nooit_later_dan_48_uur_over_een_jaar_met_weekenden_en_feestdagen():
    """Every spoed rule of every gemeente, for an arrival every 7 hours through 2027 (Koningsdag, Hemelvaart,
    Pinksteren, Kerst, both clock changes): due at most 48 real hours later; where the rule's own norm
    ends later, at exactly 48 hours, with the spoed grondslag."""
    aankomsten = [datetime(2027, 1, 1, tzinfo=UTC) + timedelta(hours=7 * i) for i in range(365 * 24 // 7)]
    afgekapt = 0
    for gm, regel in SPOEDREGELS:
        norm = GEMEENTEN[gm].termijnen[regel.termijn]
        for op in aankomsten:
            b = termijn_van(GEMEENTEN[gm], regel, op)
            assert b[0] - op <= timedelta(hours=48), (gm, regel.id, op)
            if termijn_tot(op, norm) - op > timedelta(hours=48):
                afgekapt += 1
                assert (b[0] - op, b[1]) == (timedelta(hours=48), "spoed-48-uur"), (gm, regel.id, op)
                assert regel.termijn in b[2] and "48 uur" in b[2]
            else:
                assert b == (termijn_tot(op, norm), regel.termijn, regel.toelichting)
    assert afgekapt > 0 and len(SPOEDREGELS) >= 10


def test_spoed_binnen_48_uur_blijft_zijn_eigen_norm():
    """The spoed-voorziening rule names the 48 hours itself: nothing to cut, the sentence unchanged."""
    gm = GEMEENTEN["GM0546"]
    regel = next(r for r in gm.regels if r.id == "spoed-voorziening")
    tot, grondslag, toelichting = termijn_van(gm, regel, MAANDAG)
    assert (tot.isoformat(), grondslag, toelichting) == ("2026-11-25T10:00:00+01:00", "spoed-48-uur", regel.toelichting)
