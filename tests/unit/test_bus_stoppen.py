"""While a service stops, a message that a fetch still brings in is handed back (nak) at once, not
left unacknowledged for a full ack_wait, and never handled."""

from __future__ import annotations

from shared.bus import abonneer_berichten, maak_broker
from shared.topology import consumer


class Bericht:
    def __init__(self) -> None:
        self.genakt = 0

    async def nak(self) -> None:
        self.genakt += 1


async def test_bericht_dat_binnenkomt_tijdens_het_stoppen_gaat_terug():
    broker = maak_broker("nats://127.0.0.1:1", "triage")
    behandeld: list = []

    async def verwerk(msg) -> None:
        behandeld.append(msg)

    abonneer_berichten(broker, consumer("triage-meldingen"), verwerk)
    (subscriber,) = broker.subscribers
    subscriber.running = False  # what FastStream's stop() sets before it waits for the handlers in flight
    bericht = Bericht()
    assert await subscriber.consume([bericht]) is None
    assert bericht.genakt == 1 and behandeld == []


class Metadata:
    num_delivered = 1


class OnbereikbaarBericht(Bericht):
    """A message whose ack and nak cannot reach NATS (the connection dropped after the fetch)."""

    subject, data, headers, metadata = "toegang.meldingen.geregistreerd.GM1916", b"{}", None, Metadata()

    async def ack(self) -> None:
        raise ConnectionError("weg")

    async def nak(self, delay: float | None = None) -> None:
        raise ConnectionError("weg")


async def test_een_ack_die_nats_niet_haalt_breekt_de_lus_niet():
    """The platform takes each fetched batch itself (shared/bus.py, _haal_zelf_op): an ack that fails
    is logged and the message left to JetStream's redelivery; the pull loop goes on."""
    broker = maak_broker("nats://127.0.0.1:1", "triage")
    behandeld: list = []

    async def verwerk(msg) -> None:
        behandeld.append(msg.subject)

    abonneer_berichten(broker, consumer("triage-meldingen"), verwerk)
    (subscriber,) = broker.subscribers
    subscriber.running = True
    assert await subscriber.consume([OnbereikbaarBericht()]) is None
    assert behandeld == ["toegang.meldingen.geregistreerd.GM1916"]


def test_nats_url_van_een_cluster_geeft_servers_zonder_en_inlog_apart():
    """Credentials as options, so the nodes a cluster advertises (no user info) get them too."""
    from shared.nats_url import nats_verbinding

    url = "nats://intake:ge%2Fheim@127.0.0.1:4001, nats://intake:ge%2Fheim@127.0.0.1:4002,nats://127.0.0.1:4003"
    assert nats_verbinding(url) == {
        "servers": ["nats://127.0.0.1:4001", "nats://127.0.0.1:4002", "nats://127.0.0.1:4003"],
        "user": "intake",
        "password": "ge/heim",
    }
    assert nats_verbinding("nats://127.0.0.1:14222") == {"servers": ["nats://127.0.0.1:14222"]}
