"""The productie login: OpenID Connect, authorization code flow with PKCE (RFC 7636, S256), against the
gemeente's identity provider (Keycloak or any OIDC provider; docs/keycloak.md).

`/inloggen` puts a fresh state, nonce and PKCE verifier in the SERVER-side session (never in the cookie
or the URL of the werkplek) and sends the browser to the provider; `/inloggen/terug` checks the state,
exchanges the code together with the verifier, validates the ID token (signature from the provider's
JWKS, issuer, audience = our client id, nonce, exp) and verifies the ACCESS token exactly as the
services will (shared.auth.TokenVerifier: JWKS, audience `integrale-toegang`, claims `rol`, `gemeente`,
`teams`). Only the access token is kept, on the server, and the session ends when it expires (no
refresh: logging in again is the way on). The protocol primitives (PKCE challenge, random tokens, the
authorization and token request encodings) are authlib's; the JWT checks are PyJWT's, as the services'.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.auth import JWKS_ALGORITMEN, SPELING_SECONDEN, Gebruiker, TokenVerifier
from werkplek.instellingen import Instellingen
from werkplek.sessies import Sessie
from werkplek.weergave import toon

log = logging.getLogger(__name__)

TERUG = "/inloggen/terug"
SCOPE = "openid"
# A login begun but not finished within this time starts over (the state is not valid forever).
GELDIG_SECONDEN = 10 * 60


class InloggenMislukt(Exception):
    """The login did not come through: `reden` for the page (no token, no claim value in it)."""

    def __init__(self, reden: str):
        super().__init__(reden)
        self.reden = reden


@dataclass(frozen=True)
class Aanmelding:
    token: str
    gebruiker: Gebruiker
    verloopt_op: float


@dataclass(frozen=True)
class Configuratie:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


class Oidc:
    def __init__(self, instellingen: Instellingen, transport: httpx.AsyncBaseTransport | None = None):
        assert instellingen.oidc_issuer and instellingen.oidc_client_id
        self.issuer = instellingen.oidc_issuer.rstrip("/")
        self.client_id = instellingen.oidc_client_id
        self._secret = instellingen.oidc_client_secret
        self._publieke_url = instellingen.publieke_url
        self._http = httpx.AsyncClient(timeout=instellingen.dienst_timeout_seconden, transport=transport)
        self._configuratie: Configuratie | None = None
        self._jwks: jwt.PyJWKClient | None = None
        self._tokens: TokenVerifier | None = None

    async def sluit(self) -> None:
        await self._http.aclose()

    async def configuratie(self) -> Configuratie:
        """The provider's discovery document, fetched once; its issuer must be the configured one."""
        if self._configuratie is None:
            try:
                antwoord = await self._http.get(f"{self.issuer}/.well-known/openid-configuration")
                antwoord.raise_for_status()
                doc = antwoord.json()
            except (httpx.HTTPError, ValueError):
                raise InloggenMislukt("Het inlogsysteem van de gemeente is nu niet bereikbaar.") from None
            if str(doc.get("issuer", "")).rstrip("/") != self.issuer:
                raise InloggenMislukt("Het inlogsysteem noemt zich anders dan ingesteld (issuer).")
            self._configuratie = Configuratie(
                doc["issuer"], doc["authorization_endpoint"], doc["token_endpoint"], doc["jwks_uri"]
            )
            self._jwks = jwt.PyJWKClient(doc["jwks_uri"], cache_keys=True)
            self._tokens = TokenVerifier(jwks_url=doc["jwks_uri"])
        return self._configuratie

    def terug_url(self, basis: str) -> str:
        return (self._publieke_url or basis).rstrip("/") + TERUG

    async def begin(self, basis: str) -> tuple[str, dict[str, str]]:
        """The provider's authorization URL and what the session keeps until the callback."""
        conf = await self.configuratie()
        wacht = {
            "state": generate_token(32),
            "nonce": generate_token(32),
            "verifier": generate_token(64),  # 64 characters of [A-Za-z0-9]: within RFC 7636's 43..128
            "terug": self.terug_url(basis),
            "begonnen": str(time.time()),
        }
        url = prepare_grant_uri(
            conf.authorization_endpoint,
            self.client_id,
            "code",
            redirect_uri=wacht["terug"],
            scope=SCOPE,
            state=wacht["state"],
            nonce=wacht["nonce"],
            code_challenge=create_s256_code_challenge(wacht["verifier"]),
            code_challenge_method="S256",
        )
        return url, wacht

    async def rond_af(self, wacht: dict[str, str] | None, params: dict[str, str]) -> Aanmelding:
        """The callback: check, exchange, validate. Every refusal is InloggenMislukt."""
        if not wacht or not wacht.get("state") or not wacht.get("nonce"):
            raise InloggenMislukt("Dit inloggen is niet hier begonnen, of al afgerond.")
        if not hmac.compare_digest(params.get("state", ""), wacht["state"]):
            raise InloggenMislukt("Het antwoord van het inlogsysteem hoort niet bij dit inloggen (state).")
        if time.time() - float(wacht.get("begonnen", 0)) > GELDIG_SECONDEN:
            raise InloggenMislukt("Het inloggen duurde te lang.")
        if params.get("error"):
            raise InloggenMislukt("Het inlogsysteem heeft het inloggen niet toegestaan.")
        if not wacht.get("verifier"):  # never exchange a code without the proof that we asked for it
            raise InloggenMislukt("Dit inloggen mist zijn controle (PKCE).")
        if not params.get("code"):
            raise InloggenMislukt("Het inlogsysteem gaf geen code terug.")
        tokens = await self._wissel(params["code"], wacht)
        claims = await self._id_token(tokens.get("id_token"), wacht["nonce"])
        return await self._toegangstoken(tokens.get("access_token"), claims)

    async def _wissel(self, code: str, wacht: dict[str, str]) -> dict[str, Any]:
        conf = await self.configuratie()
        velden: dict[str, str] = {"code": code, "code_verifier": wacht["verifier"]}
        auth: httpx.Auth = httpx.USE_CLIENT_DEFAULT  # type: ignore[assignment]
        if self._secret is not None:  # confidential client: client_secret_basic
            auth = httpx.BasicAuth(self.client_id, self._secret.get_secret_value())
        else:  # public client: PKCE alone, the client id in the body
            velden["client_id"] = self.client_id
        body = prepare_token_request("authorization_code", redirect_uri=wacht["terug"], **velden)
        try:
            antwoord = await self._http.post(
                conf.token_endpoint,
                content=body,
                auth=auth,
                headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
            )
        except httpx.HTTPError:
            raise InloggenMislukt("Het inlogsysteem van de gemeente is nu niet bereikbaar.") from None
        if not antwoord.is_success:
            raise InloggenMislukt("Het inlogsysteem wilde de code niet omwisselen.")
        tokens = antwoord.json()
        if not isinstance(tokens, dict) or str(tokens.get("token_type", "")).lower() != "bearer":
            raise InloggenMislukt("Het inlogsysteem gaf geen bruikbaar token.")
        return tokens

    async def _id_token(self, id_token: Any, nonce: str) -> dict[str, Any]:
        if not isinstance(id_token, str):
            raise InloggenMislukt("Het inlogsysteem gaf geen ID-token.")
        assert self._jwks is not None
        try:
            if jwt.get_unverified_header(id_token).get("alg") not in JWKS_ALGORITMEN:
                raise jwt.InvalidAlgorithmError("algoritme")
            # PyJWKClient fetches over urllib (blocking): in a thread, as the keys are cached after once.
            sleutel = await asyncio.to_thread(self._jwks.get_signing_key_from_jwt, id_token)
            claims = jwt.decode(
                id_token,
                sleutel.key,
                algorithms=[sleutel.algorithm_name],
                audience=self.client_id,
                issuer=self.issuer,
                leeway=SPELING_SECONDEN,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "nonce"]},
            )
        except (jwt.PyJWTError, ValueError):
            raise InloggenMislukt("Het ID-token van het inlogsysteem is ongeldig of verlopen.") from None
        if not hmac.compare_digest(str(claims.get("nonce")), nonce):
            raise InloggenMislukt("Het ID-token hoort niet bij dit inloggen (nonce).")
        return claims

    async def _toegangstoken(self, token: Any, id_claims: dict[str, Any]) -> Aanmelding:
        """The access token as the services will see it: if they would refuse it, so does the login."""
        if not isinstance(token, str):
            raise InloggenMislukt("Het inlogsysteem gaf geen toegangstoken.")
        assert self._tokens is not None
        try:
            gebruiker = await asyncio.to_thread(self._tokens.verifieer, token)
            exp = float(jwt.decode(token, options={"verify_signature": False})["exp"])  # verified just now
        except (jwt.PyJWTError, ValueError, KeyError):
            raise InloggenMislukt("Uw account mist wat de werkplek nodig heeft (rol, gemeente of team).") from None
        if gebruiker.sub != id_claims.get("sub"):
            raise InloggenMislukt("Het toegangstoken en het ID-token gaan over verschillende personen.")
        return Aanmelding(token, gebruiker, exp)


# --- the routes ---------------------------------------------------------------------------------------

router = APIRouter()


def van(request: Request) -> Oidc | None:
    return getattr(request.app.state, "oidc", None)


async def start(request: Request, sessie: Sessie) -> Response:
    """GET /inloggen in productie: off to the provider, the flow's secrets in the session."""
    oidc = van(request)
    assert oidc is not None
    try:
        url, sessie.oidc = await oidc.begin(str(request.base_url))
    except InloggenMislukt as fout:
        return _mislukt(request, sessie, fout, 503)
    antwoord = RedirectResponse(url, status_code=303)
    request.app.state.sessies.zet_cookie(antwoord, sessie)
    return antwoord


@router.get(TERUG, response_class=HTMLResponse)
async def terug(request: Request) -> Response:
    oidc, sessies = van(request), request.app.state.sessies
    if oidc is None:
        raise StarletteHTTPException(404)
    sessie = sessies.van_of_nieuw(request)
    wacht, sessie.oidc = sessie.oidc, None  # one try per login: a replayed callback finds nothing
    try:
        aanmelding = await oidc.rond_af(wacht, dict(request.query_params))
    except InloggenMislukt as fout:
        request.app.state.metriek.aanmeldingen.labels("oidc", "geweigerd").inc()
        return _mislukt(request, sessie, fout, 400)
    request.app.state.metriek.aanmeldingen.labels("oidc", "gelukt").inc()
    nieuw = sessies.meld_aan(sessie, aanmelding.token, aanmelding.gebruiker, aanmelding.verloopt_op)
    antwoord = RedirectResponse("/", status_code=303)
    sessies.zet_cookie(antwoord, nieuw)
    return antwoord


def _mislukt(request: Request, sessie: Sessie, fout: InloggenMislukt, status_code: int) -> Response:
    log.info("inloggen mislukt", extra={"reden": fout.reden})
    context = {"titel": "Inloggen is niet gelukt", "uitleg": fout.reden + " Probeer het opnieuw.", "opnieuw": True}
    antwoord = toon(request, "fout.html", context, status_code=status_code, sessie=sessie)
    request.app.state.sessies.zet_cookie(antwoord, sessie)
    return antwoord
