"""NATS users with least privilege (shared/nats_rechten.py), enforced by nats-server itself: a partner
publishes on its own subject only and reads its own replies only; a service publishes its own events
only. Against a private, authenticated nats-server with the configuration `toegang dev` generates."""

from __future__ import annotations

import asyncio
import subprocess

import nats
import pytest
from nats.js.api import AckPolicy, ConsumerConfig

from shared.nats_rechten import partner_inbox_prefix, partner_subject, publicaties_van
from shared.topology import CONSUMERS, declareer_streams_op, dlq_subject
from toegang.omgeving import NatsServer, nats_server_pad


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    map_ = tmp_path_factory.mktemp("nats-rechten")
    server = NatsServer.met_rechten(map_ / "nats", map_).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
async def streams(server):
    await declareer_streams_op(server.url)  # as the operator


@pytest.fixture(scope="module")
def partners(server) -> tuple[str, str]:
    ids = sorted(server.gebruikers.partners)
    assert len(ids) >= 2, "de configuratie heeft minstens twee partners nodig voor deze test"
    return ids[0], ids[1]


class Verbinding:
    """A connection that records the errors nats-server sends (a permissions violation does not close it)."""

    def __init__(self) -> None:
        self.fouten: list[str] = []
        self.nc = None

    async def open(self, url: str, **opties) -> Verbinding:
        async def bij_fout(fout: Exception) -> None:
            self.fouten.append(str(fout))

        self.nc = await nats.connect(url, error_cb=bij_fout, allow_reconnect=False, **opties)
        return self

    async def schendingen(self, tenminste: int = 1, timeout: float = 3.0) -> list[str]:
        einde = asyncio.get_running_loop().time() + timeout
        while True:
            await self.nc.flush()
            gevonden = [f for f in self.fouten if "permissions violation" in f.lower()]
            if len(gevonden) >= tenminste or asyncio.get_running_loop().time() > einde:
                return gevonden
            await asyncio.sleep(0.05)

    async def sluit(self) -> None:
        if self.nc and not self.nc.is_closed:
            await self.nc.close()


async def verbind_als_partner(server: NatsServer, partner_id: str) -> Verbinding:
    return await Verbinding().open(server.url_voor(partner_id), inbox_prefix=partner_inbox_prefix(partner_id))


def test_gegenereerde_configuratie_is_geldig_voor_nats_server(server):
    uitkomst = subprocess.run([nats_server_pad(), "-c", str(server.config_pad), "-t"], capture_output=True, text=True)
    assert uitkomst.returncode == 0, uitkomst.stderr + uitkomst.stdout
    assert server.config_pad.stat().st_mode & 0o077 == 0  # holds passwords


async def test_partner_publiceert_op_eigen_subject_en_krijgt_de_jetstream_ack(server, streams, partners):
    eigen, _ = partners
    partner = await verbind_als_partner(server, eigen)
    operator = await nats.connect(server.url)
    try:
        ack = await partner.nc.jetstream().publish(partner_subject(eigen), b'{"proef": true}',
                                                   headers={"Nats-Msg-Id": f"proef-{eigen}"})
        assert ack.stream == "PARTNER_SIGNALEN"
        bericht = await operator.jetstream().get_msg("PARTNER_SIGNALEN", ack.seq)
        assert bericht.subject == partner_subject(eigen)
        assert bericht.data == b'{"proef": true}'
        assert await partner.schendingen(tenminste=1, timeout=0.2) == []
    finally:
        await partner.sluit()
        await operator.close()


async def test_partner_mag_niet_op_het_subject_van_een_andere_partner(server, streams, partners):
    eigen, ander = partners
    partner = await verbind_als_partner(server, eigen)
    operator = await nats.connect(server.url)
    try:
        voor = (await operator.jetstream().stream_info("PARTNER_SIGNALEN")).state.messages
        await partner.nc.publish(partner_subject(ander), b'{"vals": true}')
        schendingen = await partner.schendingen()
        assert any(f'publish to "{partner_subject(ander)}"' in f.lower() for f in schendingen), partner.fouten
        assert (await operator.jetstream().stream_info("PARTNER_SIGNALEN")).state.messages == voor
        # With a JetStream publish the partner gets no ack either.
        with pytest.raises((nats.errors.TimeoutError, nats.js.errors.NoStreamResponseError)):
            await partner.nc.jetstream().publish(partner_subject(ander), b"{}", timeout=0.5)
    finally:
        await partner.sluit()
        await operator.close()


@pytest.mark.parametrize("subject", ["toegang.>", ">", "partners.>", "_INBOX.>", "$JS.API.>"])
async def test_partner_mag_nergens_op_abonneren(server, partners, subject):
    eigen, _ = partners
    partner = await verbind_als_partner(server, eigen)
    try:
        await partner.nc.subscribe(subject)
        schendingen = await partner.schendingen()
        assert any(f'subscription to "{subject.lower()}"' in f.lower() for f in schendingen), partner.fouten
    finally:
        await partner.sluit()


async def test_partner_mag_niet_op_de_antwoorden_van_een_andere_partner_abonneren(server, partners):
    eigen, ander = partners
    partner = await verbind_als_partner(server, eigen)
    try:
        await partner.nc.subscribe(f"{partner_inbox_prefix(ander)}.>")
        assert await partner.schendingen(), partner.fouten
    finally:
        await partner.sluit()


async def test_partner_mag_de_jetstream_api_niet_gebruiken(server, streams, partners):
    eigen, _ = partners
    partner = await verbind_als_partner(server, eigen)
    try:
        await partner.nc.publish("$JS.API.STREAM.INFO.PARTNER_SIGNALEN", b"")
        await partner.nc.publish("toegang.meldingen.geregistreerd.GM1916", b"{}")
        assert len(await partner.schendingen(tenminste=2)) >= 2, partner.fouten
    finally:
        await partner.sluit()


async def test_service_mag_niet_publiceren_wat_een_andere_service_publiceert(server, streams):
    intake = await Verbinding().open(server.url_voor("intake"))
    try:
        await intake.nc.publish("toegang.doorverwijzingen.gedaan.GM1916", b"{}")  # triage's
        await intake.nc.publish(dlq_subject("triage"), b"{}")
        await intake.nc.publish("partners.iemand.signalen", b"{}")
        await intake.nc.subscribe("toegang.>")  # services pull; they never subscribe to event subjects
        schendingen = await intake.schendingen(tenminste=4)
        assert any('publish to "toegang.doorverwijzingen.gedaan.gm1916"' in f.lower() for f in schendingen)
        assert len(schendingen) >= 4, intake.fouten
    finally:
        await intake.sluit()


async def test_service_mag_niet_aan_de_durable_van_een_andere_service(server, streams):
    intake = await Verbinding().open(server.url_voor("intake"))
    try:
        await intake.nc.publish("$JS.API.CONSUMER.MSG.NEXT.TOEGANG_MELDINGEN.triage-meldingen", b"1")
        await intake.nc.publish("$JS.API.STREAM.DELETE.TOEGANG_MELDINGEN", b"")
        assert len(await intake.schendingen(tenminste=2)) >= 2, intake.fouten
    finally:
        await intake.sluit()


@pytest.mark.parametrize("service", sorted({c.service for c in CONSUMERS}))
async def test_service_kan_alles_wat_hij_nodig_heeft(server, streams, service):
    """Declare the streams, publish its own events and its DLQ entry with a JetStream ack, and bind, fetch
    and ack on each of its durables: no permissions violation."""
    verbinding = await Verbinding().open(server.url_voor(service))
    try:
        js = verbinding.nc.jetstream()
        await declareer_streams_op(server.url_voor(service))
        for patroon in publicaties_van(service):
            ack = await js.publish(patroon.replace("*", "GM1916"), b"{}")
            assert ack.seq > 0
        assert (await js.publish(dlq_subject(service), b"{}")).stream == "TOEGANG_DLQ"
        for c in (c for c in CONSUMERS if c.service == service):
            sub = await js.pull_subscribe(c.subject, durable=c.durable, stream=c.stream,
                                          config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT))
            try:
                for msg in await sub.fetch(1, timeout=0.5):
                    await msg.ack()
            except nats.errors.TimeoutError:
                pass
        assert await verbinding.schendingen(tenminste=1, timeout=0.2) == [], verbinding.fouten
    finally:
        await verbinding.sluit()
