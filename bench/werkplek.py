"""`python -m bench werkplek`: page timings of the werkplek with a full werkvoorraad.

Starts a private nats-server, PostgreSQL, the four services and the werkplek (toegang.omgeving, as the
other benches), and gives one wijkcoach's team N open households (default 1,000) the fastest honest way:
`doorverwijzing-gedaan` events for that team straight onto NATS, where triage would put them; arrangement
builds each household's plan and termijnen from them. Waits until arrangement's werkvoorraad API holds
all N households, logs in through the werkplek's development login (httpx, a session cookie as a
browser has it), then times R requests (default 200) of `/werkvoorraad` and of `/huishoudens/{id}`,
one after the other, and as the reference in the same run the bare API calls behind each page, with the
same token: arrangement's werkvoorraad pages (`offset`, 500 a call) for the first, arrangement's
household plus triage's decisions per bron for the second. Prints median and p95 and the ratio, and
writes bench/resultaten-werkplek.json.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import nats

from bench.meten import begrensd, percentiel, ruim_op
from shared.events import DoorverwijzingGedaan, maak_event
from toegang.omgeving import SERVICES, NatsServer, Platform, Postgres, geheimen, migreer, vrije_poort
from werkplek import aanmelden

RESULTATEN = Path(__file__).resolve().parent / "resultaten-werkplek.json"
GEMEENTE = "GM1916"
TEAM = "gm1916-gebiedsteam-leidschendam"
OPRUIMTIJD_S = 30
API_PAGINA = 500


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench werkplek", description=__doc__.split("\n\n")[0])
    p.add_argument("--huishoudens", type=int, default=1000, help="open huishoudens in het team (standaard 1000)")
    p.add_argument("--verzoeken", type=int, default=200, help="verzoeken per pagina (standaard 200)")
    p.add_argument("--limiet", type=int, default=600, help="maximale looptijd in seconden (standaard 600)")
    p.add_argument("--bewaar", action="store_true", help="laat de tijdelijke map (logs, data) staan")
    return p.parse_args(argv)


def _doorverwijzingen(aantal: int) -> list[tuple[str, bytes, dict[str, str]]]:
    nu = datetime.now(UTC)
    berichten = []
    for i in range(aantal):
        data = DoorverwijzingGedaan(
            doorverwijzing_id=uuid.uuid4(),
            gemeente=GEMEENTE,
            bron_id=uuid.uuid4(),
            bron_soort="melding",
            huishouden_id=hashlib.sha256(f"bench-werkplek-{i}".encode()).hexdigest(),
            wijk="damsigt",
            route="wijkteam",
            team_id=TEAM,
            urgentie="regulier",
            termijn_tot=nu + timedelta(hours=1 + i % 240),  # spread over ten days: several deadline states
            termijn_grondslag="outreach-2-werkdagen",
            regel_id="bench-werkplek",
            toelichting="bench",
        )
        event = maak_event(
            data, service="triage", gemeente=GEMEENTE, subject=str(data.doorverwijzing_id), correlatieid=str(i)
        )
        berichten.append((event.nats_subject, event.model_dump_json().encode(), {"Nats-Msg-Id": str(event.id)}))
    return berichten


async def _publiceer(nats_url: str, berichten) -> None:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        for begin in range(0, len(berichten), 256):
            await asyncio.gather(*(js.publish(s, b, headers=h) for s, b, h in berichten[begin : begin + 256]))
    finally:
        await nc.drain()


async def _werkvoorraad_api(api: httpx.AsyncClient, kop: dict[str, str]) -> list[dict]:
    """What the werkplek asks for /werkvoorraad: every page of arrangement's werkvoorraad."""
    rijen: list[dict] = []
    while True:
        r = await api.get("/v1/werkvoorraad", params={"offset": len(rijen), "limit": API_PAGINA}, headers=kop)
        r.raise_for_status()
        blad = r.json()["werkvoorraad"]
        rijen.extend(blad)
        if len(blad) < API_PAGINA:
            return rijen


async def _huishouden_api(arr: httpx.AsyncClient, tri: httpx.AsyncClient, kop: dict[str, str], hid: str) -> None:
    """What the werkplek asks for /huishoudens/{id}: the household, then triage's decisions per bron."""
    r = await arr.get(f"/v1/huishoudens/{hid}", headers=kop)
    r.raise_for_status()
    bronnen = {
        str(t["bron_id"])
        for t in r.json().get("tijdlijn") or []
        if t.get("soort") == "doorverwijzing" and t.get("bron_id") and t.get("bron_soort") != "plan"
    }
    antwoorden = await asyncio.gather(*(tri.get("/v1/besluiten", params={"bron_id": b}, headers=kop) for b in bronnen))
    for a in antwoorden:
        a.raise_for_status()


async def _tijden(n: int, *vragen) -> list[list[float]]:
    """n rounds; in each, every `vraag` once, one after the other: page and reference take turns, so a
    change in the machine's load (other processes) weighs on both alike."""
    tijden: list[list[float]] = [[] for _ in vragen]
    for i in range(n):
        for vraag, lijst in zip(vragen, tijden, strict=True):
            begin = time.perf_counter()
            await vraag(i)
            lijst.append((time.perf_counter() - begin) * 1000)
    return tijden


def _samenvatting(tijden: list[float]) -> dict[str, float]:
    return {
        "n": len(tijden),
        "mediaan_ms": round(statistics.median(tijden), 2),
        "p95_ms": round(percentiel(tijden, 0.95), 2),
        "max_ms": round(max(tijden), 2),
    }


async def _meet(platform: Platform, secret: str, args) -> dict:
    waarden = {"rol": "wijkcoach", "gemeente": GEMEENTE, "team": TEAM, "bsn": "", "partner_id": ""}
    kop = {"Authorization": f"Bearer {aanmelden.ontwikkeltoken(secret, waarden).token}"}
    werkplek_url = f"http://127.0.0.1:{platform.werkplek_poort}"
    async with (
        httpx.AsyncClient(base_url=platform.services["arrangement"].url, timeout=60) as arr,
        httpx.AsyncClient(base_url=platform.services["triage"].url, timeout=60) as tri,
        httpx.AsyncClient(base_url=werkplek_url, timeout=60) as w,
    ):
        print(f"Wachten tot de werkvoorraad {args.huishoudens} huishoudens heeft", flush=True)
        einde = time.monotonic() + 240
        while True:
            rijen = await _werkvoorraad_api(arr, kop)
            huishoudens = sorted({r["huishouden_id"] for r in rijen})
            if len(huishoudens) >= args.huishoudens:
                break
            if time.monotonic() > einde:
                raise RuntimeError(f"na 240 s {len(huishoudens)} van de {args.huishoudens} huishoudens")
            await asyncio.sleep(1)
        eerste_blad = (await arr.get("/v1/werkvoorraad", headers=kop)).json()["werkvoorraad"]
        print(f"  {len(huishoudens)} huishoudens, {len(rijen)} open termijnen", flush=True)

        pagina = await w.get("/inloggen")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', pagina.text).group(1)  # type: ignore[union-attr]
        r = await w.post("/inloggen", data={"csrf_token": csrf, **waarden}, headers={"Origin": werkplek_url})
        assert r.status_code == 303, r.text
        lijst = await w.get("/werkvoorraad")
        lijst.raise_for_status()
        getoond = len(re.findall(r'href="/huishoudens/', lijst.text))
        telling = re.search(r"(\d+) open termijnen", lijst.text)
        paginas = re.search(r"Pagina \d+ van (\d+)", lijst.text)
        laatste = await w.get("/werkvoorraad", params={"pagina": paginas.group(1) if paginas else "1"})
        op_laatste = len(re.findall(r'href="/huishoudens/', laatste.text))

        async def werkvoorraad_pagina(i: int) -> None:
            (await w.get("/werkvoorraad")).raise_for_status()

        async def huishouden_pagina(i: int) -> None:
            (await w.get(f"/huishoudens/{huishoudens[i % len(huishoudens)]}")).raise_for_status()

        async def werkvoorraad_kaal(i: int) -> None:
            await _werkvoorraad_api(arr, kop)

        async def huishouden_kaal(i: int) -> None:
            await _huishouden_api(arr, tri, kop, huishoudens[i % len(huishoudens)])

        await _tijden(5, werkvoorraad_pagina, werkvoorraad_kaal, huishouden_pagina, huishouden_kaal)  # warm-up
        n = args.verzoeken
        print(f"Meten: {n} verzoeken per pagina en per API-referentie, om en om", flush=True)
        wp, wa = await _tijden(n, werkvoorraad_pagina, werkvoorraad_kaal)
        hp, ha = await _tijden(n, huishouden_pagina, huishouden_kaal)
        uitkomst = {
            "werkvoorraad_pagina": _samenvatting(wp),
            "werkvoorraad_api": _samenvatting(wa),
            "huishouden_pagina": _samenvatting(hp),
            "huishouden_api": _samenvatting(ha),
        }
        return {
            "huishoudens": len(huishoudens),
            "open_termijnen": len(rijen),
            "api_een_verzoek_zonder_offset": len(eerste_blad),
            "api_verzoeken_per_werkvoorraad": len(rijen) // API_PAGINA + 1,
            "pagina": {
                "telling_op_de_pagina": int(telling.group(1)) if telling else None,
                "rijen_op_pagina_1": getoond,
                "paginas": int(paginas.group(1)) if paginas else 1,
                "rijen_op_de_laatste_pagina": op_laatste,
                "bytes_pagina_1": len(lijst.content),
            },
            "tijden": uitkomst,
        }


def _toon(uit: dict) -> None:
    t = uit["tijden"]
    print(f"\n{'':<24}{'n':>6}{'mediaan ms':>12}{'p95 ms':>10}{'max ms':>10}")
    for naam, r in t.items():
        print(f"{naam:<24}{r['n']:>6}{r['mediaan_ms']:>12.1f}{r['p95_ms']:>10.1f}{r['max_ms']:>10.1f}")
    for pagina in ("werkvoorraad", "huishouden"):
        v = uit["pagina_gedeeld_door_api"][pagina]
        print(f"{pagina}: pagina / API  mediaan {v['mediaan']:.2f}x   p95 {v['p95']:.2f}x")
    p = uit["pagina"]
    print(
        f"\nDe werkvoorraad: {uit['huishoudens']} huishoudens, {uit['open_termijnen']} open termijnen; de API geeft er "
        f"{uit['api_een_verzoek_zonder_offset']} per verzoek (de werkplek vraagt "
        f"{uit['api_verzoeken_per_werkvoorraad']} keer); de pagina telt {p['telling_op_de_pagina']} "
        f"en toont er {p['rijen_op_pagina_1']} per pagina, "
        f"{p['paginas']} pagina's (de laatste {p['rijen_op_de_laatste_pagina']})."
    )


def draai(args) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="toegang-bench-werkplek-"))
    server = pg = platform = None
    try:
        server = NatsServer(tmp / "nats")
        server.start()
        print("PostgreSQL starten en migreren", flush=True)
        pg = Postgres(tmp / "pg")
        pg.start(eigen_database=True)
        assert pg.database_url is not None  # set by start()
        migreer(pg.database_url)
        omgeving = geheimen(tmp)
        platform = Platform(
            server.url,
            pg.database_url,
            omgeving,
            tmp / "logs",
            poorten={naam: vrije_poort() for naam in SERVICES},
            werkplek_poort=vrije_poort(),
        )
        print("De vier services en de werkplek starten", flush=True)
        platform.start(timeout=90)
        platform.start_werkplek()
        platform.wacht_op_werkplek(60)
        print(f"{args.huishoudens} doorverwijzingen publiceren", flush=True)
        asyncio.run(_publiceer(server.url, _doorverwijzingen(args.huishoudens)))
        uit = asyncio.run(_meet(platform, omgeving["TOEGANG_JWT_SECRET"], args))
        t = uit["tijden"]
        uit["pagina_gedeeld_door_api"] = {
            p: {
                "mediaan": round(t[f"{p}_pagina"]["mediaan_ms"] / t[f"{p}_api"]["mediaan_ms"], 3),
                "p95": round(t[f"{p}_pagina"]["p95_ms"] / t[f"{p}_api"]["p95_ms"], 3),
            }
            for p in ("werkvoorraad", "huishouden")
        }
        _toon(uit)
        RESULTATEN.write_text(
            json.dumps(
                {
                    "tijdstip": datetime.now(UTC).isoformat(timespec="seconds"),
                    "instellingen": {"huishoudens": args.huishoudens, "verzoeken": args.verzoeken},
                    "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
                    **uit,
                },
                indent=2,
            )
            + "\n"
        )
        print(f"\nGeschreven: {RESULTATEN}", flush=True)
        return 0
    finally:
        if platform is not None:
            platform.stop_werkplek()
        ruim_op(platform, pg, server, tmp, args.bewaar)


def main(argv: list[str] | None = None) -> int:
    return begrensd(draai, _args(argv))
