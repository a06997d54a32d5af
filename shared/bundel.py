"""Group commit: the messages of one fetched batch are applied in one transaction.

A durable's fetch loop (shared/bus.py) hands every batch it fetched to its `Bundel`. The Bundel reads each
message, records all their event ids in the inbox with one statement, runs the handler of each new one in
that transaction (in the message's own trace context, so its events carry its trace), commits once, and
returns an outcome per message. The loop then acknowledges each message, or naks it, or sends it to the
DLQ, exactly as with one message per transaction: the guarantees do not change, the transaction and its
commit (a WAL flush) are shared. Two replicas applying the same event at once apply it once: the second
waits at the inbox's key until the first commits, then finds it there (decision 0024).

When the shared transaction fails (a handler raised, a deadlock between replicas, the database away), each
message is applied again in a transaction of its own (`verwerker`), so one poison message fails alone and
the others go through; each gets its own outcome (decision 0026).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Container, Sequence
from dataclasses import dataclass
from functools import cache

from opentelemetry import context as otel_context
from sqlalchemy import String, Table, TextClause, Uuid, bindparam, func, text, update
from sqlalchemy.dialects.postgresql import ARRAY

from shared.db import UnitOfWork, UnitOfWorkFactory
from shared.events import Event
from shared.telemetry import in_context
from shared.topology import Consumer

log = logging.getLogger(__name__)

EventHandler = Callable[[Event, UnitOfWork], Awaitable[None]]
Enkel = Callable[[str, bytes], Awaitable[tuple[Event, bool]]]
Lezer = Callable[[Consumer, str, bytes, Container[str] | None], Event]
# What became of one message: its event and whether it was new (False: applied before), or the error.
Uitkomst = tuple[Event, bool] | BaseException


@dataclass(frozen=True)
class Invoer:
    """One fetched message as the bundle sees it: subject, body and the trace context it is handled in."""

    subject: str
    body: bytes
    context: otel_context.Context


@dataclass(frozen=True)
class MetVooraf:
    """A handler that first prepares the whole batch, in its transaction, before the first event's handler
    runs: what each event would ask of the database one by one (a lock, a row), asked once for all, left in
    `uow.vooraf` for the handlers (decision 0026). Only an optimisation: a handler finds its event's part
    there or asks for it itself, as it does when applied alone. `achteraf`, if given, runs after the batch's
    last handler and before the commit: what the handlers left there to do once for all."""

    handler: EventHandler
    vooraf: Callable[[list[Event], UnitOfWork], Awaitable[None]]
    achteraf: Callable[[UnitOfWork], Awaitable[None]] | None = None

    async def __call__(self, event: Event, uow: UnitOfWork) -> None:
        await self.handler(event, uow)


class Bundel:
    def __init__(
        self,
        consumer: Consumer,
        handler: EventHandler,
        uows: UnitOfWorkFactory,
        inbox: Table,
        gemeenten: Container[str] | None,
        lees: Lezer,
        enkel: Enkel,
    ) -> None:
        self.consumer, self.handler, self.uows, self.inbox = consumer, handler, uows, inbox
        self.gemeenten, self.lees, self.enkel = gemeenten, lees, enkel

    async def __call__(self, berichten: Sequence[Invoer]) -> list[Uitkomst]:
        """Apply the batch; an outcome per message, in the order given."""
        uitkomsten: dict[int, Uitkomst] = {}
        events: dict[int, Event] = {}
        for i, b in enumerate(berichten):
            try:
                events[i] = self.lees(self.consumer, b.subject, b.body, self.gemeenten)
            except Exception as fout:  # OngeldigBericht: that message alone, never applied
                uitkomsten[i] = fout
        if events:
            uitkomsten.update(await self._pas_toe(berichten, events))
        return [uitkomsten[i] for i in range(len(berichten))]

    async def _pas_toe(self, berichten: Sequence[Invoer], events: dict[int, Event]) -> dict[int, Uitkomst]:
        try:
            nieuw = await self._samen(berichten, events)
        except Exception as fout:
            if len(events) == 1:
                return {i: fout for i in events}
            log.info("bundel apart opnieuw", extra={"consumer": self.consumer.durable, "fout": type(fout).__name__})
            apart = await asyncio.gather(*(self._apart(berichten[i]) for i in events))
            return dict(zip(events, apart, strict=True))
        uitkomsten: dict[int, Uitkomst] = {}
        for i, event in events.items():  # new for the first message with its id; a second copy was a repeat
            uitkomsten[i] = (event, event.id in nieuw)
            nieuw.discard(event.id)
        return uitkomsten

    async def _samen(self, berichten: Sequence[Invoer], events: dict[int, Event]) -> set:
        """One transaction for all: the inbox in one statement, each new event's handler, one commit."""
        async with self.uows() as uow:
            nieuw = await eerste_keer(uow, self.inbox, self.consumer, list(events.values()))
            met_vooraf = self.handler if isinstance(self.handler, MetVooraf) and nieuw else None
            if met_vooraf is not None:
                await met_vooraf.vooraf(list({e.id: e for e in events.values() if e.id in nieuw}.values()), uow)
            gedaan: set = set()
            for i, event in events.items():
                if event.id in nieuw and event.id not in gedaan:  # the same event twice in one batch: once
                    gedaan.add(event.id)
                    with in_context(berichten[i].context):
                        await self.handler(event, uow)
            if met_vooraf is not None and met_vooraf.achteraf is not None:
                await met_vooraf.achteraf(uow)
            await uow.commit()
        return nieuw

    async def _apart(self, b: Invoer) -> Uitkomst:
        with in_context(b.context):
            try:
                return await self.enkel(b.subject, b.body)
            except Exception as fout:
                return fout


async def eerste_keer(uow: UnitOfWork, inbox: Table, consumer: Consumer, events: list[Event]) -> set:
    """Record every event id in the inbox with one statement; returns the ids that were new. The others were
    applied before: their row's time is renewed, as for one message (decision 0014)."""
    per_id = {e.id: e for e in events}
    resultaat = await uow.connection.execute(
        _inbox_invoegen(inbox),
        {"consumer": consumer.durable, "event_ids": list(per_id), "types": [e.type for e in per_id.values()]},
    )
    nieuw = set(resultaat.scalars())
    if gezien := set(per_id) - nieuw:
        await uow.connection.execute(
            update(inbox)
            .where(inbox.c.consumer == consumer.durable, inbox.c.event_id.in_(gezien))
            .values(verwerkt_op=func.now())
        )
    return nieuw


@cache
def _inbox_invoegen(inbox: Table) -> TextClause:
    """The same statement for any number of events (decision 0024): SQLAlchemy 2.0 compiles PostgreSQL's
    INSERT ... ON CONFLICT anew at every execution (it is not in its statement cache), and a VALUES list of
    another length would also be another prepared statement in PostgreSQL."""
    return text(
        f"INSERT INTO {inbox.fullname} (consumer, event_id, type) "
        "SELECT :consumer, e.event_id, e.type "
        "FROM unnest(CAST(:event_ids AS uuid[]), CAST(:types AS varchar[])) AS e(event_id, type) "
        "ON CONFLICT DO NOTHING RETURNING event_id"
    ).bindparams(bindparam("event_ids", type_=ARRAY(Uuid)), bindparam("types", type_=ARRAY(String)))
