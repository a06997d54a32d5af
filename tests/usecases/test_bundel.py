"""Group commit (shared/bundel.py) against a real PostgreSQL: the messages of one fetched batch share one
transaction and each is applied once; an event twice in one batch is applied once; the same event in two
batches at once (two replicas) is applied once; a message whose handler fails fails alone (the others are
applied in transactions of their own); a message that cannot be read is refused alone; each event
published in the shared transaction keeps its own trace context."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags
from sqlalchemy import select, text

from services.triage import tables
from shared.bundel import Bundel, Invoer
from shared.bus import OngeldigBericht, lees_voor, verwerker
from shared.topology import consumer
from tests.support.gegevens import melding_geregistreerd

CONSUMER = consumer("triage-meldingen")


def melding_event():
    return melding_geregistreerd()


class Handler:
    """Records which transaction (session) applied which event; fails for the events in `falen`; publishes
    one event per melding (its outbox row shows the trace context it was published under)."""

    def __init__(self, falen: set[uuid.UUID] = frozenset()) -> None:
        self.sessies: dict[uuid.UUID, int] = {}
        self.falen = falen

    async def __call__(self, event, uow) -> None:
        if event.id in self.falen:
            raise RuntimeError("handler faalt")
        self.sessies[event.id] = id(uow.connection)
        uow.publiceer(melding_event())


def bundel_van(context, handler) -> Bundel:
    uows = context("triage").uows
    enkel = verwerker(CONSUMER, handler, uows, tables.inbox)
    return Bundel(CONSUMER, handler, uows, tables.inbox, None, lees_voor, enkel)


def invoer(event, context=None) -> Invoer:
    return Invoer(event.nats_subject, event.model_dump_json().encode(), context or otel_context.get_current())


class TraagHandler(Handler):
    """Holds its transaction open until `los` is set, as a handler waiting for PostgreSQL does; counts the
    transactions open at once."""

    def __init__(self) -> None:
        super().__init__()
        self.open = self.max_open = 0
        self.los = asyncio.Event()

    async def __call__(self, event, uow) -> None:
        self.open += 1
        self.max_open = max(self.max_open, self.open)
        try:
            await self.los.wait()
            await super().__call__(event, uow)
        finally:
            self.open -= 1


async def tot(voorwaarde, timeout: float = 5.0) -> None:
    """Until `voorwaarde()` holds: proof, not a fixed pause."""

    async def wacht() -> None:
        while not voorwaarde():
            await asyncio.sleep(0)

    await asyncio.wait_for(wacht(), timeout)


async def wacht_op_slot(engine, timeout: float = 5.0) -> None:
    """Until a session waits on a lock in PostgreSQL: proof that the second transaction is at the key."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        async with engine.connect() as conn:
            wachtend = await conn.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"))
        if wachtend:
            return
        assert asyncio.get_running_loop().time() < deadline, "de tweede transactie wacht niet op de sleutel"
        await asyncio.sleep(0.01)


async def in_inbox(engine, events) -> set:
    ids = [e.id for e in events]
    async with engine.connect() as conn:
        rijen = await conn.execute(select(tables.inbox.c.event_id).where(tables.inbox.c.event_id.in_(ids)))
        return set(rijen.scalars())


async def test_samen_in_een_transactie_en_elk_eenmaal(context, engine):
    handler = Handler()
    bundel = bundel_van(context, handler)
    events = [melding_event() for _ in range(6)]
    uitkomsten = await bundel([invoer(e) for e in [*events, events[0]]])
    assert [(event.id, nieuw) for event, nieuw in uitkomsten] == [
        *((e.id, True) for e in events),
        (events[0].id, False),  # the same event again in the batch: applied once
    ]
    assert set(handler.sessies) == {e.id for e in events}
    assert len(set(handler.sessies.values())) == 1  # one transaction for all
    assert await in_inbox(engine, events) == {e.id for e in events}

    ((event, nieuw),) = await bundel([invoer(events[1])])  # a redelivery later: nothing applied again
    assert event.id == events[1].id and nieuw is False
    assert len(handler.sessies) == 6


async def test_hetzelfde_event_in_twee_batches_tegelijk_eenmaal(context, engine):
    """Two replicas (or a redelivery while the first is in flight) with the same event in their batches:
    the second transaction waits at the inbox's key until the first commits, then finds it there."""
    handler = TraagHandler()
    bundel = bundel_van(context, handler)
    nogmaals = melding_event()
    een = asyncio.ensure_future(bundel([invoer(melding_event()), invoer(nogmaals)]))
    await tot(lambda: handler.open == 1)  # its inbox rows written, not yet committed
    twee = asyncio.ensure_future(bundel([invoer(nogmaals)]))
    await wacht_op_slot(engine)  # the second has sent its inbox insert and waits on the first's key
    handler.los.set()
    eerste, (tweede,) = await een, await twee
    assert [nieuw for _, nieuw in eerste] == [True, True]
    assert tweede[1] is False
    assert handler.max_open == 1  # the second never ran the handler
    assert nogmaals.id in handler.sessies


async def test_een_falend_bericht_faalt_alleen(context, engine):
    events = [melding_event() for _ in range(5)]
    handler = Handler(falen={events[2].id})
    bundel = bundel_van(context, handler)
    onleesbaar = Invoer(events[0].nats_subject, b'{"specversion": "1.0"}', otel_context.get_current())
    uitkomsten = await bundel([*(invoer(e) for e in events), onleesbaar])
    assert isinstance(uitkomsten[2], RuntimeError)
    assert isinstance(uitkomsten[5], OngeldigBericht)
    assert [u[1] for i, u in enumerate(uitkomsten[:5]) if i != 2] == [True] * 4
    assert await in_inbox(engine, events) == {e.id for i, e in enumerate(events) if i != 2}  # not the failed one
    # the others went through in transactions of their own after the shared one failed
    assert len({handler.sessies[e.id] for i, e in enumerate(events) if i != 2}) == 4


async def test_elk_gepubliceerd_event_houdt_zijn_eigen_trace(context, engine):
    handler = Handler()
    bundel = bundel_van(context, handler)
    events = [melding_event() for _ in range(3)]
    trace_ids = [uuid.uuid4().int >> 32 for _ in events]

    def onder_trace(trace_id):
        span = NonRecordingSpan(SpanContext(trace_id, 0x1234, is_remote=True, trace_flags=TraceFlags(1)))
        return trace.set_span_in_context(span)

    await bundel([invoer(e, onder_trace(t)) for e, t in zip(events, trace_ids, strict=True)])
    assert len(set(handler.sessies.values())) == 1
    async with engine.connect() as conn:
        rijen = (await conn.execute(select(tables.outbox.c.headers).order_by(tables.outbox.c.id.desc()).limit(3))).all()
    gezien = {json.loads(r.headers)["traceparent"].split("-")[1] for r in rijen}
    assert gezien == {format(t, "032x") for t in trace_ids}


@pytest.fixture(autouse=True)
async def _leeg_outbox(engine):
    """These tests read triage's outbox in their own database (no relay runs here)."""
    async with engine.begin() as conn:
        await conn.execute(tables.outbox.delete())
    yield
