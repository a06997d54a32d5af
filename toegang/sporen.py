"""Traces without Jaeger: an OTLP/HTTP receiver that keeps the last traces of this process tree in memory.

`toegang dev` starts one on 127.0.0.1 (unless OTEL_EXPORTER_OTLP_ENDPOINT points elsewhere) and points the
services and the werkplek at it; the werkplek's /beheer reads `GET /v1/sporen` and draws each trace as a
waterfall (beheer only). The tests use the same receiver to read exactly what the services export.

Spans carry no personal data (shared/telemetry.py, werkplek/telemetrie.py); what is kept is the service,
the span's name, its timing, its parent and whether it failed; attributes only for the tests (`spans()`).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

STATUS_FOUT = 2  # opentelemetry.proto.trace.v1.Status.STATUS_CODE_ERROR


def lees_spans(body: bytes) -> list[dict[str, Any]]:
    """The spans of one OTLP/HTTP export (protobuf)."""
    verzoek = ExportTraceServiceRequest()
    verzoek.ParseFromString(body)
    uit = []
    for rs in verzoek.resource_spans:
        service = next((a.value.string_value for a in rs.resource.attributes if a.key == "service.name"), "")
        for ss in rs.scope_spans:
            for span in ss.spans:
                uit.append(
                    {
                        "service": service,
                        "trace_id": span.trace_id.hex(),
                        "span_id": span.span_id.hex(),
                        "parent_id": span.parent_span_id.hex(),
                        "name": span.name,
                        "begin_ns": span.start_time_unix_nano,
                        "eind_ns": span.end_time_unix_nano,
                        "fout": span.status.code == STATUS_FOUT,
                        "attributes": {a.key: str(a.value) for a in span.attributes},
                    }
                )
    return uit


def waterval(spans: list[dict[str, Any]]) -> dict[str, Any]:
    """One trace for a waterfall: its spans in start order, each with its offset and duration in ms, its
    depth under its parent, and its place as a fraction of the whole (for the bars)."""
    spans = sorted(spans, key=lambda s: s["begin_ns"])
    begin = spans[0]["begin_ns"]
    eind = max(s["eind_ns"] for s in spans)
    totaal = max(eind - begin, 1)
    per_id = {s["span_id"]: s for s in spans}

    def diepte(s: dict[str, Any]) -> int:
        d, ouder = 0, per_id.get(s["parent_id"])
        while ouder is not None and d < 50:
            d, ouder = d + 1, per_id.get(ouder["parent_id"])
        return d

    return {
        "trace_id": spans[0]["trace_id"],
        "begin_ns": begin,
        "duur_ms": totaal / 1e6,
        "wortel": next((s["name"] for s in spans if s["parent_id"] not in per_id), spans[0]["name"]),
        "fout": any(s["fout"] for s in spans),
        "spans": [
            {
                "service": s["service"],
                "naam": s["name"],
                "begin_ms": (s["begin_ns"] - begin) / 1e6,
                "duur_ms": (s["eind_ns"] - s["begin_ns"]) / 1e6,
                "links": (s["begin_ns"] - begin) / totaal,
                "breedte": max((s["eind_ns"] - s["begin_ns"]) / totaal, 0.002),
                "diepte": diepte(s),
                "fout": s["fout"],
            }
            for s in spans
        ],
    }


class Sporen:
    """The receiver: POST /v1/traces (OTLP/HTTP, protobuf), GET /v1/sporen?aantal=N (the newest traces as
    waterfalls, JSON). With `max_traces` it keeps that many traces (the oldest go); without, all (tests)."""

    def __init__(self, max_traces: int | None = 50, host: str = "127.0.0.1", poort: int = 0) -> None:
        self.max_traces = max_traces
        self._traces: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
        self._slot = threading.Lock()
        sporen = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    sporen.neem_op(body)
                except Exception:  # a malformed export: refused, the receiver stays up
                    self.send_response(400)
                    self.end_headers()
                    return
                antwoord = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(antwoord)))
                self.end_headers()
                self.wfile.write(antwoord)

            def do_GET(self) -> None:
                delen = urlsplit(self.path)
                if delen.path != "/v1/sporen":
                    self.send_response(404)
                    self.end_headers()
                    return
                aantal = int((parse_qs(delen.query).get("aantal") or ["10"])[0])
                body = json.dumps({"traces": sporen.traces(min(max(aantal, 1), 100))}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer((host, poort), Handler)
        threading.Thread(target=self._server.serve_forever, name="sporen", daemon=True).start()

    @property
    def endpoint(self) -> str:
        host, poort = self._server.server_address[:2]
        return f"http://{host.decode() if isinstance(host, bytes) else host}:{poort}"

    def neem_op(self, body: bytes) -> None:
        spans = lees_spans(body)
        with self._slot:
            for s in spans:
                self._traces.setdefault(s["trace_id"], []).append(s)
                self._traces.move_to_end(s["trace_id"])
            while self.max_traces is not None and len(self._traces) > self.max_traces:
                self._traces.popitem(last=False)

    def spans(self) -> list[dict[str, Any]]:
        """Every span kept, as {service, trace_id, name, attributes, ...}."""
        with self._slot:
            return [s for spans in self._traces.values() for s in spans]

    def traces(self, aantal: int = 10) -> list[dict[str, Any]]:
        """The newest `aantal` traces as waterfalls, newest first; not those of database statements alone (a
        periodic job that found nothing to do)."""
        with self._slot:
            alle = [list(spans) for spans in reversed(self._traces.values())]
        werk = (spans for spans in alle if not all("db.system" in s["attributes"] for s in spans))
        return [waterval(spans) for spans, _ in zip(werk, range(aantal), strict=False)]

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
