"""Writes what operations reads from code: the Grafana dashboards in deploy/grafana/dashboards/ (from the
panels below) and deploy/kubernetes/prometheusrule.yaml (the Prometheus Operator's PrometheusRule, holding
the groups of deploy/prometheus/regels.yml, the one source of the rules):

    python deploy/genereer_monitoring.py

The files are committed (Grafana's provisioning and kustomize read them); tests/unit/test_prometheus.py
checks that they are what this script writes and that every metric they use is one the platform exports. Histograms
ask for exemplars: a point on a latency panel links to its trace in Jaeger (the data source's
exemplarTraceIdDestinations, deploy/grafana/provisioning/datasources).
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

DEPLOY = Path(__file__).parent
MAP = DEPLOY / "grafana" / "dashboards"
PROMETHEUSRULE = DEPLOY / "kubernetes" / "prometheusrule.yaml"
SERVICES = ("intake", "triage", "arrangement", "signalering", "stuurinformatie")
BREEDTE, HOOGTE = 12, 8


def paneel(titel: str, *queries: tuple[str, str], eenheid: str = "short", exemplaren: bool = False) -> dict:
    """A time series panel; each query is (PromQL, legend)."""
    return {
        "type": "timeseries",
        "title": titel,
        "datasource": {"type": "prometheus", "uid": "prometheus"},
        "fieldConfig": {"defaults": {"unit": eenheid}, "overrides": []},
        "targets": [
            {"refId": chr(65 + i), "expr": expr, "legendFormat": legenda, "exemplar": exemplaren}
            for i, (expr, legenda) in enumerate(queries)
        ],
    }


def dashboard(uid: str, titel: str, panelen: list[dict]) -> dict:
    for i, p in enumerate(panelen):  # two panels a row
        p["id"] = i + 1
        p["gridPos"] = {"h": HOOGTE, "w": BREEDTE, "x": (i % 2) * BREEDTE, "y": (i // 2) * HOOGTE}
    return {
        "uid": uid,
        "title": titel,
        "tags": ["integrale-toegang"],
        "timezone": "browser",
        "schemaVersion": 39,
        "version": 1,
        "refresh": "10s",
        "time": {"from": "now-1h", "to": "now"},
        "panels": panelen,
    }


def p99(metric: str, per: str, filter_: str = "") -> str:
    return f"histogram_quantile(0.99, sum by ({per}, le) (rate({metric}_bucket{filter_}[5m])))"


def overzicht() -> dict:
    return dashboard(
        "toegang-overzicht",
        "Integrale toegang: overzicht",
        [
            paneel(
                "Doorstroom per hop (berichten per seconde)",
                ('sum by (consumer) (rate(toegang_berichten_total{uitkomst="ok"}[1m]))', "{{consumer}}"),
            ),
            paneel(
                "Achterstand per consumer (wachtend)", ("max by (consumer) (toegang_consumer_wachtend)", "{{consumer}}")
            ),
            paneel(
                "Leeftijd van events per hop, p99",
                (p99("toegang_event_leeftijd_seconden", "consumer"), "{{consumer}}"),
                eenheid="s",
                exemplaren=True,
            ),
            paneel(
                "Melding tot plan, p50 en p99",
                ("histogram_quantile(0.5, sum by (le) (rate(toegang_keten_seconden_bucket[5m])))", "p50"),
                ("histogram_quantile(0.99, sum by (le) (rate(toegang_keten_seconden_bucket[5m])))", "p99"),
                eenheid="s",
                exemplaren=True,
            ),
            paneel(
                "Outbox: oudste rij", ("max by (service) (toegang_outbox_oudste_seconden)", "{{service}}"), eenheid="s"
            ),
            paneel(
                "Outbox: rijen en publicatiefouten",
                ("max by (service) (toegang_outbox_rijen)", "rijen {{service}}"),
                ("sum by (service) (rate(toegang_outbox_publicatiefouten_total[5m]))", "fouten/s {{service}}"),
            ),
            paneel("DLQ: vermeldingen per service", ("max by (service) (toegang_dlq_vermeldingen)", "{{service}}")),
            paneel(
                "Mislukt per consumer (opnieuw, dlq, onleesbaar, database weg)",
                (
                    'sum by (consumer, uitkomst) (rate(toegang_berichten_total{uitkomst!~"ok|duplicaat"}[5m]))',
                    "{{consumer}} {{uitkomst}}",
                ),
            ),
            paneel(
                "HTTP 5xx per service",
                ('sum by (service) (rate(toegang_http_verzoeken_total{status="5xx"}[5m]))', "{{service}}"),
            ),
            paneel(
                "Verbindingen op (1) of weg (0)",
                ("min by (service, onderdeel) (toegang_verbinding_op)", "{{service}} {{onderdeel}}"),
            ),
            paneel(
                "Open termijnen per gemeente",
                ("sum by (gemeente) (max by (gemeente, grondslag) (toegang_termijnen_open))", "{{gemeente}}"),
            ),
            paneel(
                "Verlopen termijnen per gemeente en grondslag",
                ("max by (gemeente, grondslag) (toegang_termijnen_verlopen)", "{{gemeente}} {{grondslag}}"),
            ),
        ],
    )


def per_service(service: str) -> dict:
    s = f'{{service="{service}"}}'
    panelen = [
        paneel(
            "Berichten per consumer en uitkomst",
            (f"sum by (consumer, uitkomst) (rate(toegang_berichten_total{s}[1m]))", "{{consumer}} {{uitkomst}}"),
        ),
        paneel(
            "Duur in de handler, p50 en p99",
            (
                f"histogram_quantile(0.5, sum by (consumer, le) (rate(toegang_verwerking_seconden_bucket{s}[5m])))",
                "p50 {{consumer}}",
            ),
            (p99("toegang_verwerking_seconden", "consumer", s), "p99 {{consumer}}"),
            eenheid="s",
            exemplaren=True,
        ),
        paneel(
            "Leeftijd van events bij deze hop, p99",
            (p99("toegang_event_leeftijd_seconden", "consumer", s), "{{consumer}}"),
            eenheid="s",
            exemplaren=True,
        ),
        paneel(
            "Consumers: wachtend, onbevestigd, herbezorgd",
            (f"max by (consumer) (toegang_consumer_wachtend{s})", "wachtend {{consumer}}"),
            (f"max by (consumer) (toegang_consumer_onbevestigd{s})", "onbevestigd {{consumer}}"),
            (f"max by (consumer) (toegang_consumer_herbezorgd{s})", "herbezorgd {{consumer}}"),
        ),
        paneel(
            "Outbox: rijen en oudste rij",
            (f"max(toegang_outbox_rijen{s})", "rijen"),
            (f"max(toegang_outbox_oudste_seconden{s})", "oudste (s)"),
        ),
        paneel(
            "Outbox: gepubliceerd, fouten, commit tot PubAck p99",
            (f"sum(rate(toegang_outbox_gepubliceerd_total{s}[1m]))", "gepubliceerd/s"),
            (f"sum(rate(toegang_outbox_publicatiefouten_total{s}[5m]))", "fouten/s"),
            (p99("toegang_outbox_commit_tot_puback_seconden", "service", s), "commit tot PubAck p99 (s)"),
        ),
        paneel(
            "DLQ",
            (f"max(toegang_dlq_vermeldingen{s})", "in de DLQ"),
            (f"sum by (reden) (increase(toegang_dlq_total{s}[1h]))", "erbij in een uur: {{reden}}"),
        ),
        paneel(
            "HTTP per route en status",
            (f"sum by (route, status) (rate(toegang_http_verzoeken_total{s}[1m]))", "{{route}} {{status}}"),
        ),
        paneel("HTTP-duur per route, p99", (p99("toegang_http_seconden", "route", s), "{{route}}"), eenheid="s"),
    ]
    if service == "intake":
        panelen.append(
            paneel(
                "Melding tot plan, p99",
                (p99("toegang_keten_seconden", "keten", s), "{{keten}}"),
                eenheid="s",
                exemplaren=True,
            )
        )
    if service == "arrangement":
        panelen.append(
            paneel(
                "Termijnen: open en verlopen",
                ("max by (gemeente, grondslag) (toegang_termijnen_open)", "open {{gemeente}} {{grondslag}}"),
                ("max by (gemeente, grondslag) (toegang_termijnen_verlopen)", "verlopen {{gemeente}} {{grondslag}}"),
            )
        )
    return dashboard(f"toegang-{service}", f"Integrale toegang: {service}", panelen)


def werkplek() -> dict:
    return dashboard(
        "toegang-werkplek",
        "Integrale toegang: werkplek",
        [
            paneel(
                "Pagina's per route en status",
                ("sum by (route, status) (rate(werkplek_paginas_total[1m]))", "{{route}} {{status}}"),
            ),
            paneel(
                "Paginaduur per route, p50 en p95",
                (
                    "histogram_quantile(0.5, sum by (route, le) (rate(werkplek_pagina_seconden_bucket[5m])))",
                    "p50 {{route}}",
                ),
                (
                    "histogram_quantile(0.95, sum by (route, le) (rate(werkplek_pagina_seconden_bucket[5m])))",
                    "p95 {{route}}",
                ),
                eenheid="s",
            ),
            paneel(
                "Aanroepen van services, p99",
                (
                    "histogram_quantile(0.99, sum by (dienst, le) (rate(werkplek_dienst_seconden_bucket[5m])))",
                    "{{dienst}}",
                ),
                eenheid="s",
            ),
            paneel(
                "Aanmeldingen",
                ("sum by (wijze, uitkomst) (increase(werkplek_aanmeldingen_total[1h]))", "{{wijze}} {{uitkomst}}"),
            ),
        ],
    )


def alle() -> dict[str, dict]:
    return {
        "overzicht.json": overzicht(),
        **{f"{s}.json": per_service(s) for s in SERVICES},
        "werkplek.json": werkplek(),
    }


def als_tekst(d: dict) -> str:
    return json.dumps(d, indent=2, ensure_ascii=False) + "\n"


def prometheusrule() -> str:
    groepen = yaml.safe_load((DEPLOY / "prometheus" / "regels.yml").read_text(encoding="utf-8"))["groups"]
    regel = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "integrale-toegang", "labels": {"app.kubernetes.io/name": "integrale-toegang"}},
        "spec": {"groups": groepen},
    }
    kop = "# Generated by deploy/genereer_monitoring.py from deploy/prometheus/regels.yml: edit that file.\n"
    return kop + yaml.safe_dump(regel, sort_keys=False, allow_unicode=True, width=1000)


if __name__ == "__main__":
    MAP.mkdir(parents=True, exist_ok=True)
    for naam, d in alle().items():
        (MAP / naam).write_text(als_tekst(d), encoding="utf-8")
        print(MAP / naam)
    PROMETHEUSRULE.write_text(prometheusrule(), encoding="utf-8")
    print(PROMETHEUSRULE)
