"""Relationship care: share of wallet, contact plan against interactions, care dates,
customer rankings and the revenue forecast.

Plain Python, pandas and numpy. Documented choices:

* Share of wallet = our revenue / the customer's estimated need x 100 (None without an
  estimate); the gap is need - our revenue, never below zero.
* Plan against done: interactions count in the calendar year of their date; a plan asks for
  a number of interactions of each type a year.
* A customer is overdue for contact when no interaction happened within the plan's interval
  (days) before today; a customer never contacted is overdue from the day it got a plan.
* Care dates recur every year on the same day; 29 February falls on 28 February in other
  years. A care moment is due when its next occurrence is within the lead time.
* Ranking: 1 is the best; ties share the best rank ("min" method); the combined rank orders
  customers by the mean of their revenue, orders and margin ranks; movement = previous
  combined rank - current combined rank (positive = climbed), None for newcomers.
* Forecast: an additive model y = level + trend x t + season[t mod m] fitted by least squares
  on the periods that have a value (missing periods, NaN, are left out, not read as zero).
  Seasonality is fitted once two full seasons are known, the trend once two periods are; a
  single value is carried forward. Forecasts below zero are zero.
"""

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd


def wallet_share(estimated_need, our_revenue):
    """(share % or None, gap in money) of one product category."""
    our_revenue = max(float(our_revenue or 0.0), 0.0)
    if not estimated_need or estimated_need <= 0:
        return None, 0.0
    return our_revenue / estimated_need * 100.0, max(estimated_need - our_revenue, 0.0)


def plan_vs_done(plan, interactions, year):
    """Planned and done interactions of each type in ``year``.

    :param plan: {interaction type: number a year}
    :param interactions: iterable of (interaction type, date)
    :return: {type: {"planned": n, "done": n, "missing": n}} for planned and done types
    """
    done = {}
    for kind, day in interactions:
        if day is not None and day.year == year:
            done[kind] = done.get(kind, 0) + 1
    result = {}
    for kind in sorted(set(plan) | set(done)):
        planned = int(plan.get(kind, 0))
        count = done.get(kind, 0)
        result[kind] = {"planned": planned, "done": count, "missing": max(planned - count, 0)}
    return result


def contact_due(last_contact, interval_days, today):
    """(next due date, overdue?) for a plan interval; never contacted means due today."""
    if not interval_days or interval_days <= 0:
        return None, False
    if last_contact is None:
        return today, True
    due = last_contact + timedelta(days=int(interval_days))
    return due, due < today


def _on_year(day, year):
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February outside a leap year
        return date(year, 2, 28)


def next_occurrence(day, today):
    """The next yearly occurrence of ``day`` on or after ``today``."""
    occurrence = _on_year(day, today.year)
    if occurrence < today:
        occurrence = _on_year(day, today.year + 1)
    return occurrence


def due_within(day, today, lead_days):
    """The next occurrence of ``day`` when it is within ``lead_days`` of today, else None."""
    occurrence = next_occurrence(day, today)
    return occurrence if (occurrence - today).days <= lead_days else None


def rank_customers(current, previous=None):
    """Ranks by revenue, orders and margin, a combined rank and the movement.

    :param current: DataFrame indexed by customer with ``revenue``, ``orders``, ``margin``
    :param previous: the same for the previous period (optional)
    :return: DataFrame sorted by combined rank with ``rank_revenue``, ``rank_orders``,
        ``rank_margin``, ``rank``, ``previous_rank`` and ``movement``
    """
    frame = _ranked(current)
    if previous is not None and len(previous):
        before = _ranked(previous)["rank"]
        frame["previous_rank"] = before.reindex(frame.index)
    else:
        frame["previous_rank"] = np.nan
    frame["movement"] = frame["previous_rank"] - frame["rank"]
    return frame.sort_values(["rank", "revenue"], ascending=[True, False])


def _ranked(data):
    frame = data[["revenue", "orders", "margin"]].astype("float64").fillna(0.0).copy()
    for column in ("revenue", "orders", "margin"):
        frame[f"rank_{column}"] = frame[column].rank(ascending=False, method="min")
    mean_rank = frame[["rank_revenue", "rank_orders", "rank_margin"]].mean(axis=1)
    # Equal mean ranks are split by revenue, then they share a rank.
    order = pd.DataFrame({"mean": mean_rank, "revenue": -frame["revenue"]})
    frame["rank"] = order.apply(tuple, axis=1).rank(method="min").astype(int)
    return frame


def forecast(values, season_length=12, horizon=1):
    """Forecast the next ``horizon`` periods of a series.

    :param values: sequence of numbers, NaN / None for periods without data
    :return: dict with ``forecast`` (list), ``model`` ("none", "level", "trend" or
        "trend+season"), ``trend`` per period and ``season`` (list or None)
    """
    series = np.array([np.nan if v is None else float(v) for v in values], dtype="float64")
    known = ~np.isnan(series)
    n_known = int(known.sum())
    start = len(series)
    steps = np.arange(start, start + horizon)
    if n_known == 0:
        return {"forecast": [0.0] * horizon, "model": "none", "trend": 0.0, "season": None}
    t = np.arange(len(series))[known]
    y = series[known]
    if n_known == 1:
        return {"forecast": [max(float(y[0]), 0.0)] * horizon, "model": "level", "trend": 0.0, "season": None}
    seasonal = season_length and season_length > 1 and n_known >= 2 * season_length
    columns = [np.ones_like(t, dtype="float64"), t.astype("float64")]
    if seasonal:
        # Sum-to-zero seasonal effects: m - 1 free columns, the last season is minus their sum.
        phase = t % season_length
        for s in range(season_length - 1):
            columns.append((phase == s).astype("float64") - (phase == season_length - 1).astype("float64"))
    design = np.column_stack(columns)
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    level, trend = coef[0], coef[1]
    season = None
    if seasonal:
        free = list(coef[2:])
        season = [*free, -math.fsum(free)]
    result = []
    for step in steps:
        value = level + trend * step
        if season is not None:
            value += season[step % season_length]
        result.append(max(float(value), 0.0))
    return {
        "forecast": result,
        "model": "trend+season" if seasonal else "trend",
        "trend": float(trend),
        "season": [float(s) for s in season] if season is not None else None,
    }
