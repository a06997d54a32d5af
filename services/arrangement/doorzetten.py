"""Doorzettingsmacht, pure: a case that gets stuck goes to whoever may break through (DOMAIN.md; 001
L2653-2657, L2781-2783), the Lokale Kamer in Leidschendam-Voorburg, the team lead elsewhere
(`Gemeente.doorzettingsmacht`).

An escalatie is a small case beside the plan, with its life cycle as a transition table. A regisseur asks
for it with a reason; a deadline that stays overdue `escaleren_na_werkdagen` werkdagen brings it by itself
(the consumer of termijn-verstreken sets the moment, the job escalates, services/arrangement/jobs.py). The
team holding doorzettingsmacht decides within `beslissen_binnen_werkdagen`: it takes the regie, or gives
the case back with an instruction and a date by which the regisseur follows it up (a deadline of his).
No free text: reasons and instructions are codes (decision 0006).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from shared.events import EscalatieInstructie, EscalatieReden
from shared.gemeenten import Doorzettingsmacht
from shared.ids import nieuw_id
from shared.levenscyclus import Levenscyclus
from shared.termijnen import TZ, plus_werkdagen

GRONDSLAG_ESCALATIE = "doorzettingsmacht"
GRONDSLAG_INSTRUCTIE = "doorzettingsmacht-instructie"


class EscalatieStatus(StrEnum):
    open = "open"
    regie_genomen = "regie_genomen"
    teruggegeven = "teruggegeven"


# Taken over, the case is given back when it runs again; given back, it is done (a new escalation may follow).
LEVENSCYCLUS_ESCALATIE: Levenscyclus[EscalatieStatus] = Levenscyclus(
    "escalatie",
    {
        EscalatieStatus.open: frozenset({EscalatieStatus.regie_genomen, EscalatieStatus.teruggegeven}),
        EscalatieStatus.regie_genomen: frozenset({EscalatieStatus.teruggegeven}),
        EscalatieStatus.teruggegeven: frozenset(),
    },
)
LOPEND = (EscalatieStatus.open, EscalatieStatus.regie_genomen)


@dataclass(frozen=True)
class Escalatie:
    escalatie_id: uuid.UUID
    plan_id: uuid.UUID
    reden: EscalatieReden
    door: Literal["regisseur", "termijnbewaking"]
    van_team_id: str | None
    naar_team_id: str
    ingediend_op: datetime
    beslissen_voor: date
    status: EscalatieStatus = EscalatieStatus.open
    termijn_grondslag: str | None = None
    instructie: EscalatieInstructie | None = None
    opvolgen_voor: date | None = None
    behandeld_op: datetime | None = None

    @property
    def lopend(self) -> bool:
        return self.status in LOPEND


def dien_in(
    plan_id: uuid.UUID,
    reden: EscalatieReden,
    door: Literal["regisseur", "termijnbewaking"],
    van_team_id: str | None,
    regels: Doorzettingsmacht,
    nu: datetime,
    termijn_grondslag: str | None = None,
) -> Escalatie:
    return Escalatie(
        escalatie_id=nieuw_id(),
        plan_id=plan_id,
        reden=reden,
        door=door,
        van_team_id=van_team_id,
        naar_team_id=regels.team,
        ingediend_op=nu,
        beslissen_voor=plus_werkdagen(nu, regels.beslissen_binnen_werkdagen).date(),
        termijn_grondslag=termijn_grondslag,
    )


def neem_regie(e: Escalatie, nu: datetime) -> Escalatie:
    return replace(e, status=LEVENSCYCLUS_ESCALATIE.ga_naar(e.status, EscalatieStatus.regie_genomen), behandeld_op=nu)


def geef_terug(e: Escalatie, instructie: EscalatieInstructie, opvolgen_voor: date, nu: datetime) -> Escalatie:
    return replace(
        e,
        status=LEVENSCYCLUS_ESCALATIE.ga_naar(e.status, EscalatieStatus.teruggegeven),
        instructie=instructie,
        opvolgen_voor=opvolgen_voor,
        behandeld_op=nu,
    )


def op_tijd(e: Escalatie, nu: datetime) -> bool:
    return nu.astimezone(TZ).date() <= e.beslissen_voor


def escaleren_op(termijn_tot: datetime, regels: Doorzettingsmacht) -> datetime:
    """When an overdue deadline escalates by itself: the end of the n-th werkdag after it passed (at once
    when n is 0)."""
    if regels.escaleren_na_werkdagen == 0:
        return termijn_tot
    return plus_werkdagen(termijn_tot, regels.escaleren_na_werkdagen)


def rij_van(e: Escalatie) -> dict:
    return {
        "escalatie_id": e.escalatie_id,
        "plan_id": e.plan_id,
        "reden": e.reden,
        "door": e.door,
        "van_team_id": e.van_team_id,
        "naar_team_id": e.naar_team_id,
        "ingediend_op": e.ingediend_op,
        "beslissen_voor": e.beslissen_voor,
        "status": e.status.value,
        "termijn_grondslag": e.termijn_grondslag,
        "instructie": e.instructie,
        "opvolgen_voor": e.opvolgen_voor,
        "behandeld_op": e.behandeld_op,
    }


def uit_rij(rij) -> Escalatie:
    velden = dict(rij)
    velden.pop("huishouden_id", None)
    velden.pop("gemeente", None)
    velden.pop("ingediend_door", None)
    velden.pop("behandeld_door", None)
    return Escalatie(**{**velden, "status": EscalatieStatus(velden["status"])})
