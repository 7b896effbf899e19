"""The potential anomaly's wording figures when last year's revenue was negative."""

import pandas as pd
import pytest
from cr_engine.tiering import DEFAULT_SETTINGS, detect_anomalies, growth_percent


def test_a_customer_whose_returns_exceeded_purchases_last_year_is_worded_as_new():
    # last year -500 (more credited than invoiced), this year 5000: no revenue to compare
    # with, so "new" rather than a growth of (5000 + 500) / 500 = +1100 %
    growth = growth_percent(pd.Series([5000.0, 1410.0]), pd.Series([-500.0, 1000.0]))
    assert growth.tolist() == pytest.approx([1100.0, 41.0])
    frame = pd.DataFrame(
        {
            "tier": ["c", "b"],
            "account_class": ["general", "key"],
            "growth": growth.tolist(),
            "revenue": [5000.0, 1410.0],
            "revenue_previous": [-500.0, 1000.0],
        },
        index=[1, 2],
    )
    found = detect_anomalies(frame, DEFAULT_SETTINGS)
    assert found[1] == [("potential", {"growth": pytest.approx(1100.0), "new": True})]
    assert found[2] == [("potential", {"growth": pytest.approx(41.0)})]
