"""`python -m bench`: end-to-end throughput and latency of the platform, against two references.

Starts a private nats-server, PostgreSQL and the four services (toegang.omgeving, as `toegang dev` and
the tests do) and measures, in one run on the same servers:
- the bare relay (bench/relay.py): three JetStream streams, two hops, no database: what JetStream costs;
- the durable relay (bench/relay.py): the same hops with the platform's promises (per fetched batch one
  transaction with inbox, state and outbox rows, then Nats-Msg-Id publishes, PubAcks, outbox delete, ack);
- the platform from the bus: `melding-geregistreerd` published where intake would put it, timed until
  its `plan-opgesteld` (triage -> doorverwijzing-gedaan -> arrangement -> plan);
- the platform over HTTP, as a partner loads it: POST /v1/meldingen by `--clients` concurrent clients
  (an asynchronous client), timed from the POST to `plan-opgesteld`; also one at a time and at a steady
  `--per-seconde`; with the CPU seconds per melding of every process and the RSS of every service.
Per system: warm-up (not counted), a few one at a time (latency without a queue), then N at once
(throughput; latency then includes the wait in the queue). Prints the table, the ratios and the overview
dashboard's figures, and writes bench/resultaten.json. Everything is stopped and removed afterwards,
also on Ctrl-C or errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nats
import psutil

from bench import dashboard, relay, via_http
from bench.meldingen import Bericht, maak_meldingen
from bench.meten import Resultaat, analyseer, begrensd, durables_bij, meet, ruim_op
from bench.signalen import cpu_tijden
from shared.auth import maak_token
from shared.topology import CONSUMER_BATCH, CONSUMERS, declareer_streams
from toegang.omgeving import SERVICES, NatsServer, Platform, Postgres, geheimen, migreer, vrije_poort

RESULTATEN = Path(__file__).resolve().parent / "resultaten.json"
PLAN_OPGESTELD = "toegang.plannen.opgesteld.>"
OPRUIMTIJD_S = 30  # kept free at the end of the time limit for stopping everything
BENCH = "bench (clients)"  # this process, in the CPU figures


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--aantal", type=int, default=2000, help="meldingen tegelijk, voor de doorvoer (standaard 2000)")
    p.add_argument("--los", type=int, default=20, help="meldingen één voor één, voor de latentie (standaard 20)")
    p.add_argument("--opwarmen", type=int, default=100, help="meldingen vooraf, niet meegeteld (standaard 100)")
    p.add_argument("--limiet", type=int, default=600, help="maximale looptijd in seconden (standaard 600)")
    p.add_argument(
        "--stil", type=float, default=30.0, help="stop met wachten als zo lang niets meer aankomt, in s (standaard 30)"
    )
    p.add_argument(
        "--relay-batch",
        type=int,
        default=CONSUMER_BATCH,
        help=f"fetch-batch van beide relays (standaard {CONSUMER_BATCH}, als een durable van het platform)",
    )
    p.add_argument(
        "--relay-wacht",
        type=float,
        default=1.0,
        help="fetch-timeout van de kale relay in s (standaard 1.0, als het platform)",
    )
    p.add_argument("--clients", type=int, default=32, help="HTTP-clients tegelijk (standaard 32)")
    p.add_argument("--per-seconde", type=float, default=20.0, help="gelijkmatige belasting (standaard 20/s)")
    p.add_argument("--gelijkmatig-s", type=float, default=15.0, help="hoe lang gelijkmatig (standaard 15 s)")
    p.add_argument("--bewaar", action="store_true", help="laat de tijdelijke map (logs, data) staan")
    return p.parse_args(argv)


async def _fasen(
    systeem: str,
    nc,
    js,
    invoer: dict[str, list[Bericht]],
    sink: str,
    deadline: float,
    args,
    subject=lambda b: b.subject,
    database_url: str | None = None,
) -> dict[str, Resultaat]:
    """Warm-up, one at a time, all at once: the same for platform and relay (a measured phase after ANALYZE
    of the database it uses)."""
    uit = {}
    for fase, een_voor_een in (("opwarmen", False), ("los", True), ("tegelijk", False)):
        if not invoer[fase]:
            continue
        if database_url is not None and fase != "opwarmen":
            await analyseer(database_url)
        tot = min(deadline, time.monotonic() + 120) if fase != "tegelijk" else deadline
        r = await meet(f"{systeem}, {fase}", nc, js, invoer[fase], sink, tot, args.stil, een_voor_een, subject)
        print(f"  {r.naam}: {r.aangekomen}/{r.aantal} aangekomen, p50 {_ms(r.p50_ms)} ms", flush=True)
        uit[fase] = r
    return uit


async def _meet_relay(nats_url: str, invoer, deadline: float, args) -> dict[str, Resultaat]:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        async with relay.relay(js, args.relay_batch, args.relay_wacht):
            return await _fasen("relay", nc, js, invoer, relay.SINK, deadline, args, lambda b: relay.INGANG)
    finally:
        await nc.close()


async def _meet_duurzaam(nats_url: str, database_url: str, invoer, deadline: float, args) -> dict[str, Resultaat]:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        async with relay.duurzame_relay(js, database_url, args.relay_batch, args.relay_wacht):
            return await _fasen(
                "duurzame relay",
                nc,
                js,
                invoer,
                relay.DURABLE_SINK,
                deadline,
                args,
                lambda b: relay.DURABLE_INGANG,
                database_url,
            )
    finally:
        await nc.close()


async def _meet_platform(nats_url: str, database_url: str, invoer, deadline: float, args) -> dict[str, Resultaat]:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        await declareer_streams(js)  # idempotent: the services declared them already
        return await _fasen("platform", nc, js, invoer, PLAN_OPGESTELD, deadline, args, database_url=database_url)
    finally:
        await nc.close()


def _ms(waarde: float | None) -> str:
    return "-" if waarde is None else f"{waarde:,.1f}"


def _deel(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _toon(rijen: list[Resultaat], referenties: dict[str, dict]) -> None:
    print(f"\n{'':<22}{'N':>6}{'aangekomen':>12}{'msg/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for r in rijen:
        print(
            f"{r.naam:<22}{r.aantal:>6}{r.aangekomen:>12}{_ms(r.doorvoer_per_s):>10}{_ms(r.p50_ms):>10}"
            f"{_ms(r.p99_ms):>10}{_ms(r.max_ms):>10}"
        )
    for referentie, verhoudingen in referenties.items():
        print(f"\nplatform / {referentie}:")
        for fase, v in verhoudingen.items():
            d = "-" if v["doorvoer"] is None else f"{v['doorvoer']:.3f}x"
            p = "-" if v["p50"] is None else f"{v['p50']:.1f}x"
            print(f"  {fase:<9} doorvoer {d:>8}   p50 {p:>8}")
    if onvolledig := [r.naam for r in rijen if not r.compleet]:
        print(
            f"Let op: niet alles kwam aan binnen de tijd ({'; '.join(onvolledig)}); "
            "doorvoer en percentielen gaan over wat aankwam."
        )


def _meetpunten(platform: Platform, server: NatsServer) -> dict[str, int]:
    pids = {n: s.proces.pid for n, s in platform.services.items() if s.proces is not None}
    if server.proces is not None:
        pids["nats-server"] = server.proces.pid
    # The load generator shares the two cores: what it costs is shown, so it is not read as the platform's.
    pids[BENCH] = os.getpid()
    return pids


def _rss_mb(pids: dict[str, int]) -> dict[str, float]:
    uit = {}
    for naam, pid in pids.items():
        try:
            uit[naam] = round(psutil.Process(pid).memory_info().rss / 2**20, 1)
        except psutil.Error:
            continue
    return uit


async def _meet_http(platform: Platform, server: NatsServer, token: str, args, einde: float) -> dict[str, Any]:
    """The platform from POST /v1/meldingen to plan-opgesteld: warm-up, one at a time, all at once with
    `--clients` in flight (with the CPU seconds per melding of each process), a steady rate."""
    nc = await nats.connect(server.url)
    uit: dict[str, Any] = {}
    try:
        begin = 1_000_000
        fasen: tuple[tuple[str, int, dict[str, Any]], ...] = (
            ("opwarmen", args.opwarmen, {}),
            ("los", args.los, {"een_voor_een": True}),
            ("tegelijk", args.aantal, {"clients": args.clients}),
            ("gelijkmatig", int(args.per_seconde * args.gelijkmatig_s), {"per_seconde": args.per_seconde}),
        )
        pids = _meetpunten(platform, server)
        for fase, n, opties in fasen:
            if fase != "opwarmen":
                # A phase starts on a quiet platform: the consumers off the chain (stuurinformatie, intake's
                # statuses) are still catching up after a burst when its last plan is out.
                rust_s = await durables_bij(nc.jetstream(), CONSUMERS, min(einde, time.monotonic() + 120))
                uit.setdefault("rust_voor_fase_s", {})[fase] = rust_s
                print(f"  elke durable bij (voor '{fase}'): na {_ms(rust_s and rust_s * 1000)} ms", flush=True)
            if fase != "opwarmen":
                await analyseer(platform.database_url)
            bodies = via_http.meldingen(n, begin)
            begin += n
            cpu_voor = cpu_tijden(pids)
            r = await via_http.meet_http(
                f"platform http, {fase}",
                nc,
                platform.urls["intake"],
                token,
                bodies,
                PLAN_OPGESTELD,
                min(einde, time.monotonic() + 240),
                args.stil,
                **opties,
            )
            print(f"  {r.naam}: {r.aangekomen}/{r.aantal} aangekomen, p50 {_ms(r.p50_ms)} ms", flush=True)
            uit[fase] = r
            if fase == "tegelijk" and r.aangekomen:
                # The CPU of all the burst's work: also what the consumers off the chain (stuurinformatie,
                # intake's statuses) do after the last plan is out.
                uit["na_laatste_plan_bij_s"] = await durables_bij(
                    nc.jetstream(), CONSUMERS, min(einde, time.monotonic() + 120)
                )
                cpu = {k: v - cpu_voor.get(k, 0.0) for k, v in cpu_tijden(pids).items()}
                uit["cpu_ms_per_melding"] = {k: round(1000 * v / r.aangekomen, 2) for k, v in cpu.items()}
        uit["rss_mb"] = _rss_mb({naam: pid for naam, pid in pids.items() if naam != BENCH})
    finally:
        await nc.close()
    return uit


def draai(args) -> int:
    einde = time.monotonic() + args.limiet - OPRUIMTIJD_S
    tmp = Path(tempfile.mkdtemp(prefix="toegang-bench-"))
    server = pg = platform = None
    try:
        # Distinct households throughout: arrangement makes a plan only for a household without one.
        aantallen = {"opwarmen": args.opwarmen, "los": args.los, "tegelijk": args.aantal}
        invoer, begin = {}, 0
        for fase, n in aantallen.items():
            invoer[fase], begin = maak_meldingen(n, begin), begin + n

        server = NatsServer(tmp / "nats")
        server.start()
        print("PostgreSQL starten en migreren", flush=True)
        pg = Postgres(tmp / "pg")
        pg.start(eigen_database=True)  # with DATABASE_URL: a fresh database in that server
        assert pg.database_url is not None  # set by start()
        migreer(pg.database_url)
        print(f"nats-server op {server.url}; kale relay meten", flush=True)
        bij_relay = asyncio.run(_meet_relay(server.url, invoer, min(einde, time.monotonic() + 90), args))
        print("Duurzame relay meten (inbox, staat, outbox in PostgreSQL)", flush=True)
        bij_duurzaam = asyncio.run(
            _meet_duurzaam(server.url, pg.database_url, invoer, min(einde, time.monotonic() + 120), args)
        )

        platform = Platform(
            server.url, pg.database_url, geheimen(tmp), tmp / "logs", poorten={naam: vrije_poort() for naam in SERVICES}
        )
        print("De vier services starten", flush=True)
        platform.start(timeout=90)
        print("Platform meten vanaf de bus (melding-geregistreerd)", flush=True)
        bij_platform = asyncio.run(_meet_platform(server.url, pg.database_url, invoer, einde, args))
        print(f"Platform meten over HTTP ({args.clients} clients)", flush=True)
        token = maak_token(geheimen(tmp)["TOEGANG_JWT_SECRET"], "meldpunt", "GM1916", [], None, "bench-meldpunt")
        voor_http = asyncio.run(dashboard.lees(platform.urls))
        bij_http = asyncio.run(_meet_http(platform, server, token, args, einde))
        dashboard_cijfers = dashboard.cijfers(asyncio.run(dashboard.lees(platform.urls)), voor_http)

        fasen = [f for f in ("los", "tegelijk") if f in bij_platform and f in bij_relay]
        verhoudingen = {
            f: {
                "doorvoer": _deel(bij_platform[f].doorvoer_per_s, bij_relay[f].doorvoer_per_s),
                "p50": _deel(bij_platform[f].p50_ms, bij_relay[f].p50_ms),
            }
            for f in fasen
        }
        duurzaam = {
            f: {
                "doorvoer": _deel(bij_http[f].doorvoer_per_s, bij_duurzaam[f].doorvoer_per_s),
                "p50": _deel(bij_http[f].p50_ms, bij_duurzaam[f].p50_ms),
            }
            for f in ("los", "tegelijk")
            if f in bij_http and f in bij_duurzaam
        }
        rijen = [r[f] for f in fasen for r in (bij_platform, bij_relay)]
        rijen += [r[f] for f in ("los", "tegelijk") for r in (bij_http, bij_duurzaam) if f in r]
        if "gelijkmatig" in bij_http:
            rijen.append(bij_http["gelijkmatig"])
        _toon(rijen, {"kale relay": verhoudingen, "duurzame relay": duurzaam})
        print(
            "\nCPU-milliseconden per melding (HTTP, tegelijk, tot elke durable bij was: "
            f"{_ms((bij := bij_http.get('na_laatste_plan_bij_s')) and bij * 1000)} ms na het laatste plan): "
            f"{bij_http.get('cpu_ms_per_melding')}"
        )
        print(f"RSS na afloop (MB): {bij_http.get('rss_mb')}")
        dashboard.toon(dashboard_cijfers)
        RESULTATEN.write_text(
            json.dumps(
                {
                    "tijdstip": datetime.now(UTC).isoformat(timespec="seconds"),
                    "instellingen": {
                        **aantallen,
                        "clients": args.clients,
                        "per_seconde": args.per_seconde,
                        "relay_batch": args.relay_batch,
                        "relay_wacht_s": args.relay_wacht,
                    },
                    "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
                    "platform": {f: r.als_dict() for f, r in bij_platform.items()},
                    "relay": {f: r.als_dict() for f, r in bij_relay.items()},
                    "duurzame_relay": {f: r.als_dict() for f, r in bij_duurzaam.items()},
                    "platform_http": {
                        f: (r.als_dict() if isinstance(r, Resultaat) else r) for f, r in bij_http.items()
                    },
                    "platform_gedeeld_door_relay": verhoudingen,
                    "platform_http_gedeeld_door_duurzame_relay": duurzaam,
                    "dashboard": dashboard_cijfers,
                },
                indent=2,
            )
            + "\n"
        )
        print(f"\nGeschreven: {RESULTATEN}", flush=True)
        return 0 if all(r.compleet for r in rijen) else 1
    finally:
        ruim_op(platform, pg, server, tmp, args.bewaar)


def main(argv: list[str] | None = None) -> int:
    rest = sys.argv[1:] if argv is None else argv
    if rest[:1] == ["signalen"] or "--signalen" in rest[:1]:  # `python -m bench signalen`: bench/signalen.py
        from bench import signalen

        return signalen.main(rest[1:])
    if rest[:1] == ["lezen"]:  # `python -m bench lezen`: bench/lezen.py
        from bench import lezen

        return lezen.main(rest[1:])
    if rest[:1] == ["werkplek"]:  # `python -m bench werkplek`: bench/werkplek.py
        from bench import werkplek

        return werkplek.main(rest[1:])
    args = _args(argv)

    return begrensd(draai, args)


if __name__ == "__main__":
    sys.exit(main())
