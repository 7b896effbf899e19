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
