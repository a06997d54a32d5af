"""Alembic per service: one migration history per schema, run by `toegang migrate` and at test start.

Each service's migrations/env.py calls `run_env(metadata, schema)`; the version table lives in the
service's own schema, so the four histories never meet.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, text
from sqlalchemy.ext.asyncio import create_async_engine

SERVICES = ("intake", "signalering", "triage", "arrangement", "stuurinformatie")
SERVICES_DIR = Path(__file__).resolve().parents[1] / "services"


def alembic_config(service: str, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SERVICES_DIR / service / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["schema"] = service
    return config


def migreer(database_url: str, services: tuple[str, ...] = SERVICES) -> None:
    for service in services:
        command.upgrade(alembic_config(service, database_url), "head")


def run_env(metadata: MetaData, schema: str) -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    if url is None:
        raise SystemExit("sqlalchemy.url ontbreekt in de Alembic-configuratie")

    def migreer_sync(connection) -> None:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table_schema=schema,
            include_schemas=True,
            include_name=lambda name, type_, parent: type_ != "schema" or name == schema,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def online() -> None:
        engine = create_async_engine(url)
        async with engine.begin() as conn:
            await conn.run_sync(migreer_sync)
        await engine.dispose()

    asyncio.run(online())


def outbox_zonder_vlag(schema: str) -> None:
    """The outbox as the relay now uses it (decision 0010): payload as the bytes that are published,
    headers as JSON text, rows deleted once published instead of flagged."""
    from alembic import op

    op.execute(f'DELETE FROM "{schema}".outbox WHERE gepubliceerd_op IS NOT NULL')
    op.drop_index("outbox_te_publiceren", table_name="outbox", schema=schema)
    op.drop_column("outbox", "gepubliceerd_op", schema=schema)
    op.execute(
        f"ALTER TABLE \"{schema}\".outbox ALTER COLUMN payload TYPE bytea USING convert_to(payload::text, 'UTF8')"
    )
    op.execute(f'ALTER TABLE "{schema}".outbox ALTER COLUMN headers TYPE text USING headers::text')


def outbox_met_vlag(schema: str) -> None:
    import sqlalchemy as sa
    from alembic import op

    op.execute(f'ALTER TABLE "{schema}".outbox ALTER COLUMN headers TYPE jsonb USING headers::jsonb')
    op.execute(
        f"ALTER TABLE \"{schema}\".outbox ALTER COLUMN payload TYPE jsonb USING convert_from(payload, 'UTF8')::jsonb"
    )
    op.add_column("outbox", sa.Column("gepubliceerd_op", sa.DateTime(timezone=True)), schema=schema)
    op.create_index(
        "outbox_te_publiceren", "outbox", ["id"], schema=schema, postgresql_where=sa.text("gepubliceerd_op IS NULL")
    )


def inbox_index_op_leeftijd(schema: str) -> None:
    """The index the inbox pruning job reads by (decision 0014): without it each batch scans the whole
    inbox. Built in the migration's transaction, like the rest (CONCURRENTLY cannot run in one): inbox
    writes wait while it is built, so on a large inbox run it with the deployment, not at a peak."""
    from alembic import op

    from shared.db import INBOX_LEEFTIJD_INDEX

    op.create_index(INBOX_LEEFTIJD_INDEX, "inbox", ["verwerkt_op"], schema=schema)


def inbox_index_weg(schema: str) -> None:
    from alembic import op

    from shared.db import INBOX_LEEFTIJD_INDEX

    op.drop_index(INBOX_LEEFTIJD_INDEX, table_name="inbox", schema=schema)
