"""Satisfaction statistics against hand arithmetic and independent implementations."""

import math

import numpy as np
import pandas as pd
import pytest
from cr_engine.satisfaction import (
    bartlett,
    compare_groups,
    compare_means,
    cronbach_alpha,
    driver_correlations,
    factor_analysis,
    importance_performance,
    item_statistics,
    kmo,
    mean_ci,
    nps,
    nps_category,
    regression,
    reliability,
    satisfaction_level,
    scale_to_100,
    varimax,
    weighted_mean,
)

HAND = pd.DataFrame([[2, 3, 3], [4, 4, 5], [3, 3, 4], [5, 4, 4]], columns=["q1", "q2", "q3"], dtype=float)


def _sample_variance(values):
    mean = sum(values) / len(values)
    return sum((v - mean) ** 2 for v in values) / (len(values) - 1)


def _two_factor_data(n=300, seed=7):
    rng = np.random.default_rng(seed)
    f1, f2 = rng.normal(size=n), rng.normal(size=n)
    columns = {}
    for i in range(3):
        columns[f"a{i}"] = f1 + 0.5 * rng.normal(size=n)
    for i in range(3):
        columns[f"b{i}"] = f2 + 0.5 * rng.normal(size=n)
    return pd.DataFrame(columns)


# --- scoring ------------------------------------------------------------------------------
def test_likert_answer_maps_to_0_100_and_reverse_scoring():
    assert [scale_to_100(a) for a in (1, 2, 3, 4, 5)] == [0.0, 25.0, 50.0, 75.0, 100.0]
    assert scale_to_100(2, reverse=True) == 75.0
    assert scale_to_100(7, 0, 10) == 70.0
    assert scale_to_100(None) is None


def test_unanswered_items_are_left_out_not_zero():
    assert weighted_mean([80.0, None, 60.0], [1, 5, 1]) == 70.0
    assert weighted_mean([None, float("nan")], [1, 1]) is None


def test_levels_and_nps_categories():
    assert [satisfaction_level(x) for x in (59.9, 60, 80, 95)] == [
        "dissatisfied",
        "average",
        "satisfied",
        "fully_satisfied",
    ]
    assert [nps_category(s) for s in (10, 9, 8, 7, 6, 0)] == [
        "promoter",
        "promoter",
        "passive",
        "passive",
        "detractor",
        "detractor",
    ]


def test_nps_and_its_interval_by_hand():
    scores = [10, 9, 9, 8, 7, 6, 3, 10, 9, 5]  # 5 promoters, 2 passives, 3 detractors
    result = nps(scores)
    assert result["nps"] == pytest.approx(20.0)
    p, d = 0.5, 0.3
    se = math.sqrt((p + d - (p - d) ** 2) / 10)
    assert result["low"] == pytest.approx((0.2 - 1.959963985 * se) * 100, abs=1e-6)
    assert nps([])["nps"] is None


def test_mean_ci_matches_t_formula_and_single_value():
    result = mean_ci([70, 80, 90])
    assert result["mean"] == 80.0
    assert result["high"] - result["mean"] == pytest.approx(4.302652730 * 10 / math.sqrt(3), abs=1e-6)
    assert mean_ci([50])["low"] is None


def test_item_statistics_top_two_box():
    rows = item_statistics(pd.DataFrame({"q": [100, 75, 50, None]}))
    assert rows[0]["n"] == 3 and rows[0]["mean"] == 75.0 and rows[0]["top2"] == pytest.approx(2 / 3)


# --- reliability ------------------------------------------------------------------------------
def test_cronbach_alpha_matches_the_textbook_formula():
    k = 3
    item_variances = sum(_sample_variance(list(HAND[c])) for c in HAND.columns)
    total_variance = _sample_variance(list(HAND.sum(axis=1)))
    expected = k / (k - 1) * (1 - item_variances / total_variance)
    alpha, n, flags = cronbach_alpha(HAND)
    assert alpha == pytest.approx(expected, abs=1e-9)
    assert n == 4 and flags == []


def test_alpha_if_deleted_and_item_total_correlation():
    result = reliability(HAND)
    first = result["items"][0]
    assert first["alpha_if_deleted"] == pytest.approx(cronbach_alpha(HAND[["q2", "q3"]])[0], abs=1e-9)
    rest = HAND["q2"] + HAND["q3"]
    assert first["item_total"] == pytest.approx(np.corrcoef(HAND["q1"], rest)[0, 1], abs=1e-9)


def test_reliability_flags_instead_of_nan():
    assert cronbach_alpha(HAND.iloc[:1])[0] is None
    constant = pd.DataFrame({"a": [3, 3, 3], "b": [3, 3, 3]}, dtype=float)
    alpha, _n, flags = cronbach_alpha(constant)
    assert alpha is None and flags
    weak = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [5, 3, 1, 4, 2]}, dtype=float)
    assert any(flag["code"] == "alpha_low" for flag in reliability(weak)["flags"])


# --- KMO and Bartlett --------------------------------------------------------------------------
def _partial_correlations_by_regression(data):
    """Partial correlation of each pair controlling for all other items, from the residuals
    of least-squares regressions (independent of the inverse-matrix formula)."""
    z = (data - data.mean()) / data.std(ddof=1)
    k = z.shape[1]
    partial = np.zeros((k, k))
    for i in range(k):
        for j in range(k):
            if i == j:
                continue
            others = [c for c in range(k) if c not in (i, j)]
            x = np.column_stack([np.ones(len(z))] + [z.iloc[:, c] for c in others])
            ri = z.iloc[:, i] - x @ np.linalg.lstsq(x, z.iloc[:, i], rcond=None)[0]
            rj = z.iloc[:, j] - x @ np.linalg.lstsq(x, z.iloc[:, j], rcond=None)[0]
            partial[i, j] = np.corrcoef(ri, rj)[0, 1]
    return partial


def test_kmo_agrees_with_an_independent_partial_correlation_computation():
    data = _two_factor_data()
    corr = np.corrcoef(data.to_numpy(), rowvar=False)
    partial = _partial_correlations_by_regression(data)
    np.fill_diagonal(corr, 0.0)
    expected = (corr**2).sum() / ((corr**2).sum() + (partial**2).sum())
    expected_msa = (corr**2).sum(axis=0) / ((corr**2).sum(axis=0) + (partial**2).sum(axis=0))
    result = kmo(data)
    assert result["kmo"] == pytest.approx(expected, abs=1e-6)
    assert list(result["msa"].values()) == pytest.approx(list(expected_msa), abs=1e-6)


def test_bartlett_against_the_determinant_formula():
    data = _two_factor_data()
    n, k = data.shape
    det = np.linalg.det(np.corrcoef(data.to_numpy(), rowvar=False))
    chi2 = -(n - 1 - (2 * k + 5) / 6) * math.log(det)
    result = bartlett(data)
    assert result["chi2"] == pytest.approx(chi2, rel=1e-9)
    assert result["df"] == 15
    assert result["p"] < 1e-6


def test_kmo_and_factor_analysis_refuse_too_few_answers():
    few = _two_factor_data().iloc[:4]
    assert kmo(few)["kmo"] is None and kmo(few)["flags"] == [{"code": "fewer_answers_than_items", "n": 4, "k": 6}]
    assert factor_analysis(few)["n_factors"] == 0
    assert bartlett(few)["chi2"] is None


# --- factor analysis ---------------------------------------------------------------------------
def test_factor_analysis_finds_the_two_factors_and_explains_variance():
    data = _two_factor_data()
    result = factor_analysis(data)
    assert result["n_factors"] == 2
    assert result["cumulative"][1] == pytest.approx(sum(result["explained"][:2]))
    assert sum(result["eigenvalues"]) == pytest.approx(6.0)
    loadings = result["loadings"]
    main = {item: int(np.argmax(np.abs(row))) for item, row in loadings.items()}
    assert len({main["a0"], main["a1"], main["a2"]}) == 1
    assert len({main["b0"], main["b1"], main["b2"]}) == 1
    assert main["a0"] != main["b0"]
    assert all(max(abs(x) for x in row) > 0.8 for row in loadings.values())


def test_varimax_keeps_communalities_and_raises_the_criterion():
    rng = np.random.default_rng(3)
    loadings = rng.normal(size=(6, 2))
    rotated = varimax(loadings)
    assert (rotated**2).sum(axis=1) == pytest.approx((loadings**2).sum(axis=1), abs=1e-9)

    def criterion(matrix):
        squared = matrix**2
        return float(((squared - squared.mean(axis=0)) ** 2).sum())

    assert criterion(rotated) >= criterion(loadings) - 1e-12


# --- drivers -------------------------------------------------------------------------------------
def test_regression_betas_match_the_correlation_solution():
    rng = np.random.default_rng(11)
    dims = pd.DataFrame(rng.normal(size=(200, 3)), columns=["quality", "delivery", "price"])
    overall = 0.6 * dims["quality"] + 0.3 * dims["delivery"] + 0.1 * rng.normal(size=200)
    result = regression(dims, overall)
    corr = np.corrcoef(np.column_stack([dims.to_numpy(), overall.to_numpy()]), rowvar=False)
    beta = np.linalg.solve(corr[:3, :3], corr[:3, 3])
    assert [c["beta"] for c in result["coefficients"]] == pytest.approx(list(beta), abs=1e-6)
    assert result["r2"] == pytest.approx(float(corr[:3, 3] @ beta), abs=1e-6)
    assert result["coefficients"][0]["p"] < 1e-6
    assert result["coefficients"][2]["p"] > 0.001
    assert sum(c["importance"] for c in result["coefficients"]) == pytest.approx(1.0)


def test_driver_correlations_hand_checked():
    dims = pd.DataFrame({"quality": [1, 2, 3, 4, 5], "price": [3, 3, 3, 3, 3]}, dtype=float)
    overall = pd.Series([2, 4, 6, 8, 11], dtype=float)
    result = {row["dimension"]: row for row in driver_correlations(dims, overall)}
    x, y = dims["quality"], overall
    r = ((x - x.mean()) * (y - y.mean())).sum() / math.sqrt(((x - x.mean()) ** 2).sum() * ((y - y.mean()) ** 2).sum())
    assert result["quality"]["r"] == pytest.approx(r, abs=1e-12)
    assert result["price"]["r"] is None  # constant: no correlation, no NaN


def test_regression_with_too_few_answers_is_flagged():
    dims = pd.DataFrame({"a": [1.0, 2.0], "b": [2.0, 1.0]})
    result = regression(dims, pd.Series([1.0, 2.0]))
    assert result["r2"] is None and result["flags"]


def test_importance_performance_quadrants():
    quadrants = importance_performance(
        {"quality": 0.6, "delivery": 0.3, "price": 0.05, "staff": 0.05},
        {"quality": 90, "delivery": 60, "price": 50, "staff": 85},
    )
    assert quadrants == {
        "quality": "keep_up",
        "delivery": "concentrate",
        "price": "low_priority",
        "staff": "overkill",
    }


# --- comparisons -----------------------------------------------------------------------------------
def test_compare_means_and_groups():
    result = compare_means([80, 82, 85, 90], [70, 72, 71, 69])
    assert result["difference"] == pytest.approx(84.25 - 70.5)
    assert result["p"] < 0.01
    assert compare_means([80], [70, 75])["p"] is None
    groups = compare_groups([1, 2, 3, 4, 5, 11, 12, 13, 14, 15], list("aaaaabbbbb"))
    assert groups["groups"] == 2 and groups["anova_p"] < 0.001
    assert compare_groups([1, 2, 3], list("abc"))["anova_p"] is None


# --- scoring responses and the campaign analysis ---------------------------------------------
def test_score_answers_weights_items_and_dimensions_and_skips_missing():
    from cr_engine.satisfaction import score_answers

    lines = pd.DataFrame(
        [
            # response 1: quality items 100 (w2) and 50 (w1) -> 83.33; delivery 25; missing item ignored
            (1, "q1", "quality", 2.0, "item", 100.0, 5),
            (1, "q2", "quality", 1.0, "item", 50.0, 3),
            (1, "q3", "delivery", 1.0, "item", 25.0, 2),
            (1, "q4", "delivery", 1.0, "item", None, None),
            (1, "nps", None, 1.0, "recommend", 90.0, 9),
            (1, "ov", None, 1.0, "overall", 75.0, 4),
            (2, "q1", "quality", 2.0, "item", 0.0, 1),
            (2, "nps", None, 1.0, "recommend", 60.0, 6),
        ],
        columns=["response", "item", "dimension", "item_weight", "role", "value", "raw"],
    )
    responses, dimension_scores = score_answers(lines, {"quality": 3.0, "delivery": 1.0})
    quality = (100 * 2 + 50) / 3
    assert responses.loc[1, "index"] == pytest.approx((quality * 3 + 25 * 1) / 4)
    assert responses.loc[1, "level"] == "average"  # 68.75
    assert responses.loc[1, "nps_category"] == "promoter"
    assert responses.loc[1, "overall"] == 75.0
    assert responses.loc[2, "index"] == 0.0  # only quality answered: delivery left out, not zero
    assert responses.loc[2, "nps_category"] == "detractor"
    assert len(dimension_scores) == 3


def test_analyse_returns_json_safe_results_even_for_tiny_samples():
    import json

    from cr_engine.satisfaction import analyse

    data = _two_factor_data(n=40) * 10 + 50
    dims = pd.DataFrame({"a": data[["a0", "a1", "a2"]].mean(axis=1), "b": data[["b0", "b1", "b2"]].mean(axis=1)})
    overall = dims.mean(axis=1)
    recommend = pd.Series(np.clip(np.round(overall / 10), 0, 10))
    segments = pd.DataFrame({"tier": ["a"] * 20 + ["b"] * 20})
    result = analyse(data, dims, overall, recommend, segments, {"a": ["a0", "a1", "a2"]}, previous=overall - 5)
    json.dumps(result)  # no NaN, no numpy types
    assert result["n"] == 40
    assert result["reliability_by_dimension"][0]["alpha"] > 0.7
    assert result["comparison"]["difference"] == pytest.approx(5.0)
    assert {g["segment"] for g in result["segments"]["tier"]["groups"]} == {"a", "b"}
    tiny = analyse(data.iloc[:1], dims.iloc[:1], overall.iloc[:1], recommend.iloc[:1])
    json.dumps(tiny)
    assert tiny["reliability"]["alpha"] is None
    assert tiny["flags"]


# --- issue 15: one covariance matrix, n and findings, tiny samples --------------------------------
def _codes(flags):
    return [flag["code"] for flag in flags]


def test_every_reliability_statistic_equals_a_recomputation_on_the_same_complete_cases():
    from cr_engine.satisfaction import dimension_reliability

    data = _two_factor_data(n=120, seed=5)
    data.iloc[3, 1] = np.nan  # two incomplete answers: listwise, like SPSS's item-total statistics
    data.iloc[7, 4] = np.nan
    complete = data.dropna()
    result = reliability(data)
    assert result["n"] == 118 and result["n_total"] == 120 and result["missing"] == "listwise"
    for row in result["items"]:
        rest = complete.drop(columns=[row["item"]])
        assert row["alpha_if_deleted"] == pytest.approx(cronbach_alpha(rest)[0], abs=1e-12)
        r = np.corrcoef(complete[row["item"]], rest.sum(axis=1))[0, 1]
        assert row["item_total"] == pytest.approx(r, abs=1e-12)
    by_dimension = dimension_reliability(data, {"a": ["a0", "a1", "a2"]})[0]
    assert by_dimension["alpha"] == pytest.approx(cronbach_alpha(complete[["a0", "a1", "a2"]])[0], abs=1e-12)
    assert by_dimension["n"] == 118 and by_dimension["k"] == 3
    assert {"code": "listwise", "statistic": "alpha", "n": 118, "total": 120} in result["flags"]


def test_alpha_has_feldts_confidence_interval():
    from scipy import stats as st

    data = _two_factor_data(n=60, seed=9)[["a0", "a1", "a2"]]
    result = reliability(data)
    alpha, n, k = result["alpha"], 60, 3
    f_high = st.f.ppf(0.975, n - 1, (n - 1) * (k - 1))
    f_low = st.f.ppf(0.025, n - 1, (n - 1) * (k - 1))
    assert result["low"] == pytest.approx(1 - (1 - alpha) * f_high, abs=1e-12)
    assert result["high"] == pytest.approx(1 - (1 - alpha) * f_low, abs=1e-12)
    assert result["low"] < alpha < result["high"] <= 1.0


def test_an_item_answered_by_few_is_named_and_n_is_reported():
    data = _two_factor_data(n=60, seed=2) * 10 + 50
    data.loc[5:, "b2"] = np.nan  # answered by 5 of 60 respondents
    result = reliability(data)
    assert result["n"] == 5 and result["n_total"] == 60
    assert {"code": "sparse_item", "item": "b2", "n": 5, "total": 60} in result["flags"]
    assert "small_sample" in _codes(result["flags"])
    adequacy = kmo(data)
    assert adequacy["n"] == 5 and adequacy["n_total"] == 60
    assert adequacy["flags"] == [{"code": "fewer_answers_than_items", "n": 5, "k": 6}]


def test_one_or_two_answers_clip_intervals_and_suppress_what_cannot_be_estimated():
    from cr_engine.satisfaction import analyse

    items = pd.DataFrame({"q1": [100.0, 0.0], "q2": [75.0, 25.0], "q3": [0.0, 100.0]})
    dims = pd.DataFrame({"quality": [100.0, 0.0], "delivery": [0.0, 100.0]})
    index = dims.mean(axis=1) * 0 + pd.Series([90.0, 10.0])
    result = analyse(items, dims, None, pd.Series([10.0, 0.0]), index=index)
    assert 0.0 <= result["index"]["low"] <= result["index"]["high"] <= 100.0
    assert -100.0 <= result["nps"]["low"] <= result["nps"]["high"] <= 100.0
    assert all(0.0 <= d["low"] and d["high"] <= 100.0 for d in result["dimensions"])
    assert result["reliability"]["alpha"] is None  # 2 answers: not estimated (was -1.3)
    assert result["reliability"]["low"] is None
    assert all(row["alpha_if_deleted"] is None for row in result["reliability"]["items"])
    assert result["flags"][0] == {"code": "too_few_to_estimate", "n": 2}
    single = analyse(items.iloc[:1], dims.iloc[:1], None, pd.Series([9.0]), index=index.iloc[:1])
    assert single["nps"]["low"] is None and single["index"]["low"] is None


def test_recommend_answers_outside_0_10_are_refused_not_counted_as_detractors():
    result = nps([5, 5, 5, 4])  # fine: 0-10 answers, all detractors
    assert result["nps"] == -100.0
    refused = nps([5, 5, 11])
    assert refused["nps"] is None and _codes(refused["flags"]) == ["recommend_out_of_scale"]


def test_without_an_overall_question_the_drivers_are_skipped_and_said_so():
    from cr_engine.satisfaction import analyse

    data = _two_factor_data(n=40) * 10 + 50
    dims = pd.DataFrame({"a": data[["a0", "a1", "a2"]].mean(axis=1), "b": data[["b0", "b1", "b2"]].mean(axis=1)})
    result = analyse(data, dims, None, pd.Series([8.0] * 40), index=dims.mean(axis=1))
    assert "no_overall" in _codes(result["flags"])
    assert result["correlations"] == [] and result["regression"]["r2"] is None and result["quadrants"] == {}
    assert result["index"]["n"] == 40


def test_no_factor_is_retained_when_bartlett_does_not_reject_sphericity():
    rng = np.random.default_rng(4)
    noise = pd.DataFrame(rng.normal(size=(40, 4)), columns=list("wxyz"))
    sphericity = bartlett(noise)
    assert sphericity["p"] > 0.05
    result = factor_analysis(noise)
    assert result["n_factors"] == 0 and result["loadings"] == {}
    assert result["flags"][-1] == {"code": "bartlett_not_significant", "p": sphericity["p"]}
    assert len(result["eigenvalues"]) == 4  # still reported


def test_item_statistics_match_pandas_per_item():
    data = _two_factor_data(n=50, seed=3) * 10 + 50
    data.iloc[::7, 2] = np.nan
    for row, column in zip(item_statistics(data), data.columns, strict=True):
        values = data[column].dropna()
        assert row["n"] == len(values)
        assert row["mean"] == pytest.approx(values.mean(), abs=1e-12)
        assert row["std"] == pytest.approx(values.std(ddof=1), abs=1e-12)
        assert row["top2"] == pytest.approx((values >= 75).mean(), abs=1e-12)


def test_significant_segments_are_marked():
    from cr_engine.satisfaction import analyse

    data = _two_factor_data(n=40) * 10 + 50
    dims = pd.DataFrame({"a": data[["a0", "a1", "a2"]].mean(axis=1)})
    index = pd.Series([90.0 + i % 3 for i in range(20)] + [40.0 + i % 3 for i in range(20)])
    segments = pd.DataFrame({"tier": ["a"] * 20 + ["c"] * 20, "region": ["e", "w"] * 20})
    result = analyse(data, dims, index, pd.Series([8.0] * 40), segments, index=index)
    assert result["segments"]["tier"]["test"]["significant"] is True
    assert result["segments"]["region"]["test"]["significant"] is False
