"""Group commit for requests (`UnitOfWorkFactory.samen`, shared/db.py) against a real PostgreSQL: work that
requests hand in at the same moment shares one transaction and is committed before its request goes on;
a request whose work fails fails alone (the others are committed, each in a transaction of its own); the
event each request publishes in the shared transaction keeps that request's trace context."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags
from sqlalchemy import select, text

from services.intake import tables
from tests.support.gegevens import melding_geregistreerd


class Werk:
    """Publishes one event and records the transaction it ran in; raises when `faalt`."""

    def __init__(self, faalt: bool = False) -> None:
        self.event = melding_geregistreerd()
        self.faalt = faalt
        self.transacties: list[int] = []

    async def __call__(self, uow) -> None:
        self.transacties.append(await uow.connection.scalar(text("SELECT txid_current()")))
        uow.publiceer(self.event)
        if self.faalt:
            raise ValueError("dit verzoek faalt")


async def in_outbox(engine, werken: list[Werk]) -> set[uuid.UUID]:
    ids = [w.event.id for w in werken]
    async with engine.connect() as conn:
        return set(
            (await conn.execute(select(tables.outbox.c.event_id).where(tables.outbox.c.event_id.in_(ids)))).scalars()
        )


async def test_werk_van_tegelijk_gedeeld_in_een_transactie(context, engine):
    uows = context("intake").uows
    werken = [Werk() for _ in range(5)]
    await asyncio.gather(*(uows.samen(w) for w in werken))
    assert len({w.transacties[0] for w in werken}) == 1  # one transaction for the five
    assert await in_outbox(engine, werken) == {w.event.id for w in werken}  # committed before samen returned


async def test_een_verzoek_dat_faalt_faalt_alleen(context, engine):
    uows = context("intake").uows
    werken = [Werk(faalt=(i == 2)) for i in range(5)]
    uitkomsten = await asyncio.gather(*(uows.samen(w) for w in werken), return_exceptions=True)

    assert [type(u) for u in uitkomsten] == [type(None)] * 2 + [ValueError] + [type(None)] * 2
    goed = [w for i, w in enumerate(werken) if i != 2]
    assert await in_outbox(engine, werken) == {w.event.id for w in goed}  # the failing one left nothing
    # Tried together first (up to the one that failed), then each in a transaction of its own.
    gedeeld = {w.transacties[0] for w in werken[:3]}
    assert len(gedeeld) == 1 and all(len(w.transacties) == 2 for w in werken[:3])
    eigen = {w.transacties[-1] for w in werken}
    assert len(eigen) == 5 and not eigen & gedeeld


async def test_alleen_en_na_elkaar(context, engine):
    """One at a time (no load): each its own transaction, and the next one after a commit works too."""
    uows = context("intake").uows
    eerste, tweede = Werk(), Werk()
    await uows.samen(eerste)
    await uows.samen(tweede)
    assert eerste.transacties[0] != tweede.transacties[0]
    assert await in_outbox(engine, [eerste, tweede]) == {eerste.event.id, tweede.event.id}
    with pytest.raises(ValueError):
        await uows.samen(Werk(faalt=True))


async def test_elk_event_houdt_de_trace_van_zijn_verzoek(context, engine):
    uows = context("intake").uows
    werken = [Werk() for _ in range(3)]
    trace_ids = [uuid.uuid4().int >> 32 for _ in werken]

    async def onder_trace(werk: Werk, trace_id: int) -> None:
        span = NonRecordingSpan(SpanContext(trace_id, 0x1234, is_remote=True, trace_flags=TraceFlags(1)))
        token = otel_context.attach(trace.set_span_in_context(span))
        try:
            await uows.samen(werk)
        finally:
            otel_context.detach(token)

    await asyncio.gather(*(onder_trace(w, t) for w, t in zip(werken, trace_ids, strict=True)))
    assert len({w.transacties[0] for w in werken}) == 1
    ids = [w.event.id for w in werken]
    async with engine.connect() as conn:
        rijen = (
            await conn.execute(
                select(tables.outbox.c.event_id, tables.outbox.c.headers).where(tables.outbox.c.event_id.in_(ids))
            )
        ).all()
    gezien = {r.event_id: json.loads(r.headers)["traceparent"].split("-")[1] for r in rijen}
    assert gezien == {w.event.id: format(t, "032x") for w, t in zip(werken, trace_ids, strict=True)}
