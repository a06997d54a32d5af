"""A tiny but real OpenID Connect provider for the tests: discovery, /authorize (no login screen: it
signs in whoever the test set in `gebruiker`), /token (authorization code with PKCE S256, client
authentication by client_secret_basic when a secret is set), /jwks; RS256 tokens with a key generated
at start. Served by uvicorn on a free port in a thread of the test process, so the werkplek talks to it
over real HTTP as it would to Keycloak.

The knobs a test turns to make it misbehave: `nonce_anders` (an ID token with another nonce),
`id_aud` (another audience in the ID token).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Form, Header, Request
from fastapi.responses import JSONResponse, RedirectResponse

from toegang.omgeving import vrije_poort

CLIENT_ID = "werkplek"
GELDIG_SECONDEN = 300


@dataclass
class ProefIdp:
    issuer: str
    redirect_uri: str
    client_secret: str | None = None
    gebruiker: dict[str, Any] = field(default_factory=dict)  # the access token's claims (sub, rol, ...)
    nonce_anders: bool = False
    id_aud: str = CLIENT_ID
    sleutel: Any = field(default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048))
    kid: str = field(default_factory=lambda: secrets.token_hex(8))
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    token_verzoeken: list[dict[str, str]] = field(default_factory=list)

    def teken(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.sleutel, algorithm="RS256", headers={"kid": self.kid})

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/.well-known/openid-configuration")
        async def discovery() -> dict[str, Any]:
            return {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "code_challenge_methods_supported": ["S256"],
                "id_token_signing_alg_values_supported": ["RS256"],
            }

        @app.get("/jwks")
        async def jwks() -> dict[str, Any]:
            jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.sleutel.public_key(), as_dict=True)
            return {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

        @app.get("/authorize")
        async def authorize(request: Request) -> Any:
            q = request.query_params
            if q.get("client_id") != CLIENT_ID or q.get("redirect_uri") != self.redirect_uri:
                return JSONResponse({"error": "invalid_request"}, status_code=400)  # never redirect elsewhere
            if q.get("response_type") != "code" or q.get("code_challenge_method") != "S256":
                return _terug(self.redirect_uri, {"error": "invalid_request", "state": q.get("state", "")})
            if not q.get("code_challenge") or "openid" not in q.get("scope", "").split():
                return _terug(self.redirect_uri, {"error": "invalid_request", "state": q.get("state", "")})
            code = secrets.token_urlsafe(24)
            self.codes[code] = {"challenge": q["code_challenge"], "nonce": q.get("nonce"), "claims": self.gebruiker}
            return _terug(self.redirect_uri, {"code": code, "state": q.get("state", "")})

        @app.post("/token")
        async def token(
            grant_type: str = Form(),
            code: str = Form(),
            redirect_uri: str = Form(),
            code_verifier: str | None = Form(None),
            client_id: str | None = Form(None),
            authorization: str | None = Header(None),
        ) -> Any:
            self.token_verzoeken.append({"code_verifier": code_verifier or "", "client_id": client_id or ""})
            if self.client_secret is not None:
                verwacht = base64.b64encode(f"{CLIENT_ID}:{self.client_secret}".encode()).decode()
                if authorization != f"Basic {verwacht}":
                    return JSONResponse({"error": "invalid_client"}, status_code=401)
            elif client_id != CLIENT_ID:
                return JSONResponse({"error": "invalid_client"}, status_code=401)
            gegeven = self.codes.pop(code, None)  # a code works once
            if grant_type != "authorization_code" or gegeven is None or redirect_uri != self.redirect_uri:
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            if not code_verifier or _s256(code_verifier) != gegeven["challenge"]:
                return JSONResponse({"error": "invalid_grant", "error_description": "PKCE"}, status_code=400)
            nu = int(time.time())
            claims = gegeven["claims"]
            toegang = {**claims, "iss": self.issuer, "aud": "integrale-toegang", "iat": nu, "exp": nu + GELDIG_SECONDEN}
            nonce = "een-andere-nonce" if self.nonce_anders else gegeven["nonce"]
            id_token = {"sub": claims["sub"], "iss": self.issuer, "aud": self.id_aud, "iat": nu, "exp": nu + 300}
            return {
                "access_token": self.teken(toegang),
                "id_token": self.teken({**id_token, "nonce": nonce}),
                "token_type": "Bearer",
                "expires_in": GELDIG_SECONDEN,
            }

        return app


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _terug(redirect_uri: str, params: dict[str, str]) -> RedirectResponse:
    return RedirectResponse(f"{redirect_uri}?{urlencode(params)}", status_code=302)


@contextmanager
def draai_idp(redirect_uri: str, client_secret: str | None = None) -> Iterator[ProefIdp]:
    """The provider on a free port, up while the block runs."""
    poort = vrije_poort()
    idp = ProefIdp(f"http://127.0.0.1:{poort}", redirect_uri, client_secret)
    server = uvicorn.Server(uvicorn.Config(idp.app(), host="127.0.0.1", port=poort, log_level="warning"))
    draad = threading.Thread(target=server.run, daemon=True)
    draad.start()
    einde = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > einde or not draad.is_alive():
            raise RuntimeError("de test-identity-provider start niet")
        time.sleep(0.02)
    try:
        yield idp
    finally:
        server.should_exit = True
        draad.join(timeout=10)
