"""The four services' public HTTP APIs, called with the logged-in user's own bearer token (or, for the
one public page, /status, without one: the melder's terugkoppelcode in a header is the credential).

So every authorisation decision and every processing-log entry stays with the service that owns the
data: the werkplek adds no rights of its own. One `httpx.AsyncClient` per service (its connection pool).
An error answer (problem+json, RFC 9457) becomes `DienstFout` with the problem as the service gave it,
so a page can show a 404 as "niet gevonden" and a form a 422's errors next to the field they are about.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from werkplek.instellingen import DIENSTEN


class DienstFout(Exception):
    """A service answered with an error status; `probleem` is its problem+json body (or a stand-in)."""

    def __init__(self, dienst: str, status: int, probleem: dict[str, Any]):
        super().__init__(f"{dienst} antwoordde {status}")
        self.dienst, self.status, self.probleem = dienst, status, probleem

    @property
    def detail(self) -> str:
        return str(self.probleem.get("detail") or self.probleem.get("title") or "")

    @property
    def veldfouten(self) -> dict[str, list[str]]:
        """A 422's per-field errors by the dotted field name (`betreft.adres.postcode`), as the form's
        field names are the API's (CONTRACT.md, "Werkplek")."""
        fouten: dict[str, list[str]] = {}
        for fout in self.probleem.get("errors") or []:
            if isinstance(fout, dict) and "veld" in fout:
                fouten.setdefault(str(fout["veld"]), []).append(str(fout.get("detail", "")))
        return fouten


class DienstOnbereikbaar(Exception):
    """No answer at all (connection refused, timeout): the page says which part is away."""

    def __init__(self, dienst: str):
        super().__init__(f"{dienst} is niet bereikbaar")
        self.dienst = dienst


class Diensten:
    def __init__(self, urls: Mapping[str, str], timeout: float, transport: httpx.AsyncBaseTransport | None = None):
        onbekend = set(urls) - set(DIENSTEN)
        if onbekend:
            raise ValueError(f"onbekende diensten: {sorted(onbekend)}")
        self._clients = {
            naam: httpx.AsyncClient(base_url=url, timeout=timeout, transport=transport, follow_redirects=False)
            for naam, url in urls.items()
        }

    @property
    def clients(self) -> Mapping[str, httpx.AsyncClient]:
        """The client per service (werkplek/telemetrie.py instruments them)."""
        return self._clients

    async def sluit(self) -> None:
        for client in self._clients.values():
            await client.aclose()

    async def get(
        self,
        dienst: str,
        pad: str,
        token: str | None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """`token` None: a call without a bearer token (a melder without an account)."""
        return await self._vraag(dienst, "GET", pad, token, params=params, headers=headers)

    async def post(self, dienst: str, pad: str, token: str, body: Any, headers: Mapping[str, str] | None = None) -> Any:
        return await self._vraag(dienst, "POST", pad, token, json=body, headers=headers)

    async def tekst(self, dienst: str, pad: str, token: str, params: Mapping[str, str] | None = None) -> str:
        """A GET whose answer is text (a CSV export), not JSON."""
        return await self._vraag(dienst, "GET", pad, token, params=params, als_tekst=True)

    async def _vraag(
        self,
        dienst: str,
        methode: str,
        pad: str,
        token: str | None,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        als_tekst: bool = False,
    ) -> Any:
        kop = {"Accept": "text/csv" if als_tekst else "application/json", **(headers or {})}
        if token is not None:
            kop["Authorization"] = f"Bearer {token}"
        try:
            antwoord = await self._clients[dienst].request(methode, pad, params=params, json=json, headers=kop)
        except httpx.TransportError:
            raise DienstOnbereikbaar(dienst) from None
        if antwoord.is_success:
            if als_tekst:
                return antwoord.text
            return antwoord.json() if antwoord.content else None
        raise DienstFout(dienst, antwoord.status_code, _probleem(antwoord))


def _probleem(antwoord: httpx.Response) -> dict[str, Any]:
    try:
        body = antwoord.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        return body
    return {"status": antwoord.status_code, "title": antwoord.reason_phrase, "detail": ""}
