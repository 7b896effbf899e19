"""Per-customer revenue forecast with statsmodels' exponential smoothing, chosen by backtest.

Plain Python (numpy, statsmodels). Documented choices:

* The history is a series of periods (months or quarters); periods before the customer's
  first order are unknown (NaN) and left out, later periods without orders are real zeros.
* Candidates: the **seasonal-naive** forecast (each period repeats the same period one season
  earlier; the last value while the history is shorter than a season), Holt's exponential
  smoothing with an additive **damped trend**, and, once the training part holds at least two
  full seasons plus two periods, the damped trend with additive **seasonality** (Holt-Winters).
* Each candidate is fitted on the history without its last ``holdout`` periods (one season,
  at most a quarter of the history) and scored on them: **MAE** (mean absolute error) and
  **MAPE** (mean absolute percentage error over the periods with non-zero revenue; None when
  all of them are zero). The candidate with the lowest MAE is kept only when it beats the
  seasonal-naive forecast; otherwise the seasonal-naive forecast is used. Never a method that
  loses to naive.
* The chosen method is refitted on the whole history for the forecast. Forecasts below zero
  are zero. With fewer than four known periods there is no backtest: the naive forecast is
  used, and its errors are unknown (None).
"""

import warnings

import numpy as np

NAIVE = "seasonal_naive"
DAMPED = "damped_trend"
SEASONAL = "damped_trend_seasonal"
MODELS = [
    (NAIVE, "Seasonal naive"),
    (DAMPED, "Exponential smoothing, damped trend"),
    (SEASONAL, "Exponential smoothing, damped trend and seasonality"),
]
MIN_BACKTEST = 4


def seasonal_naive(history, season_length, horizon):
    """Repeat the last season (the last value when the history is shorter than a season)."""
    history = np.asarray(history, dtype="float64")
    if not len(history):
        return np.zeros(horizon)
    if season_length and season_length > 1 and len(history) >= season_length:
        last = history[-season_length:]
        return np.array([last[step % season_length] for step in range(horizon)], dtype="float64")
    return np.full(horizon, history[-1], dtype="float64")


def _ets(history, season_length, horizon, seasonal):
    # heavy: imported when a forecast is made, not when the addon loads
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ExponentialSmoothing(
            np.asarray(history, dtype="float64"),
            trend="add",
            damped_trend=True,
            seasonal="add" if seasonal else None,
            seasonal_periods=season_length if seasonal else None,
            initialization_method="estimated",
        )
        fitted = model.fit(use_brute=False)
        return np.asarray(fitted.forecast(horizon), dtype="float64")


def _predict(method, history, season_length, horizon):
    if method == NAIVE:
        return seasonal_naive(history, season_length, horizon)
    return _ets(history, season_length, horizon, seasonal=method == SEASONAL)


def errors(actual, predicted):
    """(MAE, MAPE in % or None when every actual is zero)."""
    actual = np.asarray(actual, dtype="float64")
    predicted = np.asarray(predicted, dtype="float64")
    absolute = np.abs(actual - predicted)
    mae = float(absolute.mean())
    nonzero = actual != 0
    mape = float((absolute[nonzero] / np.abs(actual[nonzero])).mean() * 100.0) if nonzero.any() else None
    return mae, mape


def candidates(n_train, season_length):
    """The methods a training history of ``n_train`` periods supports."""
    methods = [NAIVE]
    if n_train >= 6:
        methods.append(DAMPED)
    if season_length and season_length > 1 and n_train >= 2 * season_length + 2:
        methods.append(SEASONAL)
    return methods


def forecast(values, season_length=12, horizon=1):
    """Forecast the next ``horizon`` periods of a revenue series (see the module notes).

    :param values: sequence of numbers, NaN / None for unknown periods
    :return: dict with ``forecast`` (list), ``model`` (a key of ``MODELS``, or "none"
        without history), ``mae`` and ``mape`` of the chosen method in the backtest,
        ``naive_mae`` (the seasonal-naive forecast's) and ``holdout`` (periods held out)
    """
    series = np.array([np.nan if v is None else float(v) for v in values], dtype="float64")
    known = np.flatnonzero(~np.isnan(series))
    if not len(known):
        return {
            "forecast": [0.0] * horizon,
            "model": "none",
            "mae": None,
            "mape": None,
            "naive_mae": None,
            "holdout": 0,
        }
    history = series[known[0] :].copy()
    history[np.isnan(history)] = 0.0
    n = len(history)
    chosen, naive_mae, holdout, scores = NAIVE, None, 0, {}
    if n >= MIN_BACKTEST:
        holdout = max(1, min(season_length or 1, n // 4))
        train, test = history[:-holdout], history[-holdout:]
        for method in candidates(len(train), season_length):
            try:
                predicted = _predict(method, train, season_length, holdout)
            except (ValueError, np.linalg.LinAlgError):
                continue
            if np.all(np.isfinite(predicted)):
                scores[method] = errors(test, np.maximum(predicted, 0.0))
        naive_mae = scores[NAIVE][0]
        best = min(scores, key=lambda method: (scores[method][0], method != NAIVE))
        if scores[best][0] < naive_mae:
            chosen = best
    try:
        result = _predict(chosen, history, season_length, horizon)
    except (ValueError, np.linalg.LinAlgError):
        chosen = NAIVE
        result = _predict(NAIVE, history, season_length, horizon)
    mae, mape = scores.get(chosen, (None, None))
    return {
        "forecast": [max(float(value), 0.0) for value in result],
        "model": chosen,
        "mae": mae,
        "mape": mape,
        "naive_mae": naive_mae,
        "holdout": holdout,
    }
