"""The bus's promises, in-process against a real nats-server and PostgreSQL: retry with back-off, then
the DLQ with the reason while the consumer goes on; an event committed while NATS is down is
published once NATS is back."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from datetime import UTC, datetime

import nats
import pytest
from sqlalchemy import MetaData, select, text

from shared.bus import RetryBeleid, abonneer, maak_broker
from shared.db import UnitOfWorkFactory, inbox_tabel, maak_engine, outbox_tabel
from shared.events import MeldingOpgepakt, maak_event
from shared.outbox import ACK_TIMEOUT_S, OutboxRelay
from shared.topology import Consumer, declareer_streams
from tests.conftest import wacht_tot
from tests.support.verwerkt import wacht_tot_bijgewerkt
from toegang.omgeving import NatsServer

metadata = MetaData(schema="bustest")
outbox = outbox_tabel(metadata)
inbox = inbox_tabel(metadata)


@pytest.fixture(scope="module")
async def engine(database_url):
    engine = maak_engine(database_url)
    async with engine.begin() as conn:
        await conn.execute(text("CREATE SCHEMA IF NOT EXISTS bustest"))
        await conn.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


def opgepakt_event(team: str = "t") -> object:
    data = MeldingOpgepakt(melding_id=uuid.uuid4(), opgepakt_op=datetime.now(UTC), team_id=team)
    return maak_event(data, service="intake", gemeente="GM1916", subject="s", correlatieid="c")


async def test_falende_handler_wordt_herhaald_dan_dlq_en_de_rest_stroomt_door(engine, nats_server):
    consumer = Consumer("bustest", f"bustest-{uuid.uuid4().hex[:8]}", MeldingOpgepakt, "test")
    pogingen: dict[str, int] = {}
    verwerkt: list[str] = []

    async def handler(event, uow) -> None:
        if event.data.team_id not in ("gif", "goed"):  # events of other tests on the same stream
            return
        pogingen[str(event.id)] = pogingen.get(str(event.id), 0) + 1
        if event.data.team_id == "gif":
            raise RuntimeError("kan dit team niet vinden")
        verwerkt.append(str(event.id))

    broker = maak_broker(nats_server.url, "bustest")
    uows = UnitOfWorkFactory(engine, outbox)
    abonneer(broker, consumer, handler, uows, inbox, RetryBeleid(max_deliver=3, backoff_seconden=(0.2, 0.4)))
    await broker.connect()
    await declareer_streams(broker.config.connection_state.stream)
    await broker.start()
    nc = await nats.connect(nats_server.url)
    dlq = await nc.subscribe("toegang.dlq.bustest")
    js = nc.jetstream()
    try:
        gif, daarna = opgepakt_event("gif"), opgepakt_event("goed")
        for event in (gif, daarna):
            await js.publish(
                event.nats_subject, event.model_dump_json().encode(), headers={"Nats-Msg-Id": str(event.id)}
            )
        await js.publish("toegang.meldingen.opgepakt.GM1916", b"{dit is geen json", headers={"Nats-Msg-Id": "kapot"})

        vermeldingen = [json.loads((await dlq.next_msg(timeout=10)).data) for _ in range(2)]
        await wacht_tot(lambda: verwerkt)
        per_id = {v["event_id"]: v for v in vermeldingen}
        # Delivered max_deliver times (its `afleveringen` below); a delivery whose batch failed together
        # tries it once more alone (shared/bundel.py), so the handler ran at least that often.
        na_dlq = pogingen[str(gif.id)]
        assert na_dlq >= 3
        assert "RuntimeError: kan dit team niet vinden" in per_id[str(gif.id)]["reden"]
        assert per_id[str(gif.id)]["event"]["id"] == str(gif.id)
        assert per_id[str(gif.id)]["afleveringen"] == 3
        assert per_id[None]["reden"].startswith("ongeldig bericht:")
        assert per_id[None]["event"] is None and per_id[None]["afleveringen"] == 1
        assert verwerkt == [str(daarna.id)]  # the next message went through
        # Nothing pending or unacknowledged on the durable: a poison message coming back after the DLQ
        # (a nak instead of a reject, say) would still be waiting for its redelivery.
        await wacht_tot_bijgewerkt(nats_server.url, consumer)
        assert pogingen[str(gif.id)] == na_dlq  # and the poison message did not come back after the DLQ
        async with engine.connect() as conn:
            ids = {
                str(i)
                for i in (
                    await conn.execute(select(inbox.c.event_id).where(inbox.c.consumer == consumer.durable))
                ).scalars()
            }
            assert str(daarna.id) in ids and str(gif.id) not in ids
    finally:
        await nc.drain()
        await broker.stop()


async def test_event_van_een_commit_terwijl_nats_weg_is_wordt_daarna_eenmaal_gepubliceerd(engine, werkmap, caplog):
    server = NatsServer(werkmap / "nats-herstart").start()
    broker = maak_broker(server.url, "bustest")
    await broker.connect()
    await declareer_streams(broker.config.connection_state.stream)
    uows = UnitOfWorkFactory(engine, outbox)
    relay = OutboxRelay(uows, broker)
    relay.start()
    try:
        server.stop()
        event = opgepakt_event("na-herstart")
        caplog.set_level(logging.WARNING, logger="shared.outbox")
        async with uows() as uow:  # the state change commits; NATS is not needed for that
            uow.publiceer(event)
            await uow.commit()
        # Proof that the relay tried (after the commit) and failed, before asserting that the event
        # stayed: without it, a relay that had not run yet would pass this test too.
        gezien = len(caplog.records)

        def mislukt() -> bool:
            return any("publiceren mislukt" in r.getMessage() for r in caplog.records[gezien:])

        await wacht_tot(mislukt, timeout=ACK_TIMEOUT_S * 3)  # an attempt fails after its ack timeout
        async with engine.connect() as conn:
            rij = (await conn.execute(select(outbox.c.id).where(outbox.c.event_id == event.id))).one_or_none()
            assert rij is not None, "het event moet in de outbox blijven zolang NATS weg is"

        server.start()  # same port, same store

        async def gepubliceerd():
            async with engine.connect() as conn:
                return (
                    await conn.execute(select(outbox.c.id).where(outbox.c.event_id == event.id))
                ).one_or_none() is None

        await wacht_tot(gepubliceerd, timeout=20)
        nc = await nats.connect(server.url)
        js = nc.jetstream()
        sub = await js.subscribe(event.nats_subject, ordered_consumer=True)
        berichten = []
        try:
            while True:
                berichten.append(await sub.next_msg(timeout=1))
        except nats.errors.TimeoutError:
            pass
        await nc.drain()
        mijne = [m for m in berichten if json.loads(m.data)["id"] == str(event.id)]
        assert len(mijne) == 1
        assert mijne[0].headers["Nats-Msg-Id"] == str(event.id)
    finally:
        await relay.stop()
        await broker.stop()
        server.stop()


async def test_topologie_declareert_elke_stream_met_bestandsopslag_en_is_herhaalbaar(werkmap):
    from nats.js.api import StorageType

    from shared.topology import STREAMS, declareer_streams_op

    server = NatsServer(werkmap / "nats-topologie").start()
    try:
        await declareer_streams_op(server.url)
        await declareer_streams_op(server.url)  # a second service starting: no error, same result
        nc = await nats.connect(server.url)
        js = nc.jetstream()
        for stream in STREAMS:
            info = await js.stream_info(stream.name)
            assert info.config.storage == StorageType.FILE
            assert info.config.subjects == list(stream.subjects)
            assert info.config.duplicate_window >= 60
        await nc.drain()
    finally:
        server.stop()


async def test_een_verzamelende_durable_neemt_wat_in_zijn_pauze_kwam_in_een_transactie(engine, nats_server):
    """Consumer.verzamel_s: after a batch that was not full the durable waits before it fetches again, so
    events that arrive one by one in that pause share one batch and one transaction. Without the pause
    each would have its own: they come 50 ms apart, and a batch takes a few."""
    consumer = Consumer("bustest", f"bustest-{uuid.uuid4().hex[:8]}", MeldingOpgepakt, "test", verzamel_s=1.5)
    transactie: dict[str, int] = {}

    async def handler(event, uow) -> None:
        if event.data.team_id == "verzamel":  # events of other tests on the same stream
            transactie[str(event.id)] = (await uow.connection.execute(text("SELECT txid_current()"))).scalar_one()

    broker = maak_broker(nats_server.url, "bustest")
    abonneer(broker, consumer, handler, UnitOfWorkFactory(engine, outbox), inbox)
    await broker.connect()
    await declareer_streams(broker.config.connection_state.stream)
    await broker.start()
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()

    async def publiceer(event) -> None:
        await js.publish(event.nats_subject, event.model_dump_json().encode(), headers={"Nats-Msg-Id": str(event.id)})

    try:
        eerste = opgepakt_event("verzamel")
        await publiceer(eerste)
        await wacht_tot(lambda: str(eerste.id) in transactie)  # its batch is done: the pause has begun
        daarna = [opgepakt_event("verzamel") for _ in range(5)]
        for event in daarna:
            await publiceer(event)
            await asyncio.sleep(0.05)
        await wacht_tot(lambda: all(str(e.id) in transactie for e in daarna))
        assert len({transactie[str(e.id)] for e in daarna}) == 1
        assert transactie[str(daarna[0].id)] != transactie[str(eerste.id)]
    finally:
        await nc.drain()
        await broker.stop()
