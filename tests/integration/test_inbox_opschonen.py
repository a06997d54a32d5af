"""Inbox pruning (decision 0014) against the real, migrated PostgreSQL: rows older than the retention go,
in batches, safely with replicas at once and without waiting for rows a handler holds; newer rows stay;
a duplicate delivery starts a row's retention again."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from services.triage import tables
from shared.bundel import eerste_keer
from shared.db import INBOX_LEEFTIJD_INDEX, UnitOfWorkFactory, maak_engine, verwijder_oude_inbox
from shared.events import MeldingOpgepakt, maak_event
from shared.migrations import SERVICES
from shared.topology import Consumer, inbox_bewaartermijn

inbox = tables.inbox
TERMIJN = inbox_bewaartermijn("triage")


@pytest.fixture
async def engine(database_url):
    engine = maak_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def durable() -> str:
    """A consumer name of this test only: other tests may write the same inbox meanwhile."""
    return f"opschoontest-{uuid.uuid4().hex[:8]}"


async def voeg_rijen_toe(engine, durable: str, aantal: int, leeftijd: timedelta) -> None:
    tijd = datetime.now(UTC) - leeftijd
    async with engine.begin() as conn:
        await conn.execute(
            inbox.insert(),
            [
                {"consumer": durable, "event_id": uuid.uuid4(), "type": "test", "verwerkt_op": tijd}
                for _ in range(aantal)
            ],
        )


async def leeftijden(engine, durable: str) -> list[timedelta]:
    async with engine.connect() as conn:
        return sorted(
            (await conn.execute(select(func.now() - inbox.c.verwerkt_op).where(inbox.c.consumer == durable))).scalars()
        )


async def test_elke_service_heeft_de_index_op_verwerkt_op(engine):
    async with engine.connect() as conn:
        schemas = set(
            (
                await conn.execute(
                    text("SELECT schemaname FROM pg_indexes WHERE tablename = 'inbox' AND indexname = :naam"),
                    {"naam": INBOX_LEEFTIJD_INDEX},
                )
            ).scalars()
        )
    assert schemas >= set(SERVICES)


async def test_alleen_rijen_ouder_dan_de_bewaartermijn_gaan_in_batches(engine, durable):
    await voeg_rijen_toe(engine, durable, 7, TERMIJN + timedelta(days=5))
    await voeg_rijen_toe(engine, durable, 3, TERMIJN - timedelta(days=1))  # old, but not old enough
    await voeg_rijen_toe(engine, durable, 2, timedelta(0))

    verwijderd = await verwijder_oude_inbox(engine, inbox, TERMIJN, batch=3)  # 3 + 3 + 1, then done

    assert verwijderd >= 7
    over = await leeftijden(engine, durable)
    assert len(over) == 5 and all(leeftijd < TERMIJN for leeftijd in over)
    assert await verwijder_oude_inbox(engine, inbox, TERMIJN, batch=3) == 0


async def test_replicas_tegelijk_verwijderen_elke_rij_eenmaal(engine, durable):
    await voeg_rijen_toe(engine, durable, 25, TERMIJN + timedelta(days=1))
    aantallen = await asyncio.gather(*(verwijder_oude_inbox(engine, inbox, TERMIJN, batch=4) for _ in range(3)))
    assert sum(aantallen) >= 25
    assert await leeftijden(engine, durable) == []


async def test_een_rij_die_een_handler_vasthoudt_wordt_overgeslagen_niet_afgewacht(engine, durable):
    await voeg_rijen_toe(engine, durable, 2, TERMIJN + timedelta(days=1))
    async with engine.connect() as handler:  # a transaction holding one old row, as a redelivery would
        await handler.execute(select(inbox.c.event_id).where(inbox.c.consumer == durable).limit(1).with_for_update())
        await asyncio.wait_for(verwijder_oude_inbox(engine, inbox, TERMIJN), timeout=10)
        assert len(await leeftijden(engine, durable)) == 1
        await handler.rollback()
    await verwijder_oude_inbox(engine, inbox, TERMIJN)  # the next run takes it
    assert await leeftijden(engine, durable) == []


async def test_een_dubbele_aflevering_begint_de_bewaartermijn_opnieuw(engine, durable):
    """A DLQ replay is a new copy in the stream, kept for max_age from its publication: the consumer
    that had the event already must keep its row at least that long from this delivery on."""
    data = MeldingOpgepakt(melding_id=uuid.uuid4(), opgepakt_op=datetime.now(UTC), team_id="t")
    event = maak_event(data, service="intake", gemeente="GM1916", subject="s", correlatieid="c")
    consumer = Consumer("triage", durable, MeldingOpgepakt, "test")
    async with engine.begin() as conn:
        await conn.execute(
            inbox.insert().values(
                consumer=durable,
                event_id=event.id,
                type=event.type,
                verwerkt_op=datetime.now(UTC) - TERMIJN + timedelta(days=2),
            )
        )
    uows = UnitOfWorkFactory(engine, tables.outbox)
    async with uows() as uow:
        assert await eerste_keer(uow, inbox, consumer, [event]) == set()  # applied before: skipped
        await uow.commit()
    assert (await leeftijden(engine, durable))[0] < timedelta(minutes=1)
    await verwijder_oude_inbox(engine, inbox, TERMIJN)
    assert len(await leeftijden(engine, durable)) == 1
