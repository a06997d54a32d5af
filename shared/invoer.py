"""Input types every service's HTTP API shares, defined once with one validation.

`Invoer` is the base of every request body: unknown fields are refused (a typo is an error, not a
silently dropped value) and strings are stripped. Checks that need configuration (a postcode inside
the gemeente, a catalogue code) live in each service's domain and return `Fouten`: (field path,
message) pairs, which the API answers as a 422 with an error per field (shared/http.py).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Pad = tuple[str | int, ...]
Fouten = list[tuple[Pad, str]]

# A code of the configuration or of another system (team, medewerker, aanbieder): never free text.
Code = Annotated[str, Field(pattern=r"^[a-z0-9_.@-]{1,100}$")]


class Invoer(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Adres(Invoer):
    """A Dutch address as the BAG keys it: postcode, huisnummer, toevoeging (letter and/or addition)."""

    postcode: Annotated[str, Field(max_length=7)]
    huisnummer: Annotated[int, Field(ge=1, le=99999)]
    toevoeging: Annotated[str, Field(max_length=6, pattern=r"^[A-Za-z0-9 -]*$")] | None = None


# How a professional tried to reach a household; the same kinds for a signaalcasus and a plan.
ContactSoort = Literal["telefoon", "huisbezoek", "brief", "email", "balie", "beeldbellen"]
Dagdeel = Literal["ochtend", "middag", "avond"]


class Contactpoging(Invoer):
    soort: ContactSoort
    bereikt: bool
    datum: date
    dagdeel: Dagdeel


def contactpoging_fouten(poging: Contactpoging, vandaag: date) -> Fouten:
    if poging.datum > vandaag:
        return [(("datum",), "een contactpoging die nog niet plaatsvond")]
    return []
