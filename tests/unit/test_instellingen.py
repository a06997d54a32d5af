"""Safe defaults (shared/settings.py, decision 0012): TOEGANG_OMGEVING is `productie` unless a development
platform says otherwise, and in productie a service refuses to start with the development token secret,
without a JWKS URL, or with a development or obviously weak pseudonym or encryption key. The development
platforms (`toegang dev`, the test platform, the benchmark, docker-compose.yml) keep starting."""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from shared.privacy import Kluis
from shared.service import bouw_app
from shared.settings import (
    PROJECT_ROOT,
    Instellingen,
    bezwaren,
    controleer,
    is_ontwikkelsleutel,
)
from toegang.omgeving import Platform, geheimen, ontwikkelsleutels

JWKS = "https://idp.gemeente.example/.well-known/jwks.json"
OMGEVING_VARIABELEN = (
    "TOEGANG_OMGEVING",
    "TOEGANG_JWT_SECRET",
    "TOEGANG_JWKS_URL",
    "TOEGANG_PSEUDONIEM_SLEUTEL",
    "TOEGANG_GEGEVENS_SLEUTEL",
    "DATABASE_URL",
)


@pytest.fixture(autouse=True)
def schone_omgeving(monkeypatch):
    """Nothing from the calling shell: every test says what it sets."""
    for naam in OMGEVING_VARIABELEN:
        monkeypatch.delenv(naam, raising=False)


def productie(**anders) -> dict[str, str]:
    """A configuration that may start in productie; `NAAM=None` leaves a variable out."""
    waarden = {
        "DATABASE_URL": "postgresql+asyncpg://x@db/toegang",
        "TOEGANG_JWKS_URL": JWKS,
        "TOEGANG_PSEUDONIEM_SLEUTEL": secrets.token_hex(32),
        "TOEGANG_GEGEVENS_SLEUTEL": Fernet.generate_key().decode(),
        **anders,
    }
    return {k: v for k, v in waarden.items() if v is not None}


def instellingen(waarden: dict[str, str]) -> Instellingen:
    return Instellingen(**waarden)


def bezwaar_over(waarden: dict[str, str], variabele: str) -> list[str]:
    return [b for b in bezwaren(instellingen(waarden)) if b.startswith(variabele)]


def test_zonder_toegang_omgeving_is_het_productie():
    assert instellingen(productie()).omgeving == "productie"
    assert bezwaren(instellingen(productie())) == []  # and a proper production configuration starts


def test_productie_weigert_het_ontwikkelgeheim_voor_tokens():
    waarden = productie(TOEGANG_JWT_SECRET=secrets.token_urlsafe(32))
    assert bezwaar_over(waarden, "TOEGANG_JWT_SECRET")
    with pytest.raises(SystemExit, match="TOEGANG_JWT_SECRET") as fout:
        controleer(instellingen(waarden))
    assert waarden["TOEGANG_JWT_SECRET"] not in str(fout.value)  # the secret itself is never printed
    # Without a JWKS URL too: then both are named at once.
    zonder = bezwaren(instellingen(productie(TOEGANG_JWKS_URL=None, TOEGANG_JWT_SECRET="x" * 32)))
    assert [b.split()[0] for b in zonder] == ["TOEGANG_JWT_SECRET", "TOEGANG_JWKS_URL"]


def test_productie_verifieert_tegen_een_https_jwks_url():
    assert bezwaar_over(productie(TOEGANG_JWKS_URL=None), "TOEGANG_JWKS_URL")
    assert bezwaar_over(productie(TOEGANG_JWKS_URL="http://idp.gemeente.example/jwks.json"), "TOEGANG_JWKS_URL")
    assert not bezwaar_over(productie(TOEGANG_JWKS_URL="http://127.0.0.1:8080/jwks.json"), "TOEGANG_JWKS_URL")


def test_ontwikkeling_aanvaardt_het_ontwikkelgeheim_maar_wil_een_manier_om_tokens_te_controleren():
    dev = {**ontwikkelsleutels(), "DATABASE_URL": "postgresql+asyncpg://x@db/t", "TOEGANG_OMGEVING": "ontwikkeling"}
    assert bezwaren(instellingen(dev)) == []
    zonder = {k: v for k, v in dev.items() if k != "TOEGANG_JWT_SECRET"}
    assert [b.split()[0] for b in bezwaren(instellingen(zonder))] == ["TOEGANG_JWT_SECRET"]


def test_ontwikkelsleutels_van_geheimen_worden_in_productie_herkend_en_geweigerd(tmp_path):
    dev = geheimen(tmp_path)
    assert dev["TOEGANG_OMGEVING"] == "ontwikkeling"
    assert (
        json.loads((tmp_path / "geheimen.json").read_text())["TOEGANG_PSEUDONIEM_SLEUTEL"]
        == dev["TOEGANG_PSEUDONIEM_SLEUTEL"]
    )
    assert is_ontwikkelsleutel(dev["TOEGANG_PSEUDONIEM_SLEUTEL"]) and is_ontwikkelsleutel(dev["TOEGANG_JWT_SECRET"])
    assert is_ontwikkelsleutel(base64.urlsafe_b64decode(dev["TOEGANG_GEGEVENS_SLEUTEL"]))
    # Copied into a production environment, one by one:
    for naam in ("TOEGANG_PSEUDONIEM_SLEUTEL", "TOEGANG_GEGEVENS_SLEUTEL"):
        assert bezwaar_over(productie(**{naam: dev[naam]}), naam), naam
    # All of geheimen() with TOEGANG_OMGEVING overridden to productie: every secret is named.
    alles = {**dev, "DATABASE_URL": "postgresql+asyncpg://x@db/t", "TOEGANG_OMGEVING": "productie"}
    genoemd = {b.split()[0] for b in bezwaren(instellingen(alles))}
    assert genoemd == {
        "TOEGANG_JWT_SECRET",
        "TOEGANG_JWKS_URL",
        "TOEGANG_PSEUDONIEM_SLEUTEL",
        "TOEGANG_GEGEVENS_SLEUTEL",
    }


def test_ontwikkelsleutels_zijn_echte_sleutels_en_elke_keer_anders(tmp_path):
    a, b = ontwikkelsleutels(), ontwikkelsleutels()
    assert all(a[k] != b[k] for k in a)
    kluis = Kluis(a["TOEGANG_GEGEVENS_SLEUTEL"])  # a valid Fernet key: intake and signalering start with it
    assert kluis.ontsleutel(kluis.versleutel("Jan Jansen")) == "Jan Jansen"
    assert len(a["TOEGANG_PSEUDONIEM_SLEUTEL"]) >= 32 + len("dev-")
    # Made once per data directory: a second call returns the same keys (the pseudonyms depend on them).
    assert geheimen(tmp_path) == geheimen(tmp_path)


def test_een_oud_geheimen_bestand_zonder_markering_blijft_werken(tmp_path):
    oud = {
        "TOEGANG_PSEUDONIEM_SLEUTEL": secrets.token_hex(32),
        "TOEGANG_GEGEVENS_SLEUTEL": Fernet.generate_key().decode(),
        "TOEGANG_JWT_SECRET": secrets.token_urlsafe(32),
        "nats": {"operator": "w"},
    }
    (tmp_path / "geheimen.json").write_text(json.dumps(oud))
    dev = geheimen(tmp_path)
    assert dev == {**{k: v for k, v in oud.items() if k != "nats"}, "TOEGANG_OMGEVING": "ontwikkeling"}
    assert bezwaren(instellingen({**dev, "DATABASE_URL": "postgresql+asyncpg://x@db/t"})) == []


@pytest.mark.parametrize(
    "sleutel,reden",
    [
        ("a1b2c3d4e5f6a7b8c9d0", "korter dan 32"),  # passes the old minimum of 16
        ("ab" * 20, "verschillende tekens"),
        ("0" * 64, "verschillende tekens"),
        ("DEV-" + secrets.token_hex(32), "ontwikkelsleutel"),
    ],
)
def test_productie_weigert_een_zwakke_pseudoniem_sleutel(sleutel, reden):
    assert any(
        reden in b for b in bezwaar_over(productie(TOEGANG_PSEUDONIEM_SLEUTEL=sleutel), "TOEGANG_PSEUDONIEM_SLEUTEL")
    )


@pytest.mark.parametrize(
    "ruw,reden",
    [
        (b"\x00" * 32, "verschillende bytes"),
        (b"mijn-heel-geheime-sleutel-123456", "leesbare tekst"),  # a password written as a key
        (b"dev-only-NIET-in-productie-00000", "ontwikkelsleutel"),
        (b"dev-" + secrets.token_bytes(28), "ontwikkelsleutel"),
    ],
)
def test_productie_weigert_een_zwakke_gegevens_sleutel(ruw, reden):
    sleutel = base64.urlsafe_b64encode(ruw).decode()
    Fernet(sleutel)  # each is a key Fernet itself would take
    assert any(
        reden in b for b in bezwaar_over(productie(TOEGANG_GEGEVENS_SLEUTEL=sleutel), "TOEGANG_GEGEVENS_SLEUTEL")
    )


@pytest.mark.parametrize("omgeving", ["ontwikkeling", "productie"])
def test_een_gegevens_sleutel_die_geen_fernet_sleutel_is_wordt_altijd_geweigerd(omgeving):
    waarden = {**productie(TOEGANG_GEGEVENS_SLEUTEL="geen-fernet-sleutel"), "TOEGANG_OMGEVING": omgeving}
    assert bezwaar_over(waarden, "TOEGANG_GEGEVENS_SLEUTEL")


def compose_standaarden() -> dict[str, str]:
    """The `${VAR:-default}` values of docker-compose.yml."""
    tekst = (PROJECT_ROOT / "docker-compose.yml").read_text()
    return dict(re.findall(r"^\s+(TOEGANG_\w+): \$\{\1:-([^}]*)\}", tekst, re.MULTILINE))


def test_docker_compose_is_een_ontwikkelplatform_dat_start_en_in_productie_geweigerd_wordt():
    standaard = compose_standaarden()
    assert standaard["TOEGANG_OMGEVING"] == "ontwikkeling"
    waarden = {**standaard, "DATABASE_URL": "postgresql+asyncpg://toegang:toegang@postgres:5432/toegang"}
    assert bezwaren(instellingen(waarden)) == []
    genoemd = {b.split()[0] for b in bezwaren(instellingen({**waarden, "TOEGANG_OMGEVING": "productie"}))}
    assert genoemd == {
        "TOEGANG_JWT_SECRET",
        "TOEGANG_JWKS_URL",
        "TOEGANG_PSEUDONIEM_SLEUTEL",
        "TOEGANG_GEGEVENS_SLEUTEL",
    }


def test_het_ingebedde_platform_is_altijd_ontwikkeling(tmp_path, monkeypatch):
    monkeypatch.setenv("TOEGANG_OMGEVING", "productie")
    platform = Platform("nats://127.0.0.1:1", "postgresql+asyncpg://x@db/t", geheimen(tmp_path), tmp_path)
    assert platform.env("intake")["TOEGANG_OMGEVING"] == "ontwikkeling"
    zonder_geheimen = Platform("nats://127.0.0.1:1", "postgresql+asyncpg://x@db/t", {}, tmp_path)
    assert zonder_geheimen.env("triage")["TOEGANG_OMGEVING"] == "ontwikkeling"


def test_bouw_app_weigert_te_starten_in_productie_met_ontwikkelgeheimen(monkeypatch, tmp_path):
    from services.triage.app import DEFINITIE

    for naam, waarde in {
        **geheimen(tmp_path),
        "DATABASE_URL": "postgresql+asyncpg://x@127.0.0.1:1/t",
        "TOEGANG_OMGEVING": "productie",
    }.items():
        monkeypatch.setenv(naam, waarde)
    with pytest.raises(SystemExit, match="TOEGANG_JWT_SECRET"):
        bouw_app(DEFINITIE)
    monkeypatch.setenv("TOEGANG_OMGEVING", "prod")  # a typo is no way around it
    with pytest.raises(SystemExit, match="TOEGANG_OMGEVING"):
        bouw_app(DEFINITIE)
    monkeypatch.delenv("TOEGANG_PSEUDONIEM_SLEUTEL")
    monkeypatch.setenv("TOEGANG_OMGEVING", "ontwikkeling")
    with pytest.raises(SystemExit, match="TOEGANG_PSEUDONIEM_SLEUTEL"):
        bouw_app(DEFINITIE)


def test_toegang_service_stopt_in_productie_met_een_duidelijke_melding(tmp_path):
    """The command a container runs: exits at once, naming every variable, printing no secret."""
    dev = geheimen(tmp_path)
    env = {
        **os.environ,
        **dev,
        "TOEGANG_OMGEVING": "productie",
        "DATABASE_URL": "postgresql+asyncpg://x@127.0.0.1:1/t",
        "NATS_URL": "nats://127.0.0.1:1",
        "TOEGANG_PORT": "1",
    }
    env.pop("TOEGANG_JWKS_URL", None)
    uitkomst = subprocess.run(
        [sys.executable, "-m", "toegang", "service", "intake"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(PROJECT_ROOT),
        check=False,
    )
    assert uitkomst.returncode != 0
    for naam in ("TOEGANG_JWT_SECRET", "TOEGANG_JWKS_URL", "TOEGANG_PSEUDONIEM_SLEUTEL", "TOEGANG_GEGEVENS_SLEUTEL"):
        assert naam in uitkomst.stderr, uitkomst.stderr
    for naam in ("TOEGANG_JWT_SECRET", "TOEGANG_PSEUDONIEM_SLEUTEL", "TOEGANG_GEGEVENS_SLEUTEL"):
        assert dev[naam] not in uitkomst.stderr + uitkomst.stdout
