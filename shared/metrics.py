"""`GET /metrics` of every service (Prometheus text format, or OpenMetrics with exemplars when the scraper
asks for it): the numbers an operator on call needs (docs/operations.md has the runbook per alert).

Labels are bounded and carry no id, key, partner id, gemeente-specific subject or personal data
(CONTRACT.md, "Metrics"): service, consumer (the durable's name), event type (one per consumer, from the
topology), outcome, route TEMPLATE, method, status class; deadlines per gemeente and grondslag. FastStream's
own metrics middleware is not used: it labels by the raw subject (a series per gemeente) and does not see
the outbox relay's publishes.

Where a number comes from:
- handled messages, handler duration, event age: shared/bus.py, per message;
- outbox published, publish errors, commit-to-PubAck: shared/outbox.py, per batch;
- outbox rows and oldest age, consumer pending / unacknowledged / redelivered / ack floor, DLQ entries:
  sampled every TOEGANG_METRIEK_INTERVAL_S by the `metrieken` job (shared/service.py) from PostgreSQL and
  from JetStream's consumer info, which the consumer's leader answers: a three-replica cluster is counted
  once. Every replica of a service samples the same durable, so dashboards and alerts take `max by`.
- HTTP requests and durations: the middleware below, by route template.
"""

from __future__ import annotations

import time
from collections.abc import MutableMapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from opentelemetry import trace
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.openmetrics import exposition as openmetrics

ONBEKEND = "onbekend"
# Handlers take milliseconds; a slow one seconds.
MS_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# An event's age at a hop: milliseconds when all is well, minutes when a consumer fell behind.
LEEFTIJD_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0)


class Metrieken:
    """One registry per service process (a registry per app, so several apps in one test process do not
    clash), with every series the platform exports. `service` is a label on each, as the dashboards
    select by it."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.register = r = CollectorRegistry()
        s, c = ["service"], ["service", "consumer"]
        self.berichten = Counter(
            "toegang_berichten",
            "Berichten die een consumer afhandelde, per uitkomst: ok, duplicaat (al in de inbox), opnieuw "
            "(nak met back-off), database_weg, dlq, onleesbaar (meteen naar de DLQ).",
            [*c, "event_type", "uitkomst"],
            registry=r,
        )
        self.verwerking = Histogram(
            "toegang_verwerking_seconden", "Duur van één bericht in de handler.", c, buckets=MS_BUCKETS, registry=r
        )
        self.leeftijd = Histogram(
            "toegang_event_leeftijd_seconden",
            "Leeftijd van een event (nu min CloudEvent time) wanneer deze hop het heeft verwerkt.",
            c,
            buckets=LEEFTIJD_BUCKETS,
            registry=r,
        )
        self.keten = Histogram(
            "toegang_keten_seconden",
            "Een keten van begin tot eind, bijvoorbeeld melding_tot_plan: van ontvangst tot de plek in een plan.",
            [*s, "keten"],
            buckets=LEEFTIJD_BUCKETS,
            registry=r,
        )
        self.dlq = Counter("toegang_dlq", "Berichten naar de DLQ, per soort reden.", [*c, "reden"], registry=r)
        self.dlq_vermeldingen = Gauge(
            "toegang_dlq_vermeldingen", "Vermeldingen van deze service in de DLQ-stream nu.", s, registry=r
        )
        self.gepubliceerd = Counter(
            "toegang_outbox_gepubliceerd", "Events die de outbox-relay publiceerde (PubAck ontvangen).", s, registry=r
        )
        self.publicatiefouten = Counter(
            "toegang_outbox_publicatiefouten", "Batches die de relay niet kon publiceren.", s, registry=r
        )
        self.commit_tot_puback = Histogram(
            "toegang_outbox_commit_tot_puback_seconden",
            "Tijd van de commit van een event tot de PubAck van JetStream.",
            s,
            buckets=LEEFTIJD_BUCKETS,
            registry=r,
        )
        self.outbox_rijen = Gauge("toegang_outbox_rijen", "Rijen in de outbox (nog niet gepubliceerd).", s, registry=r)
        self.outbox_oudste = Gauge(
            "toegang_outbox_oudste_seconden", "Leeftijd van de oudste outbox-rij (0 als hij leeg is).", s, registry=r
        )
        self.wachtend = Gauge("toegang_consumer_wachtend", "Berichten die nog niet afgeleverd zijn.", c, registry=r)
        self.onbevestigd = Gauge(
            "toegang_consumer_onbevestigd", "Afgeleverd maar nog niet bevestigd (ack pending).", c, registry=r
        )
        self.herbezorgd = Gauge("toegang_consumer_herbezorgd", "Berichten die opnieuw bezorgd worden.", c, registry=r)
        self.ack_vloer = Gauge(
            "toegang_consumer_ack_vloer",
            "Streamvolgnummer tot waar alles bevestigd is; blijft hij staan terwijl er berichten wachten, dan "
            "staat de consumer stil.",
            c,
            registry=r,
        )
        self.verbinding = Gauge(
            "toegang_verbinding_op",
            "1 als de verbinding (database, nats) op is, anders 0.",
            [*s, "onderdeel"],
            registry=r,
        )
        self.meting_mislukt = Counter(
            "toegang_meting_mislukt", "Metingen (database, JetStream) die mislukten.", [*s, "bron"], registry=r
        )
        self.http = Counter(
            "toegang_http_verzoeken",
            "HTTP-verzoeken per route-sjabloon.",
            [*s, "route", "methode", "status"],
            registry=r,
        )
        self.http_duur = Histogram(
            "toegang_http_seconden",
            "Duur van een HTTP-verzoek.",
            [*s, "route", "methode"],
            buckets=MS_BUCKETS,
            registry=r,
        )

    def gauge(self, naam: str, uitleg: str, labels: list[str]) -> Gauge:
        """A service's own gauge in this registry (arrangement's deadlines)."""
        return Gauge(naam, uitleg, labels, registry=self.register)

    def bericht(self, consumer: str, event_type: str, uitkomst: str, seconden: float | None = None) -> None:
        self.berichten.labels(self.service, consumer, event_type, uitkomst).inc()
        if seconden is not None:
            self.verwerking.labels(self.service, consumer).observe(seconden, exemplar=exemplaar())

    def keten_van(self, keten: str, seconden: float) -> None:
        self.keten.labels(self.service, keten).observe(max(seconden, 0.0), exemplar=exemplaar())

    def leeftijd_van(self, consumer: str, seconden: float) -> None:
        self.leeftijd.labels(self.service, consumer).observe(max(seconden, 0.0), exemplar=exemplaar())


def exemplaar() -> dict[str, str] | None:
    """The current trace id as an exemplar, so a latency spike links to its trace (OpenMetrics only)."""
    context = trace.get_current_span().get_span_context()
    return {"trace_id": format(context.trace_id, "032x")} if context.is_valid and context.trace_flags.sampled else None


def route_van(request: Request) -> str:
    return route_uit(request.scope)


def route_uit(scope: MutableMapping[str, Any]) -> str:
    """The route template (`/v1/huishoudens/{huishouden_id}`), never the path with an id or key in it (the
    router puts the matched route in the scope)."""
    pad = getattr(scope.get("route"), "path", None)
    if isinstance(pad, str) and pad:
        return pad
    if str(scope.get("path", "")).startswith("/static/"):
        return "/static"
    return ONBEKEND


def statusklasse(status: int) -> str:
    return f"{status // 100}xx"


def antwoord(request: Request, register: CollectorRegistry) -> Response:
    """The exposition the scraper asked for: OpenMetrics (with exemplars) or the classic text format."""
    if "application/openmetrics-text" in request.headers.get("accept", ""):
        return Response(openmetrics.generate_latest(register), media_type=openmetrics.CONTENT_TYPE_LATEST)
    return Response(generate_latest(register), media_type=CONTENT_TYPE_LATEST)


class HttpMetriek:
    """Pure ASGI middleware (Starlette's BaseHTTPMiddleware costs a task and a stream per request): counts
    every HTTP answer by route template and status class, and its duration."""

    def __init__(self, app: Any, metrieken: Metrieken) -> None:
        self.app, self.metrieken = app, metrieken

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        begin, status = time.perf_counter(), 500

        async def met_status(bericht: dict[str, Any]) -> None:
            nonlocal status
            if bericht["type"] == "http.response.start":
                status = bericht["status"]
            await send(bericht)

        try:
            await self.app(scope, receive, met_status)
        finally:
            m, route, methode = self.metrieken, route_uit(scope), scope["method"]
            m.http.labels(m.service, route, methode, statusklasse(status)).inc()
            m.http_duur.labels(m.service, route, methode).observe(time.perf_counter() - begin)


def installeer(app: FastAPI, metrieken: Metrieken) -> None:
    """The middleware that counts every HTTP answer by route template, and GET /metrics."""
    app.state.metrieken = metrieken
    app.add_middleware(HttpMetriek, metrieken=metrieken)

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        return antwoord(request, metrieken.register)
