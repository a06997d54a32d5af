"""Durables brought in line at service start (shared/topology.py: declareer_consumers), against a real
nats-server with the users `toegang dev` generates: a changed configuration reaches an existing durable
and its position is kept; what the server cannot change is reported and left; the service's own user
is allowed to do all of it."""

from __future__ import annotations

import logging

import nats
import pytest
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from shared.bus import abonneer_berichten, maak_broker
from shared.topology import (
    CONSUMERS,
    MAX_ACK_PENDING,
    consumer,
    consumer_config,
    consumers_van,
    declareer_consumers,
    declareer_streams_op,
)
from toegang.omgeving import NatsServer

SERVICE = "triage"
BIJGEWERKT = consumer("triage-meldingen")
VAST = consumer("triage-casussen")


@pytest.fixture
def server(tmp_path):
    server = NatsServer.met_rechten(tmp_path / "nats", tmp_path).start()
    yield server
    server.stop()


def oude_config(c, **anders) -> ConsumerConfig:
    """A durable as an earlier release made it."""
    return ConsumerConfig(
        name=c.durable,
        durable_name=c.durable,
        description="oude omschrijving",
        filter_subject=c.subject,
        deliver_policy=DeliverPolicy.ALL,
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=10,
        max_deliver=-1,
        max_ack_pending=10,
    ).evolve(**anders)


async def verbind_als_service(server: NatsServer) -> tuple[object, list[str]]:
    fouten: list[str] = []

    async def bij_fout(fout: Exception) -> None:
        fouten.append(str(fout))

    nc = await nats.connect(server.url_voor(SERVICE), error_cb=bij_fout, allow_reconnect=False)
    return nc, fouten


async def test_bestaande_durable_krijgt_de_nieuwe_config_en_houdt_zijn_positie(server):
    await declareer_streams_op(server.url)
    operator = await nats.connect(server.url)
    js = operator.jetstream()
    await js.add_consumer(BIJGEWERKT.stream, oude_config(BIJGEWERKT))
    for i in range(5):
        await js.publish(BIJGEWERKT.subject.replace("*", "GM1916"), f"melding {i}".encode())
    sub = await js.pull_subscribe_bind(BIJGEWERKT.durable, BIJGEWERKT.stream)
    for msg in await sub.fetch(3, timeout=5):
        await msg.ack_sync()
    voor = await js.consumer_info(BIJGEWERKT.stream, BIJGEWERKT.durable)
    assert voor.delivered.stream_seq == 3 and voor.ack_floor.stream_seq == 3 and voor.num_pending == 2

    nc, fouten = await verbind_als_service(server)  # with the service's own rights, as at start-up
    try:
        await declareer_consumers(nc.jetstream(), SERVICE)
        await nc.flush()
    finally:
        await nc.close()
    assert not [f for f in fouten if "permissions violation" in f.lower()], fouten

    na = await js.consumer_info(BIJGEWERKT.stream, BIJGEWERKT.durable)
    gewenst = consumer_config(BIJGEWERKT)
    assert na.config.description == BIJGEWERKT.description == gewenst.description
    assert na.config.max_ack_pending == MAX_ACK_PENDING and na.config.ack_wait == gewenst.ack_wait
    assert na.config.filter_subject == BIJGEWERKT.subject
    assert na.created == voor.created  # updated, not deleted and made again
    assert na.delivered.stream_seq == 3 and na.ack_floor.stream_seq == 3 and na.num_pending == 2
    # The rest resumes where it was: messages 4 and 5, not 1 again.
    rest = await sub.fetch(5, timeout=2)
    assert [m.data for m in rest] == [b"melding 3", b"melding 4"]
    # Every other durable of the service did not exist and was created.
    for c in consumers_van(SERVICE):
        assert (await js.consumer_info(c.stream, c.durable)).config.description == c.description
    await operator.close()


async def test_onveranderlijk_veld_wordt_gemeld_en_blijft_de_rest_wordt_bijgewerkt(server, caplog):
    await declareer_streams_op(server.url)
    operator = await nats.connect(server.url)
    js = operator.jetstream()
    await js.add_consumer(VAST.stream, oude_config(VAST, deliver_policy=DeliverPolicy.NEW))

    nc, _ = await verbind_als_service(server)
    try:
        with caplog.at_level(logging.ERROR, logger="shared.topology"):
            await declareer_consumers(nc.jetstream(), SERVICE)
            await declareer_consumers(nc.jetstream(), SERVICE)  # a second replica: the same, no other error
    finally:
        await nc.close()

    fouten = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(fouten) == 2
    assert all(r.consumer == VAST.durable and r.veld == "deliver_policy" for r in fouten)
    assert VAST.durable in fouten[0].getMessage() and "deliver_policy" in fouten[0].getMessage()
    info = await js.consumer_info(VAST.stream, VAST.durable)
    assert info.config.deliver_policy == DeliverPolicy.NEW  # left as it is: not deleted, position kept
    assert info.config.description == VAST.description and info.config.max_ack_pending == MAX_ACK_PENDING
    await operator.close()


async def test_elke_service_mag_zijn_eigen_durables_declareren(server):
    await declareer_streams_op(server.url)
    for service in sorted({c.service for c in CONSUMERS}):
        fouten: list[str] = []

        async def bij_fout(fout: Exception) -> None:
            fouten.append(str(fout))  # noqa: B023 - this round's list

        nc = await nats.connect(server.url_voor(service), error_cb=bij_fout, allow_reconnect=False)
        try:
            await declareer_consumers(nc.jetstream(), service)  # creates
            await declareer_consumers(nc.jetstream(), service)  # finds them in line: nothing to do
            await nc.flush()
        finally:
            await nc.close()
        assert not [f for f in fouten if "permissions violation" in f.lower()], (service, fouten)


async def test_de_start_van_een_service_brengt_zijn_durables_in_lijn(server, database_url, tmp_path):
    """Through bouw_app's lifespan, as `toegang service triage` starts, with the service's own user."""
    from services.triage.app import DEFINITIE
    from shared.service import bouw_app
    from shared.settings import Instellingen
    from toegang.omgeving import geheimen

    await declareer_streams_op(server.url)
    operator = await nats.connect(server.url)
    js = operator.jetstream()
    await js.add_consumer(BIJGEWERKT.stream, oude_config(BIJGEWERKT))
    instellingen = Instellingen(
        **geheimen(tmp_path / "geheimen"), DATABASE_URL=database_url, NATS_URL=server.url_voor(SERVICE)
    )
    root = logging.getLogger()
    handlers, niveau = root.handlers[:], root.level  # bouw_app installs the service's JSON logging
    app = bouw_app(DEFINITIE, instellingen)
    try:
        async with app.router.lifespan_context(app):
            info = await js.consumer_info(BIJGEWERKT.stream, BIJGEWERKT.durable)
            assert info.config.description == BIJGEWERKT.description
            assert info.config.max_ack_pending == MAX_ACK_PENDING
    finally:
        root.handlers[:] = handlers
        root.setLevel(niveau)
        await operator.close()


async def test_faststream_bindt_een_bestaande_durable_zoals_hij_is(server):
    """Why the declaration is needed: subscribing (FastStream, through nats-py's pull_subscribe) looks
    the durable up and binds it; only a missing durable is created with the subscriber's config. If this
    starts failing, FastStream or nats-py changed how they treat an existing durable."""
    await declareer_streams_op(server.url)
    operator = await nats.connect(server.url)
    js = operator.jetstream()
    await js.add_consumer(BIJGEWERKT.stream, oude_config(BIJGEWERKT))
    broker = maak_broker(server.url, SERVICE)

    async def verwerk(msg) -> None:
        pass

    abonneer_berichten(broker, BIJGEWERKT, verwerk)
    await broker.start()
    try:
        info = await js.consumer_info(BIJGEWERKT.stream, BIJGEWERKT.durable)
        assert info.config.description == "oude omschrijving" and info.config.max_ack_pending == 10
    finally:
        await broker.stop()
        await operator.close()
