"""Satisfaction survey statistics: scoring, reliability, factor analysis and drivers.

Plain pandas / numpy / scipy. Every function takes a DataFrame of answers (one row per
respondent, one column per item, values already on a 0-100 scale unless stated) and returns
plain data. Documented choices:

* Unanswered items are NaN and are left out of means, never counted as zero.
* Reliability, KMO, Bartlett and factor analysis use complete cases (listwise deletion); the
  number of cases used is returned with every result.
* Where a statistic is not defined (a single respondent, a constant item, fewer answers than
  items) the result carries ``None`` for the value and a ``flags`` list saying why, instead
  of NaN or an exception.
"""

import math

import numpy as np
import pandas as pd
from scipy import stats

LIKERT_MIN = 1.0
LIKERT_MAX = 5.0


# ---------------------------------------------------------------------------------------
# scoring
# ---------------------------------------------------------------------------------------
def scale_to_100(value, low=LIKERT_MIN, high=LIKERT_MAX, reverse=False):
    """Map an answer on [low, high] to 0-100; (a - 1) / 4 * 100 for a 1-5 Likert answer."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if high <= low:
        raise ValueError("The scale's upper bound must exceed its lower bound.")
    score = (float(value) - low) / (high - low) * 100.0
    score = min(max(score, 0.0), 100.0)
    return 100.0 - score if reverse else score


def weighted_mean(values, weights):
    """Weighted mean over the values that are present; None when none is."""
    pairs = [
        (float(v), float(w))
        for v, w in zip(values, weights, strict=True)
        if v is not None and not (isinstance(v, float) and math.isnan(v)) and w and w > 0
    ]
    total = sum(w for _v, w in pairs)
    if not pairs or total <= 0:
        return None
    return sum(v * w for v, w in pairs) / total


def satisfaction_level(index, bands=(60.0, 75.0, 90.0)):
    """dissatisfied / average / satisfied / fully_satisfied from a 0-100 index."""
    if index is None:
        return None
    low, mid, high = bands
    if index < low:
        return "dissatisfied"
    if index < mid:
        return "average"
    if index < high:
        return "satisfied"
    return "fully_satisfied"


def nps_category(score):
    """promoter (9-10), passive (7-8), detractor (0-6) from a 0-10 answer."""
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return None
    if score >= 9:
        return "promoter"
    if score >= 7:
        return "passive"
    return "detractor"


def nps(scores, confidence=0.95):
    """Net promoter score with a normal-approximation confidence interval.

    NPS = %promoters - %detractors; its variance is (p + d - (p - d)^2) / n.
    :return: dict with nps, promoters, passives, detractors (shares), n, low, high
    """
    values = pd.Series(scores, dtype="float64").dropna()
    n = len(values)
    if n == 0:
        return {"nps": None, "n": 0, "low": None, "high": None, "promoters": None, "passives": None, "detractors": None}
    promoters = float((values >= 9).mean())
    detractors = float((values <= 6).mean())
    value = promoters - detractors
    variance = (promoters + detractors - value**2) / n
    z = stats.norm.ppf(0.5 + confidence / 2.0)
    half = z * math.sqrt(max(variance, 0.0))
    return {
        "nps": value * 100.0,
        "promoters": promoters,
        "passives": 1.0 - promoters - detractors,
        "detractors": detractors,
        "n": n,
        "low": (value - half) * 100.0,
        "high": (value + half) * 100.0,
    }


def mean_ci(values, confidence=0.95):
    """Mean with a t-based confidence interval; None bounds below two values."""
    values = pd.Series(values, dtype="float64").dropna()
    n = len(values)
    if n == 0:
        return {"mean": None, "n": 0, "low": None, "high": None, "std": None}
    mean = float(values.mean())
    if n < 2:
        return {"mean": mean, "n": n, "low": None, "high": None, "std": None}
    std = float(values.std(ddof=1))
    half = stats.t.ppf(0.5 + confidence / 2.0, n - 1) * std / math.sqrt(n)
    return {"mean": mean, "n": n, "low": mean - half, "high": mean + half, "std": std}


def item_statistics(items, top_box_threshold=75.0):
    """Per item: n, mean, standard deviation and top-2-box share (0-100 scale: >= 75 is a
    4 or a 5 on a 1-5 scale)."""
    rows = []
    for column in items.columns:
        values = items[column].dropna()
        n = len(values)
        rows.append(
            {
                "item": column,
                "n": n,
                "mean": float(values.mean()) if n else None,
                "std": float(values.std(ddof=1)) if n > 1 else None,
                "top2": float((values >= top_box_threshold).mean()) if n else None,
            }
        )
    return rows


# ---------------------------------------------------------------------------------------
# reliability
# ---------------------------------------------------------------------------------------
def _complete(items):
    return items.dropna(axis=0, how="any")


def cronbach_alpha(items):
    """Cronbach's alpha from the item covariance matrix:
    alpha = k / (k - 1) * (1 - sum(var_i) / var_total). Complete cases only.

    :return: (alpha or None, n used, flags)
    """
    data = _complete(items)
    k = data.shape[1]
    n = data.shape[0]
    flags = []
    if k < 2:
        flags.append("fewer than two items")
    if n < 2:
        flags.append("fewer than two complete answers")
    if flags:
        return None, n, flags
    cov = np.cov(data.to_numpy(dtype=float), rowvar=False, ddof=1)
    total_var = cov.sum()
    if total_var <= 0:
        return None, n, ["no variance in the answers"]
    alpha = k / (k - 1.0) * (1.0 - np.trace(cov) / total_var)
    return float(alpha), n, flags


def reliability(items):
    """Alpha, alpha if item deleted and corrected item-total correlation per item."""
    alpha, n, flags = cronbach_alpha(items)
    data = _complete(items)
    per_item = []
    for column in items.columns:
        rest = data.drop(columns=[column])
        alpha_deleted = cronbach_alpha(rest)[0] if rest.shape[1] >= 2 else None
        correlation = None
        if len(data) > 2 and data[column].std() > 0 and rest.sum(axis=1).std() > 0:
            correlation = float(np.corrcoef(data[column], rest.sum(axis=1))[0, 1])
        per_item.append({"item": column, "alpha_if_deleted": alpha_deleted, "item_total": correlation})
    if alpha is not None and alpha < 0.7:
        flags.append("alpha below 0.7: the scale is not reliable")
    return {"alpha": alpha, "n": n, "items": per_item, "flags": flags}


# ---------------------------------------------------------------------------------------
# sampling adequacy and sphericity
# ---------------------------------------------------------------------------------------
def _correlation(items):
    """(complete cases, correlation matrix or None below three cases, constant items)."""
    data = _complete(items)
    if len(data) < 3 or data.shape[1] < 2:
        return data, None, []
    constant = [c for c in data.columns if data[c].std() == 0]
    if constant:
        return data, None, constant
    return data, np.corrcoef(data.to_numpy(dtype=float), rowvar=False), constant


def kmo(items):
    """Kaiser-Meyer-Olkin measure overall and per item (MSA), from the correlation matrix R
    and the partial correlations derived from its inverse."""
    data, corr, constant = _correlation(items)
    n, k = data.shape
    if constant:
        return {"kmo": None, "msa": {}, "n": n, "flags": [f"constant items: {', '.join(map(str, constant))}"]}
    if n <= k or corr is None:
        return {"kmo": None, "msa": {}, "n": n, "flags": ["fewer answers than items"]}
    try:
        inverse = np.linalg.inv(corr)
    except np.linalg.LinAlgError:
        inverse = np.linalg.pinv(corr)
    scale = np.sqrt(np.outer(np.diag(inverse), np.diag(inverse)))
    partial = -inverse / scale
    np.fill_diagonal(partial, 0.0)
    r2 = corr.copy()
    np.fill_diagonal(r2, 0.0)
    r2 = r2**2
    p2 = partial**2
    overall = r2.sum() / (r2.sum() + p2.sum())
    per_item = r2.sum(axis=0) / (r2.sum(axis=0) + p2.sum(axis=0))
    flags = []
    if overall < 0.6:
        flags.append("KMO below 0.6: factor analysis is not meaningful")
    return {
        "kmo": float(overall),
        "msa": dict(zip(data.columns, map(float, per_item), strict=True)),
        "n": n,
        "flags": flags,
    }


def bartlett(items):
    """Bartlett's test of sphericity: chi2 = -(n - 1 - (2k + 5) / 6) ln|R|, df = k(k - 1) / 2."""
    data, corr, constant = _correlation(items)
    n, k = data.shape
    if constant or n <= k or k < 2 or corr is None:
        return {"chi2": None, "df": None, "p": None, "n": n}
    sign, logdet = np.linalg.slogdet(corr)
    if sign <= 0:
        return {"chi2": None, "df": None, "p": None, "n": n}
    chi2 = -(n - 1 - (2 * k + 5) / 6.0) * logdet
    df = k * (k - 1) / 2.0
    return {"chi2": float(chi2), "df": df, "p": float(stats.chi2.sf(chi2, df)), "n": n}


# ---------------------------------------------------------------------------------------
# exploratory factor analysis (principal components extraction, varimax rotation)
# ---------------------------------------------------------------------------------------
def varimax(loadings, gamma=1.0, max_iter=100, tol=1e-8):
    """Kaiser's varimax rotation of a loadings matrix (items x factors)."""
    p, k = loadings.shape
    if k < 2:
        return loadings
    rotation = np.eye(k)
    criterion = 0.0
    for _iteration in range(max_iter):
        rotated = loadings @ rotation
        u, s, vt = np.linalg.svd(
            loadings.T @ (rotated**3 - (gamma / p) * rotated @ np.diag(np.sum(rotated**2, axis=0)))
        )
        rotation = u @ vt
        new_criterion = np.sum(s)
        if new_criterion < criterion * (1 + tol):
            break
        criterion = new_criterion
    return loadings @ rotation


def factor_analysis(items, n_factors=None):
    """Principal-component factor extraction from the correlation matrix, number of factors
    by eigenvalue > 1 unless given, varimax rotation.

    :return: dict with eigenvalues, explained (share per factor), cumulative, loadings
        ({item: [loading per factor]}), n_factors, n, flags
    """
    data, corr, constant = _correlation(items)
    n, k = data.shape
    flags = []
    if constant:
        flags.append(f"constant items: {', '.join(map(str, constant))}")
    if n <= k:
        flags.append("fewer answers than items")
    if k < 2:
        flags.append("fewer than two items")
    if flags:
        return {
            "eigenvalues": [],
            "explained": [],
            "cumulative": [],
            "loadings": {},
            "n_factors": 0,
            "n": n,
            "flags": flags,
        }
    eigenvalues, vectors = np.linalg.eigh(corr)
    order = np.argsort(eigenvalues)[::-1]
    eigenvalues, vectors = eigenvalues[order], vectors[:, order]
    count = n_factors or max(1, int((eigenvalues > 1.0).sum()))
    loadings = vectors[:, :count] * np.sqrt(np.clip(eigenvalues[:count], 0.0, None))
    loadings = varimax(loadings)
    # Sign convention: each factor's largest loading is positive.
    for j in range(loadings.shape[1]):
        if loadings[np.argmax(np.abs(loadings[:, j])), j] < 0:
            loadings[:, j] *= -1
    explained = eigenvalues / k
    return {
        "eigenvalues": [float(v) for v in eigenvalues],
        "explained": [float(v) for v in explained],
        "cumulative": [float(v) for v in np.cumsum(explained)],
        "loadings": {item: [float(x) for x in row] for item, row in zip(data.columns, loadings, strict=True)},
        "n_factors": count,
        "n": n,
        "flags": flags,
    }


# ---------------------------------------------------------------------------------------
# drivers
# ---------------------------------------------------------------------------------------
def driver_correlations(dimensions, overall):
    """Pearson correlation of each dimension with overall satisfaction, with p-values."""
    result = []
    for column in dimensions.columns:
        pair = pd.concat([dimensions[column], pd.Series(overall, index=dimensions.index)], axis=1).dropna()
        if len(pair) < 3 or pair.iloc[:, 0].std() == 0 or pair.iloc[:, 1].std() == 0:
            result.append({"dimension": column, "r": None, "p": None, "n": len(pair)})
            continue
        r, p = stats.pearsonr(pair.iloc[:, 0], pair.iloc[:, 1])
        result.append({"dimension": column, "r": float(r), "p": float(p), "n": len(pair)})
    return result


def regression(dimensions, overall):
    """OLS of overall satisfaction on the dimensions: standardised coefficients (beta),
    p-values, R-squared and relative importance (share of sum |beta|)."""
    data = pd.concat([dimensions, pd.Series(overall, index=dimensions.index, name="__overall")], axis=1).dropna()
    n, k = data.shape[0], dimensions.shape[1]
    flags = []
    if n <= k + 1:
        flags.append("too few answers for the regression")
    constant = [c for c in dimensions.columns if data[c].std() == 0]
    if constant:
        flags.append(f"constant dimensions: {', '.join(map(str, constant))}")
    if flags or data["__overall"].std() == 0:
        return {"r2": None, "n": n, "coefficients": [], "flags": flags or ["overall satisfaction does not vary"]}
    standardised = (data - data.mean()) / data.std(ddof=1)
    x = standardised[list(dimensions.columns)].to_numpy()
    y = standardised["__overall"].to_numpy()
    design = np.column_stack([np.ones(n), x])
    coef, _res, rank, _sv = np.linalg.lstsq(design, y, rcond=None)
    fitted = design @ coef
    residual = y - fitted
    ss_res = float(residual @ residual)
    ss_tot = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - ss_res / ss_tot if ss_tot else None
    dof = n - k - 1
    sigma2 = ss_res / dof if dof > 0 else float("nan")
    try:
        cov = sigma2 * np.linalg.inv(design.T @ design)
        se = np.sqrt(np.diag(cov))
    except np.linalg.LinAlgError:
        se = np.full(k + 1, np.nan)
        flags.append("dimensions are collinear")
    betas = coef[1:]
    total = np.abs(betas).sum()
    coefficients = []
    for index, column in enumerate(dimensions.columns):
        t_value = betas[index] / se[index + 1] if se[index + 1] and not np.isnan(se[index + 1]) else None
        p_value = float(2 * stats.t.sf(abs(t_value), dof)) if t_value is not None and dof > 0 else None
        coefficients.append(
            {
                "dimension": column,
                "beta": float(betas[index]),
                "p": p_value,
                "importance": float(abs(betas[index]) / total) if total else None,
            }
        )
    return {"r2": r2, "n": n, "coefficients": coefficients, "flags": flags, "rank": int(rank)}


IPA_QUADRANTS = {
    ("high", "high"): "keep_up",
    ("high", "low"): "concentrate",
    ("low", "low"): "low_priority",
    ("low", "high"): "overkill",
}


def importance_performance(importance, performance):
    """Importance-performance quadrant per dimension, split at the means.

    :param importance: {dimension: driver strength}
    :param performance: {dimension: mean score}
    :return: {dimension: quadrant}: keep_up (important, performing), concentrate (important,
        under-performing), low_priority, overkill (performing on what matters little)
    """
    keys = [k for k in importance if importance[k] is not None and performance.get(k) is not None]
    if not keys:
        return {}
    mean_importance = sum(importance[k] for k in keys) / len(keys)
    mean_performance = sum(performance[k] for k in keys) / len(keys)
    return {
        k: IPA_QUADRANTS[
            (
                "high" if importance[k] >= mean_importance else "low",
                "high" if performance[k] >= mean_performance else "low",
            )
        ]
        for k in keys
    }


# ---------------------------------------------------------------------------------------
# comparisons
# ---------------------------------------------------------------------------------------
def compare_means(current, previous):
    """Difference of means with Welch's t-test; None where either side has under two values."""
    a = pd.Series(current, dtype="float64").dropna()
    b = pd.Series(previous, dtype="float64").dropna()
    if len(a) < 2 or len(b) < 2:
        return {"difference": None if a.empty or b.empty else float(a.mean() - b.mean()), "p": None}
    t_stat, p_value = stats.ttest_ind(a, b, equal_var=False)
    return {"difference": float(a.mean() - b.mean()), "t": float(t_stat), "p": float(p_value)}


def compare_groups(values, groups, min_size=5):
    """One-way ANOVA and Kruskal-Wallis across the groups that have at least ``min_size``
    answers; None when fewer than two groups qualify."""
    frame = pd.DataFrame({"value": values, "group": groups}).dropna()
    samples = [g["value"].to_numpy() for _name, g in frame.groupby("group") if len(g) >= min_size]
    if len(samples) < 2 or all(np.std(s) == 0 for s in samples):
        return {"anova_p": None, "kruskal_p": None, "groups": len(samples)}
    return {
        "anova_p": float(stats.f_oneway(*samples).pvalue),
        "kruskal_p": float(stats.kruskal(*samples).pvalue),
        "groups": len(samples),
    }


# ---------------------------------------------------------------------------------------
# scoring answers and analysing a set of them
# ---------------------------------------------------------------------------------------
ROLES = ("item", "overall", "recommend", "repurchase")


def score_answers(lines, dimension_weights, bands=(60.0, 75.0, 90.0)):
    """Score survey answers.

    :param lines: DataFrame with one row per answered item: ``response`` (answer id),
        ``item`` (item key), ``dimension`` (id or None), ``item_weight``, ``role`` (item,
        overall, recommend, repurchase), ``value`` (0-100) and ``raw`` (the answer on its
        own scale, used for the 0-10 recommend question)
    :param dimension_weights: {dimension id: weight}
    :return: (responses, dimension_scores) where ``responses`` is a DataFrame indexed by
        response with index, level, overall, recommend, nps_category, repurchase, and
        ``dimension_scores`` a DataFrame with response, dimension, score
    """
    columns = ["index", "level", "overall", "recommend", "nps_category", "repurchase"]
    if lines.empty:
        return pd.DataFrame(columns=columns), pd.DataFrame(columns=["response", "dimension", "score"])
    lines = lines.dropna(subset=["value"])
    items = lines[(lines["role"] == "item") & lines["dimension"].notna()].copy()
    items = items[items["item_weight"] > 0]
    items["weighted"] = items["value"] * items["item_weight"]
    grouped = items.groupby(["response", "dimension"])[["weighted", "item_weight"]].sum()
    dimension_scores = (grouped["weighted"] / grouped["item_weight"]).rename("score").reset_index()
    dimension_scores["weight"] = dimension_scores["dimension"].map(dimension_weights).fillna(0.0)
    used = dimension_scores[dimension_scores["weight"] > 0].copy()
    used["weighted"] = used["score"] * used["weight"]
    per_response = used.groupby("response")[["weighted", "weight"]].sum()
    index = per_response["weighted"] / per_response["weight"]
    responses = pd.DataFrame(index=pd.Index(sorted(lines["response"].unique()), name="response"))
    responses["index"] = index
    for role, column, source in (
        ("overall", "overall", "value"),
        ("recommend", "recommend", "raw"),
        ("repurchase", "repurchase", "value"),
    ):
        values = lines[lines["role"] == role].groupby("response")[source].mean()
        responses[column] = values
    responses["level"] = responses["index"].map(
        lambda v: None if v is None or (isinstance(v, float) and math.isnan(v)) else satisfaction_level(v, bands)
    )
    responses["nps_category"] = responses["recommend"].map(nps_category)
    return responses[columns], dimension_scores[["response", "dimension", "score"]]


def _clean(value):
    """JSON-safe: NaN and infinities become None, numpy scalars become Python numbers."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        value = float(value)
        return None if math.isnan(value) or math.isinf(value) else value
    return value


def analyse(
    items, dimensions, overall, recommend, segments=None, dimension_items=None, previous=None, min_n=10, index=None
):
    """Everything the campaign shows and exports, as JSON-safe plain data.

    :param items: DataFrame respondents x items (0-100, NaN where unanswered)
    :param dimensions: DataFrame respondents x dimensions (0-100)
    :param overall: Series of overall satisfaction per respondent, the dependent variable of
        the driver analysis (use the answer to an overall-satisfaction question: the composite
        index is a weighted sum of the dimensions and would explain itself)
    :param index: Series of the composite index per respondent for the summary, the segments
        and the comparison (defaults to ``overall``)
    :param recommend: Series of 0-10 recommend answers
    :param segments: DataFrame of segment labels per respondent (tier, class, region, ...)
    :param dimension_items: {dimension: [item keys]} for per-dimension alpha
    :param previous: Series of the previous campaign's index values, for the comparison
    """
    n = len(items)
    flags = []
    if n < min_n:
        flags.append(f"only {n} answers: read the statistics with care")
    index = overall if index is None else index
    index_ci = mean_ci(index)
    result = {
        "n": n,
        "index": index_ci,
        "nps": nps(recommend),
        "items": item_statistics(items),
        "dimensions": [
            {
                "dimension": column,
                **mean_ci(dimensions[column]),
                "top2": float((dimensions[column].dropna() >= 75).mean()) if dimensions[column].notna().any() else None,
            }
            for column in dimensions.columns
        ],
        "reliability": reliability(items)
        if items.shape[1] >= 2
        else {"alpha": None, "items": [], "flags": ["fewer than two items"], "n": n},
        "reliability_by_dimension": {
            str(dimension): cronbach_alpha(items[[k for k in keys if k in items.columns]])[0]
            for dimension, keys in (dimension_items or {}).items()
            if len([k for k in keys if k in items.columns]) >= 2
        },
        "kmo": kmo(items) if items.shape[1] >= 2 else {"kmo": None, "msa": {}, "flags": ["fewer than two items"]},
        "bartlett": bartlett(items),
        "factors": factor_analysis(items),
        "correlations": driver_correlations(dimensions, overall),
        "regression": regression(dimensions, overall) if dimensions.shape[1] >= 1 else {"r2": None, "coefficients": []},
        "flags": flags,
    }
    importance = {row["dimension"]: abs(row["r"]) if row["r"] is not None else None for row in result["correlations"]}
    performance = {row["dimension"]: row["mean"] for row in result["dimensions"]}
    result["quadrants"] = importance_performance(importance, performance)
    result["comparison"] = compare_means(index, previous) if previous is not None else None
    result["segments"] = {}
    for column in segments.columns if segments is not None else []:
        labels = segments[column]
        groups = []
        for label, idx in labels.groupby(labels).groups.items():
            groups.append({"segment": label, "n": len(idx), "index": _clean(mean_ci(index.loc[idx])["mean"])})
        result["segments"][column] = {"groups": groups, "test": compare_groups(index, labels)}
    return _clean(result)
