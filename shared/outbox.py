"""The outbox relay: publishes committed events to JetStream, at least once, in commit order per relay.

Publishing goes through the FastStream broker so its telemetry middleware makes the publish span;
the span's parent is the trace context stored with the event, so a melding stays one trace across the
services. `Nats-Msg-Id` is the event id: a relay that crashed after publishing but before marking the
row publishes again, and JetStream drops the repeat. Several replicas may run: `SKIP LOCKED` gives each
row to one of them (so across replicas the order is not guaranteed; consumers do not rely on it).
"""

from __future__ import annotations

import asyncio
import logging

from faststream.nats import NatsBroker
from opentelemetry import context, propagate
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db import UnitOfWorkFactory
from shared.topology import stream_van_subject

log = logging.getLogger(__name__)

BATCH = 200
POLL_S = 1.0


class OutboxRelay:
    def __init__(self, uows: UnitOfWorkFactory, broker: NatsBroker):
        self._engine: AsyncEngine = uows.engine
        self._outbox = uows.outbox
        self._signaal = uows.nieuwe_events
        self._broker = broker
        self._taak: asyncio.Task | None = None
        self._stoppen = asyncio.Event()

    def start(self) -> None:
        self._taak = asyncio.create_task(self._loop(), name="outbox-relay")

    async def stop(self, flush_timeout: float = 5.0) -> None:
        """Stop polling, but first publish what is committed, within a bounded time."""
        self._stoppen.set()
        self._signaal.set()
        if self._taak:
            try:
                await asyncio.wait_for(self._taak, flush_timeout)
            except (TimeoutError, asyncio.CancelledError):
                self._taak.cancel()

    async def _loop(self) -> None:
        pauze = 0.1
        while True:
            # Clear before reading, not after: a commit that lands while we publish sets the signal
            # again and is picked up at once instead of at the next poll.
            self._signaal.clear()
            try:
                aantal = await self.publiceer_batch()
                pauze = 0.1
            except Exception as fout:  # NATS or the database is away: wait and try again
                log.warning("outbox relay: publiceren mislukt, opnieuw over %.1fs", pauze,
                            extra={"fout": type(fout).__name__})
                if self._stoppen.is_set():
                    return
                await asyncio.sleep(pauze)
                pauze = min(pauze * 2, 5.0)
                continue
            if aantal == BATCH:
                continue
            if self._stoppen.is_set():
                return
            try:
                await asyncio.wait_for(self._signaal.wait(), POLL_S)
            except TimeoutError:
                pass

    async def publiceer_batch(self) -> int:
        """Publish up to BATCH unpublished events in id order; returns how many."""
        o = self._outbox
        async with self._engine.begin() as conn:
            rijen = (
                await conn.execute(
                    select(o.c.id, o.c.event_id, o.c.subject, o.c.payload, o.c.headers)
                    .where(o.c.gepubliceerd_op.is_(None))
                    .order_by(o.c.id)
                    .limit(BATCH)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            # Pipelined: all publishes of the batch are in flight together and each waits for its own ack.
            # If one fails, the batch is not marked and goes again; JetStream drops the repeats.
            await asyncio.gather(*(self._publiceer(rij) for rij in rijen))
            if rijen:
                await conn.execute(
                    update(o).where(o.c.id.in_([r.id for r in rijen])).values(gepubliceerd_op=func.now())
                )
        return len(rijen)

    async def _publiceer(self, rij) -> None:
        token = context.attach(propagate.extract(rij.headers or {}))
        try:
            await self._broker.publish(
                rij.payload,
                subject=rij.subject,
                headers={"Nats-Msg-Id": str(rij.event_id), "content-type": "application/cloudevents+json"},
                correlation_id=str(rij.event_id),
                stream=stream_van_subject(rij.subject),  # a stream name makes it a JetStream publish: wait for its ack
                timeout=5.0,
            )
        finally:
            context.detach(token)
