"""One measurement: publish meldingen pipelined to JetStream, wait for what comes out at the end of the chain.

Latency per melding = receipt of its result (matched on `correlatieid`) minus the moment its publish
was issued; throughput = arrived / (last receipt - first publish). Platform and bare relay are
measured by this same code, with the same messages.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from nats.aio.client import Client
from nats.js import JetStreamContext

from bench.meldingen import Bericht

CHUNK = 256  # publishes in flight at once


@dataclass
class Resultaat:
    naam: str
    aantal: int
    aangekomen: int
    duur_s: float | None
    doorvoer_per_s: float | None
    p50_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    publiceren_s: float  # how long the publisher needed for all N (the input rate)

    @property
    def compleet(self) -> bool:
        return self.aangekomen == self.aantal

    def als_dict(self) -> dict:
        return asdict(self)


def percentiel(waarden: list[float], p: float) -> float:
    geordend = sorted(waarden)
    return geordend[max(0, math.ceil(p * len(geordend)) - 1)]


async def meet(naam: str, nc: Client, js: JetStreamContext, berichten: list[Bericht], sink: str,
               deadline: float, stil_timeout: float = 30.0,
               subject: Callable[[Bericht], str] = lambda b: b.subject) -> Resultaat:
    """Publish `berichten` and wait for their results on `sink` until all arrived, `deadline`
    (time.monotonic) passes, or nothing arrived for `stil_timeout` seconds."""
    verzonden: dict[str, float] = {}
    ontvangen: dict[str, float] = {}
    alles_binnen = asyncio.Event()

    async def bij_resultaat(msg) -> None:
        nu = time.perf_counter()
        cid = json.loads(msg.data).get("correlatieid")
        if cid in verzonden and cid not in ontvangen:  # first receipt counts; a redelivery does not
            ontvangen[cid] = nu
            if len(ontvangen) == len(berichten):
                alles_binnen.set()

    sub = await nc.subscribe(sink, cb=bij_resultaat)
    await nc.flush()
    start = time.perf_counter()
    for i in range(0, len(berichten), CHUNK):
        publicaties = []
        for b in berichten[i:i + CHUNK]:
            verzonden[b.correlatieid] = time.perf_counter()
            publicaties.append(js.publish(subject(b), b.payload, headers=b.headers, timeout=30))
        await asyncio.gather(*publicaties)
    publiceren_s = time.perf_counter() - start

    gezien, laatste_voortgang = 0, time.monotonic()
    while not alles_binnen.is_set() and time.monotonic() < deadline:
        try:
            await asyncio.wait_for(alles_binnen.wait(), min(1.0, max(0.01, deadline - time.monotonic())))
        except TimeoutError:
            pass
        if len(ontvangen) > gezien:
            gezien, laatste_voortgang = len(ontvangen), time.monotonic()
        elif time.monotonic() - laatste_voortgang > stil_timeout:
            break
    await sub.unsubscribe()

    if not ontvangen:
        return Resultaat(naam, len(berichten), 0, None, None, None, None, None, publiceren_s)
    latenties = [(t - verzonden[cid]) * 1000 for cid, t in ontvangen.items()]
    duur = max(ontvangen.values()) - start
    return Resultaat(naam, len(berichten), len(ontvangen), duur, len(ontvangen) / duur,
                     percentiel(latenties, 0.50), percentiel(latenties, 0.99), max(latenties), publiceren_s)
