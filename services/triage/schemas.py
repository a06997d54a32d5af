"""Triage's HTTP answers: the decisions on a melding or casus, a gemeente's rule table, and the decision a
dry run of the rules would take. Triage takes no request bodies but the dry run's event data, which is
validated as the event it stands for (usecases.proef)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from shared.regels import Regel


class Uitkomst(BaseModel):
    """What the rules decide: the answer of a dry run (POST /v1/regels/{gemeente}/proef)."""

    regel_id: str
    route: str
    team_id: str
    urgentie: str
    termijn_tot: datetime
    termijn_grondslag: str
    toelichting: str
    feiten: dict[str, Any]


class Besluit(Uitkomst):
    """A decision as triage keeps it: the outcome, what it was about and when."""

    doorverwijzing_id: uuid.UUID
    bron_id: uuid.UUID
    bron_soort: str
    gemeente: str
    huishouden_id: str
    besloten_op: datetime


class Besluiten(BaseModel):
    bron_id: uuid.UUID
    besluiten: list[Besluit]


class Regels(BaseModel):
    gemeente: str
    regels: list[Regel]
