import math

import numpy as np
import pandas as pd
import pytest
from cr_engine import tiering
from cr_engine.tiering import (
    DEFAULT_SETTINGS,
    TieringError,
    check_criteria,
    detect_anomalies,
    evaluate,
    growth_percent,
    lifecycle_stage,
    lifecycle_stages,
    minmax_scale,
    normalise,
    percentile_rank,
    propose_classes,
    quadrants,
    rating_score,
    score_customers,
    tier_by_pareto,
    tier_by_rank_share,
    tier_by_threshold,
    weighted_rating_total,
)

S = DEFAULT_SETTINGS


# --- normalisation ------------------------------------------------------------------------
def test_percentile_rank_spreads_0_to_100_and_shares_ties():
    ranks = percentile_rank([10, 20, 20, 40])
    assert list(ranks) == [0.0, 50.0, 50.0, 100.0]


def test_percentile_rank_of_a_single_customer_is_100_and_nan_stays_nan():
    assert list(percentile_rank([5.0])) == [100.0]
    ranks = percentile_rank([1.0, np.nan, 3.0])
    assert ranks[0] == 0.0 and math.isnan(ranks[1]) and ranks[2] == 100.0


def test_minmax_clips_to_bounds_and_refuses_empty_range():
    assert list(minmax_scale([0, 50, 100, 150, -10], 0, 100)) == [0.0, 50.0, 100.0, 100.0, 0.0]
    with pytest.raises(TieringError):
        minmax_scale([1, 2], 5, 5)


def test_lower_is_better_flips_the_scale():
    assert list(normalise([0, 30, 60], "minmax", 0, 60, lower_is_better=True)) == [100.0, 50.0, 0.0]
    assert list(normalise([3, 1, 2], "percentile", lower_is_better=True)) == [0.0, 100.0, 50.0]


def test_rating_maps_1_to_0_and_5_to_100():
    assert list(rating_score([1, 2, 3, 4, 5])) == [0.0, 25.0, 50.0, 75.0, 100.0]


def test_weighted_rating_total_reproduces_hand_arithmetic():
    # 5x5 + 4x4 + 3x5 + 2x3 + 1x4 = 66
    assert weighted_rating_total([5, 4, 3, 2, 1], [5, 4, 5, 3, 4]) == 66.0
    assert weighted_rating_total([5, 4], [5, None]) == 25.0


# --- criteria and scores ----------------------------------------------------------------------
def test_policy_without_criteria_or_weights_is_refused():
    with pytest.raises(TieringError, match="no criteria"):
        check_criteria([])
    with pytest.raises(TieringError, match="zero"):
        check_criteria([{"weight": 0}, {"weight": 0.0}])
    with pytest.raises(TieringError, match="negative"):
        check_criteria([{"weight": -1}, {"weight": 2}])


def _rated_criteria(weights):
    return [{"id": f"r{i}", "kind": "rated", "weight": w} for i, w in enumerate(weights)]


def test_score_is_the_weighted_mean_of_the_breakdown_and_rating_total_matches():
    criteria = _rated_criteria([5, 4, 3, 2, 1])
    measures = pd.DataFrame(index=[1])
    ratings = pd.DataFrame({"r0": [5], "r1": [4], "r2": [5], "r3": [3], "r4": [4]}, index=[1])
    scores, breakdown, total = score_customers(measures, ratings, criteria)
    assert total[1] == 66.0
    expected = (5 * 100 + 4 * 75 + 3 * 100 + 2 * 50 + 1 * 75) / 15
    assert scores[1] == pytest.approx(expected)
    assert breakdown.loc[1, "r3"] == 50.0


def test_missing_rating_is_left_out_not_counted_as_zero():
    criteria = [
        {"id": "rev", "kind": "measured", "measure": "revenue", "weight": 1, "method": "minmax", "low": 0, "high": 100},
        {"id": "r", "kind": "rated", "weight": 1},
    ]
    measures = pd.DataFrame({"revenue": [80.0, 80.0]}, index=[1, 2])
    ratings = pd.DataFrame({"r": [5.0]}, index=[1])
    scores, _breakdown, _total = score_customers(measures, ratings, criteria)
    assert scores[1] == 90.0  # (80 + 100) / 2
    assert scores[2] == 80.0  # rating missing: revenue alone


def test_negative_revenue_counts_as_zero_for_scores():
    criteria = [
        {"id": "rev", "kind": "measured", "measure": "revenue", "weight": 1, "method": "minmax", "low": 0, "high": 10}
    ]
    scores, _b, _t = score_customers(pd.DataFrame({"revenue": [-50.0, 5.0]}, index=[1, 2]), None, criteria)
    assert list(scores) == [0.0, 50.0]


# --- tiers -------------------------------------------------------------------------------------
def test_threshold_tiers_include_the_boundary():
    tiers = tier_by_threshold([70, 69.99, 40, 39.9], 70, 40)
    assert list(tiers) == ["a", "b", "b", "c"]
    with pytest.raises(TieringError):
        tier_by_threshold([1], 40, 70)


def test_rank_share_top_10_percent_a_next_20_b():
    scores = pd.Series(range(100, 0, -1), index=range(100), dtype=float)
    tiers = tier_by_rank_share(scores, 10, 20)
    assert (tiers == "a").sum() == 10
    assert (tiers == "b").sum() == 20
    assert (tiers == "c").sum() == 70
    assert tiers[0] == "a" and tiers[10] == "b" and tiers[30] == "c"


def test_rank_share_ties_share_the_better_tier_and_single_customer_is_a():
    tiers = tier_by_rank_share(pd.Series([90, 80, 80, 10], index=list("wxyz"), dtype=float), 25, 25)
    assert list(tiers) == ["a", "b", "b", "c"]
    assert list(tier_by_rank_share(pd.Series([3.0]), 10, 20)) == ["a"]


def test_pareto_first_70_percent_of_revenue_is_a():
    revenue = pd.Series([500, 200, 150, 100, 50, 0], index=list("abcdef"), dtype=float)
    tiers = tier_by_pareto(revenue, 70, 90)
    # cumulative before: a 0 %, b 50 %, c 70 %, d 85 %, e 95 %
    assert dict(tiers) == {"a": "a", "b": "a", "c": "b", "d": "b", "e": "c", "f": "c"}


def test_pareto_with_ties_and_without_revenue():
    revenue = pd.Series([100, 100, 0], index=[1, 2, 3], dtype=float)
    assert list(tier_by_pareto(revenue, 40, 90)) == ["a", "a", "c"]
    assert list(tier_by_pareto(pd.Series([0.0, -5.0]), 70, 90)) == ["c", "c"]
    assert list(tier_by_pareto(pd.Series([10.0]), 70, 90)) == ["a"]


# --- lifecycle, classes, quadrants ------------------------------------------------------------
def test_growth_handles_empty_comparison_window():
    growth = growth_percent([120, 50, 0, 0], [100, 0, 0, 40])
    assert list(growth) == [20.0, 100.0, 0.0, -100.0]


@pytest.mark.parametrize(
    ("first", "last", "growth", "stage"),
    [
        (None, None, 0, "prospect"),
        (40, 13, 0, "lost"),
        (40, 12, 0, "lost"),
        (5, 1, 300, "identification"),
        (30, 1, -25, "decline"),
        (30, 1, 15, "development"),
        (30, 1, 5, "stable"),
    ],
)
def test_lifecycle_rules(first, last, growth, stage):
    assert lifecycle_stage(first, last, growth, S) == stage


def test_vectorised_lifecycle_agrees_with_the_rule():
    frame = pd.DataFrame(
        {
            "months_since_first": [np.nan, 40, 5, 30, 30, 30],
            "months_since_last": [np.nan, 13, 1, 1, 1, 1],
            "growth": [np.nan, 0, 300, -25, 15, 5],
        }
    )
    assert list(lifecycle_stages(frame, S)) == [
        "prospect",
        "lost",
        "identification",
        "decline",
        "development",
        "stable",
    ]


def test_class_proposals():
    tiers = pd.Series(["a", "a", "b", "c", "c", "c"])
    has_orders = [True, True, True, True, False, False]
    rating = [np.nan, np.nan, np.nan, np.nan, 80.0, 20.0]
    agreement = [True, False, False, False, False, False]
    classes = propose_classes(tiers, has_orders, rating, agreement, S)
    assert list(classes) == ["strategic", "key", "key", "general", "potential", "general"]


def test_quadrants():
    assert list(quadrants([80, 80, 20, 20], [80, 20, 80, 20])) == ["core", "at_risk", "develop", "marginal"]


# --- anomalies ---------------------------------------------------------------------------------
def test_anomalies_each_rule():
    frame = pd.DataFrame(
        {
            "tier": ["a", "b", "b", "c", "a"],
            "account_class": ["key", "key", "general", "general", "key"],
            "growth": [-35.0, 0.0, 0.0, 45.0, 45.0],
            "revenue": [65.0, 10.0, 10.0, 10.0, 10.0],
            "revenue_previous": [100.0, 10.0, 10.0, 7.0, 7.0],
            "complaints": [0, 4, 4, 0, 0],
            "breadth": [5, 5, 1, 5, 5],
            "peer_breadth": [5, 5, 4, 5, 5],
        },
        index=[1, 2, 3, 4, 5],
    )
    found = detect_anomalies(frame, S)
    assert found[1] == [("tier_drop", {"drop": 35.0})]
    assert found[2] == [("complaints", {"count": 4})]
    assert 3 not in found or all(code != "complaints" for code, _v in found[3])  # general class
    assert found[3] == [("cross_sell", {"breadth": 1, "peer": 4.0})]
    assert found[4] == [("potential", {"growth": 45.0})]
    assert 5 not in found  # an A customer growing fast is not "potential"


# --- end to end -------------------------------------------------------------------------------
def test_evaluate_end_to_end():
    measures = pd.DataFrame(
        {
            "revenue": [1000.0, 500.0, 100.0, 0.0],
            "revenue_previous": [800.0, 900.0, 100.0, 0.0],
            "order_count": [12, 6, 2, 0],
            "months_since_first": [30, 30, 30, np.nan],
            "months_since_last": [0, 1, 2, np.nan],
            "relationship_years": [2.5, 2.5, 2.5, np.nan],
            "regularity": [1.0, 0.5, 0.2, np.nan],
            "breadth": [4, 1, 4, 0],
            "industry": [1, 1, 1, 1],
        },
        index=[11, 12, 13, 14],
    )
    criteria = [
        {"id": 1, "kind": "measured", "measure": "revenue", "weight": 3, "method": "percentile"},
        {"id": 2, "kind": "measured", "measure": "order_count", "weight": 1, "method": "percentile"},
        {"id": 3, "kind": "rated", "weight": 1},
    ]
    ratings = pd.DataFrame({3: [5.0]}, index=[14])
    settings = {"tier_method": "pareto", "pareto_a": 60, "pareto_b": 90}
    result, breakdown, anomalies = evaluate(measures, ratings, criteria, settings, has_agreement={11})
    assert list(result["tier"]) == ["a", "b", "c", "c"]
    assert list(result["account_class"]) == ["strategic", "key", "general", "potential"]
    assert list(result["lifecycle"]) == ["development", "decline", "stable", "prospect"]
    assert result.loc[11, "score"] == 100.0
    assert tiering.breakdown_of(breakdown, 11) == {1: 100.0, 2: 100.0}
    assert tiering.breakdown_of(breakdown, 14) == {1: 0.0, 2: 0.0, 3: 100.0}
    assert result.loc[14, "rating_total"] == 5.0
    assert [code for code, _v in anomalies[12]] == ["cross_sell"]
    assert result["quadrant"].isin(tiering.QUADRANTS).all()
    assert not result[["score", "contribution", "loyalty"]].isna().any().any()


# --- what the first mutation run found unpinned (issue 19) ----------------------------------
def _measured(measure, method="percentile", weight=1, **extra):
    return {"id": measure, "kind": "measured", "measure": measure, "weight": weight, "method": method, **extra}


def test_lower_is_better_criteria_score_the_fewest_complaints_highest():
    measures = pd.DataFrame({"complaints": [0, 2, 5], "punctuality": [10.0, 20.0, 30.0]}, index=[1, 2, 3])
    scores, _b, _t = score_customers(measures, None, [_measured("complaints", lower_is_better=True)])
    assert list(scores) == [100.0, 50.0, 0.0]
    # Days late between 10 and 30, lower is better: 10 -> 100, 20 -> 50, 30 -> 0.
    criterion = _measured("punctuality", "minmax", low=10, high=30, lower_is_better=True)
    scores, _b, _t = score_customers(measures, None, [criterion])
    assert list(scores) == [100.0, 50.0, 0.0]


def test_minmax_with_a_lower_bound_above_zero():
    assert list(minmax_scale([20, 30, 40, 10, 50], 20, 40)) == [0.0, 50.0, 100.0, 0.0, 100.0]
    assert list(normalise([25.0], "minmax", 20, 40)) == [25.0]
    for low, high in ((None, 10), (0, None), (10, 5)):
        with pytest.raises(TieringError):
            minmax_scale([1.0], low, high)
    with pytest.raises(TieringError, match="Unknown normalisation"):
        normalise([1.0], "zscore")


def test_customer_without_any_usable_criterion_scores_zero_not_nan():
    measures = pd.DataFrame({"margin": [40.0, np.nan]}, index=[1, 2])
    scores, breakdown, _t = score_customers(measures, None, [_measured("margin", "minmax", low=0, high=80)])
    assert list(scores) == [50.0, 0.0]
    assert tiering.breakdown_of(breakdown, 2) == {}
    # A measure nobody has (no column at all) leaves the others to decide.
    criteria = [_measured("margin", "minmax", low=0, high=80), _measured("breadth")]
    scores, _b, _t = score_customers(measures, None, criteria)
    assert list(scores) == [50.0, 0.0]


def test_zero_weight_criterion_is_ignored():
    measures = pd.DataFrame({"revenue": [10.0, 20.0], "margin": [90.0, 0.0]}, index=[1, 2])
    criteria = [_measured("revenue"), _measured("margin", weight=0)]
    scores, breakdown, _t = score_customers(measures, None, criteria)
    assert list(scores) == [0.0, 100.0]
    assert list(breakdown.columns) == ["revenue"]


def test_rated_criterion_without_ratings_is_left_out():
    measures = pd.DataFrame({"revenue": [10.0, 20.0]}, index=[1, 2])
    criteria = [_measured("revenue"), {"id": "r", "kind": "rated", "weight": 3}]
    for ratings in (None, pd.DataFrame({"other": [5.0]}, index=[1])):
        scores, _b, total = score_customers(measures, ratings, criteria)
        assert list(scores) == [0.0, 100.0]
        assert list(total) == [0.0, 0.0]
    scores, _b, total = score_customers(measures, pd.DataFrame({"r": [3.0]}, index=[2]), criteria)
    # Customer 2: revenue 100 (weight 1) and rating 3 -> 50 (weight 3): (100 + 150) / 4.
    assert list(scores) == [0.0, 62.5]
    assert list(total) == [0.0, 9.0]


def test_negative_revenue_counts_as_zero_for_percentile_scores_and_contribution():
    measures = pd.DataFrame({"revenue": [-100.0, -50.0, 0.0, 10.0]}, index=[1, 2, 3, 4])
    scores, _b, _t = score_customers(measures, None, [_measured("revenue")])
    # Three customers at 0 share ranks 1-3 (mean 2): (2 - 1) / 3 x 100; the last is 100.
    assert list(scores) == pytest.approx([100 / 3, 100 / 3, 100 / 3, 100.0])
    contribution, loyalty = tiering.contribution_loyalty(measures)
    assert list(contribution) == pytest.approx([100 / 3, 100 / 3, 100 / 3, 100.0])
    assert list(loyalty) == [0.0, 0.0, 0.0, 0.0]


def test_satisfaction_is_part_of_loyalty():
    measures = pd.DataFrame({"relationship_years": [1.0, 2.0, 3.0], "regularity": [0.2, 0.4, 0.6]}, index=[1, 2, 3])
    # Years and regularity rank 0 / 50 / 100; satisfaction is clipped to 0-100.
    _c, loyalty = tiering.contribution_loyalty(measures, satisfaction=[90.0, 150.0, -10.0])
    assert list(loyalty) == pytest.approx([30.0, 200 / 3, 200 / 3])
    _c, loyalty = tiering.contribution_loyalty(measures, satisfaction=[np.nan, 100.0, 0.0])
    assert list(loyalty) == pytest.approx([0.0, 200 / 3, 200 / 3])
    _c, loyalty = tiering.contribution_loyalty(measures, satisfaction=[np.nan] * 3)
    assert list(loyalty) == pytest.approx([0.0, 50.0, 100.0])
    contribution, loyalty = tiering.contribution_loyalty(pd.DataFrame(index=[1, 2]), satisfaction=[70.0, 20.0])
    assert list(loyalty) == [70.0, 20.0]
    assert list(contribution) == [0.0, 0.0]  # nothing to judge the contribution by


def test_each_tier_method_is_the_one_applied():
    scores = pd.Series([90.0, 80.0, 10.0], index=[1, 2, 3])
    revenue = pd.Series([10.0, 20.0, 970.0], index=[1, 2, 3])
    settings = {**S, "share_a": 30.0, "share_b": 30.0}
    assert list(tiering.assign_tiers(scores, revenue, {**settings, "tier_method": "threshold"})) == ["a", "a", "c"]
    assert list(tiering.assign_tiers(scores, revenue, {**settings, "tier_method": "rank_share"})) == ["a", "b", "c"]
    # Pareto on revenue: 970 of 1000 comes first.
    assert list(tiering.assign_tiers(scores, revenue, {**settings, "tier_method": "pareto"})) == ["c", "c", "a"]
    settings.pop("tier_method")
    assert list(tiering.assign_tiers(scores, revenue, settings)) == ["a", "a", "c"]
    with pytest.raises(TieringError):
        tiering.assign_tiers(scores, revenue, {**settings, "tier_method": "abc"})


def test_tier_limits():
    assert list(tier_by_threshold([50, 49.9], 50, 50)) == ["a", "c"]
    # Pareto: exactly at the A share is no longer A, exactly at the B share no longer B.
    assert list(tier_by_pareto(pd.Series([60.0, 30.0, 10.0]), 60, 90)) == ["a", "b", "c"]
    for share_a, share_b in ((80, 70), (-1, 50), (50, 101)):
        with pytest.raises(TieringError):
            tier_by_pareto(pd.Series([1.0]), share_a, share_b)
    # Rank shares: 0 % gives no A; shares may add up to exactly 100 %.
    assert list(tier_by_rank_share(pd.Series([5.0, 3.0]), 0, 50)) == ["b", "c"]
    assert list(tier_by_rank_share(pd.Series([5.0, 3.0]), 50, 50)) == ["a", "b"]
    assert tier_by_rank_share(pd.Series([], dtype=float), 10, 20).empty
    for share_a, share_b in ((60, 41), (-1, 10), (10, -1)):
        with pytest.raises(TieringError):
            tier_by_rank_share(pd.Series([1.0]), share_a, share_b)


def test_percentile_rank_of_two_and_of_none():
    assert list(percentile_rank([7.0, 3.0])) == [100.0, 0.0]
    assert percentile_rank([]).empty
    assert percentile_rank([np.nan, np.nan]).isna().all()
    assert weighted_rating_total([2, 3], [float("nan"), 4]) == 12.0


def test_growth_against_a_negative_comparison_window():
    # From -100 (refunds) to +50: 150 gained on a base of 100.
    assert list(growth_percent([50.0, np.nan], [-100.0, 10.0])) == [150.0, -100.0]


@pytest.mark.parametrize(
    ("first", "last", "growth", "stage"),
    [
        (40, 11, 0, "stable"),
        (11, 12, 50, "lost"),
        (11, 1, -50, "identification"),
        (12, 1, 0, "stable"),
        (30, 1, -20, "decline"),
        (30, 1, -19.99, "stable"),
        (30, 1, 10, "development"),
        (30, 1, 9.99, "stable"),
    ],
)
def test_lifecycle_boundaries(first, last, growth, stage):
    assert lifecycle_stage(first, last, growth, S) == stage
    frame = pd.DataFrame({"months_since_first": [first], "months_since_last": [last], "growth": [growth]})
    assert list(lifecycle_stages(frame, S)) == [stage]


def test_lifecycle_without_growth_or_with_custom_limits():
    frame = pd.DataFrame(
        {"months_since_first": [30, 30, np.nan], "months_since_last": [1, np.nan, 1], "growth": np.nan}
    )
    assert list(lifecycle_stages(frame, S)) == ["stable", "prospect", "prospect"]
    settings = {**S, "lost_months": 6, "identification_months": 3, "decline_threshold": 5, "development_threshold": 5}
    assert lifecycle_stage(10, 6, 0, settings) == "lost"
    assert lifecycle_stage(3, 1, -5, settings) == "decline"
    assert lifecycle_stage(3, 1, 5, settings) == "development"


def test_quadrant_threshold_is_inclusive():
    assert list(quadrants([50, 49.99, 50, 49.99], [50, 50, 49.99, 49.99])) == ["core", "develop", "at_risk", "marginal"]
    assert list(quadrants([60], [60], threshold=70)) == ["marginal"]


def test_class_potential_threshold_is_inclusive():
    tiers = pd.Series(["c", "c", "a"])
    classes = propose_classes(tiers, [False, False, False], [50.0, 49.99, 90.0], [False, False, True], S)
    assert list(classes) == ["potential", "general", "potential"]


def test_anomaly_thresholds():
    frame = pd.DataFrame(
        {
            "tier": ["a", "a", "b", "a", "b", "b", "c", "c", "c", "c", "b", "c", "c"],
            "account_class": ["general"] * 2 + ["strategic", "general", "key", "strategic"] + ["general"] * 7,
            "growth": [-20.0, -19.99, -50.0, -50.0, 0, 0, 0, 0, 0, 0, 30.0, 30.0, 29.9],
            "revenue": [80.0, 80.0, 50.0, 50.0] + [10.0] * 7 + [0.0, 10.0],
            "revenue_previous": [100.0, 100.0, 100.0, 0.0] + [10.0] * 9,
            "complaints": [0, 0, 0, 0, 3, 2, 0, 0, 0, 0, 0, 0, 0],
            "breadth": [np.nan] * 6 + [2, 3, 0, 2] + [np.nan] * 3,
            "peer_breadth": [np.nan] * 6 + [4.0, 4.0, 4.0, 3.9] + [np.nan] * 3,
        },
        index=range(1, 14),
    )
    assert detect_anomalies(frame, S) == {
        1: [("tier_drop", {"drop": 20.0})],
        3: [("tier_drop", {"drop": 50.0})],
        5: [("complaints", {"count": 3})],
        7: [("cross_sell", {"breadth": 2, "peer": 4.0})],
        11: [("potential", {"growth": 30.0})],
    }
    assert detect_anomalies(pd.DataFrame({"tier": ["a"]}, index=[1]), S) == {}


def test_evaluate_judges_by_the_official_tier_and_buyers_peers():
    measures = pd.DataFrame(
        {
            "revenue": [50.0, 100.0, 120.0, 0.0, 0.0],
            "revenue_previous": [100.0, 100.0, 100.0, 0.0, 0.0],
            "months_since_first": [30, 30, 30, np.nan, 30],
            "months_since_last": [1, 1, 1, np.nan, 13],
            "breadth": [1, 5, 6, 0, 0],
            "industry": [1, 1, 1, 1, 1],
            "official_tier": ["a", None, None, None, None],
        },
        index=[1, 2, 3, 4, 5],
    )
    satisfaction = pd.Series([80.0, 80.0, 80.0, np.nan, 0.0], index=measures.index)
    result, _b, anomalies = evaluate(measures, None, [_measured("revenue")], {}, satisfaction=satisfaction)
    # Revenue percentiles: 0 and 0 share 12.5, then 50, 75, 100.
    assert list(result["score"]) == [50.0, 75.0, 100.0, 12.5, 12.5]
    assert list(result["tier"]) == ["b", "a", "a", "c", "c"]
    assert list(result["account_class"]) == ["key", "key", "key", "general", "general"]
    assert list(result["lifecycle"]) == ["decline", "stable", "development", "prospect", "lost"]
    # Contribution: mean of the revenue and growth percentiles (growth -50, 0, 20, -, 0).
    assert list(result["contribution"]) == [25.0, 62.5, 100.0, 12.5, 31.25]
    assert list(result["loyalty"]) == [80.0, 80.0, 80.0, 0.0, 0.0]
    assert list(result["quadrant"]) == ["develop", "core", "core", "marginal", "marginal"]
    assert math.isnan(result.loc[4, "growth"])
    # Officially A and down 50 %; peers are the buyers of the industry (median of 1, 5, 6).
    assert anomalies == {1: [("tier_drop", {"drop": 50.0}), ("cross_sell", {"breadth": 1, "peer": 5.0})]}


def _policy_field_defaults():
    """``default=`` of each field of the tier policy model, read from its source (no Odoo)."""
    import ast
    import pathlib

    source = pathlib.Path(tiering.__file__).resolve().parent.parent / "models" / "customer_tier_policy.py"
    defaults = {}
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            for keyword in node.value.keywords:
                if keyword.arg == "default" and isinstance(keyword.value, ast.Constant):
                    defaults[node.targets[0].id] = keyword.value.value
    return defaults


def test_engine_defaults_are_the_tier_policy_defaults():
    # A caller that leaves a setting out gets what a new tier policy shows in its form.
    policy = _policy_field_defaults()
    assert {key: policy[key] for key in DEFAULT_SETTINGS} == DEFAULT_SETTINGS


def test_pareto_share_of_zero_gives_no_a_customer():
    assert list(tier_by_pareto(pd.Series([60.0, 40.0]), 0, 90)) == ["b", "b"]
    assert list(tier_by_pareto(pd.Series([60.0, 40.0]), 0, 0)) == ["c", "c"]


def test_unknown_agreement_or_orders_count_as_none():
    # Nullable booleans from a join: a missing value is "no agreement" / "no orders".
    tiers = pd.Series(["a", "a", "b"])
    has_orders = pd.array([True, True, pd.NA], dtype="boolean")
    has_agreement = pd.array([pd.NA, True, True], dtype="boolean")
    classes = propose_classes(tiers, has_orders, [np.nan, np.nan, 90.0], has_agreement, S)
    assert list(classes) == ["key", "strategic", "potential"]


def test_rank_shares_of_a_large_customer_base():
    scores = pd.Series(np.arange(2000, 0, -1), dtype=float)
    tiers = tier_by_rank_share(scores, 10, 20)
    assert [(tiers == tier).sum() for tier in "abc"] == [200, 400, 1400]


def test_missing_revenue_is_no_revenue():
    assert list(tier_by_pareto(pd.Series([np.nan, 100.0]), 70, 100)) == ["c", "a"]
    # No revenue in the comparison window (missing) and 50 now: +100 %.
    assert list(growth_percent([50.0], [np.nan])) == [100.0]
    contribution, _loyalty = tiering.contribution_loyalty(pd.DataFrame({"margin": [10.0, np.nan]}))
    assert list(contribution) == [100.0, 0.0]


def test_evaluate_rounds_figures_to_two_decimals():
    measures = pd.DataFrame(
        {
            "revenue": [10.0, 20.0, 30.0, 40.0],
            "revenue_previous": [30.0, 30.0, 30.0, 30.0],
            "months_since_first": [30] * 4,
            "months_since_last": [1] * 4,
            "relationship_years": [1.0, 2.0, 3.0, 4.0],
        },
        index=[1, 2, 3, 4],
    )
    criteria = [_measured("revenue"), {"id": "r", "kind": "rated", "weight": 1}]
    ratings = pd.DataFrame({"r": [4.123]}, index=[1])
    result, breakdown, _a = evaluate(measures, ratings, criteria, {})
    # Revenue percentiles 0, 33.33, 66.67, 100; customer 1 also has rating 4.123 -> 78.075.
    assert list(result["score"]) == [39.04, 33.33, 66.67, 100.0]
    assert list(breakdown["revenue"]) == [0.0, 33.33, 66.67, 100.0]
    assert result.loc[1, "rating_total"] == 4.12
    # Growth -66.67, -33.33, 0, +33.33 %.
    assert list(result["growth"]) == [-66.67, -33.33, 0.0, 33.33]
    # Contribution: mean of the revenue and growth percentiles (the same order): 0, 33.33, ...
    assert list(result["contribution"]) == [0.0, 33.33, 66.67, 100.0]
    assert list(result["loyalty"]) == [0.0, 33.33, 66.67, 100.0]  # relationship years
    # Without revenue columns every customer has none: no growth, C by Pareto.
    result, _b, _a = evaluate(
        measures[["months_since_first", "months_since_last"]], None, criteria, {"tier_method": "pareto"}
    )
    assert list(result["tier"]) == ["c"] * 4
    assert list(result["growth"]) == [0.0] * 4


def test_minmax_below_zero_clips_revenue_only():
    # Bounds -100..100: revenue of -50 counts as 0 (-> 50); growth of -50 % is kept (-> 25).
    measures = pd.DataFrame({"revenue": [-50.0], "growth": [-50.0]}, index=[1])
    for measure, expected in (("revenue", 50.0), ("growth", 25.0)):
        criterion = _measured(measure, "minmax", low=-100, high=100)
        scores, _b, _t = score_customers(measures, None, [criterion])
        assert list(scores) == [expected]


def test_small_revenues_still_count():
    # Revenue kept in thousands: 0.5 and 0.25 are real sales.
    assert list(tier_by_pareto(pd.Series([0.5, 0.25]), 70, 90)) == ["a", "a"]
    frame = pd.DataFrame({"tier": ["b"], "growth": [40.0], "revenue": [0.5], "revenue_previous": [0.3]}, index=[1])
    assert detect_anomalies(frame, S) == {1: [("potential", {"growth": 40.0})]}


def test_no_tier_drop_alert_without_a_known_previous_window():
    frame = pd.DataFrame({"tier": ["a"], "growth": [-50.0], "revenue": [50.0], "revenue_previous": [np.nan]}, index=[1])
    assert detect_anomalies(frame, S) == {}


def test_unknown_methods_are_refused_whatever_their_name():
    measures = pd.DataFrame({"revenue": [1.0, 2.0]}, index=[1, 2])
    for method in ("zscore", "average"):
        with pytest.raises(TieringError):
            score_customers(measures, None, [_measured("revenue", method)])
    scores = pd.Series([1.0, 2.0])
    for method in ("zzz", "abc", "rank"):
        with pytest.raises(TieringError):
            tiering.assign_tiers(scores, scores, {**S, "tier_method": method})


def test_only_an_a_customer_with_an_agreement_is_strategic():
    tiers = pd.Series(["a", "b", "c"])
    classes = propose_classes(tiers, [True, True, True], [np.nan] * 3, [True, True, True], S)
    assert list(classes) == ["strategic", "key", "general"]


def test_refunds_only_are_no_growth_and_no_pareto_share():
    # Nothing last window, refunds now: no growth, not +100 %.
    assert list(growth_percent([-20.0], [0.0])) == [0.0]
    # A refund does not lower the total the shares are taken of: 69.5 + 30.5 = 100.
    assert list(tier_by_pareto(pd.Series([69.5, 30.5, -50.0]), 70, 90)) == ["a", "a", "c"]
    frame = pd.DataFrame({"tier": ["b"], "growth": [40.0], "revenue": [np.nan], "revenue_previous": [0.0]}, index=[1])
    assert detect_anomalies(frame, S) == {}  # no revenue known: not a potential


def test_negative_growth_keeps_its_rank():
    # Only revenue is clipped at 0: growth of -50 % ranks below -20 %.
    measures = pd.DataFrame({"growth": [-50.0, -20.0, 10.0]}, index=[1, 2, 3])
    scores, _b, _t = score_customers(measures, None, [_measured("growth")])
    assert list(scores) == [0.0, 50.0, 100.0]


def test_fractional_ratings_add_up():
    assert weighted_rating_total([1, 2], [4.5, 3.0]) == 10.5


def test_no_tier_drop_alert_on_a_refund_only_history():
    # Last window refunds of 100, this window refunds of 150: "-50 %", but nothing was bought.
    frame = pd.DataFrame({"tier": ["a"], "growth": [-50.0], "revenue": [-150.0], "revenue_previous": [-100.0]})
    assert detect_anomalies(frame, S) == {}


def test_unknown_growth_is_no_growth():
    settings = {
        **S,
        "development_threshold": 1.0,
        "decline_threshold": 1.0,
        "anomaly_drop_threshold": 1.0,
        "high_growth_threshold": 1.0,
    }
    frame = pd.DataFrame({"months_since_first": [30], "months_since_last": [1], "growth": [np.nan]})
    assert list(lifecycle_stages(frame, settings)) == ["stable"]
    frame = pd.DataFrame(
        {"tier": ["a", "b"], "growth": [np.nan, np.nan], "revenue": [10.0, 10.0], "revenue_previous": [10.0, 10.0]}
    )
    assert detect_anomalies(frame, settings) == {}


def test_no_revenue_is_c_even_when_b_goes_up_to_100_percent():
    # 0.76 (nothing ahead) and 0.60 (47 % ahead) are A, 0.26 (84 % ahead) B, 0 stays C: in
    # floats the revenue "ahead" of a 0 would add up to 99.999...%, below the B share.
    assert list(tier_by_pareto(pd.Series([0.6, 0.26, 0.76, 0.0]), 70, 100)) == ["a", "b", "a", "c"]


def test_zero_weight_criterion_listed_first_is_skipped_not_the_end():
    measures = pd.DataFrame({"revenue": [10.0, 20.0], "margin": [90.0, 0.0]}, index=[1, 2])
    scores, breakdown, _t = score_customers(measures, None, [_measured("margin", weight=0), _measured("revenue")])
    assert list(scores) == [0.0, 100.0]
    assert list(breakdown.columns) == ["revenue"]


def test_evaluate_reads_missing_revenue_as_none():
    measures = pd.DataFrame(
        {
            "revenue": [50.0, np.nan],
            "revenue_previous": [np.nan, 20.0],
            "months_since_first": [30, 30],
            "months_since_last": [1, 1],
        },
        index=[1, 2],
    )
    result, _b, _a = evaluate(measures, None, [_measured("revenue")], {"tier_method": "pareto"})
    # Nothing before and 50 now: +100 %; 20 before and nothing now: -100 %.
    assert list(result["growth"]) == [100.0, -100.0]
    assert list(result["tier"]) == ["a", "c"]
    assert list(result["score"]) == [100.0, 0.0]


def test_small_figures_in_thousands_count():
    # Revenue kept in thousands: 0.5 before and nothing now is a drop; 0.5 from nothing is growth.
    frame = pd.DataFrame({"tier": ["a"], "growth": [-100.0], "revenue": [0.0], "revenue_previous": [0.5]}, index=[1])
    assert detect_anomalies(frame, S) == {1: [("tier_drop", {"drop": 100.0})]}
    assert list(growth_percent([0.5], [0.0])) == [100.0]
    measures = pd.DataFrame({"revenue": [0.5, 0.25]}, index=[1, 2])
    scores, _b, _t = score_customers(measures, None, [_measured("revenue")])
    assert list(scores) == [100.0, 0.0]


def test_refunding_customer_is_not_a_potential():
    frame = pd.DataFrame({"tier": ["b"], "growth": [40.0], "revenue": [-5.0], "revenue_previous": [-10.0]}, index=[1])
    assert detect_anomalies(frame, S) == {}


def test_either_missing_history_month_means_prospect():
    assert lifecycle_stage(None, 5, 0, S) == "prospect"
    assert lifecycle_stage(5, None, 0, S) == "prospect"


def test_anomalies_without_a_tier_column_raise_no_tier_drop():
    frame = pd.DataFrame({"account_class": ["key"], "growth": [-50.0], "revenue": [50.0], "revenue_previous": [100.0]})
    assert detect_anomalies(frame, S) == {}


def test_breadth_without_industry_gives_no_cross_sell_alert():
    measures = pd.DataFrame(
        {
            "revenue": [10.0, 20.0],
            "revenue_previous": [10.0, 20.0],
            "months_since_first": [30, 30],
            "months_since_last": [1, 1],
            "breadth": [1, 6],
        },
        index=[1, 2],
    )
    _result, _b, anomalies = evaluate(measures, None, [_measured("revenue")], {})
    assert anomalies == {}


def test_mismatched_weights_and_ratings_are_refused():
    with pytest.raises(ValueError):
        weighted_rating_total([1, 2], [3])
    with pytest.raises(TieringError, match="Unknown normalisation"):
        normalise([1.0], "average")


def test_evaluate_without_a_revenue_column_reads_none_now():
    measures = pd.DataFrame(
        {"revenue_previous": [20.0], "months_since_first": [30], "months_since_last": [1]}, index=[1]
    )
    result, _b, _a = evaluate(measures, None, [_measured("revenue")], {})
    assert list(result["growth"]) == [-100.0]  # 20 before, nothing now
