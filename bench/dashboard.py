"""The overview dashboard's figures after a benchmark run, read from the services' /metrics as Prometheus
would (deploy/grafana/dashboards/overzicht.json): per hop the messages handled, the p50 and p99 of an
event's age and of the handler's time; melding to plan end to end; commit to PubAck per service; the DLQ
and the outbox. A quantile is estimated from the histogram's buckets the way histogram_quantile does
(linear within the bucket), over a phase of the run instead of a 5-minute window: the difference between
two readings (`lees` before and after), so the bus phases' pre-made events do not count in the HTTP
phases' ages."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families


def kwantiel(q: float, buckets: list[tuple[float, float]]) -> float | None:
    """histogram_quantile over cumulative (le, count) buckets, sorted by le, +Inf last."""
    if not buckets or buckets[-1][1] == 0:
        return None
    doel = q * buckets[-1][1]
    vorige_le, vorige_n = 0.0, 0.0
    for le, n in buckets:
        if n >= doel:
            if le == float("inf"):
                return vorige_le
            return vorige_le + (le - vorige_le) * ((doel - vorige_n) / (n - vorige_n) if n > vorige_n else 1.0)
        vorige_le, vorige_n = le, n
    return vorige_le


Teksten = dict[str, str]


def _histogrammen(teksten: Teksten, naam: str, per: str, voor: Teksten | None) -> dict[str, list[tuple[float, float]]]:
    buckets: dict[str, dict[float, float]] = defaultdict(lambda: defaultdict(float))
    for teken, bron in ((1, teksten), (-1, voor or {})):
        for tekst in bron.values():
            for f in text_string_to_metric_families(tekst):
                for s in f.samples:
                    if s.name == f"{naam}_bucket":
                        buckets[s.labels[per]][float(s.labels["le"])] += teken * s.value
    return {k: sorted(v.items()) for k, v in buckets.items()}


def _som(teksten: Teksten, naam: str, per: str, voor: Teksten | None = None, **filter_: str) -> dict[str, float]:
    uit: dict[str, float] = defaultdict(float)
    for teken, bron in ((1, teksten), (-1, voor or {})):
        for tekst in bron.values():
            for f in text_string_to_metric_families(tekst):
                for s in f.samples:
                    if s.name == naam and all(s.labels.get(k) == v for k, v in filter_.items()):
                        uit[s.labels[per]] += teken * s.value
    return dict(uit)


async def lees(urls: dict[str, str]) -> Teksten:
    async with httpx.AsyncClient(timeout=10.0) as http:
        return {n: (await http.get(u.rstrip("/") + "/metrics")).text for n, u in urls.items()}


def cijfers(teksten: Teksten, voor: Teksten | None = None) -> dict[str, Any]:
    """The figures of what happened between the reading `voor` (or the start) and `teksten`."""
    leeftijd = _histogrammen(teksten, "toegang_event_leeftijd_seconden", "consumer", voor)
    verwerking = _histogrammen(teksten, "toegang_verwerking_seconden", "consumer", voor)
    ok = _som(teksten, "toegang_berichten_total", "consumer", voor, uitkomst="ok")
    mislukt = {
        u: sum(_som(teksten, "toegang_berichten_total", "consumer", voor, uitkomst=u).values())
        for u in ("duplicaat", "opnieuw", "database_weg", "dlq", "onleesbaar")
    }
    ms = 1000.0

    def m(q: float, b: list[tuple[float, float]] | None) -> float | None:
        w = kwantiel(q, b or [])
        return None if w is None else w * ms

    return {
        "hops": {
            c: {
                "ok": int(ok.get(c, 0)),
                "leeftijd_p50_ms": m(0.5, leeftijd.get(c)),
                "leeftijd_p99_ms": m(0.99, leeftijd.get(c)),
                "handler_p50_ms": m(0.5, verwerking.get(c)),
                "handler_p99_ms": m(0.99, verwerking.get(c)),
            }
            for c in sorted(set(leeftijd) | set(ok))
        },
        "keten": {
            k: {"p50_ms": m(0.5, b), "p99_ms": m(0.99, b)}
            for k, b in _histogrammen(teksten, "toegang_keten_seconden", "keten", voor).items()
        },
        "commit_tot_puback_p99_ms": {
            s: m(0.99, b)
            for s, b in _histogrammen(teksten, "toegang_outbox_commit_tot_puback_seconden", "service", voor).items()
        },
        "andere_uitkomsten": mislukt,
        "dlq": _som(teksten, "toegang_dlq_vermeldingen", "service"),
        "outbox_rijen": _som(teksten, "toegang_outbox_rijen", "service"),
    }


def toon(c: dict[str, Any]) -> None:
    def f(w: float | None) -> str:
        return "-" if w is None else f"{w:,.1f}"

    print("\nDashboard (uit /metrics van de services, over de HTTP-fasen):")
    print(f"  {'hop':<30}{'ok':>8}{'leeftijd p50':>14}{'p99 ms':>9}{'handler p50':>13}{'p99 ms':>9}")
    for naam, h in c["hops"].items():
        print(
            f"  {naam:<30}{h['ok']:>8}{f(h['leeftijd_p50_ms']):>14}{f(h['leeftijd_p99_ms']):>9}"
            f"{f(h['handler_p50_ms']):>13}{f(h['handler_p99_ms']):>9}"
        )
    for k, w in c["keten"].items():
        print(f"  keten {k}: p50 {f(w['p50_ms'])} ms, p99 {f(w['p99_ms'])} ms")
    print("  commit tot PubAck p99 (ms): " + ", ".join(f"{s} {f(w)}" for s, w in c["commit_tot_puback_p99_ms"].items()))
    print(f"  andere uitkomsten: {c['andere_uitkomsten']}; DLQ: {c['dlq']}; outbox-rijen: {c['outbox_rijen']}")
