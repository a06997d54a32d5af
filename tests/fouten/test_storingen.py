"""The fault suite: a steady stream of meldingen and signals while a fault happens; afterwards the
invariant checker must find nothing lost, nothing twice, nothing unexplained in the DLQ.

The reduced suite (in the README's test command) kills each service once, restarts NATS once and
injects poison; `python3 run.py fouten` adds several kills per service, replicas, a PostgreSQL
restart, a paused consumer and a three-node JetStream cluster.
"""

from __future__ import annotations

import asyncio

import pytest

from shared.storing import REDEN
from tests.fouten.conftest import VOLLEDIG
from toegang.omgeving import SERVICES

DUUR = 24 if VOLLEDIG else 12


async def met_stroom(fo, fout, duur: float = DUUR, **kwargs):
    """Run the stream for `duur` seconds and, meanwhile, the fault (a coroutine function)."""
    stroom = fo.stroom(**kwargs)
    await asyncio.gather(stroom.draai(duur), fout())
    return stroom


async def test_sigkill_van_elke_service_midden_in_de_stroom(fout_omgeving):
    fo = fout_omgeving
    await asyncio.to_thread(fo.start)

    async def doden():
        for naam in SERVICES:  # one after the other, each while the stream is running
            await asyncio.sleep(DUUR / 6)
            fo.kill(naam)
            await asyncio.sleep(0.5)
            fo.herstart(naam)
        await asyncio.to_thread(fo.platform.wacht_tot_gezond, 60)

    stroom = await met_stroom(fo, doden)
    rapport = await fo.controleer(stroom)
    assert rapport.tellingen["meldingen"].verwerkt == len(stroom.ingezonden.meldingen) > 0


@pytest.mark.volledig
@pytest.mark.parametrize("naam", list(SERVICES))
async def test_sigkill_meermaals(fout_omgeving, naam):
    fo = fout_omgeving
    await asyncio.to_thread(fo.start)

    async def doden():
        for _ in range(3):
            await asyncio.sleep(DUUR / 4)
            fo.kill(naam)
            await asyncio.sleep(0.3)
            fo.herstart(naam)
        await asyncio.to_thread(fo.platform.wacht_tot_gezond, 60)

    stroom = await met_stroom(fo, doden)
    await fo.controleer(stroom)


async def test_poison_naar_de_dlq_terwijl_de_rest_doorgaat(fout_omgeving):
    fo = fout_omgeving
    fo.omgeving["TOEGANG_STORING"] = '{"consumer": "triage-meldingen", "elke": 5}'
    await asyncio.to_thread(fo.start)
    stroom = await met_stroom(fo, _niets)
    rapport = await fo.controleer(stroom, verklaard=(REDEN,))
    meldingen = rapport.tellingen["meldingen"]
    # About one in five meldingen is poisoned: they wait in the DLQ, every other one went all the way.
    assert 0 < meldingen.in_dlq < meldingen.verzonden / 2
    assert meldingen.verwerkt + meldingen.in_dlq == meldingen.verzonden
    assert rapport.dlq["verklaard"] == meldingen.in_dlq


async def _niets():
    return None


async def test_nats_server_herstart_midden_in_de_stroom(fout_omgeving):
    """nats-server stops (SIGTERM) and comes back on the same port with the same store. Services
    reconnect, pull consumers fetch again (nats-py's weak spot), relays publish what waited."""
    fo = fout_omgeving
    await asyncio.to_thread(fo.start)

    async def herstart():
        await asyncio.sleep(DUUR / 3)
        await asyncio.to_thread(fo.nats.stop)
        await asyncio.sleep(2.0)
        await asyncio.to_thread(fo.nats.start)

    stroom = await met_stroom(fo, herstart)
    await fo.controleer(stroom)


async def test_postgresql_herstart_midden_in_de_stroom(fout_omgeving):
    """PostgreSQL stops and starts again. Meanwhile the API answers 503 (the client tries again),
    consumers nak and wait (a database outage is not the message's fault: nothing goes to the DLQ),
    and relays try again."""
    fo = fout_omgeving
    await asyncio.to_thread(fo.start)

    async def herstart():
        await asyncio.sleep(DUUR / 3)
        await asyncio.to_thread(fo.pg.stop)
        await asyncio.sleep(2.0)
        await asyncio.to_thread(fo.pg.start)

    stroom = await met_stroom(fo, herstart)
    await fo.controleer(stroom)
    assert stroom.pogingen > 0  # the outage was seen by the clients
