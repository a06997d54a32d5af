"""Bad bearer tokens against the running services: every service refuses each of them on one of its
authenticated endpoints with 401, a problem+json body and `WWW-Authenticate: Bearer`; the same endpoint
with a good token gets past authentication (so the 401 is about the token, not the endpoint)."""

from __future__ import annotations

import time
import uuid

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.auth import AUDIENCE, GEMEENTE_ROLLEN
from shared.http import PROBLEM
from tests.e2e.test_skeleton import url

# One authenticated endpoint per service, and the statuses a good beheer token of GM1916 may get there.
ENDPOINTS = {
    "intake": (f"/v1/meldingen/{uuid.uuid4()}", {404}),
    "triage": ("/v1/regels/GM1916", {200}),
    "arrangement": ("/v1/werkvoorraad", {200}),
    "signalering": (f"/v1/casussen/{uuid.uuid4()}", {404}),
}
RSA_SLEUTEL = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def claims(**anders) -> dict:
    nu = int(time.time())
    basis = {
        "sub": "e2e-beheer",
        "rol": "beheer",
        "gemeente": "GM1916",
        "teams": [],
        "aud": AUDIENCE,
        "iat": nu,
        "exp": nu + 600,
    }
    return {k: v for k, v in {**basis, **anders}.items() if v is not None}


def slechte_tokens(secret: str) -> dict[str, str]:
    nu = int(time.time())

    def hs(**c):
        return jwt.encode(claims(**c), secret, algorithm="HS256")

    kop, romp, _ = hs().split(".")
    tokens = {
        "verlopen": hs(exp=nu - 120),
        "nbf in de toekomst": hs(nbf=nu + 600),
        "iat in de toekomst": hs(iat=nu + 600),
        "verkeerd geheim": jwt.encode(claims(), secret + "x", algorithm="HS256"),
        "alg none": jwt.encode(claims(), None, algorithm="none"),
        "zonder handtekening": f"{kop}.{romp}.",
        "RS256 tegen HS256": jwt.encode(claims(), RSA_SLEUTEL, algorithm="RS256"),
        "verkeerde audience": hs(aud="een-andere-dienst"),
        "zonder audience": hs(aud=None),
        "zonder sub": hs(sub=None),
        "zonder rol": hs(rol=None),
        "onbekende rol": hs(rol="koning"),
        "zonder exp": hs(exp=None),
        "partner zonder partner_id": hs(rol="partner", gemeente=None),
        "geen JWT": "geen.jwt.token",
    }
    for rol in sorted(GEMEENTE_ROLLEN):
        tokens[f"{rol.value} zonder gemeente"] = hs(rol=rol.value, gemeente=None)
    return tokens


@pytest.mark.parametrize("service", list(ENDPOINTS))
async def test_elke_service_weigert_elk_slecht_token(platform, service):
    pad, goed = ENDPOINTS[service]
    async with httpx.AsyncClient(timeout=10) as http:
        controle = await http.get(
            url(platform, service, pad),
            headers={"Authorization": f"Bearer {jwt.encode(claims(), platform.jwt_secret)}"},
        )
        assert controle.status_code in goed, controle.text
        geweigerd = {}
        for naam, token in slechte_tokens(platform.jwt_secret).items():
            r = await http.get(url(platform, service, pad), headers={"Authorization": f"Bearer {token}"})
            geweigerd[naam] = (
                r.status_code,
                r.headers.get("content-type", "").split(";")[0],
                r.headers.get("www-authenticate", "").split(" ")[0],
                r.json().get("status"),
            )
        zonder = await http.get(url(platform, service, pad))
    verwacht = (401, PROBLEM, "Bearer", 401)
    assert {n: v for n, v in geweigerd.items() if v != verwacht} == {}
    assert (zonder.status_code, zonder.headers["www-authenticate"].split(" ")[0]) == (401, "Bearer")
