"""Arrangement's pure domain: één huishouden, één plan, één regisseur.

`neem_aan` decides what a doorverwijzing does to a household: start its plan with a regisseur, or
join the plan it already has. The database enforces the same invariant a second time (a unique index on
the active plan per household), for the moments two replicas decide at once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from shared.events import DoorverwijzingGedaan, Regisseur
from shared.ids import nieuw_id
from shared.termijnen import TZ

# A first plan is evaluated after this many weeks unless the regisseur sets another date.
EERSTE_EVALUATIE_WEKEN = 13


@dataclass(frozen=True)
class Plan:
    plan_id: uuid.UUID
    huishouden_id: str
    versie: int
    regisseur: Regisseur
    evaluatie_op: date


@dataclass(frozen=True)
class NieuwPlan:
    plan: Plan


@dataclass(frozen=True)
class SluitAan:
    """The household has its plan: the doorverwijzing joins its timeline; its regisseur hears of it."""

    plan: Plan


def eerste_regisseur(d: DoorverwijzingGedaan) -> Regisseur:
    return Regisseur(soort="professional", team_id=d.team_id)


def neem_aan(d: DoorverwijzingGedaan, actief_plan: Plan | None, nu: datetime) -> NieuwPlan | SluitAan:
    if actief_plan is not None:
        return SluitAan(actief_plan)
    plan = Plan(plan_id=nieuw_id(), huishouden_id=d.huishouden_id, versie=1, regisseur=eerste_regisseur(d),
                evaluatie_op=nu.astimezone(TZ).date() + timedelta(weeks=EERSTE_EVALUATIE_WEKEN))
    return NieuwPlan(plan)

