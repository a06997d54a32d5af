"""Signalering's handler: a casus is picked up when arrangement took its doorverwijzing in."""

from __future__ import annotations

from datetime import UTC, datetime

from faststream.nats import NatsMessage
from pydantic import ValidationError
from sqlalchemy import update

from services.signalering import domain, opname, tables
from services.signalering.domain import SignaalInvoer
from shared.bus import OngeldigBericht, reden_van
from shared.db import UnitOfWork
from shared.events import DoorverwijzingAanvaard, Event
from shared.service import Context
from shared.termijnen import TZ
from shared.topology import PARTNER_SIGNALEN


async def bij_aanvaarding(event: Event[DoorverwijzingAanvaard], uow: UnitOfWork) -> None:
    d = event.data
    if d.bron_soort != "signaalcasus":
        return
    c = tables.casussen
    await uow.session.execute(
        update(c)
        .where(c.c.casus_id == d.bron_id, c.c.status.in_(["open", "doorgezet"]))
        .values(status="opgepakt", team_id=d.team_id)
    )


def partnerberichten(ctx: Context):
    """Signals published on `partners.<partner_id>.signalen`: the partner is the one the subject names,
    and nats-server lets only that partner's user publish there; the payload cannot say otherwise."""

    async def verwerk(msg: NatsMessage) -> None:
        partner_id = msg.raw_message.subject.split(".")[1]
        gevonden = ctx.gemeenten.partner(partner_id)
        if gevonden is None:
            raise OngeldigBericht(f"onbekende partner {partner_id!r}")
        gemeente, partner = gevonden
        try:
            invoer = SignaalInvoer.model_validate_json(msg.body)
        except ValidationError as fout:
            raise OngeldigBericht(reden_van(fout)) from None
        nu = datetime.now(UTC)
        if fouten := domain.controleer(invoer, gemeente, list(partner.soorten), nu.astimezone(TZ).date()):
            velden = "; ".join(f"{'.'.join(map(str, pad))}: {m}" for pad, m in fouten)
            raise OngeldigBericht(f"ongeldig signaal: {velden}")  # no ids of the partner: they may be personal
        if (await opname.neem_op(ctx, [invoer], gemeente, partner, nu))[0] is None:
            raise RuntimeError("gelijktijdige signalen voor dit huishouden")  # nak: back-off, then again

    return verwerk


def handlers(ctx: Context) -> dict:
    return {DoorverwijzingAanvaard: bij_aanvaarding}


def berichten(ctx: Context) -> dict:
    return {PARTNER_SIGNALEN: partnerberichten(ctx)}
