"""Group commit: the messages a durable's workers hand in at the same moment are applied in one transaction.

FastStream hands every fetched message to a worker of its own (`max_workers`); each worker calls a
`Bundel` and waits. A task of the Bundel takes every message waiting (up to `max_grootte`), records all
their event ids in the inbox with one statement, runs the handler of each new one in that transaction
(in the message's own trace context, so its events carry its trace), commits once, and answers every
worker. The worker then acknowledges its own message, or naks it, or sends it to the DLQ, exactly as
with one message per transaction (shared/bus.py): the guarantees do not change, the transaction and its
commit (a WAL flush) are shared. With `tegelijk` > 1 (TOEGANG_CONSUMER_BUNDELS) that many tasks do this at
once, each with its own transaction: the same event in two of them is applied once, because the second
waits at the inbox's key until the first commits (decision 0024).

When the shared transaction fails (a handler raised, a deadlock between replicas or between two of these
transactions, the database away), each message is applied again in a transaction of its own (`verwerker`),
so one poison message fails alone and the others go through; the worker gets that message's own outcome.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Container
from dataclasses import dataclass
from functools import cache

from opentelemetry import context as otel_context
from sqlalchemy import String, Table, TextClause, Uuid, bindparam, func, text, update
from sqlalchemy.dialects.postgresql import ARRAY

from shared.db import UnitOfWork, UnitOfWorkFactory, beantwoord
from shared.events import Event
from shared.topology import Consumer

log = logging.getLogger(__name__)

EventHandler = Callable[[Event, UnitOfWork], Awaitable[None]]
Enkel = Callable[[str, bytes], Awaitable[tuple[Event, bool]]]
Lezer = Callable[[Consumer, str, bytes, Container[str] | None], Event]


@dataclass
class _Bericht:
    subject: str
    body: bytes
    context: otel_context.Context
    antwoord: asyncio.Future[tuple[Event, bool]]
    event: Event | None = None


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
        max_grootte: int = 64,
        tegelijk: int = 1,
    ) -> None:
        self.consumer, self.handler, self.uows, self.inbox = consumer, handler, uows, inbox
        self.gemeenten, self.lees, self.enkel, self.max_grootte = gemeenten, lees, enkel, max_grootte
        self.tegelijk = tegelijk
        self._wachtrij: asyncio.Queue[_Bericht] = asyncio.Queue()
        self._taken: list[asyncio.Task] = []

    async def __call__(self, subject: str, body: bytes) -> tuple[Event, bool]:
        """Apply one message (with whatever else is waiting); returns the event and whether it was new."""
        self._start()
        antwoord: asyncio.Future[tuple[Event, bool]] = asyncio.get_running_loop().create_future()
        await self._wachtrij.put(_Bericht(subject, body, otel_context.get_current(), antwoord))
        return await antwoord

    def _start(self) -> None:
        """`tegelijk` transactions at once, each taking what waits: while one waits for PostgreSQL, another
        runs its handlers in Python (decision 0024)."""
        self._taken = [t for t in self._taken if not t.done()]
        while len(self._taken) < self.tegelijk:
            naam = f"bundel-{self.consumer.durable}-{len(self._taken)}"
            self._taken.append(asyncio.create_task(self._werk(), name=naam))

    def stop(self) -> None:
        for taak in self._taken:
            taak.cancel()

    async def _werk(self) -> None:
        while True:
            berichten = [await self._wachtrij.get()]
            while len(berichten) < self.max_grootte and not self._wachtrij.empty():
                berichten.append(self._wachtrij.get_nowait())
            try:
                await self._pas_toe(berichten)
            except Exception as fout:  # not expected: every path answers; never leave a worker waiting
                log.exception("bundel mislukt", extra={"consumer": self.consumer.durable})
                for b in berichten:
                    beantwoord(b.antwoord, fout=fout)

    async def _pas_toe(self, berichten: list[_Bericht]) -> None:
        geldig = []
        for b in berichten:
            try:
                b.event = self.lees(self.consumer, b.subject, b.body, self.gemeenten)
                geldig.append(b)
            except Exception as fout:  # OngeldigBericht: that message alone, straight to its worker
                beantwoord(b.antwoord, fout=fout)
        if not geldig:
            return
        try:
            nieuw = await self._samen(geldig)
        except Exception as fout:
            if len(geldig) == 1:
                beantwoord(geldig[0].antwoord, fout=fout)
                return
            log.info("bundel apart opnieuw", extra={"consumer": self.consumer.durable, "fout": type(fout).__name__})
            await asyncio.gather(*(self._apart(b) for b in geldig))
            return
        for b in geldig:  # new for the first message with its id; a second copy in the bundle was a repeat
            assert b.event is not None
            beantwoord(b.antwoord, (b.event, b.event.id in nieuw))
            nieuw.discard(b.event.id)

    async def _samen(self, berichten: list[_Bericht]) -> set:
        """One transaction for all: the inbox in one statement, each new event's handler, one commit."""
        events = [b.event for b in berichten if b.event is not None]
        async with self.uows() as uow:
            nieuw = await eerste_keer(uow, self.inbox, self.consumer, events)
            gedaan: set = set()
            for b in berichten:
                assert b.event is not None
                if b.event.id in nieuw and b.event.id not in gedaan:  # the same event twice in one bundle: once
                    gedaan.add(b.event.id)
                    token = otel_context.attach(b.context)
                    try:
                        await self.handler(b.event, uow)
                    finally:
                        otel_context.detach(token)
            await uow.commit()
        return nieuw

    async def _apart(self, b: _Bericht) -> None:
        token = otel_context.attach(b.context)
        try:
            beantwoord(b.antwoord, await self.enkel(b.subject, b.body))
        except Exception as fout:
            beantwoord(b.antwoord, fout=fout)
        finally:
            otel_context.detach(token)


async def eerste_keer(uow: UnitOfWork, inbox: Table, consumer: Consumer, events: list[Event]) -> set:
    """Record every event id in the inbox with one statement; returns the ids that were new. The others were
    applied before: their row's time is renewed, as for one message (decision 0014)."""
    per_id = {e.id: e for e in events}
    resultaat = await uow.session.execute(
        _inbox_invoegen(inbox),
        {"consumer": consumer.durable, "event_ids": list(per_id), "types": [e.type for e in per_id.values()]},
    )
    nieuw = set(resultaat.scalars())
    if gezien := set(per_id) - nieuw:
        await uow.session.execute(
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
