"""The fault suite: a steady stream of meldingen and signals while a fault happens; afterwards the
invariant checker must find nothing lost, nothing twice, nothing unexplained in the DLQ.

The reduced suite (in the README's test command) kills each service once, restarts nats-server and
PostgreSQL once, injects poison (then replays it) and lost acknowledgements, and pauses a consumer;
`python3 run.py fouten` adds three kills per service, two replicas with one killed and a three-node
JetStream cluster that loses its stream leader, all with longer streams. Cases also assert what the
operator saw in the metrics: the DLQ counter, publish errors and recovery, the lag alert's expression.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import nats
import pytest

from shared.faults import REDEN
from shared.nats_url import nats_verbinding
from tests.fouten.conftest import VOLLEDIG
from tests.support.metrics import alert_expr, expr_op, waarde
from toegang import dlq
from toegang.omgeving import SERVICES

DUUR = 24 if VOLLEDIG else 12


async def met_stroom(fo, fout, duur: float = DUUR, **kwargs):
    """Run the stream for `duur` seconds and, meanwhile, the fault (a coroutine function)."""
    stroom = fo.stroom(**kwargs)
    await asyncio.gather(stroom.draai(duur), fout())
    return stroom


async def doden_en_herstarten(fo, namen: list[str], tussenpoos: float) -> None:
    """SIGKILL each of `namen` in turn, `tussenpoos` apart, and start it again half a second later."""
    for naam in namen:
        await asyncio.sleep(tussenpoos)
        fo.kill(naam)
        await asyncio.sleep(0.5)
        fo.herstart(naam)
    await asyncio.to_thread(fo.platform.wacht_tot_gezond, 60)


async def test_sigkill_van_elke_service_midden_in_de_stroom(fout_omgeving):
    fo = fout_omgeving
    await asyncio.to_thread(fo.start)

    # One after the other, each while the stream is running.
    stroom = await met_stroom(fo, lambda: doden_en_herstarten(fo, list(SERVICES), DUUR / 6))
    rapport = await fo.controleer(stroom)
    assert rapport.tellingen["meldingen"].verwerkt == len(stroom.ingezonden.meldingen) > 0

    # The same check as an operator runs it: `toegang invarianten`, exit code 0; and 1 for a melding
    # that a client was told was accepted but that the platform does not have.
    bestand = fo.map_ / "ingezonden.json"
    bestand.write_text(json.dumps(stroom.ingezonden.als_dict()))
    goed = await invarianten_opdracht(fo, bestand)
    assert goed.returncode == 0 and "alle invarianten gelden" in goed.stdout, goed.stdout + goed.stderr
    bestand.write_text(json.dumps({**stroom.ingezonden.als_dict(), "meldingen": [str(uuid.uuid4())]}))
    fout = await invarianten_opdracht(fo, bestand)
    assert fout.returncode == 1 and "aangenomen maar niet opgeslagen" in fout.stdout, fout.stdout + fout.stderr


async def invarianten_opdracht(fo, bestand):
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "toegang", "invarianten", "--ingezonden", str(bestand), "--wacht", "30"],
        env={**os.environ, "NATS_URL": fo.nats.url, "DATABASE_URL": fo.database_url},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.volledig
@pytest.mark.parametrize("naam", list(SERVICES))
async def test_sigkill_meermaals(fout_omgeving, naam):
    fo = fout_omgeving
    await asyncio.to_thread(fo.start)

    stroom = await met_stroom(fo, lambda: doden_en_herstarten(fo, [naam] * 3, DUUR / 4))
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
    # What the operator saw: triage's DLQ counter and the entries in the DLQ, one per poisoned melding.
    gif = {"consumer": "triage-meldingen", "reden": "IngespotenStoring"}
    tekst = await fo.metrics("triage")
    assert waarde(tekst, "toegang_dlq_total", **gif) == meldingen.in_dlq, tekst
    assert waarde(tekst, "toegang_berichten_total", consumer="triage-meldingen", uitkomst="dlq") == meldingen.in_dlq
    await tot_metriek(fo, "triage", "toegang_dlq_vermeldingen", meldingen.in_dlq)  # a sampled gauge

    # The operator fixes the cause (here: no more injected fault) and replays every entry: each melding
    # is then decided once, reaches its plan, and the DLQ entries count as recovered.
    fo.omgeving.pop("TOEGANG_STORING")
    fo.platform.stop_service("triage")
    fo.herstart("triage")
    await asyncio.to_thread(fo.platform.wacht_tot_gezond, 60, ["triage"])
    for entry in await dlq.lijst(fo.nats.url, aantal=1000):
        await dlq.speel_opnieuw(fo.nats.url, entry["dlq_seq"])
    na_replay = await fo.controleer(stroom, label="na replay")
    assert na_replay.tellingen["meldingen"].verwerkt == meldingen.verzonden
    assert na_replay.dlq == {"hersteld": meldingen.in_dlq}


async def test_bevestiging_kwijt_na_commit_wordt_niet_dubbel_toegepast(fout_omgeving):
    """A third of the meldingen are decided and committed by triage, but their acknowledgement is lost
    (as when triage dies or its connection drops between commit and ack). JetStream delivers them again;
    the inbox must keep each to one decision and one doorverwijzing."""
    fo = fout_omgeving
    fo.omgeving["TOEGANG_STORING"] = '{"consumer": "triage-meldingen", "elke": 3, "moment": "na_commit"}'
    fo.omgeving["TOEGANG_LOG_LEVEL"] = "INFO"  # to count the retries below
    await asyncio.to_thread(fo.start)
    stroom = await met_stroom(fo, _niets)
    rapport = await fo.controleer(stroom)
    assert rapport.tellingen["meldingen"].verwerkt == len(stroom.ingezonden.meldingen) > 0
    log = (fo.platform.log_map / "triage.log").read_text()
    assert log.count("IngespotenStoring") >= len(stroom.ingezonden.meldingen) // 6  # the fault did happen


async def _niets():
    return None


async def tot_metriek(fo, naam: str, metriek: str, verwacht: float, timeout: float = 5.0, **labels: str) -> None:
    """Wait until the service's metric shows `verwacht` (a gauge is sampled every 0.5 s here)."""
    einde = asyncio.get_running_loop().time() + timeout
    while (gezien := waarde(await fo.metrics(naam), metriek, **labels)) != verwacht:
        assert asyncio.get_running_loop().time() < einde, f"{naam} {metriek}: {gezien}, verwacht {verwacht}"
        await asyncio.sleep(0.1)


@pytest.mark.parametrize("onderdeel", ["nats-server", "postgresql"])
async def test_herstart_midden_in_de_stroom(fout_omgeving, onderdeel):
    """nats-server or PostgreSQL stops (SIGTERM) and comes back, same port, same data.

    nats-server: services reconnect, pull consumers fetch again (nats-py's weak spot), relays publish
    what waited; intake keeps taking meldingen meanwhile (the outbox holds them).
    PostgreSQL: the API answers 503 (the client tries again), consumers nak and wait (a database outage
    is not the message's fault: nothing goes to the DLQ), relays try again."""
    fo = fout_omgeving
    await asyncio.to_thread(fo.start)
    server = fo.nats if onderdeel == "nats-server" else fo.pg

    gezien: dict[str, float] = {}
    verbinding = "nats" if onderdeel == "nats-server" else "database"

    async def herstart():
        await asyncio.sleep(DUUR / 3)
        voor = await fo.metrics("intake")
        gezien["fouten_voor"] = waarde(voor, "toegang_outbox_publicatiefouten_total")
        gezien["gepubliceerd_voor"] = waarde(voor, "toegang_outbox_gepubliceerd_total")
        await asyncio.to_thread(server.stop)
        await asyncio.sleep(1.5)  # three samples of the connection gauge
        tijdens = await fo.metrics("intake")
        gezien["verbinding_tijdens"] = waarde(tijdens, "toegang_verbinding_op", onderdeel=verbinding)
        gezien["fouten_tijdens"] = waarde(tijdens, "toegang_outbox_publicatiefouten_total")
        gezien["outbox_tijdens"] = waarde(tijdens, "toegang_outbox_rijen")
        await asyncio.sleep(0.5)
        await asyncio.to_thread(server.start)
        fo.extra[f"{onderdeel}_weg_s"] = 2.0

    stroom = await met_stroom(fo, herstart)
    await fo.controleer(stroom)
    if onderdeel == "postgresql":
        assert stroom.pogingen > 0  # the outage was seen by the clients
    # What the operator saw: the connection down while it was down, the relay's failed attempts, then
    # recovery: connected, the outbox empty, and publishing again.
    na = await fo.metrics("intake")
    fo.extra["metrics"] = {**gezien, "fouten_na": waarde(na, "toegang_outbox_publicatiefouten_total")}
    assert gezien["verbinding_tijdens"] == 0, gezien
    if onderdeel == "nats-server":
        # nats-py buffers while it reconnects and the relay waits up to 10 s for PubAcks, so a 2 s outage
        # need not fail a publish; what it always shows is the outbox holding what intake kept taking in.
        assert gezien["outbox_tijdens"] > 0, gezien
    else:  # the relay cannot read its outbox: each attempt fails and is counted
        assert gezien["fouten_tijdens"] > gezien["fouten_voor"], gezien
    await tot_metriek(fo, "intake", "toegang_verbinding_op", 1, onderdeel=verbinding)
    await tot_metriek(fo, "intake", "toegang_outbox_rijen", 0)
    assert waarde(na, "toegang_outbox_gepubliceerd_total") > gezien["gepubliceerd_voor"]


@pytest.mark.volledig
async def test_twee_replicas_van_elke_service_en_een_wordt_gedood(fout_omgeving):
    """Two processes per service share the durables and the outbox; one of each dies (SIGKILL) and stays
    dead. What it held comes back to the other after ack_wait; its outbox rows are the other's too."""
    fo = fout_omgeving
    await asyncio.to_thread(fo.start, 2)

    async def doden():
        await asyncio.sleep(DUUR / 3)
        for naam in SERVICES:
            fo.kill(f"{naam}-1")

    stroom = await met_stroom(fo, doden)
    await fo.controleer(stroom)
    assert all(fo.platform.services[naam].proces.poll() is None for naam in SERVICES)


async def test_gepauzeerde_consumer_bouwt_achterstand_op_en_loopt_die_in(fout_omgeving):
    """arrangement's consumer is paused (JetStream consumer pause) while the stream runs: doorverwijzingen
    pile up; after resuming, the backlog drains and every melding still gets one plan.

    What the operator saw: arrangement's /metrics, read every half second, show the backlog growing while
    paused and draining after; the lag alert's expression (ConsumerAchterstandGroeit, deploy/prometheus),
    evaluated by promtool on those readings (one a minute), holds while paused and not once drained."""
    fo = fout_omgeving
    await asyncio.to_thread(fo.start)
    achterstand: list[int] = []
    gelezen: list[float] = []
    durable = {"consumer": "arrangement-doorverwijzingen"}

    async def lees() -> None:
        gelezen.append(waarde(await fo.metrics("arrangement"), "toegang_consumer_wachtend", **durable))
        await asyncio.sleep(0.5)

    async def pauzeer():
        nc = await nats.connect(fo.nats.url)
        js = nc.jetstream()
        try:
            await js.pause_consumer(
                "TOEGANG_DOORVERWIJZINGEN",
                "arrangement-doorverwijzingen",
                (datetime.now(UTC) + timedelta(minutes=10)).isoformat(),
            )
            einde = asyncio.get_running_loop().time() + DUUR * 2 / 3
            while asyncio.get_running_loop().time() < einde:
                await lees()
            fo.extra["gepauzeerd_gelezen"] = len(gelezen)
            info = await js.consumer_info("TOEGANG_DOORVERWIJZINGEN", "arrangement-doorverwijzingen")
            achterstand.append(info.num_pending)
            await js.resume_consumer("TOEGANG_DOORVERWIJZINGEN", "arrangement-doorverwijzingen")
            begin = asyncio.get_running_loop().time()
            while info.num_pending or info.num_ack_pending:
                await lees()
                info = await js.consumer_info("TOEGANG_DOORVERWIJZINGEN", "arrangement-doorverwijzingen")
            fo.extra["achterstand_leeg_na_s"] = round(asyncio.get_running_loop().time() - begin, 1)
        finally:
            await nc.close()

    stroom = await met_stroom(fo, pauzeer)
    fo.extra["achterstand"] = achterstand[0]
    rapport = await fo.controleer(stroom)
    assert achterstand[0] > 50, achterstand  # a real backlog had built up
    assert rapport.tellingen["meldingen"].verwerkt == len(stroom.ingezonden.meldingen)

    for _ in range(6):  # drained, and read so a few more minutes
        await lees()
    gepauzeerd = fo.extra["gepauzeerd_gelezen"]
    assert gelezen[gepauzeerd - 1] > gelezen[0] and gelezen[-1] == 0, gelezen
    reeks = {'toegang_consumer_wachtend{service="arrangement", consumer="arrangement-doorverwijzingen"}': gelezen}
    labels = '{consumer="arrangement-doorverwijzingen", service="arrangement"}'
    expr = alert_expr("ConsumerAchterstandGroeit")
    assert expr_op(expr, reeks, gepauzeerd - 1, [(labels, gelezen[gepauzeerd - 1])]) == ""
    assert expr_op(expr, reeks, len(gelezen) - 1, []) == ""


@pytest.mark.volledig
async def test_jetstream_cluster_de_streamleider_wordt_gedood(fout_omgeving):
    """Three nats-servers, every stream on all three (R3). The leader of the meldingen stream is moved to
    the node intake is connected to, and that node dies (SIGKILL) mid-stream: another node takes over the
    stream, and intake (whose relay publishes the meldingen) must fail over to a node still up."""
    fo = fout_omgeving
    cluster = await fo.gebruik_cluster()
    await asyncio.to_thread(fo.start)

    async def dood_de_leider():
        await asyncio.sleep(DUUR / 3)
        knoop = await asyncio.to_thread(knoop_van_verbinding, cluster, "toegang-intake")
        nc = await nats.connect(**nats_verbinding(cluster.url))
        try:
            js = nc.jetstream()
            info = await js.stream_info("TOEGANG_MELDINGEN")
            assert info.config.num_replicas == 3 and len(info.cluster.replicas) == 2
            while (await js.stream_info("TOEGANG_MELDINGEN")).cluster.leader != knoop:
                await nc.request(
                    "$JS.API.STREAM.LEADER.STEPDOWN.TOEGANG_MELDINGEN",
                    json.dumps({"placement": {"preferred": knoop}}).encode(),
                    timeout=5,
                )
                await asyncio.sleep(0.5)
        finally:
            await nc.close()
        cluster.knoop(knoop).proces.kill()
        fo.extra["streamleider_gedood"] = knoop

    stroom = await met_stroom(fo, dood_de_leider)
    await fo.controleer(stroom)
    nc = await nats.connect(**nats_verbinding(cluster.url))
    try:
        assert (await nc.jetstream().stream_info("TOEGANG_MELDINGEN")).cluster.leader != fo.extra["streamleider_gedood"]
    finally:
        await nc.close()
    assert "Connection broken" in (fo.platform.log_map / "intake.log").read_text()  # it did fail over


def knoop_van_verbinding(cluster, naam: str) -> str:
    """The server_name of the node a client (by its connection name) is connected to (monitoring /connz)."""
    for knoop in cluster.knopen:
        verbindingen = httpx.get(f"http://{knoop.host}:{knoop.monitor_poort}/connz", timeout=5).json()
        if any(c.get("name") == naam for c in verbindingen.get("connections") or []):
            return knoop.server_name
    raise AssertionError(f"{naam} is met geen enkele knoop verbonden")
