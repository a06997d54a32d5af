"""Settings from the environment (pydantic-settings); the names are the contract's."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _standaard_config_dir() -> Path:
    # Relative to the working directory as the contract says, falling back to the checkout's own.
    lokaal = Path("config/gemeenten")
    return lokaal if lokaal.is_dir() else PROJECT_ROOT / "config" / "gemeenten"


class Instellingen(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    nats_url: str = Field("nats://127.0.0.1:14222", validation_alias="NATS_URL")
    database_url: str = Field(validation_alias="DATABASE_URL")
    pseudoniem_sleutel: SecretStr = Field(validation_alias="TOEGANG_PSEUDONIEM_SLEUTEL", min_length=16)
    # Fernet key for personal data at rest (intake, signalering).
    gegevens_sleutel: SecretStr | None = Field(None, validation_alias="TOEGANG_GEGEVENS_SLEUTEL")
    jwt_secret: SecretStr | None = Field(None, validation_alias="TOEGANG_JWT_SECRET")
    jwks_url: str | None = Field(None, validation_alias="TOEGANG_JWKS_URL")
    config_dir: Path = Field(default_factory=_standaard_config_dir, validation_alias="TOEGANG_CONFIG_DIR")
    host: str = Field("127.0.0.1", validation_alias="TOEGANG_HOST")
    port: int | None = Field(None, validation_alias=AliasChoices("TOEGANG_PORT", "PORT"))
    # Retry policy of every consumer: deliveries before the DLQ, and the back-off between them.
    max_deliver: int = Field(5, validation_alias="TOEGANG_MAX_DELIVER", ge=1)
    backoff_seconden: list[float] = Field([0.5, 2, 5, 15], validation_alias="TOEGANG_BACKOFF_SECONDEN")
