"""The processing log after Logius' *Logboek dataverwerkingen*: every read of personal data.

One row per read, in the service that holds the data: trace id and operation (span) id, so the
entry can be found from a trace and the other way round; the processing activity; the data subject as
a pseudonym; the actor; the time.
"""

from __future__ import annotations

from opentelemetry import trace
from sqlalchemy import BigInteger, Column, DateTime, MetaData, String, Table, func
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Gebruiker


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
    )


async def log_verwerking(
    session: AsyncSession, tabel: Table, activiteit: str, betrokkenen: list[str], gebruiker: Gebruiker
) -> None:
    span = trace.get_current_span().get_span_context()
    trace_id = format(span.trace_id, "032x") if span.is_valid else None
    operation_id = format(span.span_id, "016x") if span.is_valid else None
    await session.execute(
        tabel.insert(),
        [
            {"trace_id": trace_id, "operation_id": operation_id, "verwerkingsactiviteit": activiteit,
             "betrokkene": b, "actor": gebruiker.actor}
            for b in betrokkenen
        ],
    )
