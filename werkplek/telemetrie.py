"""The werkplek's telemetry, as the services have it (shared/telemetry.py): JSON logs with the trace id
and OpenTelemetry traces over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set.

A page view and the service calls behind it are one trace: the server span of the page (FastAPI) is the
parent of a client span per service call (httpx), and that call carries `traceparent`, so the service's
own spans join the same trace.

No personal data in spans: the werkplek's paths hold no personal data (shared/CONTRACT.md, "Werkplek"),
but a query string is the user's input (a filter, a search); the URL attributes are recorded without it.
Headers (the bearer token, the session cookie) are not recorded at all (the instrumentations' default).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from fastapi import FastAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor, RequestInfo
from opentelemetry.trace import Span

from shared.telemetry import start_logging, start_tracing, stop_tracing
from werkplek.diensten import Diensten

NAAM = "werkplek"  # service.name toegang-werkplek (or OTEL_SERVICE_NAME)
# The URL attributes of both semantic-convention generations; `*.query` holds the query alone.
URL_ATTRIBUTEN = ("http.url", "url.full", "http.target")
QUERY_ATTRIBUTEN = ("url.query",)
NIET_GETRACED = "/health,/static/"


def start() -> None:
    """For the process (`python -m werkplek`): logs and the tracer provider. Not in `maak_app`, so an
    in-process werkplek (tests/werkplek) leaves the test process's logging and tracing alone."""
    start_logging(NAAM)
    start_tracing(NAAM)


def stop() -> None:
    """Export what is left (at the end of the process)."""
    stop_tracing()


def instrumenteer(app: FastAPI) -> None:
    """A server span per page (named after the route template, not the path), on the global provider:
    the one `start` set, or OpenTelemetry's no-op one in a process that did not."""
    FastAPIInstrumentor.instrument_app(app, excluded_urls=NIET_GETRACED, server_request_hook=_server_zonder_query)


def instrumenteer_diensten(diensten: Diensten) -> None:
    """A client span per service call, with `traceparent` in the request."""
    for client in diensten.clients.values():
        HTTPXClientInstrumentor.instrument_client(client, request_hook=_client_zonder_query)


def zonder_query(url: str) -> str:
    delen = urlsplit(url)
    return urlunsplit((delen.scheme, delen.netloc, delen.path, "", ""))


def _schoon(span: Span) -> None:
    if not span.is_recording():
        return
    attributen: Any = getattr(span, "attributes", None) or {}
    for sleutel in URL_ATTRIBUTEN:
        waarde = attributen.get(sleutel)
        if isinstance(waarde, str) and ("?" in waarde or "#" in waarde):
            span.set_attribute(sleutel, zonder_query(waarde))
    for sleutel in QUERY_ATTRIBUTEN:
        if attributen.get(sleutel):
            span.set_attribute(sleutel, "")


def _server_zonder_query(span: Span, scope: dict[str, Any]) -> None:
    _schoon(span)


async def _client_zonder_query(span: Span, request: RequestInfo) -> None:
    _schoon(span)
