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

import asyncio
import contextlib
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
from nats.errors import Error as NatsError
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, TracerProvider
from pydantic import ValidationError
from sqlalchemy import Table
from sqlalchemy.exc import DBAPIError

from shared.bundel import Bundel, Invoer, Uitkomst, eerste_keer
from shared.db import UnitOfWork, UnitOfWorkFactory, is_tijdelijk
from shared.events import Event, lees_event
from shared.metrics import Metrieken
from shared.nats_url import nats_verbinding
from shared.telemetry import exporteert, in_context
from shared.topology import ACK_WAIT_S, CONSUMER_BATCH, Consumer, consumer_config, dlq_subject

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)


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
    # The consumer span of this message, and the trace context its handling runs in.
    span: trace.Span
    context: otel_context.Context

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
    batch: int = CONSUMER_BATCH,
) -> None:
    """Bind an event handler: per fetched batch (up to `batch` messages) parse the CloudEvents, apply them
    once (inbox) in one transaction and commit (shared/bundel.py), then acknowledge each.
    `na_commit(durable, event, delivery)` runs between commit and acknowledgement (the fault suite's
    "acknowledgement lost" fault, shared/faults.py)."""
    bundel = Bundel(
        consumer, handler, uows, inbox, gemeenten, lees_voor, verwerker(consumer, handler, uows, inbox, gemeenten)
    )

    def na_toepassen(bericht: Bericht, uitkomst: Uitkomst) -> str | BaseException:
        if isinstance(uitkomst, BaseException):
            return uitkomst
        event, nieuw = uitkomst
        if metrieken is not None:
            metrieken.leeftijd_van(consumer.durable, (datetime.now(UTC) - event.time).total_seconds())
        if na_commit is not None:
            try:
                na_commit(consumer.durable, event, bericht.aflevering)
            except Exception as fout:
                return fout
        return OK if nieuw else DUPLICAAT

    async def verwerk_batch(berichten: list[Bericht]) -> list[str | BaseException]:
        uitkomsten = await bundel([Invoer(b.subject, b.body, b.context) for b in berichten])
        afgerond = []
        for bericht, uitkomst in zip(berichten, uitkomsten, strict=True):
            with trace.use_span(bericht.span):
                afgerond.append(na_toepassen(bericht, uitkomst))
        return afgerond

    _abonneer(broker, consumer, verwerk_batch, beleid, metrieken, batch)


def abonneer_berichten(
    broker: NatsBroker,
    consumer: Consumer,
    verwerk: Callable[[Bericht], Awaitable[str | None]],
    beleid: RetryBeleid = RetryBeleid(),
    metrieken: Metrieken | None = None,
) -> None:
    """Bind any message handler to a durable pull consumer with the platform's ack, retry and DLQ policy;
    the messages of a fetched batch one at a time, in order, each in its own trace context.

    `verwerk` raises OngeldigBericht for a message that can never succeed, anything else to retry; it may
    return its outcome (OK or DUPLICAAT) for the metrics."""

    async def verwerk_batch(berichten: list[Bericht]) -> list[str | BaseException]:
        uitkomsten: list[str | BaseException] = []
        for bericht in berichten:
            with in_context(bericht.context):
                try:
                    uitkomsten.append(await verwerk(bericht) or OK)
                except Exception as fout:
                    uitkomsten.append(fout)
        return uitkomsten

    _abonneer(broker, consumer, verwerk_batch, beleid, metrieken, batch=8)


BatchVerwerker = Callable[[list[Bericht]], Awaitable[list[str | BaseException]]]


def _abonneer(
    broker: NatsBroker,
    consumer: Consumer,
    verwerk: BatchVerwerker,
    beleid: RetryBeleid,
    metrieken: Metrieken | None,
    batch: int,
) -> None:
    """A durable pull consumer whose fetched batches go to `verwerk` whole; then each message is
    acknowledged, retried or dead-lettered by its own outcome (`rond_af`)."""
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
        pull_sub=PullSub(batch_size=consumer.batch or batch, timeout=1.0, batch=True),
        # The same configuration start-up declares (declareer_consumers): FastStream creates a missing
        # durable with it, and binds an existing one as it is.
        config=consumer_config(consumer, beleid.ack_wait_seconden),
        ack_policy=AckPolicy.MANUAL,
        title=consumer.durable,
        description=consumer.description,
    )

    async def rond_af(msg: Bericht, uitkomst: str | BaseException, begin: float) -> None:
        """Acknowledge, or nak with back-off, or send to the DLQ: what the message's outcome asks."""
        if not isinstance(uitkomst, BaseException):
            await msg.ack()
            tel(uitkomst, begin)
            return
        aflevering = msg.aflevering
        if isinstance(uitkomst, OngeldigBericht):
            await naar_dlq(broker, consumer, msg, str(uitkomst))
            await msg.reject()
            tel(ONLEESBAAR, begin, "ongeldig_bericht")
        elif is_tijdelijk(uitkomst):
            # The database is away: not the message's fault. Wait and try again, however often; sending
            # it to the DLQ would fill the DLQ with every message of a database restart.
            log.warning(
                "database niet bereikbaar; later opnieuw",
                extra={"consumer": consumer.durable, "aflevering": aflevering, "fout": type(uitkomst).__name__},
            )
            await msg.nack(delay=beleid.backoff_seconden[-1])
            tel(DATABASE_WEG, begin)
        elif aflevering >= beleid.max_deliver:
            await naar_dlq(broker, consumer, msg, reden_van(uitkomst))
            await msg.reject()
            tel(DLQ, begin, type(uitkomst).__name__)  # a class name of the code: a bounded label
        else:
            log.info(
                "opnieuw",
                extra={"consumer": consumer.durable, "aflevering": aflevering, "fout": type(uitkomst).__name__},
            )
            await msg.nack(delay=beleid.backoff(aflevering))
            tel(OPNIEUW, begin)

    async def verwerk_en_rond_af(berichten: list[Bericht]) -> None:
        begin = time.perf_counter()
        try:
            uitkomsten = await verwerk(berichten)
        except Exception as fout:  # not expected: `verwerk` gives each message its outcome
            log.exception("batch mislukt", extra={"consumer": consumer.durable})
            uitkomsten = [fout] * len(berichten)
        for msg, uitkomst in zip(berichten, uitkomsten, strict=True):
            try:
                with trace.use_span(msg.span):  # its metrics' exemplars and its logs name its trace
                    await rond_af(msg, uitkomst, begin)
            except Exception:  # an ack or nak that did not reach NATS: JetStream delivers it again after ack_wait
                log.exception("bericht niet afgerond", extra={"consumer": consumer.durable})

    async def voor_asyncapi(body: bytes) -> None:  # never called: _haal_zelf_op takes every batch
        raise AssertionError(consumer.durable)

    subscriber(voor_asyncapi)
    _haal_zelf_op(subscriber, consumer, verwerk_en_rond_af)


def _haal_zelf_op(subscriber, consumer: Consumer, verwerk: Callable[[list[Bericht]], Awaitable[None]]) -> None:
    """Fetch batches ourselves and take each straight to `verwerk`, every message in its own trace (its
    headers) as a consumer span when spans are exported (decision 0026).

    FastStream's pull loops either start a task per message (and its own parser, middlewares and
    dependency injection per message, decision 0024), or, for a batch, keep fetching until the batch is
    full or the timeout has passed: a second of latency per hop when the load is light. Here a fetch
    returns what the durable has (nats-py fetches with no_wait first, then waits for the first message),
    and the whole batch is one call. FastStream still binds the subscription, stops the loop and
    documents the subscriber (AsyncAPI). A batch being handled when the service stops is finished first
    (FastStream's stop waits for the subscriber's lock, up to graceful_timeout); a fetch that returns
    while it stops brings messages that would not be started: they go back at once (nak), not after a
    full ack_wait, so another replica gets them. A durable off the chain (Consumer.verzamel_s) waits after a
    batch that was not full, so that its next one is larger."""

    spans = exporteert()

    async def consume(msgs: list[Msg]) -> None:
        if not subscriber.running:
            for msg in msgs:
                with contextlib.suppress(Exception):
                    await msg.nak()
            return
        berichten = [_open(consumer, msg, spans) for msg in msgs]
        try:
            with subscriber.lock:
                await verwerk(berichten)
        finally:
            for bericht in berichten:
                bericht.span.end()

    async def haal_op() -> None:
        while subscriber.running:
            try:
                msgs = await subscriber.subscription.fetch(batch=subscriber.pull_sub.batch_size, timeout=1.0)
            except TimeoutError:  # nothing there (nats-py's TimeoutError is one too)
                continue
            except NatsError as fout:  # the connection is away: nats-py reconnects; fetch again shortly
                log.debug("fetch mislukt", extra={"consumer": consumer.durable, "fout": type(fout).__name__})
                await asyncio.sleep(0.2)
                continue
            await subscriber.consume(msgs)
            if consumer.verzamel_s and len(msgs) < subscriber.pull_sub.batch_size:
                await asyncio.sleep(consumer.verzamel_s)  # let the next batch grow (Consumer.verzamel_s)

    subscriber.consume = consume
    subscriber._consume_pull = haal_op  # started by FastStream once it has bound the subscription


def _open(consumer: Consumer, msg: Msg, spans: bool) -> Bericht:
    """The message in its trace: with a consumer span of its own when spans are exported; otherwise in the
    sender's context as it came (the same trace id for its events, without a span nobody receives)."""
    context = propagate.extract(msg.headers or {})
    if not spans:
        return Bericht(msg, trace.get_current_span(context), context)
    span = tracer.start_span(
        f"{consumer.durable} process",
        context=context,
        kind=SpanKind.CONSUMER,
        attributes={"messaging.system": "nats", "messaging.consumer.group.name": consumer.durable},
    )
    return Bericht(msg, span, trace.set_span_in_context(span, context))


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
