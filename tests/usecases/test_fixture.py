"""The fixture itself: a unit of work on the use-case database commits its events to the outbox."""

from shared.events import MeldingOpgepakt, maak_event
from tests.usecases.conftest import outbox_van


async def test_een_event_van_een_use_case_staat_na_commit_in_de_outbox(context, engine):
    import uuid
    from datetime import UTC, datetime

    ctx = context("intake")
    data = MeldingOpgepakt(melding_id=uuid.uuid4(), opgepakt_op=datetime.now(UTC), team_id="t")
    async with ctx.uows() as uow:
        uow.publiceer(maak_event(data, service="intake", gemeente="GM1916", subject="s", correlatieid="c"))
        await uow.commit()
    assert (await outbox_van(engine, "intake"))[-1] == "toegang.meldingen.opgepakt.GM1916"
