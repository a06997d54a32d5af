"""The werkplek's settings, from the environment (pydantic-settings), with the platform's own names.

The werkplek holds no domain data and no database: it needs the four services' base URLs, the kind of
platform (`TOEGANG_OMGEVING`, `productie` unless said otherwise, as for the services) and, for the
development login only, the secret the services verify development tokens with.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

ONTWIKKELING, PRODUCTIE = "ontwikkeling", "productie"
DIENSTEN = ("intake", "triage", "arrangement", "signalering", "stuurinformatie")
_PROJECT = Path(__file__).resolve().parents[1]


def _standaard_config_dir() -> Path:
    # As the services do: relative to the working directory, else the checkout's own.
    lokaal = Path("config/gemeenten")
    return lokaal if lokaal.is_dir() else _PROJECT / "config" / "gemeenten"


class Instellingen(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    omgeving: Literal["ontwikkeling", "productie"] = Field("productie", validation_alias="TOEGANG_OMGEVING")
    intake_url: str = Field("http://127.0.0.1:8001", validation_alias="TOEGANG_INTAKE_URL")
    triage_url: str = Field("http://127.0.0.1:8002", validation_alias="TOEGANG_TRIAGE_URL")
    arrangement_url: str = Field("http://127.0.0.1:8003", validation_alias="TOEGANG_ARRANGEMENT_URL")
    signalering_url: str = Field("http://127.0.0.1:8004", validation_alias="TOEGANG_SIGNALERING_URL")
    stuurinformatie_url: str = Field("http://127.0.0.1:8005", validation_alias="TOEGANG_STUURINFORMATIE_URL")
    # Only for the development login: the werkplek mints the same HS256 token as `toegang token`.
    jwt_secret: SecretStr | None = Field(None, validation_alias="TOEGANG_JWT_SECRET")
    # The gemeente files, for the words only (team names, the source of each termijn_grondslag).
    config_dir: Path = Field(default_factory=_standaard_config_dir, validation_alias="TOEGANG_CONFIG_DIR")
    # The werkplek's public origin (https://werkplek.gemeente.nl) for the Origin check; without it,
    # the origin of the request itself (scheme and Host) is the werkplek's.
    publieke_url: str | None = Field(None, validation_alias="TOEGANG_WERKPLEK_URL")
    # Productie: OpenID Connect (authorization code with PKCE) against the gemeente's identity provider
    # (oidc.py). The issuer is the base of its discovery URL (/.well-known/openid-configuration); the
    # secret only for a confidential client.
    oidc_issuer: str | None = Field(None, validation_alias="TOEGANG_OIDC_ISSUER")
    oidc_client_id: str | None = Field(None, validation_alias="TOEGANG_OIDC_CLIENT_ID")
    oidc_client_secret: SecretStr | None = Field(None, validation_alias="TOEGANG_OIDC_CLIENT_SECRET")
    # The in-memory trace buffer of `toegang dev` (toegang/sporen.py): /beheer draws its last traces.
    sporen_url: str | None = Field(None, validation_alias="TOEGANG_SPOREN_URL")
    host: str = Field("127.0.0.1", validation_alias="TOEGANG_HOST")
    port: int = Field(8000, validation_alias=AliasChoices("TOEGANG_WERKPLEK_PORT", "TOEGANG_PORT"))
    # A session ends after this much inactivity, and at the latest when its token expires.
    sessie_inactief_minuten: int = Field(30, validation_alias="TOEGANG_WERKPLEK_SESSIE_MINUTEN", ge=1)
    dienst_timeout_seconden: float = Field(10.0, validation_alias="TOEGANG_WERKPLEK_TIMEOUT_SECONDEN", gt=0)

    @property
    def productie(self) -> bool:
        return self.omgeving == PRODUCTIE

    @property
    def dienst_urls(self) -> dict[str, str]:
        return {naam: getattr(self, f"{naam}_url").rstrip("/") for naam in DIENSTEN}

    def bezwaren(self) -> list[str]:
        """What keeps this configuration from starting (named, never with a value)."""
        if self.productie and self.jwt_secret is not None:
            # As for the services (decision 0012): in productie tokens come from the identity provider.
            return ["TOEGANG_JWT_SECRET is gezet in productie; tokens komen daar van de identity provider"]
        if bool(self.oidc_issuer) != bool(self.oidc_client_id):
            return ["TOEGANG_OIDC_ISSUER en TOEGANG_OIDC_CLIENT_ID horen samen"]
        return []

    @property
    def oidc(self) -> bool:
        """Log in through the identity provider: in productie, when it is configured."""
        return self.productie and bool(self.oidc_issuer and self.oidc_client_id)
