"""`GET /metrics` (Prometheus text format): page views and the service calls behind them.

No label carries an id, a key or personal data (shared/CONTRACT.md, "Metrics"): a page is counted by
its route TEMPLATE (`/huishoudens/{huishouden_id}`, never the path with the key in it), a request that
matched no route as `onbekend`; a status as its class (`2xx`); a service call by the service's name and
method only (its path holds the household key). Each app has a registry of its own, so several apps
in one process (the tests) do not share or clash.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CollectorRegistry, Counter, Histogram

from shared.metrics import MS_BUCKETS, ONBEKEND, antwoord, route_van, statusklasse
from werkplek.diensten import Diensten

__all__ = ["ONBEKEND", "Metriek", "installeer"]
_START = "werkplek_metriek_start"


class Metriek:
    def __init__(self) -> None:
        self.register = CollectorRegistry()
        self.paginas = Counter(
            "werkplek_paginas",
            "Pagina's en andere antwoorden van de werkplek, per route-sjabloon en statusklasse.",
            ["route", "methode", "status"],
            registry=self.register,
        )
        self.duur = Histogram(
            "werkplek_pagina_seconden",
            "Hoe lang de werkplek over een antwoord deed, per route-sjabloon.",
            ["route"],
            registry=self.register,
        )
        self.dienst = Histogram(
            "werkplek_dienst_seconden",
            "Duur van een aanroep van een service, per service, methode en statusklasse.",
            ["dienst", "methode", "status"],
            buckets=MS_BUCKETS,
            registry=self.register,
        )
        self.aanmeldingen = Counter(
            "werkplek_aanmeldingen",
            "Aanmeldingen, per wijze (ontwikkeling, oidc) en uitkomst (gelukt, geweigerd).",
            ["wijze", "uitkomst"],
            registry=self.register,
        )

    def tel_pagina(self, request: Request, status: int, seconden: float) -> None:
        route = route_van(request)
        self.paginas.labels(route, request.method, statusklasse(status)).inc()
        self.duur.labels(route).observe(seconden)

    def instrumenteer(self, diensten: Diensten) -> None:
        """Time every service call through httpx's event hooks (the start in the request's extensions)."""
        for naam, client in diensten.clients.items():
            client.event_hooks["request"].append(_start)
            client.event_hooks["response"].append(self._gemeten(naam))

    def _gemeten(self, naam: str) -> Any:
        async def klaar(antwoord: httpx.Response) -> None:
            begin = antwoord.request.extensions.get(_START)
            if isinstance(begin, float):
                seconden = time.perf_counter() - begin
                self.dienst.labels(naam, antwoord.request.method, statusklasse(antwoord.status_code)).observe(seconden)

        return klaar


async def _start(request: httpx.Request) -> None:
    request.extensions[_START] = time.perf_counter()


def installeer(app: FastAPI) -> Metriek:
    """The registry on app.state.metriek, the middleware that counts every answer, and GET /metrics."""
    metriek = Metriek()
    app.state.metriek = metriek

    @app.middleware("http")
    async def tel(request: Request, volgende: Any) -> Response:
        begin = time.perf_counter()
        antwoord: Response = await volgende(request)
        metriek.tel_pagina(request, antwoord.status_code, time.perf_counter() - begin)
        return antwoord

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        return antwoord(request, metriek.register)

    return metriek
