"""One measurement: publish meldingen pipelined to JetStream, wait for what comes out at the end of the chain.

Latency per melding = receipt of its result (matched on `correlatieid`) minus the moment its publish
was issued; throughput = arrived / (last receipt - first publish). Platform and bare relay are
measured by this same code, with the same messages.
"""

from __future__ import annotations

import asyncio
import json
import math
import shutil
import signal
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

import asyncpg
from nats.aio.client import Client
from nats.js import JetStreamContext

from bench.meldingen import Bericht
from toegang.omgeving import asyncpg_dsn

CHUNK = 256  # publishes in flight at once


async def durables_bij(js: JetStreamContext, consumers: Iterable, tot: float, keer: int = 1, pauze: float = 0.2):
    """Until each durable of `consumers` (shared.topology.Consumer) has nothing pending and nothing
    unacknowledged, `keer` readings in a row `pauze` s apart; returns the seconds that took, or None when
    not by `tot` (time.monotonic)."""
    consumers = list(consumers)
    begin, rustig = time.monotonic(), 0
    while time.monotonic() < tot:
        infos = [await js.consumer_info(c.stream, c.durable) for c in consumers]
        rustig = rustig + 1 if all(i.num_pending == 0 and i.num_ack_pending == 0 for i in infos) else 0
        if rustig >= keer:
            return time.monotonic() - begin
        await asyncio.sleep(pauze)
    return None


async def analyseer(database_url: str) -> None:
    """ANALYZE, before a measured phase, as pgbench vacuums before its runs: PostgreSQL keeps the generic
    plan it cached while a table was nearly empty (a sequential scan) until autovacuum's next analyze, and
    autovacuum looks once a minute, longer than a phase lasts. A database that lives longer than a benchmark
    has its statistics; without this the benchmark measures the first minute of a new one (decision 0027)."""
    verbinding = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        await verbinding.execute("ANALYZE")
    finally:
        await verbinding.close()


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


async def wacht_tot(aankomst: asyncio.Event, klaar: Callable[[], bool], deadline: float, stil_timeout: float) -> bool:
    """Wait until `klaar()`, woken by `aankomst` at each result (no polling: the measuring process shares the
    machine's cores with what it measures); False when `deadline` (time.monotonic) passes or nothing arrived
    for `stil_timeout` seconds."""
    laatste_voortgang = time.monotonic()
    while not klaar():
        if time.monotonic() >= deadline or time.monotonic() - laatste_voortgang > stil_timeout:
            return False
        aankomst.clear()
        try:
            async with asyncio.timeout(min(1.0, max(0.01, deadline - time.monotonic()))):
                await aankomst.wait()
            laatste_voortgang = time.monotonic()
        except TimeoutError:
            pass
    return True


def percentiel(waarden: list[float], p: float) -> float:
    geordend = sorted(waarden)
    return geordend[max(0, math.ceil(p * len(geordend)) - 1)]


async def meet(
    naam: str,
    nc: Client,
    js: JetStreamContext,
    berichten: list[Bericht],
    sink: str,
    deadline: float,
    stil_timeout: float = 30.0,
    een_voor_een: bool = False,
    subject: Callable[[Bericht], str] = lambda b: b.subject,
) -> Resultaat:
    """Publish `berichten` and wait for their results on `sink` until all arrived, `deadline`
    (time.monotonic) passes, or nothing arrived for `stil_timeout` seconds.

    All at once (pipelined, CHUNK publishes in flight), or `een_voor_een`: each melding only after the
    previous one's result arrived, which gives the latency without any queue."""
    verzonden: dict[str, float] = {}
    ontvangen: dict[str, float] = {}
    aankomst = asyncio.Event()

    async def bij_resultaat(msg) -> None:
        nu = time.perf_counter()
        cid = json.loads(msg.data).get("correlatieid")
        if cid in verzonden and cid not in ontvangen:  # first receipt counts; a redelivery does not
            ontvangen[cid] = nu
            aankomst.set()

    def alles_binnen() -> bool:
        return len(ontvangen) == len(verzonden)

    sub = await nc.subscribe(sink, cb=bij_resultaat)
    await nc.flush()
    start = time.perf_counter()
    stap = 1 if een_voor_een else CHUNK
    for i in range(0, len(berichten), stap):
        publicaties = []
        for b in berichten[i : i + stap]:
            verzonden[b.correlatieid] = time.perf_counter()
            publicaties.append(js.publish(subject(b), b.payload, headers=b.headers, timeout=30))
        await asyncio.gather(*publicaties)
        if een_voor_een and not await wacht_tot(aankomst, alles_binnen, deadline, stil_timeout):
            break
    publiceren_s = time.perf_counter() - start
    await wacht_tot(aankomst, alles_binnen, deadline, stil_timeout)
    await sub.unsubscribe()

    if not ontvangen:
        return Resultaat(naam, len(berichten), 0, None, None, None, None, None, publiceren_s)
    latenties = [(t - verzonden[cid]) * 1000 for cid, t in ontvangen.items()]
    duur = max(ontvangen.values()) - start
    return Resultaat(
        naam,
        len(berichten),
        len(ontvangen),
        duur,
        len(ontvangen) / duur,
        percentiel(latenties, 0.50),
        percentiel(latenties, 0.99),
        max(latenties),
        publiceren_s,
    )


class Tijdslimiet(Exception):
    pass


def begrensd(draai, args) -> int:
    """Run `draai(args)` so that it stops by itself: after `args.limiet` seconds, or at Ctrl-C/SIGTERM.

    Ctrl-C and SIGTERM stop at once. (asyncio.run's own Ctrl-C handling only cancels the main task, and
    Python 3.11's wait_for, also inside nats-py, can swallow that cancellation.)"""

    def tijd_op(signum, frame):
        raise Tijdslimiet(f"tijdslimiet van {args.limiet}s bereikt")

    def gestopt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGALRM, tijd_op)
    signal.signal(signal.SIGINT, gestopt)
    signal.signal(signal.SIGTERM, gestopt)
    signal.alarm(args.limiet)
    try:
        return draai(args)
    except KeyboardInterrupt:
        print("Afgebroken.", file=sys.stderr)
        return 130
    except Tijdslimiet as fout:
        print(f"Gestopt: {fout}.", file=sys.stderr)
        return 124


def ruim_op(platform, pg, server, tmp, bewaar: bool) -> None:
    """Stop what a benchmark started, in reverse order, and remove its temporary directory."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
    signal.alarm(0)
    print("Opruimen", flush=True)
    for onderdeel in (platform, pg, server):
        if onderdeel:
            onderdeel.stop()
    if bewaar:
        print(f"Bewaard: {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
