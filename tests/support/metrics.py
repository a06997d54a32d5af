"""Reading a service's /metrics in tests, and evaluating an alert rule's expression on what was read
(promtool, with the samples as its input series, one scrape a minute)."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import httpx
import yaml
from prometheus_client.parser import text_string_to_metric_families

REGELS = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "regels.yml"


async def metrics_van(basis_url: str) -> str:
    async with httpx.AsyncClient(timeout=5.0) as http:
        r = await http.get(basis_url.rstrip("/") + "/metrics")
    r.raise_for_status()
    return r.text


def waarde(tekst: str, naam: str, **labels: str) -> float:
    """The sum of the samples called `naam` whose labels include `labels` (0 when there are none)."""
    return sum(
        s.value
        for f in text_string_to_metric_families(tekst)
        for s in f.samples
        if s.name == naam and all(s.labels.get(k) == v for k, v in labels.items())
    )


def alert_expr(alert: str) -> str:
    groepen = yaml.safe_load(REGELS.read_text())["groups"]
    return next(r["expr"] for g in groepen for r in g["rules"] if r.get("alert") == alert)


def expr_op(expr: str, reeksen: dict[str, list[float]], minuut: int, verwacht: list[tuple[str, float]]) -> str:
    """Run promtool on `expr` at `minuut`, with each series (a selector with labels) given one value a
    minute; '' when the result is `verwacht` (labels, value), else promtool's report."""
    test = {
        "rule_files": [],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [{"series": s, "values": " ".join(f"{w:g}" for w in ws)} for s, ws in reeksen.items()],
                "promql_expr_test": [
                    {
                        "expr": expr,
                        "eval_time": f"{minuut}m",
                        "exp_samples": [{"labels": labels, "value": w} for labels, w in verwacht],
                    }
                ],
            }
        ],
    }
    promtool = os.environ.get("TOEGANG_PROMTOOL")
    assert promtool, "TOEGANG_PROMTOOL ontbreekt: draai de tests met `python3 run.py test`"
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as bestand:
        yaml.safe_dump(test, bestand)
    try:
        uitkomst = subprocess.run([promtool, "test", "rules", bestand.name], capture_output=True, text=True)
    finally:
        os.unlink(bestand.name)
    return "" if uitkomst.returncode == 0 else uitkomst.stdout + uitkomst.stderr
