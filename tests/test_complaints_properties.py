"""Property-based tests of the business-hours arithmetic behind the SLA clocks.

Calendars, moments, pauses and targets are drawn at random (Hypothesis); every property is
something a person reading a complaint's clock relies on. The number of examples comes from
the Hypothesis profile chosen in ``conftest.py``.
"""

from datetime import date, datetime, timedelta
from itertools import pairwise

from cr_engine.complaints import WorkCalendar, add_hours, elapsed_hours, work_intervals
from hypothesis import assume, given
from hypothesis import strategies as st

ZONES = ("UTC", "Asia/Shanghai", "Europe/Berlin", "America/New_York")
EPSILON = 1e-6  # hours: float sums of seconds
EVERY_WEEK = st.none()


@st.composite
def attendances(draw, two_weeks=EVERY_WEEK):
    """(weekday, hour_from, hour_to[, week_type]) on quarter hours, 24:00 included."""
    weekday = draw(st.integers(0, 6))
    begin = draw(st.integers(0, 95))
    end = draw(st.integers(begin + 1, 96))
    return (weekday, begin / 4, end / 4, draw(two_weeks))


@st.composite
def calendars(draw):
    if draw(st.booleans()):
        return None  # round the clock
    holidays = ()
    if draw(st.booleans()):
        first = draw(moments)
        holidays = ((first, first + timedelta(hours=draw(st.integers(1, 24 * 10)))),)
    return WorkCalendar(
        tz=draw(st.sampled_from(ZONES)),
        attendances=tuple(draw(st.lists(attendances(), min_size=1, max_size=6))),
        holidays=holidays,
    )


# Whole minutes in 2026-2027 (both daylight-saving changes of each zone included).
moments = st.integers(0, 2 * 365 * 24 * 60).map(lambda minutes: datetime(2026, 1, 1) + timedelta(minutes=minutes))


@st.composite
def pause_lists(draw):
    pauses = []
    for _ in range(draw(st.integers(0, 3))):
        start = draw(moments)
        length = draw(st.one_of(st.none(), st.integers(1, 24 * 60 * 20)))
        pauses.append((start, None if length is None else start + timedelta(minutes=length)))
    return pauses


targets = st.integers(0, 4 * 60).map(lambda quarters: quarters / 4)  # 0 to 60 h


@given(calendars(), moments, moments, pause_lists())
def test_elapsed_time_is_never_negative_nor_more_than_the_wall_clock(calendar, start, end, pauses):
    hours = elapsed_hours(start, end, calendar, pauses)
    assert hours >= 0.0
    assert hours <= max((end - start).total_seconds() / 3600.0, 0.0) + EPSILON


@given(calendars(), moments, targets, pause_lists())
def test_add_hours_and_elapsed_hours_are_inverse(calendar, start, hours, pauses):
    deadline = add_hours(start, hours, calendar, pauses)
    if deadline is None:
        # Only an open pause or a calendar without working time stops the clock for good.
        assert any(end is None for _s, end in pauses) or calendar is not None
        return
    assert deadline >= start
    assert abs(elapsed_hours(start, deadline, calendar, pauses) - hours) < EPSILON
    if hours:
        # The earliest such moment: a minute before, the time has not elapsed yet.
        assert elapsed_hours(start, deadline - timedelta(minutes=1), calendar, pauses) < hours


@given(calendars(), moments, moments, pause_lists())
def test_elapsed_then_add_gives_back_the_end_or_the_last_working_moment_before_it(calendar, start, end, pauses):
    assume(end > start)
    hours = elapsed_hours(start, end, calendar, pauses)
    moment = add_hours(start, hours, calendar, pauses)
    assert moment is not None and start <= moment <= end
    assert abs(elapsed_hours(start, moment, calendar, pauses) - hours) < EPSILON
    assert elapsed_hours(moment, end, calendar, pauses) < EPSILON


@given(calendars(), moments, moments, targets, pause_lists())
def test_pauses_never_add_time(calendar, start, end, hours, pauses):
    assert elapsed_hours(start, end, calendar, pauses) <= elapsed_hours(start, end, calendar) + EPSILON
    paused = add_hours(start, hours, calendar, pauses)
    plain = add_hours(start, hours, calendar)
    if plain is None:
        assert paused is None
    elif paused is not None:
        assert paused >= plain


@given(calendars(), st.lists(moments, min_size=3, max_size=3), pause_lists())
def test_splitting_an_interval_never_changes_the_total(calendar, three, pauses):
    first, middle, last = sorted(three)
    whole = elapsed_hours(first, last, calendar, pauses)
    parts = elapsed_hours(first, middle, calendar, pauses) + elapsed_hours(middle, last, calendar, pauses)
    assert abs(whole - parts) < EPSILON


def parity(day):
    """Odoo's week type by hand: Monday-to-Sunday weeks counted from Monday 1 January of year 1."""
    return (day - date(1, 1, 1)).days // 7 % 2


@given(st.lists(attendances(st.sampled_from((0, 1, None))), min_size=1, max_size=6), st.integers(0, 700))
def test_two_week_calendar_repeats_every_fortnight_and_alternates_weekly(attendance_list, offset):
    calendar = WorkCalendar(tz="UTC", attendances=tuple(attendance_list))
    day = date(2026, 1, 1) + timedelta(days=offset)

    def hours_on(day):
        start = datetime.combine(day, datetime.min.time())
        return elapsed_hours(start, start + timedelta(days=1), calendar)

    def by_hand(day):
        intervals = sorted(
            (a[1], a[2]) for a in attendance_list if a[0] == day.weekday() and (a[3] is None or a[3] == parity(day))
        )
        total, reach = 0.0, 0.0  # union of the day's shifts
        for begin, end in intervals:
            if end > reach:
                total += end - max(begin, reach)
                reach = end
        return total

    assert abs(hours_on(day) - by_hand(day)) < EPSILON
    assert abs(hours_on(day) - hours_on(day + timedelta(days=14))) < EPSILON
    flipped = WorkCalendar(
        tz="UTC", attendances=tuple(a[:3] + ((None if a[3] is None else 1 - a[3]),) for a in attendance_list)
    )
    start = datetime.combine(day, datetime.min.time())
    # Next week is this week with the week types swapped.
    assert (
        abs(
            elapsed_hours(start + timedelta(days=7), start + timedelta(days=8), calendar)
            - elapsed_hours(start, start + timedelta(days=1), flipped)
        )
        < EPSILON
    )


@given(calendars(), moments, st.integers(1, 72 * 60))
def test_working_intervals_are_sorted_disjoint_and_inside_the_window(calendar, start, minutes):
    end = start + timedelta(minutes=minutes)
    intervals = work_intervals(calendar, start, end)
    for s, e in intervals:
        assert start <= s < e <= end
    for (_s1, e1), (s2, _e2) in pairwise(intervals):
        assert e1 < s2
