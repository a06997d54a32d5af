"""The werkplek: a server-rendered web workplace (FastAPI, Jinja2, NL Design System), a client of the
four services' public HTTP APIs. It keeps sessions and nothing else.

Every response carries security headers; every HTML page `Cache-Control: no-store` (most pages show
personal data, and the rest are not worth the risk of a shared computer's cache). Every POST must come
from the werkplek's own origin, and every form carries the session's CSRF token (sessies.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.gemeenten import ConfigFout
from werkplek import metriek, oidc, paginas, telemetrie, thema
from werkplek.diensten import Diensten, DienstFout, DienstOnbereikbaar
from werkplek.instellingen import Instellingen
from werkplek.sessies import Geweigerd, Sessies, controleer_origin
from werkplek.teksten import Woorden
from werkplek.weergave import MAP, maak_templates, toon

log = logging.getLogger(__name__)

# Only our own scripts and styles (htmx is vendored; no inline script, no eval needed for reading).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
DIENST_NAMEN = {
    "intake": "de intake",
    "triage": "de triage",
    "arrangement": "het plan en de werkvoorraad (arrangement)",
    "signalering": "de signalering",
    "stuurinformatie": "de stuurinformatie",
}
OPRUIMEN_SECONDEN = 60.0


def maak_app(instellingen: Instellingen | None = None, transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    """The app; `transport` lets a test route the service calls elsewhere (the real services by default)."""
    instellingen = instellingen or Instellingen()
    if bezwaren := instellingen.bezwaren():
        raise SystemExit("De werkplek start niet: " + "; ".join(bezwaren))

    @asynccontextmanager
    async def levensloop(app: FastAPI) -> AsyncIterator[None]:
        app.state.diensten = Diensten(instellingen.dienst_urls, instellingen.dienst_timeout_seconden, transport)
        telemetrie.instrumenteer_diensten(app.state.diensten)
        app.state.metriek.instrumenteer(app.state.diensten)
        opruimer = asyncio.create_task(_ruim_sessies_op(app.state.sessies))
        try:
            yield
        finally:
            opruimer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await opruimer
            await app.state.diensten.sluit()
            if app.state.oidc is not None:
                await app.state.oidc.sluit()

    app = FastAPI(title="Werkplek", docs_url=None, redoc_url=None, openapi_url=None, lifespan=levensloop)
    app.state.instellingen = instellingen
    app.state.oidc = oidc.Oidc(instellingen) if instellingen.oidc else None
    app.state.sessies = Sessies(instellingen.sessie_inactief_minuten * 60, instellingen.productie)
    app.state.templates = maak_templates()
    app.state.woorden = Woorden(instellingen.config_dir)
    try:
        app.state.themas = thema.Themas.laad(instellingen.config_dir)
    except ConfigFout as fout:
        raise SystemExit(f"De werkplek start niet: {fout}") from None
    app.include_router(thema.router)  # before the /static mount, which would otherwise answer its path
    app.mount("/static", StaticFiles(directory=MAP / "static"), name="static")
    app.include_router(paginas.router)
    _installeer_middleware(app, instellingen)
    metriek.installeer(app)  # after: its middleware is the outer one, so it counts the refusals too
    _installeer_foutpaginas(app)
    telemetrie.instrumenteer(app)
    return app


async def _ruim_sessies_op(sessies: Sessies) -> None:
    while True:
        await asyncio.sleep(OPRUIMEN_SECONDEN)
        sessies.ruim_op()


def _installeer_middleware(app: FastAPI, instellingen: Instellingen) -> None:
    @app.middleware("http")
    async def beveiliging(request: Request, volgende: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            try:
                controleer_origin(request, instellingen.publieke_url)
            except Geweigerd as fout:
                antwoord: Response = _weigering(request, fout)
            else:
                antwoord = await volgende(request)
        else:
            antwoord = await volgende(request)
        kop = antwoord.headers
        kop.setdefault("Content-Security-Policy", CSP)
        kop.setdefault("X-Content-Type-Options", "nosniff")
        kop.setdefault("Referrer-Policy", "same-origin")
        kop.setdefault("X-Frame-Options", "DENY")
        if not request.url.path.startswith("/static/"):
            kop["Cache-Control"] = "no-store"
        return antwoord


def _weigering(request: Request, fout: Geweigerd) -> Response:
    return toon(request, "fout.html", {"titel": "Niet toegestaan", "uitleg": fout.reden}, status_code=403)


def _installeer_foutpaginas(app: FastAPI) -> None:
    @app.exception_handler(paginas.NietAangemeld)
    async def niet_aangemeld(request: Request, fout: paginas.NietAangemeld) -> Response:
        return RedirectResponse("/inloggen", status_code=303)

    @app.exception_handler(Geweigerd)
    async def geweigerd(request: Request, fout: Geweigerd) -> Response:
        return _weigering(request, fout)

    @app.exception_handler(DienstFout)
    async def dienstfout(request: Request, fout: DienstFout) -> Response:
        if fout.status == 401:  # the token expired or was refused: this session is over
            sessies: Sessies = request.app.state.sessies
            if (sessie := sessies.van(request)) is not None:
                sessies.beeindig(sessie)
            return RedirectResponse("/inloggen", status_code=303)
        if fout.status == 404:
            uitleg = "Dit bestaat niet, of u heeft er geen toegang toe."
            return toon(request, "fout.html", {"titel": "Niet gevonden", "uitleg": uitleg}, status_code=404)
        if fout.status == 403:
            uitleg = "U heeft geen toegang tot deze gegevens. " + fout.detail
            return toon(request, "fout.html", {"titel": "Geen toegang", "uitleg": uitleg}, status_code=403)
        log.warning("dienst gaf een fout", extra={"dienst": fout.dienst, "status": fout.status})
        uitleg = f"Er ging iets mis bij {DIENST_NAMEN.get(fout.dienst, fout.dienst)}. Probeer het later opnieuw."
        return toon(request, "fout.html", {"titel": "Er ging iets mis", "uitleg": uitleg}, status_code=502)

    @app.exception_handler(DienstOnbereikbaar)
    async def onbereikbaar(request: Request, fout: DienstOnbereikbaar) -> Response:
        naam = DIENST_NAMEN.get(fout.dienst, fout.dienst)
        uitleg = f"De werkplek kan {naam} nu niet bereiken. Probeer het over een paar minuten opnieuw."
        antwoord = toon(request, "fout.html", {"titel": "Even niet bereikbaar", "uitleg": uitleg}, status_code=503)
        antwoord.headers["Retry-After"] = "30"
        return antwoord

    @app.exception_handler(StarletteHTTPException)
    async def http_fout(request: Request, fout: StarletteHTTPException) -> Response:
        titels = {404: "Pagina niet gevonden", 405: "Dat kan hier niet"}
        titel = titels.get(fout.status_code, "Er ging iets mis")
        uitleg = "Controleer het adres, of ga terug naar de werkvoorraad."
        return toon(request, "fout.html", {"titel": titel, "uitleg": uitleg}, status_code=fout.status_code)


def app() -> FastAPI:
    """For `uvicorn --factory werkplek.app:app`."""
    telemetrie.start()
    return maak_app()
