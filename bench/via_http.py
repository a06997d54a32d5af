"""The platform measured as a partner loads it: meldingen posted to intake over HTTP by concurrent clients,
each timed from the start of its POST until its `plan-opgesteld` is seen on the bus (matched on
`correlatieid`, the melding id). All at once with `clients` in flight, one at a time, or at a steady rate
(`per_seconde`).

The client is asynchronous and cheap: aiohttp. The load generator shares the machine's cores with the
platform it measures: with httpx, 3.9 ms of CPU per melding (a fifth of the machine) went to processes
other than the services, mostly this one; with aiohttp this process takes 0.4-0.6 ms (decision 0025). The
benchmark prints its share beside the services'."""

from __future__ import annotations

import asyncio
import json
import random
import time

import aiohttp
from nats.aio.client import Client

from bench.meten import Resultaat, percentiel, wacht_tot
from shared.privacy import elfproef

POSTCODES = ("2261 AA", "2262 BB", "2263 CC", "2264 AB", "2265 DD")
WIJKEN_PC = len(POSTCODES)


def bsn(rng: random.Random) -> str:
    while True:
        kandidaat = "".join(str(rng.randint(0, 9)) for _ in range(9))
        if kandidaat[0] != "0" and elfproef(kandidaat):
            return kandidaat


def meldingen(aantal: int, begin: int, seed: int = 16) -> list[dict]:
    """Valid POST /v1/meldingen bodies, a household each (postcode, huisnummer and toevoeging differ)."""
    rng = random.Random(seed * 1_000_003 + begin)
    uit = []
    for i in range(begin, begin + aantal):
        uit.append(
            {
                "gemeente": "GM1916",
                "kanaal": "digitaal",
                "soort": "hulpvraag",
                "melder": {"type": "inwoner_zelf", "wil_terugkoppeling": False},
                "betreft": {
                    "personen": [{"bsn": bsn(rng)}],
                    "adres": {
                        "postcode": POSTCODES[i % WIJKEN_PC],
                        "huisnummer": 1 + (i // WIJKEN_PC) % 99_999,
                        "toevoeging": f"B{i // (WIJKEN_PC * 99_999)}",
                    },
                },
                "omschrijving": "Benchmark: hulpvraag over geldzaken.",
                "levensgebieden": ["financien"],
                "zrm": {"financien": 3},
                "veiligheid": {"huiselijk_geweld": False, "kindermishandeling": False, "acuut_gevaar": False},
                "inwoner_op_de_hoogte": True,
            }
        )
    return uit


async def meet_http(
    naam: str,
    nc: Client,
    intake_url: str,
    token: str,
    bodies: list[dict],
    sink: str,
    deadline: float,
    stil_timeout: float = 30.0,
    clients: int = 32,
    per_seconde: float | None = None,
    een_voor_een: bool = False,
) -> Resultaat:
    begonnen: dict[str, float] = {}
    aangekomen: dict[str, float] = {}  # every plan-opgesteld seen, also before its POST's answer was read
    geweigerd = 0

    aankomst = asyncio.Event()
    wachtend: set[str] = set()  # what `klaar` waits for and has not arrived yet

    async def bij_resultaat(msg) -> None:
        cid = json.loads(msg.data).get("correlatieid")
        if cid not in aangekomen:
            aangekomen[cid] = time.perf_counter()
            wachtend.discard(cid)
            aankomst.set()

    sub = await nc.subscribe(sink, cb=bij_resultaat)
    await nc.flush()
    slot = asyncio.Semaphore(1 if een_voor_een else clients)
    kop = {"Authorization": f"Bearer {token}"}
    verbindingen = aiohttp.TCPConnector(limit=clients)

    async def klaar(ids: set[str]) -> bool:
        wachtend.clear()
        wachtend.update(ids - aangekomen.keys())
        return await wacht_tot(aankomst, lambda: not wachtend, deadline, stil_timeout)

    async with aiohttp.ClientSession(
        base_url=intake_url, headers=kop, connector=verbindingen, timeout=aiohttp.ClientTimeout(total=60.0)
    ) as http:

        async def post(body: dict) -> None:
            nonlocal geweigerd
            async with slot:
                t = time.perf_counter()
                async with http.post("/v1/meldingen", json=body) as r:
                    if r.status != 201:
                        geweigerd += 1
                        return
                    melding_id = (await r.json())["melding_id"]
                begonnen[melding_id] = t
                if een_voor_een:
                    await klaar({melding_id})

        start = time.perf_counter()
        taken = []
        for i, body in enumerate(bodies):
            if per_seconde:
                await asyncio.sleep(max(0.0, start + i / per_seconde - time.perf_counter()))
            taken.append(asyncio.create_task(post(body)))
        await asyncio.gather(*taken)
        publiceren_s = time.perf_counter() - start
        await klaar(set(begonnen))
    await sub.unsubscribe()
    if geweigerd:
        print(f"  let op: {geweigerd} POSTs kregen geen 201", flush=True)
    latenties = [(aangekomen[m] - t) * 1000 for m, t in begonnen.items() if m in aangekomen]
    if not latenties:
        return Resultaat(naam, len(bodies), 0, None, None, None, None, None, publiceren_s)
    duur = max(aangekomen[m] for m in begonnen if m in aangekomen) - start
    return Resultaat(
        naam,
        len(bodies),
        len(latenties),
        duur,
        len(latenties) / duur,
        percentiel(latenties, 0.50),
        percentiel(latenties, 0.99),
        max(latenties),
        publiceren_s,
    )
