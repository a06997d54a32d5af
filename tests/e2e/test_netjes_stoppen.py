"""Graceful shutdown: on SIGTERM a service stops fetching, finishes what it holds, flushes its outbox
and exits, within a bounded time; nothing is lost and nothing applied twice."""

from __future__ import annotations

import asyncio
import time

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.conftest import wacht_tot
from tests.e2e.test_skeleton import post_melding, url
from tests.support.gegevens import melding
from tests.support.verwerkt import wacht_tot_bijgewerkt, wacht_tot_uitgestuurd
from toegang.omgeving import SERVICES

AANTAL = 20


async def besluiten(platform, token, bron_id: str) -> list[dict]:
    async with httpx.AsyncClient() as http:
        r = await http.get(
            url(platform, "triage", "/v1/besluiten"), params={"bron_id": bron_id}, headers=token("beheer")
        )
    return r.json()["besluiten"]


def stop_en_meet(platform, naam: str) -> tuple[float, int]:
    proces = platform.services[naam].proces
    begin = time.monotonic()
    platform.stop_service(naam)
    return time.monotonic() - begin, proces.returncode


async def outbox(database_url: str, schema: str) -> int:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            return (await conn.execute(text(f"SELECT count(*) FROM {schema}.outbox"))).scalar_one()
    finally:
        await engine.dispose()


async def test_sigterm_midden_in_de_stroom_verliest_niets_en_stopt_op_tijd(platform, token, database_url, nats_server):
    meldingen = await asyncio.gather(
        *(post_melding(platform, token, melding(huisnummer=9300 + i)) for i in range(AANTAL))
    )
    # Mid-stream: every service may hold events in its outbox and be handling some.
    gestopt: list[tuple[str, float, int, int]] = []
    try:
        for naam in SERVICES:
            duur, code = await asyncio.to_thread(stop_en_meet, platform, naam)
            log = (platform.log_map / f"{naam}.log").read_text(errors="replace")
            assert "Application shutdown complete." in log and "Finished server process" in log.splitlines()[-1], log[
                -500:
            ]
            gestopt.append((naam, duur, code, await outbox(database_url, naam)))
    finally:  # the other tests need the platform whatever happened here
        for naam in SERVICES:
            platform.start_service(naam)
        await asyncio.to_thread(platform.wacht_tot_gezond, 60, list(SERVICES))
    for naam, duur, code, in_outbox in gestopt:
        # Not killed (that would be -9 after 15 s): uvicorn shuts down and then re-raises SIGTERM (-15).
        assert code in (0, -15) and duur < 12, (naam, code, duur)
        # Its handlers stopped before its relay did, and the relay published all they committed.
        assert in_outbox == 0, naam

    async def allemaal():
        aantallen = [len(await besluiten(platform, token, m["melding_id"])) for m in meldingen]
        return aantallen if all(aantallen) else None

    aantallen = await wacht_tot(allemaal, timeout=30)
    # Every melding event is in the stream and triage has handled all it holds: a copy applied twice
    # (a redelivery after the stop) has been applied by now. Up to an ack_wait (30 s) if a stopping triage
    # left one unacknowledged.
    await wacht_tot_uitgestuurd(database_url, "intake")
    await wacht_tot_bijgewerkt(nats_server.url, "triage-meldingen", timeout=45)
    assert aantallen == [1] * AANTAL
    assert [len(await besluiten(platform, token, m["melding_id"])) for m in meldingen] == [1] * AANTAL
