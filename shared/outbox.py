"""The outbox relay: publishes committed events to JetStream, at least once, in commit order per relay.

A batch of rows is published pipelined (nats-py `publish_async`: all in flight, then every PubAck
awaited), and the rows are deleted in the same transaction that locked them. The payload goes out as it
was serialised at commit. `Nats-Msg-Id` is the event id: a relay that crashed after publishing but
before deleting publishes again, and JetStream drops the repeat. The stored W3C trace context travels
in the headers, so a melding stays one trace across the services; when spans are exported, the relay
adds a publish span in between. Several replicas may run: `SKIP LOCKED` gives each row to one of them
(across replicas the order is not guaranteed; consumers do not rely on it).
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime

from faststream.nats import NatsBroker
from nats.js import JetStreamContext
from opentelemetry import propagate, trace
from sqlalchemy import BigInteger, any_, bindparam, delete, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db import UnitOfWorkFactory
from shared.metrics import Metrieken
from shared.telemetry import exporteert
from shared.topology import stream_van_subject

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)

BATCH = 1000
POLL_S = 1.0
ACK_TIMEOUT_S = 10.0


class OutboxRelay:
    def __init__(self, uows: UnitOfWorkFactory, broker: NatsBroker, metrieken: Metrieken | None = None):
        self._engine: AsyncEngine = uows.engine
        self._outbox = uows.outbox
        self._signaal = uows.nieuwe_events
        self._broker = broker
        self._taak: asyncio.Task | None = None
        self._stoppen = asyncio.Event()
        self._js: JetStreamContext | None = None
        self._spans = exporteert()  # a span per event only when someone receives the spans
        self._metrieken = metrieken
        o = self._outbox
        # Built once (decision 0024): the relay runs them after every commit that wrote events.
        self._lees = (
            select(o.c.id, o.c.event_id, o.c.subject, o.c.payload, o.c.headers, o.c.aangemaakt_op)
            .order_by(o.c.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
        self._verwijder = delete(o).where(o.c.id == any_(bindparam("ids", type_=ARRAY(BigInteger))))

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
                if self._metrieken is not None:
                    self._metrieken.publicatiefouten.labels(self._metrieken.service).inc()
                log.warning(
                    "outbox relay: publiceren mislukt, opnieuw over %.1fs", pauze, extra={"fout": type(fout).__name__}
                )
                if self._stoppen.is_set():
                    return
                await asyncio.sleep(pauze)
                pauze = min(pauze * 2, 5.0)
                continue
            if aantal == BATCH:
                continue
            # Stopping: one more pass if anything committed (or stop() was called) since this pass began,
            # so a commit that landed while we were reading is not left behind.
            if self._stoppen.is_set() and not self._signaal.is_set():
                return
            try:
                await asyncio.wait_for(self._signaal.wait(), POLL_S)
            except TimeoutError:
                pass

    async def publiceer_batch(self) -> int:
        """Publish up to BATCH events in id order and delete them once acknowledged; returns how many."""
        async with self._engine.begin() as conn:
            rijen = (await conn.execute(self._lees)).all()
            if not rijen:
                return 0
            await self._publiceer(rijen)
            self._tel(rijen)
            await conn.execute(self._verwijder, {"ids": [r.id for r in rijen]})
        return len(rijen)

    async def _publiceer(self, rijen) -> None:
        """All in flight at once; if one is not acknowledged the whole batch goes again (JetStream drops
        the repeats by Nats-Msg-Id)."""
        js = self._jetstream()
        acks: list[asyncio.Future] = []
        try:
            for rij in rijen:
                acks.append(
                    await js.publish_async(
                        rij.subject, rij.payload, stream=stream_van_subject(rij.subject), headers=self._headers(rij)
                    )
                )
            await asyncio.wait_for(asyncio.gather(*acks), ACK_TIMEOUT_S)
        finally:
            for ack in acks:  # a cancelled future gives its slot back to nats-py's pending limit
                ack.cancel()

    def _tel(self, rijen) -> None:
        """Published, and how long from commit (the row's insert time) to the PubAck."""
        if (m := self._metrieken) is None:
            return
        nu = datetime.now(UTC)
        m.gepubliceerd.labels(m.service).inc(len(rijen))
        histogram = m.commit_tot_puback.labels(m.service)
        for rij in rijen:
            histogram.observe(max((nu - rij.aangemaakt_op).total_seconds(), 0.0))

    def _headers(self, rij) -> dict[str, str]:
        headers = {"Nats-Msg-Id": str(rij.event_id), "content-type": "application/cloudevents+json"}
        herkomst = json.loads(rij.headers) if rij.headers else {}
        if not self._spans:
            return {**headers, **herkomst}
        with tracer.start_as_current_span(
            f"{rij.subject} publish",
            context=propagate.extract(herkomst),
            kind=trace.SpanKind.PRODUCER,
            attributes={
                "messaging.system": "nats",
                "messaging.destination.name": rij.subject,
                "messaging.message.id": str(rij.event_id),
            },
        ):
            propagate.inject(headers)
        return headers

    def _jetstream(self) -> JetStreamContext:
        # One context for the relay's life: nats-py keeps its pending async publishes there.
        if self._js is None:
            self._js = self._broker.connection.jetstream()
        return self._js
