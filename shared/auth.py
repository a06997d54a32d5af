"""Bearer JWT verification, roles and scopes, shared by every service (CONTRACT.md, "HTTP").

Development (TOEGANG_OMGEVING=ontwikkeling): HS256 with TOEGANG_JWT_SECRET (`toegang token` mints such
tokens). Production (the default): the gemeente's identity provider, its keys from TOEGANG_JWKS_URL
(RS256/ES256); a service in production refuses to start with TOEGANG_JWT_SECRET set (shared/settings.py).
"""

from __future__ import annotations

import time
import uuid
from enum import StrEnum
from typing import Annotated

import jwt
from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.privacy import elfproef, persoon_sleutel_bsn


class Rol(StrEnum):
    inwoner = "inwoner"
    wijkcoach = "wijkcoach"
    consulent = "consulent"
    lokale_kamer = "lokale_kamer"
    meldpunt = "meldpunt"
    partner = "partner"
    beheer = "beheer"
    beleid = "beleid"


# Staff who work cases: they may read a household's or a melding's personal data where their team allows.
MEDEWERKERS = frozenset({Rol.wijkcoach, Rol.consulent, Rol.lokale_kamer, Rol.meldpunt, Rol.beheer})
# Policy staff (CONTRACT.md, "Additions"): the rule tables, their dry run and stuurinformatie; never
# personal data, so beleid is no MEDEWERKER and every case endpoint refuses it.
BELEID = frozenset({Rol.beleid, Rol.beheer})
# The roles a token binds to one gemeente (its `gemeente` claim is required).
GEMEENTE_ROLLEN = MEDEWERKERS | BELEID


class Gebruiker(BaseModel):
    # Frozen: one verified token's Gebruiker serves every request that carries it (TokenVerifier's cache).
    model_config = ConfigDict(frozen=True)

    sub: str
    rol: Rol
    gemeente: str | None = None
    teams: list[str] = []
    partner_id: str | None = None
    # An inwoner's BSN (DigiD through the gemeente's broker): only to derive his persoon_sleutel. Never in a
    # repr, a dump, a log line or the actor; the services store and publish the key, never this.
    bsn: str | None = Field(None, repr=False, exclude=True, pattern=r"^\d{9}$")

    def persoon_sleutel(self, pseudoniem_sleutel: bytes) -> str | None:
        return persoon_sleutel_bsn(pseudoniem_sleutel, self.bsn) if self.rol == Rol.inwoner and self.bsn else None

    @property
    def actor(self) -> str:
        return f"{self.rol.value}:{self.sub}"


AUDIENCE = "integrale-toegang"
# The algorithms a JWKS key may have; the key decides which one applies, never the token's header.
JWKS_ALGORITMEN = frozenset({"RS256", "ES256"})
# Clock skew tolerated between the identity provider and the service (exp, nbf, iat).
SPELING_SECONDEN = 30
# A verified token is remembered this long at most (and never past its exp): a client sends the same token
# with every request, and checking its signature and claims again was a tenth of intake's CPU under load
# (decision 0026). Short, so a key withdrawn from the JWKS stops its tokens within minutes.
ONTHOUD_SECONDEN = 300
ONTHOUD_MAX = 4096


class TokenVerifier:
    """Verifies a bearer token and returns the caller; every failure is a `jwt.InvalidTokenError`
    (or a subclass), which `huidige_gebruiker` turns into 401.

    Refused: a bad signature; an algorithm other than HS256 (development secret) or the JWKS key's own
    RS256/ES256 (so no `none`, no HS256 token "signed" with an RSA public key, no RS256 token against an
    HS256 service); wrong or missing `aud`; `exp` in the past or missing; `nbf` or `iat` in the future;
    missing `sub` or `rol`, an unknown `rol`; a staff role without `gemeente`; a partner without
    `partner_id`."""

    def __init__(
        self, secret: str | None = None, jwks_url: str | None = None, speling_seconden: float = SPELING_SECONDEN
    ):
        if not secret and not jwks_url:
            raise ValueError("TOEGANG_JWT_SECRET of TOEGANG_JWKS_URL is nodig")
        self._secret = secret
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True) if jwks_url else None
        self._speling = speling_seconden
        self._onthouden: dict[str, tuple[Gebruiker, float]] = {}  # token -> (caller, until when)

    @property
    def haalt_sleutels_op(self) -> bool:
        """With a JWKS an unknown key is fetched from the identity provider, over the network."""
        return self._jwks is not None

    def verifieer(self, token: str) -> Gebruiker:
        """The caller the token says; a token verified before is trusted again until its exp (with the
        leeway) or ONTHOUD_SECONDEN, whichever comes first. Only a verified token is remembered."""
        nu = time.time()
        if (onthouden := self._onthouden.get(token)) is not None:
            gebruiker, tot = onthouden
            if nu < tot:
                return gebruiker
            del self._onthouden[token]
        gebruiker, exp = self._verifieer(token)
        if len(self._onthouden) >= ONTHOUD_MAX:
            self._onthouden.pop(next(iter(self._onthouden)))  # the oldest first (a dict keeps insertion order)
        self._onthouden[token] = gebruiker, min(exp + self._speling, nu + ONTHOUD_SECONDEN)
        return gebruiker

    def _verifieer(self, token: str) -> tuple[Gebruiker, float]:
        alg = jwt.get_unverified_header(token).get("alg")  # DecodeError when it is no JWT at all
        if self._jwks is not None:
            if alg not in JWKS_ALGORITMEN:  # before any JWKS fetch
                raise jwt.InvalidAlgorithmError(f"algoritme {alg!r} wordt niet aanvaard")
            jwk = self._jwks.get_signing_key_from_jwt(token)
            if jwk.algorithm_name not in JWKS_ALGORITMEN:
                raise jwt.InvalidAlgorithmError(f"sleutel met algoritme {jwk.algorithm_name!r} in de JWKS")
            sleutel, algoritmen = jwk.key, [jwk.algorithm_name]
        elif self._secret:
            sleutel, algoritmen = self._secret, ["HS256"]
        else:  # not reached: the constructor requires a secret or a JWKS
            raise jwt.InvalidKeyError("geen sleutel ingesteld")
        claims = jwt.decode(
            token,
            sleutel,
            algorithms=algoritmen,
            audience=AUDIENCE,
            leeway=self._speling,
            options={"require": ["exp", "sub", "rol"], "verify_iat": True, "verify_nbf": True},
        )
        if not isinstance(claims.get("sub"), str) or not claims["sub"].strip():
            raise jwt.InvalidTokenError("sub hoort een niet-lege tekst te zijn")
        try:
            gebruiker = Gebruiker.model_validate(claims)
        except ValidationError as fout:
            velden = ", ".join(".".join(map(str, e["loc"])) for e in fout.errors())
            raise jwt.InvalidTokenError(f"ongeldige claims: {velden}") from None
        if gebruiker.rol in GEMEENTE_ROLLEN and not gebruiker.gemeente:
            raise jwt.MissingRequiredClaimError("gemeente")
        if gebruiker.rol == Rol.partner and not gebruiker.partner_id:
            raise jwt.MissingRequiredClaimError("partner_id")
        if gebruiker.bsn is not None and (gebruiker.rol != Rol.inwoner or not elfproef(gebruiker.bsn)):
            raise jwt.InvalidTokenError("bsn hoort alleen bij een inwoner, en moet de elfproef halen")
        return gebruiker, float(claims["exp"])


def maak_token(
    secret: str,
    rol: str,
    gemeente: str | None = None,
    teams: list[str] | None = None,
    partner_id: str | None = None,
    sub: str | None = None,
    geldig_seconden: int = 12 * 3600,
    bsn: str | None = None,
) -> str:
    """A development token (HS256 with TOEGANG_JWT_SECRET), as `toegang token`, the tests and the werkplek's
    development login make it; `bsn` for an inwoner only."""
    nu = int(time.time())
    claims = {
        "sub": sub or f"dev-{rol}-{uuid.uuid4().hex[:8]}",
        "rol": Rol(rol).value,
        "gemeente": gemeente,
        "teams": teams or [],
        "partner_id": partner_id,
        "bsn": bsn,
        "aud": AUDIENCE,
        "iat": nu,
        "exp": nu + geldig_seconden,
    }
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, secret, algorithm="HS256")


_bearer = HTTPBearer(auto_error=False)


async def huidige_gebruiker(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Gebruiker:
    """In the event loop with a secret (HS256 is a hash: no I/O); with a JWKS in a worker thread, where a
    key fetched over the network blocks nobody. A synchronous dependency would cost every request a
    worker thread's round trip, for a check of microseconds (decision 0025)."""
    if request.app.state.tokens.haalt_sleutels_op:
        return await run_in_threadpool(gebruiker_uit_token, request, credentials)
    return gebruiker_uit_token(request, credentials)


def gebruiker_uit_token(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Gebruiker:
    """The user the bearer token says, checked (synchronous: with a JWKS it may fetch a key)."""
    if credentials is None:
        raise HTTPException(401, "Een bearer token is nodig.", headers={"WWW-Authenticate": "Bearer"})
    try:
        return request.app.state.tokens.verifieer(credentials.credentials)
    except jwt.PyJWKClientConnectionError:  # the identity provider's JWKS is unreachable: not the caller's fault
        raise HTTPException(503, "De sleutels van de identity provider zijn niet bereikbaar.") from None
    except (jwt.PyJWTError, ValidationError):
        raise HTTPException(
            401, "Het token is ongeldig of verlopen.", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
        ) from None


async def optionele_gebruiker(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Gebruiker | None:
    """For endpoints that a melder without an account may use too (with a terugkoppelcode)."""
    return None if credentials is None else await huidige_gebruiker(request, credentials)


def vereist(*rollen: Rol):
    """A dependency that lets only the given roles through (403 otherwise)."""

    async def controleer(gebruiker: Annotated[Gebruiker, Depends(huidige_gebruiker)]) -> Gebruiker:
        if gebruiker.rol not in rollen:
            raise HTTPException(403, f"De rol {gebruiker.rol.value} mag dit niet.")
        return gebruiker

    return controleer
