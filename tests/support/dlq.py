"""DLQ entries for the tests of the beheer page: a real one (a poison event triage refuses at once) and one
as shared/bus.py writes it for a message triage did apply (its replay changes nothing: applied once)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import httpx
import nats

from tests.conftest import wacht_tot
from tests.support.gegevens import melding_geregistreerd

ONBEKENDE_GEMEENTE = "GM9999"  # a valid code no configuration has: triage refuses it (OngeldigBericht)


async def publiceer_gif(nats_url: str) -> str:
    """A melding-geregistreerd of a gemeente that is not configured: triage's consumer sends it straight
    to the DLQ, and a replay fails again the same way. Returns the event id."""
    event = melding_geregistreerd(ONBEKENDE_GEMEENTE, huishouden_id="a" * 64)
    nc = await nats.connect(nats_url)
    try:
        await nc.jetstream().publish(
            event.nats_subject, event.model_dump_json().encode(), headers={"Nats-Msg-Id": str(event.id)}
        )
    finally:
        await nc.drain()
    return str(event.id)


async def vermelding_van_toegepast(nats_url: str, melding_id: str) -> tuple[int, str]:
    """A triage DLQ entry for the melding-geregistreerd of `melding_id`, which triage applied already, as
    if it had given up on it (tests/e2e/test_dlq_tool.py does the same). Returns (DLQ seq, event id)."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        origineel = await js.get_last_msg("TOEGANG_MELDINGEN", "toegang.meldingen.geregistreerd.GM1916")
        assert origineel.data is not None
        event = json.loads(origineel.data)
        assert event["data"]["melding_id"] == melding_id
        ack = await js.publish(
            "toegang.dlq.triage",
            json.dumps(
                {
                    "service": "triage",
                    "consumer": "triage-meldingen",
                    "subject": origineel.subject,
                    "stream": "TOEGANG_MELDINGEN",
                    "stream_seq": origineel.seq,
                    "afleveringen": 5,
                    "reden": "TimeoutError (test)",
                    "event_id": event["id"],
                    "event_type": event["type"],
                    "event": event,
                    "tijd": datetime.now(UTC).isoformat(),
                }
            ).encode(),
            headers={"Nats-Msg-Id": f"test-beheer-{uuid.uuid4()}"},
        )
    finally:
        await nc.drain()
    return ack.seq, event["id"]


async def dlq_van(platform, token, dienst: str) -> list[dict]:
    async with httpx.AsyncClient() as http:
        r = await http.get(f"{platform.urls[dienst]}/v1/beheer/dlq", headers=token("beheer"))
    assert r.status_code == 200, r.text
    return r.json()["vermeldingen"]


async def wacht_op_vermelding(platform, token, dienst: str, event_id: str) -> dict:
    async def gevonden():
        return next((v for v in await dlq_van(platform, token, dienst) if v["event_id"] == event_id), None)

    return await wacht_tot(gevonden, timeout=20)
