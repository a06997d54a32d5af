"""One place that wires a service: settings, configuration, database, broker, relay, HTTP.

Every service is a `ServiceDefinitie` (its tables, routes, handlers and the events it publishes);
`bouw_app` turns one into a FastAPI application whose lifespan runs the broker and the outbox relay.
Knowing one service's app.py is knowing all four.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse
from faststream.specification import AsyncAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.instrumentation.utils import suppress_instrumentation
from pydantic import ValidationError
from sqlalchemy import MetaData, Table, text

from shared import dlq, metrics
from shared.auth import TokenVerifier
from shared.beheer import beheer_router, meet_durables, meet_outbox
from shared.bus import (
    Bericht,
    BerichtHandler,
    EventHandler,
    RetryBeleid,
    abonneer,
    abonneer_berichten,
    maak_broker,
    verwerker,
)
from shared.db import UnitOfWorkFactory, maak_engine, verwijder_oude_inbox
from shared.events import EVENT_KLASSE, EVENT_TYPES, Data
from shared.gemeenten import laad_gemeenten
from shared.http import installeer_foutafhandeling, probleem
from shared.outbox import OutboxRelay
from shared.privacy import Kluis
from shared.settings import Instellingen, controleer
from shared.telemetry import TraceContext, exporteert, start_logging, start_tracing, stop_tracing
from shared.topology import consumers_van, declareer_consumers, declareer_streams, inbox_bewaartermijn

log = logging.getLogger(__name__)


@dataclass
class Context:
    """What handlers and routes of a service get: the live parts, built once at start."""

    instellingen: Instellingen
    gemeenten: Any
    uows: UnitOfWorkFactory
    extra: dict[str, Any] = field(default_factory=dict)
    broker: Any = None  # the connected NatsBroker, for jobs that read a stream themselves
    metrieken: metrics.Metrieken | None = None  # for a handler that observes a figure of its own


@dataclass
class ServiceDefinitie:
    naam: str
    poort: int
    metadata: MetaData
    outbox: Table
    inbox: Table
    routers: list[APIRouter]
    # The one table from event type to handler (the service's handlers.py), given the context. Every
    # consumer of the service in shared/topology.py has its handler here, and every handler its consumer.
    handlers: Callable[[Context], Mapping[type[Data], EventHandler]]
    publiceert: list[type[Data]]
    omschrijving: str
    # Raw (non-CloudEvents) subjects the service reads, each with its handler: partner input.
    berichten: Callable[[Context], Mapping[str, BerichtHandler]] | None = None
    # Service-specific start-up (e.g. the at-rest encryption key); fills Context.extra.
    bij_start: Callable[[Context], None] | None = None
    # Periodic jobs (e.g. retention), each run every `interval_s` in every replica; they must be safe
    # to run concurrently.
    taken: list[Taak] = field(default_factory=list)
    # The service's own gauges (arrangement: open and overdue deadlines): made once in the registry, the
    # returned function samples them with the metrics job.
    metingen: Callable[[metrics.Metrieken], Callable[[Context], Awaitable[None]]] | None = None
    # Before the service's durables are declared (stuurinformatie: rebuild from the streams when it has no
    # facts, by deleting its durables so they are declared again from the first message).
    voor_consumers: Callable[[Context, Any], Awaitable[Any]] | None = None


@dataclass
class Taak:
    naam: str
    interval_s: float
    functie: Callable[[Context], Awaitable[Any]]

    async def draai(self, ctx: Context) -> None:
        while True:
            try:
                await self.functie(ctx)
            except Exception:
                log.exception("periodieke taak mislukt", extra={"taak": self.naam})
            await asyncio.sleep(self.interval_s)


def inbox_opschonen(definitie: ServiceDefinitie, interval_s: float) -> Taak:
    """Every service's inbox forgets an event once no redelivery or DLQ replay can bring it again: after
    the longest max_age of the streams it consumes, plus a margin (decision 0014). Batches with SKIP
    LOCKED, so every replica may run it at once."""
    bewaartermijn = inbox_bewaartermijn(definitie.naam)

    async def schoon_op(ctx: Context) -> int:
        aantal = await verwijder_oude_inbox(ctx.uows.engine, definitie.inbox, bewaartermijn)
        if aantal:
            log.info("inbox opgeschoond", extra={"aantal": aantal, "bewaartermijn_dagen": bewaartermijn.days})
        return aantal

    return Taak("inbox-opschonen", interval_s, schoon_op)


def _nats_op(ctx: Context) -> bool:
    verbinding = ctx.broker._connection
    return verbinding is not None and verbinding.is_connected


def metrieken_meten(definitie: ServiceDefinitie, m: metrics.Metrieken, interval_s: float) -> list[Taak]:
    """Sample what no message or request moves: the outbox and the service's own gauges from PostgreSQL,
    the durables and the DLQ from JetStream. Two loops, so that JetStream's queries waiting out their
    timeouts during a NATS outage never freeze the outbox's figures, which are what tells then. A failed
    source counts in toegang_meting_mislukt and leaves the last value standing."""
    eigen = definitie.metingen(m) if definitie.metingen else None
    s = definitie.naam

    async def database(ctx: Context) -> None:
        with suppress_instrumentation():  # its queries in every replica would bury the traces worth reading
            op = await _database_op(ctx.uows.engine)
            m.verbinding.labels(s, "database").set(op)
            # NATS's state is read when /metrics is scraped: a sample could stand still during an outage.
            m.verbinding.labels(s, "nats").set_function(lambda: float(_nats_op(ctx)))
            if op:
                await _meet(m, "outbox", partial(_outbox, ctx, definitie, m))
                if eigen is not None:
                    await _meet(m, "eigen", partial(eigen, ctx))

    async def jetstream(ctx: Context) -> None:
        with suppress_instrumentation():
            await _meet(m, "jetstream", partial(_durables, ctx, s, m))

    return [Taak("metrieken", interval_s, database), Taak("metrieken-jetstream", interval_s, jetstream)]


async def _meet(m: metrics.Metrieken, bron: str, meting: Callable[[], Awaitable[Any]]) -> None:
    try:
        await meting()
    except Exception as fout:
        m.meting_mislukt.labels(m.service, bron).inc()
        log.warning("meting mislukt", extra={"bron": bron, "fout": type(fout).__name__})


async def _outbox(ctx: Context, definitie: ServiceDefinitie, m: metrics.Metrieken) -> None:
    async with ctx.uows() as uow:
        outbox = await meet_outbox(uow, definitie.outbox)
    m.outbox_rijen.labels(definitie.naam).set(outbox.wachtend)
    m.outbox_oudste.labels(definitie.naam).set(outbox.oudste_leeftijd_s or 0.0)


async def _durables(ctx: Context, s: str, m: metrics.Metrieken) -> None:
    js = ctx.broker.config.connection_state.stream
    for d in await meet_durables(js, s):
        m.wachtend.labels(s, d.durable).set(d.num_pending)
        m.onbevestigd.labels(s, d.durable).set(d.num_ack_pending)
        m.herbezorgd.labels(s, d.durable).set(d.redelivered)
        m.ack_vloer.labels(s, d.durable).set(d.ack_vloer)
    m.dlq_vermeldingen.labels(s).set(await dlq.aantal(js, s))


def platform_taken(
    definitie: ServiceDefinitie, instellingen: Instellingen, metrieken: metrics.Metrieken | None = None
) -> list[Taak]:
    """The service's own periodic jobs and those every service runs."""
    taken = [*definitie.taken, inbox_opschonen(definitie, instellingen.inbox_opschonen_interval_s)]
    if metrieken is not None:
        taken.extend(metrieken_meten(definitie, metrieken, instellingen.metriek_interval_s))
    return taken


def houdt_persoonsgegevens(ctx: Context) -> None:
    """For the services that hold personal data: the at-rest key and the pseudonym key."""
    if ctx.instellingen.gegevens_sleutel is None:
        raise SystemExit("TOEGANG_GEGEVENS_SLEUTEL ontbreekt: persoonsgegevens worden daarmee versleuteld.")
    ctx.extra["kluis"] = Kluis(ctx.instellingen.gegevens_sleutel.get_secret_value())
    ctx.extra["pseudoniem_sleutel"] = ctx.instellingen.pseudoniem_sleutel.get_secret_value().encode()


def bouw_app(definitie: ServiceDefinitie, instellingen: Instellingen | None = None) -> FastAPI:
    if instellingen is None:
        try:
            instellingen = Instellingen()
        except ValidationError as fout:  # name the variables, never echo their values (they are secrets)
            raise SystemExit(
                "De service start niet: "
                + "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in fout.errors())
            ) from None
    controleer(instellingen)  # safe defaults: in productie no development secrets (shared/settings.py)
    start_logging(definitie.naam)
    tracer_provider = start_tracing(definitie.naam)
    gemeenten = laad_gemeenten(instellingen.config_dir)

    engine = maak_engine(instellingen.database_url)
    if exporteert():  # a span per statement costs CPU; only worth it when someone receives the spans
        SQLAlchemyInstrumentor().instrument(
            engine=engine.sync_engine, tracer_provider=tracer_provider, enable_commenter=False
        )
    broker = maak_broker(instellingen.nats_url, definitie.naam, tracer_provider)
    uows = UnitOfWorkFactory(engine, definitie.outbox)
    metrieken = metrics.Metrieken(definitie.naam)
    ctx = Context(instellingen, gemeenten, uows, broker=broker, metrieken=metrieken)
    if definitie.bij_start:
        definitie.bij_start(ctx)

    beleid = RetryBeleid(instellingen.max_deliver, tuple(instellingen.backoff_seconden), instellingen.ack_wait_seconden)
    handlers = definitie.handlers(ctx)
    berichten = definitie.berichten(ctx) if definitie.berichten else {}
    _controleer_handlertabel(definitie.naam, handlers, berichten)
    # Per durable: how it applies one message (subject, body); the beheer API replays DLQ entries with it.
    herhalers: dict[str, Callable[[str, bytes], Awaitable[Any]]] = {}
    for consumer in consumers_van(definitie.naam):
        if consumer.event is None:
            bericht = herhalers[consumer.durable] = berichten[consumer.subject]
            abonneer_berichten(broker, consumer, _als_bericht(bericht), beleid, metrieken)
            continue
        handler = handlers[consumer.event]
        if instellingen.storing is not None:
            handler = instellingen.storing.om(consumer.durable, handler)
        herhalers[consumer.durable] = verwerker(consumer, handler, uows, definitie.inbox, gemeenten)
        abonneer(
            broker,
            consumer,
            handler,
            uows,
            definitie.inbox,
            beleid,
            gemeenten,
            instellingen.storing.na_commit if instellingen.storing else None,
            metrieken,
            instellingen.consumer_batch,
        )
    for model in definitie.publiceert:  # documented in AsyncAPI; the relay does the publishing
        et = EVENT_TYPES[model]
        broker.publisher(f"{et.subject_prefix}.*", schema=EVENT_KLASSE[model], title=et.type, include_in_schema=True)
    relay = OutboxRelay(uows, broker, metrieken)
    taken = platform_taken(definitie, instellingen, metrieken)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await broker.connect()
        js = broker.config.connection_state.stream
        await _met_geduld(lambda: declareer_streams(js, instellingen.stream_replicas))
        if (voor_consumers := definitie.voor_consumers) is not None:
            await _met_geduld(lambda: voor_consumers(ctx, js))
        # Before the subscribers bind: they would take an existing durable as it is.
        await _met_geduld(lambda: declareer_consumers(js, definitie.naam, beleid.ack_wait_seconden))
        await broker.start()
        relay.start()
        rustige_gc()
        lopend = [asyncio.create_task(taak.draai(ctx), name=taak.naam) for taak in taken]
        log.info("service gestart", extra={"poort": instellingen.port or definitie.poort})
        try:
            yield
        finally:
            # Graceful shutdown, in this order (uvicorn has already finished the open HTTP requests): stop
            # fetching and let the handlers in flight finish (up to the broker's graceful_timeout); then
            # publish what they and the API committed; only then close the NATS connection. A message
            # fetched but not yet started is not acknowledged: JetStream gives it to another replica
            # after ack_wait, and the inbox keeps it applied once.
            for taak in lopend:
                taak.cancel()
            await asyncio.gather(*(sub.stop() for sub in broker.subscribers), return_exceptions=True)
            await relay.stop()
            await broker.stop()
            await engine.dispose()
            stop_tracing()

    app = FastAPI(
        title=f"Integrale toegang: {definitie.naam}",
        description=definitie.omschrijving,
        version="0.1.0",
        lifespan=lifespan,
        # The server span is the OpenTelemetry instrumentation's (above); FastAPI's own telemetry would add a
        # span for each dependency, the endpoint and the serialisation of every request (decision 0027).
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.ctx = ctx
    app.state.tokens = TokenVerifier(
        instellingen.jwt_secret.get_secret_value() if instellingen.jwt_secret else None, instellingen.jwks_url
    )
    installeer_foutafhandeling(app)
    metrics.installeer(app, metrieken)
    for router in definitie.routers:
        app.include_router(router)
    app.include_router(beheer_router(definitie.naam, definitie.outbox, herhalers))
    asyncapi = AsyncAPI(broker, title=f"Integrale toegang: {definitie.naam}", version="0.1.0")

    @app.get("/health", include_in_schema=False)
    async def health() -> JSONResponse:
        onderdelen = {
            "database": await _database_op(engine),
            "nats": broker._connection is not None and broker._connection.is_connected,
        }
        if all(onderdelen.values()):
            return JSONResponse({"status": "ok", "service": definitie.naam, **onderdelen})
        return probleem(503, "Niet alle verbindingen zijn op.", None, service=definitie.naam, **onderdelen)

    @app.get("/health/live", include_in_schema=False)
    async def levend() -> JSONResponse:
        """Liveness: the process answers. Unlike /health (readiness) it does not depend on the database or
        NATS, so an outage of either takes replicas out of the load balancer without restarting them all."""
        return JSONResponse({"status": "ok", "service": definitie.naam})

    @app.get("/asyncapi", include_in_schema=False)
    async def asyncapi_document() -> JSONResponse:
        return JSONResponse(asyncapi.to_specification().to_jsonable())

    if exporteert():
        # A server span per request; no extra span for every ASGI receive and send of it (noise in a trace,
        # and CPU on every request, decision 0026).
        FastAPIInstrumentor.instrument_app(
            app,
            tracer_provider=tracer_provider,
            excluded_urls="health,asyncapi,metrics",
            exclude_spans=["receive", "send"],
        )
    else:
        app.add_middleware(TraceContext)
    return app


def _als_bericht(handler: BerichtHandler) -> Callable[[Bericht], Awaitable[None]]:
    async def verwerk(msg: Bericht) -> None:
        await handler(msg.subject, msg.body)

    return verwerk


def _controleer_handlertabel(
    service: str, handlers: Mapping[type[Data], EventHandler], berichten: Mapping[str, BerichtHandler]
) -> None:
    """A consumer without a handler, or a handler no consumer feeds, is a wiring mistake: refuse to start."""
    consumers = consumers_van(service)
    verwacht = {c.event for c in consumers if c.event is not None}
    ruw = {c.subject for c in consumers if c.event is None}
    if set(handlers) != verwacht or set(berichten) != ruw:
        zonder = sorted(e.__name__ for e in verwacht - set(handlers)) + sorted(ruw - set(berichten))
        over = sorted(e.__name__ for e in set(handlers) - verwacht) + sorted(set(berichten) - ruw)
        raise SystemExit(f"{service}: consumers zonder handler {zonder}; handlers zonder consumer {over}")


async def _met_geduld(stap: Callable[[], Awaitable[Any]], pogingen: int = 6) -> None:
    """JetStream API calls at start-up may time out while a cluster elects leaders or several services
    create the same R3 streams at once; try again for about half a minute before giving up."""
    for poging in range(1, pogingen + 1):
        try:
            await stap()
            return
        except TimeoutError:  # nats.errors.TimeoutError is one too
            if poging == pogingen:
                raise
            log.warning("JetStream antwoordt niet; opnieuw", extra={"poging": poging})
            await asyncio.sleep(poging)


def rustige_gc() -> None:
    """After start-up: move what start-up made (modules, models, config) out of the collector's sight
    and let the youngest generation grow before it is collected. A batch of 10,000 signals makes
    hundreds of thousands of short-lived objects; with the defaults, 20% of the service's CPU went to
    full collections walking the same long-lived objects again and again (decision 0010)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 20, 100)


async def _database_op(engine) -> bool:
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
