"""Every stream, durable consumer and DLQ subject of the platform, in one place.

Services do not declare streams as a side effect of subscribing (two services with different
subscriptions would overwrite each other's stream subjects); `declareer_streams` does it, idempotently,
at start-up of every service and in `toegang migrate`. `declareer_consumers` does the same for a
service's durables at its start: FastStream (through nats-py's pull_subscribe) only creates a missing
durable and binds an existing one as it is, so a changed `consumer_config` would otherwise never arrive.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields
from datetime import timedelta

from nats.js import JetStreamContext
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DeliverPolicy,
    DiscardPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)
from nats.js.errors import APIError, BadRequestError, NotFoundError

from shared.events import (
    EVENT_TYPES,
    AanvraagGeregistreerd,
    BeschikkingAfgegeven,
    BezwaarBeslist,
    CasusAfgesloten,
    Data,
    DoorverwijzingAanvaard,
    DoorverwijzingGedaan,
    JongereWordtAchttien,
    KlachtAfgehandeld,
    LichtContactGeregistreerd,
    LichtContactOmgezet,
    MeldingGeregistreerd,
    PlanAfgesloten,
    PlanOpgesteld,
    RegisseurToegewezen,
    SignaalDoorgezet,
    SignaalOntvangen,
    TermijnVerstreken,
)
from shared.nats_url import nats_verbinding

log = logging.getLogger(__name__)

# JetStream drops a second message with the same Nats-Msg-Id within this window; the inbox of each
# consumer covers what arrives later.
DUPLICATE_WINDOW_S = 15 * 60
# Beyond a stream's max_age, for a delivery that came late (a consumer down or behind, a replay's copy
# waiting in a backlog) and for the clocks of NATS and PostgreSQL (decision 0014).
INBOX_MARGE_DAGEN = 30
# How long the server waits for an ack before it delivers a message again (RetryBeleid's default).
ACK_WAIT_S = 30.0
# Messages a durable fetches at once per replica, and so at most per shared transaction (shared/bundel.py).
CONSUMER_BATCH = 64
# Messages a durable hands out unacknowledged at once, over all replicas of its service.
MAX_ACK_PENDING = 1000
# What nats-server refuses to change on an existing consumer ("... can not be updated"); changing one
# means a new durable, and deleting the old one would lose its position: an operator decides.
ONVERANDERLIJK = (
    "deliver_policy",
    "opt_start_seq",
    "opt_start_time",
    "ack_policy",
    "replay_policy",
    "max_waiting",
    "mem_storage",
    "deliver_subject",
    "flow_control",
    "idle_heartbeat",
)


@dataclass(frozen=True)
class Stream:
    name: str
    subjects: tuple[str, ...]
    description: str
    max_age_days: int = 365


@dataclass(frozen=True)
class Consumer:
    """A durable pull consumer: one per (service, event type it handles). Its subject and stream follow
    from the event type (shared/events.py: EVENT_TYPES): every gemeente's events of that type."""

    service: str
    durable: str
    # What the consumer receives: an event type, or None for raw partner input (not CloudEvents), which
    # names its subject in `ruw_subject`; such a consumer has no inbox: its handler is idempotent on the
    # partner's own id.
    event: type[Data] | None
    description: str
    ruw_subject: str | None = None
    # A durable whose work may wait a moment (figures for policy staff, not a household's next step): after
    # a batch that was not full it waits `verzamel_s` before fetching again, and fetches up to `batch`
    # (None: TOEGANG_CONSUMER_BATCH), so that its batches, and the transactions they share, grow (decision 0027).
    verzamel_s: float = 0.0
    batch: int | None = None

    @property
    def subject(self) -> str:
        if self.event is not None:
            return f"{EVENT_TYPES[self.event].subject_prefix}.*"
        if self.ruw_subject is None:
            raise ValueError(f"consumer {self.durable}: een event type of een ruw subject")
        return self.ruw_subject

    @property
    def stream(self) -> str:
        return stream_van_subject(self.subject)

    @property
    def cloudevents(self) -> bool:
        return self.event is not None


PARTNER_SIGNALEN = "partners.*.signalen"

STREAMS: tuple[Stream, ...] = (
    Stream("TOEGANG_MELDINGEN", ("toegang.meldingen.>",), "Meldingen: geregistreerd, opgepakt"),
    Stream("TOEGANG_SIGNALEN", ("toegang.signalen.>",), "Signalen en signaalcasussen"),
    Stream("TOEGANG_DOORVERWIJZINGEN", ("toegang.doorverwijzingen.>",), "Besluiten van triage en warme overdrachten"),
    Stream("TOEGANG_PLANNEN", ("toegang.plannen.>",), "Plannen, regisseurs, beschikkingen, termijnen"),
    Stream("TOEGANG_DLQ", ("toegang.dlq.>",), "Berichten die bleven falen, met de reden"),
    # Partners publish straight onto NATS here; their credentials allow their own subject only.
    Stream("PARTNER_SIGNALEN", ("partners.*.signalen",), "Signalen van partners via NATS", max_age_days=30),
)

CONSUMERS: tuple[Consumer, ...] = (
    Consumer("triage", "triage-meldingen", MeldingGeregistreerd, "Route elke nieuwe melding"),
    Consumer("triage", "triage-casussen", SignaalDoorgezet, "Route elke doorgezette signaalcasus"),
    Consumer("triage", "triage-regisseurs", RegisseurToegewezen, "Projectie: welk huishouden heeft een regisseur"),
    Consumer(
        "triage", "triage-afsluitingen", PlanAfgesloten, "Projectie: een afgesloten plan heeft geen regisseur meer"
    ),
    Consumer(
        "arrangement", "arrangement-doorverwijzingen", DoorverwijzingGedaan, "Eén plan en één regisseur per huishouden"
    ),
    Consumer(
        "arrangement",
        "arrangement-termijnen-verstreken",
        TermijnVerstreken,
        "Doorzettingsmacht: een termijn die verstreken blijft, escaleert",
    ),
    Consumer("arrangement", "arrangement-leden", MeldingGeregistreerd, "Mijn toegang: wie hoort bij welk huishouden"),
    Consumer(
        "arrangement", "arrangement-achttien", JongereWordtAchttien, "Van 18- naar 18+: overgangstermijn in het plan"
    ),
    Consumer("intake", "intake-doorverwijzingen", DoorverwijzingGedaan, "Status doorverwezen"),
    Consumer(
        "intake", "intake-aanvaardingen", DoorverwijzingAanvaard, "Status opgepakt en terugkoppeling aan de melder"
    ),
    Consumer(
        "intake", "intake-afsluitingen", PlanAfgesloten, "Status afgesloten; start van de bewaartermijn van de melder"
    ),
    Consumer(
        "signalering",
        "signalering-partners",
        None,
        "Signalen die partners rechtstreeks op NATS publiceren",
        ruw_subject=PARTNER_SIGNALEN,
    ),
    Consumer("signalering", "signalering-aanvaardingen", DoorverwijzingAanvaard, "Casus opgepakt"),
)


# Stuurinformatie counts these (services/stuurinformatie/feiten.py keeps one fact per event): a durable each,
# collecting its batches for up to half a second: figures half a second later, at a third less CPU per event
# (decision 0027).
VERZAMEL_S = 0.5
VERZAMEL_BATCH = 256
STUURINFORMATIE: tuple[tuple[type[Data], str], ...] = (
    (MeldingGeregistreerd, "meldingen"),
    (DoorverwijzingGedaan, "doorverwijzingen"),
    (DoorverwijzingAanvaard, "aanvaardingen"),
    (PlanOpgesteld, "planversies"),
    (PlanAfgesloten, "afsluitingen"),
    (AanvraagGeregistreerd, "aanvragen"),
    (BeschikkingAfgegeven, "beschikkingen"),
    (TermijnVerstreken, "termijnen-verstreken"),
    (BezwaarBeslist, "bezwaren"),
    (KlachtAfgehandeld, "klachten"),
    (LichtContactGeregistreerd, "lichte-contacten"),
    (LichtContactOmgezet, "contacten-omgezet"),
    (SignaalOntvangen, "signalen"),
    (SignaalDoorgezet, "casussen"),
    (CasusAfgesloten, "casussen-afgesloten"),
)
CONSUMERS += tuple(
    Consumer(
        "stuurinformatie",
        f"stuurinformatie-{naam}",
        event,
        f"Stuurinformatie: {EVENT_TYPES[event].type}",
        verzamel_s=VERZAMEL_S,
        batch=VERZAMEL_BATCH,
    )
    for event, naam in STUURINFORMATIE
)


def consumers_van(service: str) -> list[Consumer]:
    return [c for c in CONSUMERS if c.service == service]


def consumer(durable: str) -> Consumer:
    return next(c for c in CONSUMERS if c.durable == durable)


def inbox_bewaartermijn(service: str) -> timedelta:
    """How long `service`'s inbox keeps a row: as long as the longest-kept stream it consumes can bring
    the event again (a redelivery, a replay from the DLQ), plus INBOX_MARGE_DAGEN (decision 0014)."""
    max_age = {s.name: s.max_age_days for s in STREAMS}
    dagen = max((max_age[c.stream] for c in consumers_van(service)), default=max(max_age.values()))
    return timedelta(days=dagen + INBOX_MARGE_DAGEN)


def stream_van_subject(subject: str) -> str:
    """The stream that stores `subject` (subjects are `toegang.<domein>.<...>` or `partners.<id>.signalen`)."""
    for stream in STREAMS:
        for patroon in stream.subjects:
            if _past(patroon.split("."), subject.split(".")):
                return stream.name
    raise ValueError(f"geen stream voor subject {subject!r}")


def _past(patroon: list[str], delen: list[str]) -> bool:
    for i, p in enumerate(patroon):
        if p == ">":
            return len(delen) > i
        if i >= len(delen) or (p != "*" and p != delen[i]):
            return False
    return len(patroon) == len(delen)


def dlq_subject(service: str) -> str:
    return f"toegang.dlq.{service}"


def stream_config(stream: Stream, replicas: int = 1) -> StreamConfig:
    return StreamConfig(
        name=stream.name,
        description=stream.description,
        subjects=list(stream.subjects),
        storage=StorageType.FILE,
        retention=RetentionPolicy.LIMITS,
        discard=DiscardPolicy.OLD,
        max_age=stream.max_age_days * 24 * 3600,
        duplicate_window=DUPLICATE_WINDOW_S,
        num_replicas=replicas,
    )


async def declareer_streams(js: JetStreamContext, replicas: int = 1) -> None:
    """Create every stream, or bring an existing one in line with this module."""
    for stream in STREAMS:
        config = stream_config(stream, replicas)
        try:
            await js.stream_info(stream.name)
        except NotFoundError:
            try:
                await js.add_stream(config)
                continue
            except BadRequestError:  # created meanwhile by another service starting
                pass
        await js.update_stream(config)


def consumer_config(consumer: Consumer, ack_wait_s: float = ACK_WAIT_S) -> ConsumerConfig:
    """The one configuration of a durable: what the bus subscribes with and what start-up declares.
    max_deliver is unlimited on the server: the bus counts deliveries itself and writes the DLQ entry
    (decision 0003)."""
    return ConsumerConfig(
        name=consumer.durable,
        durable_name=consumer.durable,
        description=consumer.description,
        filter_subject=consumer.subject,
        deliver_policy=DeliverPolicy.ALL,
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=ack_wait_s,
        max_deliver=-1,
        max_ack_pending=MAX_ACK_PENDING,
    )


async def declareer_consumers(js: JetStreamContext, service: str, ack_wait_s: float = ACK_WAIT_S) -> None:
    """Create every durable of `service`, or bring an existing one in line with `consumer_config`
    (keeping its position: an update never resets what was delivered and acknowledged)."""
    for consumer in consumers_van(service):
        await declareer_consumer(js, consumer.stream, consumer_config(consumer, ack_wait_s))


async def declareer_consumer(js: JetStreamContext, stream: str, gewenst: ConsumerConfig) -> None:
    durable = gewenst.durable_name
    assert durable is not None  # consumer_config always names the durable
    try:
        huidig = (await js.consumer_info(stream, durable)).config
    except NotFoundError:
        await js.add_consumer(stream, gewenst)  # identical creates by two replicas at once both succeed
        log.info("consumer aangemaakt", extra={"consumer": durable})
        return
    verschillen = _verschillen(huidig, gewenst)
    for veld in (v for v in verschillen if v in ONVERANDERLIJK):
        log.error(
            "consumer %s: %s kan op een bestaande durable niet worden gewijzigd en blijft %s (gewenst: %s); "
            "een nieuwe durable is een beslissing van een operator",
            durable,
            veld,
            _tekst(getattr(huidig, veld)),
            _tekst(getattr(gewenst, veld)),
            extra={"consumer": durable, "veld": veld},
        )
    bij_te_werken = [v for v in verschillen if v not in ONVERANDERLIJK]
    if not bij_te_werken:
        return
    # The unchangeable fields exactly as the server has them, so it accepts the rest.
    nieuw = gewenst.evolve(**{veld: getattr(huidig, veld) for veld in ONVERANDERLIJK})
    try:
        await js.add_consumer(stream, nieuw)  # on an existing durable: an update (nats-server >= 2.10)
    except APIError as fout:  # the old configuration still works; the service starts with it
        log.error(
            "consumer %s niet bijgewerkt: %s",
            durable,
            fout.description,
            extra={"consumer": durable, "velden": bij_te_werken},
        )
        return
    log.info("consumer bijgewerkt", extra={"consumer": durable, "velden": bij_te_werken})


def _tekst(waarde) -> str:
    return str(getattr(waarde, "value", waarde))  # an enum as the server writes it: "all", not DeliverPolicy.ALL


def _verschillen(huidig: ConsumerConfig, gewenst: ConsumerConfig) -> list[str]:
    """The fields the platform sets that differ on the server. Fields it leaves unset keep the server's
    value (defaults such as max_waiting, metadata the server adds)."""
    return [
        f.name
        for f in fields(ConsumerConfig)
        if (waarde := getattr(gewenst, f.name)) is not None and getattr(huidig, f.name) != waarde
    ]


async def declareer_streams_op(nats_url: str, replicas: int = 1) -> None:
    """For `toegang migrate`: declare the streams without starting a service."""
    import nats

    nc = await nats.connect(**nats_verbinding(nats_url))
    try:
        await declareer_streams(nc.jetstream(), replicas)
    finally:
        await nc.drain()
