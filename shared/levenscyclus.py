"""Life cycles as explicit transition tables (as Signalen keeps them): a melding's status, a
signaalcasus's status, a household plan's status.

A table names, per state, the states it may move to; everything else is refused. Event handlers ask
`mag` and leave a late or repeated event without effect (events travel over several streams and may
arrive out of order); use cases that act on a person's request call `ga_naar`, whose refusal the API
answers with 409 problem+json that names both states (shared/http.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

S = TypeVar("S", bound=StrEnum)


class OngeldigeOvergang(Exception):
    """A transition the table does not allow: answered with 409, naming `van` and `naar`."""

    def __init__(self, wat: str, van: StrEnum, naar: StrEnum):
        super().__init__(f"{wat}: van {van.value} naar {naar.value} kan niet")
        self.wat, self.van, self.naar = wat, van, naar


@dataclass(frozen=True)
class Levenscyclus(Generic[S]):
    """`wat` names the thing in messages ("melding", "signaalcasus", "plan")."""

    wat: str
    overgangen: Mapping[S, frozenset[S]]

    def __post_init__(self) -> None:
        statussen = set(self.overgangen)
        for van, naar in self.overgangen.items():
            if not naar <= statussen:
                raise ValueError(f"{self.wat}: {van} gaat naar een onbekende status")

    def mag(self, van: S, naar: S) -> bool:
        return naar in self.overgangen[van]

    def ga_naar(self, van: S, naar: S) -> S:
        """`naar`, or OngeldigeOvergang."""
        if not self.mag(van, naar):
            raise OngeldigeOvergang(self.wat, van, naar)
        return naar

    def is_eind(self, status: S) -> bool:
        return not self.overgangen[status]
