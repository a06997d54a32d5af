"""The operator's picture from /metrics (shared/metriekbeeld.py) and the trace buffer's waterfall
(toegang/sporen.py), without a platform."""

from __future__ import annotations

import httpx
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span, Status

from shared.metrics import Metrieken
from shared.metriekbeeld import Beeld, als_tekst, lees, stroom
from toegang.sporen import Sporen, waterval

MS = 1_000_000


def _metrics(ok: int, opnieuw: int = 0) -> str:
    m = Metrieken("triage")
    from prometheus_client import generate_latest

    for _ in range(ok):
        m.bericht("triage-meldingen", "MeldingGeregistreerd", "ok", 0.001)
    for _ in range(opnieuw):
        m.bericht("triage-meldingen", "MeldingGeregistreerd", "opnieuw", 0.001)
    m.wachtend.labels("triage", "triage-meldingen").set(12)
    m.onbevestigd.labels("triage", "triage-meldingen").set(3)
    m.outbox_rijen.labels("triage").set(4)
    m.outbox_oudste.labels("triage").set(2.5)
    m.dlq_vermeldingen.labels("triage").set(1)
    m.verbinding.labels("triage", "database").set(1)
    m.verbinding.labels("triage", "nats").set(0)
    termijnen = m.gauge("toegang_termijnen_verlopen", "x", ["gemeente", "grondslag"])
    termijnen.labels("GM1916", "wmo-onderzoek").set(2)
    termijnen.labels("GM1916", "outreach").set(1)
    return generate_latest(m.register).decode()


def test_lees_telt_per_consumer_en_gemeente():
    d = lees("triage", _metrics(ok=7, opnieuw=2))
    c = d.consumers["triage-meldingen"]
    assert (c.afgehandeld, c.mislukt, c.wachtend, c.onbevestigd) == (7, 2, 12, 3)
    assert (d.outbox_rijen, d.outbox_oudste_s, d.dlq) == (4, 2.5, 1)
    assert d.verbindingen == {"database": True, "nats": False}
    assert d.termijnen == {"GM1916": (0, 3)}


def test_stroom_is_het_verschil_per_seconde():
    vorig = Beeld(100.0, [lees("triage", _metrics(ok=10))])
    nu = stroom(vorig, Beeld(104.0, [lees("triage", _metrics(ok=30))]))
    assert nu.diensten[0].consumers["triage-meldingen"].stroom_per_s == 5.0
    assert (
        stroom(None, Beeld(1.0, [lees("triage", _metrics(ok=1))]))
        .diensten[0]
        .consumers["triage-meldingen"]
        .stroom_per_s
        is None
    )
    tekst = als_tekst(nu)
    assert "nats WEG" in tekst and "5.0/s" in tekst and "termijnen GM1916: 0 open, 3 verlopen" in tekst


def _span(trace: bytes, span: bytes, ouder: bytes, naam: str, begin: int, eind: int, fout: bool = False) -> Span:
    return Span(
        trace_id=trace,
        span_id=span,
        parent_span_id=ouder,
        name=naam,
        start_time_unix_nano=begin,
        end_time_unix_nano=eind,
        status=Status(code=2 if fout else 0),
    )


def _export(service: str, *spans: Span) -> bytes:
    resource = ResourceSpans(scope_spans=[ScopeSpans(spans=list(spans))])
    resource.resource.attributes.append(KeyValue(key="service.name", value=AnyValue(string_value=service)))
    return ExportTraceServiceRequest(resource_spans=[resource]).SerializeToString()


def test_de_buffer_houdt_de_nieuwste_traces_als_waterval():
    sporen = Sporen(max_traces=3)
    try:
        t1, t2, t3 = b"\x01" * 16, b"\x02" * 16, b"\x03" * 16
        sporen.neem_op(_export("toegang-intake", _span(t1, b"a" * 8, b"", "POST /v1/meldingen", 0, 10 * MS)))
        sporen.neem_op(_export("toegang-intake", _span(t2, b"b" * 8, b"", "POST /v1/meldingen", 0, 40 * MS)))
        sporen.neem_op(
            _export("toegang-triage", _span(t2, b"c" * 8, b"b" * 8, "triage-meldingen", 20 * MS, 30 * MS, fout=True))
        )
        sporen.neem_op(_export("toegang-intake", _span(t3, b"d" * 8, b"", "GET /v1/meldingen/{id}", 0, MS)))
        db = _span(b"\x04" * 16, b"e" * 8, b"", "SELECT", 0, MS)  # a job's lone statement: no trace to read
        db.attributes.append(KeyValue(key="db.system", value=AnyValue(string_value="postgresql")))
        sporen.neem_op(_export("toegang-arrangement", db))
        traces = sporen.traces(10)
        assert [t["trace_id"] for t in traces] == [t3.hex(), t2.hex()]  # the oldest went, newest first
        t = traces[1]
        assert t["wortel"] == "POST /v1/meldingen" and t["fout"] and t["duur_ms"] == 40.0
        kind = t["spans"][1]
        assert (kind["service"], kind["diepte"], kind["begin_ms"], kind["duur_ms"]) == ("toegang-triage", 1, 20.0, 10.0)
        assert (kind["links"], kind["breedte"]) == (0.5, 0.25)

        r = httpx.get(sporen.endpoint + "/v1/sporen", params={"aantal": "1"})  # what /beheer reads
        assert [t["trace_id"] for t in r.json()["traces"]] == [t3.hex()]
        assert httpx.post(sporen.endpoint + "/v1/traces", content=b"geen protobuf").status_code == 400
    finally:
        sporen.stop()


def test_waterval_van_een_enkele_span_zonder_duur():
    s = {
        "service": "x",
        "trace_id": "t",
        "span_id": "s",
        "parent_id": "",
        "name": "n",
        "begin_ns": 5,
        "eind_ns": 5,
        "fout": False,
    }
    w = waterval([s])
    assert w["spans"][0]["breedte"] > 0 and w["spans"][0]["links"] == 0


def test_kwantiel_zoals_histogram_quantile():
    from bench.dashboard import kwantiel

    buckets = [(0.01, 50.0), (0.1, 90.0), (1.0, 100.0), (float("inf"), 100.0)]
    assert kwantiel(0.5, buckets) == 0.01  # exactly the first bucket's bound
    assert abs(kwantiel(0.7, buckets) - 0.055) < 1e-9  # halfway in (0.01, 0.1]
    assert abs(kwantiel(0.99, buckets) - 0.91) < 1e-9
    assert kwantiel(0.5, [(1.0, 0.0), (float("inf"), 0.0)]) is None
    assert kwantiel(0.99, [(1.0, 1.0), (float("inf"), 10.0)]) == 1.0  # in +Inf: the highest finite bound
