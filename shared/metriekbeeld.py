"""The operator's picture without Prometheus: every service's `GET /metrics` read and summed up per service
(flow per consumer, lag, outbox, DLQ, connections, overdue deadlines). `toegang status` prints it; the
werkplek's /beheer shows it. Both read the same public endpoint a Prometheus would scrape.

Flow is a rate, so it needs two readings: `stroom(vorig, nu)` gives messages per second per consumer
between two pictures (the CLI reads twice; the werkplek keeps its previous picture).
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

import httpx
from prometheus_client.parser import text_string_to_metric_families

MISLUKT = frozenset({"opnieuw", "dlq", "onleesbaar", "database_weg"})


@dataclass
class Consumer:
    durable: str
    wachtend: int = 0
    onbevestigd: int = 0
    herbezorgd: int = 0
    afgehandeld: float = 0.0  # ok and duplicaat, since the process started
    mislukt: float = 0.0
    stroom_per_s: float | None = None


@dataclass
class Dienst:
    naam: str
    bereikbaar: bool = True
    verbindingen: dict[str, bool] = field(default_factory=dict)
    consumers: dict[str, Consumer] = field(default_factory=dict)
    outbox_rijen: int = 0
    outbox_oudste_s: float = 0.0
    gepubliceerd: float = 0.0
    dlq: int = 0
    termijnen: dict[str, tuple[int, int]] = field(default_factory=dict)  # gemeente -> (open, verlopen)


@dataclass
class Beeld:
    tijd: float
    diensten: list[Dienst]

    @property
    def verlopen_termijnen(self) -> int:
        return sum(v for d in self.diensten for _, v in d.termijnen.values())


def lees(naam: str, tekst: str) -> Dienst:
    """One service's picture from its /metrics text."""
    dienst = Dienst(naam)
    termijnen: dict[str, list[int]] = defaultdict(lambda: [0, 0])

    def consumer(labels: dict[str, str]) -> Consumer:
        return dienst.consumers.setdefault(labels["consumer"], Consumer(labels["consumer"]))

    for familie in text_string_to_metric_families(tekst):
        for s in familie.samples:
            n, lb, w = s.name, s.labels, s.value
            if n == "toegang_verbinding_op":
                dienst.verbindingen[lb["onderdeel"]] = w == 1
            elif n == "toegang_consumer_wachtend":
                consumer(lb).wachtend = int(w)
            elif n == "toegang_consumer_onbevestigd":
                consumer(lb).onbevestigd = int(w)
            elif n == "toegang_consumer_herbezorgd":
                consumer(lb).herbezorgd = int(w)
            elif n == "toegang_berichten_total":
                c = consumer(lb)
                if lb.get("uitkomst") in MISLUKT:
                    c.mislukt += w
                else:
                    c.afgehandeld += w
            elif n == "toegang_outbox_rijen":
                dienst.outbox_rijen = int(w)
            elif n == "toegang_outbox_oudste_seconden":
                dienst.outbox_oudste_s = w
            elif n == "toegang_outbox_gepubliceerd_total":
                dienst.gepubliceerd = w
            elif n == "toegang_dlq_vermeldingen":
                dienst.dlq = int(w)
            elif n in ("toegang_termijnen_open", "toegang_termijnen_verlopen"):
                termijnen[lb["gemeente"]][n.endswith("verlopen")] += int(w)
    dienst.termijnen = {g: (o, v) for g, (o, v) in sorted(termijnen.items())}
    return dienst


async def beeld(urls: dict[str, str], client: httpx.AsyncClient | None = None) -> Beeld:
    """Read every service's /metrics (name -> base URL); a service that does not answer is `bereikbaar=False`."""
    eigen = client is None
    client = client or httpx.AsyncClient(timeout=5.0)
    diensten = []
    try:
        for naam, basis in urls.items():
            try:
                r = await client.get(basis.rstrip("/") + "/metrics")
                r.raise_for_status()
                diensten.append(lees(naam, r.text))
            except httpx.HTTPError:
                diensten.append(Dienst(naam, bereikbaar=False))
    finally:
        if eigen:
            await client.aclose()
    return Beeld(time.time(), diensten)


def stroom(vorig: Beeld | None, nu: Beeld) -> Beeld:
    """Fill in messages per second per consumer since the previous picture (when there is one)."""
    if vorig is None or nu.tijd <= vorig.tijd:
        return nu
    eerder = {(d.naam, c.durable): c.afgehandeld for d in vorig.diensten for c in d.consumers.values()}
    for d in nu.diensten:
        for c in d.consumers.values():
            if (d.naam, c.durable) in eerder:
                c.stroom_per_s = max(c.afgehandeld - eerder[(d.naam, c.durable)], 0.0) / (nu.tijd - vorig.tijd)
    return nu


def als_tekst(b: Beeld) -> str:
    """The picture for a terminal (`toegang status`)."""
    regels = []
    for d in b.diensten:
        if not d.bereikbaar:
            regels.append(f"{d.naam}: ONBEREIKBAAR")
            continue
        op = ", ".join(f"{k} {'op' if v else 'WEG'}" for k, v in sorted(d.verbindingen.items()))
        regels.append(f"{d.naam}: {op}; outbox {d.outbox_rijen} rijen (oudste {d.outbox_oudste_s:.1f} s); DLQ {d.dlq}")
        for c in sorted(d.consumers.values(), key=lambda c: c.durable):
            stroom_ = f"{c.stroom_per_s:6.1f}/s" if c.stroom_per_s is not None else "      -"
            regels.append(
                f"  {c.durable:<28} {stroom_}  wachtend {c.wachtend:>6}  onbevestigd {c.onbevestigd:>4}  "
                f"herbezorgd {c.herbezorgd:>4}  afgehandeld {int(c.afgehandeld):>7}  mislukt {int(c.mislukt):>4}"
            )
        for gemeente, (open_, verlopen) in d.termijnen.items():
            regels.append(f"  termijnen {gemeente}: {open_} open, {verlopen} verlopen")
    return "\n".join(regels)
