"""`toegang dev`'s own bookkeeping (toegang/dev.py): dev.json written atomically, one `toegang dev` per
data directory (dev.lock), the port overrides, the werkplek's environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest

from toegang.dev import InGebruik, dev_poorten, neem_slot, schrijf_dev_json
from toegang.omgeving import SERVICES, Platform, ServiceProces
from werkplek.telemetrie import zonder_query

HOUD_SLOT = """
import sys, time
from pathlib import Path
from toegang.dev import neem_slot
neem_slot(Path(sys.argv[1]))
print("vast", flush=True)
time.sleep(float(sys.argv[2]))
"""


def test_dev_json_is_nooit_leeg_of_half(tmp_path):
    pad = tmp_path / "dev.json"
    groot = {"services": {f"s{i}": f"http://127.0.0.1:{8000 + i}" for i in range(2000)}}
    schrijf_dev_json(pad, {**groot, "n": -1})
    klaar = threading.Event()
    gelezen: list[int] = []
    fouten: list[str] = []

    def lees() -> None:
        while not klaar.is_set():
            tekst = pad.read_text()
            try:
                gelezen.append(json.loads(tekst)["n"])
            except ValueError:
                fouten.append(tekst[:80])

    lezer = threading.Thread(target=lees)
    lezer.start()
    try:
        for n in range(300):
            schrijf_dev_json(pad, {**groot, "n": n})
    finally:
        klaar.set()
        lezer.join()
    assert fouten == []
    assert len(gelezen) > 100 and max(gelezen) > 0  # the reader did read while the writer wrote
    assert json.loads(pad.read_text())["n"] == 299
    assert pad.stat().st_mode & 0o777 == 0o600  # it holds NATS passwords
    assert [p.name for p in tmp_path.iterdir()] == ["dev.json"]  # no temporary files left


def test_een_map_in_gebruik_noemt_de_houder_en_komt_daarna_vrij(tmp_path):
    houder = subprocess.Popen([sys.executable, "-c", HOUD_SLOT, str(tmp_path), "60"], stdout=subprocess.PIPE, text=True)
    try:
        assert houder.stdout is not None and houder.stdout.readline().strip() == "vast"
        with pytest.raises(InGebruik, match=rf"pid {houder.pid}, gestart \d{{4}}-"):
            neem_slot(tmp_path)
    finally:
        houder.kill()
        houder.wait()
    os.close(neem_slot(tmp_path))  # the kernel released the dead holder's lock: taken over at once
    assert json.loads((tmp_path / "dev.lock").read_text())["pid"] == os.getpid()


def test_een_slot_van_een_gestopte_dev_wordt_overgenomen(tmp_path):
    dood = subprocess.Popen(["true"])
    dood.wait()
    (tmp_path / "dev.lock").write_text(json.dumps({"pid": dood.pid, "gestart": "gisteren"}))
    os.close(neem_slot(tmp_path))
    assert json.loads((tmp_path / "dev.lock").read_text())["pid"] == os.getpid()


def test_wacht_tot_wat_een_gestopte_dev_achterliet_het_slot_loslaat(tmp_path):
    # The holder's pid is gone but the lock is still held (as its watchdog holds it while cleaning up):
    # wait for it rather than refuse, and refuse naming the pid if it is not released in time.
    houder = subprocess.Popen([sys.executable, "-c", HOUD_SLOT, str(tmp_path), "3"], stdout=subprocess.PIPE, text=True)
    assert houder.stdout is not None and houder.stdout.readline().strip() == "vast"
    dood = subprocess.Popen(["true"])
    dood.wait()
    (tmp_path / "dev.lock").write_text(json.dumps({"pid": dood.pid, "gestart": "zojuist"}))
    with pytest.raises(InGebruik, match=rf"gestopte `toegang dev` \(pid {dood.pid}"):
        neem_slot(tmp_path, opruimen=0.3)
    os.close(neem_slot(tmp_path, opruimen=15))
    assert houder.wait(5) == 0  # the holder ended by itself: its lock was waited for, not broken
    assert json.loads((tmp_path / "dev.lock").read_text())["pid"] == os.getpid()


def test_poorten_standaard_en_overschreven(monkeypatch):
    monkeypatch.delenv("TOEGANG_DEV_POORTEN", raising=False)
    assert dev_poorten() == {
        "intake": 8001,
        "triage": 8002,
        "arrangement": 8003,
        "signalering": 8004,
        "stuurinformatie": 8005,
        "werkplek": 8000,
        "nats": 14222,
        "nats_monitor": 18222,
    }
    monkeypatch.setenv("TOEGANG_DEV_POORTEN", "triage=18002, nats=24222,werkplek=18000")
    assert dev_poorten()["triage"] == 18002 and dev_poorten()["nats"] == 24222 and dev_poorten()["intake"] == 8001
    assert dev_poorten()["werkplek"] == 18000
    for fout in ("triage", "triage=x", "onbekend=1"):
        monkeypatch.setenv("TOEGANG_DEV_POORTEN", fout)
        with pytest.raises(ValueError, match="TOEGANG_DEV_POORTEN"):
            dev_poorten()


def test_de_werkplek_krijgt_de_service_urls_en_geen_sleutels(tmp_path, monkeypatch):
    """Platform.werkplek_env: a development werkplek against the platform's services, on its own port
    (not the TOEGANG_PORT a service gets), with the JWT secret and OTEL_*, without database, NATS or keys."""
    monkeypatch.setenv("TOEGANG_PORT", "8001")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://buiten")
    monkeypatch.setenv("TOEGANG_OMGEVING", "productie")
    omgeving = {
        "TOEGANG_JWT_SECRET": "dev-geheim",
        "TOEGANG_PSEUDONIEM_SLEUTEL": "dev-pseudoniem",
        "TOEGANG_GEGEVENS_SLEUTEL": "dev-gegevens",
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318",
        "TOEGANG_CONFIG_DIR": "/ergens/gemeenten",
    }
    platform = Platform("nats://x", "postgresql+asyncpg://x", omgeving, tmp_path, werkplek_poort=18000)
    platform.services = {n: ServiceProces(n, 19000 + i) for i, n in enumerate(SERVICES)}
    env = platform.werkplek_env()
    assert env["TOEGANG_WERKPLEK_PORT"] == "18000" and "TOEGANG_PORT" not in env
    assert env["TOEGANG_OMGEVING"] == "ontwikkeling" and env["TOEGANG_JWT_SECRET"] == "dev-geheim"
    assert {env[f"TOEGANG_{n.upper()}_URL"] for n in SERVICES} == {f"http://127.0.0.1:{19000 + i}" for i in range(5)}
    assert env["TOEGANG_TRIAGE_URL"] == platform.services["triage"].url
    assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://127.0.0.1:4318"
    assert env["TOEGANG_CONFIG_DIR"] == "/ergens/gemeenten"
    assert not {"DATABASE_URL", "NATS_URL", "TOEGANG_PSEUDONIEM_SLEUTEL", "TOEGANG_GEGEVENS_SLEUTEL"} & env.keys()


def test_urls_in_spans_zonder_querystring():
    assert zonder_query("http://127.0.0.1:8003/v1/werkvoorraad?team=x#y") == "http://127.0.0.1:8003/v1/werkvoorraad"
    assert zonder_query("/werkvoorraad?soort=a") == "/werkvoorraad"


def test_wat_toegang_dev_toont_bevat_geen_wachtwoord():
    from toegang.dev import _zonder_wachtwoord

    assert _zonder_wachtwoord("postgresql+asyncpg://app:geheim@db:5432/toegang").startswith(
        "postgresql+asyncpg://app:***@db:5432/toegang"
    )
    assert "geheim" not in _zonder_wachtwoord("nats://operator:geheim@127.0.0.1:14222,nats://b:4222")
    # No password (pgserver's socket URL): shown as it is, without a misleading mask.
    assert _zonder_wachtwoord("postgresql+asyncpg://postgres:@/postgres?host=/x") == (
        "postgresql+asyncpg://postgres:@/postgres?host=/x"
    )
