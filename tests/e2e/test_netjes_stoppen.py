"""Graceful shutdown: on SIGTERM a service stops fetching, finishes or naks what it holds, flushes its
outbox and exits, within a bounded time; nothing is lost and nothing applied twice."""

from __future__ import annotations

import asyncio
import time

import httpx

from tests.conftest import wacht_tot
from tests.e2e.test_skeleton import post_melding, url
from tests.support.gegevens import melding

AANTAL = 20


async def besluiten(platform, token, bron_id: str) -> list[dict]:
    async with httpx.AsyncClient() as http:
        r = await http.get(url(platform, "triage", "/v1/besluiten"), params={"bron_id": bron_id},
                           headers=token("beheer"))
    return r.json()["besluiten"]


def stop_en_meet(platform, naam: str) -> tuple[float, int]:
    proces = platform.services[naam].proces
    begin = time.monotonic()
    platform.stop_service(naam)
    return time.monotonic() - begin, proces.returncode


async def test_sigterm_midden_in_de_stroom_verliest_niets_en_stopt_op_tijd(platform, token):
    meldingen = await asyncio.gather(*(post_melding(platform, token, melding(huisnummer=9300 + i))
                                       for i in range(AANTAL)))
    # Mid-stream: intake may still hold events in its outbox, triage may be handling some.
    duur_intake, code_intake = await asyncio.to_thread(stop_en_meet, platform, "intake")
    duur_triage, code_triage = await asyncio.to_thread(stop_en_meet, platform, "triage")
    # Not killed (that would be -9 after 15 s): uvicorn shuts down and then re-raises SIGTERM (-15).
    assert code_intake in (0, -15) and code_triage in (0, -15)
    assert duur_intake < 12 and duur_triage < 12
    for naam in ("intake", "triage"):
        log = (platform.log_map / f"{naam}.log").read_text(errors="replace")
        assert "Application shutdown complete." in log and "Finished server process" in log.splitlines()[-1], \
            log[-500:]

    platform.start_service("intake")
    platform.start_service("triage")
    await asyncio.to_thread(platform.wacht_tot_gezond, 60, ["intake", "triage"])

    async def allemaal():
        aantallen = [len(await besluiten(platform, token, m["melding_id"])) for m in meldingen]
        return aantallen if all(aantallen) else None
    aantallen = await wacht_tot(allemaal, timeout=30)
    await asyncio.sleep(1.0)
    assert aantallen == [1] * AANTAL
    assert [len(await besluiten(platform, token, m["melding_id"])) for m in meldingen] == [1] * AANTAL
