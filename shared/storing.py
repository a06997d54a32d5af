"""Injected faults, for the fault suite only: `TOEGANG_STORING` makes one consumer's handler fail for some
events, every time they come, so they end in the DLQ while the rest flows.

    TOEGANG_STORING='{"consumer": "triage-meldingen", "elke": 7}'

fails every event whose id, as a number, is divisible by 7. A service in productie refuses to start
with it set (shared/settings.py); the DLQ reason names it, so the invariant checker can tell an injected
fault from a real one.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from shared.bus import Handler
from shared.db import UnitOfWork
from shared.events import Event

REDEN = "ingespoten storing (TOEGANG_STORING)"


class IngespotenStoring(Exception):
    pass


class Storing(BaseModel):
    consumer: str
    elke: int = Field(ge=1)

    def treft(self, event: Event) -> bool:
        return event.id.int % self.elke == 0

    def om(self, durable: str, handler: Handler) -> Handler:
        """`handler`, failing for the events this fault hits when `durable` is its consumer."""
        if durable != self.consumer:
            return handler

        async def falend(event: Event, uow: UnitOfWork) -> None:
            if self.treft(event):
                raise IngespotenStoring(REDEN)
            await handler(event, uow)

        return falend
