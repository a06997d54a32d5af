"""The productie login against a real OpenID Connect provider (tests/werkplek/idp.py, over HTTP on a
free port): authorization code with PKCE, the ID token checked, the access token kept on the server and
used as the bearer token of the service calls; a wrong state, a wrong nonce and a missing PKCE verifier
are refused, and so is the development login."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest

from tests.werkplek.conftest import csrf_van, instellingen
from tests.werkplek.idp import CLIENT_ID, ProefIdp, draai_idp
from werkplek.app import maak_app

ORIGIN = "https://werkplek.test"  # https: the productie cookie is Secure (__Host-)
TERUG = f"{ORIGIN}/inloggen/terug"
TEAM = "gm1916-gebiedsteam-leidschendam"
GEBRUIKER = {"sub": "kc-7f3a", "rol": "wijkcoach", "gemeente": "GM1916", "teams": [TEAM, "gm1916-ssp"]}


@asynccontextmanager
async def productie(idp: ProefIdp, geheim: str | None) -> AsyncIterator[tuple[httpx.AsyncClient, list[httpx.Request]]]:
    """The werkplek in productie against the provider; arrangement answered by a stand-in that records."""
    gezien: list[httpx.Request] = []

    def arrangement(request: httpx.Request) -> httpx.Response:
        gezien.append(request)
        return httpx.Response(200, json={"werkvoorraad": []})

    over = {
        "TOEGANG_OMGEVING": "productie",
        "TOEGANG_OIDC_ISSUER": idp.issuer,
        "TOEGANG_OIDC_CLIENT_ID": CLIENT_ID,
        "TOEGANG_WERKPLEK_URL": ORIGIN,
        **({"TOEGANG_OIDC_CLIENT_SECRET": geheim} if geheim else {}),
    }
    app = maak_app(instellingen(**over), transport=httpx.MockTransport(arrangement))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as w:
            w.app = app
            yield w, gezien


async def _naar_idp(w: httpx.AsyncClient, idp: ProefIdp) -> str:
    """GET /inloggen, and the browser at the provider: the callback URL it is sent back to."""
    r = await w.get("/inloggen")
    assert r.status_code == 303, r.text
    naar = r.headers["location"]
    assert naar.startswith(f"{idp.issuer}/authorize?")
    w.wacht = dict(_sessies(w)[0].oidc)  # state, nonce and verifier: server-side
    assert w.wacht["verifier"] not in naar and w.wacht["verifier"] not in r.headers["set-cookie"]
    q = parse_qs(urlsplit(naar).query)
    assert q["code_challenge_method"] == ["S256"] and q["redirect_uri"] == [TERUG] and q["nonce"]
    async with httpx.AsyncClient() as browser:
        bij_idp = await browser.get(naar)
    assert bij_idp.status_code == 302, bij_idp.text
    terug = bij_idp.headers["location"]
    assert terug.startswith(TERUG + "?")
    return terug


def _sessies(w: httpx.AsyncClient):
    return list(w.app.state.sessies._sessies.values())


@pytest.fixture
def idp():
    with draai_idp(TERUG) as p:
        p.gebruiker = dict(GEBRUIKER)
        yield p


@pytest.fixture
def idp_vertrouwelijk():
    with draai_idp(TERUG, client_secret="s3cr3t") as p:
        p.gebruiker = dict(GEBRUIKER)
        yield p


@pytest.mark.parametrize("soort", ["publiek", "vertrouwelijk"])
async def test_inloggen_via_oidc_bewaart_het_toegangstoken_op_de_server_en_gebruikt_het_als_bearer(
    soort, idp, idp_vertrouwelijk
):
    p, geheim = (idp, None) if soort == "publiek" else (idp_vertrouwelijk, "s3cr3t")
    async with productie(p, geheim) as (w, gezien):
        terug = await _naar_idp(w, p)
        [voor], wacht = _sessies(w), w.wacht
        r = await w.get(terug)
        assert r.status_code == 303 and r.headers["location"] == "/", r.text
        cookie = r.headers["set-cookie"]
        assert cookie.startswith("__Host-werkplek_sessie=") and "HttpOnly" in cookie and "Secure" in cookie
        [sessie] = [s for s in _sessies(w) if s.aangemeld]
        assert sessie.id != voor.id and sessie.token not in cookie
        claims = jwt.decode(sessie.token, options={"verify_signature": False})
        assert claims["aud"] == "integrale-toegang" and claims["iss"] == p.issuer
        assert sessie.gebruiker.sub == "kc-7f3a" and sessie.gebruiker.rol == "wijkcoach"
        assert sessie.gebruiker.gemeente == "GM1916" and sessie.gebruiker.teams == [TEAM, "gm1916-ssp"]
        assert sessie.token_verloopt_op == claims["exp"]  # the session ends with the token (no refresh)
        [verzoek] = p.token_verzoeken
        assert verzoek["code_verifier"] == wacht["verifier"]  # PKCE: the verifier went with the code
        if geheim:
            assert verzoek["client_id"] == ""  # confidential: the id in the Basic header, not the body

        pagina = await w.get("/werkvoorraad")
        assert pagina.status_code == 200, pagina.text
        [vraag] = gezien
        assert vraag.url.path == "/v1/werkvoorraad"
        assert vraag.headers["authorization"] == f"Bearer {sessie.token}"  # the user's own token
        assert sessie.token not in pagina.text


async def test_een_verkeerde_state_wordt_geweigerd_en_de_code_niet_omgewisseld(idp):
    async with productie(idp, None) as (w, _):
        terug = await _naar_idp(w, idp)
        vervalst = terug.replace("state=", "state=x")
        r = await w.get(vervalst)
        assert r.status_code == 400 and "state" in r.text
        assert not any(s.aangemeld for s in _sessies(w)) and idp.token_verzoeken == []
        # The login's secrets are gone with the failed try: the real callback now finds nothing either.
        assert (await w.get(terug)).status_code == 400
        assert not any(s.aangemeld for s in _sessies(w))


async def test_een_verkeerde_nonce_in_het_id_token_wordt_geweigerd(idp):
    idp.nonce_anders = True
    async with productie(idp, None) as (w, _):
        r = await w.get(await _naar_idp(w, idp))
        assert r.status_code == 400 and "nonce" in r.text
        assert len(idp.token_verzoeken) == 1  # exchanged, then refused on the ID token
        assert not any(s.aangemeld for s in _sessies(w))


async def test_een_id_token_voor_een_andere_client_wordt_geweigerd(idp):
    idp.id_aud = "een-andere-app"
    async with productie(idp, None) as (w, _):
        r = await w.get(await _naar_idp(w, idp))
        assert r.status_code == 400 and "ID-token" in r.text
        assert not any(s.aangemeld for s in _sessies(w))


async def test_zonder_pkce_verifier_geen_omwisseling_en_de_provider_weigert_een_code_zonder(idp):
    async with productie(idp, None) as (w, _):
        terug = await _naar_idp(w, idp)
        [sessie] = _sessies(w)
        del sessie.oidc["verifier"]
        r = await w.get(terug)
        assert r.status_code == 400 and "PKCE" in r.text
        assert idp.token_verzoeken == [] and not any(s.aangemeld for s in _sessies(w))
    # And the provider: a code without its verifier is worth nothing (so the werkplek must send it).
    async with productie(idp, None) as (w, _):
        code = parse_qs(urlsplit(await _naar_idp(w, idp)).query)["code"][0]
        async with httpx.AsyncClient() as http:
            r = await http.post(
                f"{idp.issuer}/token",
                data={"grant_type": "authorization_code", "code": code, "redirect_uri": TERUG, "client_id": CLIENT_ID},
            )
        assert r.status_code == 400 and json.loads(r.text)["error"] == "invalid_grant"


async def test_een_account_zonder_rol_komt_niet_binnen(idp):
    idp.gebruiker = {"sub": "kc-zonder-rol", "gemeente": "GM1916"}
    async with productie(idp, None) as (w, _):
        r = await w.get(await _naar_idp(w, idp))
        assert r.status_code == 400 and "rol" in r.text
        assert not any(s.aangemeld for s in _sessies(w))


async def test_de_ontwikkellogin_blijft_geweigerd_in_productie_met_oidc(idp):
    async with productie(idp, None) as (w, _):
        await w.get("/inloggen")
        [sessie] = _sessies(w)
        sessie.bericht = "U bent uitgelogd."  # the one case /inloggen shows a page instead of redirecting
        pagina = await w.get("/inloggen")
        assert pagina.status_code == 200 and 'name="rol"' not in pagina.text
        r = await w.post(
            "/inloggen",
            data={"csrf_token": csrf_van(f'name="csrf_token" value="{sessie.csrf}"'), "rol": "beheer"},
            headers={"Origin": ORIGIN},
        )
        assert r.status_code == 403
        assert not any(s.aangemeld for s in _sessies(w))
