from datetime import date
from itertools import pairwise

import pytest
from cr_engine.agreements import achievement, current_slice, forecast, rebate, slice_periods


def test_whole_agreement_is_one_slice():
    slices = slice_periods(date(2026, 7, 1), date(2027, 6, 30), "whole")
    assert slices == [{"label": "whole", "start": date(2026, 7, 1), "end": date(2027, 6, 30), "share": 1.0}]


def test_years_inside_an_agreement_that_starts_mid_year():
    slices = slice_periods(date(2026, 7, 1), date(2027, 6, 30), "year")
    assert [(s["label"], s["start"], s["end"]) for s in slices] == [
        ("2026", date(2026, 7, 1), date(2026, 12, 31)),
        ("2027", date(2027, 1, 1), date(2027, 6, 30)),
    ]
    assert slices[0]["share"] == pytest.approx(184 / 365)
    assert slices[1]["share"] == pytest.approx(181 / 365)


def test_half_years_and_quarters_cover_every_day_once():
    start, end = date(2026, 2, 15), date(2027, 2, 14)
    for period, count in (("half", 3), ("quarter", 5)):
        slices = slice_periods(start, end, period)
        assert len(slices) == count
        assert slices[0]["start"] == start and slices[-1]["end"] == end
        for before, after in pairwise(slices):
            assert (after["start"] - before["end"]).days == 1
    quarters = slice_periods(start, end, "quarter")
    assert [s["label"] for s in quarters] == ["2026 Q1", "2026 Q2", "2026 Q3", "2026 Q4", "2027 Q1"]
    assert quarters[1]["share"] == 1.0
    assert quarters[0]["share"] == pytest.approx(45 / 90)


def test_end_before_start_is_refused():
    with pytest.raises(ValueError):
        slice_periods(date(2026, 2, 1), date(2026, 1, 1), "year")


def test_achievement_and_zero_target():
    assert achievement(80.0, 100.0) == 80.0
    assert achievement(5.0, 0.0) is None


def test_forecast_from_run_rate():
    start, end = date(2026, 1, 1), date(2026, 12, 31)
    assert forecast(100.0, start, end, date(2025, 12, 1)) == 0.0
    assert forecast(100.0, start, end, date(2027, 1, 5)) == 100.0
    # 31 days elapsed, 365 in the period
    assert forecast(31.0, start, end, date(2026, 1, 31)) == pytest.approx(365.0)


def test_rebate_takes_the_highest_step_reached():
    steps = [(80.0, 1.0), (100.0, 2.0)]
    assert rebate(1000.0, 79.9, steps) == (0.0, 0.0)
    assert rebate(1000.0, 80.0, steps) == (10.0, 1.0)
    assert rebate(1000.0, 105.0, steps) == (20.0, 2.0)
    assert rebate(1000.0, None, steps) == (0.0, 0.0)
    assert rebate(-50.0, 120.0, steps) == (0.0, 2.0)


def test_current_slice():
    slices = slice_periods(date(2026, 7, 1), date(2027, 6, 30), "half")
    assert current_slice(slices, date(2026, 8, 1))["label"] == "2026 H2"
    assert current_slice(slices, date(2027, 8, 1))["label"] == "2027 H1"
    assert current_slice(slices, date(2026, 1, 1))["label"] == "2026 H2"
    assert current_slice([], date(2026, 1, 1)) is None


# --- what the first mutation run found unpinned (issue 19) ----------------------------------
def test_calendar_quarters_and_halves_of_a_full_year():
    quarters = slice_periods(date(2026, 1, 1), date(2026, 12, 31), "quarter")
    assert [(s["label"], s["start"], s["end"], s["share"]) for s in quarters] == [
        ("2026 Q1", date(2026, 1, 1), date(2026, 3, 31), 1.0),
        ("2026 Q2", date(2026, 4, 1), date(2026, 6, 30), 1.0),
        ("2026 Q3", date(2026, 7, 1), date(2026, 9, 30), 1.0),
        ("2026 Q4", date(2026, 10, 1), date(2026, 12, 31), 1.0),
    ]
    halves = slice_periods(date(2026, 1, 1), date(2026, 12, 31), "half")
    assert [(s["label"], s["start"], s["end"], s["share"]) for s in halves] == [
        ("2026 H1", date(2026, 1, 1), date(2026, 6, 30), 1.0),
        ("2026 H2", date(2026, 7, 1), date(2026, 12, 31), 1.0),
    ]
    # The last quarter of an odd year ends on 31 December of that year too.
    assert slice_periods(date(2027, 10, 1), date(2027, 12, 31), "quarter") == [
        {"label": "2027 Q4", "start": date(2027, 10, 1), "end": date(2027, 12, 31), "share": 1.0}
    ]
    years = slice_periods(date(2026, 1, 1), date(2027, 12, 31), "year")
    assert [(s["label"], s["share"]) for s in years] == [("2026", 1.0), ("2027", 1.0)]
    with pytest.raises(ValueError):
        slice_periods(date(2026, 1, 1), date(2026, 12, 31), "month")


def test_agreement_starting_in_june():
    # 15 June to 31 December by half-years: 16 of the 181 days of H1 2026, then all of H2.
    halves = slice_periods(date(2026, 6, 15), date(2026, 12, 31), "half")
    assert [(s["label"], s["start"], s["end"]) for s in halves] == [
        ("2026 H1", date(2026, 6, 15), date(2026, 6, 30)),
        ("2026 H2", date(2026, 7, 1), date(2026, 12, 31)),
    ]
    assert halves[0]["share"] == pytest.approx(16 / 181, rel=1e-12)  # 16 / 181, full precision
    assert halves[1]["share"] == 1.0
    # By quarters: the last 16 of the 91 days of Q2, then Q3 and Q4.
    quarters = slice_periods(date(2026, 6, 15), date(2026, 12, 31), "quarter")
    assert [s["label"] for s in quarters] == ["2026 Q2", "2026 Q3", "2026 Q4"]
    assert quarters[0]["share"] == pytest.approx(16 / 91, abs=1e-6)
    # An agreement from 1 July is one second-half slice.
    assert [s["label"] for s in slice_periods(date(2026, 7, 1), date(2026, 12, 31), "half")] == ["2026 H2"]


def test_one_day_agreement():
    for period, label, days in (("year", "2026", 365), ("half", "2026 H2", 184), ("quarter", "2026 Q4", 92)):
        slices = slice_periods(date(2026, 12, 31), date(2026, 12, 31), period)
        assert [(s["label"], s["start"], s["end"]) for s in slices] == [(label, date(2026, 12, 31), date(2026, 12, 31))]
        assert slices[0]["share"] == pytest.approx(1 / days, abs=1e-6)
    assert forecast(5.0, date(2026, 12, 31), date(2026, 12, 31), date(2026, 12, 31)) == 5.0


def test_current_slice_in_the_middle_and_on_the_boundaries():
    quarters = slice_periods(date(2026, 2, 15), date(2027, 2, 14), "quarter")
    assert current_slice(quarters, date(2026, 8, 15))["label"] == "2026 Q3"
    assert current_slice(quarters, date(2026, 7, 1))["label"] == "2026 Q3"  # first day
    assert current_slice(quarters, date(2026, 9, 30))["label"] == "2026 Q3"  # last day
    assert current_slice(quarters, date(2026, 2, 15))["label"] == "2026 Q1"
    assert current_slice(quarters, date(2027, 2, 14))["label"] == "2027 Q1"
    assert current_slice(quarters, date(2027, 2, 15))["label"] == "2027 Q1"  # after the end: the last
    assert current_slice(quarters, date(2026, 2, 14))["label"] == "2026 Q1"  # before the start: the first


def test_forecast_on_the_first_day_and_before_the_end():
    start, end = date(2026, 1, 1), date(2026, 12, 31)
    assert forecast(10.0, start, end, start) == pytest.approx(3650.0)  # one day of 365
    assert forecast(0.0, start, end, date(2026, 6, 1)) == 0.0
    # 364 of 365 days elapsed
    assert forecast(364.0, start, end, date(2026, 12, 30)) == pytest.approx(365.0)


def test_rebate_steps_in_any_order():
    steps = [(100.0, 2.0), (80.0, 1.0), (120.0, 3.0)]
    assert rebate(1000.0, 90.0, steps) == (10.0, 1.0)
    assert rebate(2000.0, 120.0, steps) == (60.0, 3.0)
    assert rebate(1000.0, 100.0, []) == (0.0, 0.0)
    assert achievement(-20.0, 100.0) == -20.0


def test_unknown_periods_are_refused():
    for period in ("monthly", "weekly", "yearly", "daily"):
        with pytest.raises(ValueError):
            slice_periods(date(2026, 1, 1), date(2026, 12, 31), period)


def test_forecast_in_a_quarter_of_90_days():
    # Q1 2026 has 90 days; after 45 of them 45 sold -> 90.
    assert forecast(45.0, date(2026, 1, 1), date(2026, 3, 31), date(2026, 2, 14)) == pytest.approx(90.0)


def test_current_slice_of_a_single_slice_outside_its_dates():
    whole = slice_periods(date(2026, 3, 1), date(2026, 8, 31), "whole")
    assert current_slice(whole, date(2026, 9, 1)) is whole[0]
    assert current_slice(whole, date(2026, 2, 1)) is whole[0]
