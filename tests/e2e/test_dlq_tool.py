"""`toegang dlq list|show|replay` against the running platform: replay goes through the normal consumer
path and is still applied once."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

import httpx
import nats

from tests.conftest import wacht_tot
from tests.e2e.test_skeleton import post_melding, url
from tests.support.gegevens import melding
from tests.support.verwerkt import wacht_tot_opnieuw_verwerkt, wacht_tot_stil, wacht_tot_verwerkt


def toegang(nats_url: str, *argumenten: str) -> str:
    r = subprocess.run(
        [sys.executable, "-m", "toegang", "dlq", *argumenten],
        capture_output=True,
        text=True,
        env={**os.environ, "NATS_URL": nats_url},
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    return r.stdout


async def besluiten(platform, token, bron_id: str) -> list[dict]:
    async with httpx.AsyncClient() as http:
        r = await http.get(
            url(platform, "triage", "/v1/besluiten"), params={"bron_id": bron_id}, headers=token("beheer")
        )
    return r.json()["besluiten"]


async def test_dlq_lijst_toon_en_opnieuw_afspelen_eenmaal_toegepast(
    platform, token, nats_server, bus_opname, database_url
):
    m = await post_melding(platform, token, melding(huisnummer=9201))
    await wacht_tot(lambda: besluiten(platform, token, m["melding_id"]))
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    origineel = await js.get_last_msg("TOEGANG_MELDINGEN", "toegang.meldingen.geregistreerd.GM1916")
    event = json.loads(origineel.data)
    assert event["data"]["melding_id"] == m["melding_id"]
    # As if triage had given up on it: an entry as shared/bus.py writes one.
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
                "tijd": "2026-11-23T12:00:00+00:00",
            }
        ).encode(),
        headers={"Nats-Msg-Id": f"test-dlq-{event['id']}"},
    )
    await nc.close()

    lijst = await asyncio.to_thread(toegang, nats_server.url, "list", "--service", "triage")
    regel = next(r for r in lijst.splitlines() if r.split()[0] == str(ack.seq))
    assert "triage-meldingen" in regel and "TimeoutError (test)" in regel
    getoond = json.loads(await asyncio.to_thread(toegang, nats_server.url, "show", str(ack.seq)))
    assert (getoond["stream"], getoond["stream_seq"], getoond["event_id"]) == (
        "TOEGANG_MELDINGEN",
        origineel.seq,
        event["id"],
    )

    eerder = await wacht_tot_verwerkt(database_url, "triage-meldingen", event["id"])
    for _ in range(2):  # twice: the second replay, too, changes nothing
        terug = json.loads(await asyncio.to_thread(toegang, nats_server.url, "replay", str(ack.seq)))
        assert terug["subject"] == origineel.subject and terug["nieuwe_seq"] > origineel.seq

    def opnieuw_gepubliceerd():
        return [
            h
            for s, h, _ in bus_opname.berichten
            if s == origineel.subject and h.get("Nats-Msg-Id", "").startswith(f"replay:{ack.seq}:")
        ]

    await wacht_tot(lambda: len(opnieuw_gepubliceerd()) >= 2)
    # The replays went through triage's inbox (a duplicate moves verwerkt_op), both copies are handled, and
    # whatever triage published for them is in the recording.
    await wacht_tot_opnieuw_verwerkt(database_url, nats_server.url, "triage-meldingen", event["id"], eerder)
    await wacht_tot_stil(database_url, nats_server.url, bus_opname, durables=("triage-meldingen",))
    assert len(await besluiten(platform, token, m["melding_id"])) == 1
    gedaan = [
        e for e in bus_opname.events("toegang.doorverwijzingen.gedaan.") if e["data"]["bron_id"] == m["melding_id"]
    ]
    assert len(gedaan) == 1
    assert opnieuw_gepubliceerd()[0].get("traceparent")  # the trace context travels with the replay
