"""Satisfaction statistics on their edges: band and scale boundaries, shares, findings that
suppress or qualify a figure, and the driver analysis' guards. Expectations are worked by hand
or recomputed with numpy / scipy, never read from the engine."""

import math

import numpy as np
import pandas as pd
import pytest
from cr_engine.satisfaction import (
    alpha_interval,
    analyse,
    bartlett,
    compare_groups,
    driver_correlations,
    factor_analysis,
    item_statistics,
    kmo,
    nps,
    regression,
    reliability,
    satisfaction_level,
    scale_to_100,
    score_answers,
    varimax,
)
from scipy import stats


def _codes(flags):
    return [flag["code"] for flag in flags]


def _factor_data(loadings, n=400, seed=1):
    """Items = sum of loading * factor + unit noise; ``loadings`` {item: (factor, loading)}."""
    rng = np.random.default_rng(seed)
    factors = rng.normal(size=(n, 1 + max(f for f, _w in loadings.values())))
    return pd.DataFrame({item: w * factors[:, f] + rng.normal(size=n) for item, (f, w) in loadings.items()})


# --- scoring ---------------------------------------------------------------------------------
def test_levels_change_exactly_at_60_75_and_90():
    assert satisfaction_level(59.99) == "dissatisfied"
    assert satisfaction_level(60.0) == "average"
    assert satisfaction_level(74.99) == "average"
    assert satisfaction_level(75.0) == "satisfied"
    assert satisfaction_level(89.99) == "satisfied"
    assert satisfaction_level(90.0) == "fully_satisfied"
    assert satisfaction_level(None) is None


def test_answers_beyond_the_scale_end_are_clipped_to_0_100():
    assert scale_to_100(6) == 100.0  # a 6 on a 1-5 question
    assert scale_to_100(0) == 0.0
    assert scale_to_100(6, reverse=True) == 0.0
    with pytest.raises(ValueError):
        scale_to_100(3, 5, 5)


def test_nps_shares_of_promoters_passives_and_detractors():
    # 10, 9: promoters (2); 8, 7, 7: passives (3); 6, 0, 3: detractors (3)
    result = nps([10, 9, 8, 7, 7, 6, 0, 3])
    assert result["promoters"] == pytest.approx(2 / 8)
    assert result["passives"] == pytest.approx(3 / 8)
    assert result["detractors"] == pytest.approx(3 / 8)
    assert result["nps"] == pytest.approx((2 - 3) / 8 * 100)
    assert result["n"] == 8


def test_a_negative_recommend_answer_is_refused():
    refused = nps([-1, 5, 9])
    assert refused["nps"] is None
    assert refused["flags"] == [{"code": "recommend_out_of_scale", "low": -1.0, "high": 9.0}]
    assert nps([0, 10])["nps"] == pytest.approx(0.0)  # both ends of the scale are fine


def test_top_two_box_starts_at_75_and_two_answers_have_a_spread():
    rows = item_statistics(pd.DataFrame({"q": [74.0, 75.0, 100.0, 50.0], "r": [60.0, 80.0, None, None]}))
    assert rows[0]["top2"] == pytest.approx(2 / 4)  # 74 is below a 4 on 1-5; 75 is a 4
    assert rows[1]["n"] == 2
    assert rows[1]["std"] == pytest.approx(math.sqrt(((60 - 70) ** 2 + (80 - 70) ** 2) / 1))
    single = item_statistics(pd.DataFrame({"q": [60.0, None]}))[0]
    assert single["mean"] == 60.0 and single["std"] is None


def test_an_overall_question_tagged_with_a_dimension_is_not_one_of_its_items():
    lines = pd.DataFrame(
        [
            (1, "q1", "quality", 1.0, "item", 80.0, 4),
            (1, "ov", "quality", 1.0, "overall", 0.0, 1),
            (1, "nps", "quality", 1.0, "recommend", 100.0, 10),
        ],
        columns=["response", "item", "dimension", "item_weight", "role", "value", "raw"],
    )
    responses, dimension_scores = score_answers(lines, {"quality": 1.0})
    assert responses.loc[1, "index"] == 80.0
    assert dimension_scores["score"].tolist() == [80.0]
    assert responses.loc[1, "overall"] == 0.0


def test_a_dimension_without_a_weight_stays_out_of_the_index():
    # "legacy" is not in the weights (an archived dimension): its 0 does not pull the index down
    lines = pd.DataFrame(
        [
            (1, "q1", "quality", 1.0, "item", 90.0, 5),
            (1, "q2", "legacy", 1.0, "item", 0.0, 1),
            (1, "q3", "quality", 0.0, "item", 0.0, 1),  # an item weighted 0 does not count either
        ],
        columns=["response", "item", "dimension", "item_weight", "role", "value", "raw"],
    )
    responses, dimension_scores = score_answers(lines, {"quality": 2.0})
    assert responses.loc[1, "index"] == 90.0
    assert responses.loc[1, "level"] == "fully_satisfied"
    assert dict(zip(dimension_scores["dimension"], dimension_scores["score"], strict=True)) == {
        "legacy": 0.0,
        "quality": 90.0,
    }


# --- reliability ---------------------------------------------------------------------------------
def test_items_without_spread_give_no_alpha_and_say_why():
    constant = pd.DataFrame({"a": [3.0] * 5, "b": [3.0] * 5, "c": [3.0] * 5})
    result = reliability(constant)
    assert result["alpha"] is None and result["low"] is None and result["high"] is None
    assert result["flags"] == [{"code": "no_variance"}]
    assert all(row["alpha_if_deleted"] is None and row["item_total"] is None for row in result["items"])
    # two items that cancel out exactly: the total never varies
    opposed = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [4.0, 3.0, 2.0, 1.0]})
    result = reliability(opposed)
    assert result["alpha"] is None and result["low"] is None
    assert result["flags"] == [{"code": "no_variance"}]


def test_a_good_scale_on_enough_answers_carries_no_warning():
    data = _factor_data({"a": (0, 2.0), "b": (0, 2.0), "c": (0, 2.0)}, n=30, seed=3)
    complete_alpha = 3 / 2 * (1 - data.var(ddof=1).sum() / data.sum(axis=1).var(ddof=1))
    assert complete_alpha > 0.7  # the data are a reliable scale
    result = reliability(data)
    assert result["alpha"] == pytest.approx(complete_alpha, abs=1e-12)
    assert result["flags"] == []
    fewer = reliability(data.iloc[:29])
    assert {"code": "small_sample", "statistic": "alpha", "n": 29, "needed": 30} in fewer["flags"]
    assert "alpha_low" not in _codes(fewer["flags"])


def test_feldt_interval_defaults_to_95_percent():
    f_high = stats.f.ppf(0.975, 49, 49 * 3)
    f_low = stats.f.ppf(0.025, 49, 49 * 3)
    low, high = alpha_interval(0.8, 50, 4)
    assert low == pytest.approx(1 - 0.2 * f_high, abs=1e-12)
    assert high == pytest.approx(1 - 0.2 * f_low, abs=1e-12)
    assert alpha_interval(0.8, 2, 4) == (None, None)
    assert alpha_interval(0.8, 50, 1) == (None, None)


def test_only_items_answered_by_at_most_half_are_named_sparse():
    data = _factor_data({"a": (0, 2.0), "b": (0, 2.0), "c": (0, 2.0)}, n=20, seed=8)
    data.loc[:5, "b"] = np.nan  # b answered by 14 of 20: not sparse
    data.loc[10:, "c"] = np.nan  # c answered by 10 of 20, half: sparse
    result = reliability(data)
    assert result["n"] == 4 and result["alpha"] is not None  # rows 6 to 9 answered all three
    sparse = [flag for flag in result["flags"] if flag["code"] == "sparse_item"]
    assert sparse == [{"code": "sparse_item", "item": "c", "n": 10, "total": 20}]
    # one more answer to c: nobody is sparse any more
    data.loc[10, "c"] = 50.0
    assert "sparse_item" not in _codes(reliability(data)["flags"])


# --- KMO, Bartlett, factors ----------------------------------------------------------------------
def test_a_constant_item_is_named_and_blocks_kmo_bartlett_and_factors():
    data = _factor_data({"a": (0, 1.0), "b": (0, 1.0), "c": (0, 1.0)}, n=50, seed=2)
    data["fixed"] = 4.0
    assert kmo(data)["kmo"] is None
    assert kmo(data)["flags"] == [{"code": "constant_items", "items": ["fixed"]}]
    assert bartlett(data)["chi2"] is None
    result = factor_analysis(data)
    assert result["n_factors"] == 0
    assert {"code": "constant_items", "items": ["fixed"]} in result["flags"]


def test_as_many_answers_as_items_is_too_few_for_kmo():
    data = _factor_data({"a": (0, 1.0), "b": (0, 1.0), "c": (0, 1.0)}, n=3, seed=4)
    assert kmo(data)["flags"] == [{"code": "fewer_answers_than_items", "n": 3, "k": 3}]
    assert bartlett(data)["chi2"] is None
    assert kmo(_factor_data({"a": (0, 1.0), "b": (0, 1.0), "c": (0, 1.0)}, n=4, seed=4))["kmo"] is not None


def test_a_duplicated_item_still_gets_a_kmo():
    data = _factor_data({"a": (0, 1.0), "b": (0, 1.0), "c": (0, 1.0)}, n=40, seed=6)
    data["a_again"] = data["a"]  # the correlation matrix is singular
    result = kmo(data)
    # was NaN: the plain inverse of the singular matrix had a negative diagonal
    assert 0.0 <= result["kmo"] <= 1.0
    assert set(result["msa"]) == {"a", "b", "c", "a_again"}
    assert all(0.0 <= v <= 1.0 for v in result["msa"].values())
    assert result["msa"]["a"] == pytest.approx(result["msa"]["a_again"], abs=1e-9)  # the same item twice


def test_explained_variance_is_each_eigenvalue_over_the_number_of_items():
    data = _factor_data({"a": (0, 1.5), "b": (0, 1.5), "c": (0, 1.5), "d": (1, 1.5), "e": (1, 1.5)}, seed=5)
    eigenvalues = sorted(np.linalg.eigvalsh(np.corrcoef(data.to_numpy(), rowvar=False)), reverse=True)
    result = factor_analysis(data)
    assert result["eigenvalues"] == pytest.approx(eigenvalues, abs=1e-9)
    assert result["explained"] == pytest.approx([v / 5 for v in eigenvalues], abs=1e-9)
    assert result["cumulative"][-1] == pytest.approx(1.0)


def test_every_factor_with_an_eigenvalue_above_one_is_kept():
    # a strong factor (three items) and a weaker one (two items): eigenvalues about 2.4 and 1.4
    data = _factor_data({"a": (0, 1.5), "b": (0, 1.5), "c": (0, 1.5), "d": (1, 0.9), "e": (1, 0.9)}, seed=7)
    eigenvalues = np.linalg.eigvalsh(np.corrcoef(data.to_numpy(), rowvar=False))
    assert any(1.0 < v < 2.0 for v in eigenvalues)
    result = factor_analysis(data)
    assert result["n_factors"] == int((eigenvalues > 1.0).sum()) == 2
    main = {item: int(np.argmax(np.abs(row))) for item, row in result["loadings"].items()}
    assert main["a"] == main["b"] == main["c"] != main["d"] == main["e"]


def test_three_factors_are_rotated_to_simple_structure():
    spec = {f"{group}{i}": (f, 1.5) for f, group in enumerate("xyz") for i in range(3)}
    data = _factor_data(spec, n=500, seed=11)
    result = factor_analysis(data)
    assert result["n_factors"] == 3
    main = {item: int(np.argmax(np.abs(row))) for item, row in result["loadings"].items()}
    assert {main[f"{g}{i}"] for g in "xyz" for i in range(3)} == {0, 1, 2}
    for group in "xyz":
        assert len({main[f"{group}{i}"] for i in range(3)}) == 1
    # rotated: every item loads on its own factor, the cross-loadings are small
    for row in result["loadings"].values():
        ordered = sorted(abs(x) for x in row)
        assert ordered[-1] > 0.7 and ordered[-2] < 0.3


def test_varimax_of_one_factor_changes_nothing():
    loadings = np.array([[0.8], [0.7], [-0.6]])
    assert np.array_equal(varimax(loadings), loadings)


@pytest.mark.parametrize("seed", range(6))
def test_each_factor_is_oriented_with_its_largest_loading_positive(seed):
    data = _factor_data({"a": (0, 1.5), "b": (0, -1.5), "c": (0, 1.5), "d": (1, -1.5), "e": (1, -1.5)}, seed=seed)
    loadings = np.array(list(factor_analysis(data)["loadings"].values()))
    for j in range(loadings.shape[1]):
        assert loadings[np.argmax(np.abs(loadings[:, j])), j] > 0


# --- drivers -------------------------------------------------------------------------------------
def test_as_many_answers_as_dimensions_plus_one_is_too_few_for_regression():
    dims = pd.DataFrame({"quality": [1.0, 2.0, 4.0], "delivery": [3.0, 1.0, 2.0]})
    result = regression(dims, pd.Series([2.0, 3.0, 5.0]))
    assert result["r2"] is None and result["coefficients"] == []
    assert result["flags"] == [{"code": "too_few_for_regression", "n": 3, "k": 2}]


def test_a_constant_overall_satisfaction_is_said_so():
    dims = pd.DataFrame({"quality": [1.0, 2.0, 4.0, 3.0, 5.0]})
    result = regression(dims, pd.Series([7.0] * 5))
    assert result["r2"] is None
    assert result["flags"] == [{"code": "overall_constant"}]
    assert driver_correlations(dims, pd.Series([7.0] * 5))[0]["r"] is None


def test_drivers_on_answers_whose_spread_is_exactly_one():
    # deviations -1.5, 0.5, 0.5, 0.5: squares sum to 3 over 3 degrees of freedom, a spread of 1,
    # an ordinary spread and not a special case
    dims = pd.DataFrame({"quality": [3.0, 4.0, 5.0, 4.0], "delivery": [1.0, 5.0, 2.0, 4.0]})
    overall = pd.Series([2.5, 4.5, 4.5, 4.5])
    assert overall.std() == pytest.approx(1.0)
    rows = {row["dimension"]: row for row in driver_correlations(dims, overall)}
    for column in dims:
        r, p = stats.pearsonr(dims[column], overall)
        assert rows[column]["r"] == pytest.approx(r, abs=1e-12)
        assert rows[column]["p"] == pytest.approx(p, abs=1e-12)
    single = pd.DataFrame({"quality": [3.0, 4.0, 5.0]})
    result = regression(single, pd.Series([4.0, 3.0, 5.0]))
    assert result["flags"] == []
    assert result["coefficients"][0]["beta"] == pytest.approx(stats.pearsonr([3, 4, 5], [4, 3, 5])[0])


def test_three_groups_are_compared_and_identical_answers_are_not_tested():
    values = [1, 2, 3, 4, 5, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    groups = list("aaaaabbbbbccccc")
    result = compare_groups(values, groups)
    samples = [values[0:5], values[5:10], values[10:15]]
    assert result["groups"] == 3
    assert result["anova_p"] == pytest.approx(stats.f_oneway(*samples).pvalue, rel=1e-9)
    assert result["kruskal_p"] == pytest.approx(stats.kruskal(*samples).pvalue, rel=1e-9)
    same = compare_groups([5] * 10, list("aaaaabbbbb"))
    assert same == {"anova_p": None, "kruskal_p": None, "groups": 2}


# --- the campaign analysis -------------------------------------------------------------------------
def _campaign(n, seed=12):
    data = _factor_data({f"{g}{i}": (f, 1.0) for f, g in enumerate("ab") for i in range(3)}, n=n, seed=seed)
    data = (data * 10 + 60).clip(0, 100)
    dims = pd.DataFrame({"a": data[["a0", "a1", "a2"]].mean(axis=1), "b": data[["b0", "b1", "b2"]].mean(axis=1)})
    overall = 0.7 * dims["a"] + 0.3 * dims["b"] + np.random.default_rng(seed).normal(size=n) * 3
    recommend = pd.Series(np.clip(np.round(overall / 10), 0, 10))
    return data, dims, overall, recommend


def test_the_few_answers_warning_stops_at_the_minimum():
    data, dims, overall, recommend = _campaign(40)
    for n, expected in ((9, [{"code": "few_answers", "n": 9, "needed": 10}]), (10, []), (40, [])):
        result = analyse(data.iloc[:n], dims.iloc[:n], overall.iloc[:n], recommend.iloc[:n])
        assert result["flags"] == expected


def test_campaign_drivers_dimensions_and_nps_trend():
    data, dims, overall, recommend = _campaign(60)
    dims.iloc[0, 0] = 75.0  # exactly 75 is in the top-2 box
    previous_recommend = pd.Series([10, 9, 3, 8])  # 2 promoters, 1 detractor of 4: +25
    result = analyse(data, dims, overall, recommend, previous_recommend=previous_recommend)
    correlations = {row["dimension"]: row for row in result["correlations"]}
    for column in dims:
        assert correlations[column]["r"] == pytest.approx(stats.pearsonr(dims[column], overall)[0], abs=1e-12)
    by_dimension = {row["dimension"]: row for row in result["dimensions"]}
    assert by_dimension["a"]["top2"] == pytest.approx(float((dims["a"] >= 75).mean()), abs=1e-12)
    assert (dims["a"] == 75).sum() == 1
    shares = recommend.value_counts(normalize=True)
    now = 100 * (shares[shares.index >= 9].sum() - shares[shares.index <= 6].sum())
    assert result["nps"]["nps"] == pytest.approx(now)
    assert result["nps_comparison"] == {"previous": pytest.approx(25.0), "n": 4, "difference": pytest.approx(now - 25)}
    assert result["regression"]["n"] == 60


def test_without_overall_satisfaction_no_regression_is_reported_on_any_answer():
    data, dims, _overall, recommend = _campaign(30)
    result = analyse(data, dims, None, recommend, index=dims.mean(axis=1))
    assert result["regression"] == {"r2": None, "n": 0, "coefficients": [], "flags": []}


# --- collinear and singular inputs, findings on the adequacy statistics ----------------------------
@pytest.mark.parametrize("seed", range(5))
def test_a_duplicated_dimension_is_reported_collinear_without_p_values(seed):
    rng = np.random.default_rng(seed)
    dims = pd.DataFrame({"quality": rng.normal(size=30) * 10 + 60, "delivery": rng.normal(size=30) * 10 + 60})
    dims["quality_again"] = dims["quality"]
    overall = 0.5 * dims["quality"] + 0.5 * dims["delivery"] + rng.normal(size=30)
    result = regression(dims, overall)
    # was: sometimes "collinear", sometimes p-values of 0.9999999 and no finding, by rounding
    assert result["flags"] == [{"code": "collinear"}]
    assert [c["p"] for c in result["coefficients"]] == [None, None, None]
    # the fit itself is still the least-squares fit on the two distinct dimensions
    design = np.column_stack([np.ones(30), dims["quality"], dims["delivery"]])
    residual = overall - design @ np.linalg.lstsq(design, overall, rcond=None)[0]
    expected_r2 = 1 - (residual**2).sum() / ((overall - overall.mean()) ** 2).sum()
    assert result["r2"] == pytest.approx(expected_r2, abs=1e-9)


@pytest.mark.parametrize("seed", range(5))
def test_bartlett_gives_no_statistic_for_a_duplicated_item(seed):
    rng = np.random.default_rng(seed)
    data = pd.DataFrame({"a": rng.normal(size=30) * 10 + 60, "b": rng.normal(size=30) * 10 + 60})
    data["c"] = data["a"]  # determinant 0: was None or, by rounding, chi2 963 and p 0
    assert bartlett(data)["chi2"] is None and bartlett(data)["p"] is None


def test_kmo_asks_for_five_complete_answers_per_item():
    data = _factor_data({f"q{i}": (0, 1.5) for i in range(6)}, n=30, seed=13)
    assert "small_sample" not in _codes(kmo(data)["flags"])  # 30 = 5 x 6
    assert {"code": "small_sample", "statistic": "kmo", "n": 29, "needed": 30} in kmo(data.iloc[:29])["flags"]
    factors = factor_analysis(data.iloc[:29])
    assert {"code": "small_sample", "statistic": "factors", "n": 29, "needed": 30} in factors["flags"]


def test_a_low_kmo_is_said_so_and_a_good_one_is_not():
    rng = np.random.default_rng(21)
    noise = pd.DataFrame(rng.normal(size=(200, 5)), columns=list("vwxyz"))
    corr = np.corrcoef(noise.to_numpy(), rowvar=False)
    partial = -np.linalg.inv(corr) / np.sqrt(np.outer(np.diag(np.linalg.inv(corr)), np.diag(np.linalg.inv(corr))))
    np.fill_diagonal(corr, 0.0)
    np.fill_diagonal(partial, 0.0)
    expected = (corr**2).sum() / ((corr**2).sum() + (partial**2).sum())
    assert expected < 0.6
    result = kmo(noise)
    assert result["kmo"] == pytest.approx(expected, abs=1e-9)
    assert {"code": "kmo_low", "kmo": pytest.approx(expected, abs=1e-9)} in result["flags"]
    strong = _factor_data({f"q{i}": (0, 2.0) for i in range(5)}, n=200, seed=21)
    assert kmo(strong)["kmo"] > 0.6 and kmo(strong)["flags"] == []


def test_no_answer_has_no_mean_and_one_answer_is_its_own_mean():
    from cr_engine.satisfaction import mean_ci

    assert mean_ci([]) == {"mean": None, "n": 0, "low": None, "high": None, "std": None}
    assert mean_ci([float("nan")])["n"] == 0
    assert mean_ci([50.0]) == {"mean": 50.0, "n": 1, "low": None, "high": None, "std": None}


def test_campaign_quadrants_split_importance_and_performance_at_their_means():
    data, dims, overall, recommend = _campaign(60)
    dims["c"] = 0.2 * dims["a"] + 0.8 * np.random.default_rng(5).normal(size=60) * 10 + 50
    result = analyse(data, dims, overall, recommend)
    importance = {c: abs(stats.pearsonr(dims[c], overall)[0]) for c in dims}
    performance = {c: dims[c].mean() for c in dims}
    mean_i = sum(importance.values()) / 3
    mean_p = sum(performance.values()) / 3
    names = {(True, True): "keep_up", (True, False): "concentrate", (False, False): "low_priority"}
    names[(False, True)] = "overkill"
    expected = {c: names[(importance[c] >= mean_i, performance[c] >= mean_p)] for c in dims}
    assert result["quadrants"] == expected
    assert len(set(expected.values())) >= 2  # the split separates the dimensions


# --- rotation, intervals and item statistics against references ----------------------------------
def _varimax_criterion(loadings):
    """Kaiser's raw varimax criterion: the summed variance of each factor's squared loadings."""
    squared = loadings**2
    return float(((squared - squared.mean(axis=0)) ** 2).sum())


@pytest.mark.parametrize("seed", range(4))
def test_varimax_reaches_the_best_rotation_found_by_searching_every_angle(seed):
    from scipy.optimize import minimize_scalar

    loadings = np.random.default_rng(seed).normal(size=(7, 2))

    def rotated(theta):
        c, s = math.cos(theta), math.sin(theta)
        return loadings @ np.array([[c, -s], [s, c]])

    # two factors: every rotation is one angle; grid, then refine around the best
    grid = np.linspace(0.0, math.pi / 2, 2001)
    best = grid[int(np.argmax([_varimax_criterion(rotated(t)) for t in grid]))]
    refined = minimize_scalar(
        lambda t: -_varimax_criterion(rotated(t)), bounds=(best - 0.002, best + 0.002), method="bounded"
    )
    result = varimax(loadings)
    assert _varimax_criterion(result) == pytest.approx(-refined.fun, rel=1e-6)
    assert (result**2).sum(axis=1) == pytest.approx((loadings**2).sum(axis=1), abs=1e-9)


def test_nps_interval_both_ends_by_hand():
    scores = [10, 9, 9, 8, 7, 6, 3, 10, 9, 5]  # 5 promoters, 3 detractors of 10: NPS 20
    result = nps(scores)
    half = stats.norm.ppf(0.975) * math.sqrt((0.5 + 0.3 - 0.2**2) / 10)
    assert result["low"] == pytest.approx((0.2 - half) * 100, abs=1e-9)
    assert result["high"] == pytest.approx((0.2 + half) * 100, abs=1e-9)


def test_an_item_everyone_answers_alike_has_no_item_total_correlation():
    data = _factor_data({"a": (0, 2.0), "b": (0, 2.0), "c": (0, 2.0)}, n=40, seed=14)
    data["same"] = 3.0
    result = reliability(data)
    rows = {row["item"]: row for row in result["items"]}
    assert rows["same"]["item_total"] is None  # not NaN
    complete_alpha = 4 / 3 * (1 - data.var(ddof=1).sum() / data.sum(axis=1).var(ddof=1))
    assert result["alpha"] == pytest.approx(complete_alpha, abs=1e-12)
    r = np.corrcoef(data["a"], data[["b", "c", "same"]].sum(axis=1))[0, 1]
    assert rows["a"]["item_total"] == pytest.approx(r, abs=1e-12)


def test_a_middling_alpha_is_said_to_be_low():
    # two items of one factor, two of another: the scale holds together only partly
    data = _factor_data({"a": (0, 1.0), "b": (0, 1.0), "c": (1, 1.0), "d": (1, 1.0)}, n=300, seed=15)
    alpha = 4 / 3 * (1 - data.var(ddof=1).sum() / data.sum(axis=1).var(ddof=1))
    assert 0.0 < alpha < 0.7
    flags = reliability(data)["flags"]
    assert {"code": "alpha_low", "alpha": pytest.approx(alpha, abs=1e-12)} in flags


def test_one_factor_data_keep_one_factor():
    data = _factor_data({f"q{i}": (0, 1.5) for i in range(5)}, n=300, seed=16)
    eigenvalues = np.linalg.eigvalsh(np.corrcoef(data.to_numpy(), rowvar=False))
    assert (eigenvalues > 1.0).sum() == 1
    result = factor_analysis(data)
    assert result["n_factors"] == 1
    assert all(len(row) == 1 and row[0] > 0.7 for row in result["loadings"].values())


# --- boundaries of the small-sample rules ---------------------------------------------------------
def test_an_alpha_of_exactly_0_7_is_not_low():
    from fractions import Fraction

    data = pd.DataFrame(
        {"a": [25.0, 0.0, 0.0, 100.0, 25.0, 100.0, 100.0], "b": [75.0, 25.0, 25.0, 100.0, 50.0, 25.0, 100.0]}
    )

    def variance(values):
        values = [Fraction(v) for v in values]
        mean = sum(values) / len(values)
        return sum((v - mean) ** 2 for v in values) / (len(values) - 1)

    exact = 2 * (1 - (variance(data["a"]) + variance(data["b"])) / variance(data["a"] + data["b"]))
    assert exact == Fraction(7, 10)
    result = reliability(data)
    assert result["alpha"] == pytest.approx(0.7, abs=1e-12)
    assert "alpha_low" not in _codes(result["flags"])


def test_three_complete_answers_are_enough_for_the_item_statistics():
    data = pd.DataFrame({"a": [1.0, 2.0, 4.0], "b": [2.0, 2.0, 5.0], "c": [1.0, 3.0, 4.0]})
    rows = {row["item"]: row for row in reliability(data)["items"]}
    for item in data:
        rest = data.drop(columns=[item])
        k = 2
        expected = k / (k - 1) * (1 - rest.var(ddof=1).sum() / rest.sum(axis=1).var(ddof=1))
        assert rows[item]["alpha_if_deleted"] == pytest.approx(expected, abs=1e-12)
        assert rows[item]["item_total"] == pytest.approx(np.corrcoef(data[item], rest.sum(axis=1))[0, 1], abs=1e-12)


def test_three_answers_are_enough_for_a_driver_correlation():
    dims = pd.DataFrame({"quality": [60.0, 70.0, 95.0]})
    overall = pd.Series([55.0, 80.0, 90.0])
    row = driver_correlations(dims, overall)[0]
    r, p = stats.pearsonr(dims["quality"], overall)
    assert row["r"] == pytest.approx(r, abs=1e-12) and row["p"] == pytest.approx(p, abs=1e-12)
    assert driver_correlations(dims.iloc[:2], overall.iloc[:2])[0]["r"] is None


def test_two_answers_on_each_side_are_enough_for_a_comparison():
    from cr_engine.satisfaction import compare_means

    result = compare_means([80.0, 90.0], [70.0, 72.0])
    welch = stats.ttest_ind([80.0, 90.0], [70.0, 72.0], equal_var=False)
    assert result["difference"] == pytest.approx(85.0 - 71.0)
    assert result["p"] == pytest.approx(welch.pvalue, rel=1e-12)


def test_a_group_of_four_answers_is_left_out_of_the_segment_test():
    values = [1, 2, 3, 4, 5, 11, 12, 13, 14, 15, 30, 31, 32, 33]
    groups = list("aaaaabbbbbcccc")
    result = compare_groups(values, groups)
    assert result["groups"] == 2
    assert result["anova_p"] == pytest.approx(stats.f_oneway(values[:5], values[5:10]).pvalue, rel=1e-9)


def test_items_nobody_answered_completely_are_not_called_constant():
    data = pd.DataFrame({"a": [80.0, np.nan, 60.0], "b": [np.nan, 70.0, np.nan], "c": [50.0, 40.0, np.nan]})
    assert kmo(data)["flags"] == [{"code": "fewer_answers_than_items", "n": 0, "k": 3}]
    assert "constant_items" not in _codes(factor_analysis(data)["flags"])


def test_index_interval_reaches_the_top_of_the_scale_but_not_beyond():
    dims = pd.DataFrame({"quality": [100.0, 90.0]})
    items = pd.DataFrame({"q1": [100.0, 90.0], "q2": [100.0, 80.0]})
    result = analyse(items, dims, None, pd.Series([10.0, 9.0]), index=pd.Series([100.0, 90.0]))
    half = stats.t.ppf(0.975, 1) * pd.Series([100.0, 90.0]).std() / math.sqrt(2)
    assert 95.0 + half > 100.0
    assert result["index"]["high"] == 100.0
    assert result["index"]["low"] == pytest.approx(95.0 - half)
    assert result["dimensions"][0]["high"] == 100.0


def test_non_positive_weights_leave_their_value_out():
    from cr_engine.satisfaction import weighted_mean

    assert weighted_mean([80.0, 20.0, 50.0], [1.0, -0.5, 0.0]) == 80.0
    assert weighted_mean([80.0, 20.0], [0.0, 0.0]) is None


def test_a_survey_without_dimensions_has_no_driver_regression():
    data, _dims, overall, recommend = _campaign(30)
    result = analyse(data, pd.DataFrame(index=data.index), overall, recommend)
    assert result["regression"] == {"r2": None, "n": 0, "coefficients": [], "flags": []}
    assert result["dimensions"] == [] and result["correlations"] == []


def test_a_dimension_score_just_under_75_is_not_top_two_box():
    data, dims, overall, recommend = _campaign(40)
    dims.iloc[:3, 0] = [74.5, 74.9, 75.0]
    result = analyse(data, dims, overall, recommend)
    top = {row["dimension"]: row["top2"] for row in result["dimensions"]}
    assert top["a"] == pytest.approx(float((dims["a"] >= 75).mean()), abs=1e-12)


def test_two_items_have_a_kmo_of_one_half():
    # with two items the partial correlation is the correlation itself: r2 / (r2 + r2) = 0.5
    data = _factor_data({"a": (0, 1.5), "b": (0, 1.5)}, n=50, seed=17)
    result = kmo(data)
    assert result["kmo"] == pytest.approx(0.5, abs=1e-12)
    assert result["msa"] == {"a": pytest.approx(0.5, abs=1e-12), "b": pytest.approx(0.5, abs=1e-12)}
    r = np.corrcoef(data["a"], data["b"])[0, 1]
    chi2 = -(50 - 1 - (2 * 2 + 5) / 6) * math.log(1 - r**2)
    assert bartlett(data)["chi2"] == pytest.approx(chi2, rel=1e-9) and bartlett(data)["df"] == 1
