"""Issue #14 in the engine: one overall achievement, prorated targets to the cent, and the
anomaly figures that the wording needs."""

from datetime import date

import numpy as np
import pandas as pd
import pytest
from cr_engine.agreements import overall_achievement, prorated_target, rebate, slice_periods
from cr_engine.tiering import DEFAULT_SETTINGS, detect_anomalies


def test_overall_achievement_caps_each_target():
    # 6 pieces asked, 200 sold (3,333 %), revenue at 60 %: the quantity cannot hide the revenue
    assert overall_achievement([(200 / 6 * 100, 6), (60.0, 1_000_000)]) == pytest.approx(80.0)


def test_overall_achievement_leaves_out_targets_of_zero_and_counts_missing_as_zero():
    assert overall_achievement([(None, 10), (50.0, 0), (100.0, 5)]) == pytest.approx(50.0)
    assert overall_achievement([]) is None
    assert overall_achievement([(80.0, 0)]) is None


def test_rebate_reads_the_capped_figure():
    achieved = overall_achievement([(2000.0, 6), (50.0, 100)])
    assert rebate(1000.0, achieved, [(80.0, 1.0), (100.0, 2.0)]) == (0.0, 0.0)


def test_prorated_targets_add_up_to_the_yearly_target():
    slices = slice_periods(date(2026, 7, 1), date(2027, 6, 30), "year")
    targets = [prorated_target(1_000_000, item["share"]) for item in slices]
    assert targets == [504109.59, 495890.41]
    assert sum(targets) == pytest.approx(1_000_000, abs=0.001)
    quarters = slice_periods(date(2026, 1, 1), date(2026, 12, 31), "quarter")
    assert [prorated_target(1_000_000, item["share"]) for item in quarters] == [1_000_000.0] * 4


def test_potential_of_a_new_customer_is_flagged_as_new():
    frame = pd.DataFrame(
        {
            "tier": ["c", "b"],
            "account_class": ["general", "key"],
            "growth": [100.0, 41.0],
            "revenue": [5000.0, 1410.0],
            "revenue_previous": [0.0, 1000.0],
        },
        index=[1, 2],
    )
    found = detect_anomalies(frame, DEFAULT_SETTINGS)
    assert found[1] == [("potential", {"growth": 100.0, "new": True})]
    assert found[2] == [("potential", {"growth": pytest.approx(41.0)})]
    assert not np.isnan(found[2][0][1]["growth"])
