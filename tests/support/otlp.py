"""A minimal OTLP/HTTP trace receiver, so tests read exactly what the services export."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest


class OtlpOntvanger:
    def __init__(self) -> None:
        self.ruw: list[bytes] = []
        self._slot = threading.Lock()
        ontvanger = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with ontvanger._slot:
                    ontvanger.ruw.append(body)
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def spans(self) -> list[dict]:
        """Every exported span as {service, trace_id, name, attributes}."""
        with self._slot:
            ruw = list(self.ruw)
        uit = []
        for body in ruw:
            verzoek = ExportTraceServiceRequest()
            verzoek.ParseFromString(body)
            for rs in verzoek.resource_spans:
                service = next((a.value.string_value for a in rs.resource.attributes if a.key == "service.name"), "")
                for ss in rs.scope_spans:
                    for span in ss.spans:
                        uit.append(
                            {
                                "service": service,
                                "trace_id": span.trace_id.hex(),
                                "name": span.name,
                                "attributes": {a.key: str(a.value) for a in span.attributes},
                            }
                        )
        return uit

    def stop(self) -> None:
        self._server.shutdown()
