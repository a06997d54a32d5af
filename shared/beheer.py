"""Every service's beheer API (role beheer only): its durables and outbox, its DLQ entries, and replaying
one of them. bouw_app (shared/service.py) adds this router to every service.

Platform-wide, not per gemeente: a durable, an outbox and the DLQ hold the events of every gemeente, so
a beheer token of any gemeente sees them all (docs/toegangsmatrix.yaml). What it shows are counts,
subjects, event types, ids and reasons, never an event's body: a partner's raw input may hold personal
data (shared/dlq.SAMENVATTING).

A replay applies the original message again through this service's own consumer, in-process
(shared/bus.verwerker: parse, apply once through the inbox, commit), with the service's own NATS
credentials: it may read the streams it consumes, never publish another service's events
(shared/nats_rechten.py). When that succeeds the entry leaves the DLQ; when the message fails again the
entry stays, and the answer (409) gives the reason. `toegang dlq replay` (operator) republishes instead.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from pydantic import BaseModel
from sqlalchemy import Table, func, select

from shared import dlq
from shared.auth import Gebruiker, Rol, vereist
from shared.bus import OngeldigBericht, reden_van
from shared.http import fouten
from shared.topology import consumers_van
from shared.weigeringen import NietGevonden

log = logging.getLogger(__name__)

Herhaler = Callable[[str, bytes], Awaitable[Any]]
Beheerder = Annotated[Gebruiker, Depends(vereist(Rol.beheer))]


class Durable(BaseModel):
    durable: str
    stream: str
    num_pending: int
    num_ack_pending: int
    redelivered: int
    ack_vloer: int = 0  # the stream sequence up to which everything is acknowledged


class Outbox(BaseModel):
    wachtend: int
    oudste_leeftijd_s: float | None


class Status(BaseModel):
    service: str
    consumers: list[Durable]
    outbox: Outbox


class Vermelding(BaseModel):
    seq: int
    consumer: str | None
    subject: str | None
    reden: str | None
    afleveringen: int | None
    tijd: str | None
    event_type: str | None
    event_id: str | None


class Dlq(BaseModel):
    service: str
    vermeldingen: list[Vermelding]


class Herhaling(BaseModel):
    seq: int
    consumer: str
    subject: str
    event_id: str | None
    status: str  # opnieuw_verwerkt: applied (or found applied before, by the inbox) and out of the DLQ


class _Beheer:
    def __init__(self, service: str, outbox: Table, herhalers: Mapping[str, Herhaler]):
        self.service, self.outbox, self.herhalers = service, outbox, herhalers


def _js(request: Request) -> Any:
    broker = request.app.state.ctx.broker
    verbinding = getattr(broker, "_connection", None)
    if verbinding is None or not verbinding.is_connected:
        raise HTTPException(503, "NATS is niet bereikbaar.", headers={"Retry-After": "5"})
    return broker.config.connection_state.stream


async def _nats(stap: Awaitable[Any]) -> Any:
    """NATS that does not answer (a timeout, no responders, a closed connection) is an outage: 503."""
    try:
        return await stap
    except (NietGevonden, HTTPException):
        raise
    except Exception as fout:
        if type(fout).__module__.startswith("nats") or isinstance(fout, TimeoutError):
            log.warning("NATS antwoordt niet", extra={"fout": type(fout).__name__})
            raise HTTPException(503, "NATS antwoordt niet.", headers={"Retry-After": "5"}) from None
        raise


async def meet_durables(js: Any, service: str) -> list[Durable]:
    """The service's durables as JetStream's consumer info gives them (answered by the consumer's leader)."""
    durables = []
    for c in consumers_van(service):
        info = await js.consumer_info(c.stream, c.durable)
        durables.append(
            Durable(
                durable=c.durable,
                stream=c.stream,
                num_pending=info.num_pending or 0,
                num_ack_pending=info.num_ack_pending or 0,
                redelivered=info.num_redelivered or 0,
                ack_vloer=info.ack_floor.stream_seq if info.ack_floor else 0,
            )
        )
    return durables


async def meet_outbox(uow: Any, outbox: Table) -> Outbox:
    """Rows not yet sent and the age of the oldest: measurable while NATS is away, when it matters most."""
    rij = (await uow.connection.execute(select(func.count(), func.min(outbox.c.aangemaakt_op)))).one()
    oudste = (datetime.now(UTC) - rij[1]).total_seconds() if rij[1] is not None else None
    return Outbox(wachtend=rij[0], oudste_leeftijd_s=oudste)


async def meet_status(js: Any, service: str, uow: Any, outbox: Table) -> Status:
    """Durables and outbox together; the beheer API shows it, the metrics job exports it (shared/metrics.py)."""
    return Status(service=service, consumers=await meet_durables(js, service), outbox=await meet_outbox(uow, outbox))


def beheer_router(service: str, outbox: Table, herhalers: Mapping[str, Herhaler]) -> APIRouter:
    b = _Beheer(service, outbox, herhalers)
    router = APIRouter(prefix="/v1/beheer", tags=["beheer"], responses=fouten(403, 503))

    @router.get("/status", response_model=Status)
    async def status(request: Request, gebruiker: Beheerder) -> Status:
        """This service's durables (what waits, what is delivered but unacknowledged, redeliveries) and its
        outbox (rows not yet sent, the age of the oldest)."""
        async with request.app.state.ctx.uows() as uow:
            return await _nats(meet_status(_js(request), b.service, uow, b.outbox))

    @router.get("/dlq", response_model=Dlq)
    async def dlq_lijst(
        request: Request, gebruiker: Beheerder, aantal: Annotated[int, Query(ge=1, le=500)] = 50
    ) -> Dlq:
        """This service's newest DLQ entries, oldest first: where from, why, how often delivered; no body."""
        vermeldingen = await _nats(dlq.vermeldingen(_js(request), b.service, aantal))
        return Dlq(service=b.service, vermeldingen=[Vermelding(**dlq.samenvatting(v)) for v in vermeldingen])

    @router.post("/dlq/{seq}/replay", response_model=Herhaling, responses=fouten(404, 409))
    async def herhaal(
        request: Request, gebruiker: Beheerder, seq: Annotated[int, Path(ge=1, le=2**63 - 1)]
    ) -> Herhaling:
        """Apply the entry's original message again through this service's consumer; out of the DLQ when
        that succeeds. 404: no entry of this service with this number; 409: the original is gone from its
        stream, or it fails again (the reason, the entry stays)."""
        js = _js(request)
        v = await _nats(dlq.vermelding(js, seq, b.service))
        if v is None:
            raise NietGevonden(f"Geen DLQ-vermelding {seq} van {b.service}.")
        herhaler = b.herhalers.get(str(v.get("consumer")))
        if herhaler is None:
            raise HTTPException(409, f"De consumer {v.get('consumer')} bestaat niet (meer) in {b.service}.")
        bron = await _nats(dlq.origineel(js, v))
        if bron is None:
            raise HTTPException(409, f"Het oorspronkelijke bericht is niet meer in stream {v.get('stream')}.")
        try:
            await herhaler(bron.subject, bron.data)
        except OngeldigBericht as fout:
            raise HTTPException(409, f"Het bericht faalt opnieuw: {fout}") from None
        except Exception as fout:
            log.warning("DLQ-herhaling faalt", extra={"dlq_seq": seq, "consumer": v.get("consumer")})
            raise HTTPException(409, f"Het bericht faalt opnieuw: {reden_van(fout)}") from None
        await _nats(dlq.verwijder(js, seq))
        log.info(
            "DLQ-vermelding opnieuw verwerkt",
            extra={
                "dlq_seq": seq,
                "consumer": v.get("consumer"),
                "event_id": v.get("event_id"),
                "door": gebruiker.actor,
            },
        )
        return Herhaling(
            seq=seq,
            consumer=str(v["consumer"]),
            subject=bron.subject,
            event_id=v.get("event_id"),
            status="opnieuw_verwerkt",
        )

    return router
