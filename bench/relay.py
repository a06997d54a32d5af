"""The references: the same meldingen through a bare nats-py JetStream relay in one process, and through
a durable relay that keeps the platform's promises (inbox, state, outbox, Nats-Msg-Id) on the same
PostgreSQL.

It has the platform's shape: three streams (the platform: meldingen, doorverwijzingen, plannen) and
between them two relay hops (the platform: triage, arrangement), each a durable pull consumer that
fetches a batch, republishes every message to the next stream with a JetStream publish (awaiting the
ack) and then acks. The result is read off the last stream's subject with a core subscription, as the
platform's plan-opgesteld is. No database, no inbox, no outbox: what JetStream itself costs.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid

import asyncpg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, StorageType, StreamConfig

from toegang.omgeving import asyncpg_dsn

STREAMS = [(f"BENCH_HOP{i}", f"bench.hop{i}") for i in (1, 2, 3)]
INGANG, SINK = STREAMS[0][1], STREAMS[-1][1]


async def _batches(js: JetStreamContext, stream: str, bron: str, batch: int, wacht: float):
    """Every fetched batch of a durable pull consumer on `bron`, forever."""
    psub = await js.pull_subscribe(
        bron,
        durable=f"{stream.lower()}-relay",
        stream=stream,
        config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, max_ack_pending=1000),
    )
    while True:
        try:
            yield await psub.fetch(batch, timeout=wacht)
        except (TimeoutError, NatsTimeoutError):
            continue


async def _hop(js: JetStreamContext, stream: str, bron: str, doel: str, batch: int, wacht: float) -> None:
    async for berichten in _batches(js, stream, bron, batch, wacht):
        await asyncio.gather(*(js.publish(doel, m.data, headers=m.headers, timeout=30) for m in berichten))
        for m in berichten:
            await m.ack()


@contextlib.asynccontextmanager
async def _hops(js: JetStreamContext, streams: list[tuple[str, str]], hop):
    """The streams and a running `hop(index, stream, source subject, next subject)` between each two;
    afterwards the hops stop and the streams are deleted."""
    for naam, subject in streams:
        await js.add_stream(StreamConfig(name=naam, subjects=[subject], storage=StorageType.FILE))
    taken = [
        asyncio.create_task(hop(h, naam, subject, volgende))
        for h, ((naam, subject), (_, volgende)) in enumerate(zip(streams, streams[1:], strict=False))
    ]
    try:
        yield
    finally:
        for taak in taken:
            taak.cancel()
        await asyncio.gather(*taken, return_exceptions=True)
        for naam, _ in streams:
            with contextlib.suppress(Exception):
                await js.delete_stream(naam)


@contextlib.asynccontextmanager
async def relay(js: JetStreamContext, batch: int, wacht: float):
    """The bare relay running: its streams and hops; afterwards removed."""
    async with _hops(js, STREAMS, lambda h, naam, bron, doel: _hop(js, naam, bron, doel, batch, wacht)):
        yield


# --- the durable reference: the same hops with the platform's promises -------------------------------------

DURABLE_STREAMS = [(f"BENCH_DUUR{i}", f"bench.duur{i}") for i in (1, 2, 3)]
DURABLE_INGANG, DURABLE_SINK = DURABLE_STREAMS[0][1], DURABLE_STREAMS[-1][1]
SCHEMA = "bench_relay"


async def _maak_tabellen(pool: asyncpg.Pool, hops: int) -> None:
    async with pool.acquire() as conn:
        await conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}")
        for h in range(hops):
            await conn.execute(
                f"CREATE TABLE {SCHEMA}.inbox{h} (event_id uuid PRIMARY KEY, verwerkt_op timestamptz DEFAULT now());"
                f"CREATE TABLE {SCHEMA}.staat{h} (event_id uuid PRIMARY KEY, payload bytea NOT NULL);"
                f"CREATE TABLE {SCHEMA}.outbox{h} (id bigserial PRIMARY KEY, event_id uuid NOT NULL UNIQUE, "
                "subject text NOT NULL, payload bytea NOT NULL)"
            )


async def _duurzame_hop(
    js: JetStreamContext, pool: asyncpg.Pool, h: int, stream: str, bron: str, doel: str, batch: int, wacht: float
) -> None:
    """Per fetched batch: one transaction that records every message in the inbox (one statement), writes
    a state row and an outbox row for each new one; after commit publish with Nats-Msg-Id, await the
    PubAcks, delete those outbox rows, acknowledge. What the platform promises, with nothing else."""
    async for berichten in _batches(js, stream, bron, batch, wacht):
        ids = [uuid.UUID((m.headers or {})["Nats-Msg-Id"]) for m in berichten]
        per_id = {i: m for i, m in zip(ids, berichten, strict=True)}
        async with pool.acquire() as conn, conn.transaction():
            nieuw = [
                r["event_id"]
                for r in await conn.fetch(
                    f"INSERT INTO {SCHEMA}.inbox{h} (event_id) SELECT unnest($1::uuid[]) "
                    "ON CONFLICT DO NOTHING RETURNING event_id",
                    ids,
                )
            ]
            payloads = [per_id[i].data for i in nieuw]
            await conn.execute(
                f"INSERT INTO {SCHEMA}.staat{h} (event_id, payload) SELECT * FROM unnest($1::uuid[], $2::bytea[])",
                nieuw,
                payloads,
            )
            uit = [uuid.uuid4() for _ in nieuw]
            rijen = await conn.fetch(
                f"INSERT INTO {SCHEMA}.outbox{h} (event_id, subject, payload) "
                "SELECT * FROM unnest($1::uuid[], $2::text[], $3::bytea[]) RETURNING id",
                uit,
                [doel] * len(uit),
                payloads,
            )
        acks = [
            await js.publish_async(doel, p, headers={"Nats-Msg-Id": str(e)}) for e, p in zip(uit, payloads, strict=True)
        ]
        await asyncio.gather(*acks)
        async with pool.acquire() as conn:
            await conn.execute(f"DELETE FROM {SCHEMA}.outbox{h} WHERE id = ANY($1::bigint[])", [r["id"] for r in rijen])
        for m in berichten:
            await m.ack()


@contextlib.asynccontextmanager
async def duurzame_relay(js: JetStreamContext, database_url: str, batch: int, wacht: float):
    """The durable reference running: its streams, tables and hops; afterwards all of it removed."""
    pool = await asyncpg.create_pool(asyncpg_dsn(database_url), min_size=1, max_size=4)
    await _maak_tabellen(pool, len(DURABLE_STREAMS) - 1)
    try:

        def hop(h: int, naam: str, bron: str, doel: str):
            return _duurzame_hop(js, pool, h, naam, bron, doel, batch, wacht)

        async with _hops(js, DURABLE_STREAMS, hop):
            yield
    finally:
        async with pool.acquire() as conn:
            await conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        await pool.close()
