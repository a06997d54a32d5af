"""The processing log after Logius' *Logboek dataverwerkingen*: every read of personal data.

One row per read, in the service that holds the data: trace id and operation (span) id, so the
entry can be found from a trace and the other way round; the processing activity; the data subject as
a pseudonym; the actor; the time.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from opentelemetry import trace
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import BigInteger, Column, DateTime, MetaData, String, Table, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.auth import Gebruiker, Rol, vereist
from shared.http import OngeldigeInvoer
from shared.privacy import adres_sleutel, elfproef, persoon_sleutel_bsn, persoon_sleutel_ngp


def verwerkingslog_tabel(metadata: MetaData) -> Table:
    return Table(
        "verwerkingslog",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("trace_id", String(32), nullable=True),
        Column("operation_id", String(16), nullable=True),
        Column("verwerkingsactiviteit", String(200), nullable=False),
        Column("betrokkene", String(64), nullable=False, index=True),
        Column("actor", String(200), nullable=False),
        Column("tijdstip", DateTime(timezone=True), nullable=False, server_default=func.now()),
        # The reader's gemeente (reads are scoped to it): an operator lists his own gemeente's entries.
        Column("gemeente", String(6), nullable=True, index=True),
    )


async def log_verwerking(
    connection: AsyncConnection, tabel: Table, activiteit: str, betrokkenen: list[str], gebruiker: Gebruiker
) -> None:
    span = trace.get_current_span().get_span_context()
    trace_id = format(span.trace_id, "032x") if span.is_valid else None
    operation_id = format(span.span_id, "016x") if span.is_valid else None
    await connection.execute(
        tabel.insert(),
        [
            {
                "trace_id": trace_id,
                "operation_id": operation_id,
                "verwerkingsactiviteit": activiteit,
                "betrokkene": b,
                "actor": gebruiker.actor,
                "gemeente": gebruiker.gemeente,
            }
            for b in betrokkenen
        ],
    )


class Adres(BaseModel):
    model_config = ConfigDict(extra="forbid")
    postcode: Annotated[str, Field(max_length=7)]
    huisnummer: Annotated[int, Field(ge=1, le=99999)]
    toevoeging: Annotated[str, Field(max_length=6)] | None = None


class Betrokkene(BaseModel):
    """Whose entries: a BSN, or name and birth date with the address, or an address (a household). In the
    body, never in the URL: URLs end up in traces and proxy logs."""

    model_config = ConfigDict(extra="forbid")
    bsn: Annotated[str, Field(min_length=9, max_length=9)] | None = None
    naam: Annotated[str, Field(max_length=200)] | None = None
    geboortedatum: date | None = None
    adres: Adres | None = None

    @model_validator(mode="after")
    def _iets_om_te_zoeken(self) -> Betrokkene:
        if self.bsn is None and self.adres is None:
            raise ValueError("een bsn of een adres is nodig")
        return self

    def sleutels(self, sleutel: bytes) -> list[str]:
        uit = []
        if self.bsn is not None:
            uit.append(persoon_sleutel_bsn(sleutel, self.bsn))
        if self.adres is not None:
            a = self.adres
            uit.append(adres_sleutel(sleutel, a.postcode, a.huisnummer, a.toevoeging))
            if self.naam and self.geboortedatum:
                uit.append(persoon_sleutel_ngp(sleutel, self.naam, self.geboortedatum, a.postcode, a.huisnummer))
        return uit


def verwerkingslog_router(tabel: Table) -> APIRouter:
    """`POST /v1/verwerkingslog/zoeken` (beheer): every logged read of one data subject's personal data in
    this service, for the gemeente of the operator: what a resident's request for access (AVG art. 15)
    needs from this service."""
    router = APIRouter(prefix="/v1/verwerkingslog", tags=["verwerkingslog"])

    @router.post("/zoeken")
    async def zoek(
        betrokkene: Betrokkene, request: Request, gebruiker: Annotated[Gebruiker, Depends(vereist(Rol.beheer))]
    ):
        if betrokkene.bsn is not None and not elfproef(betrokkene.bsn):
            raise OngeldigeInvoer([(("bsn",), "geen geldig BSN (elfproef)")])
        ctx = request.app.state.ctx
        sleutels = betrokkene.sleutels(ctx.instellingen.pseudoniem_sleutel.get_secret_value().encode())
        async with ctx.uows() as uow:
            rijen = (
                (
                    await uow.connection.execute(
                        select(
                            tabel.c.tijdstip,
                            tabel.c.verwerkingsactiviteit,
                            tabel.c.actor,
                            tabel.c.trace_id,
                            tabel.c.operation_id,
                            tabel.c.betrokkene,
                        )
                        .where(tabel.c.betrokkene.in_(sleutels), tabel.c.gemeente == gebruiker.gemeente)
                        .order_by(tabel.c.tijdstip, tabel.c.id)
                    )
                )
                .mappings()
                .all()
            )
        return {"aantal": len(rijen), "verwerkingen": [dict(r) for r in rijen]}

    return router


async def verwerkingen_over(connection: AsyncConnection, tabel: Table, betrokkenen: list[str], limiet: int = 200):
    """The entries about these data subjects (pseudonyms), newest first: what Mijn toegang shows him."""
    return (
        (
            await connection.execute(
                select(tabel.c.verwerkingsactiviteit, tabel.c.actor, tabel.c.gemeente, tabel.c.tijdstip)
                .where(tabel.c.betrokkene.in_(betrokkenen))
                .order_by(tabel.c.tijdstip.desc())
                .limit(limiet)
            )
        )
        .mappings()
        .all()
    )


def voor_betrokkene(rij, gemeenten) -> dict:
    """An entry as the data subject reads it (AVG art. 15, Mijn toegang): when, which organisation and role,
    what for; the employee's own id only where his gemeente configures it (`mijn_toegang.medewerkers_tonen`)."""
    rol, _, sub = str(rij["actor"]).partition(":")
    gemeente = gemeenten.get(rij["gemeente"] or "")
    tonen = gemeente is not None and gemeente.mijn_toegang.medewerkers_tonen
    return {
        "tijdstip": rij["tijdstip"],
        "organisatie": gemeente.naam if gemeente else "de gemeente",
        "rol": rol,
        "medewerker": sub if tonen and rol != "inwoner" else None,
        "activiteit": rij["verwerkingsactiviteit"],
    }
