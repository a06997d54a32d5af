"""Retention jobs: per gemeente, a cut-off from its own period, then batches until nothing is left.

Each batch locks its rows with SKIP LOCKED and changes them in the same transaction, so the job is
safe to run in every replica at once.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from shared.gemeenten import Gemeente
from shared.service import Context, Taak


async def per_gemeente(
    gemeenten, nu: datetime, dagen: Callable[[Gemeente], int], batch: Callable[[str, datetime], Awaitable[int]]
) -> int:
    """Run `batch(gemeente_code, grens)` until it returns 0, for every gemeente; returns the total."""
    totaal = 0
    for code in gemeenten.codes:
        grens = nu - timedelta(days=dagen(gemeenten[code]))
        while aantal := await batch(code, grens):
            totaal += aantal
    return totaal


def bewaartaak(naam: str, functie: Callable[[Context], Awaitable[int]]) -> Taak:
    """A retention job, run every TOEGANG_BEWAAR_INTERVAL_S seconds (hourly unless set)."""
    return Taak(naam, float(os.environ.get("TOEGANG_BEWAAR_INTERVAL_S", 3600)), functie)
