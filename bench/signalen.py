"""`python -m bench signalen`: a national month of vroegsignalering through the signalering service.

Writes a bench configuration (config/gemeenten/*.yaml, with GM1916's partners replaced by 20 bench
partners with known API tokens), starts a private nats-server, PostgreSQL and only the signalering
service, generates N signals (default 72,000) deterministically, with repeats and multi-partner
households, and posts them per partner in batches (POST /v1/signalen/batch) from a few concurrent
clients. Wall time runs from the first request to the last response; afterwards PostgreSQL is asked
what was stored and how many casussen formed. The reference, in the same run and on the same
nats-server: a bare nats-py JetStream publish (pipelined) and pull-consume (fetch + ack) of the same
number of ~400-byte messages on a file stream. Prints a table and writes bench/resultaten-signalen.json.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import nats
import psutil
import yaml
from nats.js.api import AckPolicy, ConsumerConfig, StorageType, StreamConfig

from bench.meten import begrensd, durables_bij, ruim_op
from toegang.omgeving import NatsServer, Platform, Postgres, asyncpg_dsn, geheimen, migreer, vrije_poort

HIER = Path(__file__).resolve().parent
CONFIG = HIER.parent / "config" / "gemeenten"
RESULTATEN = HIER / "resultaten-signalen.json"
RESULTATEN_STUURINFORMATIE = HIER / "resultaten-stuurinformatie.json"
GEMEENTE = "GM1916"
DOEL_S = 30.0
OPRUIMTIJD_S = 30
VOORTGANG_S = 20.0

# (type, soorten, number of partners, relative volume per partner)
PARTNER_SOORTEN = [
    ("woningcorporatie", ["huurachterstand", "overlast", "zorgmelding"], 6, 1.4),
    ("energieleverancier", ["energieachterstand", "einde_levering"], 5, 1.0),
    ("drinkwaterbedrijf", ["waterachterstand", "einde_levering"], 3, 0.8),
    ("zorgverzekeraar", ["zorgverzekeringsachterstand"], 6, 0.8),
]
ACHTERSTAND = {
    "woningcorporatie": "huurachterstand",
    "energieleverancier": "energieachterstand",
    "drinkwaterbedrijf": "waterachterstand",
    "zorgverzekeraar": "zorgverzekeringsachterstand",
}
# Thresholds of GM1916 (bedrag in cent, dagen); above them a signal is "nieuw".
DREMPEL = {
    "huurachterstand": (30000, 30),
    "energieachterstand": (10000, 30),
    "waterachterstand": (5000, 30),
    "zorgverzekeringsachterstand": (20000, 60),
}
PC4 = list(range(2261, 2276))
LETTERS = "ABCDEFGHJKLMNPRSTVWXZ"


def token(partner_id: str) -> str:
    return f"bench-{partner_id}"


def bench_partners() -> list[dict]:
    uit = []
    for type_, soorten, aantal, gewicht in PARTNER_SOORTEN:
        for i in range(1, aantal + 1):
            pid = f"gm1916-bench-{type_[:8]}-{i}"
            uit.append(
                {
                    "partner_id": pid,
                    "naam": f"Bench {type_} {i}",
                    "type": type_,
                    "soorten": soorten,
                    "token_sha256": hashlib.sha256(token(pid).encode()).hexdigest(),
                    "_gewicht": gewicht,
                }
            )
    return uit


def schrijf_config(map_: Path, partners: list[dict]) -> None:
    map_.mkdir(parents=True)
    shutil.copytree(CONFIG / "themas", map_ / "themas")  # a gemeente naming a missing theme does not load
    for bron in sorted(CONFIG.glob("*.yaml")):
        if bron.stem != GEMEENTE:
            shutil.copy(bron, map_ / bron.name)
            continue
        data = yaml.safe_load(bron.read_text())
        data["partners"] = [{k: v for k, v in p.items() if not k.startswith("_")} for p in partners]
        (map_ / bron.name).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


# --- generating the month ------------------------------------------------------------------------


def bsn(rng: random.Random, gebruikt: set[str]) -> str:
    while True:
        cijfers = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(7)]
        laatste = sum(c * w for c, w in zip(cijfers, range(9, 1, -1), strict=False)) % 11
        if laatste == 10:
            continue
        waarde = "".join(map(str, cijfers)) + str(laatste)
        if waarde not in gebruikt:
            gebruikt.add(waarde)
            return waarde


def maak_signalen(aantal: int, partners: list[dict], seed: int, vandaag: date) -> tuple[dict[str, list[dict]], dict]:
    """Per partner_id its signals. ~10% repeats (same partner, person, same or lower amount), ~15% of
    households signalled by 2-3 partners, ~12% under the threshold, ~1% crisis (einde_levering)."""
    rng = random.Random(seed)
    gewichten = [p["_gewicht"] for p in partners]
    per_partner: dict[str, list[dict]] = {p["partner_id"]: [] for p in partners}
    volgnummer: Counter[str] = Counter()
    stats: Counter[str] = Counter()
    bsns: set[str] = set()
    adressen: set[tuple] = set()
    gedaan = 0

    def adres() -> dict:
        while True:
            a = (
                f"{rng.choice(PC4)} {rng.choice(LETTERS)}{rng.choice(LETTERS)}",
                rng.randint(1, 400),
                rng.choice([None, None, None, None, "A", "B", "1"]),
            )
            if a not in adressen:
                adressen.add(a)
                return {"postcode": a[0], "huisnummer": a[1], **({"toevoeging": a[2]} if a[2] else {})}

    def signaal(partner: dict, persoon: dict, bedrag: int | None = None, sinds: date | None = None) -> dict:
        soort = ACHTERSTAND[partner["type"]]
        crisis = False
        if "einde_levering" in partner["soorten"] and rng.random() < 0.02:
            soort, crisis = "einde_levering", True
        drempel_bedrag, drempel_dagen = DREMPEL.get(soort, (10000, 30))
        if bedrag is None:
            if rng.random() < 0.12:  # under the threshold: too little or too recent
                if rng.random() < 0.5:
                    bedrag, sinds = rng.randint(1000, drempel_bedrag - 1), vandaag - timedelta(rng.randint(40, 200))
                else:
                    bedrag, sinds = (
                        rng.randint(drempel_bedrag, drempel_bedrag * 6),
                        vandaag - timedelta(rng.randint(1, drempel_dagen - 1)),
                    )
                stats["onder_drempel_bedoeld"] += 1
            else:
                bedrag = rng.randint(drempel_bedrag, drempel_bedrag * 8)
                sinds = vandaag - timedelta(rng.randint(drempel_dagen, drempel_dagen + 150))
        assert sinds is not None  # drawn above, or given with the amount (a repeat)
        volgnummer[partner["partner_id"]] += 1
        stats["crisis"] += crisis
        return {
            "partner_signaal_id": f"{partner['partner_id']}-{volgnummer[partner['partner_id']]:06d}",
            "soort": soort,
            "betreft": persoon,
            "bedrag_achterstand_cent": bedrag,
            "achterstand_sinds": sinds.isoformat(),
            "crisis": crisis,
        }

    eerste: list[tuple[dict, dict, dict]] = []  # (partner, persoon, signaal) to repeat later
    while gedaan < aantal:
        huishouden = adres()
        persoon = {"bsn": bsn(rng, bsns), "adres": huishouden}
        if rng.random() < 0.05:  # without BSN: name and date of birth
            persoon = {
                "naam": f"Bench Persoon {len(bsns)}-{gedaan}",
                "geboortedatum": (date(1950, 1, 1) + timedelta(rng.randint(0, 20000))).isoformat(),
                "adres": huishouden,
            }
        n_partners = 1
        if rng.random() < 0.15:
            n_partners = rng.choice([2, 2, 3])
            stats["huishoudens_meerdere_partners"] += 1
        stats["huishoudens"] += 1
        gekozen: list[dict] = []
        while len(gekozen) < n_partners:
            p = rng.choices(partners, gewichten)[0]
            if p not in gekozen:
                gekozen.append(p)
        for p in gekozen:
            if gedaan >= aantal:
                break
            # A second person in the household now and then, signalled by another partner.
            wie = persoon if p is gekozen[0] or rng.random() < 0.6 else {"bsn": bsn(rng, bsns), "adres": huishouden}
            s = signaal(p, wie)
            per_partner[p["partner_id"]].append(s)
            eerste.append((p, wie, s))
            gedaan += 1
        # ~10% repeats overall: same partner, same person, same or lower amount.
        while gedaan < aantal and rng.random() < 0.12 and eerste:
            p, wie, s = eerste[rng.randrange(max(0, len(eerste) - 2000), len(eerste))]
            if s["crisis"]:
                continue
            bedrag = s["bedrag_achterstand_cent"] - rng.choice([0, 0, rng.randint(0, 1000)])
            h = signaal(p, wie, max(bedrag, 0), date.fromisoformat(s["achterstand_sinds"]))
            h["soort"], h["crisis"] = s["soort"], False
            per_partner[p["partner_id"]].append(h)
            stats["herhalingen"] += 1
            gedaan += 1
    # Repeats go after their originals within the partner's list (append order), so later batches see them.
    stats["signalen"] = gedaan
    return per_partner, dict(stats)


# --- sending ----------------------------------------------------------------------------------------


async def verstuur(urls: list[str], per_partner: dict[str, list[dict]], batch: int, clients: int) -> dict:
    """Per partner its batches in order; `clients` batches of different partners at a time, the clients
    spread over the service's replicas (as a load balancer would)."""
    wachtrij: asyncio.Queue = asyncio.Queue()
    for pid, signalen in sorted(per_partner.items(), key=lambda kv: -len(kv[1])):
        wachtrij.put_nowait((pid, [signalen[i : i + batch] for i in range(0, len(signalen), batch)]))
    uitkomst: Counter[str] = Counter()
    beoordelingen: Counter[str] = Counter()
    opnieuw: list[tuple[str, list[dict]]] = []
    fouten: list[str] = []
    duur_batches: list[float] = []

    async def client(http: httpx.AsyncClient, url: str) -> None:
        while not wachtrij.empty():
            pid, batches = wachtrij.get_nowait()
            for b in batches:
                t = time.monotonic()
                r = await http.post(
                    f"{url}/v1/signalen/batch", json={"signalen": b}, headers={"Authorization": f"Bearer {token(pid)}"}
                )
                duur_batches.append(time.monotonic() - t)
                if r.status_code != 202:
                    uitkomst["batch_fout"] += len(b)
                    fouten.append(f"{pid}: {r.status_code} {r.text[:300]}")
                    continue
                terug = r.json()
                uitkomst["geaccepteerd"] += terug["geaccepteerd"]
                botsend = []
                for s, res in zip(b, terug["resultaten"], strict=False):
                    if res["geaccepteerd"]:
                        beoordelingen[res["beoordeling"]] += 1
                    elif any("opnieuw" in e.get("msg", str(e)) for e in res.get("errors", [])):
                        botsend.append(s)
                    else:
                        uitkomst["afgewezen"] += 1
                        if len(fouten) < 10:
                            fouten.append(f"{pid}: {res.get('errors')}")
                if botsend:
                    uitkomst["botsing"] += len(botsend)
                    opnieuw.append((pid, botsend))

    limieten = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=httpx.Timeout(300.0), limits=limieten) as http:
        begin = time.monotonic()
        await asyncio.gather(*(client(http, urls[i % len(urls)]) for i in range(clients)))
        if opnieuw:  # what collided with a concurrent batch: sent once more, as a partner would
            for pid, b in opnieuw:
                wachtrij.put_nowait((pid, [b]))
            opnieuw_eerst = list(opnieuw)
            opnieuw.clear()
            await client(http, urls[0])
            uitkomst["opnieuw_gestuurd"] = sum(len(b) for _, b in opnieuw_eerst)
        duur = time.monotonic() - begin
    return {
        "duur_s": duur,
        "uitkomst": dict(uitkomst),
        "beoordelingen": dict(beoordelingen),
        "fouten": fouten,
        "batches": len(duur_batches),
        "batch_duur_max_s": max(duur_batches, default=0.0),
        "batch_duur_gem_s": sum(duur_batches) / len(duur_batches) if duur_batches else 0.0,
    }


async def tel_in_postgres(database_url: str) -> dict:
    import asyncpg

    dsn = asyncpg_dsn(database_url)
    conn = await asyncpg.connect(dsn)
    try:
        q = conn.fetchval
        uit = {
            "signalen": await q("SELECT count(*) FROM signalering.signalen"),
            "signalen_in_casus": await q("SELECT count(*) FROM signalering.signalen WHERE casus_id IS NOT NULL"),
            "casussen": await q("SELECT count(*) FROM signalering.casussen"),
            "casussen_meerdere_partners": await q(
                "SELECT count(*) FROM (SELECT casus_id FROM signalering.signalen WHERE casus_id IS NOT NULL "
                "GROUP BY casus_id HAVING count(DISTINCT partner_id) > 1) x"
            ),
            "outbox_ongepubliceerd": await q("SELECT count(*) FROM signalering.outbox"),
        }
        uit["beoordeling"] = {
            r[0]: r[1]
            for r in await conn.fetch("SELECT beoordeling, count(*) FROM signalering.signalen GROUP BY 1 ORDER BY 1")
        }
        uit["casus_status_reden"] = {
            f"{r[0]}/{r[1]}": r[2]
            for r in await conn.fetch(
                "SELECT status, reden, count(*) FROM signalering.casussen GROUP BY 1, 2 ORDER BY 1, 2"
            )
        }
        return uit
    finally:
        await conn.close()


async def wacht_op_keten(
    database_url: str, nats_url: str, begin: float, tot: float, pids: dict[str, int] | None = None
) -> dict:
    """Until every escalated casus (each signaal-doorgezet on the bus) has its triage decision and its place
    in a household's plan (arrangement took the doorverwijzing in): seconds since `begin` (the first POST),
    or None when not within `tot`, with the counts. Every VOORTGANG_S it prints the counts and each
    process's share of a core since the last line, so a run shows which stage lags and whether it slows."""
    import asyncpg

    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    nc = await nats.connect(nats_url)
    vorige = (time.monotonic(), cpu_tijden(pids or {}))
    try:
        while True:
            info = await nc.jetstream().stream_info("TOEGANG_SIGNALEN", subjects_filter="toegang.signalen.doorgezet.>")
            escalaties = sum((info.state.subjects or {}).values())
            besloten = await conn.fetchval("SELECT count(*) FROM triage.besluiten WHERE bron_soort = 'signaalcasus'")
            in_plan = await conn.fetchval(
                "SELECT count(*) FROM arrangement.tijdlijn WHERE bron_soort = 'signaalcasus' "
                "AND doorverwijzing_id IS NOT NULL"
            )
            tellingen = {"escalaties": escalaties, "besloten": besloten, "in_een_plan": in_plan}
            if time.monotonic() - vorige[0] >= VOORTGANG_S:
                vorige = _voortgang(tellingen, begin, vorige, pids or {})
            if escalaties and besloten == escalaties and in_plan == escalaties:
                return {"klaar_na_s": round(time.monotonic() - begin, 1), **tellingen}
            if time.monotonic() >= tot:
                return {"klaar_na_s": None, **tellingen}
            await asyncio.sleep(1.0)
    finally:
        await conn.close()
        await nc.close()


def _voortgang(tellingen: dict, begin: float, vorige: tuple[float, dict], pids: dict[str, int]) -> tuple:
    nu, cpu = time.monotonic(), cpu_tijden(pids)
    duur = nu - vorige[0]
    aandeel = {k: f"{(cpu[k] - vorige[1].get(k, 0.0)) / duur:.0%}" for k in cpu if k != "machine totaal"}
    print(f"  {nu - begin:6.0f} s {tellingen} cpu {aandeel}", flush=True)
    return nu, cpu


async def events_in_stream(nats_url: str, stream: str = "TOEGANG_SIGNALEN") -> int:
    nc = await nats.connect(nats_url)
    try:
        return (await nc.jetstream().stream_info(stream)).state.messages
    finally:
        await nc.close()


async def wacht_op_outbox(database_url: str, tot: float) -> float | None:
    """Seconds after the call until the outbox is fully published, or None when not within `tot`."""
    import asyncpg

    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    begin = time.monotonic()
    try:
        while time.monotonic() < tot:
            if await conn.fetchval("SELECT count(*) FROM signalering.outbox") == 0:
                return time.monotonic() - begin
            await asyncio.sleep(0.2)
        return None
    finally:
        await conn.close()


# --- the reference -----------------------------------------------------------------------------------


async def referentie(nats_url: str, aantal: int, grootte: int = 400, chunk: int = 1000, fetch: int = 1000) -> dict:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        await js.add_stream(StreamConfig(name="BENCH_SIGNALEN", subjects=["bench.signalen"], storage=StorageType.FILE))
        voorbeeld = json.dumps(
            {
                "partner_signaal_id": "x" * 24,
                "soort": "huurachterstand",
                "betreft": {"bsn": "123456782", "adres": {"postcode": "2261 AB", "huisnummer": 12}},
                "bedrag_achterstand_cent": 45000,
                "achterstand_sinds": "2026-08-01",
                "crisis": False,
            }
        )
        opvulling = "x" * max(0, grootte - len(voorbeeld) - 12)
        berichten = [json.dumps({"i": i, "v": opvulling, **json.loads(voorbeeld)}).encode() for i in range(aantal)]
        psub = await js.pull_subscribe(
            "bench.signalen",
            durable="bench-signalen",
            stream="BENCH_SIGNALEN",
            config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, max_ack_pending=20000),
        )
        begin = time.monotonic()
        for i in range(0, aantal, chunk):
            await asyncio.gather(*(js.publish("bench.signalen", b, timeout=30) for b in berichten[i : i + chunk]))
        gepubliceerd = time.monotonic()
        ontvangen = 0
        while ontvangen < aantal:
            for m in await psub.fetch(min(fetch, aantal - ontvangen), timeout=10):
                await m.ack()
                ontvangen += 1
        await nc.flush()
        einde = time.monotonic()
        await js.delete_stream("BENCH_SIGNALEN")
        return {
            "aantal": aantal,
            "bericht_bytes": len(berichten[0]),
            "publiceren_s": gepubliceerd - begin,
            "consumeren_s": einde - gepubliceerd,
            "duur_s": einde - begin,
            "per_s": aantal / (einde - begin),
        }
    finally:
        await nc.close()


# --- CPU ---------------------------------------------------------------------------------------------


def cpu_tijden(pids: dict[str, int]) -> dict[str, float]:
    uit = {}
    for naam, pid in pids.items():
        try:
            p = psutil.Process(pid)
            t = p.cpu_times()
            uit[naam] = t.user + t.system + t.children_user + t.children_system
        except psutil.Error:
            uit[naam] = 0.0
    pg = 0.0
    for p in psutil.process_iter(["name", "cpu_times"]):
        if p.info["name"] and p.info["name"].startswith("postgres") and p.info["cpu_times"]:
            pg += p.info["cpu_times"].user + p.info["cpu_times"].system
    uit["postgres (alle processen)"] = pg
    t = psutil.cpu_times()
    uit["machine totaal"] = t.user + t.system + t.nice + getattr(t, "iowait", 0.0) * 0
    return uit


# --- stuurinformatie over the month -----------------------------------------------------------------------


async def stuurinformatie_na_afloop(platform: Platform, nats_url: str, secret: str, einde: float) -> dict:
    """Start stuurinformatie on the finished month: it reads every stream from its first message. Returns
    how long until its durables had nothing pending, how long the month's figures took to read, and them."""
    from shared.auth import maak_token
    from shared.topology import consumers_van

    platform.poorten["stuurinformatie"] = vrije_poort()
    begin = time.monotonic()
    for replica in range(2):  # the chain is done: the machine's two cores are free for it
        await asyncio.to_thread(platform.start_service, "stuurinformatie", replica)
    await asyncio.to_thread(platform.wacht_tot_gezond, 90.0, ["stuurinformatie", "stuurinformatie-1"])
    nc = await nats.connect(nats_url)
    try:
        await durables_bij(nc.jetstream(), consumers_van("stuurinformatie"), einde, keer=2, pauze=0.5)
    finally:
        await nc.drain()
    bij_na = round(time.monotonic() - begin, 1)
    vandaag = datetime.now(UTC).date()
    params = {"van": str(vandaag - timedelta(days=30)), "tot": str(vandaag)}
    kop = {"Authorization": f"Bearer {maak_token(secret, 'beleid', GEMEENTE)}"}
    url = f"{platform.services['stuurinformatie'].url}/v1/stuurinformatie/{GEMEENTE}"
    async with httpx.AsyncClient(timeout=300) as http:
        t = time.monotonic()
        antwoord = await http.get(url, params=params, headers=kop)
        lezen = round(time.monotonic() - t, 2)
    antwoord.raise_for_status()
    return {"bij_na_s": bij_na, "lezen_s": lezen, "figuren": antwoord.json()}


# --- the run -----------------------------------------------------------------------------------------


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench signalen", description=__doc__.split("\n\n")[0])
    p.add_argument("--aantal", type=int, default=72_000, help="signalen (standaard 72000)")
    p.add_argument("--batch", type=int, default=10_000, help="signalen per batch, hoogstens 10000 (standaard 10000)")
    p.add_argument("--clients", type=int, default=4, help="batches tegelijk (standaard 4)")
    p.add_argument(
        "--zonder-keten",
        dest="keten",
        action="store_false",
        help="alleen signalering; standaard ook triage en arrangement, en wachten tot elke escalatie een plan heeft",
    )
    p.add_argument(
        "--replicas",
        type=int,
        default=2,
        help="processen van de signalering-service, elk met een eigen poort (standaard 2)",
    )
    p.add_argument(
        "--stuurinformatie",
        action="store_true",
        help="daarna stuurinformatie starten: die leest alle streams vanaf het begin; meet tot hij bij is en "
        "bewaart de cijfers van de maand zoals de pagina ze toont (bench/resultaten-stuurinformatie.json)",
    )
    p.add_argument("--seed", type=int, default=20261, help="zaad van de generator")
    p.add_argument("--limiet", type=int, default=900, help="maximale looptijd in seconden (standaard 900)")
    p.add_argument("--bewaar", action="store_true", help="laat de tijdelijke map (logs, data) staan")
    return p.parse_args(argv)


def _toon(r: dict) -> None:
    p, ref, db = r["platform"], r["referentie"], r["postgres"]
    print(f"\n{'':<44}{'N':>8}{'duur s':>10}{'per s':>10}")
    print(
        f"{'platform: signalen geaccepteerd + gekoppeld':<44}{r['instellingen']['aantal']:>8}"
        f"{p['duur_s']:>10.2f}{p['per_s']:>10,.0f}"
    )
    print(
        f"{'referentie: kale JetStream publish+consume':<44}{ref['aantal']:>8}{ref['duur_s']:>10.2f}"
        f"{ref['per_s']:>10,.0f}"
    )
    print(
        f"  (referentie: publiceren {ref['publiceren_s']:.2f} s, consumeren {ref['consumeren_s']:.2f} s, "
        f"{ref['bericht_bytes']} bytes per bericht)"
    )
    print(f"\nplatform / referentie (doorvoer): {r['verhouding']:.3f}x")
    print(f"doel < {DOEL_S:.0f} s: {'gehaald' if r['doel_gehaald'] else 'NIET gehaald'} ({p['duur_s']:.2f} s)")
    print(
        f"\nHTTP: {p['batches']} batches, gemiddeld {p['batch_duur_gem_s']:.2f} s, max {p['batch_duur_max_s']:.2f} s;"
        f" uitkomst {p['uitkomst']}"
    )
    print(f"beoordeling (antwoorden): {p['beoordelingen']}")
    print(
        f"PostgreSQL: {db['signalen']} signalen ({db['signalen_in_casus']} in een casus), {db['casussen']} casussen "
        f"({db['casussen_meerdere_partners']} met meerdere partners), "
        f"{r['events_in_stream']} events op TOEGANG_SIGNALEN"
    )
    print(f"  beoordeling: {db['beoordeling']}")
    print(f"  casussen: {db['casus_status_reden']}")
    o = r.get("outbox_leeg_na_s")
    print(f"outbox leeg (events op NATS) {'-' if o is None else f'{o:.2f} s'} na het laatste antwoord")
    print("CPU-seconden tijdens het versturen: " + ", ".join(f"{k} {v:.1f}" for k, v in r["cpu_s"].items()))
    print(f"generator: {r['generator']}")


def draai(args) -> int:
    einde = time.monotonic() + args.limiet - OPRUIMTIJD_S
    tmp = Path(tempfile.mkdtemp(prefix="toegang-bench-signalen-"))
    server = pg = platform = None
    try:
        partners = bench_partners()
        schrijf_config(tmp / "config", partners)
        vandaag = datetime.now(UTC).date() - timedelta(days=1)
        t = time.monotonic()
        per_partner, gen_stats = maak_signalen(args.aantal, partners, args.seed, vandaag)
        gen_stats["genereren_s"] = round(time.monotonic() - t, 2)
        gen_stats["per_partner_min_max"] = [min(map(len, per_partner.values())), max(map(len, per_partner.values()))]
        print(
            f"{args.aantal} signalen gemaakt voor {len(partners)} partners in {gen_stats['genereren_s']} s", flush=True
        )

        server = NatsServer(tmp / "nats")
        server.start()
        print(f"nats-server op {server.url}; referentie meten", flush=True)
        ref = asyncio.run(asyncio.wait_for(referentie(server.url, args.aantal), max(10, einde - time.monotonic())))
        print(f"  referentie: {ref['duur_s']:.2f} s, {ref['per_s']:,.0f}/s", flush=True)

        print("PostgreSQL starten en migreren", flush=True)
        pg = Postgres(tmp / "pg")
        pg.start(eigen_database=True)
        assert pg.database_url is not None  # set by start()
        migreer(pg.database_url)
        omgeving = {**geheimen(tmp), "TOEGANG_CONFIG_DIR": str(tmp / "config")}
        platform = Platform(server.url, pg.database_url, omgeving, tmp / "logs", poorten={"signalering": vrije_poort()})
        replicas = [platform.start_service("signalering", i) for i in range(max(1, args.replicas))]
        if args.keten:  # the casussen on to a decision and a plan
            platform.poorten |= {"triage": vrije_poort(), "arrangement": vrije_poort()}
            for naam in ("triage", "arrangement"):
                platform.start_service(naam)
        platform.wacht_tot_gezond(90)
        print(
            f"signalering: {len(replicas)} replica(s) op {', '.join(r.url for r in replicas)}; versturen "
            f"({args.clients} tegelijk, batches van {args.batch})",
            flush=True,
        )

        assert server.proces is not None  # started above, as were the replicas
        pids = {
            **{r.naam: r.proces.pid for r in replicas if r.proces is not None},
            "nats-server": server.proces.pid,
            "bench (client)": os.getpid(),
        }
        voor = cpu_tijden(pids)
        begin = time.monotonic()
        p = asyncio.run(
            asyncio.wait_for(
                verstuur([r.url for r in replicas], per_partner, min(args.batch, 10_000), args.clients),
                max(10, einde - time.monotonic()),
            )
        )
        na = cpu_tijden(pids)
        p["per_s"] = args.aantal / p["duur_s"]
        print(f"  platform: {p['duur_s']:.2f} s, {p['per_s']:,.0f}/s", flush=True)
        outbox_s = asyncio.run(wacht_op_outbox(pg.database_url, min(einde, time.monotonic() + 60)))
        if args.keten:
            pids |= {n: s.proces.pid for n, s in platform.services.items() if s.proces is not None}
        keten = asyncio.run(wacht_op_keten(pg.database_url, server.url, begin, einde, pids)) if args.keten else None
        if keten is not None:
            print(f"  tot een besluit en een plan: {keten}", flush=True)
        db = asyncio.run(tel_in_postgres(pg.database_url))
        events = asyncio.run(events_in_stream(server.url))
        if args.stuurinformatie:  # after the chain: it does not take the chain's CPU, and it reads from the start
            stuur = asyncio.run(stuurinformatie_na_afloop(platform, server.url, omgeving["TOEGANG_JWT_SECRET"], einde))
            print(f"  stuurinformatie bij na {stuur['bij_na_s']} s, figuren in {stuur['lezen_s']} s", flush=True)
            RESULTATEN_STUURINFORMATIE.write_text(json.dumps(stuur, indent=2, default=str) + "\n")

        resultaat = {
            "tijdstip": datetime.now(UTC).isoformat(timespec="seconds"),
            "instellingen": {
                "aantal": args.aantal,
                "batch": args.batch,
                "clients": args.clients,
                "replicas": len(replicas),
                "seed": args.seed,
                "partners": len(partners),
            },
            "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
            "generator": gen_stats,
            "platform": p,
            "postgres": db,
            "outbox_leeg_na_s": outbox_s,
            "keten": keten,
            "events_in_stream": events,
            "referentie": ref,
            "verhouding": p["per_s"] / ref["per_s"],
            "doel_s": DOEL_S,
            "doel_gehaald": p["duur_s"] < DOEL_S and db["signalen"] == args.aantal,
            "cpu_s": {k: round(na[k] - voor[k], 2) for k in na},
            "wandtijd_s": round(p["duur_s"], 2),
        }
        _toon(resultaat)
        RESULTATEN.write_text(json.dumps(resultaat, indent=2, default=str) + "\n")
        print(f"\nGeschreven: {RESULTATEN}", flush=True)
        return 0 if resultaat["doel_gehaald"] else 1
    finally:
        ruim_op(platform, pg, server, tmp, args.bewaar)


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)

    return begrensd(draai, args)
