"""Every statement on the consumers' path is in SQLAlchemy's statement cache (decision 0024).

SQLAlchemy 2.0 compiles a statement it cannot cache again at every execution: PostgreSQL's
`insert().on_conflict_*()` and a `values()` list are such statements. At one or more per event that cost
a tenth of a consumer's CPU. This applies one event of each kind the hot path carries, through the bus's
own `verwerker` (inbox included) and each service's handler table, and names any statement that had no
cache key.
"""

from __future__ import annotations

import importlib
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import event
from sqlalchemy.engine import default

from shared.bus import verwerker
from shared.events import Event, PlanAfgesloten, RegisseurToegewezen, maak_event
from shared.topology import CONSUMERS
from tests.support.gegevens import doorverwijzing, melding_geregistreerd


@pytest.fixture
def zonder_cache(engine):
    """The statements executed without a cache key while the test runs."""
    gezien: list[str] = []

    def na(conn, cursor, statement, parameters, context, executemany) -> None:
        if context is not None and context.cache_hit is default.NO_CACHE_KEY:
            gezien.append(" ".join(statement.split())[:160])

    event.listen(engine.sync_engine, "after_cursor_execute", na)
    yield gezien
    event.remove(engine.sync_engine, "after_cursor_execute", na)


async def pas_toe(context, service: str, e: Event) -> bool:
    """As the service's durable for this event type would: parse, inbox, handler, commit."""
    consumer = next(c for c in CONSUMERS if c.service == service and c.event is type(e.data))
    ctx = context(service)
    handler = importlib.import_module(f"services.{service}.handlers").handlers(ctx)[type(e.data)]
    inbox = importlib.import_module(f"services.{service}.tables").inbox
    _, nieuw = await verwerker(consumer, handler, ctx.uows, inbox)(e.nats_subject, e.model_dump_json().encode())
    return nieuw


def van_arrangement(data) -> Event:
    return maak_event(data, service="arrangement", gemeente="GM1916", subject=str(data.plan_id), correlatieid="c")


async def test_het_pad_van_een_melding_door_de_consumers_is_gecached(context, zonder_cache):
    melding = melding_geregistreerd()
    huishouden = melding.data.huishouden_id
    plan_id = uuid.uuid4()
    regisseur = RegisseurToegewezen(
        plan_id=plan_id,
        huishouden_id=huishouden,
        regisseur={"soort": "professional", "team_id": "gm1916-gebiedsteam-leidschendam"},
    )
    afsluiting = PlanAfgesloten(
        plan_id=plan_id, huishouden_id=huishouden, afgesloten_op=datetime.now(UTC), resultaat="doelen_bereikt"
    )
    stappen = [
        ("triage", melding),
        ("arrangement", melding),
        ("stuurinformatie", melding),
        ("arrangement", doorverwijzing(huishouden)),
        ("arrangement", doorverwijzing(huishouden)),  # a household that already has a plan
        ("triage", van_arrangement(regisseur)),
        ("triage", van_arrangement(afsluiting)),
        ("intake", van_arrangement(afsluiting)),
    ]
    for service, e in stappen:
        assert await pas_toe(context, service, e), (service, e.type)
    assert not await pas_toe(context, "triage", melding), "a second delivery finds the event in the inbox"

    assert zonder_cache == []
