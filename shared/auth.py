"""Bearer JWT verification, roles and scopes, shared by every service (CONTRACT.md, "HTTP").

Development: HS256 with TOEGANG_JWT_SECRET (`toegang token` mints such tokens). Production: the
gemeente's identity provider, its keys from TOEGANG_JWKS_URL (RS256/ES256).
"""

from __future__ import annotations

import time
import uuid
from enum import StrEnum
from typing import Annotated

import jwt
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ValidationError


class Rol(StrEnum):
    inwoner = "inwoner"
    wijkcoach = "wijkcoach"
    consulent = "consulent"
    lokale_kamer = "lokale_kamer"
    meldpunt = "meldpunt"
    partner = "partner"
    beheer = "beheer"


GEMEENTE_ROLLEN = frozenset({Rol.wijkcoach, Rol.consulent, Rol.lokale_kamer, Rol.meldpunt, Rol.beheer})


class Gebruiker(BaseModel):
    sub: str
    rol: Rol
    gemeente: str | None = None
    teams: list[str] = []
    partner_id: str | None = None

    @property
    def actor(self) -> str:
        return f"{self.rol.value}:{self.sub}"


class TokenVerifier:
    def __init__(self, secret: str | None = None, jwks_url: str | None = None):
        if not secret and not jwks_url:
            raise ValueError("TOEGANG_JWT_SECRET of TOEGANG_JWKS_URL is nodig")
        self._secret = secret
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True) if jwks_url else None

    def verifieer(self, token: str) -> Gebruiker:
        if self._jwks is not None:
            sleutel = self._jwks.get_signing_key_from_jwt(token).key
            claims = jwt.decode(token, sleutel, algorithms=["RS256", "ES256"], options={"require": ["exp", "sub"]},
                                audience="integrale-toegang")
        else:
            claims = jwt.decode(token, self._secret, algorithms=["HS256"], options={"require": ["exp", "sub"]},
                                audience="integrale-toegang")
        gebruiker = Gebruiker.model_validate(claims)
        if gebruiker.rol in GEMEENTE_ROLLEN and not gebruiker.gemeente:
            raise jwt.InvalidTokenError("een medewerker hoort bij een gemeente")
        return gebruiker


def maak_token(secret: str, rol: str, gemeente: str | None = None, teams: list[str] | None = None,
               partner_id: str | None = None, sub: str | None = None, geldig_seconden: int = 12 * 3600) -> str:
    nu = int(time.time())
    claims = {"sub": sub or f"dev-{rol}-{uuid.uuid4().hex[:8]}", "rol": Rol(rol).value, "gemeente": gemeente,
              "teams": teams or [], "partner_id": partner_id, "aud": "integrale-toegang", "iat": nu,
              "exp": nu + geldig_seconden}
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, secret, algorithm="HS256")


_bearer = HTTPBearer(auto_error=False)


def huidige_gebruiker(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Gebruiker:
    if credentials is None:
        raise HTTPException(401, "Een bearer token is nodig.", headers={"WWW-Authenticate": "Bearer"})
    try:
        return request.app.state.tokens.verifieer(credentials.credentials)
    except (jwt.PyJWTError, ValidationError):
        raise HTTPException(401, "Het token is ongeldig of verlopen.",
                            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}) from None


def optionele_gebruiker(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Gebruiker | None:
    """For endpoints that a melder without an account may use too (with a terugkoppelcode)."""
    return None if credentials is None else huidige_gebruiker(request, credentials)


def vereist(*rollen: Rol):
    """A dependency that lets only the given roles through (403 otherwise)."""

    def controleer(gebruiker: Annotated[Gebruiker, Depends(huidige_gebruiker)]) -> Gebruiker:
        if gebruiker.rol not in rollen:
            raise HTTPException(403, f"De rol {gebruiker.rol.value} mag dit niet.")
        return gebruiker

    return controleer
