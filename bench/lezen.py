"""`python -m bench lezen`: the two reads a wijkcoach does all day, at a national scale of data.

Starts nats-server, PostgreSQL and arrangement; lets arrangement itself make the plans of one team's
2,000 households (doorverwijzing-gedaan on the bus), then loads the rest of a gemeente straight into the
database: in all `--huishoudens` households (100,000) with their plan, version and an open deadline, and
`--tijdlijn` timeline entries (1,000,000), cloned from the rows arrangement wrote. Then measures
GET /v1/werkvoorraad (the team's 2,000 open items, as the werkplek pages through them, 500 a call, and one
call of 50) and GET /v1/huishoudens/{id}, and prints the query plans of the two reads (EXPLAIN ANALYZE)."""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
import httpx

from bench.meten import begrensd, percentiel, ruim_op
from bench.werkplek import GEMEENTE, TEAM, _doorverwijzingen, _publiceer, _samenvatting, _werkvoorraad_api
from toegang.omgeving import NatsServer, Platform, Postgres, asyncpg_dsn, geheimen, migreer, vrije_poort
from werkplek import aanmelden

TEAM_HUISHOUDENS = 2000


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench lezen", description=__doc__.split("\n\n")[0])
    p.add_argument("--huishoudens", type=int, default=100_000, help="huishoudens in de gemeente (standaard 100000)")
    p.add_argument("--tijdlijn", type=int, default=1_000_000, help="tijdlijnregels in totaal (standaard 1000000)")
    p.add_argument("--verzoeken", type=int, default=200, help="verzoeken per meting (standaard 200)")
    p.add_argument("--limiet", type=int, default=900, help="maximale looptijd in seconden (standaard 900)")
    p.add_argument("--bewaar", action="store_true", help="laat de tijdelijke map (logs, data) staan")
    return p.parse_args(argv)


KLONEN = """
CREATE TEMP TABLE kloon AS
  SELECT i, md5('bench-a' || i) || md5('bench-b' || i) AS hid, gen_random_uuid() AS pid,
         'gm1916-bench-' || (i % 49) AS team
  FROM generate_series(1, $1::int) i;
INSERT INTO arrangement.plannen (plan_id, gemeente, huishouden_id, status, versie, regisseur, evaluatie_op,
                                 aangemaakt_op, wijk)
  SELECT k.pid, t.gemeente, k.hid, 'actief', t.versie, jsonb_set(t.regisseur, '{team_id}', to_jsonb(k.team)),
         t.evaluatie_op, t.aangemaakt_op, t.wijk
  FROM kloon k, (SELECT * FROM arrangement.plannen LIMIT 1) t;
INSERT INTO arrangement.planversies (plan_id, versie, regisseur, doelen, voorzieningen, evaluatie_op, opgesteld_op,
                                     mantelzorg, gebruikelijke_zorg, opgesteld_door)
  SELECT k.pid, t.versie, t.regisseur, t.doelen, t.voorzieningen, t.evaluatie_op, t.opgesteld_op, t.mantelzorg,
         t.gebruikelijke_zorg, t.opgesteld_door
  FROM kloon k, (SELECT * FROM arrangement.planversies LIMIT 1) t;
INSERT INTO arrangement.termijnen (huishouden_id, plan_id, bron_id, team_id, termijn_grondslag, termijn_tot, status,
                                   gemeente, soort, bij_lopend_plan)
  SELECT k.hid, k.pid, gen_random_uuid(), k.team, t.termijn_grondslag, now() + (k.i % 240) * interval '1 hour',
         'open', t.gemeente, t.soort, false
  FROM kloon k, (SELECT * FROM arrangement.termijnen LIMIT 1) t;
"""
TIJDLIJN = """
INSERT INTO arrangement.tijdlijn (huishouden_id, plan_id, soort, bron_id, bron_soort, details, tijdstip)
  SELECT p.huishouden_id, p.plan_id, t.soort, gen_random_uuid(), t.bron_soort, t.details, now() - s * interval '1 day'
  FROM arrangement.plannen p, generate_series(1, $1::int) s,
       (SELECT * FROM arrangement.tijdlijn ORDER BY id LIMIT 1) t;  -- without its doorverwijzing_id (unique)
"""


async def _laad(database_url: str, extra: int, tijdlijn_totaal: int) -> dict[str, int]:
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        await conn.execute("SELECT 1")
        async with conn.transaction():
            await conn.execute(KLONEN.replace("$1::int", str(extra)))
            huishoudens = await conn.fetchval("SELECT count(*) FROM arrangement.plannen")
            al = await conn.fetchval("SELECT count(*) FROM arrangement.tijdlijn")
            per = max(0, -(-(tijdlijn_totaal - al) // huishoudens))  # rounded up: at least the total
            await conn.execute(TIJDLIJN.replace("$1::int", str(per)))
        await conn.execute("ANALYZE")
        return {
            "huishoudens": huishoudens,
            "tijdlijn": await conn.fetchval("SELECT count(*) FROM arrangement.tijdlijn"),
            "open_termijnen": await conn.fetchval("SELECT count(*) FROM arrangement.termijnen WHERE status = 'open'"),
        }
    finally:
        await conn.close()


async def _plannen(database_url: str) -> dict[str, str]:
    """How PostgreSQL runs the two reads' main statements now (their shape as repository.py issues them)."""
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        hid = await conn.fetchval("SELECT huishouden_id FROM arrangement.termijnen WHERE team_id = $1 LIMIT 1", TEAM)
        vragen = {
            # repository.open_termijnen_van: the caller's teams or the caller as medewerker, in his gemeente
            "werkvoorraad (open termijnen van een team of medewerker, vroegste eerst)": (
                "SELECT * FROM arrangement.termijnen WHERE status = 'open' AND gemeente = 'GM1916' "
                "AND (team_id = ANY(ARRAY[$1]) OR medewerker_id = 'bench-medewerker') "
                "ORDER BY termijn_tot, id LIMIT 500",
                TEAM,
            ),
            "tijdlijn van een huishouden": (
                "SELECT * FROM arrangement.tijdlijn WHERE huishouden_id = $1 ORDER BY tijdstip, id",
                hid,
            ),
        }
        uit = {}
        for naam, (sql, arg) in vragen.items():
            regels = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, arg)
            uit[naam] = "\n".join(r[0] for r in regels)
        return uit
    finally:
        await conn.close()


async def _meet(platform: Platform, secret: str, args) -> dict:
    waarden = {"rol": "wijkcoach", "gemeente": GEMEENTE, "team": TEAM, "bsn": "", "partner_id": ""}
    kop = {"Authorization": f"Bearer {aanmelden.ontwikkeltoken(secret, waarden).token}"}
    async with httpx.AsyncClient(base_url=platform.services["arrangement"].url, timeout=60) as arr:
        rijen = await _werkvoorraad_api(arr, kop)
        huishoudens = sorted({r["huishouden_id"] for r in rijen})
        rng = random.Random(16)
        tijden: dict[str, list[float]] = {"werkvoorraad_alles": [], "werkvoorraad_50": [], "huishouden": []}
        for _ in range(args.verzoeken):
            for naam, vraag in (
                ("werkvoorraad_alles", lambda: _werkvoorraad_api(arr, kop)),
                ("werkvoorraad_50", lambda: arr.get("/v1/werkvoorraad", params={"limit": 50}, headers=kop)),
                ("huishouden", lambda: arr.get(f"/v1/huishoudens/{rng.choice(huishoudens)}", headers=kop)),
            ):
                begin = time.perf_counter()
                antwoord = await vraag()
                if isinstance(antwoord, httpx.Response):
                    antwoord.raise_for_status()
                tijden[naam].append((time.perf_counter() - begin) * 1000)
    return {
        "rijen_in_de_werkvoorraad": len(rijen),
        "tijden": {n: {**_samenvatting(t), "p99_ms": round(percentiel(t, 0.99), 2)} for n, t in tijden.items()},
    }


def draai(args) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="toegang-bench-lezen-"))
    server = pg = platform = None
    try:
        server = NatsServer(tmp / "nats")
        server.start()
        pg = Postgres(tmp / "pg")
        pg.start(eigen_database=True)
        assert pg.database_url is not None
        migreer(pg.database_url)
        omgeving = geheimen(tmp)
        platform = Platform(server.url, pg.database_url, omgeving, tmp / "logs", poorten={"arrangement": vrije_poort()})
        platform.start_service("arrangement")
        platform.wacht_tot_gezond(90)
        print(f"{TEAM_HUISHOUDENS} huishoudens van {TEAM} via arrangement zelf", flush=True)
        asyncio.run(_publiceer(server.url, _doorverwijzingen(TEAM_HUISHOUDENS)))
        secret = omgeving["TOEGANG_JWT_SECRET"]
        asyncio.run(_wacht_op_team(pg.database_url))
        print(f"De gemeente aanvullen tot {args.huishoudens} huishoudens en {args.tijdlijn} tijdlijnregels", flush=True)
        begin = time.monotonic()
        geladen = asyncio.run(_laad(pg.database_url, args.huishoudens - TEAM_HUISHOUDENS, args.tijdlijn))
        print(f"  geladen in {time.monotonic() - begin:.0f} s: {geladen}", flush=True)
        uit = asyncio.run(_meet(platform, secret, args))
        plannen = asyncio.run(_plannen(pg.database_url))
        print(f"\n{'':<22}{'n':>6}{'mediaan ms':>12}{'p95 ms':>10}{'p99 ms':>10}{'max ms':>10}")
        for naam, t in uit["tijden"].items():
            print(f"{naam:<22}{t['n']:>6}{t['mediaan_ms']:>12}{t['p95_ms']:>10}{t['p99_ms']:>10}{t['max_ms']:>10}")
        print(f"(werkvoorraad_alles: {uit['rijen_in_de_werkvoorraad']} rijen, 500 per verzoek)")
        for naam, plan in plannen.items():
            print(f"\nEXPLAIN {naam}:\n{plan}")
        return 0
    finally:
        ruim_op(platform, pg, server, tmp, args.bewaar)


async def _wacht_op_team(database_url: str) -> None:
    """Until arrangement made a plan for every household of the team."""
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    einde = time.monotonic() + 300
    try:
        while await conn.fetchval("SELECT count(*) FROM arrangement.plannen") < TEAM_HUISHOUDENS:
            if time.monotonic() > einde:
                raise SystemExit("arrangement maakte de plannen van het team niet binnen 300 s")
            await asyncio.sleep(1)
    finally:
        await conn.close()


def main(argv: list[str] | None = None) -> int:
    return begrensd(draai, _args(argv))


if __name__ == "__main__":
    sys.exit(main())
