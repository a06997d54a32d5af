"""`toegang dlq list|show|replay`: the dead-letter queue for operators, with the operator's NATS
credentials. The logic is shared/dlq.py's (the services' beheer API uses it too); this module connects.

`replay` publishes the original again on its own subject (shared/dlq.publiceer_opnieuw): every consumer
of the subject gets it, and the inbox keeps it applied once (a consumer that applied it before, or a
second replay, changes nothing; a partner's signal is idempotent on its partner_signaal_id). The entry
stays in the DLQ; a replay through a service's beheer API removes it (shared/beheer.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import nats

from shared import dlq
from shared.dlq import DLQ_STREAM
from shared.nats_url import nats_verbinding

__all__ = ["DLQ_STREAM", "lijst", "speel_opnieuw", "toon"]
T = TypeVar("T")


async def _met_js(nats_url: str, stap: Callable[[Any], Awaitable[T]]) -> T:
    nc = await nats.connect(**nats_verbinding(nats_url), connect_timeout=5, max_reconnect_attempts=1)
    try:
        return await stap(nc.jetstream())
    finally:
        await nc.close()


async def lijst(nats_url: str, service: str | None = None, aantal: int = 50) -> list[dict]:
    """The newest `aantal` entries (of one service), oldest first."""
    return await _met_js(nats_url, lambda js: dlq.vermeldingen(js, service, aantal))


async def toon(nats_url: str, dlq_seq: int) -> dict:
    async def stap(js: Any) -> dict:
        return dlq.vermelding_of_fout(await dlq.vermelding(js, dlq_seq), dlq_seq)

    return await _met_js(nats_url, stap)


async def speel_opnieuw(nats_url: str, dlq_seq: int) -> dict:
    """Publish the original message of DLQ entry `dlq_seq` again; returns what was published."""
    return await _met_js(nats_url, lambda js: dlq.publiceer_opnieuw(js, dlq_seq))
