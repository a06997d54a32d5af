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


# --- the inwoner's legal protection: bezwaar (Awb 6:7-6:9, 7:10) and klachten (Awb 9:11) -----------------
# Periods in weeks of the Awb, counted in calendar days from the day after the moment that starts them,
# and ending, like every statutory period, on the next werkdag when they end on a weekend or a holiday
# (Algemene termijnenwet art. 1). All are dates: a period ends at the end of its last day.

BEZWAARTERMIJN_WEKEN = 6  # Awb 6:7
BESLISTERMIJN_BEZWAAR_WEKEN = 6  # Awb 7:10 lid 1
BESLISTERMIJN_BEZWAAR_COMMISSIE_WEKEN = 12  # Awb 7:10 lid 1, with an adviescommissie (7:13)
VERDAGING_BEZWAAR_WEKEN = 6  # Awb 7:10 lid 3, once
KLACHTTERMIJN_WEKEN = 6  # Awb 9:11 lid 1
KLACHTTERMIJN_COMMISSIE_WEKEN = 10  # Awb 9:11 lid 1, with a klachtadviescommissie (9:14)
VERDAGING_KLACHT_WEKEN = 4  # Awb 9:11 lid 2, once


def weken_na(dag: date, weken: int) -> date:
    """The last day of a statutory period of `weken` weeks that starts the day after `dag`: the same
    weekday `weken` weeks later, run on to a werkdag (Atw art. 1). Sent on Monday 7 December 2026, a
    6-week period ends on Monday 18 January 2027."""
    _niet_negatief(weken)
    return werkdag_vanaf(dag + timedelta(weeks=weken))


def bezwaartermijn_einde(verzonden: date) -> date:
    """Awb 6:7, 6:8 lid 1: six weeks from the day after the beschikking was sent (bekendgemaakt)."""
    return weken_na(verzonden, BEZWAARTERMIJN_WEKEN)


def bezwaar_tijdig(verzonden: date, ontvangen: date, ter_post: date | None = None) -> bool:
    """Awb 6:9: in time when received before the period ends, or (lid 2) posted before it ends and received
    no later than a week after."""
    einde = bezwaartermijn_einde(verzonden)
    if ontvangen <= einde:
        return True
    return ter_post is not None and ter_post <= einde and ontvangen <= einde + timedelta(weeks=1)


def beslistermijn_bezwaar(verzonden: date, adviescommissie: bool, verdaagd: bool = False) -> date:
    """Awb 7:10: six weeks (twelve with an adviescommissie) from the day after the bezwaartermijn ended,
    once extendable by six weeks. The term runs from the bezwaartermijn also for a bezwaar that came in
    early or late: the law counts from the period, not from the letter."""
    weken = BESLISTERMIJN_BEZWAAR_COMMISSIE_WEKEN if adviescommissie else BESLISTERMIJN_BEZWAAR_WEKEN
    einde = weken_na(bezwaartermijn_einde(verzonden), weken)
    return weken_na(einde, VERDAGING_BEZWAAR_WEKEN) if verdaagd else einde


def afhandeltermijn_klacht(ontvangen: date, klachtadviescommissie: bool, verdaagd: bool = False) -> date:
    """Awb 9:11: six weeks (ten with a klachtadviescommissie) after the klacht was received, once
    extendable by four weeks."""
    weken = KLACHTTERMIJN_COMMISSIE_WEKEN if klachtadviescommissie else KLACHTTERMIJN_WEKEN
    einde = weken_na(ontvangen, weken)
    return weken_na(einde, VERDAGING_KLACHT_WEKEN) if verdaagd else einde


def herindicatie_op(einddatum: date, weken_vooraf: int) -> date:
    """The day a herindicatie is due: `weken_vooraf` weeks before the beschikking ends, brought forward to
    a werkdag (a policy deadline, not a statutory one: it must not run past the einddatum)."""
    _niet_negatief(weken_vooraf)
    dag = einddatum - timedelta(weeks=weken_vooraf)
    while not is_werkdag(dag):
        dag -= EEN_DAG
    return dag
