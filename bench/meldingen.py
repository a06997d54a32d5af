"""The benchmark's input: valid `melding-geregistreerd` events, one household each, serialised up front."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml

from shared.events import MeldingGeregistreerd, Veiligheid, maak_event

GEMEENTE = "GM1916"
CONFIG = Path(__file__).resolve().parents[1] / "config" / "gemeenten" / f"{GEMEENTE}.yaml"


@dataclass(frozen=True)
class Bericht:
    correlatieid: str  # the melding id; triage and arrangement carry it to plan-opgesteld
    subject: str
    payload: bytes
    headers: dict[str, str]


def _sleutel(tekst: str) -> str:
    return hashlib.sha256(tekst.encode()).hexdigest()


def maak_meldingen(aantal: int, begin: int = 0) -> list[Bericht]:
    wijken = [w["id"] for w in yaml.safe_load(CONFIG.read_text())["wijken"]]
    berichten = []
    for i in range(begin, begin + aantal):
        melding_id = uuid.uuid4()
        data = MeldingGeregistreerd(
            melding_id=melding_id,
            gemeente=GEMEENTE,
            ontvangen_op=datetime.now(UTC),
            kanaal="digitaal",
            soort="hulpvraag",
            melder_type="inwoner_zelf",
            huishouden_id=_sleutel(f"huishouden-{i}"),
            persoon_sleutels=[_sleutel(f"persoon-{i}")],
            leeftijdscategorie="23-64",
            wijk=wijken[i % len(wijken)],
            levensgebieden=["financien"],
            zrm={},
            veiligheid=Veiligheid(),
            crisis=False,
            spoed=False,
            gevraagde_voorzieningen=[],
            inwoner_op_de_hoogte=True,
        )
        event = maak_event(
            data,
            service="intake",
            gemeente=GEMEENTE,
            subject=str(melding_id),
            correlatieid=str(melding_id),
            dataref=f"/v1/meldingen/{melding_id}",
        )
        berichten.append(
            Bericht(
                str(melding_id),
                event.nats_subject,
                event.model_dump_json().encode(),
                {"Nats-Msg-Id": str(event.id), "content-type": "application/cloudevents+json"},
            )
        )
    return berichten
