"""Without an exporter a request still runs in a trace (shared/telemetry.TraceContext): its caller's when the
request brings a `traceparent`, a new one otherwise. The trace id is what reaches the request's events and
log lines, so a wrong middleware would show here as a missing, a shared or a foreign trace id."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from opentelemetry import trace

from shared.telemetry import TraceContext, start_tracing

BELLER = "4bf92f3577b34da6a3ce929d0e0e4736"


def _app() -> FastAPI:
    start_tracing("test")  # the ALWAYS_OFF sampler, as a service without OTEL_EXPORTER_OTLP_ENDPOINT
    app = FastAPI()
    app.add_middleware(TraceContext)

    @app.get("/trace")
    async def huidige() -> dict:
        span = trace.get_current_span()
        context = span.get_span_context()
        trace_id = format(context.trace_id, "032x")
        return {"trace_id": trace_id, "geldig": context.is_valid, "opgenomen": span.is_recording()}

    return app


async def _vraag(app: FastAPI, headers: dict[str, str] | None = None) -> dict:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        return (await http.get("/trace", headers=headers)).json()


async def test_een_verzoek_met_traceparent_loopt_in_het_spoor_van_de_beller():
    antwoord = await _vraag(_app(), {"traceparent": f"00-{BELLER}-00f067aa0ba902b7-01"})
    assert antwoord == {"trace_id": BELLER, "geldig": True, "opgenomen": False}


async def test_een_verzoek_zonder_traceparent_krijgt_een_eigen_nieuw_spoor():
    app = _app()
    eerste, tweede = await _vraag(app), await _vraag(app)
    assert eerste["geldig"] and tweede["geldig"]
    assert eerste["trace_id"] != tweede["trace_id"]
    assert BELLER not in (eerste["trace_id"], tweede["trace_id"])


async def test_buiten_het_verzoek_blijft_het_spoor_niet_hangen():
    await _vraag(_app(), {"traceparent": f"00-{BELLER}-00f067aa0ba902b7-01"})
    assert not trace.get_current_span().get_span_context().is_valid
