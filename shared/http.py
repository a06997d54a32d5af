"""HTTP conventions of every service: problem+json errors (RFC 9457), per-field errors for 422."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException

from shared.db import is_tijdelijk
from shared.levenscyclus import OngeldigeOvergang
from shared.weigeringen import Bezet, GeenToegang, NietGevonden, OngeldigeInvoer, weiger_bij_fouten

__all__ = ["OngeldigeInvoer", "weiger_bij_fouten", "fouten", "probleem", "veldfout", "installeer_foutafhandeling"]

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"
TITELS = {
    400: "Ongeldig verzoek",
    401: "Niet aangemeld",
    403: "Geen toegang",
    404: "Niet gevonden",
    409: "Conflict",
    413: "Te groot",
    422: "Ongeldige invoer",
    503: "Niet beschikbaar",
}


class Veldfout(BaseModel):
    veld: str
    pointer: str
    detail: str


class Probleem(BaseModel):
    """Problem details (RFC 9457), the body of every error response; `errors` per field with a 422."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    errors: list[Veldfout] | None = None


def fouten(*statussen: int) -> dict[int | str, dict]:
    """For `responses=` of a router or route: the error statuses it may answer, as problem+json. With 422
    among them, it replaces FastAPI's default 422 (which documents a body this platform does not send)."""
    return {status: {"model": Probleem, "description": TITELS.get(status, "Fout")} for status in statussen}


def probleem(status: int, detail: str, headers: dict[str, str] | None = None, **extra) -> JSONResponse:
    body = {"type": "about:blank", "title": TITELS.get(status, "Fout"), "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def veldfout(pad: tuple[str | int, ...], melding: str) -> dict:
    return {"veld": ".".join(map(str, pad)), "pointer": "#/" + "/".join(map(str, pad)), "detail": melding}


def installeer_foutafhandeling(app: FastAPI) -> None:
    _documenteer_problemen(app)

    @app.exception_handler(HTTPException)
    async def http_fout(request: Request, fout: HTTPException) -> JSONResponse:
        antwoord = probleem(fout.status_code, str(fout.detail))
        antwoord.headers.update(fout.headers or {})
        return antwoord

    @app.exception_handler(RequestValidationError)
    async def validatiefout(request: Request, fout: RequestValidationError) -> JSONResponse:
        # The input values are left out on purpose: they may be a BSN or a name.
        fouten = [
            veldfout(tuple(e["loc"][1:] if e["loc"][:1] == ("body",) else e["loc"]), e["msg"]) for e in fout.errors()
        ]
        return probleem(422, "De invoer klopt niet; zie errors.", errors=fouten)

    @app.exception_handler(OngeldigeInvoer)
    async def domeinfout(request: Request, fout: OngeldigeInvoer) -> JSONResponse:
        return probleem(422, "De invoer klopt niet; zie errors.", errors=[veldfout(p, m) for p, m in fout.fouten])

    @app.exception_handler(NietGevonden)
    async def niet_gevonden(request: Request, fout: NietGevonden) -> JSONResponse:
        return probleem(404, fout.detail)

    @app.exception_handler(GeenToegang)
    async def geen_toegang(request: Request, fout: GeenToegang) -> JSONResponse:
        return probleem(403, fout.detail)

    @app.exception_handler(Bezet)
    async def bezet(request: Request, fout: Bezet) -> JSONResponse:
        return probleem(503, fout.detail, headers={"Retry-After": "1"})

    @app.exception_handler(OngeldigeOvergang)
    async def overgang(request: Request, fout: OngeldigeOvergang) -> JSONResponse:
        return probleem(
            409, str(fout).capitalize() + ".", huidige_status=fout.van.value, gevraagde_status=fout.naar.value
        )

    # Registered per class, not only under Exception: Starlette answers with the Exception handler but then
    # raises the error again, and the server logs a traceback for what is an expected outage.
    @app.exception_handler(DBAPIError)
    @app.exception_handler(OSError)
    async def infrastructuur(request: Request, fout: Exception) -> JSONResponse:
        if is_tijdelijk(fout):  # the database is away: nothing was stored; the client may try again
            log.warning("database niet bereikbaar", extra={"pad": request.url.path, "fout": type(fout).__name__})
            return probleem(
                503, "De gegevens zijn even niet bereikbaar; probeer het zo opnieuw.", headers={"Retry-After": "2"}
            )
        return await onverwacht(request, fout)

    @app.exception_handler(Exception)
    async def onverwacht(request: Request, fout: Exception) -> JSONResponse:
        log.exception("onverwachte fout", extra={"pad": request.url.path})
        return probleem(500, "Er ging iets mis aan onze kant; de fout is gelogd.")


def _documenteer_problemen(app: FastAPI) -> None:
    """The OpenAPI document as the errors are sent: as application/problem+json (FastAPI documents an extra
    response under the route's own media type), and every 422, also the one FastAPI adds by itself to a
    route with parameters, as a Probleem with per-field errors (the handlers above make every 422 so).
    Two errors every route of a kind answers, whatever its own code does: 400 for a body that is not
    JSON (FastAPI), 401 for a missing or invalid bearer token (shared/auth.py)."""
    maak_openapi = app.openapi
    probleem_ref = {"$ref": "#/components/schemas/Probleem"}

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = maak_openapi()
            for pad in schema.get("paths", {}).values():
                for operatie in pad.values():
                    antwoorden = operatie.setdefault("responses", {})
                    if "requestBody" in operatie:
                        antwoorden.setdefault("400", {"description": TITELS[400]})
                    if operatie.get("security"):
                        antwoorden.setdefault("401", {"description": TITELS[401]})
                    for status, antwoord in antwoorden.items():
                        if status in ("400", "401") and "content" not in antwoord:
                            antwoord["content"] = {PROBLEM: {"schema": probleem_ref}}
                        inhoud = antwoord.get("content", {})
                        if status[:1] in ("4", "5") and "application/json" in inhoud:
                            inhoud[PROBLEM] = inhoud.pop("application/json")
                        if status == "422":
                            inhoud[PROBLEM] = {"schema": probleem_ref}
            definities = Probleem.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            schemas.update(definities.pop("$defs", {}))
            schemas["Probleem"] = definities
            for ongebruikt in ("HTTPValidationError", "ValidationError"):
                schemas.pop(ongebruikt, None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
