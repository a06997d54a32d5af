"""Use-case tests: each service's use cases against a real PostgreSQL, without NATS or HTTP.

They call `services/<name>/usecases.py` (and the handler table of `handlers.py`) with a unit of work on
a database of their own (migrated, on the suite's PostgreSQL server), so most domain paths are tested
in milliseconds. The database is a different one from the running platform's: the platform's relays
would otherwise publish what these tests write to their outboxes.
"""

from __future__ import annotations

import importlib

import pytest
from sqlalchemy import text

from shared.db import UnitOfWorkFactory, maak_engine
from shared.gemeenten import laad_gemeenten
from shared.service import Context, houdt_persoonsgegevens
from shared.settings import Instellingen
from toegang.omgeving import geheimen, maak_database, migreer


@pytest.fixture(scope="session")
def usecase_database_url(database_url) -> str:
    url = maak_database(database_url)
    migreer(url)
    return url


@pytest.fixture(scope="session")
def instellingen(usecase_database_url, werkmap) -> Instellingen:
    return Instellingen(DATABASE_URL=usecase_database_url, **geheimen(werkmap / "usecases"))


@pytest.fixture(scope="session")
def engine(usecase_database_url):
    engine = maak_engine(usecase_database_url, pool_size=4)
    yield engine


@pytest.fixture(scope="session")
def context(instellingen, engine):
    """`context("intake")`: the service's Context as `bouw_app` makes it, without a broker."""
    gemeenten = laad_gemeenten(instellingen.config_dir)

    def maak(service: str) -> Context:
        ctx = Context(
            instellingen,
            gemeenten,
            UnitOfWorkFactory(engine, importlib.import_module(f"services.{service}.tables").outbox),
        )
        houdt_persoonsgegevens(ctx)
        return ctx

    return maak


async def outbox_van(engine, service: str) -> list[str]:
    """The subjects in `service`'s outbox, oldest first (no relay runs here: they stay)."""
    async with engine.connect() as conn:
        return list((await conn.execute(text(f"SELECT subject FROM {service}.outbox ORDER BY id"))).scalars())
