from datetime import date, datetime, timedelta

import pytest
from cr_engine.complaints import (
    WorkCalendar,
    add_hours,
    elapsed_hours,
    level_at,
    level_from_share,
    match_rule,
    merge,
    schedule,
    strictest,
    subtract,
    work_intervals,
)

# Monday to Friday, 08:00-12:00 and 13:00-17:00 local time.
OFFICE = tuple((day, h_from, h_to) for day in range(5) for h_from, h_to in ((8, 12), (13, 17)))
SHANGHAI = WorkCalendar(tz="Asia/Shanghai", attendances=OFFICE)


def utc(*args):
    return datetime(*args)


def test_round_the_clock_is_plain_addition():
    start = utc(2026, 11, 20, 22, 30)
    assert add_hours(start, 6) == utc(2026, 11, 21, 4, 30)
    assert elapsed_hours(start, utc(2026, 11, 21, 4, 30)) == pytest.approx(6.0)


def test_night_is_skipped_in_the_local_time_zone():
    # Monday 16:00 in Shanghai is 08:00 UTC; one hour left today, three tomorrow from 08:00.
    start = utc(2026, 11, 23, 8, 0)
    deadline = add_hours(start, 4, SHANGHAI)
    assert deadline == utc(2026, 11, 24, 3, 0)  # Tuesday 11:00 Shanghai
    assert elapsed_hours(start, deadline, SHANGHAI) == pytest.approx(4.0)


def test_lunch_break_does_not_count():
    start = utc(2026, 11, 23, 3, 0)  # Monday 11:00 Shanghai
    assert add_hours(start, 2, SHANGHAI) == utc(2026, 11, 23, 6, 0)  # 14:00 local


def test_weekend_is_skipped():
    start = utc(2026, 11, 27, 8, 0)  # Friday 16:00 Shanghai
    assert add_hours(start, 2, SHANGHAI) == utc(2026, 11, 30, 1, 0)  # Monday 09:00
    assert elapsed_hours(start, utc(2026, 11, 30, 0, 0), SHANGHAI) == pytest.approx(1.0)


def test_start_outside_working_time_begins_at_the_next_opening():
    start = utc(2026, 11, 28, 2, 0)  # Saturday
    assert add_hours(start, 1, SHANGHAI) == utc(2026, 11, 30, 1, 0)  # Monday 09:00


def test_holidays_are_skipped():
    # National Day week 1-7 October 2026 (local), as a UTC interval.
    holiday = (utc(2026, 9, 30, 16, 0), utc(2026, 10, 7, 16, 0))
    calendar = WorkCalendar(tz="Asia/Shanghai", attendances=OFFICE, holidays=(holiday,))
    start = utc(2026, 9, 30, 8, 0)  # Wednesday 30 Sept 16:00 local
    assert add_hours(start, 2, calendar) == utc(2026, 10, 8, 1, 0)  # Thursday 8 Oct 09:00
    assert elapsed_hours(start, utc(2026, 10, 8, 0, 0), calendar) == pytest.approx(1.0)


def test_daylight_saving_shifts_the_utc_opening_hours():
    berlin = WorkCalendar(tz="Europe/Berlin", attendances=OFFICE)
    summer = work_intervals(berlin, utc(2026, 10, 23, 0), utc(2026, 10, 24, 0))  # Friday, CEST
    winter = work_intervals(berlin, utc(2026, 10, 26, 0), utc(2026, 10, 27, 0))  # Monday, CET
    assert summer[0] == (utc(2026, 10, 23, 6, 0), utc(2026, 10, 23, 10, 0))
    assert winter[0] == (utc(2026, 10, 26, 7, 0), utc(2026, 10, 26, 11, 0))


def test_pause_stops_the_clock_and_shifts_the_deadline():
    start = utc(2026, 11, 23, 0, 0)  # Monday 08:00 Shanghai
    pause = (utc(2026, 11, 23, 1, 0), utc(2026, 11, 23, 2, 30))  # 09:00-10:30 local
    assert add_hours(start, 3, SHANGHAI, [pause]) == utc(2026, 11, 23, 5, 30)  # 13:30 local
    assert elapsed_hours(start, utc(2026, 11, 23, 4, 0), SHANGHAI, [pause]) == pytest.approx(2.5)
    # Round the clock as well.
    assert add_hours(start, 3, None, [pause]) == utc(2026, 11, 23, 4, 30)


def test_open_pause_means_no_deadline():
    start = utc(2026, 11, 23, 0, 0)
    assert add_hours(start, 3, None, [(utc(2026, 11, 23, 1, 0), None)]) is None


def test_calendar_without_working_time_gives_no_deadline():
    assert add_hours(utc(2026, 1, 1), 1, WorkCalendar(tz="UTC", attendances=())) is None


def test_two_week_calendar_uses_the_week_parity():
    # Only Mondays of odd-parity weeks.
    calendar = WorkCalendar(tz="UTC", attendances=((0, 8, 16, 1),))
    start = utc(2026, 11, 23)
    first_week_type = int((start.toordinal() - 1) // 7 % 2)
    expected_monday = start if first_week_type == 1 else start + timedelta(days=7)
    assert add_hours(start, 1, calendar) == expected_monday.replace(hour=9)


def test_invalid_input_is_refused():
    with pytest.raises(ValueError):
        WorkCalendar(tz="Asia/Shanghai", attendances=((7, 8, 12),))
    with pytest.raises(ValueError):
        WorkCalendar(tz="Asia/Shanghai", attendances=((0, 12, 8),))
    with pytest.raises(Exception):  # noqa: B017 - zoneinfo raises its own error type
        WorkCalendar(tz="Mars/Olympus", attendances=OFFICE)
    with pytest.raises(ValueError):
        add_hours(utc(2026, 1, 1), -1)
    with pytest.raises(ValueError):
        schedule(utc(2026, 1, 1), 4, yellow=0.9, orange=0.8)


def test_warning_marks_at_half_and_eighty_percent_of_working_time():
    start = utc(2026, 11, 23, 0, 0)  # Monday 08:00 Shanghai
    marks = schedule(start, 10, SHANGHAI)
    assert marks["yellow_at"] == utc(2026, 11, 23, 6, 0)  # 5 h: 14:00 local
    assert marks["orange_at"] == utc(2026, 11, 23, 9, 0)  # 8 h: 17:00 local
    assert marks["deadline"] == utc(2026, 11, 24, 2, 0)  # 10 h: Tuesday 10:00
    assert level_at(utc(2026, 11, 23, 5, 59), marks) == "green"
    assert level_at(utc(2026, 11, 23, 6, 0), marks) == "yellow"
    assert level_at(utc(2026, 11, 23, 8, 59), marks) == "yellow"
    assert level_at(utc(2026, 11, 23, 9, 0), marks) == "orange"
    assert level_at(utc(2026, 11, 24, 1, 59), marks) == "orange"  # the night adds nothing
    assert level_at(utc(2026, 11, 24, 2, 0), marks) == "orange"  # at the deadline: can still be met
    assert level_at(utc(2026, 11, 24, 2, 0, 1), marks) == "red"
    assert level_at(utc(2026, 11, 30, 2, 0), marks) == "red"  # stays red after the deadline


def test_level_from_share_agrees_with_the_marks():
    assert level_from_share(0.49, 1) == "green"
    assert level_from_share(0.5, 1) == "yellow"
    assert level_from_share(0.8, 1) == "orange"
    assert level_from_share(1.0, 1) == "orange"  # exactly the target: not breached yet
    assert level_from_share(1.0001, 1) == "red"
    assert level_from_share(3, 10, yellow=0.25, orange=0.6) == "yellow"


def test_strictest_promise_wins():
    assert strictest(4, 1, None) == 1
    assert strictest(None, False, 0) is None
    assert strictest(6, 24) == 6


def test_first_matching_rule_wins_and_empty_conditions_match_anything():
    rules = [
        {"category": {"quality"}, "severity": {"major", "critical"}},
        {"category": {"quality"}, "product_category": {7}},
        {"tier": {"a"}},
        {},
    ]
    assert match_rule(rules, {"category": "quality", "severity": "critical"}) == 0
    assert match_rule(rules, {"category": "quality", "severity": "normal", "product_category": {3, 7}}) == 1
    assert match_rule(rules, {"category": "quality", "severity": "normal", "product_category": {3}}) == 3
    assert match_rule(rules, {"category": "delivery", "tier": "a"}) == 2
    assert match_rule(rules[:3], {"category": "delivery", "tier": "b"}) is None


def test_shift_ending_at_midnight_or_seconds_before_it():
    # Monday 16:00-24:00 (UTC): the shift ends at Tuesday 00:00.
    late = WorkCalendar(tz="UTC", attendances=((0, 16, 24),))
    assert add_hours(utc(2026, 11, 23, 16), 8, late) == utc(2026, 11, 24, 0, 0)
    assert elapsed_hours(utc(2026, 11, 23, 20), utc(2026, 11, 24, 2), late) == pytest.approx(4.0)
    # An imported 23.995 (23:59:42) rounds to the minute, i.e. midnight, instead of failing.
    almost = WorkCalendar(tz="UTC", attendances=((0, 8, 23.995),))
    assert elapsed_hours(utc(2026, 11, 23), utc(2026, 11, 24), almost) == pytest.approx(16.0)
    # A half hour is kept to the minute: 08:30-12:15 is 3 h 45 min.
    quarter = WorkCalendar(tz="UTC", attendances=((0, 8.5, 12.25),))
    assert work_intervals(quarter, utc(2026, 11, 23), utc(2026, 11, 24)) == [
        (utc(2026, 11, 23, 8, 30), utc(2026, 11, 23, 12, 15))
    ]


# --- pauses --------------------------------------------------------------------------------
# Monday 23 November 2026 in Shanghai (UTC+8): 08:00 local is 00:00 UTC.
MONDAY_8 = utc(2026, 11, 23, 0, 0)


def local(day, hour, minute=0):
    """A Shanghai local time on 23 + ``day`` November 2026, as naive UTC."""
    return utc(2026, 11, 23, 0, 0) + timedelta(days=day, hours=hour - 8, minutes=minute)


def test_overnight_pause_removes_only_the_working_hours_it_covers():
    # Monday 08:00 to Tuesday 12:00: 8 h on Monday + 4 h on Tuesday = 12 h of working time.
    # The pause Monday 11:00 -> Tuesday 10:00 covers 11-12 and 13-17 on Monday (5 h) and
    # 08-10 on Tuesday (2 h): 12 - 7 = 5 h.
    pause = (local(0, 11), local(1, 10))
    assert elapsed_hours(local(0, 8), local(1, 12), SHANGHAI, [pause]) == pytest.approx(5.0)
    # The same pause round the clock: 28 h minus 23 h.
    assert elapsed_hours(local(0, 8), local(1, 12), None, [pause]) == pytest.approx(5.0)
    # 5 h from Monday 08:00: 3 h before the pause, 2 h after it -> Tuesday 12:00.
    assert add_hours(local(0, 8), 5, SHANGHAI, [pause]) == local(1, 12)


def test_pause_started_sunday_evening_only_removes_monday_morning():
    # Waiting for the customer from Sunday 20:00 to Monday 10:00: Monday 08:00-12:00 counts 2 h.
    pause = (local(-1, 20), local(0, 10))
    assert elapsed_hours(local(0, 8), local(0, 12), SHANGHAI, [pause]) == pytest.approx(2.0)
    assert add_hours(local(-1, 22), 1, SHANGHAI, [pause]) == local(0, 11)


def test_every_pause_counts_not_only_the_first():
    # Monday to Tuesday 17:00 is 16 h; a pause of an hour each morning leaves 14 h.
    pauses = [(local(0, 9), local(0, 10)), (local(1, 9), local(1, 10))]
    assert elapsed_hours(local(0, 8), local(1, 17), SHANGHAI, pauses) == pytest.approx(14.0)
    # Three pauses inside one working block: 08-12 minus 3 x 30 min = 2.5 h.
    pauses = [(local(0, h, 0), local(0, h, 30)) for h in (8, 9, 10)]
    assert elapsed_hours(local(0, 8), local(0, 12), SHANGHAI, pauses) == pytest.approx(2.5)


def test_pause_that_ends_exactly_at_the_opening_or_starts_at_the_close_removes_nothing():
    before = (local(0, 6), local(0, 8))
    after = (local(0, 17), local(0, 20))
    assert elapsed_hours(local(0, 8), local(0, 17), SHANGHAI, [before, after]) == pytest.approx(8.0)


def test_subtract_cuts_holes_and_keeps_open_ends_open():
    day = [(utc(2026, 1, 5, 8), utc(2026, 1, 5, 17))]
    holes = [(utc(2026, 1, 5, 10), utc(2026, 1, 5, 11)), (utc(2026, 1, 5, 15), None)]
    assert subtract(day, holes) == [
        (utc(2026, 1, 5, 8), utc(2026, 1, 5, 10)),
        (utc(2026, 1, 5, 11), utc(2026, 1, 5, 15)),
    ]
    assert subtract(day, []) == day
    # A pause up to the close: the block ends when the pause starts, with no empty piece.
    assert subtract(day, [(utc(2026, 1, 5, 16), utc(2026, 1, 5, 17))]) == [(utc(2026, 1, 5, 8), utc(2026, 1, 5, 16))]
    # A pause from the opening: the working block starts when it ends, with no empty piece.
    assert subtract(day, [(utc(2026, 1, 5, 8), utc(2026, 1, 5, 9))]) == [(utc(2026, 1, 5, 9), utc(2026, 1, 5, 17))]
    assert subtract(day, [(utc(2026, 1, 5, 7), utc(2026, 1, 5, 18))]) == []


# --- working time ------------------------------------------------------------------------
def test_overlapping_attendances_are_counted_once():
    # 08-12 and 10-14 on Monday: 6 h, not 8 h; a shift inside another adds nothing.
    overlapping = WorkCalendar(tz="UTC", attendances=((0, 8, 12), (0, 10, 14), (0, 9, 10)))
    assert elapsed_hours(utc(2026, 11, 23), utc(2026, 11, 24), overlapping) == pytest.approx(6.0)
    assert work_intervals(overlapping, utc(2026, 11, 23), utc(2026, 11, 24)) == [
        (utc(2026, 11, 23, 8), utc(2026, 11, 23, 14))
    ]


def test_merge_joins_touching_and_nested_intervals_and_drops_empty_ones():
    assert merge([(3, 5), (1, 3), (7, 7), (6, 9), (7, 8)]) == [(1, 5), (6, 9)]
    assert merge([(1, 10), (2, 4)]) == [(1, 10)]
    assert merge([(1, 2), (3, 5), (4, 6)]) == [(1, 2), (3, 6)]
    assert merge([(5, 4)]) == []
    assert merge([(2, 2)]) == []


def test_working_time_of_a_day_in_the_local_zone():
    assert work_intervals(SHANGHAI, local(0, 8), local(0, 17)) == [
        (local(0, 8), local(0, 12)),
        (local(0, 13), local(0, 17)),
    ]
    # Only the part inside [start, end] counts.
    assert work_intervals(SHANGHAI, local(0, 10), local(0, 14)) == [
        (local(0, 10), local(0, 12)),
        (local(0, 13), local(0, 14)),
    ]
    assert work_intervals(SHANGHAI, local(0, 10), local(0, 10)) == []
    assert work_intervals(None, local(0, 10), local(0, 9)) == []
    assert work_intervals(None, local(0, 10), local(0, 10)) == []  # not an empty interval
    assert elapsed_hours(local(0, 12), local(0, 9), SHANGHAI) == 0.0


def test_attendance_limits():
    # Sunday (6) from midnight to midnight is a valid attendance; hour_from == hour_to is not.
    sunday = WorkCalendar(tz="UTC", attendances=((6, 0, 24),))
    assert elapsed_hours(utc(2026, 11, 29), utc(2026, 11, 30), sunday) == pytest.approx(24.0)
    for bad in ((-1, 8, 12), (0, 8, 8), (0, -1, 8), (0, 8, 24.5)):
        with pytest.raises(ValueError):
            WorkCalendar(tz="UTC", attendances=(bad,))


# --- two-week calendars -------------------------------------------------------------------
def parity(day):
    """Odoo's week type, by hand: weeks run Monday to Sunday and 1 January of year 1 (a
    Monday) starts a week of type 0."""
    return (day - date(1, 1, 1)).days // 7 % 2


def test_two_week_calendar_alternates_by_monday_to_sunday_weeks():
    # Week type 0: Monday 08-12; week type 1: Tuesday 08-12; every week: Friday 08-10.
    calendar = WorkCalendar(tz="UTC", attendances=((0, 8, 12, 0), (1, 8, 12, 1), (4, 8, 10, None)))
    monday = date(2026, 11, 23)
    even = monday if parity(monday) == 0 else monday + timedelta(days=7)
    start = datetime.combine(even, datetime.min.time())
    # Even week: Monday 4 h + Friday 2 h; the odd week after it: Tuesday 4 h + Friday 2 h.
    week = [
        (day, elapsed_hours(start + timedelta(days=day), start + timedelta(days=day + 1), calendar))
        for day in range(14)
    ]
    assert [(day, hours) for day, hours in week if hours] == [(0, 4.0), (4, 2.0), (8, 4.0), (11, 2.0)]
    # From the even Monday 12:00, 6 working hours end on the odd Tuesday at 12:00.
    assert add_hours(start + timedelta(hours=12), 6, calendar) == start + timedelta(days=8, hours=12)


def test_week_parity_of_known_days():
    # Two weeks apart: same type; one week apart: the other; Monday to Sunday: the same week.
    calendar = WorkCalendar(tz="UTC", attendances=tuple((day, 8, 9, 1) for day in range(7)))
    for first in (date(2026, 11, 23), date(2027, 1, 4), date(2024, 2, 26)):
        hours = [
            elapsed_hours(
                datetime.combine(first + timedelta(days=d), datetime.min.time()),
                datetime.combine(first + timedelta(days=d + 1), datetime.min.time()),
                calendar,
            )
            for d in range(21)
        ]
        expected = [1.0 if parity(first + timedelta(days=d)) == 1 else 0.0 for d in range(21)]
        assert hours == expected
        assert hours[:7] in ([1.0] * 7, [0.0] * 7) and hours[7] != hours[0] and hours[14] == hours[0]
    # 1 January 0001 starts a week of type 0, so 8 January 0001 is type 1 (Odoo's origin).
    assert (parity(date(1, 1, 1)), parity(date(1, 1, 7)), parity(date(1, 1, 8))) == (0, 0, 1)
    assert elapsed_hours(datetime(1, 1, 8), datetime(1, 1, 9), calendar) == 1.0
    assert elapsed_hours(datetime(1, 1, 7), datetime(1, 1, 8), calendar) == 0.0


# --- deadlines ----------------------------------------------------------------------------
def test_zero_hours_is_due_at_once_even_outside_working_time():
    saturday = utc(2026, 11, 28, 2, 0)
    assert add_hours(saturday, 0, SHANGHAI) == saturday
    assert schedule(saturday, 0, SHANGHAI)["deadline"] == saturday


def test_the_deadline_horizon_is_three_leap_years():
    start = utc(2026, 1, 1)
    assert add_hours(start, 24 * 1097, None) == start + timedelta(days=1097)
    assert add_hours(start, 24 * 1099, None) is None  # beyond 3 x 366 days


def test_deadline_two_years_away_on_a_sparse_calendar():
    # One hour a week (Monday 08-09 UTC): 110 hours take 110 Mondays.
    sparse = WorkCalendar(tz="UTC", attendances=((0, 8, 9),))
    start = utc(2026, 11, 23, 8, 0)
    assert add_hours(start, 110, sparse) == start + timedelta(weeks=109, hours=1)


def test_warning_shares_limits():
    start = local(0, 8)
    marks = schedule(start, 10, SHANGHAI, yellow=0.8, orange=0.8)
    assert marks["yellow_at"] == marks["orange_at"] == local(0, 17)
    marks = schedule(start, 10, SHANGHAI, yellow=1, orange=1)
    assert marks["yellow_at"] == marks["deadline"] == local(1, 10)
    for yellow, orange in ((0, 0.8), (0.5, 1.01), (-0.1, 0.5), (0.9, 0.8)):
        with pytest.raises(ValueError, match="Warning shares"):
            schedule(start, 10, SHANGHAI, yellow=yellow, orange=orange)


def test_level_without_a_deadline_follows_the_marks_that_exist():
    # An open pause: no deadline and no marks -> green for ever.
    assert level_at(utc(2030, 1, 1), {"deadline": None, "yellow_at": None, "orange_at": None}) == "green"
    # Marks reached before the pause opened still count.
    marks = {"deadline": None, "yellow_at": utc(2026, 1, 1), "orange_at": None}
    assert level_at(utc(2026, 1, 2), marks) == "yellow"
    assert level_at(utc(2025, 12, 31), marks) == "green"


def test_level_from_share_boundaries():
    assert level_from_share(0, 0) == "red"  # no time at all: breached at once
    assert level_from_share(5, -1) == "red"
    assert level_from_share(0.79, 1) == "yellow"
    assert level_from_share(0.99, 1) == "orange"
    assert level_from_share(1.5, 1) == "red"
    assert level_from_share(0, 10) == "green"


def test_negative_hours_are_no_promise():
    assert strictest(-2, 5) == 5
    assert strictest(-2) is None
    assert strictest(-0.5, 3) == 3


def test_empty_condition_set_means_any_value():
    # The routing code passes set() for a condition left empty on the rule.
    rules = [{"category": set(), "severity": {"critical"}}, {"category": set(), "tier": ()}]
    assert match_rule(rules, {"category": "quality", "severity": "critical"}) == 0
    assert match_rule(rules, {"category": "delivery", "severity": "normal", "tier": "a"}) == 1
    assert match_rule(rules, {}) == 1
    # A list of values (several order lines) matches when one of them is allowed.
    assert match_rule([{"product_category": {7}}], {"product_category": [3, 7]}) == 0
    assert match_rule([{"product_category": {7}}], {"product_category": (3,)}) is None


def test_both_week_types_of_one_weekday_count_in_their_own_weeks():
    # Monday mornings in even weeks, Monday afternoons in odd weeks (listed in that order).
    calendar = WorkCalendar(tz="UTC", attendances=((0, 8, 12, 0), (0, 13, 17, 1)))
    for monday in (date(2026, 11, 23), date(2026, 11, 30)):
        start = datetime.combine(monday, datetime.min.time())
        hours = 12 if parity(monday) == 0 else 17
        assert work_intervals(calendar, start, start + timedelta(days=1)) == [
            (start + timedelta(hours=hours - 4), start + timedelta(hours=hours))
        ]


def test_a_calendar_is_a_value():
    # Frozen: the same timetable is equal, hashable (a cache key) and cannot be changed in place.
    first = WorkCalendar(tz="Asia/Shanghai", attendances=OFFICE)
    assert first == SHANGHAI and hash(first) == hash(SHANGHAI)
    with pytest.raises(AttributeError):
        first.tz = "UTC"
