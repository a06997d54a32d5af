"""The werkplek in-process (httpx's ASGITransport, with its lifespan run), pointed at the real platform
of tests/conftest.py: its services' URLs and its development JWT secret."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
import pytest

from werkplek.app import maak_app
from werkplek.instellingen import Instellingen

ORIGIN = "http://werkplek.test"


def instellingen(platform=None, **over: str) -> Instellingen:
    waarden: dict[str, str] = {"TOEGANG_OMGEVING": "ontwikkeling"}
    if platform is not None:
        waarden["TOEGANG_JWT_SECRET"] = platform.jwt_secret
        for naam in ("intake", "triage", "arrangement", "signalering", "stuurinformatie"):
            waarden[f"TOEGANG_{naam.upper()}_URL"] = platform.urls[naam]
    waarden.update(over)
    return Instellingen(**waarden)  # by alias, as from the environment


@asynccontextmanager
async def werkplek_client(inst: Instellingen) -> AsyncIterator[httpx.AsyncClient]:
    app = maak_app(inst)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=ORIGIN, follow_redirects=False) as client:
            client.app = app  # for tests that look at the session store
            yield client


@pytest.fixture
def werkplek(platform) -> Callable[[], AbstractAsyncContextManager[httpx.AsyncClient]]:
    """A fresh werkplek (own session store) against the test platform, per `async with werkplek() as w`."""
    return lambda: werkplek_client(instellingen(platform))


def csrf_van(html: str) -> str:
    gevonden = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert gevonden, "geen CSRF-veld in het formulier"
    return gevonden.group(1)


async def log_in(w: httpx.AsyncClient, **velden: str) -> httpx.Response:
    pagina = await w.get("/inloggen")
    assert pagina.status_code == 200, pagina.text
    r = await w.post("/inloggen", data={"csrf_token": csrf_van(pagina.text), **velden}, headers={"Origin": ORIGIN})
    assert r.status_code == 303, r.text
    return r
