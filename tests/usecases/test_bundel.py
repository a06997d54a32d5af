"""Group commit (shared/bundel.py) against a real PostgreSQL: messages handed in together share one
transaction and each is applied once; an event twice in one bundle is applied once; a message whose
handler fails fails alone (the others are applied in transactions of their own); a message that cannot be
read is refused alone; each event published in the shared transaction keeps its own trace context."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags
from sqlalchemy import select

from services.triage import tables
from shared.bundel import Bundel
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
        self.sessies[event.id] = id(uow.session)
        uow.publiceer(melding_event())


def bundel_van(context, handler, tegelijk: int = 1) -> Bundel:
    uows = context("triage").uows
    enkel = verwerker(CONSUMER, handler, uows, tables.inbox)
    return Bundel(CONSUMER, handler, uows, tables.inbox, None, lees_voor, enkel, tegelijk=tegelijk)


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


async def in_inbox(engine, events) -> set:
    ids = [e.id for e in events]
    async with engine.connect() as conn:
        rijen = await conn.execute(select(tables.inbox.c.event_id).where(tables.inbox.c.event_id.in_(ids)))
        return set(rijen.scalars())


async def test_samen_in_een_transactie_en_elk_eenmaal(context, engine):
    handler = Handler()
    bundel = bundel_van(context, handler)
    events = [melding_event() for _ in range(6)]
    try:
        uitkomsten = await asyncio.gather(
            *(bundel(e.nats_subject, e.model_dump_json().encode()) for e in [*events, events[0]])
        )
    finally:
        bundel.stop()
    assert [nieuw for _, nieuw in uitkomsten[:6]] == [True] * 6
    assert uitkomsten[6] == (uitkomsten[6][0], False)  # the same event again in the bundle: applied once
    assert set(handler.sessies) == {e.id for e in events}
    assert len(set(handler.sessies.values())) == 1  # one transaction for all
    assert await in_inbox(engine, events) == {e.id for e in events}

    opnieuw = bundel_van(context, handler)  # a redelivery later: nothing applied again
    try:
        event, nieuw = await opnieuw(events[1].nats_subject, events[1].model_dump_json().encode())
    finally:
        opnieuw.stop()
    assert event.id == events[1].id and nieuw is False


async def test_twee_transacties_tegelijk_en_toch_elk_eenmaal(context, engine):
    """TOEGANG_CONSUMER_BUNDELS=2: while one shared transaction waits, the next takes what arrived since.
    The same event in both (a redelivery while the first is in flight) is applied once: the second waits
    at the inbox's key until the first commits, then finds it there."""
    handler = TraagHandler()
    bundel = bundel_van(context, handler, tegelijk=2)
    events = [melding_event() for _ in range(12)]
    nogmaals = melding_event()

    def stuur(e):
        return bundel(e.nats_subject, e.model_dump_json().encode())

    try:
        eerste = asyncio.gather(*(stuur(e) for e in events[:6]))
        await tot(lambda: handler.open == 1)  # the first transaction is in a handler, and held there
        tweede = asyncio.gather(*(stuur(e) for e in events[6:]))
        await tot(lambda: handler.open == 2)  # the second transaction runs while the first is open
        handler.los.set()
        uitkomsten = [*await eerste, *await tweede]
        assert handler.max_open == 2

        handler.los.clear()
        een = asyncio.ensure_future(stuur(nogmaals))
        await tot(lambda: handler.open == 1)  # its inbox row written, not yet committed
        twee = asyncio.ensure_future(stuur(nogmaals))
        handler.los.set()
        dubbel = [(await een)[1], (await twee)[1]]
    finally:
        bundel.stop()
    assert [nieuw for _, nieuw in uitkomsten] == [True] * 12
    assert sorted(dubbel) == [False, True]
    assert set(handler.sessies) == {e.id for e in [*events, nogmaals]}
    assert await in_inbox(engine, [*events, nogmaals]) == {e.id for e in [*events, nogmaals]}


async def test_een_falend_bericht_faalt_alleen(context, engine):
    events = [melding_event() for _ in range(5)]
    handler = Handler(falen={events[2].id})
    bundel = bundel_van(context, handler)
    onleesbaar = b'{"specversion": "1.0"}'
    try:
        uitkomsten = await asyncio.gather(
            *(bundel(e.nats_subject, e.model_dump_json().encode()) for e in events),
            bundel(events[0].nats_subject, onleesbaar),
            return_exceptions=True,
        )
    finally:
        bundel.stop()
    assert isinstance(uitkomsten[2], RuntimeError)
    assert isinstance(uitkomsten[5], OngeldigBericht)
    assert [u[1] for i, u in enumerate(uitkomsten[:5]) if i != 2] == [True] * 4
    assert await in_inbox(engine, events) == {e.id for i, e in enumerate(events) if i != 2}  # not the failed one
    # the others went through in transactions of their own after the shared one failed
    assert len({handler.sessies[e.id] for i, e in enumerate(events) if i != 2}) >= 1


async def test_elk_gepubliceerd_event_houdt_zijn_eigen_trace(context, engine):
    handler = Handler()
    bundel = bundel_van(context, handler)
    events = [melding_event() for _ in range(3)]
    trace_ids = [uuid.uuid4().int >> 32 for _ in events]

    async def onder_trace(event, trace_id):
        span = NonRecordingSpan(SpanContext(trace_id, 0x1234, is_remote=True, trace_flags=TraceFlags(1)))
        token = otel_context.attach(trace.set_span_in_context(span))
        try:
            return await bundel(event.nats_subject, event.model_dump_json().encode())
        finally:
            otel_context.detach(token)

    try:
        await asyncio.gather(*(onder_trace(e, t) for e, t in zip(events, trace_ids, strict=True)))
    finally:
        bundel.stop()
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
