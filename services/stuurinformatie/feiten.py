"""What stuurinformatie keeps of each event it counts, pure: one fact per event, with the moment it counts
at, the wijk where the event names it, the household key and the id other facts join on.

The table `VAN_EVENT` is the list of events the service consumes (shared/topology.py has a durable for
each); every indicator's definition names the events it counts (domain.DEFINITIES).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from shared.events import (
    AanvraagGeregistreerd,
    BeschikkingAfgegeven,
    BezwaarBeslist,
    CasusAfgesloten,
    Data,
    DoorverwijzingAanvaard,
    DoorverwijzingGedaan,
    Event,
    KlachtAfgehandeld,
    LichtContactGeregistreerd,
    LichtContactOmgezet,
    MeldingGeregistreerd,
    PlanAfgesloten,
    PlanOpgesteld,
    SignaalDoorgezet,
    SignaalOntvangen,
    TermijnVerstreken,
)
from shared.termijnen import TZ


@dataclass(frozen=True)
class Feit:
    soort: str
    moment: datetime
    wijk: str | None
    huishouden_id: str | None
    sleutel: uuid.UUID | None
    data: dict[str, Any]


def _dag(d) -> datetime:
    """A date-only moment counts at noon in Amsterdam: the same day whatever the clock's offset."""
    return datetime.combine(d, time(12), tzinfo=TZ)


def _feit(
    soort: str,
    moment: Callable[[Event], datetime],
    sleutel: Callable[[Any], uuid.UUID | None] = lambda d: None,
) -> Callable[[Event], Feit]:
    def maak(event: Event) -> Feit:
        d = event.data
        return Feit(
            soort,
            moment(event),
            getattr(d, "wijk", None),
            getattr(d, "huishouden_id", None),
            sleutel(d),
            d.model_dump(mode="json"),
        )

    return maak


def _tijd(e: Event) -> datetime:
    """When the event itself happened: for data without a moment of its own (a plan version, a beschikking
    issued)."""
    return e.time


VAN_EVENT: dict[type[Data], Callable[[Event], Feit]] = {
    MeldingGeregistreerd: _feit("melding", lambda e: e.data.ontvangen_op, lambda d: d.melding_id),
    DoorverwijzingGedaan: _feit("doorverwijzing", lambda e: e.data.ontvangen_op or e.time, lambda d: d.bron_id),
    DoorverwijzingAanvaard: _feit("aanvaarding", lambda e: e.data.aanvaard_op, lambda d: d.bron_id),
    PlanOpgesteld: _feit("planversie", _tijd, lambda d: d.plan_id),
    PlanAfgesloten: _feit("plan_afgesloten", lambda e: e.data.afgesloten_op, lambda d: d.plan_id),
    AanvraagGeregistreerd: _feit("aanvraag", lambda e: e.data.ontvangen_op, lambda d: d.aanvraag_id),
    BeschikkingAfgegeven: _feit("beschikking", _tijd, lambda d: d.aanvraag_id),
    TermijnVerstreken: _feit("termijn_verstreken", lambda e: e.data.termijn_tot, lambda d: d.bron_id),
    BezwaarBeslist: _feit("bezwaar_beslist", lambda e: _dag(e.data.besloten_op), lambda d: d.bezwaar_id),
    KlachtAfgehandeld: _feit("klacht_afgehandeld", lambda e: _dag(e.data.afgehandeld_op), lambda d: d.klacht_id),
    LichtContactGeregistreerd: _feit("licht_contact", lambda e: e.data.geregistreerd_op, lambda d: d.contact_id),
    LichtContactOmgezet: _feit("licht_contact_omgezet", lambda e: e.data.omgezet_op, lambda d: d.contact_id),
    SignaalOntvangen: _feit("signaal", lambda e: e.data.ontvangen_op, lambda d: d.signaal_id),
    SignaalDoorgezet: _feit("casus", lambda e: e.data.ontvangen_op or e.time, lambda d: d.casus_id),
    CasusAfgesloten: _feit("casus_afgesloten", lambda e: e.data.afgesloten_op, lambda d: d.casus_id),
}


def feit_van(event: Event) -> Feit:
    return VAN_EVENT[type(event.data)](event)
