"""Rebuilding the figures from the streams: the facts are nothing but the events, so emptying the tables and
reading every stream again from its start gives the same figures (decision 0022).

`toegang stuurinformatie herbouw` empties the tables; at its next start the service finds them empty and
deletes its durables, which start-up then declares again from the first message of each stream. A new
installation (or a database restored without this schema's data) rebuilds the same way, by itself.
"""

from __future__ import annotations

import logging

from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from sqlalchemy import select, text

from services.stuurinformatie import tables
from shared.service import Context
from shared.topology import consumers_van

log = logging.getLogger(__name__)
TABELLEN = ("feiten", "inbox")


async def herbouw_als_leeg(ctx: Context, js: JetStreamContext) -> bool:
    """Before the consumers are declared: with no facts, every durable starts again from the beginning."""
    async with ctx.uows() as uow:
        leeg = (await uow.connection.execute(select(tables.feiten.c.event_id).limit(1))).first() is None
        if leeg:
            await uow.connection.execute(text("TRUNCATE stuurinformatie.inbox"))
            await uow.commit()
    if not leeg:
        return False
    for consumer in consumers_van("stuurinformatie"):
        try:
            await js.delete_consumer(consumer.stream, consumer.durable)
        except NotFoundError:
            continue
    log.info("stuurinformatie herbouwd vanaf het begin van de streams")
    return True


async def maak_leeg(database_url: str) -> None:
    """Empty the tables (the service stopped): its next start reads every stream again from the start."""
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {', '.join(f'stuurinformatie.{t}' for t in TABELLEN)}"))
    finally:
        await engine.dispose()
