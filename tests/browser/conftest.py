"""Browser tests: the werkplek served by uvicorn on a free port (a background thread of this process),
pointed at the test platform of tests/conftest.py, driven by a real Chromium through Playwright's async
API (the suite runs one session event loop).

The browser is a system Chromium (`TOEGANG_CHROMIUM`, which `python3 run.py test` sets after finding or
installing one; else one on PATH). Without one these tests FAIL, saying so: they never skip.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from tests.werkplek.conftest import instellingen
from toegang.omgeving import vrije_poort
from werkplek.app import maak_app

VENDOR = Path(__file__).resolve().parent / "vendor"
AXE = VENDOR / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CHROMIUM_NAMEN = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# WCAG 2.2 AA, as axe-core tags it; serious and critical violations fail the scan.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ERNSTIG = {"serious", "critical"}


def chromium_pad() -> str:
    if pad := os.environ.get("TOEGANG_CHROMIUM"):
        if not os.access(pad, os.X_OK):
            pytest.fail(f"TOEGANG_CHROMIUM={pad} is geen uitvoerbaar bestand")
        return pad
    for naam in CHROMIUM_NAMEN:
        if gevonden := shutil.which(naam):
            return gevonden
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    pytest.fail(
        "Geen Chromium voor de browsertests. `python3 run.py test` zoekt of installeert er een; of installeer "
        "Chromium (apt-get install chromium) of zet TOEGANG_CHROMIUM op het pad ervan."
    )


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=chromium_pad(), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        await chromium.close()


class WerkplekServer:
    """uvicorn in a thread of its own, with its own event loop (the app's service clients live there)."""

    def __init__(self, app: Any, poort: int):
        self.url = f"http://127.0.0.1:{poort}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=poort, log_level="warning"))
        self.draad = threading.Thread(target=self.server.run, name="werkplek", daemon=True)

    def start(self, timeout: float = 20) -> WerkplekServer:
        self.draad.start()
        einde = time.monotonic() + timeout
        while not self.server.started:
            if not self.draad.is_alive() or time.monotonic() > einde:
                raise RuntimeError("de werkplek startte niet")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.draad.join(timeout=10)


@pytest.fixture(scope="session")
def werkplek_url(platform, otlp) -> Iterator[str]:
    server = WerkplekServer(maak_app(instellingen(platform, TOEGANG_SPOREN_URL=otlp.endpoint)), vrije_poort()).start()
    yield server.url
    server.stop()


@pytest.fixture
async def context(browser, werkplek_url) -> AsyncIterator[BrowserContext]:
    """A fresh browser profile (no cookies) per test, with the werkplek's CSP in force."""
    ctx = await browser.new_context(base_url=werkplek_url, locale="nl-NL", viewport={"width": 1024, "height": 768})
    ctx.set_default_timeout(15_000)
    yield ctx
    await ctx.close()


@pytest.fixture
async def pagina(context) -> Page:
    return await context.new_page()


async def log_in(pagina: Page, rol: str, gemeente: str = "GM1916", team: str = "", bsn: str = "") -> None:
    """Through the /inloggen form, as a person would."""
    await pagina.goto("/inloggen")
    await pagina.get_by_label("Rol").select_option(rol)
    await pagina.get_by_label("Gemeente").select_option(gemeente)
    if team:
        await pagina.get_by_label("Team").fill(team)
    if bsn:
        await pagina.get_by_label("Burgerservicenummer").fill(bsn)
    async with pagina.expect_navigation():
        await pagina.get_by_role("button", name="Inloggen").click()
    assert "/inloggen" not in pagina.url, await pagina.content()
