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

from shared.bus import RetryBeleid, abonneer, maak_broker
from shared.db import UnitOfWorkFactory
from shared.events import MeldingOpgepakt
from shared.topology import Consumer, declareer_streams
from tests.conftest import wacht_tot
from tests.integration.test_bus import engine, inbox, opgepakt_event, outbox  # noqa: F401 - engine: fixture
from toegang.omgeving import NatsServer


async def publiceer(server: NatsServer, team: str) -> str:
    event = opgepakt_event(team)
    nc = await nats.connect(server.url)
    try:
        await nc.jetstream().publish(
            event.nats_subject, event.model_dump_json().encode(), headers={"Nats-Msg-Id": str(event.id)}
        )
    finally:
        await nc.close()
    return str(event.id)


async def luister(server: NatsServer, engine, durable: str):  # noqa: F811
    """A durable pull consumer bound the platform's way; returns the broker and the ids it receives."""
    ontvangen: list[str] = []

    async def handler(event, uow) -> None:
        ontvangen.append(str(event.id))

    broker = maak_broker(server.url, "pullherstel")
    consumer = Consumer("pullherstel", durable, MeldingOpgepakt, "test")
    abonneer(broker, consumer, handler, UnitOfWorkFactory(engine, outbox), inbox, RetryBeleid(max_deliver=3))
    await broker.connect()
    await declareer_streams(broker.config.connection_state.stream)
    await broker.start()
    return broker, ontvangen


def herstart(server: NatsServer, sig: int, weg_s: float) -> None:
    server.proces.send_signal(sig)
    server.proces.wait(15)
    time.sleep(weg_s)  # how long the server is away: the outage itself, not a wait for processing
    server.start()  # same port, same store


async def test_pull_consumer_ontvangt_weer_na_herstart_crash_en_lange_onderbreking(engine, werkmap):  # noqa: F811 - the fixture
    server = NatsServer(werkmap / "nats-pull-herstel").start()
    broker, ontvangen = await luister(server, engine, "pullherstel-opgepakt")
    try:
        eerste = await publiceer(server, "voor")
        await wacht_tot(lambda: eerste in ontvangen, timeout=10)
        for sig, weg_s in ((signal.SIGTERM, 0.5), (signal.SIGKILL, 0.5), (signal.SIGKILL, 6.0)):
            await asyncio.to_thread(herstart, server, sig, weg_s)
            terug = time.monotonic()
            event_id = await publiceer(server, f"na-{sig.name}-{weg_s}")
            await wacht_tot(lambda: event_id in ontvangen, timeout=20)  # noqa: B023
            # Recovered within a few fetch rounds, not after some long supervisor pause.
            assert time.monotonic() - terug < 10
        assert len(ontvangen) == len(set(ontvangen)) == 4
    finally:
        await broker.stop()
        server.stop()


async def test_wat_tijdens_de_onderbreking_in_de_stream_kwam_komt_aan(engine, werkmap):  # noqa: F811 - the fixture
    """Published right after a crash and restart, while the consumer's client may still be reconnecting:
    the durable's position survives the restart, so nothing is skipped."""
    server = NatsServer(werkmap / f"nats-pull-herstel-{uuid.uuid4().hex[:6]}").start()
    broker, ontvangen = await luister(server, engine, "pullherstel-tussendoor")
    try:
        await asyncio.to_thread(herstart, server, signal.SIGKILL, 0.2)
        tussendoor = [await publiceer(server, f"tussendoor-{i}") for i in range(20)]
        await wacht_tot(lambda: set(tussendoor) <= set(ontvangen), timeout=20)
        assert sorted(ontvangen) == sorted(set(ontvangen))
    finally:
        await broker.stop()
        server.stop()
