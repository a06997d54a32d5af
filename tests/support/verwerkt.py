"""Positive signs that the platform has done its work, for tests that then assert that nothing (more)
happened. A fixed sleep before such an assertion passes whenever the platform is merely slow: the
second plan, the second event, the change that should not happen has simply not happened *yet*. Each
helper here waits for proof that the work which could have caused it is done, and fails (clearly) when
that proof does not come:

- `wacht_tot_verwerkt`: the consumer's inbox has the event (the bus writes the id in the handler's own
  transaction: the handler ran and committed);
- `wacht_tot_opnieuw_verwerkt`: a redelivered or replayed copy of an event already handled went through
  the inbox too (a duplicate updates the row's `verwerkt_op`, shared/bundel.py `eerste_keer`);
- `wacht_tot_bijgewerkt`: a durable has nothing pending and nothing unacknowledged, several polls in a row
  (every message in its stream was handled: acknowledged after commit, or sent to the DLQ);
- `wacht_tot_uitgestuurd`: a service's outbox is empty (the relay deletes a row once JetStream stored the
  event: everything the service committed before is on the bus);
- `wacht_tot_opgenomen`: the `bus_opname` recording has everything the server routed before now.

A typical "nothing more happened" check: the event handled (or the consumer caught up), the service's
outbox sent, the recording caught up; then the assertion.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import nats
from nats.js.errors import NotFoundError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from shared.topology import Consumer, consumer

Durable = str | Consumer  # a durable of the topology by name, or a Consumer of a test's own

# JetStream's counts settle a moment after the ack (an ack is a plain publish): this many polls in a row
# must see nothing pending before a durable counts as caught up.
KEER = 3
INTERVAL_S = 0.1
MARKERING = "test.opname"  # bus_opname listens to ">": a subject no service uses, under no stream


def _consumer(durable: Durable) -> Consumer:
    if isinstance(durable, Consumer):
        return durable
    try:
        return consumer(durable)
    except StopIteration:
        raise ValueError(f"{durable!r} is geen durable van shared/topology.py CONSUMERS") from None


def _engine(database_url: str) -> AsyncEngine:
    return create_async_engine(database_url, poolclass=NullPool)


async def _tot(
    voorwaarde: Callable[[], Awaitable[tuple[bool, Any]]], timeout: float, melding: Callable[[Any], str]
) -> Any:
    """Poll until `voorwaarde()` returns (True, value); else fail with `melding(last value)`."""
    loop = asyncio.get_running_loop()
    einde = loop.time() + timeout
    while True:
        klaar, waarde = await voorwaarde()
        if klaar:
            return waarde
        if loop.time() > einde:
            raise AssertionError(melding(waarde))
        await asyncio.sleep(INTERVAL_S)


async def _verwerkt_op(engine: AsyncEngine, c: Consumer, event_id: uuid.UUID) -> datetime | None:
    async with engine.connect() as conn:
        return (
            await conn.execute(
                text(f"SELECT verwerkt_op FROM {c.service}.inbox WHERE consumer = :c AND event_id = :e"),
                {"c": c.durable, "e": event_id},
            )
        ).scalar_one_or_none()


async def wacht_tot_verwerkt(
    database_url: str, durable: Durable, event_id: str | uuid.UUID, timeout: float = 10.0
) -> datetime:
    """Wait until `durable`'s service has `event_id` in its inbox for that durable; returns `verwerkt_op`.

    The row commits with what the handler did, so after this the handler's changes (and the events it
    wrote to the outbox) are committed. An event that went to the DLQ never gets a row: this then fails."""
    c = _consumer(durable)
    if not c.cloudevents:
        raise ValueError(f"{c.durable} ontvangt ruwe berichten en heeft geen inbox")
    eid = uuid.UUID(str(event_id))
    engine = _engine(database_url)
    try:

        async def er() -> tuple[bool, datetime | None]:
            op = await _verwerkt_op(engine, c, eid)
            return op is not None, op

        return await _tot(
            er,
            timeout,
            lambda _: (
                f"event {eid} niet verwerkt door {c.durable} binnen {timeout}s: geen rij in {c.service}.inbox "
                "(nog niet afgeleverd, de handler faalt, of het ging naar de DLQ)"
            ),
        )
    finally:
        await engine.dispose()


async def _open(js, c: Consumer) -> tuple[int, int]:
    """(num_pending, num_ack_pending) of a durable."""
    try:
        info = await js.consumer_info(c.stream, c.durable)
    except NotFoundError:
        raise AssertionError(f"durable {c.durable} bestaat niet op stream {c.stream}") from None
    return info.num_pending, info.num_ack_pending


async def wacht_tot_bijgewerkt(nats_url: str, *durables: Durable, timeout: float = 10.0, keer: int = KEER) -> None:
    """Wait until every durable has handled all its stream holds: num_pending == 0 and num_ack_pending == 0
    on `keer` polls in a row. Handled means acknowledged after commit, or rejected after its DLQ entry.

    Only what is in the stream counts: call this once the messages that matter were stored (a publish
    with its PubAck, an emptied outbox). `nats_url` must be allowed to read consumer info (the operator's
    `nats_server.url`)."""
    if not durables:
        raise ValueError("welke durables?")
    consumers = [_consumer(d) for d in durables]
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    achter_elkaar = 0
    try:

        async def leeg() -> tuple[bool, dict[str, tuple[int, int]]]:
            nonlocal achter_elkaar
            open_ = {c.durable: await _open(js, c) for c in consumers}
            achter_elkaar = achter_elkaar + 1 if not any(p or a for p, a in open_.values()) else 0
            return achter_elkaar >= keer, open_

        await _tot(
            leeg,
            timeout,
            lambda open_: f"niet bijgewerkt binnen {timeout}s (durable: (num_pending, num_ack_pending)): {open_}",
        )
    finally:
        await nc.close()


async def wacht_tot_opnieuw_verwerkt(
    database_url: str,
    nats_url: str,
    durable: Durable,
    event_id: str | uuid.UUID,
    eerder: datetime,
    timeout: float = 10.0,
) -> str:
    """For an event `durable` handled before (its `verwerkt_op` was `eerder`, from `wacht_tot_verwerkt`) and
    that now comes again (a redelivery, a second copy, a DLQ replay), published and stored already: wait
    until that copy was handled. Proof is whichever comes first:
    - "verwerkt_op": the inbox row's `verwerkt_op` moved past `eerder` (the copy found its id there; a
      later transaction's now());
    - "niets_open": the durable has nothing pending and nothing unacknowledged (every copy in the stream
      handled, as `wacht_tot_bijgewerkt`).
    Returns which. A redelivery that (wrongly) applied the event again has committed by then too."""
    c = _consumer(durable)
    eid = uuid.UUID(str(event_id))
    engine = _engine(database_url)
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    achter_elkaar = 0
    try:

        async def gedaan() -> tuple[bool, Any]:
            nonlocal achter_elkaar
            op = await _verwerkt_op(engine, c, eid)
            if op is not None and op > eerder:
                return True, "verwerkt_op"
            open_ = await _open(js, c)
            achter_elkaar = achter_elkaar + 1 if open_ == (0, 0) else 0
            return (True, "niets_open") if achter_elkaar >= KEER else (False, (op, open_))

        return await _tot(
            gedaan,
            timeout,
            lambda laatste: (
                f"herhaalde aflevering van {eid} niet verwerkt door {c.durable} binnen {timeout}s: verwerkt_op "
                f"{laatste[0]} (eerder {eerder}), (num_pending, num_ack_pending) {laatste[1]}"
            ),
        )
    finally:
        await nc.close()
        await engine.dispose()


async def wacht_tot_uitgestuurd(database_url: str, *services: str, timeout: float = 10.0) -> None:
    """Wait until each service's outbox is empty: every event those services committed before this call
    is stored in JetStream (the relay deletes a row only after its PubAck). Events of transactions that
    commit later are not covered: call this after the work whose events matter has committed."""
    if not services:
        raise ValueError("welke services?")
    engine = _engine(database_url)
    try:

        async def leeg() -> tuple[bool, dict[str, int]]:
            async with engine.connect() as conn:
                aantallen = {
                    s: (await conn.execute(text(f"SELECT count(*) FROM {s}.outbox"))).scalar_one() for s in services
                }
            return not any(aantallen.values()), aantallen

        await _tot(leeg, timeout, lambda aantallen: f"outbox niet leeg binnen {timeout}s: {aantallen}")
    finally:
        await engine.dispose()


async def wacht_tot_opgenomen(nats_url: str, bus_opname, timeout: float = 10.0) -> None:
    """Wait until `bus_opname` (tests/conftest.py) has recorded everything the server routed before now.

    Publishes a marker and waits for it in the recording: the server sends the recording's subscription
    its messages in the order it routed them, so whatever was published before the marker (and stored:
    routing precedes the PubAck) is in `bus_opname` once the marker is."""
    merk = f"{MARKERING}.{uuid.uuid4().hex}"
    nc = await nats.connect(nats_url)
    try:
        await nc.publish(merk, b"")
        await nc.flush()
    finally:
        await nc.close()

    async def gezien() -> tuple[bool, None]:
        return any(s == merk for s, _ in bus_opname.gepubliceerd), None

    await _tot(gezien, timeout, lambda _: f"markering {merk} niet in de busopname binnen {timeout}s")


async def wacht_tot_stil(
    database_url: str,
    nats_url: str,
    bus_opname,
    *,
    durables: tuple[Durable, ...] = (),
    services: tuple[str, ...] = (),
    timeout: float = 10.0,
) -> None:
    """The usual sequence before "nothing more was published": `durables` caught up, then the outboxes of
    `services` sent (default: the durables' services), then the recording caught up."""
    if durables:
        await wacht_tot_bijgewerkt(nats_url, *durables, timeout=timeout)
    services = services or tuple(dict.fromkeys(_consumer(d).service for d in durables))
    if services:
        await wacht_tot_uitgestuurd(database_url, *services, timeout=timeout)
    await wacht_tot_opgenomen(nats_url, bus_opname, timeout=timeout)
