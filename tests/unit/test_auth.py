"""Bearer tokens (shared/auth.py): what TokenVerifier accepts and refuses, in HS256 (development) and
JWKS (production) mode, and that every refusal is a 401 problem+json with `WWW-Authenticate: Bearer`.

JWKS mode runs against a real JWKS endpoint: a tiny HTTP server in the test, with RSA and EC keys made
here with `cryptography`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Annotated

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from shared import auth
from shared.auth import (
    AUDIENCE,
    GEMEENTE_ROLLEN,
    Gebruiker,
    Rol,
    TokenVerifier,
    huidige_gebruiker,
    maak_token,
)
from shared.http import PROBLEM, installeer_foutafhandeling

SECRET = "s" * 32
RSA_SLEUTEL = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ANDERE_RSA_SLEUTEL = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_SLEUTEL = ec.generate_private_key(ec.SECP256R1())
RSA_PUBLIEK_PEM = RSA_SLEUTEL.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
)
JWKS_HMAC_GEHEIM = b"een-symmetrische-sleutel-in-de-jwks-32b"


def claims(**anders) -> dict:
    """Valid claims of a wijkcoach; `veld=None` leaves a claim out."""
    nu = int(time.time())
    basis = {
        "sub": "medewerker-1",
        "rol": "wijkcoach",
        "gemeente": "GM1916",
        "teams": ["gm1916-ssp"],
        "aud": AUDIENCE,
        "iat": nu,
        "exp": nu + 600,
    }
    return {k: v for k, v in {**basis, **anders}.items() if v is not None}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256_met_sleutel(payload: dict, sleutel: bytes, kid: str | None = None) -> str:
    """HS256 by hand: PyJWT itself refuses to use a PEM public key as an HMAC secret, an attacker does not."""
    header = {"alg": "HS256", "typ": "JWT", **({"kid": kid} if kid else {})}
    invoer = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    return f"{invoer}.{b64(hmac.new(sleutel, invoer.encode(), hashlib.sha256).digest())}"


def onbeveiligd(payload: dict, kid: str | None = None) -> str:
    header = {"alg": "none", "typ": "JWT", **({"kid": kid} if kid else {})}
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}."


# (name, token against SECRET, the exception TokenVerifier(SECRET) must raise)
SLECHTE_HS256_TOKENS: list[tuple[str, Callable[[], str], type[Exception]]] = [
    ("verlopen", lambda: jwt.encode(claims(exp=int(time.time()) - 120), SECRET), jwt.ExpiredSignatureError),
    ("nbf in de toekomst", lambda: jwt.encode(claims(nbf=int(time.time()) + 600), SECRET), jwt.ImmatureSignatureError),
    ("iat in de toekomst", lambda: jwt.encode(claims(iat=int(time.time()) + 600), SECRET), jwt.ImmatureSignatureError),
    ("verkeerd geheim", lambda: jwt.encode(claims(), "x" * 32), jwt.InvalidSignatureError),
    ("gewijzigde payload", lambda: _gewijzigd(jwt.encode(claims(), SECRET)), jwt.InvalidSignatureError),
    ("alg none", lambda: onbeveiligd(claims()), jwt.InvalidAlgorithmError),
    ("RS256 tegen HS256", lambda: jwt.encode(claims(), RSA_SLEUTEL, algorithm="RS256"), jwt.InvalidAlgorithmError),
    ("HS512", lambda: jwt.encode(claims(), SECRET * 2, algorithm="HS512"), jwt.InvalidAlgorithmError),
    ("verkeerde audience", lambda: jwt.encode(claims(aud="een-andere-dienst"), SECRET), jwt.InvalidAudienceError),
    ("zonder audience", lambda: jwt.encode(claims(aud=None), SECRET), jwt.MissingRequiredClaimError),
    ("zonder exp", lambda: jwt.encode(claims(exp=None), SECRET), jwt.MissingRequiredClaimError),
    ("zonder sub", lambda: jwt.encode(claims(sub=None), SECRET), jwt.MissingRequiredClaimError),
    ("lege sub", lambda: jwt.encode(claims(sub=" "), SECRET), jwt.InvalidTokenError),
    ("zonder rol", lambda: jwt.encode(claims(rol=None), SECRET), jwt.MissingRequiredClaimError),
    ("onbekende rol", lambda: jwt.encode(claims(rol="koning"), SECRET), jwt.InvalidTokenError),
    *[
        (
            f"{rol.value} zonder gemeente",
            (lambda rol=rol: jwt.encode(claims(rol=rol.value, gemeente=None), SECRET)),
            jwt.MissingRequiredClaimError,
        )
        for rol in sorted(GEMEENTE_ROLLEN)
    ],
    (
        "partner zonder partner_id",
        lambda: jwt.encode(claims(rol="partner", gemeente=None), SECRET),
        jwt.MissingRequiredClaimError,
    ),
    ("geen JWT", lambda: "dit-is-geen-token", jwt.DecodeError),
]


def _gewijzigd(token: str) -> str:
    header, payload, handtekening = token.split(".")
    inhoud = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return f"{header}.{b64(json.dumps({**inhoud, 'rol': 'beheer'}).encode())}.{handtekening}"


def test_token_heen_en_terug():
    t = maak_token(SECRET, "wijkcoach", "GM0637", ["gm0637-wijkcoaches-meerzicht"])
    g = TokenVerifier(SECRET).verifieer(t)
    assert g.rol == Rol.wijkcoach and g.gemeente == "GM0637" and g.teams == ["gm0637-wijkcoaches-meerzicht"]
    p = TokenVerifier(SECRET).verifieer(maak_token(SECRET, "partner", partner_id="gm1916-vidomes"))
    assert p.rol == Rol.partner and p.partner_id == "gm1916-vidomes" and p.gemeente is None
    assert TokenVerifier(SECRET).verifieer(maak_token(SECRET, "inwoner")).rol == Rol.inwoner  # no gemeente needed
    with pytest.raises(ValueError):
        maak_token(SECRET, "koning")


@pytest.mark.parametrize("naam,maak,fout", SLECHTE_HS256_TOKENS, ids=[t[0] for t in SLECHTE_HS256_TOKENS])
def test_slecht_token_wordt_geweigerd(naam, maak, fout):
    with pytest.raises(fout):
        TokenVerifier(SECRET).verifieer(maak())


def test_klokverschil_binnen_de_speling_wordt_aanvaard():
    """30 seconds of skew between identity provider and service; beyond it, refused (see above)."""
    nu = int(time.time())
    assert TokenVerifier(SECRET).verifieer(jwt.encode(claims(exp=nu - 10, iat=nu + 10, nbf=nu + 10), SECRET))
    with pytest.raises(jwt.ExpiredSignatureError):
        TokenVerifier(SECRET, speling_seconden=0).verifieer(jwt.encode(claims(exp=nu - 10), SECRET))


class Klok:
    """shared.auth's clock, moved by the test (the verifier's memory of tokens follows it)."""

    def __init__(self) -> None:
        self.nu = time.time()

    def __call__(self) -> float:
        return self.nu


def test_een_geverifieerd_token_wordt_onthouden_tot_zijn_exp_en_niet_langer(monkeypatch):
    """The same token again is not checked again until its exp (+ leeway): the signature is checked anew
    then, so a changed key shows (here: another secret refuses the old token)."""
    klok = Klok()
    monkeypatch.setattr(auth.time, "time", klok)
    verifier = TokenVerifier(SECRET, speling_seconden=5)
    token = maak_token(SECRET, "wijkcoach", "GM0637", geldig_seconden=60)
    eerst = verifier.verifieer(token)
    verifier._secret = "een ander geheim, na een wissel van sleutel"
    klok.nu += 64  # within exp + leeway: remembered
    assert verifier.verifieer(token) is eerst
    klok.nu += 2  # past exp + leeway: verified again, against the new secret
    with pytest.raises(jwt.InvalidSignatureError):
        verifier.verifieer(token)


def test_een_token_wordt_hoogstens_onthoud_seconden_onthouden(monkeypatch):
    klok = Klok()
    monkeypatch.setattr(auth.time, "time", klok)
    verifier = TokenVerifier(SECRET)
    token = maak_token(SECRET, "partner", partner_id="gm1916-vidomes")  # valid for 12 hours
    verifier.verifieer(token)
    verifier._secret = "een ander geheim, na een wissel van sleutel"
    klok.nu += auth.ONTHOUD_SECONDEN - 1
    assert verifier.verifieer(token).partner_id == "gm1916-vidomes"
    klok.nu += 2
    with pytest.raises(jwt.InvalidSignatureError):
        verifier.verifieer(token)


def test_een_geweigerd_token_wordt_niet_onthouden_en_het_geheugen_is_begrensd(monkeypatch):
    verifier = TokenVerifier(SECRET)
    fout = jwt.encode(claims(), "niet het geheim, maar wel lang genoeg voor HS256")
    for _ in range(2):  # refused each time: nothing of a refusal is kept
        with pytest.raises(jwt.InvalidSignatureError):
            verifier.verifieer(fout)
    monkeypatch.setattr(auth, "ONTHOUD_MAX", 3)
    tokens = [maak_token(SECRET, "inwoner", sub=f"i{i}") for i in range(5)]
    for t in tokens:
        verifier.verifieer(t)
    assert list(verifier._onthouden) == tokens[2:]  # the oldest went first


def test_zonder_geheim_en_zonder_jwks_geen_verifier():
    with pytest.raises(ValueError):
        TokenVerifier()


# --- JWKS mode ------------------------------------------------------------------------------------------


def _jwk(publiek, kid: str, alg: str) -> dict:
    algoritme = jwt.algorithms.RSAAlgorithm if alg == "RS256" else jwt.algorithms.ECAlgorithm
    return {**json.loads(algoritme.to_jwk(publiek)), "kid": kid, "use": "sig", "alg": alg}


class JwksServer:
    """Serves one JWKS over HTTP on a free port and counts the fetches."""

    def __init__(self, jwks: dict) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.opgehaald += 1
                body = json.dumps(jwks).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.opgehaald = 0
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/.well-known/jwks.json"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture(scope="module")
def jwks():
    server = JwksServer(
        {
            "keys": [
                _jwk(RSA_SLEUTEL.public_key(), "rsa-1", "RS256"),
                _jwk(EC_SLEUTEL.public_key(), "ec-1", "ES256"),
                # A symmetric key in the JWKS must never be used: anyone who can read the JWKS knows it.
                {"kty": "oct", "kid": "oct-1", "alg": "HS256", "k": b64(JWKS_HMAC_GEHEIM)},
            ]
        }
    )
    yield server
    server.stop()


def rs256(payload: dict, kid: str = "rsa-1", sleutel=RSA_SLEUTEL) -> str:
    return jwt.encode(payload, sleutel, algorithm="RS256", headers={"kid": kid})


SLECHTE_JWKS_TOKENS: list[tuple[str, Callable[[], str], type[Exception]]] = [
    # The classic confusion: HS256 with the RSA public key (which the JWKS publishes) as the HMAC secret.
    (
        "HS256 met de publieke RSA-sleutel",
        lambda: hs256_met_sleutel(claims(), RSA_PUBLIEK_PEM, "rsa-1"),
        jwt.InvalidAlgorithmError,
    ),
    (
        "HS256 met de publieke RSA-sleutel zonder kid",
        lambda: hs256_met_sleutel(claims(), RSA_PUBLIEK_PEM),
        jwt.InvalidAlgorithmError,
    ),
    ("HS256 met het ontwikkelgeheim", lambda: jwt.encode(claims(), SECRET), jwt.InvalidAlgorithmError),
    (
        "HS256 met een symmetrische sleutel uit de JWKS",
        lambda: hs256_met_sleutel(claims(), JWKS_HMAC_GEHEIM, "oct-1"),
        jwt.InvalidAlgorithmError,
    ),
    ("alg none met kid", lambda: onbeveiligd(claims(), "rsa-1"), jwt.InvalidAlgorithmError),
    # The key decides the algorithm: an ES256 header on the RSA key's kid is refused.
    (
        "ES256-header op een RSA-sleutel",
        lambda: jwt.encode(claims(), EC_SLEUTEL, algorithm="ES256", headers={"kid": "rsa-1"}),
        jwt.InvalidAlgorithmError,
    ),
    (
        "ondertekend met een andere RSA-sleutel",
        lambda: rs256(claims(), sleutel=ANDERE_RSA_SLEUTEL),
        jwt.InvalidSignatureError,
    ),
    ("onbekende kid", lambda: rs256(claims(), kid="rsa-onbekend", sleutel=ANDERE_RSA_SLEUTEL), jwt.PyJWKClientError),
    ("verlopen", lambda: rs256(claims(exp=int(time.time()) - 120)), jwt.ExpiredSignatureError),
    ("nbf in de toekomst", lambda: rs256(claims(nbf=int(time.time()) + 600)), jwt.ImmatureSignatureError),
    ("verkeerde audience", lambda: rs256(claims(aud="een-andere-dienst")), jwt.InvalidAudienceError),
    ("zonder sub", lambda: rs256(claims(sub=None)), jwt.MissingRequiredClaimError),
    ("medewerker zonder gemeente", lambda: rs256(claims(gemeente=None)), jwt.MissingRequiredClaimError),
    ("partner zonder partner_id", lambda: rs256(claims(rol="partner", gemeente=None)), jwt.MissingRequiredClaimError),
]


def test_jwks_aanvaardt_rs256_en_es256_van_de_identity_provider(jwks):
    verifier = TokenVerifier(jwks_url=jwks.url)
    assert verifier.verifieer(rs256(claims())).gemeente == "GM1916"
    es = jwt.encode(
        claims(rol="partner", gemeente=None, partner_id="p-1"), EC_SLEUTEL, algorithm="ES256", headers={"kid": "ec-1"}
    )
    assert verifier.verifieer(es).partner_id == "p-1"
    assert jwks.opgehaald >= 1


@pytest.mark.parametrize("naam,maak,fout", SLECHTE_JWKS_TOKENS, ids=[t[0] for t in SLECHTE_JWKS_TOKENS])
def test_jwks_slecht_token_wordt_geweigerd(jwks, naam, maak, fout):
    with pytest.raises(fout):
        TokenVerifier(jwks_url=jwks.url).verifieer(maak())


def test_jwks_haalt_geen_sleutels_op_voor_een_token_met_een_verkeerd_algoritme(jwks):
    voor = jwks.opgehaald
    verifier = TokenVerifier(jwks_url=jwks.url)
    for token in (onbeveiligd(claims(), "rsa-1"), hs256_met_sleutel(claims(), RSA_PUBLIEK_PEM, "rsa-1")):
        with pytest.raises(jwt.InvalidAlgorithmError):
            verifier.verifieer(token)
    assert jwks.opgehaald == voor


# --- over HTTP: 401 problem+json with WWW-Authenticate: Bearer ------------------------------------------


def app_met(verifier: TokenVerifier) -> TestClient:
    app = FastAPI()
    app.state.tokens = verifier
    installeer_foutafhandeling(app)

    @app.get("/wie")
    def wie(gebruiker: Annotated[Gebruiker, Depends(huidige_gebruiker)]) -> dict:
        return {"sub": gebruiker.sub, "rol": gebruiker.rol.value}

    return TestClient(app)


def assert_401(antwoord) -> None:
    assert antwoord.status_code == 401, antwoord.text
    assert antwoord.headers["content-type"].startswith(PROBLEM)
    assert antwoord.json()["status"] == 401 and antwoord.json()["title"]
    assert antwoord.headers["www-authenticate"].split()[0] == "Bearer"


def test_http_slechte_tokens_krijgen_401_problem_json_met_www_authenticate():
    client = app_met(TokenVerifier(SECRET))
    assert client.get("/wie", headers={"Authorization": f"Bearer {jwt.encode(claims(), SECRET)}"}).json() == {
        "sub": "medewerker-1",
        "rol": "wijkcoach",
    }
    for naam, maak, _ in SLECHTE_HS256_TOKENS:
        antwoord = client.get("/wie", headers={"Authorization": f"Bearer {maak()}"})
        assert_401(antwoord)
        assert "medewerker-1" not in antwoord.text, naam  # nothing of the token is echoed
    assert_401(client.get("/wie"))
    assert_401(client.get("/wie", headers={"Authorization": "Basic YTpi"}))


def test_http_jwks_modus_weigert_verwarring_van_algoritmen(jwks):
    client = app_met(TokenVerifier(jwks_url=jwks.url))
    assert client.get("/wie", headers={"Authorization": f"Bearer {rs256(claims())}"}).status_code == 200
    for _, maak, _ in SLECHTE_JWKS_TOKENS:
        assert_401(client.get("/wie", headers={"Authorization": f"Bearer {maak()}"}))


def test_http_onbereikbare_jwks_is_503_en_geen_toegang():
    client = app_met(TokenVerifier(jwks_url="http://127.0.0.1:9/jwks.json"))  # discard port: nothing listens
    antwoord = client.get("/wie", headers={"Authorization": f"Bearer {rs256(claims())}"})
    assert antwoord.status_code == 503 and antwoord.headers["content-type"].startswith(PROBLEM)
