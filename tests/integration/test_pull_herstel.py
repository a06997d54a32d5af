"""nats-py's known weak spot (nats-io/nats.py#504): a pull subscription that stops receiving after the
server restarts. Here a durable pull consumer bound the platform's way (shared/bus.py) must keep
receiving after a graceful restart, a crash (SIGKILL) and a longer outage of nats-server, each time
with the store surviving; what was published while it was down arrives too, once."""

from __future__ import annotations

import asyncio
import signal
import time
import uuid

import nats
import pytest
from sqlalchemy import MetaData, text

from shared.bus import RetryBeleid, abonneer, maak_broker
from shared.db import UnitOfWorkFactory, inbox_tabel, maak_engine, outbox_tabel
from shared.topology import Consumer, declareer_streams
from tests.conftest import wacht_tot
from tests.integration.test_bus import opgepakt_event
from toegang.omgeving import NatsServer

metadata = MetaData(schema="pullherstel")
outbox = outbox_tabel(metadata)
inbox = inbox_tabel(metadata)


@pytest.fixture(scope="module")
async def engine(database_url):
    engine = maak_engine(database_url)
    async with engine.begin() as conn:
        await conn.execute(text("CREATE SCHEMA IF NOT EXISTS pullherstel"))
        await conn.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


async def publiceer(server: NatsServer, team: str) -> str:
    event = opgepakt_event(team)
    nc = await nats.connect(server.url)
    try:
        await nc.jetstream().publish(event.nats_subject, event.model_dump_json().encode(),
                                     headers={"Nats-Msg-Id": str(event.id)})
    finally:
        await nc.close()
    return str(event.id)


def herstart(server: NatsServer, sig: int, weg_s: float) -> None:
    server.proces.send_signal(sig)
    server.proces.wait(15)
    time.sleep(weg_s)
    server.start()  # same port, same store


async def test_pull_consumer_ontvangt_weer_na_herstart_crash_en_lange_onderbreking(engine, werkmap):
    server = NatsServer(werkmap / "nats-pull-herstel").start()
    consumer = Consumer("pullherstel", "pullherstel-opgepakt", "TOEGANG_MELDINGEN", "toegang.meldingen.opgepakt.*",
                        "test")
    ontvangen: list[str] = []

    async def handler(event, uow) -> None:
        ontvangen.append(str(event.id))

    broker = maak_broker(server.url, "pullherstel")
    abonneer(broker, consumer, handler, UnitOfWorkFactory(engine, outbox), inbox, RetryBeleid(max_deliver=3))
    await broker.connect()
    await declareer_streams(broker.config.connection_state.stream)
    await broker.start()
    try:
        eerste = await publiceer(server, "voor")
        await wacht_tot(lambda: eerste in ontvangen, timeout=10)
        for sig, weg_s in ((signal.SIGTERM, 0.5), (signal.SIGKILL, 0.5), (signal.SIGKILL, 6.0)):
            await asyncio.to_thread(herstart, server, sig, weg_s)
            terug = time.monotonic()
            event_id = await publiceer(server, f"na-{sig.name}-{weg_s}")
            await wacht_tot(lambda: event_id in ontvangen, timeout=20)
            # Recovered within a few fetch rounds, not after some long supervisor pause.
            assert time.monotonic() - terug < 10
        assert len(ontvangen) == len(set(ontvangen)) == 4
    finally:
        await broker.stop()
        server.stop()


async def test_wat_tijdens_de_onderbreking_in_de_stream_kwam_komt_aan(engine, werkmap):
    """Published right after a crash and restart, while the consumer's client may still be reconnecting:
    the durable's position survives the restart, so nothing is skipped."""
    server = NatsServer(werkmap / f"nats-pull-herstel-{uuid.uuid4().hex[:6]}").start()
    consumer = Consumer("pullherstel", "pullherstel-tussendoor", "TOEGANG_MELDINGEN",
                        "toegang.meldingen.opgepakt.*", "test")
    ontvangen: list[str] = []

    async def handler(event, uow) -> None:
        ontvangen.append(str(event.id))

    broker = maak_broker(server.url, "pullherstel")
    abonneer(broker, consumer, handler, UnitOfWorkFactory(engine, outbox), inbox, RetryBeleid(max_deliver=3))
    await broker.connect()
    await declareer_streams(broker.config.connection_state.stream)
    await broker.start()
    try:
        await asyncio.to_thread(herstart, server, signal.SIGKILL, 0.2)
        tussendoor = [await publiceer(server, f"tussendoor-{i}") for i in range(20)]
        await wacht_tot(lambda: set(tussendoor) <= set(ontvangen), timeout=20)
        assert sorted(ontvangen) == sorted(set(ontvangen))
    finally:
        await broker.stop()
        server.stop()
