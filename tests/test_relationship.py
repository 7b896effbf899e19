import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from cr_engine.relationship import (
    contact_due,
    due_within,
    forecast,
    next_occurrence,
    plan_vs_done,
    rank_customers,
    wallet_share,
)


def test_share_of_wallet_and_gap():
    share, gap = wallet_share(500_000.0, 120_000.0)
    assert share == pytest.approx(24.0)
    assert gap == pytest.approx(380_000.0)
    share, gap = wallet_share(100.0, 150.0)  # we sell more than the estimate: no negative gap
    assert share == pytest.approx(150.0)
    assert gap == 0.0
    assert wallet_share(0, 50.0) == (None, 0.0)
    assert wallet_share(1000.0, None) == (0.0, 1000.0)


def test_plan_vs_done_counts_within_the_calendar_year():
    plan = {"visit": 4, "call": 12, "seminar": 1}
    interactions = [
        ("visit", date(2025, 12, 31)),  # last year: does not count
        ("visit", date(2026, 1, 1)),
        ("visit", date(2026, 6, 30)),
        ("call", date(2026, 12, 31)),
        ("gift", date(2026, 9, 20)),  # done without being planned
        ("visit", date(2027, 1, 1)),  # next year
        ("call", None),
    ]
    result = plan_vs_done(plan, interactions, 2026)
    assert result["visit"] == {"planned": 4, "done": 2, "missing": 2}
    assert result["call"] == {"planned": 12, "done": 1, "missing": 11}
    assert result["seminar"] == {"planned": 1, "done": 0, "missing": 1}
    assert result["gift"] == {"planned": 0, "done": 1, "missing": 0}
    assert plan_vs_done(plan, interactions, 2027)["visit"]["done"] == 1


def test_contact_due_and_overdue():
    today = date(2026, 11, 24)
    assert contact_due(date(2026, 10, 1), 30, today) == (date(2026, 10, 31), True)
    assert contact_due(date(2026, 11, 1), 30, today) == (date(2026, 12, 1), False)
    assert contact_due(None, 90, today) == (today, True)
    assert contact_due(date(2026, 1, 1), 0, today) == (None, False)


def test_care_dates_recur_and_29_february():
    today = date(2026, 11, 24)
    assert next_occurrence(date(1980, 12, 1), today) == date(2026, 12, 1)
    assert next_occurrence(date(1980, 3, 5), today) == date(2027, 3, 5)
    assert next_occurrence(date(1984, 2, 29), date(2027, 2, 1)) == date(2027, 2, 28)
    assert next_occurrence(date(1984, 2, 29), date(2028, 2, 1)) == date(2028, 2, 29)
    assert due_within(date(1975, 12, 1), today, 7) == date(2026, 12, 1)
    assert due_within(date(1975, 12, 2), today, 7) is None
    assert due_within(date(1975, 11, 24), today, 7) == today
    # Across the year boundary.
    assert due_within(date(1990, 1, 2), date(2026, 12, 28), 7) == date(2027, 1, 2)


def test_ranking_combined_and_movement():
    current = pd.DataFrame(
        {"revenue": [900.0, 500.0, 700.0, 100.0], "orders": [3, 10, 5, 1], "margin": [300.0, 100.0, 250.0, 10.0]},
        index=["A", "B", "C", "D"],
    )
    previous = pd.DataFrame(
        {"revenue": [100.0, 900.0, 500.0], "orders": [1, 10, 5], "margin": [10.0, 300.0, 200.0]},
        index=["A", "B", "C"],
    )
    ranked = rank_customers(current, previous)
    assert list(ranked.index) == ["A", "C", "B", "D"]
    assert ranked.loc["A", "rank_revenue"] == 1
    assert ranked.loc["B", "rank_orders"] == 1
    # A: ranks 1, 3, 1 (mean 1.67); C: 2, 2, 2 (2.0); B: 3, 1, 3 (2.33); D: 4, 4, 4.
    assert ranked["rank"].tolist() == [1, 2, 3, 4]
    assert ranked.loc["A", "movement"] == 2  # was 3rd, now 1st
    assert ranked.loc["B", "movement"] == -2
    assert math.isnan(ranked.loc["D", "movement"])  # newcomer


def test_ranking_ties_share_the_rank():
    current = pd.DataFrame({"revenue": [100.0, 100.0], "orders": [2, 2], "margin": [5.0, 5.0]}, index=["X", "Y"])
    ranked = rank_customers(current)
    assert ranked["rank"].tolist() == [1, 1]


def test_forecast_recovers_trend_and_season_exactly():
    season = [10.0, -5.0, 0.0, -5.0]
    values = [100.0 + 3.0 * t + season[t % 4] for t in range(12)]
    result = forecast(values, season_length=4, horizon=4)
    assert result["model"] == "trend+season"
    assert result["trend"] == pytest.approx(3.0)
    assert result["forecast"] == pytest.approx([100.0 + 3.0 * t + season[t % 4] for t in range(12, 16)])


def test_forecast_leaves_gaps_out_instead_of_reading_zero():
    season = [20.0, -20.0]
    values = [50.0 + 2.0 * t + season[t % 2] for t in range(10)]
    values[3] = None
    values[6] = np.nan
    result = forecast(values, season_length=2, horizon=2)
    assert result["forecast"] == pytest.approx([50.0 + 2.0 * t + season[t % 2] for t in (10, 11)])


def test_forecast_short_series_single_point_and_empty():
    assert forecast([100.0, 120.0, 140.0], season_length=12)["forecast"] == pytest.approx([160.0])
    assert forecast([100.0, 120.0, 140.0], season_length=12)["model"] == "trend"
    assert forecast([75.0], season_length=12, horizon=3) == {
        "forecast": [75.0, 75.0, 75.0],
        "model": "level",
        "trend": 0.0,
        "season": None,
    }
    assert forecast([None, None])["forecast"] == [0.0]
    assert forecast([])["model"] == "none"


def test_forecast_is_never_negative():
    assert forecast([300.0, 200.0, 100.0], horizon=3)["forecast"] == [0.0, 0.0, 0.0]


# --- what the first mutation run found unpinned (issue 19) ----------------------------------
def test_share_of_wallet_with_refunds_or_a_negative_estimate():
    assert wallet_share(100.0, -50.0) == (0.0, 100.0)  # refunds: no share, the whole need is open
    assert wallet_share(-100.0, 50.0) == (None, 0.0)
    assert wallet_share(None, 50.0) == (None, 0.0)


def test_plan_done_beyond_the_plan_misses_nothing():
    result = plan_vs_done({"visit": 1}, [("visit", date(2026, 3, 1)), ("visit", date(2026, 4, 1))], 2026)
    assert result == {"visit": {"planned": 1, "done": 2, "missing": 0}}
    assert plan_vs_done({}, [], 2026) == {}


def test_contact_due_today_is_not_yet_overdue():
    today = date(2026, 11, 24)
    assert contact_due(date(2026, 10, 25), 30, today) == (today, False)
    assert contact_due(date(2026, 10, 24), 30, today) == (date(2026, 11, 23), True)
    assert contact_due(date(2026, 10, 24), -5, today) == (None, False)
    assert contact_due(None, None, today) == (None, False)


def test_care_date_today_and_on_29_february():
    assert next_occurrence(date(1980, 11, 24), date(2026, 11, 24)) == date(2026, 11, 24)
    assert next_occurrence(date(1980, 11, 23), date(2026, 11, 24)) == date(2027, 11, 23)
    assert due_within(date(1984, 2, 29), date(2027, 2, 21), 7) == date(2027, 2, 28)
    assert due_within(date(1984, 2, 29), date(2027, 2, 20), 7) is None
    assert due_within(date(1975, 11, 24), date(2026, 11, 24), 0) == date(2026, 11, 24)


def test_equal_mean_ranks_are_split_by_revenue():
    # X ranks (1, 3, 2), Y (2, 1, 3), Z (3, 2, 1): every mean is 2, revenue decides.
    current = pd.DataFrame(
        {"revenue": [100.0, 300.0, 200.0], "orders": [2, 1, 3], "margin": [30.0, 20.0, 10.0]}, index=["Z", "X", "Y"]
    )
    ranked = rank_customers(current, current.iloc[0:0])
    assert list(ranked.index) == ["X", "Y", "Z"]
    assert ranked["rank"].tolist() == [1, 2, 3]
    assert ranked.loc["Z", "rank_margin"] == 1 and ranked.loc["Y", "rank_orders"] == 1
    assert ranked["movement"].isna().all()  # an empty previous period: everyone is new


def test_ranking_reads_missing_figures_as_zero():
    current = pd.DataFrame({"revenue": [np.nan, 10.0], "orders": [1, 1], "margin": [1.0, 1.0]}, index=["A", "B"])
    ranked = rank_customers(current)
    assert list(ranked.index) == ["B", "A"]
    assert ranked.loc["A", "rank_revenue"] == 2 and ranked.loc["A", "revenue"] == 0.0


def test_seasonality_needs_two_full_seasons():
    season = [10.0, -5.0, 0.0, -5.0]
    values = [100.0 + 3.0 * t + season[t % 4] for t in range(8)]
    result = forecast(values, season_length=4, horizon=2)
    assert result["model"] == "trend+season"
    assert result["season"] == pytest.approx(season)
    assert result["forecast"] == pytest.approx([100.0 + 3.0 * 8 + 10.0, 100.0 + 3.0 * 9 - 5.0])
    assert forecast(values[:7], season_length=4)["model"] == "trend"
    assert forecast(values, season_length=1)["model"] == "trend"
    assert forecast(values, season_length=None)["season"] is None


def test_single_value_below_zero_forecasts_zero():
    assert forecast([-40.0])["forecast"] == [0.0]
    assert forecast([np.nan, 30.0, None], horizon=2)["forecast"] == [30.0, 30.0]


def test_care_date_already_past_in_an_odd_year():
    assert next_occurrence(date(1980, 3, 5), date(2027, 11, 24)) == date(2028, 3, 5)


def test_a_one_day_contact_interval_is_a_plan():
    assert contact_due(date(2026, 11, 22), 1, date(2026, 11, 24)) == (date(2026, 11, 23), True)


def test_monthly_seasonality_by_default_from_two_years():
    season = [5.0, 3.0, 0.0, -2.0, -4.0, -2.0, 0.0, 1.0, 2.0, 0.0, -1.0, -2.0]  # sums to 0
    values = [200.0 + 1.5 * t + season[t % 12] for t in range(24)]
    result = forecast(values, horizon=12)
    assert result["model"] == "trend+season"
    assert result["season"] == pytest.approx(season)
    assert result["forecast"] == pytest.approx([200.0 + 1.5 * t + season[t % 12] for t in range(24, 36)])


def test_small_estimates_and_empty_series():
    assert wallet_share(0.5, 0.25) == (50.0, 0.25)  # needs kept in thousands
    assert forecast([], horizon=2) == {"forecast": [0.0, 0.0], "model": "none", "trend": 0.0, "season": None}


def test_negative_inputs_mean_no_estimate_and_no_season():
    assert wallet_share(-0.5, 10.0) == (None, 0.0)
    values = [100.0 + 3.0 * t for t in range(12)]
    for season_length in (-4, 0, 1):
        result = forecast(values, season_length=season_length)
        assert result["model"] == "trend"
        assert result["forecast"] == pytest.approx([136.0])
