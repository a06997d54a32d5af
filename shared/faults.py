"""Injected faults, for the fault suite only. `TOEGANG_STORING` hits one consumer, for the events whose
id, as a number, is divisible by `elke`:

    TOEGANG_STORING='{"consumer": "triage-meldingen", "elke": 7}'
        poison: the handler fails every time such an event comes, so it ends in the DLQ while the rest
        flows; the DLQ reason names the fault, so the invariant checker can tell it from a real one.
    TOEGANG_STORING='{"consumer": "arrangement-doorverwijzingen", "elke": 3, "moment": "na_commit"}'
        acknowledgement lost: the first delivery is applied and committed, then fails before the ack,
        as when a process dies or the connection drops in between. JetStream delivers it again; only the
        inbox keeps it from being applied twice.

A service in productie refuses to start with it set (shared/settings.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Literal

from pydantic import BaseModel, Field

from shared.db import UnitOfWork
from shared.events import Event

Handler = Callable[[Event, UnitOfWork], Awaitable[None]]

REDEN = "ingespoten storing (TOEGANG_STORING)"


class IngespotenStoring(Exception):
    pass


class Storing(BaseModel):
    consumer: str
    elke: int = Field(ge=1)
    moment: Literal["handler", "na_commit"] = "handler"

    def treft(self, event: Event) -> bool:
        return event.id.int % self.elke == 0

    def om(self, durable: str, handler: Handler) -> Handler:
        """`handler`, failing for the events this fault hits when `durable` is its consumer."""
        if durable != self.consumer or self.moment != "handler":
            return handler

        async def falend(event: Event, uow: UnitOfWork) -> None:
            if self.treft(event):
                raise IngespotenStoring(REDEN)
            await handler(event, uow)

        return falend

    def na_commit(self, durable: str, event: Event, aflevering: int) -> None:
        """For `abonneer(na_commit=...)`: the first delivery of a hit event loses its acknowledgement."""
        if self.moment == "na_commit" and durable == self.consumer and aflevering == 1 and self.treft(event):
            raise IngespotenStoring("ingespoten storing na commit (TOEGANG_STORING)")
