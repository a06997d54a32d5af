"""Writes held back in the unit of work (`UnitOfWork.voer_later_uit`, shared/db.py) against a real
PostgreSQL: nothing is written until a read names its key (`schrijf_uit(sleutel)`) or the commit; then all
of it, in the order given."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from services.triage import tables
from services.triage.usecases import REGISSEUR_BEKEND


def toewijzing(huishouden_id: str, team: str, tijd: datetime) -> dict:
    return {
        "huishouden_id": huishouden_id,
        "plan_id": uuid.UUID(int=uuid.uuid5(uuid.NAMESPACE_DNS, huishouden_id).int),  # one plan per household
        "regisseur": {"soort": "professional", "team_id": team},
        "bijgewerkt_op": tijd,
    }


async def teams(uow, *huishoudens: str) -> dict[str, str]:
    b = tables.bekende_huishoudens
    vraag = select(b.c.huishouden_id, b.c.regisseur).where(b.c.huishouden_id.in_(huishoudens))
    rijen = await uow.connection.execute(vraag)
    return {h: r["team_id"] for h, r in rijen}


async def test_vastgehouden_tot_een_lezing_van_de_sleutel_of_de_commit(context):
    uows = context("triage").uows
    a, b, c = (uuid.uuid4().hex for _ in range(3))
    nu = datetime.now(UTC)
    async with uows() as uow:
        uow.voer_later_uit(REGISSEUR_BEKEND, toewijzing(a, "team-eerst", nu), sleutel=a)
        uow.voer_later_uit(REGISSEUR_BEKEND, toewijzing(b, "team-b", nu), sleutel=b)
        uow.voer_later_uit(REGISSEUR_BEKEND, toewijzing(a, "team-daarna", nu), sleutel=a)
        assert await teams(uow, a, b) == {}  # held back
        await uow.schrijf_uit(c)  # another key: still held back
        assert await teams(uow, a, b) == {}
        await uow.schrijf_uit(a)  # a read of a: everything, in the order given (at the same time, the last wins)
        assert await teams(uow, a, b) == {a: "team-daarna", b: "team-b"}
        uow.voer_later_uit(REGISSEUR_BEKEND, toewijzing(c, "team-c", nu), sleutel=c)
        await uow.commit()
    async with uows() as uow:
        assert await teams(uow, a, b, c) == {a: "team-daarna", b: "team-b", c: "team-c"}  # the commit wrote c


async def test_veel_vastgehouden_rijen_gaan_met_copy_en_komen_terug_zoals_een_insert_ze_schrijft(context):
    """Held-back inserts of one table go as COPY from KOPIEER_VANAF rows on (shared/db.py, voeg_toe), with
    each value bound as an INSERT binds it: JSONB (a dict, a list, a string, a null inside), UUID, a moment
    with its zone and a missing wijk come back the same as through the plain INSERT."""
    from services.stuurinformatie import tables as si
    from shared.db import KOPIEER_VANAF

    uows = context("stuurinformatie").uows
    nu = datetime.now(UTC)

    def feit(i: int, soort: str) -> dict:
        return {
            "event_id": uuid.uuid4(),
            "soort": soort,
            "gemeente": "GM1916",
            "moment": nu,
            "wijk": None if i % 2 else "centrum",
            "huishouden_id": f"h{i}",
            "sleutel": uuid.uuid4(),
            "data": {"i": i, "lijst": [1, "twee", None], "tekst": 'é "x"', "niets": None},
        }

    soorten = {"veel": KOPIEER_VANAF + 20, "weinig": 3}  # COPY, and the plain INSERT
    rijen = {soort: [feit(i, soort) for i in range(n)] for soort, n in soorten.items()}
    async with uows() as uow:
        for rij in rijen["veel"] + rijen["weinig"]:
            uow.voeg_later_toe(si.feiten, rij, rij["huishouden_id"])
        await uow.commit()
    f = si.feiten
    async with uows() as uow:
        for soort, verwacht in rijen.items():
            gelezen = (await uow.connection.execute(select(f).where(f.c.soort == soort))).mappings().all()
            assert {r["event_id"]: dict(r) for r in gelezen} == {r["event_id"]: r for r in verwacht}
