"""Signalering's handlers: a casus is picked up when arrangement took its doorverwijzing in; partners'
signals over NATS are taken in like those over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime

from services.signalering import usecases
from shared.bus import BerichtHandler, EventHandler
from shared.db import UnitOfWork
from shared.events import Data, DoorverwijzingAanvaard, Event
from shared.service import Context
from shared.topology import PARTNER_SIGNALEN


async def bij_aanvaarding(event: Event[DoorverwijzingAanvaard], uow: UnitOfWork) -> None:
    await usecases.pak_casus_op(uow, event.data)


def partnerberichten(ctx: Context) -> BerichtHandler:
    async def verwerk(subject: str, body: bytes) -> None:
        partner_id = subject.split(".")[1]  # partners.<partner_id>.signalen
        await usecases.neem_partnerbericht_op(ctx.uows, partner_id, body, datetime.now(UTC), usecases.Middelen.van(ctx))

    return verwerk


def handlers(ctx: Context) -> dict[type[Data], EventHandler]:
    return {DoorverwijzingAanvaard: bij_aanvaarding}


def berichten(ctx: Context) -> dict[str, BerichtHandler]:
    return {PARTNER_SIGNALEN: partnerberichten(ctx)}
