"""The fault suite's platform: per case a fresh nats-server (its own store) and a fresh database in a
private PostgreSQL, the four services as processes, a steady stream of meldingen and signals, and the
invariant checker at the end.

The reduced suite runs in the README's test command; `python3 run.py fouten` runs the full one
(TOEGANG_FOUTEN=volledig: more kills, longer streams, more cases). Each case records its counts; the
summary at the end of the run prints them per fault.
"""

from __future__ import annotations

import asyncio
import os
import signal
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from shared.auth import maak_token
from shared.topology import declareer_streams_op
from tests.support.metrics import metrics_van
from tests.support.stroom import Stroom
from toegang.invarianten import Ingezonden, Rapport, controleer_platform
from toegang.omgeving import (
    SERVICES,
    NatsCluster,
    NatsServer,
    Platform,
    Postgres,
    geheimen,
    maak_database,
    migreer,
    vrije_poort,
)

VOLLEDIG = os.environ.get("TOEGANG_FOUTEN") == "volledig"
RAPPORTEN: list[tuple[str, Rapport, dict]] = []


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "volledig: only in the full fault suite (python3 run.py fouten)")


def pytest_collection_modifyitems(config, items) -> None:
    """The reduced suite leaves the full suite's cases out (deselected, not skipped: nothing is missing)."""
    if VOLLEDIG:
        return
    weg = [item for item in items if item.get_closest_marker("volledig")]
    if weg:
        config.hook.pytest_deselected(items=weg)
        items[:] = [item for item in items if not item.get_closest_marker("volledig")]


@pytest.fixture(scope="session")
def fouten_pg(tmp_path_factory):
    """A private PostgreSQL, also when DATABASE_URL is given: the suite stops and starts it."""
    map_ = tmp_path_factory.mktemp("fouten")
    map_.chmod(0o755)  # as root, pgserver runs pg_ctl as its own user, which must reach the data directory
    pg = Postgres(map_ / "pg")
    bewaard = os.environ.pop("DATABASE_URL", None)
    try:
        pg.start()
    finally:
        if bewaard is not None:
            os.environ["DATABASE_URL"] = bewaard
    yield pg
    pg.stop()


@dataclass
class FoutOmgeving:
    naam: str
    map_: Path
    pg: Postgres
    nats: NatsServer
    database_url: str
    omgeving: dict[str, str]
    platform: Platform | None = None
    extra: dict = field(default_factory=dict)

    def start(self, replicas: int = 1, timeout: float = 90) -> Platform:
        self.platform = Platform(
            self.nats.url,
            self.database_url,
            self.omgeving,
            self.map_ / "logs",
            poorten={n: vrije_poort() for n in SERVICES},
            nats_urls=self.nats.service_urls,
        )
        for naam in SERVICES:
            for replica in range(replicas):
                self.platform.start_service(naam, replica)
        self.platform.wacht_tot_gezond(timeout)
        return self.platform

    async def gebruik_cluster(self) -> NatsCluster:
        """Instead of the one nats-server: a three-node JetStream cluster, streams with 3 replicas."""
        self.nats.stop()
        self.nats = await asyncio.to_thread(NatsCluster.met_rechten(self.map_ / "cluster", self.map_).start)
        self.omgeving["TOEGANG_STREAM_REPLICAS"] = "3"
        # As a deployment does it (deploy/README.md): the migrate job declares the streams before the services
        # start; four services creating R3 streams at once on a fresh cluster only time out.
        await declareer_streams_op(self.nats.url, 3)
        return self.nats

    def token(
        self, rol: str, gemeente: str | None = "GM1916", teams: list[str] | None = None, partner_id: str | None = None
    ) -> dict[str, str]:
        jwt = maak_token(
            self.omgeving["TOEGANG_JWT_SECRET"],
            rol,
            None if partner_id else gemeente,
            teams,
            partner_id,
            f"fouten-{rol}-{partner_id}",
        )
        return {"Authorization": f"Bearer {jwt}"}

    async def metrics(self, naam: str) -> str:
        """The /metrics of the (first replica of the) service."""
        return await metrics_van(self.replicas(naam)[0])

    def replicas(self, naam: str) -> list[str]:
        return [
            s.url
            for k, s in self.platform.services.items()
            if k.split("-")[0] == naam and s.proces and s.proces.poll() is None
        ]

    def stroom(self, **kwargs) -> Stroom:
        return Stroom(
            lambda: self.replicas("intake"),
            lambda: self.replicas("signalering"),
            self.token,
            self.nats.url_voor("gm1916-eneco"),
            **kwargs,
        )

    def kill(self, sleutel: str) -> None:
        """SIGKILL: no shutdown at all, as an OOM kill or a lost node does."""
        self.platform.services[sleutel].proces.send_signal(signal.SIGKILL)
        self.platform.services[sleutel].proces.wait(10)
        self.extra["sigkill"] = self.extra.get("sigkill", 0) + 1

    def herstart(self, sleutel: str) -> None:
        naam, _, replica = sleutel.partition("-")
        self.platform.start_service(naam, int(replica or 0))

    async def controleer(
        self, stroom: Stroom, verklaard: tuple[str, ...] = (), wacht_s: float = 150, label: str = ""
    ) -> Rapport:
        ingezonden = Ingezonden(stroom.ingezonden.meldingen, stroom.ingezonden.signalen, verklaard)
        begin = asyncio.get_running_loop().time()
        rapport = await controleer_platform(self.nats.url, self.database_url, ingezonden, wacht_s)
        extra = {
            **self.extra,
            "pogingen_clients": stroom.pogingen,
            "tot_rust_s": round(asyncio.get_running_loop().time() - begin, 1),
        }
        RAPPORTEN.append((f"{self.naam} {label}".strip(), rapport, extra))
        assert rapport.in_orde, rapport.tekst()
        for soort in ("meldingen", "signalen"):
            assert rapport.tellingen[soort].verloren == 0 and rapport.tellingen[soort].dubbel == 0, rapport.tekst()
        return rapport

    def stop(self) -> None:
        if self.platform:
            self.platform.stop()
        self.nats.stop()


@pytest.fixture
def fout_omgeving(request, fouten_pg, tmp_path):
    """A fresh platform for one case (started by the test: it chooses replicas and settings)."""
    naam = request.node.name
    database_url = maak_database(fouten_pg.database_url)
    migreer(database_url)
    omgeving = {
        **geheimen(tmp_path),
        "TOEGANG_BACKOFF_SECONDEN": "[0.2, 0.5, 1]",
        "TOEGANG_LOG_LEVEL": "WARNING",
        "TOEGANG_TERMIJNBEWAKING_INTERVAL_S": "30",
        # What a killed process held comes back after ack_wait: 5 s instead of 30 keeps each case short.
        "TOEGANG_ACK_WAIT_SECONDEN": "5",
        "TOEGANG_METRIEK_INTERVAL_S": "0.5",  # the cases read the gauges while the fault happens
    }
    nats = NatsServer.met_rechten(tmp_path / "nats", tmp_path).start()
    fo = FoutOmgeving(naam, tmp_path, fouten_pg, nats, database_url, omgeving)
    yield fo
    fo.stop()


def pytest_terminal_summary(terminalreporter) -> None:
    if not RAPPORTEN:
        return
    terminalreporter.section("storingssuite: per fout verzonden / verwerkt / in DLQ / verloren / dubbel")
    for naam, rapport, extra in RAPPORTEN:
        delen = [
            f"{soort} {t.verzonden}/{t.verwerkt}/{t.in_dlq}/{t.verloren}/{t.dubbel}"
            for soort, t in rapport.tellingen.items()
        ]
        terminalreporter.write_line(f"{naam}: " + "; ".join(delen) + f"; DLQ {dict(rapport.dlq)}; {extra}")


async def wacht(seconden: float) -> None:
    await asyncio.sleep(seconden)
