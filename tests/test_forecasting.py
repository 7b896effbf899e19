"""The revenue forecast: exponential smoothing chosen by a hold-out backtest against the
seasonal-naive forecast, with its errors."""

import numpy as np
import pytest
from cr_engine import forecasting
from cr_engine.forecasting import DAMPED, NAIVE, SEASONAL, errors, seasonal_naive


def test_errors_mae_and_mape():
    mae, mape = errors([100.0, 200.0, 0.0], [110.0, 180.0, 5.0])
    assert mae == pytest.approx((10 + 20 + 5) / 3)
    assert mape == pytest.approx((10 / 100 + 20 / 200) / 2 * 100)
    assert errors([0.0, 0.0], [1.0, 3.0]) == (pytest.approx(2.0), None)


def test_seasonal_naive_repeats_the_last_season():
    history = list(range(1, 13)) * 2
    assert list(seasonal_naive(history, 12, 3)) == [1.0, 2.0, 3.0]
    assert list(seasonal_naive([5.0, 7.0], 12, 2)) == [7.0, 7.0], "shorter than a season: the last value"


def test_a_steady_customer_is_forecast_near_its_level_not_zero():
    rng = np.random.default_rng(7)
    values = 100_000 + rng.normal(0, 3_000, 30)
    result = forecasting.forecast(values, 12, 12)
    assert all(80_000 < value < 120_000 for value in result["forecast"])
    assert result["mae"] is not None and result["naive_mae"] is not None
    assert result["mae"] <= result["naive_mae"]


def test_a_declining_customer_is_not_forecast_to_rise():
    values = [200_000 - 5_000 * month for month in range(30)]
    result = forecasting.forecast(values, 12, 12)
    assert result["model"] in (DAMPED, SEASONAL)
    assert result["forecast"][-1] < values[-1], "a declining series stays below its last value"
    assert result["mae"] < result["naive_mae"]


def test_a_seasonal_customer_gets_the_seasonal_model_or_naive_never_a_worse_one():
    months = np.arange(36)
    values = 100_000 + 40_000 * np.sin(2 * np.pi * months / 12) + 500 * months
    result = forecasting.forecast(values, 12, 12)
    assert result["model"] == SEASONAL
    assert result["mae"] < result["naive_mae"]
    peak = int(np.argmax(result["forecast"]))
    assert peak in (2, 3, 4), "the peak month stays where it was"


def test_never_a_method_that_loses_to_naive():
    rng = np.random.default_rng(3)
    for _ in range(5):
        values = rng.gamma(2.0, 50_000, 28)
        result = forecasting.forecast(values, 12, 6)
        assert result["mae"] <= result["naive_mae"]
        if result["model"] != NAIVE:
            assert result["mae"] < result["naive_mae"]


def test_short_and_empty_histories():
    assert forecasting.forecast([None, None], 12, 2)["forecast"] == [0.0, 0.0]
    short = forecasting.forecast([np.nan, 1000.0, np.nan, 3000.0], 12, 2)
    assert short["model"] == NAIVE
    assert short["forecast"] == [3000.0, 3000.0], "after the first order a month without orders is 0"
    assert short["mae"] is None and short["holdout"] == 0


def test_forecasts_are_never_negative():
    values = [50_000 - 4_000 * month for month in range(14)]
    assert min(forecasting.forecast(values, 12, 12)["forecast"]) >= 0.0
