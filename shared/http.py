"""HTTP conventions of every service: problem+json errors (RFC 9457), per-field errors for 422."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"
TITELS = {400: "Ongeldig verzoek", 401: "Niet aangemeld", 403: "Geen toegang", 404: "Niet gevonden",
          409: "Conflict", 413: "Te groot", 422: "Ongeldige invoer", 503: "Niet beschikbaar"}


class OngeldigeInvoer(Exception):
    """Domain validation failed; `fouten` are (field path, message) pairs."""

    def __init__(self, fouten: list[tuple[tuple[str | int, ...], str]]):
        super().__init__("; ".join(f"{'.'.join(map(str, pad))}: {m}" for pad, m in fouten))
        self.fouten = fouten


def probleem(status: int, detail: str, **extra) -> JSONResponse:
    body = {"type": "about:blank", "title": TITELS.get(status, "Fout"), "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def veldfout(pad: tuple[str | int, ...], melding: str) -> dict:
    return {"veld": ".".join(map(str, pad)), "pointer": "#/" + "/".join(map(str, pad)), "detail": melding}


def installeer_foutafhandeling(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def http_fout(request: Request, fout: HTTPException) -> JSONResponse:
        antwoord = probleem(fout.status_code, str(fout.detail))
        antwoord.headers.update(fout.headers or {})
        return antwoord

    @app.exception_handler(RequestValidationError)
    async def validatiefout(request: Request, fout: RequestValidationError) -> JSONResponse:
        # The input values are left out on purpose: they may be a BSN or a name.
        fouten = [veldfout(tuple(e["loc"][1:] if e["loc"][:1] == ("body",) else e["loc"]), e["msg"])
                  for e in fout.errors()]
        return probleem(422, "De invoer klopt niet; zie errors.", errors=fouten)

    @app.exception_handler(OngeldigeInvoer)
    async def domeinfout(request: Request, fout: OngeldigeInvoer) -> JSONResponse:
        return probleem(422, "De invoer klopt niet; zie errors.", errors=[veldfout(p, m) for p, m in fout.fouten])

    @app.exception_handler(Exception)
    async def onverwacht(request: Request, fout: Exception) -> JSONResponse:
        log.exception("onverwachte fout", extra={"pad": request.url.path})
        return probleem(500, "Er ging iets mis aan onze kant; de fout is gelogd.")
