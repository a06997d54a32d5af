"""`toegang dev`: the whole platform in the foreground, on the embedded default.

Everything it starts ends when it ends, however it ends (docs/decisions/0016-dev-platform-lifecycle.md):
a watchdog process (toegang/waakhond.py) and, on Linux, PR_SET_PDEATHSIG. One `toegang dev` per data
directory: `dev.lock` in it is held (flock) for as long as it runs, and its watchdog holds it until it
has cleaned up.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from shared.nats_rechten import partner_inbox_prefix
from toegang.omgeving import SERVICES, WERKPLEK_POORT, NatsServer, Platform, Postgres, data_dir, geheimen, migreer
from toegang.sporen import Sporen
from toegang.waakhond import Waakhond

NATS_POORT, NATS_MONITOR = 14222, 18222
POORTEN_VARIABELE = "TOEGANG_DEV_POORTEN"
SLOT = "dev.lock"
# A lock whose holder is gone but is still held: its watchdog is stopping what it left (a few seconds).
OPRUIMEN_SECONDEN = 15.0


class InGebruik(Exception):
    """The data directory is in use by another `toegang dev`."""


def draai() -> int:
    map_ = data_dir()
    map_.mkdir(parents=True, exist_ok=True)
    try:
        poorten = dev_poorten()
        slot = neem_slot(map_)
    except (InGebruik, ValueError) as fout:
        print(f"toegang dev: {fout}", file=sys.stderr, flush=True)
        return 1
    begin = time.monotonic()
    # From here on a signal stops the start or the run alike; the finally below stops what was started.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _onderbreek)
    waakhond = Waakhond(map_ / "logs" / "waakhond.log", houd_open=[slot])
    nats: NatsServer | None = None
    pg = Postgres(map_ / "pg", waakhond=waakhond)
    platform: Platform | None = None
    sporen: Sporen | None = None
    try:
        if os.environ.get("NATS_URL"):
            nats_url = os.environ["NATS_URL"]
        else:
            # Users with least privilege (shared/nats_rechten.py): the operator for dev.json and the
            # migrations, one user per service, one per partner; passwords in geheimen.json.
            nats = NatsServer.met_rechten(
                map_ / "nats", map_, poorten["nats"], poorten["nats_monitor"], waakhond=waakhond
            ).start()
            nats_url = nats.url
        database_url = pg.start().database_url
        assert database_url is not None
        migreer(database_url, nats_url, waakhond)
        omgeving = geheimen(map_)
        if not os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
            # No collector of one's own: the last traces stay in memory here, for /beheer (beheer only).
            sporen = Sporen()
            omgeving |= {
                "OTEL_EXPORTER_OTLP_ENDPOINT": sporen.endpoint,
                "OTEL_BSP_SCHEDULE_DELAY": "500",
                "TOEGANG_SPOREN_URL": sporen.endpoint,
            }
        platform = Platform(
            nats_url,
            database_url,
            omgeving,
            map_ / "logs",
            poorten={naam: poorten[naam] for naam in SERVICES},
            nats_urls=nats.service_urls if nats else {},
            waakhond=waakhond,
            werkplek_poort=poorten["werkplek"],
        ).start_services()
        platform.start_werkplek()  # in parallel: it needs no service to start, only to show a page
        # Written as soon as the URLs are known (before the services are healthy), then again once they are.
        dev = dev_inhoud(platform, nats, nats_url, database_url, map_)
        schrijf_dev_json(map_ / "dev.json", {**dev, "gereed": False})
        platform.wacht_tot_gezond(60.0)
        platform.wacht_op_werkplek(30.0)
        schrijf_dev_json(map_ / "dev.json", {**dev, "gereed": True})
        _toon(platform, nats_url, database_url, map_, time.monotonic() - begin)
        while True:
            for naam, service in platform.services.items():
                if service.proces is not None and service.proces.poll() is not None:
                    print(
                        f"! {naam} stopte (code {service.proces.returncode}); zie {map_ / 'logs' / naam}.log; "
                        "opnieuw gestart",
                        flush=True,
                    )
                    platform.start_service(naam)
            werkplek = platform.werkplek
            if werkplek is not None and werkplek.proces is not None and werkplek.proces.poll() is not None:
                print(
                    f"! werkplek stopte (code {werkplek.proces.returncode}); zie {map_ / 'logs' / 'werkplek.log'}; "
                    "opnieuw gestart",
                    flush=True,
                )
                platform.start_werkplek()
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStoppen...", flush=True)
        return 0
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # stopping now; a second Ctrl-C waits
            signal.signal(sig, signal.SIG_IGN)
        if platform:
            platform.stop()
        if nats:
            nats.stop()
        pg.stop()
        if sporen:
            sporen.stop()
        waakhond.sluit()  # it finds nothing left, releases the lock and exits
        os.close(slot)
        print("Gestopt.", flush=True)


def _onderbreek(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def dev_poorten() -> dict[str, int]:
    """The ports of the services, the werkplek and nats-server: the defaults (shared/CONTRACT.md), of which
    TOEGANG_DEV_POORTEN="intake=18001,werkplek=18000,nats=24222,nats_monitor=28222" overrides some (the
    tests, or a second platform beside one on the defaults)."""
    poorten = {**SERVICES, "werkplek": WERKPLEK_POORT, "nats": NATS_POORT, "nats_monitor": NATS_MONITOR}
    for deel in os.environ.get(POORTEN_VARIABELE, "").split(","):
        if not deel.strip():
            continue
        naam, _, poort = (x.strip() for x in deel.partition("="))
        if naam not in poorten or not poort.isdigit():
            raise ValueError(f"{POORTEN_VARIABELE}: {deel.strip()!r}; verwacht naam=poort met naam uit {list(poorten)}")
        poorten[naam] = int(poort)
    return poorten


def neem_slot(map_: Path, opruimen: float = OPRUIMEN_SECONDEN) -> int:
    """Lock `<map_>/dev.lock` (flock, held until this process and its watchdog are gone) and write our
    pid and start time in it; returns the file descriptor. A lock file of a process that is gone is
    taken over (flock itself is released by the kernel); while its watchdog still cleans up after it,
    wait for that. Raises InGebruik naming the holder when a running `toegang dev` holds it."""
    fd = os.open(map_ / SLOT, os.O_RDWR | os.O_CREAT, 0o600)
    einde = time.monotonic() + opruimen
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            houder = _houder(fd)
            levend = _leeft(houder.get("pid"))
            if levend or time.monotonic() > einde:
                os.close(fd)
                raise InGebruik(_in_gebruik(map_, houder, levend)) from None
            time.sleep(0.1)
    os.ftruncate(fd, 0)
    inhoud = {"pid": os.getpid(), "gestart": time.strftime("%Y-%m-%d %H:%M:%S %z"), "map": str(map_)}
    os.pwrite(fd, (json.dumps(inhoud) + "\n").encode(), 0)
    return fd


def _houder(fd: int) -> dict[str, Any]:
    try:
        inhoud = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except ValueError:
        return {}
    return inhoud if isinstance(inhoud, dict) else {}


def _leeft(pid: object) -> bool:
    import psutil

    if not isinstance(pid, int):
        return False
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _in_gebruik(map_: Path, houder: dict[str, Any], levend: bool) -> str:
    wie = f"pid {houder.get('pid', '?')}, gestart {houder.get('gestart', '?')}"
    if levend:
        return (
            f"{map_} is in gebruik door een andere `toegang dev` ({wie}). Stop die eerst, of kies een andere "
            "map met TOEGANG_DATA_DIR (en andere poorten met TOEGANG_DEV_POORTEN)."
        )
    return f"{map_} wordt nog vastgehouden door wat een gestopte `toegang dev` ({wie}) startte; probeer het zo opnieuw."


def dev_inhoud(
    platform: Platform, nats: NatsServer | None, nats_url: str, database_url: str, map_: Path
) -> dict[str, Any]:
    dev: dict[str, Any] = {
        "pid": os.getpid(),
        "services": platform.urls,
        "werkplek": platform.werkplek.url if platform.werkplek else None,
        "nats_url": nats_url,
        "database_url": database_url,
        "nats_monitor": f"http://127.0.0.1:{nats.monitor_poort}" if nats else None,
        "logs": str(map_ / "logs"),
    }
    if nats:
        # A partner may publish on partners.<partner_id>.signalen only, and gets its PubAck on
        # _INBOX.<partner_id>.> only: connect with that inbox prefix.
        dev["nats_partners"] = nats.partner_urls
        dev["nats_partner_inbox_prefix"] = partner_inbox_prefix("<partner_id>")
    return dev


def schrijf_dev_json(pad: Path, inhoud: dict[str, Any]) -> None:
    """Atomically: a reader sees the previous file or this one, never an empty or partial one. Mode 600
    (mkstemp's): it holds NATS passwords."""
    fd, tijdelijk = tempfile.mkstemp(dir=pad.parent, prefix=f".{pad.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as uit:
            json.dump(inhoud, uit, indent=2)
            uit.flush()
            os.fsync(uit.fileno())
        os.replace(tijdelijk, pad)
    except BaseException:
        Path(tijdelijk).unlink(missing_ok=True)
        raise


def _toon(platform: Platform, nats_url: str, database_url: str, map_: Path, duur: float) -> None:
    regels = [f"Integrale toegang draait (gestart in {duur:.1f}s).", ""]
    for naam, url in platform.urls.items():
        regels.append(f"  {naam:<12} {url}   docs {url}/docs   asyncapi {url}/asyncapi")
    if platform.werkplek is not None:
        regels.append(f"  {'werkplek':<12} {platform.werkplek.url}/inloggen   (de webwerkplek; inloggen met een rol)")
    regels += [
        "",
        f"  NATS         {_zonder_wachtwoord(nats_url)}",
        f"  database     {_zonder_wachtwoord(database_url)}",
        f"  gegevens     {map_}  (dev.json, geheimen.json, logs/)",
        "",
        "  Een token:   toegang token --rol wijkcoach --gemeente GM1916 --team gm1916-lokale-kamer",
        "  Voorbeelden: toegang demo",
        "  Hoe gaat het: toegang status   (of /beheer in de werkplek, met de laatste traces; /metrics per service)",
        "",
        "Ctrl-C stopt alles.",
    ]
    print("\n".join(regels), flush=True)
    sys.stdout.flush()


def _zonder_wachtwoord(url: str) -> str:
    """scheme://user:password@host -> scheme://user:***@host (the full URL is in dev.json); for NATS and a
    DATABASE_URL alike, so a terminal or its scrollback never shows a password."""
    schema, _, rest = url.partition("://")
    inlog, at, host = rest.rpartition("@")
    gebruiker, _, wachtwoord = inlog.partition(":")
    if not at or not wachtwoord:
        return url
    return f"{schema}://{gebruiker}:***@{host}  (met wachtwoord in dev.json)"
