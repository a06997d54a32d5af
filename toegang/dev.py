"""`toegang dev`: the whole platform in the foreground, on the embedded default."""

from __future__ import annotations

import json
import os
import signal
import sys
import time

from shared.nats_rechten import partner_inbox_prefix
from toegang.omgeving import NatsServer, Platform, Postgres, data_dir, geheimen, migreer

NATS_POORT, NATS_MONITOR = 14222, 18222


def draai() -> int:
    map_ = data_dir()
    map_.mkdir(parents=True, exist_ok=True)
    begin = time.monotonic()
    nats = None
    if os.environ.get("NATS_URL"):
        nats_url = os.environ["NATS_URL"]
    else:
        # Users with least privilege (shared/nats_rechten.py): the operator for dev.json and the
        # migrations, one user per service, one per partner; passwords in geheimen.json.
        nats = NatsServer.met_rechten(map_ / "nats", map_, NATS_POORT, NATS_MONITOR).start()
        nats_url = nats.url
    pg = Postgres(map_ / "pg").start()
    platform: Platform | None = None
    stoppen = False

    def bij_signaal(signum, frame):
        nonlocal stoppen
        stoppen = True

    signal.signal(signal.SIGINT, bij_signaal)
    signal.signal(signal.SIGTERM, bij_signaal)
    try:
        migreer(pg.database_url, nats_url)
        platform = Platform(
            nats_url, pg.database_url, geheimen(map_), map_ / "logs", nats_urls=nats.service_urls if nats else {}
        ).start()
        dev = {
            "services": platform.urls,
            "nats_url": nats_url,
            "database_url": pg.database_url,
            "nats_monitor": f"http://127.0.0.1:{NATS_MONITOR}" if nats else None,
            "logs": str(map_ / "logs"),
        }
        if nats:
            # A partner may publish on partners.<partner_id>.signalen only, and gets its PubAck on
            # _INBOX.<partner_id>.> only: connect with that inbox prefix.
            dev["nats_partners"] = nats.partner_urls
            dev["nats_partner_inbox_prefix"] = partner_inbox_prefix("<partner_id>")
        dev_json = map_ / "dev.json"
        dev_json.touch(mode=0o600)
        dev_json.write_text(json.dumps(dev, indent=2))
        dev_json.chmod(0o600)  # holds NATS passwords
        _toon(platform, nats_url, pg.database_url, map_, time.monotonic() - begin)
        while not stoppen:
            for naam, service in platform.services.items():
                if service.proces.poll() is not None:
                    print(
                        f"! {naam} stopte (code {service.proces.returncode}); zie {map_ / 'logs' / naam}.log; "
                        "opnieuw gestart",
                        flush=True,
                    )
                    platform.start_service(naam)
            time.sleep(0.5)
        print("\nStoppen...", flush=True)
        return 0
    finally:
        if platform:
            platform.stop()
        if nats:
            nats.stop()
        pg.stop()
        print("Gestopt.", flush=True)


def _toon(platform: Platform, nats_url: str, database_url: str, map_, duur: float) -> None:
    regels = [f"Integrale toegang draait (gestart in {duur:.1f}s).", ""]
    for naam, url in platform.urls.items():
        regels.append(f"  {naam:<12} {url}   docs {url}/docs   asyncapi {url}/asyncapi")
    regels += [
        "",
        f"  NATS         {_zonder_wachtwoord(nats_url)}",
        f"  database     {database_url}",
        f"  gegevens     {map_}  (dev.json, geheimen.json, logs/)",
        "",
        "  Een token:   toegang token --rol wijkcoach --gemeente GM1916 --team gm1916-lokale-kamer",
        "  Voorbeelden: toegang demo",
        "",
        "Ctrl-C stopt alles.",
    ]
    print("\n".join(regels), flush=True)
    sys.stdout.flush()


def _zonder_wachtwoord(url: str) -> str:
    """nats://user:password@host -> nats://user:***@host (the full URL is in dev.json)."""
    schema, _, rest = url.partition("://")
    inlog, at, host = rest.rpartition("@")
    if not at or ":" not in inlog:
        return url
    return f"{schema}://{inlog.split(':', 1)[0]}:***@{host}  (met wachtwoord in dev.json)"
