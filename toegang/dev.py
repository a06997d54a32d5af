"""`toegang dev`: the whole platform in the foreground, on the embedded default."""

from __future__ import annotations

import json
import os
import signal
import sys
import time

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
        nats = NatsServer(map_ / "nats", NATS_POORT, NATS_MONITOR).start()
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
        platform = Platform(nats_url, pg.database_url, geheimen(map_), map_ / "logs").start()
        (map_ / "dev.json").write_text(json.dumps(
            {"services": platform.urls, "nats_url": nats_url, "database_url": pg.database_url,
             "nats_monitor": f"http://127.0.0.1:{NATS_MONITOR}" if nats else None, "logs": str(map_ / "logs")},
            indent=2))
        _toon(platform, nats_url, pg.database_url, map_, time.monotonic() - begin)
        while not stoppen:
            for naam, service in platform.services.items():
                if service.proces.poll() is not None:
                    print(f"! {naam} stopte (code {service.proces.returncode}); zie {map_ / 'logs' / naam}.log; "
                          "opnieuw gestart", flush=True)
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
    regels += ["", f"  NATS         {nats_url}", f"  database     {database_url}",
               f"  gegevens     {map_}  (dev.json, geheimen.json, logs/)", "",
               "  Een token:   toegang token --rol wijkcoach --gemeente GM1916 --team gm1916-lokale-kamer",
               "  Voorbeelden: toegang demo", "", "Ctrl-C stopt alles."]
    print("\n".join(regels), flush=True)
    sys.stdout.flush()
