import time

import jwt
import pytest

from shared.auth import Rol, TokenVerifier, maak_token

SECRET = "s" * 32


def test_token_heen_en_terug():
    t = maak_token(SECRET, "wijkcoach", "GM0637", ["gm0637-wijkcoaches-meerzicht"])
    g = TokenVerifier(SECRET).verifieer(t)
    assert g.rol == Rol.wijkcoach and g.gemeente == "GM0637" and g.teams == ["gm0637-wijkcoaches-meerzicht"]


def test_verkeerd_geheim_verlopen_of_onbekende_rol_wordt_geweigerd():
    with pytest.raises(jwt.InvalidSignatureError):
        TokenVerifier("x" * 32).verifieer(maak_token(SECRET, "beheer"))
    with pytest.raises(jwt.ExpiredSignatureError):
        TokenVerifier(SECRET).verifieer(maak_token(SECRET, "beheer", geldig_seconden=-10))
    vals = jwt.encode({"sub": "a", "rol": "koning", "aud": "integrale-toegang", "exp": int(time.time()) + 60},
                      SECRET, algorithm="HS256")
    with pytest.raises(Exception):
        TokenVerifier(SECRET).verifieer(vals)
    with pytest.raises(ValueError):
        maak_token(SECRET, "koning")


def test_algoritme_none_wordt_niet_aanvaard():
    t = jwt.encode({"sub": "a", "rol": "beheer", "aud": "integrale-toegang", "exp": int(time.time()) + 60},
                   None, algorithm="none")
    with pytest.raises(jwt.InvalidAlgorithmError):
        TokenVerifier(SECRET).verifieer(t)
