"""Intake's HTTP bodies: the melding as a front door sends it (CONTRACT.md), and the answer to it."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from services.intake.domain import Status
from shared.events import Veiligheid
from shared.invoer import Adres, Invoer

Kanaal = Literal["telefoon", "balie", "digitaal", "huisbezoek", "email", "professional", "meldpunt"]
Soort = Literal["hulpvraag", "zorgmelding", "aanvraag_maatwerk"]
MelderType = Literal["inwoner_zelf", "naaste", "mantelzorger", "buur", "professional", "anoniem"]


class Melder(Invoer):
    type: MelderType
    naam: Annotated[str, Field(max_length=200)] | None = None
    organisatie: Annotated[str, Field(max_length=200)] | None = None
    telefoon: Annotated[str, Field(max_length=30, pattern=r"^\+?[0-9 ()-]{6,30}$")] | None = None
    email: Annotated[str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = None
    wil_terugkoppeling: bool = False


class Persoon(Invoer):
    bsn: str | None = None
    naam: Annotated[str, Field(max_length=200)] | None = None
    geboortedatum: date | None = None


class Betreft(Invoer):
    personen: Annotated[list[Persoon], Field(max_length=20)] = []
    adres: Adres | None = None


class MeldingInvoer(Invoer):
    """The body of POST /v1/meldingen (CONTRACT.md)."""

    gemeente: str
    kanaal: Kanaal
    soort: Soort
    melder: Melder
    betreft: Betreft
    omschrijving: Annotated[str, Field(max_length=4000)] = ""
    levensgebieden: list[str] = []
    zrm: dict[str, int] = {}
    veiligheid: Veiligheid = Veiligheid()
    crisis: bool = False
    spoed: bool = False
    gevraagde_voorzieningen: list[str] = []
    inwoner_op_de_hoogte: bool = False


class MeldingAntwoord(BaseModel):
    melding_id: uuid.UUID
    status: Status
    huishouden_id: str
    wijk: str | None
    ontvangen_op: datetime
    terugkoppelcode: str | None = None


# --- lichte contacten and the sociale kaart ----------------------------------------------------------------


class LichtContactInvoer(Invoer):
    """The body of POST /v1/lichte-contacten: codes only, no person and no free text."""

    gemeente: str
    kanaal: Kanaal
    themas: Annotated[list[str], Field(min_length=1, max_length=13)]
    uitkomst: Literal["beantwoord", "verwezen_voorliggend_veld"]
    wijk: str | None = None
    aanbieder_id: str | None = None


class LichtContact(BaseModel):
    contact_id: uuid.UUID
    gemeente: str
    kanaal: str
    wijk: str | None
    themas: list[str]
    uitkomst: str
    aanbieder_id: str | None
    melding_id: uuid.UUID | None
    geregistreerd_op: datetime


class MeldingUitContact(Invoer):
    """The body of POST /v1/lichte-contacten/{id}/melding: a melding without what the contact already holds
    (gemeente, kanaal; the themes become its levensgebieden unless given)."""

    soort: Soort
    melder: Melder
    betreft: Betreft
    omschrijving: Annotated[str, Field(max_length=4000)] = ""
    levensgebieden: list[str] | None = None
    zrm: dict[str, int] = {}
    veiligheid: Veiligheid = Veiligheid()
    crisis: bool = False
    spoed: bool = False
    gevraagde_voorzieningen: list[str] = []
    inwoner_op_de_hoogte: bool = False
