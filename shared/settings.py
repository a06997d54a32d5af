"""Settings from the environment (pydantic-settings); the names are the contract's.

`TOEGANG_OMGEVING` says what kind of platform this is: `productie` (the default) or `ontwikkeling` (set
by `toegang dev`, the test platform, the benchmark and docker-compose.yml). `bezwaren` lists what keeps
a configuration from starting; `bouw_app` refuses to start a service while there is any (decision 0012):

- always: a way to verify tokens (TOEGANG_JWT_SECRET or TOEGANG_JWKS_URL), and a TOEGANG_GEGEVENS_SLEUTEL,
  when set, that is a Fernet key;
- in productie: TOEGANG_JWKS_URL (https), no TOEGANG_JWT_SECRET, and no development or obviously weak
  TOEGANG_PSEUDONIEM_SLEUTEL or TOEGANG_GEGEVENS_SLEUTEL.

A development key is recognised by its marker `dev-` (ONTWIKKEL_MARKERING): at the start of the
pseudonym key, and at the start of the 32 bytes a Fernet key decodes to. `toegang.omgeving.geheimen`
makes its keys that way, and docker-compose.yml's public defaults have it too.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.faults import Storing
from shared.topology import CONSUMER_BATCH

PROJECT_ROOT = Path(__file__).resolve().parents[1]

ONTWIKKELING, PRODUCTIE = "ontwikkeling", "productie"
ONTWIKKEL_MARKERING = "dev-"
# In productie: a pseudonym key of at least this many characters, with at least this many different ones.
MIN_LENGTE_PSEUDONIEM_SLEUTEL = 32
MIN_VERSCHILLENDE_TEKENS = 10
_LOKAAL = {"localhost", "127.0.0.1", "::1"}


def _standaard_config_dir() -> Path:
    # Relative to the working directory as the contract says, falling back to the checkout's own.
    lokaal = Path("config/gemeenten")
    return lokaal if lokaal.is_dir() else PROJECT_ROOT / "config" / "gemeenten"


class Instellingen(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    omgeving: Literal["ontwikkeling", "productie"] = Field("productie", validation_alias="TOEGANG_OMGEVING")
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
    # How long a fetched message may stay unacknowledged before JetStream gives it to another replica
    # (after a crash); longer than the slowest handler.
    ack_wait_seconden: float = Field(30.0, validation_alias="TOEGANG_ACK_WAIT_SECONDEN", gt=0)
    # Copies of every stream: 1 on a single nats-server, 3 on a three-node JetStream cluster (deploy/).
    stream_replicas: int = Field(1, validation_alias="TOEGANG_STREAM_REPLICAS", ge=1, le=5)
    # How often every replica prunes its service's inbox (decision 0014); daily is plenty for a 395-day cut-off.
    # Messages a durable fetches at once; they share one transaction (shared/bundel.py, decision 0026).
    consumer_batch: int = Field(CONSUMER_BATCH, validation_alias="TOEGANG_CONSUMER_BATCH", ge=1, le=256)
    # How often the metrics job samples the outbox, the durables and the DLQ (shared/metrics.py).
    metriek_interval_s: float = Field(5.0, validation_alias="TOEGANG_METRIEK_INTERVAL_S", gt=0)
    inbox_opschonen_interval_s: float = Field(24 * 3600, validation_alias="TOEGANG_INBOX_OPSCHONEN_INTERVAL_S", gt=0)
    # Fault injection for the fault suite (shared/faults.py); refused in productie.
    storing: Storing | None = Field(None, validation_alias="TOEGANG_STORING")


def is_ontwikkelsleutel(waarde: str | bytes) -> bool:
    """A key made for development: it starts with the marker (a pseudonym key as text, a Fernet key in
    the bytes it decodes to)."""
    markering = ONTWIKKEL_MARKERING.encode() if isinstance(waarde, bytes) else ONTWIKKEL_MARKERING
    return waarde[: len(markering)].lower() == markering


def fernet_bytes(sleutel: str) -> bytes | None:
    """The 32 bytes of a Fernet key (url-safe base64), or None when it is not one."""
    try:
        ruw = base64.urlsafe_b64decode(sleutel.encode())
    except (binascii.Error, ValueError):
        return None
    return ruw if len(ruw) == 32 else None


def _zwakke_pseudoniem_sleutel(sleutel: str) -> str | None:
    if len(sleutel) < MIN_LENGTE_PSEUDONIEM_SLEUTEL:
        return f"korter dan {MIN_LENGTE_PSEUDONIEM_SLEUTEL} tekens"
    if len(set(sleutel)) < MIN_VERSCHILLENDE_TEKENS:
        return f"minder dan {MIN_VERSCHILLENDE_TEKENS} verschillende tekens"
    return None


def _zwakke_fernet_sleutel(ruw: bytes) -> str | None:
    # 32 random bytes are all printable ASCII with a chance of about 1e-14: such a key is a password
    # written as a key, not a generated key. Few different bytes: a pattern (zeros, a repeated word).
    if all(0x20 <= b < 0x7F for b in ruw):
        return "de bytes zijn leesbare tekst, geen willekeurige sleutel"
    if len(set(ruw)) < 16:
        return "te weinig verschillende bytes"
    return None


def bezwaren(instellingen: Instellingen) -> list[str]:
    """What keeps these settings from starting a service, one sentence per problem, each naming its
    environment variable; empty when the service may start."""
    uit: list[str] = []
    productie = instellingen.omgeving == PRODUCTIE
    hint = " (een ontwikkelplatform zet TOEGANG_OMGEVING=ontwikkeling)"
    if instellingen.gegevens_sleutel is not None:
        gegevens = fernet_bytes(instellingen.gegevens_sleutel.get_secret_value())
        if gegevens is None:
            uit.append("TOEGANG_GEGEVENS_SLEUTEL is geen Fernet-sleutel (32 bytes, url-safe base64).")
    else:
        gegevens = None
    if not productie:
        if not instellingen.jwt_secret and not instellingen.jwks_url:
            uit.append("TOEGANG_JWT_SECRET of TOEGANG_JWKS_URL is nodig om tokens te controleren.")
        return uit

    if instellingen.storing is not None:
        uit.append("TOEGANG_STORING is gezet: ingespoten storingen zijn alleen voor de storingstests" + hint + ".")
    if instellingen.jwt_secret is not None:
        uit.append(
            "TOEGANG_JWT_SECRET is gezet: dat ontwikkelgeheim wordt in productie geweigerd; tokens komen "
            "van de identity provider via TOEGANG_JWKS_URL" + hint + "."
        )
    if not instellingen.jwks_url:
        uit.append(
            "TOEGANG_JWKS_URL ontbreekt: in productie worden tokens gecontroleerd met de sleutels van de "
            "identity provider" + hint + "."
        )
    else:
        deel = urlsplit(instellingen.jwks_url)
        if not (deel.scheme == "https" or (deel.scheme == "http" and deel.hostname in _LOKAAL)):
            uit.append("TOEGANG_JWKS_URL moet in productie een https-URL zijn.")
    pseudoniem = instellingen.pseudoniem_sleutel.get_secret_value()
    if is_ontwikkelsleutel(pseudoniem):
        uit.append(
            f"TOEGANG_PSEUDONIEM_SLEUTEL is een ontwikkelsleutel (begint met {ONTWIKKEL_MARKERING!r})" + hint + "."
        )
    elif zwak := _zwakke_pseudoniem_sleutel(pseudoniem):
        uit.append(f"TOEGANG_PSEUDONIEM_SLEUTEL is te zwak: {zwak}.")
    if gegevens is not None:
        if is_ontwikkelsleutel(gegevens):
            uit.append(
                f"TOEGANG_GEGEVENS_SLEUTEL is een ontwikkelsleutel (de bytes beginnen met "
                f"{ONTWIKKEL_MARKERING!r})" + hint + "."
            )
        elif zwak := _zwakke_fernet_sleutel(gegevens):
            uit.append(f"TOEGANG_GEGEVENS_SLEUTEL is te zwak: {zwak}.")
    return uit


def controleer(instellingen: Instellingen) -> None:
    """SystemExit with every objection at once, so one restart fixes them all."""
    if fouten := bezwaren(instellingen):
        raise SystemExit(
            f"De service start niet (TOEGANG_OMGEVING={instellingen.omgeving}):\n" + "\n".join(f"- {f}" for f in fouten)
        )
