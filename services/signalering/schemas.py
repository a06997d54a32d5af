"""Signalering's HTTP bodies: the signal as a partner sends it (CONTRACT.md), the staff's requests on a
casus, and the answers."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from services.signalering.domain import Beoordeling, CasusStatus, Resultaat, Terugkoppeling
from shared.gemeenten import SignaalSoort
from shared.invoer import Adres, ContactSoort, Dagdeel, Invoer


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


class Batch(Invoer):
    """Items stay raw here: each is validated on its own, so that one wrong item refuses only itself."""

    signalen: list[dict[str, Any]]


class CasusAfsluiting(Invoer):
    resultaat: Resultaat
    # Where the gemeente records it: did the outreach prevent an eviction (huurachterstand)?
    uitzetting_voorkomen: bool | None = None


class SignaalAntwoord(BaseModel):
    signaal_id: uuid.UUID
    beoordeling: Beoordeling
    casus_id: uuid.UUID | None


class SignaalVanCasus(BaseModel):
    signaal_id: uuid.UUID
    partner_id: str
    soort: str
    beoordeling: Beoordeling
    crisis: bool
    ontvangen_op: datetime
    bedrag_achterstand_cent: int | None = None
    achterstand_sinds: date | None = None


class ContactpogingVanCasus(BaseModel):
    """A contact attempt as recorded; `door` is the actor (role:sub), no name."""

    soort: ContactSoort
    bereikt: bool
    datum: date
    dagdeel: Dagdeel
    door: str


class Casus(BaseModel):
    """A signaalcasus as gemeente roles see it: pseudonymous keys, no personal data."""

    casus_id: uuid.UUID
    gemeente: str
    huishouden_id: str
    wijk: str | None
    status: CasusStatus
    reden: str
    crisis: bool
    team_id: str | None
    resultaat: Resultaat | None
    geopend_op: datetime
    afgesloten_op: datetime | None
    signalen: list[SignaalVanCasus]
    contactpogingen: list[ContactpogingVanCasus] = []


class ContactpogingAntwoord(BaseModel):
    casus_id: uuid.UUID
    soort: ContactSoort
    bereikt: bool
    datum: date
    dagdeel: Dagdeel


class AfsluitingAntwoord(BaseModel):
    casus_id: uuid.UUID
    status: CasusStatus
    resultaat: Resultaat


class SignaalTerugkoppeling(BaseModel):
    """Only what the partner may know of its own signal."""

    signaal_id: uuid.UUID
    partner_signaal_id: str
    ontvangen_op: datetime
    beoordeling: Beoordeling
    status: Terugkoppeling
