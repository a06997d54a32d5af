"""A gemeente's own werkplek theme (issue 14): Leiden's staff get its design tokens linked after the
voorbeeld theme and its name in the header; another gemeente's staff do not; the CSS is served as CSS,
only for a gemeente whose configuration names one; a configuration naming a missing theme stops the start."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.werkplek.conftest import instellingen, log_in
from werkplek.app import maak_app

CONFIG = Path(__file__).resolve().parents[2] / "config" / "gemeenten"
LINK = '<link rel="stylesheet" href="/static/thema/GM0546.css">'
VOORBEELD = '<link rel="stylesheet" href="/static/vendor/voorbeeld-design-tokens/theme.css">'


async def test_medewerker_van_leiden_krijgt_het_thema_en_de_naam(werkplek):
    async with werkplek() as w:
        await log_in(w, rol="wijkcoach", gemeente="GM0546", team="gm0546-wijkteam-noord")
        r = await w.get("/werkvoorraad")
    assert r.status_code == 200, r.text
    assert LINK in r.text
    assert r.text.index(VOORBEELD) < r.text.index(LINK), "het thema hoort na het standaardthema"
    assert '<a class="utrecht-link" href="/">Werkplek sociaal domein Leiden</a>' in r.text


async def test_medewerker_van_een_andere_gemeente_krijgt_het_niet(werkplek):
    async with werkplek() as w:
        await log_in(w, rol="wijkcoach", gemeente="GM1916", team="gm1916-gebiedsteam-leidschendam")
        r = await w.get("/werkvoorraad")
        anoniem = await w.get("/inloggen")
    assert r.status_code == 200, r.text
    assert "/static/thema/" not in r.text and "/static/thema/" not in anoniem.text
    assert '<a class="utrecht-link" href="/">Werkplek sociaal domein</a>' in r.text


async def test_het_thema_is_css_en_alleen_dat_van_de_configuratie(werkplek):
    async with werkplek() as w:
        r = await w.get("/static/thema/GM0546.css")
        assert r.status_code == 200
        assert r.headers["content-type"] == "text/css; charset=utf-8"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.content == (CONFIG / "themas" / "GM0546.css").read_bytes()
        # No theme configured, no such gemeente, or an attempt at another file: nothing.
        for pad in ("GM1916.css", "GM9999.css", "..%2FGM0546.yaml", "GM0546.yaml", "GM0546.css.bak"):
            assert (await w.get(f"/static/thema/{pad}")).status_code == 404, pad
        assert (await w.get("/static/vendor/voorbeeld-design-tokens/theme.css")).status_code == 200  # mount intact


def test_configuratie_met_een_ontbrekend_thema_start_niet(tmp_path: Path):
    for bron in CONFIG.glob("*.yaml"):
        shutil.copy(bron, tmp_path / bron.name)  # without themas/: GM0546 names a file that is not there
    with pytest.raises(SystemExit, match=r"werkplek\.thema_css.*GM0546\.css"):
        maak_app(instellingen(TOEGANG_CONFIG_DIR=str(tmp_path)))
