"""Triage's periodic job: the projection of known households (household → active regisseur), rebuilt
from the stream when empty.

Triage keeps it from arrangement's events (no calls between services). A new database, a restored
backup or a truncated table would leave it empty while the durable consumers have long acknowledged
those events: then a new melding for a household with a regisseur would get a second route. So at
start-up and every few minutes: if the table is empty, read `toegang.plannen.>` from the beginning of
the stream with a short-lived consumer and apply the regisseur and closing events again, through the
same handlers the durable consumers use. Both are idempotent and order-independent (a closed plan
stays closed), so replaying alongside the durable consumers, or in two replicas at once, gives the
same table.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from sqlalchemy import exists, select

from services.triage import handlers, tables
from shared.bus import EventHandler
from shared.events import Data, OnbekendEventType, PlanAfgesloten, RegisseurToegewezen, lees_event
from shared.service import Context, Taak

log = logging.getLogger(__name__)

STREAM = "TOEGANG_PLANNEN"
CONSUMER = "triage-herbouw"  # fixed name: the NATS user of triage may create this one only
BATCH = 500
PROJECTIE_EVENTS = (RegisseurToegewezen, PlanAfgesloten)


async def is_leeg(ctx: Context) -> bool:
    async with ctx.uows() as uow:
        return not (await uow.connection.execute(select(exists().select_from(tables.bekende_huishoudens)))).scalar()


async def herbouw_projectie(ctx: Context) -> int:
    """The number of events applied (0 when the projection was not empty or the stream holds none)."""
    return await herbouw_als_leeg(ctx, handlers.handlers(ctx))


async def herbouw_als_leeg(ctx: Context, tabel: Mapping[type[Data], EventHandler]) -> int:
    if not await is_leeg(ctx):
        return 0
    per_type: dict[type[Data], EventHandler] = {soort: tabel[soort] for soort in PROJECTIE_EVENTS}
    js = ctx.broker.connection.jetstream()
    config = ConsumerConfig(
        name=CONSUMER,
        filter_subject="toegang.plannen.>",
        deliver_policy=DeliverPolicy.ALL,
        ack_policy=AckPolicy.NONE,
        inactive_threshold=60.0,
    )
    await js.add_consumer(STREAM, config=config)  # named: pull_subscribe would pick a random name
    sub = await js.pull_subscribe_bind(consumer=CONSUMER, stream=STREAM)
    toegepast = 0
    try:
        while True:
            berichten = await sub.fetch(BATCH, timeout=2)
            toegepast += await _pas_toe(ctx, per_type, berichten)
            if berichten[-1].metadata.num_pending == 0:
                break
    except TimeoutError:
        pass  # nothing (more) in the stream
    finally:
        try:
            await js.delete_consumer(STREAM, CONSUMER)
        except NotFoundError:
            pass
        await sub.unsubscribe()
    if toegepast:
        log.info("projectie bekende huishoudens herbouwd uit de stream", extra={"events": toegepast})
    return toegepast


async def _pas_toe(ctx: Context, per_type: Mapping[type[Data], EventHandler], berichten) -> int:
    toegepast = 0
    async with ctx.uows() as uow:
        for bericht in berichten:
            try:
                event = lees_event(bericht.data)
            except (OnbekendEventType, ValueError):
                continue  # not ours to judge here; the durable consumers send such a message to the DLQ
            if (handler := per_type.get(type(event.data))) is not None:
                await handler(event, uow)
                toegepast += 1
        await uow.commit()
    return toegepast


# At start-up and then every 5 minutes: an empty projection is rebuilt from the stream.
TAKEN = [Taak("projectie-herbouw", 300.0, herbouw_projectie)]
