"""The alert rules in deploy/prometheus: promtool accepts them, every alert fires in its test case and stays
quiet in the other (regels_test.yml), every alert has a summary and a runbook section that exists, and every
metric of the platform a rule or dashboard uses is one the services export. The test command provides
promtool (run.py: TOEGANG_PROMTOOL); without it these tests fail, they do not skip."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
from pathlib import Path

import yaml

from services.arrangement.jobs import termijnmetingen
from shared.metrics import Metrieken

TOP = Path(__file__).resolve().parents[2]
PROMETHEUS = TOP / "deploy" / "prometheus"
REGELS = PROMETHEUS / "regels.yml"
GRAFANA = TOP / "deploy" / "grafana" / "dashboards"


def promtool(*argumenten: str) -> subprocess.CompletedProcess:
    pad = os.environ.get("TOEGANG_PROMTOOL")
    assert pad and os.access(pad, os.X_OK), "TOEGANG_PROMTOOL ontbreekt: draai de tests met `python3 run.py test`"
    return subprocess.run([pad, *argumenten], cwd=PROMETHEUS, capture_output=True, text=True, timeout=120)


def alerts() -> list[dict]:
    groepen = yaml.safe_load(REGELS.read_text())["groups"]
    return [r for g in groepen for r in g["rules"] if "alert" in r]


def geexporteerd() -> set[str]:
    """Every sample name the services can export (counters with _total, histograms with their series)."""
    m = Metrieken("test")
    termijnmetingen(m)
    namen = set()
    for familie in m.register.collect():
        soort, naam = familie.type, familie.name
        namen |= {
            "counter": {f"{naam}_total"},
            "histogram": {f"{naam}_bucket", f"{naam}_count", f"{naam}_sum"},
        }.get(soort, {naam})
    return namen


def test_promtool_accepteert_de_regels():
    uitkomst = promtool("check", "rules", "regels.yml")
    assert uitkomst.returncode == 0, uitkomst.stdout + uitkomst.stderr


def test_elke_alert_gaat_af_en_blijft_stil_in_zijn_testgeval():
    uitkomst = promtool("test", "rules", "regels_test.yml")
    assert uitkomst.returncode == 0, uitkomst.stdout + uitkomst.stderr
    getest = set(re.findall(r"alertname: (\w+)", (PROMETHEUS / "regels_test.yml").read_text()))
    assert {a["alert"] for a in alerts()} <= getest


def test_een_regel_die_niet_klopt_valt_op():
    """The rule tests can fail: a threshold raised beyond the firing case makes promtool fail."""
    kopie = PROMETHEUS / ".regels_kapot.yml"
    kopie.write_text(
        REGELS.read_text().replace("toegang_outbox_oudste_seconden) > 30", "toegang_outbox_oudste_seconden) > 3000")
    )
    test = PROMETHEUS / ".regels_kapot_test.yml"
    test.write_text(
        (PROMETHEUS / "regels_test.yml").read_text().replace("rule_files: [regels.yml]", f"rule_files: [{kopie.name}]")
    )
    try:
        uitkomst = promtool("test", "rules", test.name)
    finally:
        kopie.unlink()
        test.unlink()
    assert uitkomst.returncode != 0 and "OutboxOudsteRijTeOud" in uitkomst.stdout + uitkomst.stderr


def test_elke_alert_heeft_een_samenvatting_en_een_runbook():
    gids = (TOP / "deploy" / "README.md").read_text()
    koppen = {
        re.sub(r"[^a-z0-9-]", "", k.strip().lower().replace(" ", "-")) for k in re.findall(r"^#+ (.+)$", gids, re.M)
    }
    for a in alerts():
        assert a["annotations"]["summary"], a["alert"]
        anker = a["annotations"]["runbook"].split("#", 1)[1]
        assert anker == a["alert"].lower() and anker in koppen, f"geen runbook-sectie voor {a['alert']}"
        assert a["labels"]["severity"] in {"critical", "warning", "info"}


def test_regels_en_dashboards_gebruiken_alleen_bestaande_metrics():
    bekend = geexporteerd()
    teksten = [REGELS.read_text(), *(p.read_text() for p in GRAFANA.glob("*.json"))]
    gebruikt = {n for t in teksten for n in re.findall(r"\btoegang_[a-z_]+\b", t)} | {
        n for t in teksten for n in re.findall(r"\bwerkplek_[a-z_]+\b", t)
    }
    werkplek = {
        "werkplek_paginas_total",
        "werkplek_pagina_seconden_bucket",
        "werkplek_pagina_seconden_count",
        "werkplek_pagina_seconden_sum",
        "werkplek_dienst_seconden_bucket",
        "werkplek_aanmeldingen_total",
    }
    assert gebruikt, "geen metrics gevonden"
    assert gebruikt - bekend - werkplek == set()


def _generator():
    spec = importlib.util.spec_from_file_location("genereer_monitoring", TOP / "deploy" / "genereer_monitoring.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_dashboards_en_prometheusrule_zijn_wat_de_generator_schrijft():
    """Edit deploy/genereer_monitoring.py or regels.yml, then run it: the committed files follow."""
    gen = _generator()
    for naam, d in gen.alle().items():
        assert (GRAFANA / naam).read_text() == gen.als_tekst(d), f"{naam}: draai python deploy/genereer_monitoring.py"
    regel = yaml.safe_load(gen.PROMETHEUSRULE.read_text())
    assert gen.PROMETHEUSRULE.read_text() == gen.prometheusrule()
    assert regel["spec"]["groups"] == yaml.safe_load(REGELS.read_text())["groups"]


def test_dashboards_zijn_geldige_grafana_json():
    dashboards = {p.name: json.loads(p.read_text()) for p in GRAFANA.glob("*.json")}
    assert {
        "overzicht.json",
        "intake.json",
        "triage.json",
        "arrangement.json",
        "signalering.json",
        "stuurinformatie.json",
        "werkplek.json",
    } <= set(dashboards)
    uids = [d["uid"] for d in dashboards.values()]
    assert len(uids) == len(set(uids))
    for naam, d in dashboards.items():
        assert d["panels"], naam
        for paneel in d["panels"]:
            assert all(t["expr"] for t in paneel.get("targets", [])), (naam, paneel["title"])
