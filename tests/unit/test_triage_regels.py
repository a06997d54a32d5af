"""Triage's rule tables of the three seed gemeenten, case by case (DOMAIN.md "Routes" and "Deadlines").

Each case: a melding or signaalcasus as it arrives, and what a wijkcoach would expect: the rule, route,
team, urgentie and the deadline, worked out by hand from the norms (not by calling the code that
computes them). Times are Europe/Amsterdam; 2026-11-23 is a Monday.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from services.triage.domain import besluit, feiten_van_casus, feiten_van_melding
from shared.events import MeldingGeregistreerd, Regisseur, SignaalDoorgezet
from shared.gemeenten import laad_gemeenten

GEMEENTEN = laad_gemeenten(Path(__file__).resolve().parents[2] / "config" / "gemeenten")
TZ = ZoneInfo("Europe/Amsterdam")
MA = datetime(2026, 11, 23, 10, 0, tzinfo=TZ)  # Monday 23 November 2026, 10:00
WIJK = {"GM1916": "damsigt", "GM0546": "merenwijk", "GM0637": "seghwaert"}


def melding(gm: str, op: datetime = MA, **over) -> MeldingGeregistreerd:
    velden = dict(
        melding_id=uuid.uuid4(),
        gemeente=gm,
        ontvangen_op=op,
        kanaal="telefoon",
        soort="hulpvraag",
        melder_type="inwoner_zelf",
        huishouden_id="a" * 64,
        persoon_sleutels=["b" * 64],
        leeftijdscategorie="23-64",
        wijk=WIJK[gm],
        levensgebieden=[],
        zrm={},
        veiligheid={},
        crisis=False,
        spoed=False,
        gevraagde_voorzieningen=[],
        inwoner_op_de_hoogte=True,
    )
    return MeldingGeregistreerd(**(velden | over))


def casus(
    gm: str, op: datetime = MA, soorten=(("woningcorporatie", "huurachterstand"),), crisis=False, wijk: str | None = ""
) -> SignaalDoorgezet:
    return SignaalDoorgezet(
        casus_id=uuid.uuid4(),
        gemeente=gm,
        huishouden_id="c" * 64,
        wijk=WIJK[gm] if wijk == "" else wijk,
        reden="nieuw_signaal",
        crisis=crisis,
        ontvangen_op=op,
        signalen=[{"signaal_id": uuid.uuid4(), "partner_type": p, "soort": s} for p, s in soorten],
    )


def einde(j: int, m: int, d: int) -> str:
    return datetime(j, m, d, 23, 59, 59, tzinfo=TZ).isoformat()


# Spoed is at most 48 hours after arrival (DOMAIN.md, "More of the domain"): 2 werkdagen from Monday 10:00
# would run to the end of Wednesday; the decision is due on Wednesday at 10:00.
SPOED_MA = "2026-11-25T10:00:00+01:00"

ONVEILIG = {"veiligheid": {"huiselijk_geweld": True}}
MULTI = {"zrm": {"financien": 2, "huisvesting": 2, "sociaal_netwerk": 2}}
REGISSEUR = {
    "GM1916": "gm1916-lokale-kamer",
    "GM0546": "gm0546-wijkteam-noord",
    "GM0637": "gm0637-wijkcoaches-seghwaert",
}

# (gemeente, name, event, known regisseur, rule, route, team, urgentie, termijn_tot)
CASES = [
    # Safety first, in every gemeente, also over a known regisseur and a crisis.
    (
        "GM1916",
        "huiselijk geweld",
        melding("GM1916", **ONVEILIG),
        True,
        "acuut-onveilig",
        "veilig_thuis",
        "gm1916-veilig-thuis",
        "crisis",
        MA.isoformat(),
    ),
    (
        "GM0546",
        "kindermishandeling, ook crisis",
        melding("GM0546", veiligheid={"kindermishandeling": True}, crisis=True),
        False,
        "acuut-onveilig",
        "veilig_thuis",
        "gm0546-veilig-thuis",
        "crisis",
        MA.isoformat(),
    ),
    (
        "GM0637",
        "acuut gevaar bij bekend huishouden",
        melding("GM0637", veiligheid={"acuut_gevaar": True}),
        True,
        "acuut-onveilig",
        "veilig_thuis",
        "gm0637-veilig-thuis",
        "crisis",
        MA.isoformat(),
    ),
    # Crisis.
    (
        "GM1916",
        "psychiatrische crisis",
        melding("GM1916", crisis=True),
        False,
        "crisis",
        "crisisdienst",
        "gm1916-cit",
        "crisis",
        MA.isoformat(),
    ),
    (
        "GM0546",
        "crisis",
        melding("GM0546", crisis=True),
        False,
        "crisis",
        "crisisdienst",
        "gm0546-crisisdienst-ggz",
        "crisis",
        MA.isoformat(),
    ),
    (
        "GM0637",
        "crisis",
        melding("GM0637", crisis=True),
        False,
        "crisis",
        "crisisdienst",
        "gm0637-crisisdienst-ggz",
        "crisis",
        MA.isoformat(),
    ),
    # Known household: its regisseur, 2 werkdagen.
    (
        "GM1916",
        "bekend huishouden",
        melding("GM1916", **MULTI),
        True,
        "bekend-huishouden",
        "regisseur",
        "gm1916-lokale-kamer",
        "regulier",
        einde(2026, 11, 25),
    ),
    (
        "GM0546",
        "bekend huishouden, signaal",
        casus("GM0546"),
        True,
        "bekend-huishouden",
        "regisseur",
        "gm0546-wijkteam-noord",
        "regulier",
        einde(2026, 11, 25),
    ),
    (
        "GM0637",
        "bekend huishouden",
        melding("GM0637", soort="aanvraag_maatwerk"),
        True,
        "bekend-huishouden",
        "regisseur",
        "gm0637-wijkcoaches-seghwaert",
        "regulier",
        einde(2026, 11, 25),
    ),
    # Zorgmelding about someone else: Meldpunt, 2 werkdagen; a Saturday counts as the Monday after.
    (
        "GM1916",
        "zorgmelding buur",
        melding("GM1916", soort="zorgmelding", melder_type="buur"),
        False,
        "zorgmelding-ander",
        "meldpunt_bezorgd",
        "gm1916-lokale-kamer-meldpunt-bezorgd",
        "spoed",
        SPOED_MA,
    ),
    (
        "GM0546",
        "zorgmelding op zaterdag",
        melding("GM0546", datetime(2026, 11, 21, 14, 0, tzinfo=TZ), soort="zorgmelding", melder_type="naaste"),
        False,
        "zorgmelding-ander",
        "meldpunt_bezorgd",
        "gm0546-meldpunt-zorg-en-overlast",
        "spoed",
        "2026-11-23T14:00:00+01:00",  # 2 werkdagen would run to Wednesday; 48 hours end on Monday 14:00
    ),
    (
        "GM0637",
        "zorgmelding anoniem",
        melding("GM0637", soort="zorgmelding", melder_type="anoniem"),
        False,
        "zorgmelding-ander",
        "meldpunt_bezorgd",
        "gm0637-meldpunt-bezorgd",
        "spoed",
        SPOED_MA,
    ),
    (
        "GM1916",
        "zorgmelding over zichzelf",
        melding("GM1916", soort="zorgmelding"),
        False,
        "standaard",
        "sociale_basis",
        "gm1916-ssp",
        "regulier",
        einde(2026, 12, 7),
    ),
    # Overlast signals are not a money matter.
    (
        "GM1916",
        "overlastsignaal",
        casus("GM1916", soorten=[("ggd", "overlast")]),
        False,
        "overlast-signaal",
        "meldpunt_bezorgd",
        "gm1916-lokale-kamer-meldpunt-bezorgd",
        "spoed",
        SPOED_MA,
    ),
    (
        "GM0546",
        "zorgsignaal woningcorporatie",
        casus("GM0546", soorten=[("woningcorporatie", "zorgmelding")]),
        False,
        "overlast-signaal",
        "meldpunt_bezorgd",
        "gm0546-meldpunt-zorg-en-overlast",
        "spoed",
        SPOED_MA,
    ),
    (
        "GM0637",
        "politie en huurachterstand",
        casus("GM0637", soorten=[("politie", "zorgmelding"), ("woningcorporatie", "huurachterstand")]),
        False,
        "zorgsignaal-ggd-politie",
        "meldpunt_bezorgd",
        "gm0637-meldpunt-bezorgd",
        "spoed",
        SPOED_MA,
    ),
    (
        "GM0637",
        "overlast van de woningcorporatie",
        casus("GM0637", soorten=[("woningcorporatie", "overlast")]),
        False,
        "overlast-signaal",
        "meldpunt_bezorgd",
        "gm0637-meldpunt-bezorgd",
        "spoed",
        SPOED_MA,
    ),
    (
        "GM0637",
        "GGD-signaal via partnertype",
        casus("GM0637", soorten=[("ggd", "huurachterstand")]),
        False,
        "zorgsignaal-ggd-politie",
        "meldpunt_bezorgd",
        "gm0637-meldpunt-bezorgd",
        "spoed",
        SPOED_MA,
    ),
    # Multi-problem: Lokale Kamer in GM1916, the wijkteam of the wijk elsewhere.
    (
        "GM1916",
        "multiprobleem, drie domeinen op 2",
        melding("GM1916", **MULTI),
        False,
        "multiprobleem",
        "lokale_kamer",
        "gm1916-lokale-kamer",
        "spoed",
        SPOED_MA,
    ),
    (
        "GM0546",
        "multiprobleem, een domein op 1",
        melding("GM0546", zrm={"huisvesting": 1}),
        False,
        "multiprobleem",
        "wijkteam",
        "gm0546-wijkteam-noord",
        "spoed",
        SPOED_MA,
    ),
    (
        "GM0546",
        "multiprobleem in Stevenshof",
        melding("GM0546", wijk="stevenshof", **MULTI),
        False,
        "multiprobleem",
        "wijkteam",
        "gm0546-wijkteam-stevenshof",
        "spoed",
        SPOED_MA,
    ),
    (
        "GM0637",
        "multiprobleem in Oosterheem",
        melding("GM0637", wijk="oosterheem", zrm={"middelengebruik": 1}),
        False,
        "multiprobleem",
        "wijkteam",
        "gm0637-wijkcoaches-oosterheem",
        "spoed",
        SPOED_MA,
    ),
    (
        "GM0637",
        "twee domeinen op 2 is geen multiprobleem",
        melding("GM0637", zrm={"financien": 2, "huisvesting": 2}),
        False,
        "standaard",
        "sociale_basis",
        "gm0637-welzijn",
        "regulier",
        einde(2026, 12, 7),
    ),
    # Vroegsignalering: 4 weeks (statutory), crisis 3 werkdagen.
    (
        "GM1916",
        "vroegsignaal",
        casus("GM1916"),
        False,
        "vroegsignaal",
        "schuldhulp",
        "gm1916-schuldhulp",
        "regulier",
        einde(2026, 12, 21),
    ),
    (
        "GM0546",
        "vroegsignaal, 4 weken eindigend op Kerst",
        casus("GM0546", datetime(2026, 11, 27, 9, 0, tzinfo=TZ)),
        False,
        "vroegsignaal",
        "schuldhulp",
        "gm0546-schuldhulp",
        "regulier",
        einde(2026, 12, 28),
    ),
    (
        "GM0637",
        "crisissignaal",
        casus("GM0637", soorten=[("energieleverancier", "einde_levering")], crisis=True),
        False,
        "vroegsignaal-crisis",
        "schuldhulp",
        "gm0637-schuldhulp",
        "spoed",
        SPOED_MA,  # Wgs 4a's 3 werkdagen would run to Thursday
    ),
    (
        "GM1916",
        "crisissignaal rond Bevrijdingsdag en Hemelvaart",
        casus("GM1916", datetime(2027, 5, 4, 10, 0, tzinfo=TZ), crisis=True),
        False,
        "vroegsignaal-crisis",
        "schuldhulp",
        "gm1916-schuldhulp",
        "spoed",
        "2027-05-06T10:00:00+02:00",  # 3 werkdagen past Hemelvaart would be 11 May; 48 hours run through it
    ),
    (
        "GM0546",
        "crisissignaal zonder wijk",
        casus("GM0546", crisis=True, wijk=None),
        False,
        "vroegsignaal-crisis",
        "schuldhulp",
        "gm0546-schuldhulp",
        "spoed",
        SPOED_MA,
    ),
    # Geldzorgen in a melding (ZRM per domain).
    (
        "GM1916",
        "financien op 2",
        melding("GM1916", zrm={"financien": 2}),
        False,
        "geldzorgen",
        "schuldhulp",
        "gm1916-schuldhulp",
        "regulier",
        einde(2026, 12, 21),
    ),
    (
        "GM0546",
        "geldzorgen als levensgebied",
        melding("GM0546", levensgebieden=["financien"], zrm={"financien": 2}),
        False,
        "geldzorgen",
        "schuldhulp",
        "gm0546-schuldhulp",
        "regulier",
        einde(2026, 12, 21),
    ),
    (
        "GM0546",
        "levensgebied zonder lage score",
        melding("GM0546", levensgebieden=["financien"], zrm={"financien": 3}),
        False,
        "standaard",
        "sociale_basis",
        "gm0546-servicepunt-zorg",
        "regulier",
        einde(2026, 12, 7),
    ),
    # Spoed with a voorziening: 48 hours.
    (
        "GM0637",
        "spoed, rolstoel",
        melding("GM0637", spoed=True, gevraagde_voorzieningen=["hulpmiddel-rolstoel"]),
        False,
        "spoed-voorziening",
        "wmo_consulent",
        "gm0637-wmo-loket",
        "spoed",
        datetime(2026, 11, 25, 10, 0, tzinfo=TZ).isoformat(),
    ),
    (
        "GM1916",
        "spoed zonder voorziening",
        melding("GM1916", spoed=True),
        False,
        "standaard",
        "sociale_basis",
        "gm1916-ssp",
        "regulier",
        einde(2026, 12, 7),
    ),
    # Aanvraag maatwerk: Wmo onderzoek 6 weeks, across New Year.
    (
        "GM1916",
        "aanvraag maatwerk",
        melding("GM1916", soort="aanvraag_maatwerk", leeftijdscategorie="65+"),
        False,
        "aanvraag-maatwerk",
        "wmo_consulent",
        "gm1916-wmo-consulenten",
        "regulier",
        einde(2027, 1, 4),
    ),
    (
        "GM0546",
        "aanvraag maatwerk",
        melding("GM0546", soort="aanvraag_maatwerk"),
        False,
        "aanvraag-maatwerk",
        "wmo_consulent",
        "gm0546-servicepunt-zorg-consulenten",
        "regulier",
        einde(2027, 1, 4),
    ),
    (
        "GM0637",
        "hulpvraag met voorziening",
        melding("GM0637", gevraagde_voorzieningen=["huishoudelijke-ondersteuning"]),
        False,
        "gevraagde-voorzieningen",
        "wmo_consulent",
        "gm0637-wmo-loket",
        "regulier",
        einde(2027, 1, 4),
    ),
    # Jeugd: 8 weeks; Zoetermeer sends the under-fours to the jeugdverpleegkundige.
    (
        "GM1916",
        "jongere",
        melding("GM1916", leeftijdscategorie="4-17"),
        False,
        "jeugd",
        "jeugd",
        "gm1916-cjg",
        "regulier",
        einde(2027, 1, 18),
    ),
    (
        "GM0546",
        "jongere in Stevenshof",
        melding("GM0546", wijk="stevenshof", leeftijdscategorie="4-17"),
        False,
        "jeugd",
        "jeugd",
        "gm0546-cjg-stevenshof",
        "regulier",
        einde(2027, 1, 18),
    ),
    (
        "GM0637",
        "baby",
        melding("GM0637", leeftijdscategorie="0-3"),
        False,
        "jeugd-onder-4",
        "jeugd",
        "gm0637-meerpunt-jgz",
        "regulier",
        einde(2027, 1, 18),
    ),
    (
        "GM0637",
        "tiener",
        melding("GM0637", leeftijdscategorie="4-17"),
        False,
        "jeugd",
        "jeugd",
        "gm0637-meerpunt",
        "regulier",
        einde(2027, 1, 18),
    ),
    # Otherwise the sociale basis, 10 werkdagen: over Koningsdag, Goede Vrijdag/Pasen, Pinksteren, Kerst.
    (
        "GM1916",
        "gewone hulpvraag",
        melding("GM1916", leeftijdscategorie="65+"),
        False,
        "standaard",
        "sociale_basis",
        "gm1916-ssp",
        "regulier",
        einde(2026, 12, 7),
    ),
    (
        "GM0637",
        "hulpvraag voor Koningsdag",
        melding("GM0637", datetime(2027, 4, 23, 10, 0, tzinfo=TZ)),
        False,
        "standaard",
        "sociale_basis",
        "gm0637-welzijn",
        "regulier",
        einde(2027, 5, 12),
    ),
    (
        "GM0546",
        "hulpvraag op Witte Donderdag",
        melding("GM0546", datetime(2027, 3, 25, 10, 0, tzinfo=TZ)),
        False,
        "standaard",
        "sociale_basis",
        "gm0546-servicepunt-zorg",
        "regulier",
        einde(2027, 4, 9),
    ),
    (
        "GM1916",
        "hulpvraag voor Pinksteren",
        melding("GM1916", datetime(2027, 5, 14, 10, 0, tzinfo=TZ)),
        False,
        "standaard",
        "sociale_basis",
        "gm1916-ssp",
        "regulier",
        einde(2027, 5, 31),
    ),
    (
        "GM0637",
        "hulpvraag op kerstavond",
        melding("GM0637", datetime(2026, 12, 24, 10, 0, tzinfo=TZ)),
        False,
        "standaard",
        "sociale_basis",
        "gm0637-welzijn",
        "regulier",
        einde(2027, 1, 11),
    ),
]


@pytest.mark.parametrize(
    ("gm", "naam", "event", "bekend", "regel", "route", "team", "urgentie", "tot"),
    CASES,
    ids=[f"{c[0]}-{c[1]}" for c in CASES],
)
def test_regeltabel(gm, naam, event, bekend, regel, route, team, urgentie, tot):
    regisseur = Regisseur(soort="professional", team_id=REGISSEUR[gm]) if bekend else None
    maak = feiten_van_casus if isinstance(event, SignaalDoorgezet) else feiten_van_melding
    b = besluit(GEMEENTEN[gm], maak(event, bekend), regisseur)
    assert (b.regel_id, b.route, b.team_id, b.urgentie) == (regel, route, team, urgentie), naam
    assert b.termijn_tot.isoformat() == tot, naam
    assert b.toelichting.endswith(".") and b.termijn_grondslag in GEMEENTEN[gm].termijnen


def test_de_tabel_dekt_elke_regel_van_elke_gemeente():
    gedekt = {(c[0], c[4]) for c in CASES}
    ongetest = {(gm, r.id) for gm in GEMEENTEN.codes for r in GEMEENTEN[gm].regels} - gedekt
    # A rule every gemeente shares may be covered in one of them.
    ongetest = {(gm, r) for gm, r in ongetest if not any(r == regel for _, regel in gedekt)}
    assert not ongetest
    assert len(CASES) >= 40


def test_de_toelichting_en_de_gebruikte_feiten_staan_in_het_besluit():
    b = besluit(
        GEMEENTEN["GM0546"],
        feiten_van_melding(melding("GM0546", levensgebieden=["financien"], zrm={"financien": 2}), False),
        None,
    )
    assert b.toelichting.startswith("Geldzorgen gemeld")
    assert b.feiten == {
        "bron_soort": "melding",
        "levensgebieden": ["financien"],
        "zrm_domein": {"financien": 2},
        "wijk": "merenwijk",
    }
