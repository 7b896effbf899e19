"""Customer value tiering: normalisation, weighted scores, tiers, classes, lifecycle, anomalies.

Everything here works on plain data: a pandas DataFrame of measures indexed by customer id,
criterion specs as dicts, and policy settings as a dict. The Odoo models gather the measures
with grouped SQL and write the results back.

Documented behaviour for awkward input
--------------------------------------
* A criterion whose weight is 0 is ignored. When every weight is 0, or there is no criterion,
  ``check_criteria`` raises ``TieringError`` (the policy refuses to run).
* A measured value that is missing for a customer (e.g. no invoice for payment punctuality)
  leaves that criterion out of the customer's weighted mean; so does a missing rating. A
  customer with no usable criterion at all gets a score of 0.
* Revenue below zero (refunds larger than sales) counts as 0 for Pareto and for scores; the
  raw figure is kept.
* Percentile rank of a single customer is 100; equal values share the same percentile.
* Growth with no revenue in the comparison window is +100 % when there is revenue now,
  0 when there is none in either window.
"""

import math

import numpy as np
import pandas as pd

TIERS = ("a", "b", "c")
ACCOUNT_CLASSES = ("strategic", "key", "general", "potential")
LIFECYCLE_STAGES = ("prospect", "identification", "development", "stable", "decline", "lost")
QUADRANTS = ("core", "at_risk", "develop", "marginal")

DEFAULT_SETTINGS = {
    "tier_method": "threshold",
    "threshold_a": 70.0,
    "threshold_b": 40.0,
    "share_a": 10.0,
    "share_b": 20.0,
    "pareto_a": 70.0,
    "pareto_b": 90.0,
    "lost_months": 12,
    "identification_months": 12,
    "decline_threshold": 20.0,
    "development_threshold": 10.0,
    "anomaly_drop_threshold": 20.0,
    "complaint_threshold": 3,
    "cross_sell_max_categories": 2,
    "cross_sell_peer_categories": 4,
    "high_growth_threshold": 30.0,
    "potential_rating_threshold": 50.0,
    "quadrant_threshold": 50.0,
}


class TieringError(ValueError):
    """Input the tiering cannot work with; the message is meant for a person."""


# ---------------------------------------------------------------------------------------
# normalisation and scores
# ---------------------------------------------------------------------------------------
def percentile_rank(values):
    """0-100 percentile rank of each value within the series; NaN stays NaN.

    Ties share the mean rank; a single value gets 100.
    """
    values = pd.Series(values, dtype="float64")
    array = values.to_numpy()
    present = ~np.isnan(array)
    result = np.full(len(array), np.nan)
    count = int(present.sum())
    if count == 1:
        result[present] = 100.0
    elif count > 1:
        # by position, not by label: label alignment costs more than the ranking
        ranks = pd.Series(array[present]).rank(method="average").to_numpy()
        result[present] = (ranks - 1.0) / (count - 1.0) * 100.0
    return pd.Series(result, index=values.index)


def minmax_scale(values, low, high):
    """Linear 0-100 between ``low`` and ``high``, clipped; NaN stays NaN."""
    if high is None or low is None or high <= low:
        raise TieringError("The upper bound must be greater than the lower bound.")
    values = pd.Series(values, dtype="float64")
    return ((values - low) / (high - low) * 100.0).clip(0.0, 100.0)


def normalise(values, method="percentile", low=None, high=None, lower_is_better=False):
    """Normalise measured values to 0-100 by ``method`` ('percentile' or 'minmax')."""
    if method == "percentile":
        scores = percentile_rank(values)
    elif method == "minmax":
        scores = minmax_scale(values, low, high)
    else:
        raise TieringError(f"Unknown normalisation method: {method}")
    return 100.0 - scores if lower_is_better else scores


def rating_score(rating):
    """A 1-5 rating on the 0-100 scale: (r - 1) / 4 * 100."""
    return (pd.Series(rating, dtype="float64") - 1.0) / 4.0 * 100.0


def weighted_rating_total(weights, ratings):
    """Sum of weight x rating over the rated criteria that have a rating (what reviewers read).

    >>> weighted_rating_total([5, 4, 3, 2, 1], [5, 4, 5, 3, 4])
    66.0
    """
    total = 0.0
    for weight, rating in zip(weights, ratings, strict=True):
        if rating is None or (isinstance(rating, float) and math.isnan(rating)):
            continue
        total += float(weight) * float(rating)
    return total


def check_criteria(criteria):
    """Refuse criterion sets that cannot produce a score."""
    if not criteria:
        raise TieringError("The tier policy has no criteria: add at least one weighted criterion.")
    if any(float(c.get("weight") or 0.0) < 0 for c in criteria):
        raise TieringError("Criterion weights cannot be negative.")
    if not any(float(c.get("weight") or 0.0) > 0 for c in criteria):
        raise TieringError("All criterion weights are zero: give at least one criterion a positive weight.")


class RankCache:
    """Percentile ranks of measure columns, computed once per evaluation: the scores and the
    contribution / loyalty scores rank several of the same columns."""

    def __init__(self, measures):
        self.measures = measures
        self.ranks = {}

    def __call__(self, column, clip_negative=False):
        key = (column, clip_negative)
        if key not in self.ranks:
            values = self.measures[column]
            self.ranks[key] = percentile_rank(values.clip(lower=0.0) if clip_negative else values)
        return self.ranks[key]


def score_customers(measures, ratings, criteria, ranks=None):
    """Score every customer.

    :param measures: DataFrame indexed by customer id, one column per measure key
    :param ratings: DataFrame indexed by customer id, one column per rated criterion id
        (mean 1-5 rating), may be empty
    :param criteria: list of dicts with ``id``, ``kind`` ('measured' or 'rated'), ``measure``,
        ``weight``, ``method``, ``low``, ``high``, ``lower_is_better``
    :param ranks: a ``RankCache`` of ``measures`` to share percentile ranks (optional)
    :return: (scores, breakdown, rating_total) where ``scores`` is a Series 0-100,
        ``breakdown`` a DataFrame of per-criterion 0-100 scores (columns = criterion ids)
        and ``rating_total`` the weighted total of the ratings
    """
    check_criteria(criteria)
    index = measures.index
    ranks = ranks or RankCache(measures)
    columns, weights = {}, []
    rating_total = np.zeros(len(index))
    for criterion in criteria:
        weight = float(criterion.get("weight") or 0.0)
        if weight <= 0:
            continue
        key = criterion["id"]
        if criterion["kind"] == "rated":
            if ratings is not None and key in ratings.columns:
                raw = ratings[key].reindex(index)
            else:
                raw = pd.Series(np.nan, index=index)
            columns[key] = rating_score(raw).to_numpy()
            rating_total += np.nan_to_num(raw.to_numpy(dtype="float64") * weight)
        else:
            measure = criterion["measure"]
            method = criterion.get("method") or "percentile"
            lower_is_better = bool(criterion.get("lower_is_better"))
            if measure not in measures.columns:
                normalised = pd.Series(np.nan, index=index)
            elif method == "percentile":
                normalised = ranks(measure, clip_negative=measure == "revenue")
                normalised = 100.0 - normalised if lower_is_better else normalised
            else:
                raw = measures[measure].clip(lower=0.0) if measure == "revenue" else measures[measure]
                normalised = normalise(raw, method, criterion.get("low"), criterion.get("high"), lower_is_better)
            columns[key] = normalised.to_numpy(dtype="float64")
        weights.append(weight)
    breakdown = pd.DataFrame(columns, index=index)
    matrix = breakdown.to_numpy(dtype="float64")
    present = ~np.isnan(matrix)
    weight_row = np.array(weights)
    weighted = np.where(present, matrix, 0.0) @ weight_row
    weight_used = present @ weight_row
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = np.where(weight_used > 0, weighted / weight_used, 0.0)
    return pd.Series(scores, index=index), breakdown, pd.Series(rating_total, index=index)


# ---------------------------------------------------------------------------------------
# tiers
# ---------------------------------------------------------------------------------------
def tier_by_threshold(scores, threshold_a, threshold_b):
    if threshold_b > threshold_a:
        raise TieringError("The B threshold cannot be above the A threshold.")
    scores = pd.Series(scores, dtype="float64")
    return pd.Series(
        np.where(scores >= threshold_a, "a", np.where(scores >= threshold_b, "b", "c")),
        index=scores.index,
    )


def tier_by_rank_share(scores, share_a, share_b):
    """Top ``share_a`` % are A, the next ``share_b`` % B. Ties share the better tier.

    The number of A places is ceil(n * share_a / 100), so any positive share gives at least
    one A (a single customer is A).
    """
    if share_a < 0 or share_b < 0 or share_a + share_b > 100:
        raise TieringError("Tier shares must be between 0 and 100 % and add up to at most 100 %.")
    scores = pd.Series(scores, dtype="float64")
    n = len(scores)
    if n == 0:
        return pd.Series(dtype="object")
    rank = scores.rank(method="min", ascending=False)
    places_a = math.ceil(n * share_a / 100.0 - 1e-9)
    places_ab = math.ceil(n * (share_a + share_b) / 100.0 - 1e-9)
    return pd.Series(np.where(rank <= places_a, "a", np.where(rank <= places_ab, "b", "c")), index=scores.index)


def tier_by_pareto(revenue, share_a, share_b):
    """Pareto on revenue: the customers that make up the first ``share_a`` % of revenue are A
    (including the one that crosses the line), up to ``share_b`` % B, the rest C.

    Customers with no positive revenue are C; equal revenues share a tier.
    """
    if not 0 <= share_a <= share_b <= 100:
        raise TieringError("Pareto shares must satisfy 0 <= A share <= B share <= 100 %.")
    revenue = pd.Series(revenue, dtype="float64").fillna(0.0).clip(lower=0.0)
    result = pd.Series("c", index=revenue.index, dtype="object")
    total = revenue.sum()
    if total <= 0:
        return result
    positive = revenue[revenue > 0]
    # Cumulative share of the customers strictly ahead of each distinct revenue value.
    by_value = positive.groupby(positive).sum().sort_index(ascending=False)
    ahead = (by_value.cumsum() - by_value) / total * 100.0
    tier_of_value = pd.Series(np.where(ahead < share_a, "a", np.where(ahead < share_b, "b", "c")), index=by_value.index)
    result[positive.index] = positive.map(tier_of_value)
    return result


def assign_tiers(scores, revenue, settings):
    method = settings.get("tier_method", "threshold")
    if method == "threshold":
        return tier_by_threshold(scores, settings["threshold_a"], settings["threshold_b"])
    if method == "rank_share":
        return tier_by_rank_share(scores, settings["share_a"], settings["share_b"])
    if method == "pareto":
        return tier_by_pareto(revenue, settings["pareto_a"], settings["pareto_b"])
    raise TieringError(f"Unknown tier method: {method}")


# ---------------------------------------------------------------------------------------
# lifecycle, classes, contribution x loyalty
# ---------------------------------------------------------------------------------------
def growth_percent(current, previous):
    """Revenue growth in % vs the comparison window (see the module notes for zeros)."""
    current = pd.Series(current, dtype="float64").fillna(0.0)
    previous = pd.Series(previous, dtype="float64").fillna(0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = (current - previous) / previous.abs() * 100.0
    growth = growth.where(previous != 0, np.where(current > 0, 100.0, 0.0))
    return growth.astype("float64")


def lifecycle_stage(months_since_first, months_since_last, growth, settings):
    """Stage of one customer; months are None when the customer never ordered."""
    if months_since_first is None or months_since_last is None:
        return "prospect"
    if months_since_last >= settings["lost_months"]:
        return "lost"
    if months_since_first < settings["identification_months"]:
        return "identification"
    if growth <= -settings["decline_threshold"]:
        return "decline"
    if growth >= settings["development_threshold"]:
        return "development"
    return "stable"


def lifecycle_stages(frame, settings):
    """Vectorised ``lifecycle_stage`` over columns months_since_first/last and growth."""
    first = frame["months_since_first"]
    last = frame["months_since_last"]
    growth = frame["growth"].fillna(0.0)
    conditions = [
        first.isna() | last.isna(),
        last >= settings["lost_months"],
        first < settings["identification_months"],
        growth <= -settings["decline_threshold"],
        growth >= settings["development_threshold"],
    ]
    choices = ["prospect", "lost", "identification", "decline", "development"]
    return pd.Series(np.select(conditions, choices, default="stable"), index=frame.index)


def propose_classes(tiers, has_orders, rating_scores, has_agreement, settings):
    """Account class proposal: A with an active key-account agreement -> strategic, A/B ->
    key, no orders yet but rated at or above the potential threshold -> potential, else
    general."""
    tiers = pd.Series(tiers)
    has_orders = pd.Series(has_orders, index=tiers.index).fillna(False).astype(bool)
    rating_scores = pd.Series(rating_scores, index=tiers.index, dtype="float64")
    has_agreement = pd.Series(has_agreement, index=tiers.index).fillna(False).astype(bool)
    conditions = [
        (tiers == "a") & has_agreement & has_orders,
        tiers.isin(["a", "b"]) & has_orders,
        ~has_orders & (rating_scores >= settings["potential_rating_threshold"]),
    ]
    return pd.Series(np.select(conditions, ["strategic", "key", "potential"], default="general"), index=tiers.index)


def contribution_loyalty(measures, satisfaction=None, ranks=None):
    """Contribution (revenue, margin, growth) and loyalty (relationship years, regularity of
    repeat purchases, and satisfaction / intent where known), each 0-100 by percentile."""
    index = measures.index
    ranks = ranks or RankCache(measures)
    parts = []
    for column in ("revenue", "margin", "growth"):
        if column in measures.columns and measures[column].notna().any():
            parts.append(ranks(column, clip_negative=column == "revenue"))
    contribution = pd.concat(parts, axis=1).mean(axis=1) if parts else pd.Series(0.0, index=index)
    loyalty_parts = []
    for column in ("relationship_years", "regularity"):
        if column in measures.columns and measures[column].notna().any():
            loyalty_parts.append(ranks(column))
    if satisfaction is not None and pd.Series(satisfaction).notna().any():
        loyalty_parts.append(pd.Series(satisfaction, index=index, dtype="float64").clip(0.0, 100.0))
    loyalty = pd.concat(loyalty_parts, axis=1).mean(axis=1) if loyalty_parts else pd.Series(0.0, index=index)
    return contribution.fillna(0.0), loyalty.fillna(0.0)


def quadrants(contribution, loyalty, threshold=50.0):
    high_c = pd.Series(contribution) >= threshold
    high_l = pd.Series(loyalty) >= threshold
    return pd.Series(
        np.select([high_c & high_l, high_c & ~high_l, ~high_c & high_l], ["core", "at_risk", "develop"], "marginal"),
        index=high_c.index,
    )


# ---------------------------------------------------------------------------------------
# anomalies
# ---------------------------------------------------------------------------------------
def detect_anomalies(frame, settings):
    """Anomalies per customer as {customer id: [(code, values), ...]}; the caller words them.

    ``frame`` columns: tier, account_class, growth, revenue, revenue_previous, complaints,
    breadth, peer_breadth (median breadth of the customer's industry peers); missing columns
    count as unknown. Codes: ``tier_drop``, ``complaints``, ``cross_sell``, ``potential``.
    """
    index = frame.index

    def column(name, default=np.nan):
        if name in frame.columns:
            return pd.to_numeric(frame[name], errors="coerce") if name not in ("tier", "account_class") else frame[name]
        return pd.Series(default, index=index)

    tier, klass = column("tier", ""), column("account_class", "")
    growth = column("growth").fillna(0.0)
    revenue, previous = column("revenue").fillna(0.0), column("revenue_previous").fillna(0.0)
    complaints, breadth, peer = column("complaints"), column("breadth"), column("peer_breadth")
    rules = {
        "tier_drop": ((tier == "a") | (klass == "strategic"))
        & (previous > 0)
        & (growth <= -settings["anomaly_drop_threshold"]),
        "complaints": klass.isin(["key", "strategic"]) & (complaints >= settings["complaint_threshold"]),
        "cross_sell": (breadth > 0)
        & (breadth <= settings["cross_sell_max_categories"])
        & (peer >= settings["cross_sell_peer_categories"]),
        "potential": (tier != "a") & (revenue > 0) & (growth >= settings["high_growth_threshold"]),
    }
    # The figures each anomaly is worded with, read by position from plain arrays: a label
    # lookup per customer would cost more than the rules themselves.
    figures = {
        "tier_drop": lambda at: [{"drop": float(v)} for v in -growth.to_numpy()[at]],
        "complaints": lambda at: [{"count": int(v)} for v in complaints.to_numpy()[at]],
        "cross_sell": lambda at: [
            {"breadth": int(b), "peer": float(p)}
            for b, p in zip(breadth.to_numpy()[at], peer.to_numpy()[at], strict=True)
        ],
        # a customer without revenue to compare with is new ("new": True), not +100 %
        "potential": lambda at: [
            {"growth": float(v), "new": True} if p <= 0 else {"growth": float(v)}
            for v, p in zip(growth.to_numpy()[at], previous.to_numpy()[at], strict=True)
        ],
    }
    result = {}
    for code, mask in rules.items():
        at = np.flatnonzero(mask.fillna(False).to_numpy(dtype=bool))
        for customer_id, values in zip(index[at], figures[code](at), strict=True):
            result.setdefault(customer_id, []).append((code, values))
    return result


def breakdown_of(breakdown, customer_id):
    """{criterion id: 0-100 score} of one customer, leaving out missing criteria."""
    return {key: float(value) for key, value in breakdown.loc[customer_id].items() if not pd.isna(value)}


# ---------------------------------------------------------------------------------------
# everything at once
# ---------------------------------------------------------------------------------------
def evaluate(measures, ratings, criteria, settings, has_agreement=None, satisfaction=None):
    """Run the full evaluation. ``measures`` columns (any may be missing or NaN):
    revenue, revenue_previous, margin, order_count, relationship_years, breadth,
    punctuality, complaints, satisfaction, regularity, months_since_first,
    months_since_last, industry, official_tier, official_class (the tier and class
    currently set, which anomalies judge by; the proposal stands in where there is none).

    :return: DataFrame indexed like ``measures`` with score, rating_total, tier,
        account_class, contribution, loyalty, quadrant, lifecycle, growth; the breakdown as a
        DataFrame of 0-100 scores rounded to 2 decimals (one column per criterion id, NaN
        where the criterion is missing for the customer, see ``breakdown_of``); and the
        anomalies dict.
    """
    settings = {**DEFAULT_SETTINGS, **(settings or {})}
    measures = measures.copy()
    for column in ("revenue", "revenue_previous"):
        if column not in measures.columns:
            measures[column] = 0.0
        measures[column] = measures[column].fillna(0.0)
    measures["growth"] = growth_percent(measures["revenue"], measures["revenue_previous"])
    no_history = measures.get("months_since_first", pd.Series(np.nan, index=measures.index)).isna()
    measures.loc[no_history, "growth"] = np.nan
    ranks = RankCache(measures)
    scores, breakdown, rating_total = score_customers(measures, ratings, criteria, ranks)
    tiers = assign_tiers(scores, measures["revenue"], settings)
    has_orders = ~no_history
    rated_ids = [c["id"] for c in criteria if c["kind"] == "rated" and float(c.get("weight") or 0) > 0]
    rated_cols = [key for key in rated_ids if key in breakdown.columns]
    rating_mean = breakdown[rated_cols].mean(axis=1) if rated_cols else pd.Series(np.nan, index=measures.index)
    agreement = (
        pd.Series(False, index=measures.index)
        if has_agreement is None
        else pd.Series(measures.index.isin(list(has_agreement)), index=measures.index)
    )
    classes = propose_classes(tiers, has_orders, rating_mean, agreement, settings)
    contribution, loyalty = contribution_loyalty(measures, satisfaction, ranks)
    result = pd.DataFrame(
        {
            "score": scores.round(2),
            "rating_total": rating_total.round(2),
            "tier": tiers,
            "account_class": classes,
            "contribution": contribution.round(2),
            "loyalty": loyalty.round(2),
            "growth": measures["growth"].round(2),
        },
        index=measures.index,
    )
    result["quadrant"] = quadrants(result["contribution"], result["loyalty"], settings["quadrant_threshold"])
    life_frame = pd.DataFrame(
        {
            "months_since_first": measures.get("months_since_first"),
            "months_since_last": measures.get("months_since_last"),
            "growth": measures["growth"],
        },
        index=measures.index,
    )
    result["lifecycle"] = lifecycle_stages(life_frame, settings)
    # Anomalies judge customers by their official tier and class where they have one.
    official_tier = measures["official_tier"] if "official_tier" in measures.columns else None
    official_class = measures["official_class"] if "official_class" in measures.columns else None
    anomaly_frame = pd.DataFrame(
        {
            "tier": tiers if official_tier is None else official_tier.where(official_tier.notna(), tiers),
            "account_class": classes
            if official_class is None
            else official_class.where(official_class.notna(), classes),
            "growth": measures["growth"],
            "revenue": measures["revenue"],
            "revenue_previous": measures["revenue_previous"],
            "complaints": measures.get("complaints"),
            "breadth": measures.get("breadth"),
        },
        index=measures.index,
    )
    if "industry" in measures.columns and "breadth" in measures.columns:
        buyers = measures[measures["breadth"].fillna(0) > 0]
        peer = buyers.groupby("industry")["breadth"].median()
        anomaly_frame["peer_breadth"] = measures["industry"].map(peer)
    anomalies = detect_anomalies(anomaly_frame, settings)
    return result, breakdown.round(2), anomalies
