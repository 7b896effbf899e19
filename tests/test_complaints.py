from datetime import datetime, timedelta

import pytest
from cr_engine.complaints import (
    WorkCalendar,
    add_hours,
    elapsed_hours,
    level_at,
    level_from_share,
    match_rule,
    schedule,
    strictest,
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
    assert level_at(utc(2026, 11, 24, 2, 0), marks) == "red"


def test_level_from_share_agrees_with_the_marks():
    assert level_from_share(0.49, 1) == "green"
    assert level_from_share(0.5, 1) == "yellow"
    assert level_from_share(0.8, 1) == "orange"
    assert level_from_share(1.0, 1) == "red"
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
