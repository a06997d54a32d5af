"""tests/support/verwerkt.py against a real PostgreSQL and nats-server (no platform): each helper waits
for its sign and fails, naming what it waited for, when the sign does not come."""

from __future__ import annotations

import asyncio
import uuid

import nats
import pytest
from nats.js.api import AckPolicy, ConsumerConfig
from sqlalchemy import MetaData, func, insert, text, update

from shared.db import inbox_tabel, maak_engine, outbox_tabel
from shared.events import MeldingOpgepakt
from shared.topology import Consumer, declareer_streams_op
from tests.support.verwerkt import (
    wacht_tot_bijgewerkt,
    wacht_tot_opgenomen,
    wacht_tot_opnieuw_verwerkt,
    wacht_tot_uitgestuurd,
    wacht_tot_verwerkt,
)

SCHEMA = "verwerkttest"
metadata = MetaData(schema=SCHEMA)
inbox = inbox_tabel(metadata)
outbox = outbox_tabel(metadata)


@pytest.fixture(scope="module")
async def engine(database_url):
    engine = maak_engine(database_url)
    async with engine.begin() as conn:
        await conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
        await conn.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


@pytest.fixture
async def durable(nats_server):
    """A durable of its own on TOEGANG_MELDINGEN, filtered on a subject of its own (no other test's traffic)."""
    await declareer_streams_op(nats_server.url)
    c = Consumer(SCHEMA, f"{SCHEMA}-{uuid.uuid4().hex[:8]}", MeldingOpgepakt, "test")
    subject = f"toegang.meldingen.{SCHEMA}.{c.durable}"
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    await js.add_consumer(
        c.stream, ConsumerConfig(durable_name=c.durable, filter_subject=subject, ack_policy=AckPolicy.EXPLICIT)
    )
    sub = await js.pull_subscribe_bind(c.durable, stream=c.stream)
    yield c, js, subject, sub
    await js.delete_consumer(c.stream, c.durable)
    await nc.close()


async def later(seconden: float, stap) -> None:
    await asyncio.sleep(seconden)  # the sign comes late: the helper must wait for it, not look once
    await stap()


async def test_verwerkt_wacht_op_de_rij_in_de_inbox_en_faalt_zonder(engine, database_url, durable):
    c, *_ = durable
    event_id = uuid.uuid4()
    with pytest.raises(AssertionError, match=f"{event_id}.*{c.durable}.*{SCHEMA}.inbox"):
        await wacht_tot_verwerkt(database_url, c, event_id, timeout=0.3)

    async def schrijf() -> None:
        async with engine.begin() as conn:
            await conn.execute(insert(inbox).values(consumer=c.durable, event_id=event_id, type="t"))

    taak = asyncio.create_task(later(0.4, schrijf))
    verwerkt_op = await wacht_tot_verwerkt(database_url, c, event_id, timeout=5)
    assert taak.done() and verwerkt_op is not None
    # Another durable's row is not this one's.
    anders = Consumer(SCHEMA, f"{c.durable}-anders", MeldingOpgepakt, "test")
    with pytest.raises(AssertionError):
        await wacht_tot_verwerkt(database_url, anders, event_id, timeout=0.3)


async def test_bijgewerkt_pas_als_niets_meer_open_en_niets_onbevestigd_is(nats_server, durable):
    c, js, subject, sub = durable
    await wacht_tot_bijgewerkt(nats_server.url, c, timeout=2)  # nothing there yet
    await js.publish(subject, b"{}")
    with pytest.raises(AssertionError, match=rf"{c.durable}.*\(1, 0\)"):  # pending
        await wacht_tot_bijgewerkt(nats_server.url, c, timeout=0.5)
    [msg] = await sub.fetch(1, timeout=2)
    with pytest.raises(AssertionError, match=rf"{c.durable}.*\(0, 1\)"):  # delivered, not acknowledged
        await wacht_tot_bijgewerkt(nats_server.url, c, timeout=0.5)
    taak = asyncio.create_task(later(0.4, msg.ack))
    await wacht_tot_bijgewerkt(nats_server.url, c, timeout=5)
    assert taak.done()


async def test_opnieuw_verwerkt_door_verwerkt_op_of_doordat_niets_meer_open_is(
    engine, database_url, nats_server, durable
):
    c, js, subject, sub = durable
    event_id = uuid.uuid4()
    async with engine.begin() as conn:
        await conn.execute(insert(inbox).values(consumer=c.durable, event_id=event_id, type="t"))
    eerder = await wacht_tot_verwerkt(database_url, c, event_id)
    await js.publish(subject, b"{}")  # the copy that comes again, not handled yet
    with pytest.raises(AssertionError, match=f"{event_id}.*{c.durable}"):
        await wacht_tot_opnieuw_verwerkt(database_url, nats_server.url, c, event_id, eerder, timeout=0.5)

    async def als_duplicaat() -> None:  # what shared/bus.py does with a copy it has seen
        async with engine.begin() as conn:
            await conn.execute(
                update(inbox)
                .where(inbox.c.consumer == c.durable, inbox.c.event_id == event_id)
                .values(verwerkt_op=func.now())
            )

    taak = asyncio.create_task(later(0.4, als_duplicaat))
    assert await wacht_tot_opnieuw_verwerkt(database_url, nats_server.url, c, event_id, eerder, timeout=5) == (
        "verwerkt_op"
    )
    assert taak.done()

    # The other proof: the copy acknowledged, verwerkt_op as it was.
    nu = await wacht_tot_verwerkt(database_url, c, event_id)
    [msg] = await sub.fetch(1, timeout=2)
    taak = asyncio.create_task(later(0.4, msg.ack))
    assert await wacht_tot_opnieuw_verwerkt(database_url, nats_server.url, c, event_id, nu, timeout=5) == "niets_open"
    assert taak.done()


async def test_uitgestuurd_als_de_outbox_leeg_is(engine, database_url):
    async with engine.begin() as conn:
        await conn.execute(insert(outbox).values(event_id=uuid.uuid4(), subject="s", payload=b"{}", headers="{}"))
    with pytest.raises(AssertionError, match=f"{SCHEMA}.*1"):
        await wacht_tot_uitgestuurd(database_url, SCHEMA, timeout=0.3)

    async def relay() -> None:
        async with engine.begin() as conn:
            await conn.execute(outbox.delete())

    taak = asyncio.create_task(later(0.4, relay))
    await wacht_tot_uitgestuurd(database_url, SCHEMA, timeout=5)
    assert taak.done()


async def test_opgenomen_heeft_wat_ervoor_gepubliceerd_werd(nats_server, bus_opname):
    subjects = [f"test.verwerkt.{uuid.uuid4().hex}" for _ in range(50)]
    nc = await nats.connect(nats_server.url)
    for s in subjects:
        await nc.publish(s, b"x" * 10_000)
    await nc.flush()
    await nc.close()
    await wacht_tot_opgenomen(nats_server.url, bus_opname)
    gezien = {s for s, _ in bus_opname.gepubliceerd}
    assert set(subjects) <= gezien
