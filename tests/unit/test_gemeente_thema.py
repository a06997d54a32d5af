"""A gemeente's werkplek theme in its configuration (shared/gemeenten.py `Werkplek`): the file must exist
under config/gemeenten/themas/ and hold design tokens only; and the shipped theme's colours pass WCAG AA."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from shared.gemeenten import ConfigFout, laad_gemeenten

CONFIG = Path(__file__).resolve().parents[2] / "config" / "gemeenten"


def _schrijf(map_: Path, werkplek: object, css: str | None = None) -> Path:
    ruw = yaml.safe_load((CONFIG / "GM0637.yaml").read_text(encoding="utf-8"))
    ruw["werkplek"] = werkplek
    pad = map_ / "GM0637.yaml"
    pad.write_text(yaml.safe_dump(ruw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    if css is not None:
        (map_ / "themas").mkdir()
        (map_ / "themas" / "zoetermeer.css").write_text(css, encoding="utf-8")
    return pad


def test_thema_dat_bestaat_laadt(tmp_path: Path) -> None:
    _schrijf(tmp_path, {"naam": "Werkplek Zoetermeer", "thema_css": "zoetermeer.css"}, ":root { --x-kleur: #000; }")
    werkplek = laad_gemeenten(tmp_path)["GM0637"].werkplek
    assert werkplek is not None and werkplek.thema_css == "zoetermeer.css" and werkplek.naam == "Werkplek Zoetermeer"


def test_thema_dat_niet_bestaat_wordt_geweigerd(tmp_path: Path) -> None:
    pad = _schrijf(tmp_path, {"thema_css": "zoetermeer.css"})
    with pytest.raises(ConfigFout) as fout:
        laad_gemeenten(tmp_path)
    assert str(pad) in str(fout.value) and "werkplek.thema_css" in str(fout.value)
    assert "zoetermeer.css" in str(fout.value)


@pytest.mark.parametrize("naam", ["../GM0546.yaml", "themas/x.css", "x.txt", "/etc/passwd"])
def test_thema_is_een_bestandsnaam_in_themas(tmp_path: Path, naam: str) -> None:
    pad = _schrijf(tmp_path, {"thema_css": naam})
    with pytest.raises(ConfigFout) as fout:
        laad_gemeenten(tmp_path)
    assert str(pad) in str(fout.value) and "werkplek.thema_css" in str(fout.value)


@pytest.mark.parametrize(
    "css",
    [
        "body { color: red; }",
        ':root { --x: 1; } @import url("https://elders.example/x.css");',
        ":root { --achtergrond: url(https://elders.example/spoor.png); }",
    ],
)
def test_thema_houdt_alleen_design_tokens(tmp_path: Path, css: str) -> None:
    _schrijf(tmp_path, {"thema_css": "zoetermeer.css"}, css)
    with pytest.raises(ConfigFout) as fout:
        laad_gemeenten(tmp_path)
    assert "alleen custom properties" in str(fout.value)


def test_onbekend_veld_in_werkplek_wordt_geweigerd(tmp_path: Path) -> None:
    _schrijf(tmp_path, {"thema": "zoetermeer.css"})
    with pytest.raises(ConfigFout, match="werkplek.thema"):
        laad_gemeenten(tmp_path)


# --- the shipped theme: every text colour against its background at least 4.5:1 (WCAG 2.2 AA, 1.4.3) ----


def _luminantie(hex_: str) -> float:
    kanalen = [int(hex_[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lineair = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in kanalen]
    return 0.2126 * lineair[0] + 0.7152 * lineair[1] + 0.0722 * lineair[2]


def contrast(a: str, b: str) -> float:
    licht, donker = sorted((_luminantie(a), _luminantie(b)), reverse=True)
    return (licht + 0.05) / (donker + 0.05)


def test_contrastformule_klopt() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the known AA boundary grey


def test_leidens_thema_haalt_aa() -> None:
    tokens = dict(re.findall(r"(--[a-z0-9-]+):\s*(#[0-9a-f]{6})", (CONFIG / "themas" / "GM0546.css").read_text()))
    kop, wit = tokens["--utrecht-page-header-background-color"], "#ffffff"
    paren = {
        "koptekst": (tokens["--utrecht-page-header-color"], kop),
        "link op de kop": (tokens["--utrecht-link-color"], kop),
        "link": (tokens["--utrecht-link-color"], wit),
        "link hover": (tokens["--utrecht-link-hover-color"], wit),
        "kop 1": (tokens["--utrecht-heading-1-color"], wit),
        "primaire knop": (
            tokens["--utrecht-button-primary-action-color"],
            tokens["--utrecht-button-primary-action-background-color"],
        ),
        "primaire knop hover": (
            tokens["--utrecht-button-primary-action-hover-color"],
            tokens["--utrecht-button-primary-action-hover-background-color"],
        ),
        "secundaire knop": (
            tokens["--utrecht-button-secondary-action-color"],
            tokens["--utrecht-button-secondary-action-background-color"],
        ),
        "secundaire knop hover": (
            tokens["--utrecht-button-secondary-action-hover-color"],
            tokens["--utrecht-button-secondary-action-hover-background-color"],
        ),
    }
    te_laag = {naam: round(contrast(*p), 2) for naam, p in paren.items() if contrast(*p) < 4.5}
    assert not te_laag, te_laag
