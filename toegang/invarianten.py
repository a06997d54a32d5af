"""The invariant checker: did the platform keep its promises? (`toegang invarianten`, and the fault suite)

Given what was sent in (the meldingen and signals whose sender got a 2xx or a PubAck), it reads the
four schemas and the streams and checks, once the platform is at rest:

- every accepted melding is stored, has exactly one triage decision, reached a plan, and its melder
  heard it was picked up;
- every accepted signal is stored once and is in a casus (a repeat without an open casus is the one
  exception the domain allows); every escalation of a casus has exactly one decision that reached a plan;
- every household has at most one active plan, and triage knows that plan's regisseur;
- no event was applied twice: no stream holds one event id twice (except replays from the DLQ), and
  no effect exists twice (decision, timeline entry, status);
- nothing sits in a DLQ unexplained: each entry was replayed and applied since, or its reason is one
  the caller expected (an injected fault, a malformed message it sent on purpose).

A melding or signal that did not make it counts as *in the DLQ* when its message is there, else as
*lost*. The report has, per kind, sent / processed / in DLQ / lost / duplicated.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import nats
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from shared.events import EVENT_TYPES, MeldingGeregistreerd, SignaalDoorgezet
from shared.nats_url import nats_verbinding
from shared.topology import CONSUMERS, STREAMS

DLQ_STREAM = "TOEGANG_DLQ"
SCHEMAS = ("intake", "triage", "arrangement", "signalering", "stuurinformatie")


@dataclass
class Ingezonden:
    """What senders had accepted: melding ids (HTTP 201) and signals (partner_id, partner_signaal_id)."""

    meldingen: set[str] = field(default_factory=set)
    signalen: set[tuple[str, str]] = field(default_factory=set)
    # Substrings of DLQ reasons the caller caused on purpose (an injected fault, a malformed message).
    verklaarde_redenen: tuple[str, ...] = ()

    def als_dict(self) -> dict:
        return {
            "meldingen": sorted(self.meldingen),
            "signalen": sorted(map(list, self.signalen)),
            "verklaarde_redenen": list(self.verklaarde_redenen),
        }

    @classmethod
    def uit_dict(cls, d: dict) -> Ingezonden:
        return cls(
            set(d.get("meldingen", [])),
            {tuple(s) for s in d.get("signalen", [])},
            tuple(d.get("verklaarde_redenen", [])),
        )


@dataclass
class Telling:
    verzonden: int = 0
    verwerkt: int = 0
    in_dlq: int = 0
    verloren: int = 0
    dubbel: int = 0


@dataclass
class Rapport:
    tellingen: dict[str, Telling] = field(default_factory=lambda: defaultdict(Telling))
    schendingen: list[str] = field(default_factory=list)
    dlq: Counter = field(default_factory=Counter)  # hersteld / verklaard / onverklaard

    @property
    def in_orde(self) -> bool:
        return not self.schendingen

    def schending(self, tekst: str) -> None:
        if len(self.schendingen) < 200:  # enough to see the pattern; the counts say how many
            self.schendingen.append(tekst)

    def tekst(self) -> str:
        regels = [f"{'':<14}{'verzonden':>10}{'verwerkt':>10}{'in DLQ':>8}{'verloren':>10}{'dubbel':>8}"]
        for soort, t in self.tellingen.items():
            regels.append(f"{soort:<14}{t.verzonden:>10}{t.verwerkt:>10}{t.in_dlq:>8}{t.verloren:>10}{t.dubbel:>8}")
        regels.append("DLQ: " + (", ".join(f"{k} {v}" for k, v in sorted(self.dlq.items())) or "leeg"))
        regels += [f"SCHENDING: {s}" for s in self.schendingen] or ["alle invarianten gelden"]
        return "\n".join(regels)


# --- reading the streams and the databases -------------------------------------------------------------


@dataclass(frozen=True)
class StreamBericht:
    stream: str
    seq: int
    subject: str
    msg_id: str
    body: dict | None


async def lees_stream(js, stream: str, subject: str) -> list[StreamBericht]:
    """Every message in `stream`, through a short-lived ordered pull consumer of our own."""
    info = await js.stream_info(stream)
    laatste = info.state.last_seq
    if info.state.messages == 0:
        return []
    sub = await js.pull_subscribe(
        subject,
        stream=stream,
        config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE, inactive_threshold=30.0),
    )
    uit: list[StreamBericht] = []
    try:
        while True:
            try:
                berichten = await sub.fetch(1000, timeout=2.0)
            except (TimeoutError, nats.errors.TimeoutError):
                break
            for m in berichten:
                try:
                    body = json.loads(m.data)
                except ValueError:
                    body = None
                uit.append(
                    StreamBericht(
                        stream, m.metadata.sequence.stream, m.subject, (m.headers or {}).get("Nats-Msg-Id", ""), body
                    )
                )
            if uit and uit[-1].seq >= laatste:
                break
    finally:
        await sub.unsubscribe()
    return uit


async def consumers_in_rust(js) -> list[str]:
    """The durables that still have work: pending or unacknowledged messages."""
    bezig = []
    for c in CONSUMERS:
        info = await js.consumer_info(c.stream, c.durable)
        if info.num_pending or info.num_ack_pending:
            bezig.append(f"{c.durable}: {info.num_pending} wachtend, {info.num_ack_pending} onbevestigd")
    return bezig


async def outboxen_leeg(conn) -> list[str]:
    vol = []
    for schema in SCHEMAS:
        aantal = (await conn.execute(text(f"SELECT count(*) FROM {schema}.outbox"))).scalar_one()
        if aantal:
            vol.append(f"{schema}: {aantal} in de outbox")
    return vol


async def wacht_op_rust(nats_url: str, database_url: str, timeout: float = 120.0) -> list[str]:
    """Wait until every outbox is empty and every durable has nothing pending, twice in a row (an event
    handled now may publish another). Returns what was still busy when the time ran out (empty: at rest)."""
    engine = create_async_engine(database_url, pool_size=1)
    nc = await nats.connect(
        **nats_verbinding(nats_url), connect_timeout=5, max_reconnect_attempts=-1, reconnect_time_wait=0.5
    )
    js = nc.jetstream()
    einde = asyncio.get_running_loop().time() + timeout
    rustig = 0
    bezig: list[str] = []
    try:
        while asyncio.get_running_loop().time() < einde:
            try:
                async with engine.connect() as conn:
                    bezig = await outboxen_leeg(conn) + await consumers_in_rust(js)
            except Exception as fout:  # a server still coming back: try again
                bezig = [f"niet bereikbaar: {type(fout).__name__}"]
            rustig = rustig + 1 if not bezig else 0
            if rustig >= 3:
                return []
            await asyncio.sleep(0.5)
        return bezig
    finally:
        await nc.close()
        await engine.dispose()


async def _rijen(conn, sql: str, **params) -> list:
    return (await conn.execute(text(sql), params)).all()


# --- the checks ----------------------------------------------------------------------------------------


@dataclass
class Toestand:
    """What the checks read: the streams, the DLQ and the rows that matter."""

    berichten: list[StreamBericht]
    dlq: list[StreamBericht]
    meldingen: dict[str, str]  # melding_id -> status
    statussen: Counter  # (melding_id, status) -> times
    besluiten: dict[str, list]  # bron_id -> rows (doorverwijzing_id, bron_soort, huishouden_id)
    in_plan: dict[str, str | None]  # doorverwijzing_id -> plan_id of its timeline entry
    tijdlijn_dubbel: int
    signalen: dict[tuple[str, str], list]  # (partner, partner_signaal_id) -> rows (casus_id, beoordeling)
    actieve_plannen: list  # (huishouden_id, plan_id, regisseur)
    triage_kent: dict[str, tuple[str, bool]]  # huishouden_id -> (plan_id, afgesloten)
    inbox: set[tuple[str, str]]  # (consumer, event_id)


async def lees_toestand(nats_url: str, database_url: str) -> Toestand:
    nc = await nats.connect(**nats_verbinding(nats_url), connect_timeout=5)
    js = nc.jetstream()
    try:
        berichten: list[StreamBericht] = []
        for stream in STREAMS:
            if stream.name != DLQ_STREAM:
                berichten += await lees_stream(js, stream.name, stream.subjects[0])
        dlq = await lees_stream(js, DLQ_STREAM, "toegang.dlq.>")
    finally:
        await nc.close()
    engine = create_async_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return await _lees_rijen(conn, berichten, dlq)
    finally:
        await engine.dispose()


async def _lees_rijen(conn, berichten, dlq) -> Toestand:
    meldingen = {
        str(r.melding_id): r.status for r in await _rijen(conn, "SELECT melding_id, status FROM intake.meldingen")
    }
    statussen = Counter(
        (str(r.melding_id), r.status)
        for r in await _rijen(conn, "SELECT melding_id, status FROM intake.statushistorie")
    )
    besluiten: dict[str, list] = defaultdict(list)
    for r in await _rijen(conn, "SELECT doorverwijzing_id, bron_id, bron_soort, huishouden_id FROM triage.besluiten"):
        besluiten[str(r.bron_id)].append(r)
    tijdlijn = await _rijen(
        conn, "SELECT doorverwijzing_id, plan_id FROM arrangement.tijdlijn WHERE doorverwijzing_id IS NOT NULL"
    )
    in_plan = {str(r.doorverwijzing_id): (str(r.plan_id) if r.plan_id else None) for r in tijdlijn}
    signalen: dict[tuple[str, str], list] = defaultdict(list)
    for r in await _rijen(
        conn, "SELECT partner_id, partner_signaal_id, casus_id, beoordeling FROM signalering.signalen"
    ):
        signalen[(r.partner_id, r.partner_signaal_id)].append(r)
    actief = await _rijen(
        conn, "SELECT huishouden_id, plan_id, regisseur FROM arrangement.plannen WHERE status = 'actief'"
    )
    kent = {
        r.huishouden_id: (str(r.plan_id), r.afgesloten)
        for r in await _rijen(conn, "SELECT huishouden_id, plan_id, afgesloten FROM triage.bekende_huishoudens")
    }
    inbox: set[tuple[str, str]] = set()
    for schema in SCHEMAS:
        rijen = await _rijen(conn, f"SELECT consumer, event_id FROM {schema}.inbox")
        inbox |= {(r.consumer, str(r.event_id)) for r in rijen}
    return Toestand(
        berichten,
        dlq,
        meldingen,
        statussen,
        besluiten,
        in_plan,
        len(tijdlijn) - len(in_plan),
        signalen,
        actief,
        kent,
        inbox,
    )


def controleer(t: Toestand, ingezonden: Ingezonden) -> Rapport:
    rapport = Rapport()
    in_dlq = _dlq_bronnen(t, ingezonden, rapport)
    _controleer_streams(t, rapport)
    _controleer_meldingen(t, ingezonden, in_dlq, rapport)
    _controleer_signalen(t, ingezonden, in_dlq, rapport)
    _controleer_huishoudens(t, rapport)
    return rapport


def _events(t: Toestand, type_: str) -> list[dict]:
    return [b.body for b in t.berichten if b.body and b.body.get("type") == type_]


def _dlq_bronnen(t: Toestand, ingezonden: Ingezonden, rapport: Rapport) -> set[str]:
    """Classify every DLQ entry; return the ids (melding, casus, doorverwijzing, partner signal) that a
    DLQ entry still holds back."""
    vastgehouden: set[str] = set()
    for entry in t.dlq:
        e = entry.body or {}
        if e.get("event_id") and (e.get("consumer"), e["event_id"]) in t.inbox:
            rapport.dlq["hersteld"] += 1  # replayed and applied since
            continue
        if any(reden in (e.get("reden") or "") for reden in ingezonden.verklaarde_redenen):
            rapport.dlq["verklaard"] += 1
        else:
            rapport.dlq["onverklaard"] += 1
            rapport.schending(f"DLQ-vermelding {entry.seq} zonder verklaring: {e.get('consumer')}: {e.get('reden')}")
        data = (e.get("event") or {}).get("data") or {}
        vastgehouden |= {str(data[k]) for k in ("melding_id", "casus_id", "doorverwijzing_id", "bron_id") if k in data}
        if e.get("stream") and e.get("stream_seq"):
            vastgehouden.add(f"{e['stream']}:{e['stream_seq']}")
    return vastgehouden


def _controleer_streams(t: Toestand, rapport: Rapport) -> None:
    """JetStream de-duplicates on Nats-Msg-Id: one event id twice in a stream means it was published
    twice outside that guarantee. A DLQ replay is the one allowed repeat; its Nats-Msg-Id says so."""
    tellen = Counter(
        b.body.get("id")
        for b in t.berichten
        if b.body and "specversion" in b.body and not b.msg_id.startswith("replay:")
    )
    for event_id, aantal in tellen.items():
        if aantal > 1:
            rapport.schending(f"event {event_id} staat {aantal} keer in de streams")


def _controleer_meldingen(t: Toestand, ingezonden: Ingezonden, in_dlq: set[str], rapport: Rapport) -> None:
    telling = rapport.tellingen["meldingen"]
    geregistreerd = {e["data"]["melding_id"]: e for e in _events(t, EVENT_TYPES[MeldingGeregistreerd].type)}
    alle = ingezonden.meldingen | set(t.meldingen)
    telling.verzonden = len(alle)
    for melding_id in sorted(alle):
        if melding_id not in t.meldingen:
            telling.verloren += 1
            rapport.schending(f"melding {melding_id} aangenomen maar niet opgeslagen")
            continue
        besluiten = [b for b in t.besluiten.get(melding_id, []) if b.bron_soort == "melding"]
        if len(besluiten) > 1:
            telling.dubbel += 1
            rapport.schending(f"melding {melding_id} heeft {len(besluiten)} triagebesluiten")
            continue
        dubbele_status = [s for (m, s), n in t.statussen.items() if m == melding_id and n > 1]
        if dubbele_status:
            telling.dubbel += 1
            rapport.schending(f"melding {melding_id}: status {dubbele_status} meer dan eens vastgelegd")
            continue
        reden = _waarom_niet_klaar(t, melding_id, besluiten, geregistreerd)
        if reden is None:
            telling.verwerkt += 1
        elif {melding_id, *(str(b.doorverwijzing_id) for b in besluiten)} & in_dlq:
            telling.in_dlq += 1
        else:
            telling.verloren += 1
            rapport.schending(f"melding {melding_id}: {reden}")


def _waarom_niet_klaar(t: Toestand, melding_id: str, besluiten: list, geregistreerd: dict) -> str | None:
    if melding_id not in geregistreerd:
        return "geen melding-geregistreerd in de stream"
    if not besluiten:
        return "geen triagebesluit"
    if not t.in_plan.get(str(besluiten[0].doorverwijzing_id)):
        return "doorverwijzing niet in een plan"
    if t.meldingen[melding_id] not in ("opgepakt", "afgesloten"):
        return f"melder niet ingelicht (status {t.meldingen[melding_id]})"
    return None


def _controleer_signalen(t: Toestand, ingezonden: Ingezonden, in_dlq: set[str], rapport: Rapport) -> None:
    telling = rapport.tellingen["signalen"]
    alle = ingezonden.signalen | set(t.signalen)
    telling.verzonden = len(alle)
    for sleutel in sorted(alle):
        rijen = t.signalen.get(sleutel, [])
        if len(rijen) > 1:
            telling.dubbel += 1
            rapport.schending(f"signaal {sleutel} {len(rijen)} keer opgeslagen")
        elif not rijen:
            telling.verloren += 1
            rapport.schending(f"signaal {sleutel} aangenomen maar niet opgeslagen")
        elif rijen[0].casus_id is None and rijen[0].beoordeling != "herhaalde_melding":
            telling.verloren += 1
            rapport.schending(f"signaal {sleutel} in geen casus")
        else:
            telling.verwerkt += 1
    # A partner's NATS message in the DLQ: its signal never got a row; count it there, not as lost.
    telling.in_dlq = sum(
        1
        for e in t.dlq
        if (e.body or {}).get("consumer") == "signalering-partners" and ((e.body or {}).get("event_id") is None)
    )
    _controleer_escalaties(t, in_dlq, rapport)


def _controleer_escalaties(t: Toestand, in_dlq: set[str], rapport: Rapport) -> None:
    telling = rapport.tellingen["escalaties"]
    per_casus = Counter(
        e["data"]["casus_id"] for e in {e["id"]: e for e in _events(t, EVENT_TYPES[SignaalDoorgezet].type)}.values()
    )
    telling.verzonden = sum(per_casus.values())
    for casus_id, aantal in per_casus.items():
        besluiten = [b for b in t.besluiten.get(casus_id, []) if b.bron_soort == "signaalcasus"]
        if len(besluiten) > aantal:
            telling.dubbel += len(besluiten) - aantal
            rapport.schending(f"casus {casus_id}: {aantal} escalaties maar {len(besluiten)} besluiten")
        zonder_plan = [b for b in besluiten if not t.in_plan.get(str(b.doorverwijzing_id))]
        klaar = min(len(besluiten), aantal) - len(zonder_plan)
        telling.verwerkt += max(klaar, 0)
        missend = aantal - max(klaar, 0)
        if missend <= 0:
            continue
        if {casus_id, *(str(b.doorverwijzing_id) for b in besluiten)} & in_dlq:
            telling.in_dlq += missend
        else:
            telling.verloren += missend
            rapport.schending(f"casus {casus_id}: {missend} escalatie(s) zonder besluit in een plan")


def _controleer_huishoudens(t: Toestand, rapport: Rapport) -> None:
    telling = rapport.tellingen["huishoudens"]
    per_huishouden = Counter(r.huishouden_id for r in t.actieve_plannen)
    telling.verzonden = telling.verwerkt = len(per_huishouden)
    for huishouden, aantal in per_huishouden.items():
        if aantal > 1:
            telling.dubbel += 1
            rapport.schending(f"huishouden {huishouden[:12]}… heeft {aantal} actieve plannen")
    for r in t.actieve_plannen:
        bekend = t.triage_kent.get(r.huishouden_id)
        if bekend is None or bekend[0] != str(r.plan_id) or bekend[1]:
            rapport.schending(f"triage kent de regisseur van plan {r.plan_id} niet (wel: {bekend})")
    if t.tijdlijn_dubbel:
        rapport.schending(f"{t.tijdlijn_dubbel} doorverwijzingen staan meer dan eens in een tijdlijn")


async def controleer_platform(
    nats_url: str, database_url: str, ingezonden: Ingezonden | None = None, wacht_s: float = 120.0
) -> Rapport:
    """Wait until the platform is at rest, then check every invariant."""
    bezig = await wacht_op_rust(nats_url, database_url, wacht_s)
    rapport = controleer(await lees_toestand(nats_url, database_url), ingezonden or Ingezonden())
    for b in bezig:
        rapport.schending(f"niet in rust na {wacht_s:.0f}s: {b}")
    return rapport
