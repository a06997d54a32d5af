"""Deadline arithmetic (termijnen) for meldingen, aanvragen and signalen; see DOMAIN.md, "Deadlines".

Pure functions, no I/O. Every input is a timezone-aware moment (any zone); every output is an aware
moment in Europe/Amsterdam, because the law counts days as the gemeente's calendar shows them, not UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Protocol
from zoneinfo import ZoneInfo

import holidays
from dateutil.easter import easter

TZ = ZoneInfo("Europe/Amsterdam")

# A deadline falls at the last whole second of the day: "due on Wednesday" means all of Wednesday.
EINDE_DAG = time(23, 59, 59)
EEN_DAG = timedelta(days=1)


class Norm(Protocol):
    """What `termijn_tot` needs from a norm; `shared.gemeenten.Termijnnorm` (frozen) satisfies it."""

    @property
    def aantal(self) -> int: ...
    @property
    def eenheid(self) -> str: ...
    @property
    def wettelijk(self) -> bool: ...


@cache
def _feestdagen(jaar: int) -> frozenset[date]:
    """The days the Algemene termijnenwet (art. 3 lid 1) does not count: Nieuwjaarsdag, tweede Paas- en
    Pinksterdag, both Kerstdagen, Hemelvaartsdag, Koningsdag and 5 mei (every year).

    Taken from the holidays library, not from a hand list, so that a moved Koningsdag or a new holiday
    arrives with a library upgrade; two corrections for the law: the library has Goede Vrijdag (not in
    the Atw: a werkdag for deadlines) and 5 mei only in lustrum years (the Atw counts it every year).
    Paaszondag and Pinksterzondag are Sundays anyway."""
    dagen = set(holidays.country_holidays("NL", years=jaar))
    dagen.discard(easter(jaar) - timedelta(days=2))  # Goede Vrijdag
    dagen.add(date(jaar, 5, 5))  # Bevrijdingsdag
    return frozenset(dagen)


def is_werkdag(d: date) -> bool:
    """Not a Saturday or Sunday and not a Dutch public holiday."""
    return d.weekday() < 5 and d not in _feestdagen(d.year)


def werkdag_vanaf(d: date) -> date:
    """The first werkdag on or after `d` (`d` itself when it is a werkdag)."""
    while not is_werkdag(d):
        d += EEN_DAG
    return d


def werkdag_na(d: date) -> date:
    """The first werkdag strictly after `d`."""
    return werkdag_vanaf(d + EEN_DAG)


def _in_amsterdam(aankomst: datetime) -> datetime:
    # A naive moment has no defined day in Amsterdam; guessing would shift deadlines by a day.
    if aankomst.tzinfo is None or aankomst.utcoffset() is None:
        raise ValueError(f"aankomst moet een tijdzone hebben: {aankomst!r}")
    return aankomst.astimezone(TZ)


def _einde_van(dag: date) -> datetime:
    # combine() with tzinfo picks the offset valid on that day, so DST cannot move it off 23:59:59.
    return datetime.combine(dag, EINDE_DAG, tzinfo=TZ)


def _niet_negatief(n: int) -> None:
    if n < 0:
        raise ValueError(f"een termijn kan niet negatief zijn: {n}")


def plus_werkdagen(aankomst: datetime, n: int) -> datetime:
    """End of the n-th werkdag after the day of arrival.

    Arrival on a weekend or holiday counts as arrival on the next werkdag, so a melding on Saturday
    gets the same deadline as one on the Monday after (DOMAIN.md).
    """
    _niet_negatief(n)
    dag = werkdag_vanaf(_in_amsterdam(aankomst).date())
    for _ in range(n):
        dag = werkdag_na(dag)
    return _einde_van(dag)


def plus_weken(aankomst: datetime, n: int, wettelijk: bool) -> datetime:
    """End of the day 7n calendar days after the day of arrival.

    A statutory period (`wettelijk`) that ends on a weekend or holiday runs on to the end of the next
    werkdag (Algemene termijnenwet art. 1). Art. 2 (at least two werkdagen in the period) needs no
    code: any seven days in a row hold at least two.
    """
    _niet_negatief(n)
    dag = _in_amsterdam(aankomst).date() + timedelta(weeks=n)
    if wettelijk:
        dag = werkdag_vanaf(dag)
    return _einde_van(dag)


def plus_uren(aankomst: datetime, n: int) -> datetime:
    """Exactly n elapsed hours after arrival (spoed: 48 uur), also across a DST change."""
    _niet_negatief(n)
    # Add in UTC: adding to an Amsterdam time adds wall-clock hours, which is 47 or 49 real hours
    # over the night the clocks change.
    return (_in_amsterdam(aankomst).astimezone(UTC) + timedelta(hours=n)).astimezone(TZ)


# Spoed: "binnen 24 tot 48 uur moet worden gehandeld" (001 L4819): a spoed decision is never due later than
# this, whatever norm its rule names; the gemeente's termijn with this key carries the legal basis.
SPOED_UREN = 48
SPOED_GRONDSLAG = "spoed-48-uur"


def spoedgrens(aankomst: datetime, tot: datetime) -> datetime | None:
    """The 48-hour limit when `tot` runs past it (a werkdagen norm over a weekend or holiday), else None."""
    grens = plus_uren(aankomst, SPOED_UREN)
    return grens if tot > grens else None


def termijn_tot(aankomst: datetime, norm: Norm) -> datetime:
    """The deadline for something that arrived at `aankomst` under `norm`."""
    match norm.eenheid:
        case "direct":
            return _in_amsterdam(aankomst)  # crisis: due the moment it arrives
        case "uren":
            return plus_uren(aankomst, norm.aantal)
        case "werkdagen":
            return plus_werkdagen(aankomst, norm.aantal)
        case "weken":
            return plus_weken(aankomst, norm.aantal, norm.wettelijk)
    raise ValueError(f"onbekende eenheid: {norm.eenheid!r}")
