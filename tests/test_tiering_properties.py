"""Property-based tests of tier assignment: whatever the scores, revenues and settings, each
customer gets exactly one tier, a better score (or revenue, for Pareto) never gives a worse
tier, and equal figures share a tier. Examples come from the profile chosen in conftest.py."""

import pandas as pd
from cr_engine.tiering import DEFAULT_SETTINGS, TIERS, assign_tiers
from hypothesis import given
from hypothesis import strategies as st

RANK = {tier: rank for rank, tier in enumerate(TIERS)}  # a = 0 is the best

# Steps of 5 make ties frequent; any float in range is allowed too.
figures = st.one_of(st.integers(0, 20).map(lambda n: n * 5.0), st.floats(-50.0, 150.0, allow_nan=False))


@st.composite
def policies(draw):
    method = draw(st.sampled_from(("threshold", "rank_share", "pareto")))
    low, high = sorted(draw(st.lists(st.floats(0.0, 100.0), min_size=2, max_size=2)))
    share_a = draw(st.floats(0.0, 100.0))
    share_b = draw(st.floats(0.0, 100.0 - share_a))
    return {
        **DEFAULT_SETTINGS,
        "tier_method": method,
        "threshold_a": high,
        "threshold_b": low,
        "share_a": share_a,
        "share_b": share_b,
        "pareto_a": low,
        "pareto_b": high,
    }


@st.composite
def customers(draw):
    size = draw(st.integers(1, 30))
    scores = draw(st.lists(figures, min_size=size, max_size=size))
    revenue = draw(st.lists(figures, min_size=size, max_size=size))
    index = draw(st.lists(st.integers(1, 10**6), min_size=size, max_size=size, unique=True))
    return pd.Series(scores, index=index), pd.Series(revenue, index=index)


def _assigned(data, settings):
    scores, revenue = data
    tiers = assign_tiers(scores, revenue, settings)
    # What the method ranks by: the score, or the revenue (negative counts as 0) for Pareto.
    key = revenue.clip(lower=0.0) if settings["tier_method"] == "pareto" else scores
    return tiers, key


@given(customers(), policies())
def test_every_customer_gets_exactly_one_tier(data, settings):
    tiers, key = _assigned(data, settings)
    assert list(tiers.index) == list(key.index)
    assert tiers.isin(TIERS).all()


@given(customers(), policies())
def test_a_better_figure_never_gives_a_worse_tier(data, settings):
    tiers, key = _assigned(data, settings)
    order = key.sort_values(ascending=False, kind="stable").index
    ranks = [RANK[tiers[i]] for i in order]
    assert ranks == sorted(ranks)


@given(customers(), policies())
def test_equal_figures_share_a_tier(data, settings):
    tiers, key = _assigned(data, settings)
    assert (tiers.groupby(key).nunique() == 1).all()


@given(customers(), policies())
def test_tier_shares_and_thresholds_are_respected(data, settings):
    tiers, key = _assigned(data, settings)
    method = settings["tier_method"]
    if method == "threshold":
        assert (key[tiers == "a"] >= settings["threshold_a"]).all()
        assert (key[tiers == "c"] < settings["threshold_b"]).all()
    elif method == "rank_share":
        # Ties may lift a customer into a better tier, never push one out: the customers
        # strictly ahead of any B or C customer already fill the better places.
        for tier, share in (("b", settings["share_a"]), ("c", settings["share_a"] + settings["share_b"])):
            for customer in tiers.index[tiers == tier]:
                ahead = (key > key[customer]).sum()
                assert ahead >= len(key) * share / 100.0 - 1e-6
    else:
        total = key.sum()
        for customer in tiers.index[tiers == "a"]:
            ahead = key[key > key[customer]].sum()
            assert key[customer] > 0 and ahead < settings["pareto_a"] / 100.0 * total + 1e-9
