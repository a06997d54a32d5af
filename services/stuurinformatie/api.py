"""Stuurinformatie's HTTP API: the indicators of a gemeente, period and wijk, as JSON and as CSV (CONTRACT.md,
"Stuurinformatie (8005)"). Only beleid and beheer of the gemeente itself; no id or key in any answer."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from services.stuurinformatie import domain, usecases
from shared.auth import BELEID, Gebruiker, vereist
from shared.http import fouten
from shared.weigeringen import weiger_bij_fouten

router = APIRouter(prefix="/v1/stuurinformatie", tags=["stuurinformatie"], responses=fouten(403, 404))
Lezer = Annotated[Gebruiker, Depends(vereist(*BELEID))]
Periode = Annotated[str | None, Query(max_length=10, description="2026-11, 2026-Q4 of 2026; anders van en tot")]
Wijk = Annotated[str | None, Query(max_length=64)]


async def _figuren(
    request: Request, gebruiker: Gebruiker, gemeente: str, van: date | None, tot: date | None, periode: str | None,
    wijk: str | None,
) -> dict[str, Any]:  # fmt: skip
    p, fout = domain.periode(van, tot, periode)
    weiger_bij_fouten(fout)
    assert p is not None
    ctx = request.app.state.ctx
    async with ctx.uows() as uow:
        return await usecases.stuurinformatie(uow, gebruiker, ctx.gemeenten, gemeente, p, wijk)


@router.get("/{gemeente}", responses=fouten(422))
async def stuurinformatie(
    gemeente: str,
    request: Request,
    gebruiker: Lezer,
    van: date | None = None,
    tot: date | None = None,
    periode: Periode = None,
    wijk: Wijk = None,
):
    """`{gemeente, van, tot, wijk, indicatoren}`: each indicator with its definition and the events it counts;
    a count below 5 is `null` with `"onderdrukt": true`, and so is a cell that the total would give away."""
    return await _figuren(request, gebruiker, gemeente, van, tot, periode, wijk)


@router.get("/{gemeente}/export.csv", responses=fouten(422))
async def export(
    gemeente: str,
    request: Request,
    gebruiker: Lezer,
    van: date | None = None,
    tot: date | None = None,
    periode: Periode = None,
    wijk: Wijk = None,
) -> Response:
    """The same figures and suppression as CSV (`;`), one value per row with its definition."""
    figuren = await _figuren(request, gebruiker, gemeente, van, tot, periode, wijk)
    naam = f"stuurinformatie-{gemeente}-{figuren['van']}-{figuren['tot']}{'-' + wijk if wijk else ''}.csv"
    return Response(
        usecases.als_csv(figuren),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{naam}"'},
    )
