"""Engine, the outbox and inbox tables every service has, and the unit of work.

The unit of work is the one place where a state change and the events it causes commit together: a
handler or API route changes rows and calls `uow.publiceer(event)`, which adds an outbox row in the
same transaction; the relay (outbox.py) publishes it after commit.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import cache
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    delete,
    func,
    select,
    tuple_,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.sql.base import Executable

from shared.events import Event
from shared.telemetry import in_context

JsonB = JSON().with_variant(JSONB(), "postgresql")
log = logging.getLogger(__name__)


def maak_engine(database_url: str, pool_size: int = 20, **kwargs) -> AsyncEngine:
    # The pool holds as many connections as a service runs transactions at once (pull batches of 8 per
    # consumer, the relay, HTTP): overflow connections are closed on return, and opening a new PostgreSQL
    # connection per event costs more CPU than the event itself. No pre-ping: it adds a round trip to every
    # transaction, and a transaction on a dead connection fails and is retried by the bus anyway.
    # hide_parameters: a failing statement's error text (which reaches logs and the DLQ) shows no values.
    return create_async_engine(
        database_url, pool_size=pool_size, max_overflow=5, pool_recycle=1800, hide_parameters=True, **kwargs
    )


def contactpoging_kolommen() -> list[Column]:
    """The columns of a shared.invoer.Contactpoging and who recorded it: casus (signalering) and plan
    (arrangement) keep the same attempt."""
    return [
        Column("soort", String(20), nullable=False),
        Column("bereikt", Boolean, nullable=False),
        Column("datum", Date, nullable=False),
        Column("dagdeel", String(10), nullable=False),
        Column("door", String(200), nullable=False),
    ]


def outbox_tabel(metadata: MetaData) -> Table:
    return Table(
        "outbox",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("event_id", Uuid, nullable=False, unique=True),
        Column("subject", String(200), nullable=False),
        # The CloudEvent as published: serialised once, at commit, and sent by the relay as it is.
        Column("payload", LargeBinary, nullable=False),
        # W3C trace context (JSON) of the transaction that wrote the event, so the relay continues its trace.
        Column("headers", Text, nullable=False),
        Column("aangemaakt_op", DateTime(timezone=True), nullable=False, server_default=func.now()),
        # No "published" flag: the relay deletes a row once JetStream has acknowledged it. The table then
        # only holds what still has to go, and the stream is the record of what went (decision 0010).
    )


INBOX_LEEFTIJD_INDEX = "inbox_verwerkt_op"
# Rows per DELETE: each batch is its own short transaction, so pruning never holds many locks for long.
INBOX_BATCH = 10_000


def inbox_tabel(metadata: MetaData) -> Table:
    return Table(
        "inbox",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", Uuid, primary_key=True),
        Column("type", String(200), nullable=False),
        Column("verwerkt_op", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Index(INBOX_LEEFTIJD_INDEX, "verwerkt_op"),  # for verwijder_oude_inbox (migrations *_inbox_opschonen)
    )


async def verwijder_oude_inbox(
    engine: AsyncEngine, inbox: Table, bewaartermijn: timedelta, batch: int = INBOX_BATCH
) -> int:
    """Delete inbox rows handled longer than `bewaartermijn` ago, `batch` at a time until fewer remain;
    returns how many. The age is measured on the database's clock, the one that set `verwerkt_op`.
    SKIP LOCKED: replicas running this at once take different rows, and a row that a handler's
    transaction holds is left for the next run instead of waited for."""
    totaal = 0
    while True:
        async with engine.begin() as conn:
            aantal = (await conn.execute(_oude_inbox_rijen(inbox, bewaartermijn, batch))).rowcount
        totaal += aantal
        if aantal < batch:
            return totaal


def _oude_inbox_rijen(inbox: Table, bewaartermijn: timedelta, batch: int):
    sleutel = tuple_(inbox.c.consumer, inbox.c.event_id)
    oud = (
        select(inbox.c.consumer, inbox.c.event_id)
        .where(inbox.c.verwerkt_op < func.now() - bewaartermijn)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )
    return delete(inbox).where(sleutel.in_(oud))


# unique_violation, deadlock_detected, serialization_failure: two transactions met over the same rows.
# Trying again sees the other's result; any other database error is a real fault.
BOTSING_SQLSTATES = frozenset({"23505", "40P01", "40001"})


# The database is away or going away (admin shutdown, starting up, connection lost, too many clients).
# Such an error says nothing about the message or request: it will pass once the database is back.
TIJDELIJKE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "08000", "08001", "08003", "08004", "08006", "53300"})


def is_tijdelijk(fout: BaseException) -> bool:
    """A fault of the infrastructure, not of the input: the database (or the network to it) is away.
    The bus then keeps retrying instead of sending the message to the DLQ, and the API answers 503."""
    gezien: BaseException | None = fout
    for _ in range(5):  # the error, what SQLAlchemy wraps, and what the driver chained to it
        if gezien is None:
            return False
        if getattr(gezien, "connection_invalidated", False) or isinstance(gezien, (OSError, TimeoutError)):
            return True
        if getattr(gezien, "sqlstate", None) in TIJDELIJKE_SQLSTATES or type(gezien).__name__ in (
            "ConnectionDoesNotExistError",
            "InterfaceError",
            "InternalClientError",
        ):
            return True
        gezien = getattr(gezien, "orig", None) or gezien.__cause__
    return False


def is_botsing(fout: BaseException) -> bool:
    """Also for asyncpg's own errors, which `voeg_toe` (COPY) raises without SQLAlchemy around it."""
    fout = getattr(fout, "orig", None) or fout
    return getattr(fout, "sqlstate", None) in BOTSING_SQLSTATES


KOPIEER_VANAF = 100  # rows; below this a plain INSERT costs less than COPY's extra round trip


async def voeg_toe(connection: AsyncConnection, tabel: Table, rijen: list[dict]) -> None:
    """Insert rows in the connection's transaction: a plain INSERT for a few, PostgreSQL's COPY for many
    (asyncpg encodes the rows in binary; at 10,000 signals per batch SQLAlchemy's per-row parameter
    handling and PostgreSQL's per-row INSERT cost more than the rest of the batch together)."""
    if not rijen:
        return
    if len(rijen) < KOPIEER_VANAF or connection.dialect.name != "postgresql":
        await connection.execute(tabel.insert(), rijen)
        return
    kolommen = list(rijen[0])
    # Each value as an INSERT would bind it: SQLAlchemy's bind processing per column (JSONB serialised, say),
    # which COPY's driver codecs expect.
    dialect = connection.dialect
    omzetten = [tabel.c[k].type.dialect_impl(dialect).bind_processor(dialect) for k in kolommen]
    records = [tuple(z(r[k]) if z else r[k] for k, z in zip(kolommen, omzetten, strict=True)) for r in rijen]
    verbinding = await connection.get_raw_connection()
    asyncpg = verbinding.driver_connection
    assert asyncpg is not None  # an open connection of the pool
    await asyncpg.copy_records_to_table(tabel.name, schema_name=tabel.schema, columns=kolommen, records=records)


@cache
def _volgorde(metadata: MetaData) -> dict[Table, int]:
    """The service's tables in foreign-key order, parents first (computed once, not per commit)."""
    return {t: i for i, t in enumerate(metadata.sorted_tables)}


class UnitOfWork:
    """One transaction: `async with uow_factory() as uow: ...; uow.publiceer(e); await uow.commit()`.

    Inserts that nothing in the transaction reads back at once may be held back (`voeg_later_toe`) and are
    written together, one statement per table, before the commit or before a read of their key
    (`schrijf_uit`): in a group commit (shared/bundel.py) the plans, versions, deadlines and timeline rows
    of 64 doorverwijzingen then cost a handful of round trips instead of four per doorverwijzing
    (decision 0019)."""

    def __init__(self, engine: AsyncEngine, outbox: Table, na_commit: Callable[[], None]):
        self._engine = engine
        self._outbox = outbox
        self._na_commit = na_commit
        self._events: list[tuple[Event, str]] = []
        self._later: list[tuple[Table, dict]] = []
        self._later_sleutels: set[str] = set()
        self._later_statements: dict[Executable, list[dict]] = {}  # in the order first given
        # What the preparation of a batch loaded for its handlers (shared/bundel.py, MetVooraf), by name.
        self.vooraf: dict[str, Any] = {}
        # SQLAlchemy Core's connection, not an ORM session: nothing here maps objects to rows, and a session's
        # bookkeeping cost a sixth of every statement and of every begin and commit (decision 0027).
        self.connection: AsyncConnection

    async def __aenter__(self) -> UnitOfWork:
        self.connection = await self._engine.connect()
        await self.connection.begin()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.connection.rollback()  # a no-op after commit
        await self.connection.close()

    def publiceer(self, event: Event) -> None:
        """To the outbox at commit, with the trace context of this moment (in a shared transaction each
        event keeps the trace of the message that caused it, shared/bundel.py)."""
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
        self._events.append((event, json.dumps(carrier)))

    def voeg_later_toe(self, tabel: Table, rij: dict, sleutel: str) -> None:
        """An insert held back until `schrijf_uit` (at the latest the commit); `sleutel` is what a read
        that must see it names (the household, in arrangement)."""
        self._later.append((tabel, rij))
        self._later_sleutels.add(sleutel)

    def voer_later_uit(self, statement: Executable, parameters: dict, sleutel: str) -> None:
        """A write that nothing in the transaction reads back at once (an upsert of a projection, say), held
        back like an insert and run after the inserts, all parameters of one statement in one executemany
        (one round trip for a batch, where each event paid its own)."""
        self._later_statements.setdefault(statement, []).append(parameters)
        self._later_sleutels.add(sleutel)

    async def schrijf_uit(self, sleutel: str | None = None) -> None:
        """Write what was held back (all of it; with a `sleutel`, only if some of it has that key): the
        inserts per table in the order of the foreign keys (parents first), per set of columns in the order
        given; then the held-back statements, each with all its parameters, in the order first given."""
        if sleutel is not None and sleutel not in self._later_sleutels:
            return
        await self._voeg_later_toe()
        statements, self._later_statements, self._later_sleutels = self._later_statements, {}, set()
        for statement, parameters in statements.items():
            await self.connection.execute(statement, parameters)

    async def _voeg_later_toe(self) -> None:
        if not self._later:
            return
        per_tabel: dict[Table, list[dict]] = {}
        for tabel, rij in self._later:
            per_tabel.setdefault(tabel, []).append(rij)
        self._later = []
        volgorde = _volgorde(next(iter(per_tabel)).metadata)
        for tabel in sorted(per_tabel, key=volgorde.__getitem__):
            # One statement per run of rows with the same columns: the order within a table stays (a
            # timeline's serial ids follow it); COPY for many (voeg_toe: stuurinformatie's batches of 256).
            for _, rijen in itertools.groupby(per_tabel[tabel], key=lambda r: tuple(r)):
                await voeg_toe(self.connection, tabel, list(rijen))

    async def commit(self) -> None:
        await self.schrijf_uit()
        if self._events:
            await voeg_toe(
                self.connection,
                self._outbox,
                [
                    {
                        "event_id": e.id,
                        "subject": e.nats_subject,
                        "payload": e.model_dump_json().encode(),
                        "headers": headers,
                    }
                    for e, headers in self._events
                ],
            )
        await self.connection.commit()
        if self._events:
            self._events = []
            self._na_commit()


Werk = Callable[[UnitOfWork], Awaitable[None]]


def beantwoord(antwoord: asyncio.Future, uitkomst: Any = None, fout: BaseException | None = None) -> None:
    """Give a waiting request its outcome (Samen); nothing when it no longer waits (it was cancelled: the
    client went away, the service stops)."""
    if antwoord.done():
        return
    if fout is not None:
        antwoord.set_exception(fout)
    else:
        antwoord.set_result(uitkomst)


class UnitOfWorkFactory:
    def __init__(self, engine: AsyncEngine, outbox: Table):
        self.engine = engine
        self.outbox = outbox
        # Set after a commit that wrote events, so the relay publishes at once instead of at its next poll.
        self.nieuwe_events = asyncio.Event()
        self._samen: Samen | None = None

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self.engine, self.outbox, self.nieuwe_events.set)

    async def samen(self, werk: Werk) -> None:
        """Apply `werk` and commit, in a transaction shared with what other requests hand in at the same
        moment (group commit for requests, decision 0025). Returns once it is committed; raises what `werk`
        raised (then in a transaction of its own, so another request's fault is never its fault)."""
        if self._samen is None:
            self._samen = Samen(self)
        await self._samen(werk)


class Samen:
    """Group commit for requests: what concurrent requests hand in while a transaction runs is applied in
    the next one, up to `max_grootte` together, each in its own request's trace context (its events carry
    its trace). One BEGIN, one statement per table for the inserts held back (`voeg_later_toe`), one outbox
    insert and one COMMIT (a WAL flush) for all, where each request paid all of them alone (decision 0025).

    When the shared transaction fails (a request's own fault, two requests with the same Idempotency-Key,
    the database away) each is applied again in a transaction of its own, as shared/bundel.py does for
    messages: every request gets its own outcome."""

    def __init__(self, uows: UnitOfWorkFactory, max_grootte: int = 64) -> None:
        self._uows, self._max_grootte = uows, max_grootte
        self._wachtend: list[tuple[Werk, otel_context.Context, asyncio.Future[None]]] = []
        self._taak: asyncio.Task | None = None

    async def __call__(self, werk: Werk) -> None:
        klaar: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._wachtend.append((werk, otel_context.get_current(), klaar))
        if self._taak is None or self._taak.done():  # one transaction at a time; the next takes what waits
            self._taak = asyncio.create_task(self._schrijf(), name="samen")
        await klaar

    async def _schrijf(self) -> None:
        while self._wachtend:
            groep = self._wachtend[: self._max_grootte]
            del self._wachtend[: self._max_grootte]
            try:
                await self._samen(groep) if len(groep) > 1 else await _apart(self._uows, *groep[0])
            except Exception as fout:
                log.info("samen apart opnieuw", extra={"verzoeken": len(groep), "fout": type(fout).__name__})
                await asyncio.gather(*(_apart(self._uows, *w) for w in groep))

    async def _samen(self, groep: list[tuple[Werk, otel_context.Context, asyncio.Future[None]]]) -> None:
        async with self._uows() as uow:
            for werk, context, _ in groep:
                with in_context(context):
                    await werk(uow)
            await uow.commit()
        for _, _, klaar in groep:
            beantwoord(klaar)


async def _apart(uows: UnitOfWorkFactory, werk: Werk, context: otel_context.Context, klaar: asyncio.Future) -> None:
    """One request's work in a transaction of its own; its outcome, fault or not, goes to that request."""
    with in_context(context):
        try:
            async with uows() as uow:
                await werk(uow)
                await uow.commit()
        except Exception as fout:
            beantwoord(klaar, fout=fout)
        else:
            beantwoord(klaar)
