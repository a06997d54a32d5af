"""The bus: a FastStream NATS broker and the one way every service consumes events.

`abonneer` binds a handler to a durable pull consumer of the topology and gives it the platform's
guarantees, so handlers contain domain logic only:
- apply once: the event id goes into the service's inbox in the handler's own transaction; a
  redelivered event finds its id there and changes nothing;
- acknowledge after the transaction committed;
- on an error: nak with back-off (a nak without delay comes straight back), up to `max_deliver`
  deliveries; then the message goes to `toegang.dlq.<service>` with the reason and the consumer moves
  on. The server's own max_deliver is unlimited: JetStream would otherwise stop delivering silently
  and nobody would write the DLQ entry;
- a message that cannot be parsed will never parse: it goes to the DLQ at once.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, Container
from dataclasses import dataclass
from datetime import UTC, datetime

from faststream import AckPolicy
from faststream.nats import JStream, NatsBroker, PullSub
from faststream.nats.opentelemetry import NatsTelemetryMiddleware
from faststream.nats.security import NatsUserPassword
from nats.aio.msg import Msg
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, TracerProvider
from pydantic import ValidationError
from sqlalchemy import Table
from sqlalchemy.exc import DBAPIError

from shared.bundel import Bundel, eerste_keer
from shared.db import UnitOfWork, UnitOfWorkFactory, is_tijdelijk
from shared.events import Event, lees_event
from shared.metrics import Metrieken
from shared.nats_url import nats_verbinding
from shared.topology import ACK_WAIT_S, Consumer, consumer_config, dlq_subject

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)


def _herstel_pull_timeout() -> None:
    """Work around an upstream mismatch: nats-py's fetch may raise the builtin TimeoutError, while
    FastStream's pull loop only suppresses nats.errors.TimeoutError. The loop then dies and FastStream's
    supervisor restarts it, with an ERROR and a pause each time. The builtin covers both."""
    from faststream.nats.subscriber.usecases import stream_pull_subscriber

    stream_pull_subscriber.TimeoutError = TimeoutError  # type: ignore[misc,assignment]


# What became of a message, as `toegang_berichten` counts it (shared/metrics.py).
OK, DUPLICAAT, OPNIEUW, DATABASE_WEG, DLQ, ONLEESBAAR = (
    "ok",
    "duplicaat",
    "opnieuw",
    "database_weg",
    "dlq",
    "onleesbaar",
)

# An event handler: the event, inside the apply-once transaction of the service's unit of work.
EventHandler = Callable[[Event, UnitOfWork], Awaitable[None]]
# A handler of raw messages (partner input, not CloudEvents), given the subject and the body: it has no
# inbox and is idempotent itself.
BerichtHandler = Callable[[str, bytes], Awaitable[None]]


@dataclass(frozen=True)
class RetryBeleid:
    max_deliver: int = 5
    backoff_seconden: tuple[float, ...] = (0.5, 2, 5, 15)
    ack_wait_seconden: float = ACK_WAIT_S

    def backoff(self, aflevering: int) -> float:
        return self.backoff_seconden[min(aflevering - 1, len(self.backoff_seconden) - 1)]


def maak_broker(nats_url: str, service: str, tracer_provider: TracerProvider | None = None) -> NatsBroker:
    _herstel_pull_timeout()  # here, not on import: importing a module changes nothing elsewhere
    verbinding = nats_verbinding(nats_url)
    inlog = verbinding.get("user")
    return NatsBroker(
        verbinding["servers"],
        security=NatsUserPassword(inlog, verbinding["password"]) if inlog else None,
        name=f"toegang-{service}",
        middlewares=[NatsTelemetryMiddleware(tracer_provider=tracer_provider)],
        # FastStream logs every message at INFO by default; that halves throughput. DEBUG keeps it quiet,
        # and our own logger keeps what it does log in the platform's JSON format.
        logger=logging.getLogger(f"toegang.bus.{service}"),
        log_level=logging.DEBUG,
        max_reconnect_attempts=-1,
        reconnect_time_wait=1,
        graceful_timeout=10.0,
        description=f"Integrale toegang: {service}",
    )


class OngeldigBericht(Exception):
    """A message that will never be processed, however often it comes: straight to the DLQ."""


@dataclass(frozen=True)
class Bericht:
    """A fetched JetStream message as the platform handles it: what it says, and what becomes of it."""

    raw: Msg

    @property
    def subject(self) -> str:
        return self.raw.subject

    @property
    def body(self) -> bytes:
        return self.raw.data

    @property
    def aflevering(self) -> int:
        return self.raw.metadata.num_delivered

    async def ack(self) -> None:
        await self.raw.ack()

    async def nack(self, delay: float) -> None:
        await self.raw.nak(delay=delay)

    async def reject(self) -> None:
        """Never again (after it went to the DLQ): JetStream's TERM."""
        await self.raw.term()


def lees_voor(consumer: Consumer, subject: str, body: bytes, gemeenten: Container[str] | None) -> Event:
    """The CloudEvent in a message, checked to be this consumer's; OngeldigBericht when it never will be."""
    try:
        event = lees_event(body)
    except (ValidationError, ValueError) as fout:
        raise OngeldigBericht(reden_van(fout)) from fout
    # The subject names the type and the gemeente (`<prefix>.<gemeente>`); an event that says otherwise
    # (another type, another gemeente, data of another gemeente) is not what this consumer is for.
    if subject != event.nats_subject or getattr(event.data, "gemeente", event.gemeente) != event.gemeente:
        raise OngeldigBericht("ongeldig bericht: type of gemeente van het event past niet bij het subject")
    if gemeenten is not None and event.gemeente not in gemeenten:
        raise OngeldigBericht("ongeldig bericht: onbekende gemeente")
    return event


def verwerker(
    consumer: Consumer,
    handler: EventHandler,
    uows: UnitOfWorkFactory,
    inbox: Table,
    gemeenten: Container[str] | None = None,
) -> Callable[[str, bytes], Awaitable[tuple[Event, bool]]]:
    """What a durable does with one message (its subject and body): parse the CloudEvent, check it is
    this consumer's, apply it once (inbox) and commit; returns the event and whether it was new. The
    subscriber (`abonneer`) and a replay from the DLQ through the service's beheer API (shared/beheer.py)
    both go through here. With `gemeenten` (the configured codes), an event of any other gemeente is an
    OngeldigBericht."""

    async def pas_toe(subject: str, body: bytes) -> tuple[Event, bool]:
        event = lees_voor(consumer, subject, body, gemeenten)
        async with uows() as uow:
            if nieuw := event.id in await eerste_keer(uow, inbox, consumer, [event]):
                await handler(event, uow)
            await uow.commit()
        return event, nieuw

    return pas_toe


def abonneer(
    broker: NatsBroker,
    consumer: Consumer,
    handler: EventHandler,
    uows: UnitOfWorkFactory,
    inbox: Table,
    beleid: RetryBeleid = RetryBeleid(),
    gemeenten: Container[str] | None = None,
    na_commit: Callable[[str, Event, int], None] | None = None,
    metrieken: Metrieken | None = None,
    werkers: int = 1,
    bundels: int = 1,
) -> Bundel | None:
    """Bind an event handler: parse the CloudEvent, apply it once (inbox), commit, acknowledge (`verwerker`).
    With `werkers` > 1 that many messages are handled at once and those that arrive together share one
    transaction (shared/bundel.py), `bundels` such transactions at a time; the Bundel is returned so the
    service can stop it last.
    `na_commit(durable, event, delivery)` runs between commit and acknowledgement (the fault suite's
    "acknowledgement lost" fault, shared/faults.py)."""
    enkel = verwerker(consumer, handler, uows, inbox, gemeenten)
    bundel = (
        Bundel(consumer, handler, uows, inbox, gemeenten, lees_voor, enkel, tegelijk=bundels) if werkers > 1 else None
    )
    pas_toe = bundel or enkel

    async def verwerk_event(bericht: Bericht) -> str:
        event, nieuw = await pas_toe(bericht.subject, bericht.body)
        if metrieken is not None:
            metrieken.leeftijd_van(consumer.durable, (datetime.now(UTC) - event.time).total_seconds())
        if na_commit is not None:
            na_commit(consumer.durable, event, bericht.aflevering)
        return OK if nieuw else DUPLICAAT

    abonneer_berichten(broker, consumer, verwerk_event, beleid, metrieken, werkers)
    return bundel


def abonneer_berichten(
    broker: NatsBroker,
    consumer: Consumer,
    verwerk: Callable[[Bericht], Awaitable[str | None]],
    beleid: RetryBeleid = RetryBeleid(),
    metrieken: Metrieken | None = None,
    werkers: int = 1,
) -> None:
    """Bind any message handler to a durable pull consumer with the platform's ack, retry and DLQ policy;
    `werkers` messages at a time (FastStream's max_workers). FastStream fetches and limits how many are in
    flight; each message then goes straight to `verwerk` (`_verwerk_zelf`, decision 0024).

    `verwerk` raises OngeldigBericht for a message that can never succeed, anything else to retry; it may
    return its outcome (OK or DUPLICAAT) for the metrics."""
    event_type = consumer.event.__name__ if consumer.event is not None else "partnerbericht"

    def tel(uitkomst: str, begin: float, reden: str | None = None) -> None:
        if metrieken is not None:
            metrieken.bericht(consumer.durable, event_type, uitkomst, time.perf_counter() - begin)
            if reden is not None:
                metrieken.dlq.labels(metrieken.service, consumer.durable, reden).inc()

    subscriber = broker.subscriber(
        consumer.subject,
        stream=JStream(consumer.stream, declare=False),
        durable=consumer.durable,
        pull_sub=PullSub(batch_size=max(8, werkers), timeout=1.0),
        max_workers=werkers,
        # The same configuration start-up declares (declareer_consumers): FastStream creates a missing
        # durable with it, and binds an existing one as it is.
        config=consumer_config(consumer, beleid.ack_wait_seconden),
        ack_policy=AckPolicy.MANUAL,
        title=consumer.durable,
        description=consumer.description,
    )

    async def met_herkansing(msg: Bericht) -> None:
        aflevering = msg.aflevering
        begin = time.perf_counter()
        try:
            uitkomst = await verwerk(msg) or OK
        except OngeldigBericht as fout:
            await naar_dlq(broker, consumer, msg, str(fout))
            await msg.reject()
            tel(ONLEESBAAR, begin, "ongeldig_bericht")
            return
        except Exception as fout:
            if is_tijdelijk(fout):
                # The database is away: not the message's fault. Wait and try again, however often; sending
                # it to the DLQ would fill the DLQ with every message of a database restart.
                log.warning(
                    "database niet bereikbaar; later opnieuw",
                    extra={"consumer": consumer.durable, "aflevering": aflevering, "fout": type(fout).__name__},
                )
                await msg.nack(delay=beleid.backoff_seconden[-1])
                tel(DATABASE_WEG, begin)
                return
            if aflevering >= beleid.max_deliver:
                await naar_dlq(broker, consumer, msg, reden_van(fout))
                await msg.reject()
                tel(DLQ, begin, type(fout).__name__)  # a class name of the code: a bounded label
            else:
                log.info(
                    "opnieuw",
                    extra={"consumer": consumer.durable, "aflevering": aflevering, "fout": type(fout).__name__},
                )
                await msg.nack(delay=beleid.backoff(aflevering))
                tel(OPNIEUW, begin)
            return
        await msg.ack()
        tel(uitkomst, begin)

    async def voor_asyncapi(body: bytes) -> None:  # never called: _verwerk_zelf takes every message
        raise AssertionError(consumer.durable)

    subscriber(voor_asyncapi)
    _verwerk_zelf(subscriber, consumer, met_herkansing)


def _verwerk_zelf(subscriber, consumer: Consumer, verwerk: Callable[[Bericht], Awaitable[None]]) -> None:
    """Take each fetched message from FastStream's pull loop straight to `verwerk`, in the trace of the
    message (its headers), as a consumer span when spans are exported.

    FastStream's own path per message (its parser, the middlewares, its dependency injection, which hands
    the message to a worker thread and back) cost about as much CPU as a simple handler itself; our
    `verwerk` acknowledges, retries and dead-letters on its own (AckPolicy.MANUAL), so nothing of that path
    is needed. A fetch that returns while the service stops brings messages that would not be started:
    they go back at once (nak), not after a full ack_wait, so another replica gets them."""

    async def consume(msg):
        if not subscriber.running:
            try:
                await msg.nak()
            except Exception:
                pass
            return None
        with tracer.start_as_current_span(
            f"{consumer.durable} process",
            context=propagate.extract(msg.headers or {}),
            kind=SpanKind.CONSUMER,
            attributes={"messaging.system": "nats", "messaging.consumer.group.name": consumer.durable},
        ):
            try:
                await verwerk(Bericht(msg))
            except Exception:  # an ack or nak that did not reach NATS: JetStream delivers it again after ack_wait
                log.exception("bericht niet afgerond", extra={"consumer": consumer.durable})
        return None

    subscriber.consume = consume  # read by FastStream's pull loop when it starts


def reden_van(fout: BaseException) -> str:
    """A reason for operators without the input values (they may hold personal data)."""
    if isinstance(fout, ValidationError):
        velden = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in fout.errors(include_input=False))
        return f"ongeldig bericht: {velden}"[:2000]
    if isinstance(fout, DBAPIError):  # the driver's text may quote key values (DETAIL: Key (...)=(...))
        return f"{type(fout).__name__}: SQLSTATE {getattr(fout.orig, 'sqlstate', None) or '?'}"
    return f"{type(fout).__name__}: {fout}"[:2000]


def _event_of_niets(msg: Bericht) -> Event | None:
    """The original, if it is one of the platform's events (those carry no personal data). Partner input
    is raw and may hold personal data: for it the DLQ keeps a reference (stream and sequence), no body."""
    if msg.subject.startswith("partners."):
        return None
    try:
        return lees_event(msg.body)
    except (ValidationError, ValueError):
        return None


async def naar_dlq(broker: NatsBroker, consumer: Consumer, msg: Bericht, reden: str) -> None:
    meta = msg.raw.metadata
    event = _event_of_niets(msg)
    origineel = json.loads(msg.body) if event is not None else None
    vermelding = {
        "service": consumer.service,
        "consumer": consumer.durable,
        "subject": msg.subject,
        "stream": meta.stream,
        "stream_seq": meta.sequence.stream,
        "afleveringen": meta.num_delivered,
        "reden": reden,
        "event_id": str(event.id) if event else None,
        "event_type": event.type if event else None,
        "event": origineel,
        "tijd": datetime.now(UTC).isoformat(),
    }
    await broker.publish(
        vermelding,
        subject=dlq_subject(consumer.service),
        headers={"Nats-Msg-Id": f"dlq:{consumer.durable}:{meta.stream}:{meta.sequence.stream}"},
        stream="TOEGANG_DLQ",
        timeout=5.0,
    )
    log.warning(
        "bericht naar DLQ",
        extra={
            "consumer": consumer.durable,
            "stream_seq": meta.sequence.stream,
            "event_id": vermelding["event_id"],
            "reden": reden[:200],
        },
    )
