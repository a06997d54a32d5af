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
        ack = await partner.nc.jetstream().publish(
            partner_subject(eigen), b'{"proef": true}', headers={"Nats-Msg-Id": f"proef-{eigen}"}
        )
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
        gezien: list[tuple[str, bytes]] = []

        async def bij_bericht(msg) -> None:
            gezien.append((msg.subject, msg.data))

        await operator.subscribe("partners.>", cb=bij_bericht)
        await operator.flush()
        voor = (await operator.jetstream().stream_info("PARTNER_SIGNALEN")).state.messages
        await partner.nc.publish(partner_subject(ander), b'{"vals": true}')
        await partner.nc.publish(partner_subject(eigen), b'{"echt": true}')  # after it, on the same connection
        schendingen = await partner.schendingen()
        assert any(f'publish to "{partner_subject(ander)}"' in f.lower() for f in schendingen), partner.fouten
        # The own message arrives at the operator; the one published before it, as the other partner, never.
        # The server handles one connection's messages in order and delivers them to a subscriber in that
        # order: had the refused one gone through, it would be here before the own one.
        await wacht_op(lambda: gezien)
        assert gezien == [(partner_subject(eigen), b'{"echt": true}')]
        assert (await operator.jetstream().stream_info("PARTNER_SIGNALEN")).state.messages == voor + 1
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


@pytest.mark.parametrize(
    "subject",
    [
        "toegang.meldingen.geregistreerd.GM1916",
        "toegang.signalen.ontvangen.GM1916",
        "toegang.plannen.opgesteld.GM1916",
        "toegang.dlq.signalering",
    ],
)
async def test_partner_mag_niet_op_toegang_publiceren(server, partners, subject):
    eigen, _ = partners
    partner = await verbind_als_partner(server, eigen)
    try:
        await partner.nc.publish(subject, b"{}")
        schendingen = await partner.schendingen()
        assert any(f'publish to "{subject.lower()}"' in f.lower() for f in schendingen), partner.fouten
    finally:
        await partner.sluit()


async def test_partner_mag_niet_op_de_antwoorden_van_een_andere_partner_abonneren(server, streams, partners):
    """The other partner's JetStream acks go to `_INBOX.<ander>.>`: the subscription is refused, and the ack
    the other partner gets never reaches the eavesdropper."""
    eigen, ander = partners
    partner = await verbind_als_partner(server, eigen)
    andere = await verbind_als_partner(server, ander)
    try:
        afgeluisterd: list[str] = []

        async def bij_bericht(msg) -> None:
            afgeluisterd.append(msg.subject)

        await partner.nc.subscribe(f"{partner_inbox_prefix(ander)}.>", cb=bij_bericht)
        schendingen = await partner.schendingen()
        assert any(f'subscription to "{partner_inbox_prefix(ander).lower()}.>"' in f.lower() for f in schendingen), (
            partner.fouten
        )
        ack = await andere.nc.jetstream().publish(
            partner_subject(ander), b'{"afluisteren": true}', headers={"Nats-Msg-Id": f"afluisteren-{ander}"}
        )
        assert ack.stream == "PARTNER_SIGNALEN"  # the other partner did get its ack on its inbox
        # The server sent the ack to every subscriber of that inbox before the other partner had it, so
        # before this flush's PONG; nats-py hands a message to its subscription before it reads the PONG.
        await partner.nc.flush()
        assert afgeluisterd == []
        assert await andere.schendingen(tenminste=1, timeout=0.2) == []
    finally:
        await partner.sluit()
        await andere.sluit()


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


async def test_service_mag_geen_event_publiceren_dat_niet_het_zijne_is(server, streams):
    """intake publishes `toegang.plannen.opgesteld.GM1916` (arrangement's): refused, never delivered, never
    stored; its own `melding-geregistreerd` right after it on the same connection does arrive."""
    intake = await Verbinding().open(server.url_voor("intake"))
    operator = await nats.connect(server.url)
    try:
        gezien: list[str] = []

        async def bij_bericht(msg) -> None:
            gezien.append(msg.subject)

        await operator.subscribe("toegang.plannen.>", cb=bij_bericht)
        await operator.subscribe("toegang.meldingen.geregistreerd.>", cb=bij_bericht)
        await operator.flush()
        js = operator.jetstream()
        voor = (await js.stream_info("TOEGANG_PLANNEN")).state.messages
        await intake.nc.publish("toegang.plannen.opgesteld.GM1916", b"{}")
        await intake.nc.publish("toegang.meldingen.geregistreerd.GM1916", b"{}")
        schendingen = await intake.schendingen()
        assert any('publish to "toegang.plannen.opgesteld.gm1916"' in f.lower() for f in schendingen), intake.fouten
        await wacht_op(lambda: gezien)  # in order, as above: the refused one would have come first
        assert gezien == ["toegang.meldingen.geregistreerd.GM1916"]
        assert (await js.stream_info("TOEGANG_PLANNEN")).state.messages == voor
        # A JetStream publish gets no ack either: nothing was stored.
        with pytest.raises((nats.errors.TimeoutError, nats.js.errors.NoStreamResponseError)):
            await intake.nc.jetstream().publish("toegang.plannen.opgesteld.GM1916", b"{}", timeout=0.5)
        assert (await js.stream_info("TOEGANG_PLANNEN")).state.messages == voor
    finally:
        await intake.sluit()
        await operator.close()


async def test_service_mag_niet_aan_de_durable_van_een_andere_service(server, streams):
    """intake fetches from triage's durable: refused by the server, nothing delivered to intake and the
    durable untouched; triage then gets the message itself."""
    c = next(c for c in CONSUMERS if c.service == "triage" and c.stream == "TOEGANG_MELDINGEN")
    operator = await nats.connect(server.url)
    intake = await Verbinding().open(server.url_voor("intake"))
    triage = await Verbinding().open(server.url_voor("triage"))
    try:
        js = operator.jetstream()
        # The durable as triage declares it (test_service_kan_alles_wat_hij_nodig_heeft may not have run yet).
        await triage.nc.jetstream().pull_subscribe(
            c.subject, durable=c.durable, stream=c.stream, config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT)
        )
        for msg in await _leeg(triage, c):
            await msg.ack()
        # A pull request of that drain may still wait on the server (its expiry a little after the client's
        # timeout) and would take the next message: publish only when none is waiting.
        await _tot_geen_pull_wacht(js, c)
        await js.publish(c.subject.replace("*", "GM1916"), b'{"voor": "triage"}')
        voor = await js.consumer_info(c.stream, c.durable)
        assert voor.num_pending >= 1

        sub = await intake.nc.jetstream().pull_subscribe_bind(c.durable, stream=c.stream)
        with pytest.raises(nats.errors.TimeoutError):
            await sub.fetch(1, timeout=1.0)
        await intake.nc.publish(f"$JS.API.CONSUMER.INFO.{c.stream}.{c.durable}", b"")
        await intake.nc.publish(f"$JS.ACK.{c.stream}.{c.durable}.1.1.1.0.0", b"+ACK")
        await intake.nc.publish("$JS.API.STREAM.DELETE.TOEGANG_MELDINGEN", b"")
        schendingen = await intake.schendingen(tenminste=4)
        assert any(
            f'publish to "$js.api.consumer.msg.next.{c.stream.lower()}.{c.durable}"' in f.lower() for f in schendingen
        ), intake.fouten
        assert len(schendingen) >= 4, intake.fouten
        na = await js.consumer_info(c.stream, c.durable)
        assert (na.delivered.consumer_seq, na.num_ack_pending, na.num_pending) == (
            voor.delivered.consumer_seq,
            0,
            voor.num_pending,
        )
        assert (await js.stream_info("TOEGANG_MELDINGEN")).config.name == "TOEGANG_MELDINGEN"
        berichten = await _leeg(triage, c)
        assert berichten and berichten[-1].data == b'{"voor": "triage"}'
        for msg in berichten:
            await msg.ack()
        assert await triage.schendingen(tenminste=1, timeout=0.2) == []
    finally:
        await intake.sluit()
        await triage.sluit()
        await operator.close()


async def _leeg(verbinding: Verbinding, c) -> list:
    """Everything the durable has for its own service now."""
    sub = await verbinding.nc.jetstream().pull_subscribe_bind(c.durable, stream=c.stream)
    try:
        return await sub.fetch(100, timeout=0.5)
    except nats.errors.TimeoutError:
        return []


async def _tot_geen_pull_wacht(js, c, timeout: float = 5.0) -> None:
    einde = asyncio.get_running_loop().time() + timeout
    while (await js.consumer_info(c.stream, c.durable)).num_waiting:
        assert asyncio.get_running_loop().time() < einde, "de durable houdt een wachtend pull-verzoek"
        await asyncio.sleep(0.05)


async def wacht_op(voorwaarde, timeout: float = 3.0) -> None:
    einde = asyncio.get_running_loop().time() + timeout
    while not voorwaarde():
        assert asyncio.get_running_loop().time() < einde, "niets ontvangen"
        await asyncio.sleep(0.02)


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
            sub = await js.pull_subscribe(
                c.subject, durable=c.durable, stream=c.stream, config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT)
            )
            try:
                for msg in await sub.fetch(1, timeout=0.5):
                    await msg.ack()
            except nats.errors.TimeoutError:
                pass
        assert await verbinding.schendingen(tenminste=1, timeout=0.2) == [], verbinding.fouten
    finally:
        await verbinding.sluit()
