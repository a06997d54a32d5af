"""The reference: the same meldingen through a bare nats-py JetStream relay in one process.

It has the platform's shape: three streams (the platform: meldingen, doorverwijzingen, plannen) and
between them two relay hops (the platform: triage, arrangement), each a durable pull consumer that
fetches a batch, republishes every message to the next stream with a JetStream publish (awaiting the
ack) and then acks. The result is read off the last stream's subject with a core subscription, as the
platform's plan-opgesteld is. No database, no inbox, no outbox: what JetStream itself costs.
"""

from __future__ import annotations

import asyncio
import contextlib

from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, StorageType, StreamConfig

STREAMS = [(f"BENCH_HOP{i}", f"bench.hop{i}") for i in (1, 2, 3)]
INGANG, SINK = STREAMS[0][1], STREAMS[-1][1]


async def _hop(js: JetStreamContext, stream: str, bron: str, doel: str, batch: int, wacht: float) -> None:
    psub = await js.pull_subscribe(
        bron,
        durable=f"{stream.lower()}-relay",
        stream=stream,
        config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, max_ack_pending=1000),
    )
    while True:
        try:
            berichten = await psub.fetch(batch, timeout=wacht)
        except (TimeoutError, NatsTimeoutError):
            continue
        await asyncio.gather(*(js.publish(doel, m.data, headers=m.headers, timeout=30) for m in berichten))
        for m in berichten:
            await m.ack()


@contextlib.asynccontextmanager
async def relay(js: JetStreamContext, batch: int, wacht: float):
    """The streams and the running hops; afterwards the hops stop and the streams are deleted."""
    for naam, subject in STREAMS:
        await js.add_stream(StreamConfig(name=naam, subjects=[subject], storage=StorageType.FILE))
    hops = [
        asyncio.create_task(_hop(js, naam, subject, volgende, batch, wacht))
        for (naam, subject), (_, volgende) in zip(STREAMS, STREAMS[1:], strict=False)
    ]
    try:
        yield
    finally:
        for taak in hops:
            taak.cancel()
        await asyncio.gather(*hops, return_exceptions=True)
        for naam, _ in STREAMS:
            with contextlib.suppress(Exception):
                await js.delete_stream(naam)
