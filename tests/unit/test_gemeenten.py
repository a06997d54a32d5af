"""The gemeente configuration files (config/gemeenten/*.yaml) and how shared.gemeenten validates them."""

from __future__ import annotations

import copy
import hashlib
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from shared.gemeenten import ConfigFout, Gemeente, Gemeenten, Route, laad_gemeenten

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config" / "gemeenten"

# The PC4 range each gemeente must cover completely (every code maps to exactly one wijk).
BEREIK = {"GM1916": (2261, 2275), "GM0546": (2311, 2334), "GM0637": (2711, 2729)}
NAMEN = {"GM1916": "Leidschendam-Voorburg", "GM0546": "Leiden", "GM0637": "Zoetermeer"}

# The only condition keys the triage engine implements, with their allowed values (None: only `true`).
MELDER_TYPES = {"inwoner_zelf", "naaste", "mantelzorger", "buur", "professional", "anoniem"}
TERMIJNEN = {
    "crisis-direct": (0, "direct", False),
    "spoed-48-uur": (48, "uren", False),
    "outreach-2-werkdagen": (2, "werkdagen", False),
    "wmo-onderzoek-6-weken": (6, "weken", True),
    "wmo-beschikking-2-weken": (2, "weken", True),
    "wgs-eerste-gesprek-4-weken": (4, "weken", True),
    "wgs-crisis-3-werkdagen": (3, "werkdagen", True),
    "jeugdwet-8-weken": (8, "weken", True),
    "opvolging-10-werkdagen": (10, "werkdagen", False),
}


@pytest.fixture(scope="module")
def gemeenten() -> Gemeenten:
    return laad_gemeenten(CONFIG)


def alle_codes() -> list[str]:
    return sorted(BEREIK)


# --- loading -----------------------------------------------------------------------------------------


def test_alle_drie_gemeenten_laden(gemeenten: Gemeenten) -> None:
    assert gemeenten.codes == ["GM0546", "GM0637", "GM1916"]
    for code, naam in NAMEN.items():
        assert gemeenten[code].naam == naam


def test_laden_met_relatief_pad_zoals_bij_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert laad_gemeenten(Path("config/gemeenten")).codes == ["GM0546", "GM0637", "GM1916"]


# --- wijken ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "postcode", "wijk"),
    [
        ("GM0637", "2711 CV", "stadscentrum"),  # stadhuis, Markt 10
        ("GM0637", "2716VA", "meerzicht"),  # Uiterwaard, wijkcentrum Meerzicht
        ("GM0637", "2724 AB", "seghwaert"),
        ("GM0637", "2728 AA", "noordhove"),
        ("GM0546", "2311 EZ", "binnenstad"),
        ("GM0546", "2333 ZA", "boerhaave"),  # LUMC
        ("GM0546", "2317 AA", "merenwijk"),
        ("GM1916", "2262 AB", "prinsenhof"),  # gemeentehuis, Weigelia
        ("GM1916", "2266 AA", "stompwijk"),
        ("GM1916", "2271 AA", "voorburg-midden"),
    ],
)
def test_wijk_van_bekende_postcode(gemeenten: Gemeenten, code: str, postcode: str, wijk: str) -> None:
    gevonden = gemeenten[code].wijk_van(postcode)
    assert gevonden is not None, f"{postcode} ligt in geen wijk van {code}"
    assert gevonden.id == wijk


@pytest.mark.parametrize("code", alle_codes())
@pytest.mark.parametrize("postcode", ["2511 AA", "1012 AB", "9711 AA"])  # Den Haag, Amsterdam, Groningen
def test_postcode_buiten_de_gemeente_heeft_geen_wijk(gemeenten: Gemeenten, code: str, postcode: str) -> None:
    assert gemeenten[code].wijk_van(postcode) is None


@pytest.mark.parametrize("code", alle_codes())
def test_elke_pc4_valt_in_precies_een_wijk(gemeenten: Gemeenten, code: str) -> None:
    gemeente = gemeenten[code]
    laag, hoog = BEREIK[code]
    for pc4 in range(laag, hoog + 1):
        wijken = [w.id for w in gemeente.wijken if w.bevat(pc4)]
        assert len(wijken) == 1, f"{code}: PC4 {pc4} valt in {wijken or 'geen wijk'}"


@pytest.mark.parametrize("code", alle_codes())
def test_bereiken_zijn_oplopend_en_binnen_de_gemeente(gemeenten: Gemeenten, code: str) -> None:
    laag, hoog = BEREIK[code]
    for wijk in gemeenten[code].wijken:
        for van, tot in wijk.bereik:
            assert van <= tot, f"{code} {wijk.id}: bereik {van}-{tot} loopt terug"
            assert laag <= van and tot <= hoog, f"{code} {wijk.id}: {van}-{tot} buiten {laag}-{hoog}"


@pytest.mark.parametrize("code", alle_codes())
def test_wijk_ids_uniek(gemeenten: Gemeenten, code: str) -> None:
    ids = [w.id for w in gemeenten[code].wijken]
    assert len(ids) == len(set(ids))


# --- teams -------------------------------------------------------------------------------------------


def test_team_voor_geeft_de_wijkcoaches_van_de_wijk_in_zoetermeer(gemeenten: Gemeenten) -> None:
    zoetermeer = gemeenten["GM0637"]
    assert {w.id for w in zoetermeer.wijken} >= {"meerzicht", "palenstein", "seghwaert", "oosterheem"}
    for wijk in zoetermeer.wijken:
        team = zoetermeer.team_voor(Route.wijkteam, wijk.id)
        assert team.id == f"gm0637-wijkcoaches-{wijk.id}"
        assert team.wijken == [wijk.id]
    # A postcode leads to the wijkcoaches of its own wijk.
    wijk = zoetermeer.wijk_van("2716 VA")
    assert wijk is not None
    assert zoetermeer.team_voor(Route.wijkteam, wijk.id).id == "gm0637-wijkcoaches-meerzicht"


def test_team_voor_in_leiden_kiest_het_sociaal_wijkteam_en_cjg_van_de_wijk(gemeenten: Gemeenten) -> None:
    leiden = gemeenten["GM0546"]
    assert leiden.team_voor(Route.wijkteam, "stevenshof").id == "gm0546-wijkteam-stevenshof"
    assert leiden.team_voor(Route.jeugd, "stevenshof").id == "gm0546-cjg-stevenshof"
    assert leiden.team_voor(Route.wijkteam, "merenwijk").id == "gm0546-wijkteam-noord"
    # A route without per-wijk teams falls back to the gemeente-wide team.
    assert leiden.team_voor(Route.veilig_thuis, "merenwijk").id == "gm0546-veilig-thuis"


@pytest.mark.parametrize("code", alle_codes())
def test_elke_route_heeft_een_team(gemeenten: Gemeenten, code: str) -> None:
    gemeente = gemeenten[code]
    routes = {t.route for t in gemeente.teams}
    for route in Route:
        if route is Route.lokale_kamer and code != "GM1916":
            # Only Leidschendam-Voorburg has a Lokale Kamer; elsewhere multi-problem goes to the wijkteam.
            assert route not in routes, f"{code} hoort geen Lokale Kamer te hebben"
        elif route is Route.teamleiding:
            # Doorzettingsmacht: the Lokale Kamer where there is one, else the team lead (never both).
            assert (route in routes) == (code != "GM1916"), f"{code}: teamleiding alleen zonder Lokale Kamer"
            assert gemeente.doorzettingsmacht is not None
            houder = gemeente.team(gemeente.doorzettingsmacht.team)
            assert houder is not None and houder.route in (Route.lokale_kamer, Route.teamleiding)
        else:
            assert route in routes, f"{code}: geen team voor route {route.value}"


@pytest.mark.parametrize("code", alle_codes())
def test_elke_wijk_heeft_per_route_een_team(gemeenten: Gemeenten, code: str) -> None:
    """team_voor never falls back to an arbitrary team: each wijk has its own or a gemeente-wide one."""
    gemeente = gemeenten[code]
    for route in {t.route for t in gemeente.teams}:
        for wijk in gemeente.wijken:
            team = gemeente.team_voor(route, wijk.id)
            assert team.route == route
            assert not team.wijken or wijk.id in team.wijken, f"{code} {route.value}: {wijk.id} niet gedekt"


@pytest.mark.parametrize("code", alle_codes())
def test_team_ids_uniek_en_met_gemeentecode(gemeenten: Gemeenten, code: str) -> None:
    ids = [t.id for t in gemeenten[code].teams]
    assert len(ids) == len(set(ids))
    for team_id in ids:
        assert team_id.startswith(f"{code.lower()}-"), team_id


def test_meldpunt_bezorgd_zit_in_de_lokale_kamer_in_leidschendam_voorburg(gemeenten: Gemeenten) -> None:
    lv = gemeenten["GM1916"]
    meldpunt = lv.team_voor(Route.meldpunt_bezorgd, None)
    assert meldpunt.id.startswith("gm1916-lokale-kamer")
    assert "Lokale Kamer" in meldpunt.naam


# --- partners ----------------------------------------------------------------------------------------


def test_partner_ids_uniek_over_alle_gemeenten(gemeenten: Gemeenten) -> None:
    ids = [p.partner_id for code in gemeenten.codes for p in gemeenten[code].partners]
    assert len(ids) == len(set(ids))
    for code in gemeenten.codes:
        for partner in gemeenten[code].partners:
            gevonden = gemeenten.partner(partner.partner_id)
            assert gevonden is not None and gevonden[0].code == code


@pytest.mark.parametrize("code", alle_codes())
def test_partners_met_ontwikkeltoken(gemeenten: Gemeenten, code: str) -> None:
    partners = gemeenten[code].partners
    assert 3 <= len(partners) <= 5
    assert {"woningcorporatie", "drinkwaterbedrijf", "ggd"} <= {p.type.value for p in partners}
    for partner in partners:
        assert partner.partner_id.startswith(f"{code.lower()}-")
        verwacht = hashlib.sha256(f"dev-{partner.partner_id}".encode()).hexdigest()
        assert partner.token_sha256 == verwacht, f"{partner.partner_id}: hash hoort bij 'dev-{partner.partner_id}'"


# --- termijnen ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", alle_codes())
def test_termijnen(gemeenten: Gemeenten, code: str) -> None:
    termijnen = gemeenten[code].termijnen
    for grondslag, (aantal, eenheid, wettelijk) in TERMIJNEN.items():
        assert grondslag in termijnen, f"{code}: termijn {grondslag} ontbreekt"
        norm = termijnen[grondslag]
        assert (norm.aantal, norm.eenheid, norm.wettelijk) == (aantal, eenheid, wettelijk), grondslag
        assert norm.bron.strip()
    assert "2.3.2" in termijnen["wmo-onderzoek-6-weken"].bron
    assert "4a" in termijnen["wgs-crisis-3-werkdagen"].bron
    assert "004 L2475" in termijnen["outreach-2-werkdagen"].bron


# --- regels ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", alle_codes())
def test_volgorde_van_de_regels(gemeenten: Gemeenten, code: str) -> None:
    gemeente = gemeenten[code]
    ids = [r.id for r in gemeente.regels]
    assert len(ids) == len(set(ids))
    kern = [
        "acuut-onveilig",
        "crisis",
        "bekend-huishouden",
        "zorgmelding-ander",
        "multiprobleem",
        "vroegsignaal-crisis",
        "vroegsignaal",
        "aanvraag-maatwerk",
    ]
    assert [i for i in ids if i in kern] == kern
    assert ids[0] == "acuut-onveilig"
    assert ids.index("aanvraag-maatwerk") < ids.index("jeugd") < ids.index("standaard")
    laatste = gemeente.regels[-1]
    assert laatste.id == "standaard" and laatste.als == {} and laatste.route == Route.sociale_basis
    multi = next(r for r in gemeente.regels if r.id == "multiprobleem")
    assert multi.route == (Route.lokale_kamer if code == "GM1916" else Route.wijkteam)
    for regel in gemeente.regels:
        assert regel.toelichting.strip().endswith("."), f"{code} {regel.id}: toelichting is een zin"


# --- broken files stop start-up with the file and the field ------------------------------------------


def ruwe_config(code: str) -> dict[str, Any]:
    return yaml.safe_load((CONFIG / f"{code}.yaml").read_text(encoding="utf-8"))


def _zet(ruw: dict[str, Any], pad: tuple[Any, ...], waarde: Any) -> None:
    doel = ruw
    for stap in pad[:-1]:
        doel = doel[stap]
    doel[pad[-1]] = waarde


def _regel(ruw: dict[str, Any], regel_id: str) -> int:
    return next(i for i, r in enumerate(ruw["regels"]) if r["id"] == regel_id)


FOUTEN = [
    ("onbekende route", lambda r: _zet(r, ("regels", 0, "route"), "politie"), ["regels", "route"]),
    (
        "route zonder team",
        lambda r: _zet(r, ("regels", _regel(r, "multiprobleem"), "route"), "lokale_kamer"),
        ["route", "lokale_kamer"],
    ),
    ("onbekende wijk in team", lambda r: _zet(r, ("teams", 3, "wijken"), ["atlantis"]), ["wijken", "atlantis"]),
    ("kapotte postcode", lambda r: _zet(r, ("wijken", 0, "postcodes"), ["27A1-2712"]), ["wijken", "postcodes"]),
    ("lege postcodes", lambda r: _zet(r, ("wijken", 1, "postcodes"), []), ["wijken", "postcodes"]),
    ("onbekende termijn", lambda r: _zet(r, ("regels", 0, "termijn"), "ooit"), ["termijn", "ooit"]),
    (
        "onbekende eenheid",
        lambda r: _zet(r, ("termijnen", "spoed-48-uur", "eenheid"), "maanden"),
        ["termijnen", "eenheid"],
    ),
    ("onbekende urgentie", lambda r: _zet(r, ("regels", 0, "urgentie"), "morgen"), ["regels", "urgentie"]),
    ("ongeldig team-id", lambda r: _zet(r, ("teams", 0, "id"), "GM0637 Veilig Thuis"), ["teams", "id"]),
    ("onbekend partnertype", lambda r: _zet(r, ("partners", 0, "type"), "bank"), ["partners", "type"]),
    ("onbekend veld", lambda r: _zet(r, ("wijken", 0, "postcode"), "2711"), ["wijken", "postcode"]),
    (
        "onbekend feit",
        lambda r: _zet(r, ("regels", 2, "als"), {"inkomen": True}),
        ["regels.2", "(bekend-huishouden)", "als.inkomen", "onbekend feit"],
    ),
    (
        "onbekende waarde",
        lambda r: _zet(r, ("regels", _regel(r, "jeugd"), "als"), {"leeftijdscategorie": ["kind"]}),
        ["regels", "leeftijdscategorie", "kind"],
    ),
    (
        "waar/onwaar verwacht",
        lambda r: _zet(r, ("regels", _regel(r, "crisis"), "als"), {"crisis": "ja"}),
        ["als.crisis", "true of false"],
    ),
    (
        "onbekend ZRM-domein",
        lambda r: _zet(r, ("regels", _regel(r, "multiprobleem"), "als"), {"zrm_domein": {"geld": 2}}),
        ["zrm_domein", "geld"],
    ),
    (
        "ZRM-score buiten 1-5",
        lambda r: _zet(r, ("regels", _regel(r, "multiprobleem"), "als"), {"zrm_aantal": {"score": 7, "minstens": 2}}),
        ["zrm_aantal", "score"],
    ),
    (
        "onbekende wijk in regel",
        lambda r: _zet(r, ("regels", _regel(r, "jeugd"), "als"), {"wijk": ["atlantis"]}),
        ["regels", "(jeugd)", "wijk", "atlantis"],
    ),
    (
        "onbekende voorziening in regel",
        lambda r: _zet(r, ("regels", _regel(r, "aanvraag-maatwerk"), "als"), {"gevraagde_voorzieningen": ["jacuzzi"]}),
        ["(aanvraag-maatwerk)", "gevraagde_voorzieningen", "jacuzzi"],
    ),
    (
        "onbekend team in regel",
        lambda r: _zet(r, ("regels", _regel(r, "jeugd"), "team"), "gm0637-nergens"),
        ["(jeugd).team", "gm0637-nergens"],
    ),
    (
        "team van een andere route",
        lambda r: _zet(r, ("regels", _regel(r, "jeugd"), "team"), "gm0637-wmo-loket"),
        ["(jeugd).team", "geen jeugd-team"],
    ),
    (
        "wijk zonder wijkteam",
        lambda r: _zet(r, ("teams",), [t for t in r["teams"] if t["id"] != "gm0637-wijkcoaches-dorp"]),
        ["(multiprobleem).route", "wijkteam", "dorp"],
    ),
    (
        "acuut onveilig elders heen",
        lambda r: _zet(r, ("regels", 0, "route"), "sociale_basis"),
        ["regels[0]", "Veilig Thuis"],
    ),
    ("acuut onveilig niet eerst", lambda r: r["regels"].insert(0, r["regels"].pop(1)), ["regels[0]", "veiligheid"]),
    ("acuut onveilig zonder crisis", lambda r: _zet(r, ("regels", 0, "urgentie"), "spoed"), ["regels[0]", "crisis"]),
    ("geen regel voor de rest", lambda r: r["regels"].pop(), ["als", "laatste regel"]),
    (
        "spoedregels zonder de 48 uur",
        lambda r: (
            r["termijnen"].pop("spoed-48-uur") and _zet(r, ("regels", _regel(r, "jeugd"), "termijn"), "crisis-direct")
        ),
        ["spoed-48-uur ontbreekt", "zorgmelding-ander"],
    ),
    (
        "spoed van 72 uur",
        lambda r: _zet(r, ("termijnen", "spoed-48-uur", "aantal"), 72),
        ["termijnen.spoed-48-uur", "48 uren"],
    ),
]


@pytest.mark.parametrize(("naam", "bederf", "velden"), FOUTEN, ids=[f[0] for f in FOUTEN])
def test_kapot_bestand_geeft_configfout_met_pad_en_veld(
    tmp_path: Path, naam: str, bederf: Any, velden: list[str]
) -> None:
    ruw = copy.deepcopy(ruwe_config("GM0637"))
    bederf(ruw)
    pad = tmp_path / "GM0637.yaml"
    pad.write_text(yaml.safe_dump(ruw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(ConfigFout) as fout:
        laad_gemeenten(tmp_path)
    bericht = str(fout.value)
    assert str(pad) in bericht
    for veld in velden:
        assert veld in bericht, f"{naam}: {veld!r} ontbreekt in {bericht!r}"


def test_onveranderd_bestand_in_tmp_laadt(tmp_path: Path) -> None:
    """Control for the test above: the round trip through yaml.safe_dump itself breaks nothing."""
    pad = tmp_path / "GM0637.yaml"
    pad.write_text(yaml.safe_dump(ruwe_config("GM0637"), allow_unicode=True), encoding="utf-8")
    assert laad_gemeenten(tmp_path).codes == ["GM0637"]


def test_bestandsnaam_hoort_bij_code(tmp_path: Path) -> None:
    pad = tmp_path / "GM0546.yaml"
    pad.write_text((CONFIG / "GM0637.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ConfigFout) as fout:
        laad_gemeenten(tmp_path)
    assert str(pad) in str(fout.value)
    assert "code" in str(fout.value) and "GM0637" in str(fout.value)


def test_geen_geldige_yaml(tmp_path: Path) -> None:
    pad = tmp_path / "GM0637.yaml"
    pad.write_text("code: GM0637\nwijken: [\n", encoding="utf-8")
    with pytest.raises(ConfigFout) as fout:
        laad_gemeenten(tmp_path)
    assert str(pad) in str(fout.value)


def test_een_kapot_bestand_stopt_het_geheel(tmp_path: Path) -> None:
    for code in ("GM0546", "GM1916"):
        (tmp_path / f"{code}.yaml").write_text((CONFIG / f"{code}.yaml").read_text(encoding="utf-8"))
    shutil.copytree(CONFIG / "themas", tmp_path / "themas")  # GM0546 names its werkplek theme
    ruw = ruwe_config("GM0637")
    del ruw["termijnen"]
    pad = tmp_path / "GM0637.yaml"
    pad.write_text(yaml.safe_dump(ruw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigFout) as fout:
        laad_gemeenten(tmp_path)
    assert str(pad) in str(fout.value) and "termijnen" in str(fout.value)


def test_lege_map(tmp_path: Path) -> None:
    with pytest.raises(ConfigFout) as fout:
        laad_gemeenten(tmp_path)
    assert str(tmp_path) in str(fout.value)


def _met(gemeente: Gemeente, **wijziging) -> dict:
    return {**gemeente.model_dump(mode="json", exclude_none=True), **wijziging}


def test_de_sociale_kaart_zoekt_op_thema_en_wijk_met_de_wijk_eerst(gemeenten: Gemeenten) -> None:
    lv = gemeenten["GM1916"]
    voorburg = [a.id for a in lv.zoek_aanbieders("sociaal_netwerk", "voorburg-noord")]
    # The wijk's own welzijn first, then what serves the whole gemeente; Leidschendam's welzijn not at all.
    assert voorburg[0] == "gm1916-welzijn-voorburg"
    assert "gm1916-welzijn-leidschendam" not in voorburg
    assert "gm1916-mantelzorgsteunpunt" in voorburg
    assert all("financien" in a.themas for a in lv.zoek_aanbieders("financien"))
    assert {a.id for a in lv.zoek_aanbieders()} == {a.id for a in lv.sociale_kaart}


@pytest.mark.parametrize(
    ("kaart", "melding"),
    [
        ([{"themas": ["geluk"]}], "sociale_kaart[0].themas: onbekend levensgebied geluk"),
        ([{"wijken": ["atlantis"]}], "sociale_kaart[0].wijken: onbekende wijk atlantis"),
        ([{}, {}], "sociale_kaart[1].id: 'gm1916-x' komt twee keer voor"),
    ],
)
def test_een_sociale_kaart_die_niet_klopt_valt_op_bij_het_laden(gemeenten: Gemeenten, kaart, melding) -> None:
    basis = {"id": "gm1916-x", "naam": "X", "aanbod": "x", "themas": ["financien"], "contact": {}}
    ruw = _met(gemeenten["GM1916"], sociale_kaart=[{**basis, **k} for k in kaart])
    with pytest.raises(ValidationError, match=re.escape(melding)):
        Gemeente.model_validate(ruw)


def test_doorzettingsmacht_noemt_een_bestaand_team(gemeenten: Gemeenten) -> None:
    ruw = _met(gemeenten["GM0546"], doorzettingsmacht={"team": "gm0546-bestaat-niet"})
    with pytest.raises(ValidationError, match="doorzettingsmacht.team: onbekend team"):
        Gemeente.model_validate(ruw)
