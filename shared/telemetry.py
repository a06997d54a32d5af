"""OpenTelemetry tracing and structured JSON logs with the trace id.

Spans are exported over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set (the standard OTEL_*
variables apply). Without an endpoint nothing is recorded (the ALWAYS_OFF sampler: a span costs next to
nothing), but every span still has its trace context, so the trace id still travels with every event and
stands in every log line. Span attributes and log lines carry ids, pseudonymous keys and counts, never
personal data: the tests scan every exported span for the test person's BSN, name and street.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF
from opentelemetry.trace import SpanKind
from starlette.types import ASGIApp, Receive, Scope, Send

_provider: TracerProvider | None = None


@contextmanager
def in_context(context: otel_context.Context) -> Iterator[None]:
    """Run the block in this trace context (a message's or a request's, in a transaction shared with others),
    and return to the one before."""
    token = otel_context.attach(context)
    try:
        yield
    finally:
        otel_context.detach(token)


def exporteert() -> bool:
    return bool(os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))


def start_tracing(service: str) -> TracerProvider:
    global _provider
    if _provider is not None:
        return _provider
    resource = Resource.create(
        {
            "service.name": os.environ.get("OTEL_SERVICE_NAME", f"toegang-{service}"),
            "service.namespace": "integrale-toegang",
        }
    )
    # Without an exporter, recording spans only costs CPU on the hot path (decision 0019).
    _provider = TracerProvider(resource=resource, sampler=None if exporteert() else ALWAYS_OFF)
    if exporteert():
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        _provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(_provider)
    return _provider


class TraceContext:
    """ASGI middleware for when no spans are exported: each request runs in its caller's trace context (the
    W3C `traceparent` header), or in a new trace when it has none, so the trace id still reaches its events
    and log lines. It does what the instrumentation does for a span nobody receives, without the rest: the
    instrumentation builds the span's attributes and route details for every request, a tenth of intake's
    CPU under load (decision 0027)."""

    def __init__(self, app: ASGIApp):
        self.app = app
        self.tracer = trace.get_tracer(__name__)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        context = propagate.extract(headers)
        span = self.tracer.start_span("HTTP", context=context, kind=SpanKind.SERVER)  # non-recording (ALWAYS_OFF)
        with in_context(trace.set_span_in_context(span, context)):
            await self.app(scope, receive, send)


def stop_tracing() -> None:
    if _provider is not None:
        _provider.shutdown()


# Attributes of a LogRecord that are not the caller's `extra`.
_STANDAARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "color_message"}


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        regel = {
            "tijd": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "niveau": record.levelname,
            "service": self.service,
            "logger": record.name,
            "bericht": record.getMessage(),
        }
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            regel["trace_id"] = format(span.trace_id, "032x")
            regel["span_id"] = format(span.span_id, "016x")
        regel.update({k: v for k, v in vars(record).items() if k not in _STANDAARD})
        if record.exc_info:
            regel["uitzondering"] = self.formatException(record.exc_info)
        return json.dumps(regel, default=str, ensure_ascii=False)


def start_logging(service: str, niveau: str | None = None) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(niveau or os.environ.get("TOEGANG_LOG_LEVEL", "INFO"))
    # Access logs would repeat every request at INFO; traces already have them.
    for luid in ("uvicorn.access", "faststream", "nats"):
        logging.getLogger(luid).setLevel(logging.WARNING)
