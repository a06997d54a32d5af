"""`toegang dev` leaves nothing behind (docs/decisions/0016-dev-platform-lifecycle.md): killed with
SIGKILL, its services, the werkplek, nats-server and PostgreSQL end within seconds and a new `toegang dev` starts on
the same data directory and the same ports; a second `toegang dev` on a directory in use is refused
naming the holder. Real processes: `toegang dev` runs as a subprocess on ports of its own
(TOEGANG_DEV_POORTEN), so it never meets a platform on the default ports."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
import pytest

from toegang.omgeving import SERVICES

OPGERUIMD_BINNEN = 5.0


def vrije_poorten(aantal: int) -> list[int]:
    import socket

    sockets = [socket.socket() for _ in range(aantal)]  # all open at once: distinct ports
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


@dataclass
class Dev:
    map_: Path
    env: dict[str, str]
    poorten: dict[str, int]
    eerste: subprocess.Popen | None = None
    gestart: list[psutil.Process] = field(default_factory=list)  # everything of every start, for teardown

    def start(self) -> subprocess.Popen:
        with open(self.map_.parent / "dev-uitvoer.log", "ab") as log:
            return subprocess.Popen(
                [sys.executable, "-m", "toegang", "dev"],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def wacht_tot_gereed(self, proces: subprocess.Popen, timeout: float = 120.0) -> dict:
        """dev.json of *this* `toegang dev` saying it is ready, and every service and the werkplek healthy."""
        einde = time.monotonic() + timeout
        while time.monotonic() < einde:
            if proces.poll() is not None:
                pytest.fail(f"toegang dev stopte met {proces.returncode}:\n{self.uitvoer()[-3000:]}")
            try:
                dev = json.loads((self.map_ / "dev.json").read_text())
            except FileNotFoundError:
                dev = {}
            if dev.get("pid") == proces.pid and dev.get("gereed"):
                for naam, url in dev["services"].items():
                    assert httpx.get(f"{url}/health", timeout=5).status_code == 200, naam
                assert dev["werkplek"] == f"http://127.0.0.1:{self.poorten['werkplek']}", dev
                assert httpx.get(f"{dev['werkplek']}/health", timeout=5).status_code == 200, "werkplek"
                return dev
            time.sleep(0.2)
        pytest.fail(f"toegang dev niet gereed binnen {timeout:.0f}s:\n{self.uitvoer()[-3000:]}")

    def processen(self, proces: subprocess.Popen) -> list[psutil.Process]:
        """What this `toegang dev` runs: its children (services, nats-server, watchdog) and the postmaster
        of its data directory (daemonised by pg_ctl, so not a child) with the postmaster's children."""
        kinderen = psutil.Process(proces.pid).children(recursive=True)
        pid = int((self.map_ / "pg" / "postmaster.pid").read_text().splitlines()[0])
        postmaster = psutil.Process(pid)
        alles = [*kinderen, postmaster, *postmaster.children(recursive=True)]
        self.gestart += alles
        return alles

    def waakhond_log(self) -> str:
        return (self.map_ / "logs" / "waakhond.log").read_text()

    def uitvoer(self) -> str:
        return (self.map_.parent / "dev-uitvoer.log").read_text(errors="replace")


def levend(processen: list[psutil.Process]) -> list[psutil.Process]:
    over = []
    for p in processen:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:  # a zombie holds no port or file
                over.append(p)
        except psutil.NoSuchProcess:
            pass
    return over


def wacht_tot_weg(processen: list[psutil.Process], timeout: float) -> list[psutil.Process]:
    einde = time.monotonic() + timeout
    while (over := levend(processen)) and time.monotonic() < einde:
        time.sleep(0.05)
    return over


def beschrijf(processen: list[psutil.Process]) -> list[str]:
    uit = []
    for p in processen:
        try:
            uit.append(f"{p.pid} {' '.join(p.cmdline()[:5])}")
        except psutil.Error:
            uit.append(str(p.pid))
    return uit


@pytest.fixture(scope="module")
def dev(tmp_path_factory):
    map_ = tmp_path_factory.mktemp("dev") / "gegevens"
    namen = [*SERVICES, "werkplek", "nats", "nats_monitor"]
    poorten = dict(zip(namen, vrije_poorten(len(namen)), strict=True))
    env = {
        **os.environ,
        "TOEGANG_DATA_DIR": str(map_),
        "TOEGANG_DEV_POORTEN": ",".join(f"{n}={p}" for n, p in poorten.items()),
    }
    for variabele in ("NATS_URL", "DATABASE_URL"):  # the embedded nats-server and PostgreSQL
        env.pop(variabele, None)
    d = Dev(map_, env, poorten)
    d.eerste = d.start()
    yield d
    for p in levend(d.gestart):  # whatever a failing test left
        p.kill()
    if d.eerste and d.eerste.poll() is None:
        d.eerste.kill()
        d.eerste.wait()


def test_een_tweede_dev_op_een_map_in_gebruik_noemt_de_houder(dev):
    eerste = dev.eerste
    assert eerste is not None
    dev.wacht_tot_gereed(eerste)
    tweede = subprocess.run(
        [sys.executable, "-m", "toegang", "dev"], env=dev.env, capture_output=True, text=True, timeout=60
    )
    assert tweede.returncode != 0
    assert f"pid {eerste.pid}, gestart " in tweede.stderr, tweede.stderr
    # It touched nothing: the first one's dev.json and services are as they were.
    assert dev.wacht_tot_gereed(eerste, timeout=5)["pid"] == eerste.pid


def test_na_sigkill_blijft_niets_over_en_start_een_nieuwe_dev(dev):
    eerste = dev.eerste
    assert eerste is not None
    gereed = dev.wacht_tot_gereed(eerste)
    poorten = gereed["services"]
    processen = dev.processen(eerste)
    opdrachten = " ".join(" ".join(p.cmdline()) for p in processen)
    verwachte = [
        "nats-server",
        "toegang.waakhond",
        "postgres -D",
        "-m werkplek",
        *(f"toegang service {n}" for n in SERVICES),
    ]
    for verwacht in verwachte:
        assert verwacht in opdrachten  # the test sees every kind of process it must see end
    # The werkplek is printed with the services, at its login page.
    assert f"{gereed['werkplek']}/inloggen" in dev.uitvoer()

    eerste.send_signal(signal.SIGKILL)
    eerste.wait()
    over = wacht_tot_weg(processen, OPGERUIMD_BINNEN)
    assert over == [], beschrijf(over)

    # The next `toegang dev` on the same directory and the same ports starts.
    tweede = dev.start()
    try:
        assert dev.wacht_tot_gereed(tweede)["services"] == poorten  # and the werkplek on its port again
        processen = dev.processen(tweede)
        # And a clean stop (Ctrl-C) stops everything too, PostgreSQL included: pgserver still listed the
        # killed one as a user of the server, and would then have left it running.
        tweede.send_signal(signal.SIGINT)
        assert tweede.wait(60) == 0, dev.uitvoer()[-3000:]
        over = wacht_tot_weg(processen, OPGERUIMD_BINNEN)
        assert over == [], beschrijf(over)
        # ... by itself: its watchdog, the safety net, found nothing left to stop.
        assert dev.waakhond_log().splitlines()[-1].endswith("niets meer te stoppen"), dev.waakhond_log()
    finally:
        if tweede.poll() is None:
            tweede.kill()
            tweede.wait()
