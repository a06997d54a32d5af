"""GET /metrics of every service and the werkplek against the running platform: the numbers move when the
platform works (a melding, a repeat, poison), the sampled gauges are there, the OpenMetrics answer carries
exemplars with the trace id, and no label carries an id, a key or personal data."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
import uuid

import httpx
import nats
from prometheus_client.parser import text_string_to_metric_families

from shared.topology import CONSUMERS
from tests.conftest import wacht_tot
from tests.e2e.test_skeleton import huishouden, post_melding, url
from tests.support.dlq import publiceer_gif
from tests.support.gegevens import GEVOELIG, geldig_bsn, melding
from tests.support.metrics import waarde

SERVICES = ("intake", "triage", "arrangement", "signalering")


async def scrape(platform, service: str) -> str:
    async with httpx.AsyncClient() as http:
        r = await http.get(url(platform, service, "/metrics"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain"), r.text[:200]
    return r.text


def labelwaarden(tekst: str) -> set[str]:
    return {v for f in text_string_to_metric_families(tekst) for s in f.samples for v in s.labels.values()}


async def toename(platform, bij: str, naam: str, voor: float, **labels: str) -> float:
    """Wait until the metric of service `bij` rose above `voor`; returns the new value."""

    async def gestegen():
        nu = waarde(await scrape(platform, bij), naam, **labels)
        return nu if nu > voor else None

    return await wacht_tot(gestegen, timeout=20)


async def test_een_melding_beweegt_de_metrics_van_elke_hop(platform, token):
    voor = {s: await scrape(platform, s) for s in SERVICES}
    m = await post_melding(platform, token, melding(huisnummer=4000 + uuid.uuid4().int % 900, bsn=geldig_bsn()))
    await wacht_tot(lambda: huishouden(platform, token, m["huishouden_id"]), timeout=20)

    post = {"service": "intake", "route": "/v1/meldingen", "methode": "POST", "status": "2xx"}
    await toename(
        platform,
        "intake",
        "toegang_http_verzoeken_total",
        waarde(voor["intake"], "toegang_http_verzoeken_total", **post),
        **post,
    )
    await toename(
        platform,
        "intake",
        "toegang_outbox_gepubliceerd_total",
        waarde(voor["intake"], "toegang_outbox_gepubliceerd_total"),
    )
    await toename(
        platform,
        "intake",
        "toegang_outbox_commit_tot_puback_seconden_count",
        waarde(voor["intake"], "toegang_outbox_commit_tot_puback_seconden_count"),
    )
    hop = {"consumer": "triage-meldingen", "uitkomst": "ok", "event_type": "MeldingGeregistreerd"}
    await toename(
        platform, "triage", "toegang_berichten_total", waarde(voor["triage"], "toegang_berichten_total", **hop), **hop
    )
    for naam in ("toegang_event_leeftijd_seconden_count", "toegang_verwerking_seconden_count"):
        await toename(
            platform,
            "triage",
            naam,
            waarde(voor["triage"], naam, consumer="triage-meldingen"),
            consumer="triage-meldingen",
        )
    keten = {"keten": "melding_tot_plan"}  # end to end: arrival to the plan, observed by intake
    voor_keten = waarde(voor["intake"], "toegang_keten_seconden_count", **keten)
    await toename(platform, "intake", "toegang_keten_seconden_count", voor_keten, **keten)
    # arrangement's deadline gauges: the new plan's open deadline of GM1916
    assert await toename(platform, "arrangement", "toegang_termijnen_open", 0, gemeente="GM1916") >= 1

    for service in SERVICES:  # the sampled gauges: every durable of the service, and its outbox
        tekst = await scrape(platform, service)
        for c in (c for c in CONSUMERS if c.service == service):
            for naam in ("wachtend", "onbevestigd", "herbezorgd", "ack_vloer"):
                assert f'toegang_consumer_{naam}{{consumer="{c.durable}",service="{service}"}}' in tekst, (
                    service,
                    naam,
                )
        assert f'toegang_outbox_rijen{{service="{service}"}}' in tekst
        assert f'toegang_outbox_oudste_seconden{{service="{service}"}}' in tekst
        assert f'toegang_dlq_vermeldingen{{service="{service}"}}' in tekst
        for onderdeel in ("database", "nats"):
            assert waarde(tekst, "toegang_verbinding_op", service=service, onderdeel=onderdeel) == 1
    # The ack floor is sampled from JetStream on its own loop: read it after a sample that followed the ack.
    assert await toename(platform, "triage", "toegang_consumer_ack_vloer", 0, consumer="triage-meldingen") >= 1


async def test_een_herhaling_telt_als_duplicaat_en_gif_als_dlq(platform, token, nats_server):
    m = await post_melding(platform, token, melding(huisnummer=5000 + uuid.uuid4().int % 900, bsn=geldig_bsn()))
    await wacht_tot(lambda: huishouden(platform, token, m["huishouden_id"]), timeout=20)
    voor = await scrape(platform, "triage")
    dup = {"consumer": "triage-meldingen", "uitkomst": "duplicaat"}
    gif = {"consumer": "triage-meldingen", "reden": "ongeldig_bericht"}

    nc = await nats.connect(nats_server.url)
    try:  # the same event again, under another Nats-Msg-Id: JetStream takes it, the inbox knows it
        js = nc.jetstream()
        origineel = await js.get_last_msg("TOEGANG_MELDINGEN", "toegang.meldingen.geregistreerd.GM1916")
        assert json.loads(origineel.data)["data"]["melding_id"] == m["melding_id"]
        await js.publish(origineel.subject, origineel.data, headers={"Nats-Msg-Id": f"herhaling-{uuid.uuid4()}"})
    finally:
        await nc.drain()
    await toename(platform, "triage", "toegang_berichten_total", waarde(voor, "toegang_berichten_total", **dup), **dup)

    await publiceer_gif(nats_server.url)
    await toename(platform, "triage", "toegang_dlq_total", waarde(voor, "toegang_dlq_total", **gif), **gif)
    onleesbaar = {"consumer": "triage-meldingen", "uitkomst": "onleesbaar"}
    assert waarde(await scrape(platform, "triage"), "toegang_berichten_total", **onleesbaar) > waarde(
        voor, "toegang_berichten_total", **onleesbaar
    )
    await toename(platform, "triage", "toegang_dlq_vermeldingen", waarde(voor, "toegang_dlq_vermeldingen"))


async def test_openmetrics_met_exemplaar_van_de_trace(platform, token):
    m = await post_melding(platform, token, melding(huisnummer=6000 + uuid.uuid4().int % 900, bsn=geldig_bsn()))
    await wacht_tot(lambda: huishouden(platform, token, m["huishouden_id"]), timeout=20)

    async def met_exemplaar():
        async with httpx.AsyncClient() as http:
            r = await http.get(
                url(platform, "triage", "/metrics"), headers={"Accept": "application/openmetrics-text; version=1.0.0"}
            )
        assert r.headers["content-type"].startswith("application/openmetrics-text")
        return re.search(
            r'toegang_verwerking_seconden_bucket\{.*\} \d+(\.\d+)? # \{trace_id="([0-9a-f]{32})"\}', r.text
        )

    gevonden = await wacht_tot(met_exemplaar, timeout=10)
    assert int(gevonden.group(2), 16) != 0


async def test_geen_label_draagt_een_id_sleutel_of_persoonsgegeven(platform, token, werkplek):
    bsn = geldig_bsn()
    m = await post_melding(platform, token, melding(huisnummer=7000 + uuid.uuid4().int % 900, bsn=bsn))
    await wacht_tot(lambda: huishouden(platform, token, m["huishouden_id"]), timeout=20)
    async with httpx.AsyncClient() as http:  # a household page and a melding read, so routes with ids are counted
        await http.get(url(platform, "arrangement", f"/v1/huishoudens/{m['huishouden_id']}"), headers=token("beheer"))
        await http.get(url(platform, "intake", f"/v1/meldingen/{m['melding_id']}"), headers=token("beheer"))
        werkplek_metrics = (await http.get(f"http://127.0.0.1:{platform.werkplek_poort}/metrics")).text
    teksten = {s: await scrape(platform, s) for s in SERVICES} | {"werkplek": werkplek_metrics}
    assert 'route="/v1/huishoudens/{huishouden_id}"' in teksten["arrangement"]
    verboden = [bsn, m["melding_id"], m["huishouden_id"], *GEVOELIG]
    for naam, tekst in teksten.items():
        for v in labelwaarden(tekst):
            assert not any(str(g).lower() in v.lower() for g in verboden), (naam, v)
            assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-|[0-9a-f]{32}|\d{9}|^toegang\.|^partners\.", v), (naam, v)


async def test_toegang_status_toont_stroom_achterstand_en_verbindingen(platform, token, tmp_path):
    """`toegang status` reads the services of dev.json and prints every durable with its flow and lag."""
    m = await post_melding(platform, token, melding(huisnummer=8000 + uuid.uuid4().int % 900, bsn=geldig_bsn()))
    await wacht_tot(lambda: huishouden(platform, token, m["huishouden_id"]), timeout=20)
    (tmp_path / "dev.json").write_text(json.dumps({"services": platform.urls}))
    code, tekst, fout = await toegang_status(tmp_path)
    assert code == 0, fout
    for c in CONSUMERS:
        assert re.search(rf"^  {c.durable}\s+\d+\.\d/s\s+wachtend\s+\d+", tekst, re.M), (c.durable, tekst)
    assert re.search(r"^triage: database op, nats op; outbox \d+ rijen", tekst, re.M), tekst
    afgehandeld = int(re.search(r"^  triage-meldingen .* afgehandeld\s+(\d+)", tekst, re.M).group(1))
    assert afgehandeld >= 1
    assert re.search(r"^  termijnen GM1916: [1-9]\d* open", tekst, re.M), tekst

    (tmp_path / "dev.json").unlink()  # no toegang dev: a clear error, no traceback
    code, _, fout = await toegang_status(tmp_path)
    assert code == 2 and "toegang dev" in fout and "Traceback" not in fout


async def toegang_status(data_dir) -> tuple[int | None, str, str]:
    omgeving = {**os.environ, "TOEGANG_DATA_DIR": str(data_dir)}
    proces = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "toegang",
        "status",
        env=omgeving,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    uit, fout = await asyncio.wait_for(proces.communicate(), 30)
    return proces.returncode, uit.decode(), fout.decode()
