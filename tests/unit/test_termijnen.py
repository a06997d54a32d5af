"""Deadline arithmetic (shared.termijnen) against DOMAIN.md, "Deadlines (termijnen)".

Expected dates are worked out by hand from the calendar and the holidays library for NL, so a change
in either shows up here as a failure, not as a silently moved deadline.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.gemeenten import Termijnnorm
from shared.termijnen import (
    TZ,
    afhandeltermijn_klacht,
    beslistermijn_bezwaar,
    bezwaar_tijdig,
    bezwaartermijn_einde,
    herindicatie_op,
    is_werkdag,
    plus_uren,
    plus_weken,
    plus_werkdagen,
    termijn_tot,
    weken_na,
    werkdag_na,
    werkdag_vanaf,
)

NEW_YORK = ZoneInfo("America/New_York")


def ams(jaar: int, maand: int, dag: int, uur: int = 10, minuut: int = 0) -> datetime:
    return datetime(jaar, maand, dag, uur, minuut, tzinfo=TZ)


def einde(jaar: int, maand: int, dag: int) -> datetime:
    return datetime(jaar, maand, dag, 23, 59, 59, tzinfo=TZ)


def assert_einde(uitkomst: datetime, verwacht: date) -> None:
    """Same instant, and also shown in Amsterdam as 23:59:59 on that day (not merely equal in UTC)."""
    assert uitkomst == einde(verwacht.year, verwacht.month, verwacht.day)
    assert uitkomst.tzinfo == TZ
    assert (uitkomst.date(), uitkomst.time()) == (verwacht, time(23, 59, 59))


# --- werkdagen -----------------------------------------------------------------------------------


def test_is_werkdag_weekend_en_feestdagen():
    assert is_werkdag(date(2027, 1, 11))  # an ordinary Monday
    assert not is_werkdag(date(2027, 1, 9))  # Saturday
    assert not is_werkdag(date(2027, 1, 10))  # Sunday
    assert not is_werkdag(date(2027, 4, 27))  # Koningsdag, a Tuesday
    assert not is_werkdag(date(2027, 5, 6))  # Hemelvaartsdag
    assert not is_werkdag(date(2027, 3, 29))  # Tweede Paasdag
    assert not is_werkdag(date(2026, 12, 25))  # Eerste Kerstdag, a Friday


def test_is_werkdag_volgt_de_algemene_termijnenwet_voor_goede_vrijdag_en_bevrijdingsdag():
    # Atw art. 3: 5 mei every year, Goede Vrijdag not at all (the holidays library differs on both).
    assert is_werkdag(date(2027, 3, 26))  # Goede Vrijdag
    assert not is_werkdag(date(2025, 5, 5))  # Bevrijdingsdag, lustrum year (Monday)
    assert not is_werkdag(date(2027, 5, 5))  # Bevrijdingsdag, not a lustrum year (Wednesday)
    assert not is_werkdag(date(2026, 5, 5))  # and a Tuesday


def test_over_goede_vrijdag_en_pasen_2027():
    # Thursday 25 March + 2 werkdagen: Goede Vrijdag counts (26), Easter weekend and Tweede Paasdag
    # (29) do not: end of Tuesday 30 March.
    assert plus_werkdagen(datetime(2027, 3, 25, 10, 0, tzinfo=TZ), 2) == einde(2027, 3, 30)


def test_over_bevrijdingsdag_in_een_gewoon_jaar():
    # Monday 4 May 2026 + 1 werkdag: 5 mei does not count, so the end of Wednesday 6 May.
    assert plus_werkdagen(datetime(2026, 5, 4, 10, 0, tzinfo=TZ), 1) == einde(2026, 5, 6)


def test_werkdag_vanaf_en_werkdag_na():
    assert werkdag_vanaf(date(2027, 1, 11)) == date(2027, 1, 11)  # Monday stays Monday
    assert werkdag_na(date(2027, 1, 11)) == date(2027, 1, 12)
    assert werkdag_vanaf(date(2026, 12, 26)) == date(2026, 12, 28)  # Tweede Kerstdag (Sat) -> Mon
    assert werkdag_na(date(2026, 12, 24)) == date(2026, 12, 28)  # over Christmas and the weekend
    assert werkdag_na(date(2027, 3, 25)) == date(2027, 3, 26)  # Goede Vrijdag is a werkdag (Atw art. 3)
    assert werkdag_na(date(2027, 3, 26)) == date(2027, 3, 30)  # over Easter weekend and Tweede Paasdag


def test_maandag_plus_twee_werkdagen_is_einde_woensdag():
    assert_einde(plus_werkdagen(ams(2027, 1, 11, 9), 2), date(2027, 1, 13))


def test_zaterdag_ervoor_telt_als_maandag():
    assert_einde(plus_werkdagen(ams(2027, 1, 9, 14), 2), date(2027, 1, 13))
    assert_einde(plus_werkdagen(ams(2027, 1, 10, 23, 59), 2), date(2027, 1, 13))  # late Sunday


def test_vrijdag_plus_een_werkdag_is_maandag():
    assert_einde(plus_werkdagen(ams(2027, 1, 15, 16), 1), date(2027, 1, 18))


def test_nul_werkdagen_is_einde_van_de_aankomstdag_of_de_eerste_werkdag():
    assert_einde(plus_werkdagen(ams(2027, 1, 11), 0), date(2027, 1, 11))
    assert_einde(plus_werkdagen(ams(2027, 1, 9), 0), date(2027, 1, 11))


def test_over_kerst():
    # Thu 24 Dec 2026; Fri 25 and Sat 26 Dec are holidays, then Sun 27; Mon 28 is werkdag 1.
    assert_einde(plus_werkdagen(ams(2026, 12, 24), 3), date(2026, 12, 30))


def test_over_kerst_en_nieuwjaar():
    # 28, 29, 30, 31 Dec are werkdagen 1-4; Fri 1 Jan 2027 and the weekend skip to Mon 4 Jan.
    assert_einde(plus_werkdagen(ams(2026, 12, 24), 5), date(2027, 1, 4))


def test_over_koningsdag_2027():
    assert_einde(plus_werkdagen(ams(2027, 4, 26), 1), date(2027, 4, 28))  # Mon -> Wed
    assert_einde(plus_werkdagen(ams(2027, 4, 27), 1), date(2027, 4, 29))  # on Koningsdag itself


def test_over_hemelvaart_2027():
    # Wed 5 May is Bevrijdingsdag, Thu 6 May Hemelvaart: arrival on the 5th counts as Friday the 7th.
    assert_einde(plus_werkdagen(ams(2027, 5, 5), 1), date(2027, 5, 10))
    assert_einde(plus_werkdagen(ams(2027, 5, 4), 3), date(2027, 5, 11))  # Tue: 7, 10, 11 May


# --- weken ---------------------------------------------------------------------------------------


def test_zes_weken_is_einde_van_de_dag_42_dagen_later():
    assert_einde(plus_weken(ams(2027, 1, 13, 8), 6, wettelijk=True), date(2027, 2, 24))  # Wed -> Wed


def test_zes_weken_eindigend_op_zondag_wettelijk_loopt_door_tot_maandag():
    assert_einde(plus_weken(ams(2027, 1, 10), 6, wettelijk=True), date(2027, 2, 22))


def test_zes_weken_eindigend_op_zondag_niet_wettelijk_blijft_zondag():
    assert_einde(plus_weken(ams(2027, 1, 10), 6, wettelijk=False), date(2027, 2, 21))


def test_zes_weken_eindigend_op_zaterdag_wettelijk_loopt_door_tot_maandag():
    assert_einde(plus_weken(ams(2027, 1, 9), 6, wettelijk=True), date(2027, 2, 22))


def test_wettelijk_eindigend_op_paaszondag_loopt_over_tweede_paasdag():
    # Sun 14 Feb + 42 days = Easter Sunday 28 Mar 2027; Mon 29 Mar is Tweede Paasdag.
    assert_einde(plus_weken(ams(2027, 2, 14), 6, wettelijk=True), date(2027, 3, 30))


def test_wettelijk_eindigend_op_pinksteren_loopt_over_tweede_pinksterdag():
    # Sun 4 Apr + 42 days = Pinksterzondag 16 May 2027; Mon 17 May is Tweede Pinksterdag.
    assert_einde(plus_weken(ams(2027, 4, 4), 6, wettelijk=True), date(2027, 5, 18))


def test_wettelijk_eindigend_op_een_feestdag_door_de_week():
    # Tue 16 Mar + 6 weeks = Koningsdag Tue 27 Apr 2027.
    assert_einde(plus_weken(ams(2027, 3, 16), 6, wettelijk=True), date(2027, 4, 28))
    assert_einde(plus_weken(ams(2027, 3, 16), 6, wettelijk=False), date(2027, 4, 27))


def test_einde_van_de_dag_op_de_dag_van_de_zomertijd():
    # Easter Sunday 28 Mar 2027 is also the night the clocks go forward: 23:59:59 is CEST (+02:00).
    uitkomst = plus_weken(ams(2027, 2, 14), 6, wettelijk=False)
    assert uitkomst.utcoffset() == timedelta(hours=2)
    assert uitkomst.astimezone(UTC) == datetime(2027, 3, 28, 21, 59, 59, tzinfo=UTC)


def test_einde_van_de_dag_op_de_dag_van_de_wintertijd():
    # Sun 31 Oct 2027 the clocks go back: 23:59:59 is CET (+01:00).
    uitkomst = plus_weken(ams(2027, 10, 17), 2, wettelijk=False)
    assert uitkomst.astimezone(UTC) == datetime(2027, 10, 31, 22, 59, 59, tzinfo=UTC)


# --- uren en direct ------------------------------------------------------------------------------


def verstreken(van: datetime, tot: datetime) -> timedelta:
    # Subtracting two datetimes that share a tzinfo gives the wall-clock difference; go through UTC.
    return tot.astimezone(UTC) - van.astimezone(UTC)


def test_48_uur_over_de_zomertijd_is_echt_48_uur():
    aankomst = ams(2027, 3, 27, 12)  # Saturday, CET; the clocks go forward in the night to Sunday
    uitkomst = plus_uren(aankomst, 48)
    assert verstreken(aankomst, uitkomst) == timedelta(hours=48)
    assert uitkomst == datetime(2027, 3, 29, 13, 0, tzinfo=TZ)
    assert (uitkomst.tzinfo, uitkomst.hour) == (TZ, 13)  # shown as 13:00 CEST, not 12:00


def test_48_uur_over_de_wintertijd_is_echt_48_uur():
    aankomst = ams(2027, 10, 30, 12)
    uitkomst = plus_uren(aankomst, 48)
    assert verstreken(aankomst, uitkomst) == timedelta(hours=48)
    assert (uitkomst.tzinfo, uitkomst.date(), uitkomst.hour) == (TZ, date(2027, 11, 1), 11)


def test_crisis_direct_is_het_moment_van_aankomst():
    aankomst = datetime(2027, 1, 10, 23, 30, tzinfo=UTC)
    norm = Termijnnorm(aantal=0, eenheid="direct", bron="meldcode")
    uitkomst = termijn_tot(aankomst, norm)
    assert uitkomst == aankomst
    assert uitkomst.tzinfo == TZ
    assert (uitkomst.date(), uitkomst.hour, uitkomst.minute) == (date(2027, 1, 11), 0, 30)


# --- tijdzones -----------------------------------------------------------------------------------


def test_utc_zondag_2330_is_maandag_in_amsterdam():
    # 23:30 UTC on Sunday 10 Jan is 00:30 on Monday 11 Jan in Amsterdam; one week later is Monday.
    aankomst = datetime(2027, 1, 10, 23, 30, tzinfo=UTC)
    assert_einde(plus_weken(aankomst, 1, wettelijk=False), date(2027, 1, 18))


def test_utc_maandag_2330_telt_als_dinsdag():
    aankomst = datetime(2027, 1, 11, 23, 30, tzinfo=UTC)  # Tuesday 00:30 in Amsterdam
    assert_einde(plus_werkdagen(aankomst, 1), date(2027, 1, 13))


def test_andere_tijdzone_wordt_omgerekend():
    aankomst = datetime(2027, 1, 15, 20, 0, tzinfo=NEW_YORK)  # Friday there, Saturday 02:00 here
    assert_einde(plus_weken(aankomst, 0, wettelijk=False), date(2027, 1, 16))
    assert plus_uren(aankomst, 1) == datetime(2027, 1, 16, 3, 0, tzinfo=TZ)


@pytest.mark.parametrize(
    "bereken",
    [
        lambda a: plus_werkdagen(a, 2),
        lambda a: plus_weken(a, 6, wettelijk=True),
        lambda a: plus_uren(a, 48),
        lambda a: termijn_tot(a, Termijnnorm(aantal=0, eenheid="direct", bron="x")),
    ],
    ids=["werkdagen", "weken", "uren", "direct"],
)
def test_naieve_datetime_wordt_geweigerd(bereken):
    with pytest.raises(ValueError, match="tijdzone"):
        bereken(datetime(2027, 1, 11, 10, 0))


@pytest.mark.parametrize(
    "bereken",
    [
        lambda a: plus_werkdagen(a, -1),
        lambda a: plus_weken(a, -1, wettelijk=False),
        lambda a: plus_uren(a, -1),
    ],
    ids=["werkdagen", "weken", "uren"],
)
def test_negatieve_termijn_wordt_geweigerd(bereken):
    with pytest.raises(ValueError, match="negatief"):
        bereken(ams(2027, 1, 11))


# --- termijn_tot ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("norm", "verwacht"),
    [
        (Termijnnorm(aantal=2, eenheid="werkdagen", bron="004 L2475"), einde(2027, 1, 13)),
        (Termijnnorm(aantal=48, eenheid="uren", bron="Wmo 2015 art. 2.3.3"), ams(2027, 1, 12, 10)),
        (
            Termijnnorm(aantal=6, eenheid="weken", wettelijk=True, bron="Wmo 2015 art. 2.3.2"),
            einde(2027, 2, 22),
        ),
        (Termijnnorm(aantal=6, eenheid="weken", bron="beleid"), einde(2027, 2, 21)),
        (Termijnnorm(aantal=0, eenheid="direct", bron="meldcode"), ams(2027, 1, 10)),
    ],
    ids=["werkdagen", "uren", "weken-wettelijk", "weken-niet-wettelijk", "direct"],
)
def test_termijn_tot_kiest_op_eenheid(norm, verwacht):
    # Arrival on Sunday 10 Jan 2027 at 10:00.
    uitkomst = termijn_tot(ams(2027, 1, 10), norm)
    assert uitkomst == verwacht
    assert uitkomst.tzinfo == TZ


def test_termijn_tot_onbekende_eenheid():
    with pytest.raises(ValueError, match="eenheid"):
        termijn_tot(ams(2027, 1, 11), SimpleNamespace(aantal=1, eenheid="maanden", wettelijk=False))


# --- eigenschappen -------------------------------------------------------------------------------

aankomsten = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2060, 12, 31),
    timezones=st.sampled_from([TZ, UTC, NEW_YORK, ZoneInfo("Asia/Tokyo")]),
)


def lokale_dag(aankomst: datetime) -> date:
    return aankomst.astimezone(TZ).date()


def werkdagen_tussen(na: date, tot_en_met: date) -> int:
    dagen = (tot_en_met - na).days
    return sum(is_werkdag(na + timedelta(days=i)) for i in range(1, dagen + 1))


@given(aankomsten, st.integers(min_value=1, max_value=60))
def test_werkdagen_eindigen_op_een_werkdag_om_235959_na_de_aankomstdag(aankomst, n):
    uitkomst = plus_werkdagen(aankomst, n)
    assert uitkomst.tzinfo == TZ
    assert uitkomst.time() == time(23, 59, 59)
    assert uitkomst.microsecond == 0
    assert is_werkdag(uitkomst.date())
    assert uitkomst.date() > lokale_dag(aankomst)


@given(aankomsten, st.integers(min_value=0, max_value=60))
def test_werkdagen_monotoon_in_n(aankomst, n):
    assert plus_werkdagen(aankomst, n) < plus_werkdagen(aankomst, n + 1)


@given(aankomsten, st.integers(min_value=0, max_value=60))
def test_werkdagen_telt_precies_n_werkdagen(aankomst, n):
    start = werkdag_vanaf(lokale_dag(aankomst))
    assert werkdagen_tussen(start, plus_werkdagen(aankomst, n).date()) == n


@given(aankomsten, st.integers(min_value=0, max_value=60), st.booleans())
def test_weken_minstens_7n_kalenderdagen_later(aankomst, n, wettelijk):
    uitkomst = plus_weken(aankomst, n, wettelijk)
    lokaal = aankomst.astimezone(TZ)
    assert uitkomst.tzinfo == TZ
    assert uitkomst.time() == time(23, 59, 59)
    assert uitkomst >= aankomst
    # "7n days later" on the Amsterdam calendar (wall clock). 7n x 24 elapsed hours can pass the end
    # of the day when the clocks go forward in between (23:30 CET + 42 x 24 h is 00:30 CEST).
    assert uitkomst.replace(tzinfo=None) >= lokaal.replace(tzinfo=None) + timedelta(weeks=n)
    if wettelijk:
        assert is_werkdag(uitkomst.date())
        assert uitkomst.date() == werkdag_vanaf(lokaal.date() + timedelta(weeks=n))
    else:
        assert uitkomst.date() == lokaal.date() + timedelta(weeks=n)


# --- bezwaar and klachten (Awb), worked out by hand on a calendar ------------------------------------------


def test_een_termijn_van_weken_begint_de_dag_na_verzending():
    # Sent Monday 7 December 2026: day 1 is Tuesday 8 December; 42 days end on Monday 18 January 2027.
    assert weken_na(date(2026, 12, 7), 6) == date(2027, 1, 18)


@pytest.mark.parametrize(
    ("verzonden", "einde", "waarom"),
    [
        (date(2026, 11, 16), date(2026, 12, 28), "Monday + 6 weeks: a werkdag"),
        (date(2026, 11, 13), date(2026, 12, 28), "ends on Eerste Kerstdag, then Tweede Kerstdag, Sunday: Monday"),
        (date(2027, 3, 16), date(2027, 4, 28), "ends on Koningsdag (Tuesday 27 April 2027): Wednesday"),
        (date(2027, 3, 24), date(2027, 5, 7), "ends on 5 mei (Atw, every year), then Hemelvaart: Friday"),
    ],
)
def test_bezwaartermijn_awb_6_7_en_6_8_met_de_algemene_termijnenwet(verzonden, einde, waarom):
    assert bezwaartermijn_einde(verzonden) == einde, waarom


def test_bezwaar_tijdig_ook_per_post_binnen_een_week_awb_6_9():
    verzonden = date(2026, 11, 13)  # the period ends on Monday 28 December 2026
    assert bezwaar_tijdig(verzonden, date(2026, 12, 28))
    assert not bezwaar_tijdig(verzonden, date(2026, 12, 29))
    assert bezwaar_tijdig(verzonden, date(2027, 1, 4), ter_post=date(2026, 12, 28))  # a week after: in time
    assert not bezwaar_tijdig(verzonden, date(2027, 1, 5), ter_post=date(2026, 12, 28))
    assert not bezwaar_tijdig(verzonden, date(2027, 1, 4), ter_post=date(2026, 12, 29))  # posted too late


@pytest.mark.parametrize(
    ("adviescommissie", "verdaagd", "einde"),
    [
        (False, False, date(2027, 2, 8)),  # 28 December 2026 + 6 weeks
        (True, False, date(2027, 3, 22)),  # + 12 weeks
        (False, True, date(2027, 3, 22)),  # 8 February + 6 weeks
        (True, True, date(2027, 5, 3)),  # 22 March + 6 weeks
    ],
)
def test_beslistermijn_bezwaar_awb_7_10_vanaf_het_einde_van_de_bezwaartermijn(adviescommissie, verdaagd, einde):
    assert beslistermijn_bezwaar(date(2026, 11, 13), adviescommissie, verdaagd) == einde


@pytest.mark.parametrize(
    ("ontvangen", "commissie", "verdaagd", "einde"),
    [
        (date(2027, 3, 18), False, False, date(2027, 4, 29)),
        (date(2027, 3, 18), False, True, date(2027, 5, 27)),  # + 4 weeks
        (date(2027, 3, 18), True, False, date(2027, 5, 27)),  # 10 weeks
        (date(2027, 3, 18), True, True, date(2027, 6, 24)),
        (date(2027, 3, 25), False, False, date(2027, 5, 7)),  # ends on Hemelvaart (6 May 2027): Friday
    ],
)
def test_afhandeltermijn_klacht_awb_9_11(ontvangen, commissie, verdaagd, einde):
    assert afhandeltermijn_klacht(ontvangen, commissie, verdaagd) == einde


def test_herindicatie_weken_voor_het_einde_naar_voren_op_een_werkdag():
    assert herindicatie_op(date(2027, 12, 31), 8) == date(2027, 11, 5)  # a Friday
    # 8 weeks before Wednesday 30 June 2027 is 5 mei (Atw): the day before, not after the einddatum.
    assert herindicatie_op(date(2027, 6, 30), 8) == date(2027, 5, 4)
