"""Signalering's pure domain: what a partner signal may contain, how it is assessed, how it joins a casus."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.gemeenten import Gemeente, SignaalSoort, geldige_postcode
from shared.privacy import elfproef

Pad = tuple[str | int, ...]
# Signals that mean a household is about to lose its home, energy, water or insurance (Wgs art. 4a).
CRISIS_SOORTEN = frozenset({"einde_levering"})


class Invoer(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Adres(Invoer):
    postcode: str
    huisnummer: Annotated[int, Field(ge=1, le=99999)]
    toevoeging: Annotated[str, Field(max_length=6)] | None = None


class Betreft(Invoer):
    bsn: str | None = None
    naam: Annotated[str, Field(max_length=200)] | None = None
    geboortedatum: date | None = None
    adres: Adres


class SignaalInvoer(Invoer):
    """The body of POST /v1/signalen (CONTRACT.md). The partner comes from the credentials, not from here."""

    partner_signaal_id: Annotated[str, Field(min_length=1, max_length=100)]
    soort: SignaalSoort
    betreft: Betreft
    bedrag_achterstand_cent: Annotated[int, Field(ge=0, le=100_000_000)] | None = None
    achterstand_sinds: date | None = None
    crisis: bool = False


def controleer(invoer: SignaalInvoer, gemeente: Gemeente, toegestane_soorten: list[str], vandaag: date) -> list[tuple[Pad, str]]:
    fouten: list[tuple[Pad, str]] = []
    if invoer.soort not in toegestane_soorten:
        fouten.append((("soort",), "deze partner mag dit soort signaal niet sturen"))
    b = invoer.betreft
    if b.bsn is not None and not elfproef(b.bsn):
        fouten.append((("betreft", "bsn"), "geen geldig BSN (elfproef)"))
    if b.bsn is None and not (b.naam and b.geboortedatum):
        fouten.append((("betreft",), "een BSN, of naam en geboortedatum, is nodig"))
    if not geldige_postcode(b.adres.postcode):
        fouten.append((("betreft", "adres", "postcode"), "postcode moet 4 cijfers en 2 letters zijn (1234 AB)"))
    elif gemeente.wijk_van(b.adres.postcode) is None:
        fouten.append((("betreft", "adres", "postcode"), f"postcode ligt niet in gemeente {gemeente.code}"))
    if invoer.achterstand_sinds is not None and invoer.achterstand_sinds > vandaag:
        fouten.append((("achterstand_sinds",), "datum ligt in de toekomst"))
    return fouten


class Beoordeling(StrEnum):
    nieuw = "nieuw"
    herhaalde_melding = "herhaalde_melding"
    onder_drempel = "onder_drempel"


@dataclass(frozen=True)
class EerderSignaal:
    partner_id: str
    bedrag_achterstand_cent: int | None


def beoordeel(invoer: SignaalInvoer, partner_id: str, eerdere: list[EerderSignaal]) -> Beoordeling:
    """`herhaalde_melding` when this partner signalled this person before and the amount is not higher."""
    for eerder in eerdere:
        if eerder.partner_id == partner_id and (invoer.bedrag_achterstand_cent or 0) <= (
            eerder.bedrag_achterstand_cent or 0
        ):
            return Beoordeling.herhaalde_melding
    return Beoordeling.nieuw


def is_crisis(invoer: SignaalInvoer) -> bool:
    return invoer.crisis or invoer.soort in CRISIS_SOORTEN


CasusStatus = Literal["open", "doorgezet", "opgepakt", "afgesloten"]
