"""Server-side sessions, in memory, and the protection of every form (CSRF token and Origin check).

The cookie holds a random session id and nothing else: the bearer token stays on the server, so a
script in the page, a proxy log or a copied cookie jar never sees it. The cookie is HttpOnly,
SameSite=Lax and, in productie, Secure with the `__Host-` prefix (only ever set by this origin, path /).

A visitor gets a session before logging in (the login form needs a CSRF token too); logging in gives
a NEW session id (no session fixation) and logging out removes the session from the server. Sessions
live in this process only: a restart logs everyone out, and more than one replica needs sticky
sessions (or a shared store, a later phase).
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request, Response
from starlette.datastructures import FormData

from shared.auth import Gebruiker

COOKIE_ONTWIKKELING = "werkplek_sessie"
COOKIE_PRODUCTIE = "__Host-werkplek_sessie"
CSRF_VELD = "csrf_token"
# Sessions that never logged in (a login form left open) go sooner than those of a logged-in user.
ANONIEM_SECONDEN = 30 * 60


class Geweigerd(Exception):
    """A POST refused before anything happened: a foreign or missing Origin, or a wrong CSRF token (403)."""

    def __init__(self, reden: str):
        super().__init__(reden)
        self.reden = reden


@dataclass
class Sessie:
    id: str
    csrf: str
    laatst_gebruikt: float
    token: str | None = None
    gebruiker: Gebruiker | None = None
    token_verloopt_op: float | None = None
    # A message for the next page (after a redirect), e.g. "U bent uitgelogd."
    bericht: str | None = None
    # Open forms by their Idempotency-Key (melden.py): they go with the session.
    formulieren: dict[str, Any] = field(default_factory=dict)
    # A login under way at the identity provider (oidc.py): state, nonce and PKCE verifier, server-side.
    oidc: dict[str, str] | None = None
    # The front desk (voordeur.py): the channel of the last licht contact, and its id until shown once.
    kanaal: str | None = None
    laatste_contact: str | None = None

    @property
    def aangemeld(self) -> bool:
        return self.token is not None and self.gebruiker is not None


class Sessies:
    def __init__(self, inactief_seconden: float, productie: bool):
        self._sessies: dict[str, Sessie] = {}
        self._inactief = inactief_seconden
        self.productie = productie
        self.cookie = COOKIE_PRODUCTIE if productie else COOKIE_ONTWIKKELING

    def __len__(self) -> int:
        return len(self._sessies)

    def _nieuw(self) -> Sessie:
        sessie = Sessie(id=secrets.token_urlsafe(32), csrf=secrets.token_urlsafe(32), laatst_gebruikt=time.time())
        self._sessies[sessie.id] = sessie
        return sessie

    def _geldig(self, sessie: Sessie, nu: float) -> bool:
        if sessie.token_verloopt_op is not None and nu >= sessie.token_verloopt_op:
            return False
        grens = self._inactief if sessie.aangemeld else min(self._inactief, ANONIEM_SECONDEN)
        return nu - sessie.laatst_gebruikt < grens

    def haal(self, sessie_id: str | None) -> Sessie | None:
        if not sessie_id:
            return None
        sessie = self._sessies.get(sessie_id)
        nu = time.time()
        if sessie is None or not self._geldig(sessie, nu):
            self._sessies.pop(sessie_id, None)
            return None
        sessie.laatst_gebruikt = nu
        return sessie

    def van(self, request: Request) -> Sessie | None:
        return self.haal(request.cookies.get(self.cookie))

    def van_of_nieuw(self, request: Request) -> Sessie:
        return self.van(request) or self._nieuw()

    def meld_aan(self, oud: Sessie, token: str, gebruiker: Gebruiker, verloopt_op: float) -> Sessie:
        """A fresh id and CSRF token for the logged-in session; the old id stops working."""
        self._sessies.pop(oud.id, None)
        sessie = self._nieuw()
        sessie.token, sessie.gebruiker, sessie.token_verloopt_op = token, gebruiker, verloopt_op
        return sessie

    def beeindig(self, sessie: Sessie) -> None:
        self._sessies.pop(sessie.id, None)

    def ruim_op(self) -> int:
        nu = time.time()
        weg = [s.id for s in self._sessies.values() if not self._geldig(s, nu)]
        for sessie_id in weg:
            del self._sessies[sessie_id]
        return len(weg)

    def zet_cookie(self, response: Response, sessie: Sessie) -> None:
        # No Max-Age: a browser session cookie; the server decides when the session ends.
        response.set_cookie(self.cookie, sessie.id, httponly=True, samesite="lax", secure=self.productie, path="/")

    def wis_cookie(self, response: Response) -> None:
        response.delete_cookie(self.cookie, httponly=True, samesite="lax", secure=self.productie, path="/")


def eigen_origin(request: Request, publieke_url: str | None) -> str:
    if publieke_url:
        delen = urlsplit(publieke_url)
        return f"{delen.scheme}://{delen.netloc}".lower()
    return f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}".lower()


def controleer_origin(request: Request, publieke_url: str | None) -> None:
    """Every POST names its origin (browsers send Origin with every form POST); it must be ours. Without
    Origin, the Referer's origin counts; with neither, the POST is refused."""
    origin = request.headers.get("origin")
    if origin is None and (referer := request.headers.get("referer")):
        delen = urlsplit(referer)
        origin = f"{delen.scheme}://{delen.netloc}"
    if origin is None:
        raise Geweigerd("Het verzoek zegt niet waar het vandaan komt (geen Origin).")
    if origin.lower() != eigen_origin(request, publieke_url):
        raise Geweigerd("Het verzoek komt van een andere website.")


def controleer_csrf(sessie: Sessie | None, formulier: FormData) -> None:
    gegeven = formulier.get(CSRF_VELD)
    if sessie is None or not isinstance(gegeven, str) or not hmac.compare_digest(gegeven, sessie.csrf):
        raise Geweigerd("Het formulier is verlopen of niet van deze werkplek. Laad de pagina opnieuw.")
